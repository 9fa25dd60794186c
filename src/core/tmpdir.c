/* tmpdir.c — temporary directories removed on SIGTERM/SIGINT/SIGHUP and
 * swept when stale (tmpdir.h).
 *
 * The handler may run at any moment, in any thread, so it only uses
 * async-signal-safe calls on memory prepared beforehand: open(2),
 * getdents64(2) through syscall(2), unlinkat(2), close(2), sigaction(2) and
 * raise(3) — no opendir (it allocates), no stdio. */
#define _GNU_SOURCE /* syscall, O_DIRECTORY, nftw's FTW_ACTIONRETVAL-free use */
#include "core/tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define GUARDED_SIGNALS 3
static const int guarded_sig[GUARDED_SIGNALS] = {SIGTERM, SIGINT, SIGHUP};
static struct sigaction saved[GUARDED_SIGNALS];
static int installed[GUARDED_SIGNALS];
static char guarded[4096];          /* the directory, or "" */
static volatile sig_atomic_t armed; /* 1 while guarded[] is to be removed */

/* The kernel's struct linux_dirent64. */
struct dirent64_raw {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* Remove everything below the directory open as fd (depth levels more at
 * most), async-signal-safe. */
static void rm_below(int fd, int depth)
{
    char buf[2048] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0)
            return;
        int removed = 0;
        for (long at = 0; at < n;) {
            struct dirent64_raw *e = (struct dirent64_raw *)(buf + at);
            at += e->reclen;
            if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
                continue;
            if (unlinkat(fd, e->name, 0) == 0) {
                removed = 1;
                continue;
            }
            if (depth <= 0)
                continue;
            int sub = openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                rm_below(sub, depth - 1);
                close(sub);
            }
            if (unlinkat(fd, e->name, AT_REMOVEDIR) == 0)
                removed = 1;
        }
        if (removed) /* entries moved: read the directory from its start */
            lseek(fd, 0, SEEK_SET);
    }
}

static void on_signal(int sig)
{
    int saved_errno = errno;
    if (armed) {
        armed = 0;
        int fd = open(guarded, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            rm_below(fd, 8);
            close(fd);
        }
        rmdir(guarded);
    }
    /* die of the signal as the process would have without us */
    for (int i = 0; i < GUARDED_SIGNALS; i++)
        if (guarded_sig[i] == sig)
            sigaction(sig, &saved[i], NULL);
    errno = saved_errno;
    raise(sig);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void ckp__tmpdir_remove(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static time_t newest;

static int newest_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    if (sb->st_mtime > newest)
        newest = sb->st_mtime;
    return 0;
}

/* Remove <tmp>/<prefix>* of this user not modified for max_age seconds. */
static void sweep(const char *tmp, const char *prefix, double max_age)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    size_t pl = strlen(prefix);
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, pl) != 0)
            continue;
        char path[4096];
        struct stat sb;
        if (snprintf(path, sizeof path, "%s/%s", tmp, e->d_name) >= (int)sizeof path ||
            lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
            continue;
        newest = 0;
        nftw(path, newest_entry, 16, FTW_PHYS);
        if (difftime(now, newest) > max_age)
            ckp__tmpdir_remove(path);
    }
    closedir(d);
}

int ckp__tmpdir_make(const char *prefix, double max_age, char *buf, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    sweep(tmp, prefix, max_age);
    if ((size_t)snprintf(buf, len, "%s/%sXXXXXX", tmp, prefix) >= len ||
        strlen(buf) >= sizeof guarded) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!mkdtemp(buf))
        return -1;
    if (guarded[0])
        return 0; /* one guarded directory per process */
    memcpy(guarded, buf, strlen(buf) + 1);
    armed = 1;
    for (int i = 0; i < GUARDED_SIGNALS; i++) {
        struct sigaction old;
        installed[i] = 0;
        if (sigaction(guarded_sig[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue; /* nohup and friends: stays ignored */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask); /* one handler at a time */
        if (sigaction(guarded_sig[i], &sa, &saved[i]) == 0)
            installed[i] = 1;
    }
    return 0;
}

void ckp__tmpdir_release(const char *dir)
{
    if (!guarded[0] || !dir || strcmp(dir, guarded) != 0)
        return;
    armed = 0;
    for (int i = 0; i < GUARDED_SIGNALS; i++)
        if (installed[i]) {
            sigaction(guarded_sig[i], &saved[i], NULL);
            installed[i] = 0;
        }
    guarded[0] = '\0';
}
