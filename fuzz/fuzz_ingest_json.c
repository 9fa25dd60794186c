/* fuzz_ingest_json.c — libFuzzer harness for the Comtrade+ API JSON reader
 * (ingest_json.c: the response scanned byte by byte, each record cut out
 * and parsed alone): the input is the response, the format forced; byte 0
 * of the input also decides, 1 time in 8, to commit and reread the store
 * (ingest_one.h). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = CKP_INGEST_COMTRADE_JSON;
    ingest_one(&o, data, size, size > 0 && (data[0] & 7) == 0);
    return 0;
}
