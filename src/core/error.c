/* error.c — the ckp_error helpers declared in error.h. */
#include "chokepoint/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ckp_strerror(ckp_status code)
{
    switch (code) {
    case CKP_OK: return "ok";
    case CKP_ENOMEM: return "out of memory";
    case CKP_EIO: return "input/output error";
    case CKP_EPARSE: return "parse error";
    case CKP_ELIMIT: return "size limit reached";
    case CKP_EINVAL: return "invalid argument";
    case CKP_ENOTFOUND: return "not found";
    case CKP_ECORRUPT: return "corrupt data";
    case CKP_EENCODING: return "invalid text encoding";
    case CKP_EUSAGE: return "usage error";
    case CKP_ESTATE: return "invalid state";
    case CKP_EINTERNAL: return "internal error";
    }
    return "unknown error";
}

ckp_status ckp_error_set(ckp_error *err, ckp_status code, const char *file,
                         long line, long col, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void ckp_error_clear(ckp_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

char *ckp_error_format(const ckp_error *err, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    buf[0] = '\0';
    if (!err)
        return buf;
    const char *msg = err->msg[0] ? err->msg : ckp_strerror(err->code);
    if (err->file[0] && err->line > 0 && err->col > 0)
        snprintf(buf, n, "%s:%ld:%ld: %s", err->file, err->line, err->col, msg);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, n, "%s:%ld: %s", err->file, err->line, msg);
    else if (err->file[0])
        snprintf(buf, n, "%s: %s", err->file, msg);
    else
        snprintf(buf, n, "%s", msg);
    return buf;
}
