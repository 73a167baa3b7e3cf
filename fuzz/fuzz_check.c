/*  fuzz_check.c - the invariants the fuzz targets check, and the cutting of an input into
    frames, shared by them.

    The UTF-8 decoder here is written apart from text.c on purpose: checking text_sanitize with
    its own decoder would pass whatever that decoder gets wrong.
*/
#define _GNU_SOURCE // memmem

#include "fuzz_check.h"
#include "limits.h"
#include "signing.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

//  Decode one strict UTF-8 sequence at s (size bytes left): its length, with the code point in
//  *cp, or 0 if it is invalid, overlong, a surrogate, above U+10FFFF or truncated.
static size_t
s_utf8_next (const unsigned char *s, size_t size, uint32_t *cp)
{
    static const uint32_t minimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t length = s[0] < 0x80                    ? 1
                    : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                    : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                    : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                   : 0;
    if (length == 0 || length > size)
        return 0;
    uint32_t value = length == 1 ? s[0] : s[0] & (0x7F >> length);
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value < minimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return length;
}

//  True for a code point a terminal acts on instead of showing it.
static bool
s_dangerous (uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

void
fuzz_check_printable (const char *line, size_t size)
{
    const char *end = memchr (line, 0, size);
    FUZZ_CHECK (end != NULL);
    const unsigned char *s = (const unsigned char *) line;
    size_t left = (size_t) (end - line);
    while (left > 0) {
        uint32_t cp = 0;
        size_t length = s_utf8_next (s, left, &cp);
        FUZZ_CHECK (length > 0);
        FUZZ_CHECK (!s_dangerous (cp));
        s += length, left -= length;
    }
}

void
fuzz_check_sanitized (const char *out, size_t outsize)
{
    FUZZ_CHECK (outsize > 0);
    fuzz_check_printable (out, outsize);
}

size_t
fuzz_split (const uint8_t *data, size_t size, const char *separator, size_t max,
            fuzz_frame_t *parts)
{
    size_t count = 0;
    while (true) {
        const uint8_t *mark =
            count + 1 < max ? memmem (data, size, separator, FUZZ_SEPARATOR_BYTES) : NULL;
        size_t part_size = mark ? (size_t) (mark - data) : size;
        parts[count].data = malloc (part_size);
        FUZZ_CHECK (parts[count].data != NULL);
        if (part_size)
            memcpy (parts[count].data, data, part_size);
        parts[count++].size = part_size;
        if (!mark)
            return count;
        data += part_size + FUZZ_SEPARATOR_BYTES;
        size -= part_size + FUZZ_SEPARATOR_BYTES;
    }
}

void
fuzz_check_proof (const uint8_t *frame, size_t size, const wire_meta_t *meta)
{
    wire_proof_t proof;
    if (wire_decode_proof (frame, size, meta->size, meta->seq, &proof) != WIRE_OK)
        return;
    FUZZ_CHECK (proof.count >= 1 && proof.count <= WIRE_BATCH_LINES_MAX);
    FUZZ_CHECK (proof.first_seq >= 1 && meta->seq >= proof.first_seq &&
                meta->seq - proof.first_seq < proof.count);
    FUZZ_CHECK (proof.levels <= WIRE_PATH_MAX);
    FUZZ_CHECK (proof.levels ==
                wire_path_levels ((size_t) (meta->seq - proof.first_seq), proof.count));
    static uint8_t encoded[WIRE_LINE_META_MAX_BYTES];
    FUZZ_CHECK (meta->size <= sizeof encoded);
    memcpy (encoded, frame, meta->size);
    int encoded_size = wire_encode_proof (encoded, sizeof encoded, meta->size, &proof);
    FUZZ_CHECK (encoded_size > 0 && (size_t) encoded_size == size);
    FUZZ_CHECK (memcmp (encoded, frame, size) == 0);
}

void
fuzz_check_body (const uint8_t *body, size_t size)
{
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    static uint8_t encoded[SOCKET_MAXMSGSIZE_BYTES];
    int count = signing_decode_body (body, size, lines, WIRE_BATCH_LINES_MAX);
    FUZZ_CHECK (count >= -1 && count <= WIRE_BATCH_LINES_MAX);
    if (count < 0 || size > sizeof encoded)
        return;
    for (int i = 0; i < count; i++)
        FUZZ_CHECK (lines[i].size >= 1 && lines[i].data >= body + 2 &&
                    lines[i].data + lines[i].size <= body + size);
    int encoded_size = signing_encode_body (encoded, sizeof encoded, lines, (size_t) count);
    FUZZ_CHECK (encoded_size >= 0 && (size_t) encoded_size == size);
    FUZZ_CHECK (size == 0 || memcmp (encoded, body, size) == 0);
}
