/* fuzz_ingest_comext.c — libFuzzer harness for the Eurostat Comext web
 * extraction (country names with bracketed notes, code-label pairs such as
 * "2-EXPORT", periods "Aug. 2024"; ingest_comext.c's fields, ingest_comext_rows.c's
 * Comext row parser, the EUR rates): the input is the file, the format
 * forced (so any header is tried against its columns); byte 0 of the input
 * also decides, 1 time in 8, to commit and reread the store (ingest_one.h). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = CKP_INGEST_COMEXT;
    ingest_one(&o, data, size, size > 0 && (data[0] & 7) == 0);
    return 0;
}
