/* fuzz_ingest_comext_bulk.c — libFuzzer harness for the Eurostat Comext
 * bulk files (ISO alpha-2 codes, CN8 products, FLOW 1/2; the lines of one
 * period, reporter, partner, flow and HS6 summed into one row by ingest_comext_rows.c's
 * summing table, a key with a rejected line rejected whole): the input is
 * the file, the format forced; byte 0 of the input also decides, 1 time in
 * 8, to commit and reread the store (ingest_one.h checks read = lines summed
 * + rejected). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = CKP_INGEST_COMEXT_BULK;
    ingest_one(&o, data, size, size > 0 && (data[0] & 7) == 0);
    return 0;
}
