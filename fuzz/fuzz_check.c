/*  fuzz_check.c - the invariants the fuzz targets check, shared by both.

    The UTF-8 decoder here is written apart from text.c on purpose: checking text_sanitize with
    its own decoder would pass whatever that decoder gets wrong.
*/
#include "fuzz_check.h"

#include <stdbool.h>
#include <stdint.h>
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
