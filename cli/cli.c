/* cli.c — shared CLI helpers (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

int cli_fail(const char *verb, const ckp_error *err)
{
    char buf[1024];
    fprintf(stderr, "chokepoint: %s: %s\n", verb, ckp_error_format(err, buf, sizeof buf));
    return err && err->code == CKP_EUSAGE ? 2 : 1;
}

int cli_failf(const char *verb, int status, const char *fmt, ...)
{
    fprintf(stderr, "chokepoint: %s: ", verb);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

ckp_ref *cli_load_ref(const char *verb, const char *datadir)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_ref_load(datadir, &ref, &err) != CKP_OK) {
        cli_fail(verb, &err);
        return NULL;
    }
    return ref;
}

int cli_format(const char *verb, const char *arg, ckp_format *fmt)
{
    if (!arg) {
        *fmt = ckp_format_default(stdout);
        return 0;
    }
    if (ckp_format_parse(arg, fmt) != CKP_OK)
        return cli_failf(verb, 2, "--format must be table, csv or json (got '%s')", arg);
    return 0;
}

int cli_stdout_tty(void) { return isatty(STDOUT_FILENO); }
