/* fuzz_reporters.c — libFuzzer harness for the reporter list parser
 * (ckp_reporters_load: data/ref/reporters/reporters.csv, the denominator of
 * every coverage figure, coverage.h).
 *
 * The input is written to a temporary file and loaded.  Whatever the bytes,
 * the load must not crash or leak; an error names the file and carries a
 * message; a loaded list counts, for any year, no more economies than the
 * year before plus the rows, and never a negative number. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/reporters.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_reporters_%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ckp_reporters *l = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status st = ckp_reporters_load(path, &l, &err);
    if (st != CKP_OK) {
        if (l || !err.msg[0])
            abort();
    } else {
        int any = 0;
        for (int y = 1900; y <= 2100; y += 7) {
            int has;
            int n = ckp_reporters_count(l, y, "USA", &has);
            if (n < 0 || (has && n == 0))
                abort();
            any |= n > 0;
        }
        int has;
        if (ckp_reporters_count(l, 0, NULL, &has) < 0 || has)
            abort();
        (void)any;
        ckp_reporters_free(l);
    }
    unlink(path);
    return 0;
}
