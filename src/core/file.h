/* file.h — reading a whole file into memory (library-internal, ground floor).
 *
 * One rule for every "slurp": the buffer grows by doubling up to a bound the
 * caller names, the result is NUL-terminated (the NUL is not counted in
 * *len), and every error names the file.  Ownership: *out is malloc'd and
 * belongs to the caller (free()); on an error *out is NULL. */
#ifndef CKP_CORE_FILE_H
#define CKP_CORE_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "chokepoint/error.h"

/* Read all of path ("-" = standard input) into *out, *len bytes.
 * CKP_ENOTFOUND / CKP_EIO when it cannot be opened or read, CKP_ELIMIT when
 * it holds more than max bytes, CKP_ENOMEM. */
ckp_status ckp_file_read(const char *path, size_t max, char **out, size_t *len,
                         ckp_error *err);

/* The same from an open stream (not closed here); name is used in errors. */
ckp_status ckp_file_read_stream(FILE *f, const char *name, size_t max, char **out,
                                size_t *len, ckp_error *err);

#endif
