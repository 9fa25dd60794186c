/* fuzz_ingest_zip.c — libFuzzer harness for BACI release archives
 * (ingest_archive.c and ingest_baci_zip.c: a .zip read twice as
 * a stream with libarchive, its country table resolving the codes of its
 * year files, whose lines go through the chunked plain-BACI parser or the
 * CSV reader).  Seeds are small archives in CEPII's layout, one stored
 * (the CSV bytes visible to mutation) and one deflated.  1 input in 8 is
 * committed and reread (ingest_one.h). */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    ingest_one(&o, data, size, size > 12 && (data[size - 1] & 7) == 0);
    return 0;
}
