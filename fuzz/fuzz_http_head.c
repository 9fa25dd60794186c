/* fuzz_http_head.c — libFuzzer harness for the gate's request-head check
 * (srv_check_head, server/gate.c): the bytes a client sends before
 * libmicrohttpd sees them.  The input is the head as received so far.
 * Checks: the answer is "need more", "good" or one of the refusals the gate
 * knows; a good head ends with an empty line inside the input; the reason
 * is plain ASCII without quotes or backslashes (the gate writes it into a
 * JSON string as it is).  The server sources are compiled into the harness
 * (they are not part of the library). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../server/gate.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees a read past the input */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    size_t head_len = 0;
    const char *why = NULL;
    int st = srv_check_head(buf, size, &head_len, &why);
    if (!why)
        abort();
    for (const char *p = why; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == '"' || *p == '\\')
            abort();
    switch (st) {
    case -1:
        break;
    case 0:
        if (head_len < 4 || head_len > size || head_len > SRV_HEAD_MAX ||
            memcmp(buf + head_len - 4, "\r\n\r\n", 4) != 0)
            abort();
        break;
    case 400: case 411: case 413: case 414: case 431: case 505:
        if (!*why)
            abort();
        break;
    default:
        abort();
    }
    free(buf);
    return 0;
}
