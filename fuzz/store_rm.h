/* store_rm.h — remove a store directory a fuzz harness wrote (two levels:
 * DIR/gen-N/file), shared by the ingest harnesses. */
#ifndef CKP_FUZZ_STORE_RM_H
#define CKP_FUZZ_STORE_RM_H

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

static inline void fuzz_remove_store(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    char p[600], q[1200];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        DIR *g = opendir(p);
        if (g) {
            struct dirent *f;
            while ((f = readdir(g)) != NULL)
                if (f->d_name[0] != '.') {
                    snprintf(q, sizeof q, "%s/%s", p, f->d_name);
                    unlink(q);
                }
            closedir(g);
            rmdir(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
    rmdir(path);
}

#endif
