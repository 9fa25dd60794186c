/* fuzz_ingest_decimal.c — libFuzzer harness for spreadsheet CSV (ingest_fields.c:
 * num, comma_to_point, decimal_evidence: ';' files with decimal commas,
 * the mark learnt from the values or given).  Byte 0 chooses the mark
 * (learnt, '.', ','), the delimiter (detected, ';', tab, '|') and, 1 time
 * in 8, to commit and reread the store; the rest is a file of any format. */
#include "ingest_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char marks[4] = {0, '.', ',', 0};
    static const char delims[4] = {0, ';', '\t', '|'};
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.decimal = marks[data[0] & 3];
    o.delim = delims[data[0] >> 2 & 3];
    ingest_one(&o, data + 1, size - 1, (data[0] >> 4 & 7) == 0);
    return 0;
}
