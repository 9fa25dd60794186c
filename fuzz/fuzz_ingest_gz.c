/* fuzz_ingest_gz.c — libFuzzer harness for gzip input (ingest_src.c: the
 * stream inflated as it is read, members concatenated, a cut or corrupt
 * stream an error): the input is a .gz of any format, sniffed; the seeds
 * are gzipped fixtures.  1 input in 8 is committed and reread
 * (ingest_one.h). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    ingest_one(&o, data, size, size > 12 && (data[size - 1] & 7) == 0);
    return 0;
}
