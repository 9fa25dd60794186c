/* fuzz_ingest_legacy.c — libFuzzer harness for the legacy (pre-2023) UN Comtrade CSV
 * (ingest_comtrade_legacy.c's columns, read by ingest_rows.c's Comtrade row
 * parser): the input is the file, the format forced (so any header is
 * tried against its columns); byte 0 of the input also decides, 1 time in
 * 8, to commit and reread the store (ingest_one.h). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = CKP_INGEST_COMTRADE_LEGACY;
    ingest_one(&o, data, size, size > 0 && (data[0] & 7) == 0);
    return 0;
}
