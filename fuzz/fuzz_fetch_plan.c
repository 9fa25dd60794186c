/* fuzz_fetch_plan.c — libFuzzer harness for `fetch comtrade`'s query
 * planner (ckp_fetch_plan_make), which takes user text: reporters, partner,
 * HS codes or groups, periods, frequency, flows and the base URL, one per
 * line of the input.  With the shipped reference data loaded once from
 * $CHOKEPOINT_DATA or ./data.  Invariants, not just crashes: every call's
 * URL starts with the base and the v1 get path, holds no blank, key or
 * fragment, carries at most 12 periods, and its hash is 64 hex digits;
 * halving a call (ckp_fetch_plan_split) until it cannot be keeps them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/fetch.h"

static ckp_ref *ref;
static int ref_tried;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ref_tried) {
        ckp_error err;
        const char *dir = getenv("CHOKEPOINT_DATA");
        ref_tried = 1;
        if (ckp_ref_load(dir && *dir ? dir : "data", &ref, &err) != CKP_OK)
            ref = NULL;
    }
    if (!ref || size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *field[7] = {NULL};
    char *p = buf;
    for (int i = 0; i < 7 && p; i++) {
        field[i] = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        p = nl ? nl + 1 : NULL;
    }
    ckp_fetch_query q = {field[6] && *field[6] ? field[6] : "http://127.0.0.1:1",
                         field[0], field[1], field[2], field[3],
                         field[4] && *field[4] ? field[4][0] : 0, field[5] && *field[5] ? field[5] : NULL,
                         0};
    ckp_fetch_plan plan;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_fetch_plan_make(ref, &q, &plan, &err) == CKP_OK) {
        if (!plan.ncalls || !plan.summary)
            abort();
        for (size_t i = 0; i < plan.ncalls; i++) {
            const ckp_fetch_call *c = &plan.calls[i];
            if (strncmp(c->url, plan.base, strlen(plan.base)) != 0 ||
                strncmp(c->url + strlen(plan.base), "/data/v1/get/C/", 15) != 0 ||
                strpbrk(c->url, " \t\r\n#") || strstr(c->url, "subscription") ||
                strlen(c->hash) != 64 || strspn(c->hash, "0123456789abcdef") != 64)
                abort();
            size_t commas = 0;
            for (const char *s = c->periods; *s; s++)
                commas += *s == ',';
            if (commas + 1 > CKP_FETCH_MAX_PERIODS)
                abort();
        }
        /* halve the first call until it cannot be: every piece still a
         * valid call, and the count grows by one per split */
        for (int k = 0; k < 64; k++) {
            size_t before = plan.ncalls;
            if (ckp_fetch_plan_split(&plan, 0, &err) != CKP_OK)
                break;
            if (plan.ncalls != before + 1 || strlen(plan.calls[0].hash) != 64 ||
                strncmp(plan.calls[0].url, plan.base, strlen(plan.base)) != 0)
                abort();
        }
        ckp_fetch_plan_free(&plan);
    }
    free(buf);
    return 0;
}
