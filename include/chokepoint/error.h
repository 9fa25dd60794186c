/* error.h — chokepoint's one error type.
 *
 * Every library function that can fail returns a ckp_status (0 = CKP_OK) and,
 * when given a non-NULL ckp_error *, fills it with where the failure happened
 * (file, line, column — each optional) and a human sentence.  The CLI prints
 * it as  "chokepoint: VERB: file:line:col: message".
 * ckp_error is a plain value: nothing to free. */
#ifndef CHOKEPOINT_ERROR_H
#define CHOKEPOINT_ERROR_H

#include <stddef.h>

typedef enum ckp_status {
    CKP_OK = 0,
    CKP_ENOMEM,    /* allocation failed */
    CKP_EIO,       /* a read, write, open, rename or mmap failed */
    CKP_EPARSE,    /* input text does not follow its format */
    CKP_ELIMIT,    /* a configured size limit was reached (field, row, buffer) */
    CKP_EINVAL,    /* an argument or parameter is not acceptable */
    CKP_ENOTFOUND, /* a named thing (file, column, country, group) does not exist */
    CKP_ECORRUPT,  /* stored data failed a checksum or structural check */
    CKP_EENCODING, /* text is not valid in the expected encoding */
    CKP_EUSAGE,    /* command-line usage error (CLI exit status 2) */
    CKP_ESTATE,    /* operation not valid in the current state */
    CKP_EINTERNAL  /* a bug: the code broke its own contract (a row without its columns) */
} ckp_status;

typedef struct ckp_error {
    ckp_status code;
    char file[256]; /* "" when not tied to a file */
    long line;      /* 1-based; 0 when unknown */
    long col;       /* 1-based; 0 when unknown */
    char msg[512];  /* what went wrong, in words, without location */
} ckp_error;

/* A short phrase for a status ("parse error", "out of memory"…). Static. */
const char *ckp_strerror(ckp_status code);

/* Fill err (if non-NULL) and return code.  file may be NULL; line/col 0 = unknown.
 * fmt is printf-style; the result is truncated to fit msg. */
ckp_status ckp_error_set(ckp_error *err, ckp_status code, const char *file,
                         long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Reset err to CKP_OK with empty fields. */
void ckp_error_clear(ckp_error *err);

/* Write "file:line:col: msg" (omitting absent parts) into buf (always
 * NUL-terminated when n > 0).  Returns buf. */
char *ckp_error_format(const ckp_error *err, char *buf, size_t n);

#endif
