/* store_stamp.c — "these columns were verified and have not changed since":
 * a stamp a reader leaves in a generation after checking every column's
 * checksum, so that the next open of an unchanged store need not read every
 * byte again (docs/store.md, "Opening: checksums").
 *
 * gen-N/.verified (text, its own CRC on the last line):
 *   chokepoint-verified 1
 *   file NAME SIZE INODE MTIME_S MTIME_NS CTIME_S CTIME_NS CRC   (per column)
 *   crc XXXXXXXX
 * A column is taken as verified only when its size, inode, both times and
 * the manifest's CRC all equal the stamp's: any write to the file (or a copy
 * of it) changes its ctime, which no user can set.  Files changed within
 * the last STAMP_SETTLE seconds are never stamped — file times have a coarse
 * clock, and a write in the same tick as the stamp would go unseen. */
#include "store/store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STAMP_MAGIC "chokepoint-verified 1"
#define STAMP_SETTLE 2 /* seconds */

void ckp__stamp_of(const struct stat *sb, uint32_t crc, ckp__stamp_entry *e)
{
    e->size = (uint64_t)sb->st_size;
    e->ino = (uint64_t)sb->st_ino;
    e->mtime_s = (int64_t)sb->st_mtim.tv_sec;
    e->mtime_ns = (int64_t)sb->st_mtim.tv_nsec;
    e->ctime_s = (int64_t)sb->st_ctim.tv_sec;
    e->ctime_ns = (int64_t)sb->st_ctim.tv_nsec;
    e->crc = crc;
    e->valid = 1;
}

int ckp__stamp_same(const ckp__stamp_entry *a, const ckp__stamp_entry *b)
{
    return a->valid && b->valid && a->size == b->size && a->ino == b->ino &&
           a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
           a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns && a->crc == b->crc;
}

int ckp__stamp_forced(void)
{
    const char *e = getenv("CKP_STORE_VERIFY");
    return e && *e && strcmp(e, "0") != 0;
}

void ckp__stamp_read(const char *gendir, ckp__stamp_entry stamp[CKP__F_COUNT])
{
    memset(stamp, 0, sizeof *stamp * CKP__F_COUNT);
    if (ckp__stamp_forced())
        return;
    char path[4200], buf[8192];
    snprintf(path, sizeof path, "%s/.verified", gendir);
    if (ckp__read_crc_text(path, buf, sizeof buf) != 0 ||
        strncmp(buf, STAMP_MAGIC "\n", sizeof STAMP_MAGIC) != 0)
        return; /* none, or damaged: only means a full check */
    ckp__stamp_entry got[CKP__F_COUNT];
    memset(got, 0, sizeof got);
    for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n")) {
        char name[64];
        unsigned long long size, ino;
        long long ms, mns, cs, cns;
        unsigned int crc;
        if (sscanf(s, "file %63s %llu %llu %lld %lld %lld %lld %8x", name, &size, &ino, &ms,
                   &mns, &cs, &cns, &crc) != 8)
            continue;
        for (int i = 0; i < CKP__F_COUNT; i++)
            if (strcmp(name, ckp__file_names[i]) == 0)
                got[i] = (ckp__stamp_entry){size, ino, ms, mns, cs, cns, crc, 1};
    }
    memcpy(stamp, got, sizeof got);
}

void ckp__stamp_write(const char *gendir, const ckp__stamp_entry now[CKP__F_COUNT])
{
    time_t t = time(NULL);
    for (int i = 0; i < CKP__F_COUNT; i++)
        if (!now[i].valid || now[i].ctime_s > (int64_t)t - STAMP_SETTLE ||
            now[i].mtime_s > (int64_t)t - STAMP_SETTLE)
            return; /* too fresh to vouch for */
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text, STAMP_MAGIC "\n");
    for (int i = 0; i < CKP__F_COUNT && len < sizeof text; i++) {
        const ckp__stamp_entry *e = &now[i];
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "file %s %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64
                                " %" PRId64 " %08x\n",
                                ckp__file_names[i], e->size, e->ino, e->mtime_s, e->mtime_ns,
                                e->ctime_s, e->ctime_ns, e->crc);
    }
    if (len >= sizeof text - 32)
        return;
    uint32_t crc = ckp__crc32c(0, text, len);
    len += (size_t)snprintf(text + len, sizeof text - len, "crc %08x\n", crc);
    char tmp[4300], path[4200];
    static unsigned seq; /* two threads of one process: two names */
    snprintf(tmp, sizeof tmp, "%s/.verified.%ld.%u", gendir, (long)getpid(),
             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    snprintf(path, sizeof path, "%s/.verified", gendir);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return; /* a read-only store: every open checks everything */
    int ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}
