/*  text.c - UTF-8 decoding, names, and making untrusted text safe for a terminal.

    Everything a peer sends is untrusted: it is decoded strictly here and escaped before it is
    printed, so no byte from the network can move the cursor, change the title, write the
    clipboard (OSC 52) or reorder what the user reads (bidi overrides).
*/
#include "text.h"
#include "limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TEXT_PIECE_MAX_BYTES 16 // what shows one character: "<U+XXXXXX>" at most

size_t
text_utf8_decode (const char *s, size_t size, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *) s;
    if (size == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t length;
    uint32_t value, minimum;
    if ((u[0] & 0xE0) == 0xC0) {
        length = 2, value = u[0] & 0x1F, minimum = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        length = 3, value = u[0] & 0x0F, minimum = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        length = 4, value = u[0] & 0x07, minimum = 0x10000;
    } else
        return 0;
    if (size < length)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (u[i] & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return length;
}

bool
text_utf8_valid (const char *s, size_t size)
{
    uint32_t cp;
    while (size > 0) {
        //  ASCII, the bulk of most lines, needs no decoding
        if ((unsigned char) *s < 0x80) {
            s++, size--;
            continue;
        }
        size_t length = text_utf8_decode (s, size, &cp);
        if (length == 0)
            return false;
        s += length, size -= length;
    }
    return true;
}

//  True for the letters a name may hold beyond ASCII: Latin-1 Supplement and Latin Extended-A
//  and -B (å ä ö é ü ß ł ...), without × and ÷.
static bool
s_latin_letter (uint32_t cp)
{
    return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

//  True when code point cp may be in a name: a letter (ASCII or Latin), a digit, '-' or '_',
//  or one of the ASCII characters in extra (may be NULL).
static bool
s_name_char (uint32_t cp, const char *extra)
{
    bool ascii_ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                    (cp >= '0' && cp <= '9') || cp == '-' || cp == '_';
    bool extra_ok = cp < 0x80 && cp != 0 && extra && strchr (extra, (int) cp);
    return ascii_ok || extra_ok || s_latin_letter (cp);
}

bool
text_name_valid (const char *s, size_t size, const char *extra)
{
    size_t chars = 0;
    uint32_t cp;
    if (size == 0 || size > NAME_MAX_BYTES)
        return false;
    while (size > 0) {
        size_t length = text_utf8_decode (s, size, &cp);
        if (length == 0 || !s_name_char (cp, extra) || ++chars > NAME_MAX_CHARS)
            return false;
        s += length, size -= length;
    }
    return true;
}

//  True for code points that reorder or break lines on a terminal: bidi embeddings, overrides
//  and isolates, the marks, and the Unicode line and paragraph separators.
static bool
s_invisible_control (uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

//  How many bytes from s (size of them) are printable ASCII, at most room.
static size_t
s_ascii_run (const char *s, size_t size, size_t room)
{
    size_t run = 0;
    while (run < size && run < room && (unsigned char) s[run] >= 0x20 &&
           (unsigned char) s[run] < 0x7F)
        run++;
    return run;
}

//  What shows the character at s (size bytes left, at least one) safely: itself, ^X for a
//  control character, <U+XXXX> for an invisible one, U+FFFD for a broken sequence. Writes it
//  into piece (TEXT_PIECE_MAX_BYTES) and its size into *piece_size. Returns how many bytes of s
//  it stands for.
static size_t
s_piece (const char *s, size_t size, char *piece, size_t *piece_size)
{
    uint32_t cp = 0;
    size_t length = text_utf8_decode (s, size, &cp);
    if (length == 0) {
        memcpy (piece, "\xEF\xBF\xBD", 3), *piece_size = 3; //  U+FFFD
        length = 1;
        //  Skip the continuation bytes of this broken sequence: one U+FFFD per sequence
        while (length < size && length < 4 && (((unsigned char) s[length]) & 0xC0) == 0x80)
            length++;
    } else if (cp < 0x20 || cp == 0x7F) {
        piece[0] = '^', piece[1] = cp == 0x7F ? '?' : (char) ('@' + cp), *piece_size = 2;
    } else if ((cp >= 0x80 && cp <= 0x9F) || s_invisible_control (cp)) {
        int written = snprintf (piece, TEXT_PIECE_MAX_BYTES, "<U+%04X>", (unsigned) cp);
        *piece_size = written > 0 && written < TEXT_PIECE_MAX_BYTES ? (size_t) written : 0;
    } else {
        memcpy (piece, s, length), *piece_size = length;
    }
    return length;
}

int
text_sanitize (const char *s, size_t size, char *out, size_t outsize)
{
    static const char ellipsis[] = "\xE2\x80\xA6"; // …, with its NUL
    size_t used = 0;
    size_t cut_at = 0; //  where the ellipsis goes if the rest does not fit
    if (outsize == 0)
        return -1;
    while (size > 0) {
        //  Fast path: printable ASCII is copied a run at a time, as far as it leaves room for
        //  the ellipsis; the rest goes a character at a time, as does the end of the room
        size_t room = used + sizeof ellipsis < outsize ? outsize - used - sizeof ellipsis : 0;
        size_t run = s_ascii_run (s, size, room);
        if (run > 0) {
            memcpy (out + used, s, run);
            used += run, cut_at = used;
            s += run, size -= run;
            continue;
        }
        char piece[TEXT_PIECE_MAX_BYTES];
        size_t piece_size, length = s_piece (s, size, piece, &piece_size);
        if (used + piece_size + 1 > outsize) {
            //  Cut: end with the ellipsis, after the last piece that leaves room for it
            if (cut_at + sizeof ellipsis <= outsize)
                memcpy (out + cut_at, ellipsis, sizeof ellipsis);
            else
                out[cut_at < outsize ? cut_at : 0] = 0;
            return -1;
        }
        memcpy (out + used, piece, piece_size);
        used += piece_size;
        if (used + sizeof ellipsis <= outsize)
            cut_at = used;
        s += length, size -= length;
    }
    out[used] = 0;
    return 0;
}

int
text_append (char *out, size_t outsize, size_t *used, const char *fmt, ...)
{
    if (*used >= outsize)
        return -1;
    va_list args;
    va_start (args, fmt);
    int written = vsnprintf (out + *used, outsize - *used, fmt, args);
    va_end (args);
    if (written < 0 || (size_t) written >= outsize - *used) {
        out[*used] = 0; //  nothing of what did not fit
        return -1;
    }
    *used += (size_t) written;
    return 0;
}

int
text_format (char *out, size_t outsize, const char *fmt, ...)
{
    if (outsize == 0)
        return -1;
    va_list args;
    va_start (args, fmt);
    int written = vsnprintf (out, outsize, fmt, args);
    va_end (args);
    if (written < 0 || (size_t) written >= outsize) {
        out[0] = 0;
        return -1;
    }
    return 0;
}

int
text_copy (char *out, size_t outsize, const char *s)
{
    if (outsize == 0)
        return -1;
    size_t size = strnlen (s, outsize);
    bool cut = size == outsize;
    if (cut)
        size = outsize - 1;
    memcpy (out, s, size);
    out[size] = 0;
    return cut ? -1 : 0;
}
