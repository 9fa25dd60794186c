/* tmpdir.h — private temporary directories that do not outlive their
 * process: removed when it is stopped by SIGTERM, SIGINT or SIGHUP (an
 * async-signal-safe removal), and stale ones of killed processes swept
 * (library-internal; the --input store of env.c uses it). */
#ifndef CKP_CORE_TMPDIR_H
#define CKP_CORE_TMPDIR_H

#include <stddef.h>

/* Create a directory "<$TMPDIR or /tmp>/<prefix>XXXXXX" (mkdtemp) into buf
 * and guard it: until ckp__tmpdir_release(), SIGTERM, SIGINT and SIGHUP
 * remove it (and everything below it, up to 8 levels) before the process
 * dies of the signal as it would have.  A signal the process ignored stays
 * ignored.  One guarded directory per process: a second one is created but
 * not guarded.  First, every directory "<prefix>*" there owned by this user
 * whose tree was last modified more than max_age seconds ago (a killed
 * run's leftover) is removed.  0, or -1 with errno. */
int ckp__tmpdir_make(const char *prefix, double max_age, char *buf, size_t len);

/* Remove dir and everything below it (not async-signal-safe). */
void ckp__tmpdir_remove(const char *dir);

/* Stop guarding dir (call after removing it, or to keep it); restores the
 * signal handlers found. */
void ckp__tmpdir_release(const char *dir);

#endif
