/* assets.c — the web assets inlined at build time (see report.h).
 *
 * The Makefile generates assets_gen.inc with scripts/gen_assets.sh (web/
 * and the npm charting library) into the build directory and puts it on this
 * file's include path.  A build without it (e.g. a fuzzing build that
 * compiles src/ alone) gets no assets: the report and the server then say so
 * instead of crashing. */
#include "chokepoint/report.h"

#include <string.h>

#if defined(__has_include)
#if __has_include("assets_gen.inc")
#include "assets_gen.inc"
#define CKP_HAVE_ASSETS 1
#endif
#endif

#ifndef CKP_HAVE_ASSETS
#define CKP_ASSETS_HAVE_CHARTLIB 0
static const ckp_asset asset_table[] = {{NULL, NULL, NULL, 0}};
#endif

const ckp_asset *ckp_asset_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; asset_table[i].name; i++)
        if (strcmp(asset_table[i].name, name) == 0)
            return &asset_table[i];
    return NULL;
}

const ckp_asset *ckp_asset_at(int i)
{
    int n = (int)(sizeof asset_table / sizeof asset_table[0]) - 1;
    if (i < 0 || i >= n)
        return NULL;
    return &asset_table[i];
}

int ckp_assets_have_chartlib(void) { return CKP_ASSETS_HAVE_CHARTLIB; }
