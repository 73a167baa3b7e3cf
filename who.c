/*  who.c - the order and the filter of \who's listing (see who.h).
 */
#define _GNU_SOURCE // fnmatch's FNM_CASEFOLD (glibc, the BSDs and musl have it)
#include "who.h"
#include "i18n.h"
#include "limits.h"
#include "text.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define S_FOLDED_MAX (NAME_MAX_BYTES + 8) // characters of a name folded (a display name's bytes)

//  Fold s to lower case, a wide character each, into out (outsize characters, NUL-ended; the
//  rest cut). A byte that is not UTF-8 stands for itself.
static void
s_fold (const char *s, wchar_t *out, size_t outsize)
{
    size_t size = strlen (s), used = 0;
    while (size > 0 && used + 1 < outsize) {
        uint32_t code;
        size_t length = text_utf8_decode (s, size, &code);
        if (length == 0) {
            code = (unsigned char) *s;
            length = 1;
        }
        out[used++] = (wchar_t) towlower ((wint_t) code);
        s += length;
        size -= length;
    }
    out[used] = 0;
}

int
who_compare (const char *a, const char *b)
{
    wchar_t folded_a[S_FOLDED_MAX + 1], folded_b[S_FOLDED_MAX + 1];
    s_fold (a, folded_a, S_FOLDED_MAX + 1);
    s_fold (b, folded_b, S_FOLDED_MAX + 1);
    int order = wcscoll (folded_a, folded_b);
    if (order == 0)
        order = wcscmp (folded_a, folded_b);
    return order ? order : strcmp (a, b);
}

int
who_pattern_check (const char *pattern, char *why, size_t why_size)
{
    size_t size = strlen (pattern);
    int written = 0;
    if (size > WHO_PATTERN_MAX_BYTES)
        written = snprintf (why, why_size,
                            _ ("the pattern is too long: at most %d bytes (\\who an, \\who an*)"),
                            WHO_PATTERN_MAX_BYTES);
    else if (!text_utf8_valid (pattern, size))
        written = snprintf (why, why_size, "%s", _ ("the pattern is not valid UTF-8"));
    else {
        for (size_t i = 0; i < size && written == 0; i++)
            if ((unsigned char) pattern[i] < 0x20 || pattern[i] == 0x7f)
                written =
                    snprintf (why, why_size, "%s", _ ("the pattern holds a control character"));
    }
    if (written < 0 || (size_t) written >= why_size)
        text_copy (why, why_size, "?");
    return written == 0 ? 0 : -1;
}

bool
who_match (const char *pattern, const char *name)
{
    if (!pattern || !*pattern)
        return true;
    if (strpbrk (pattern, "*?["))
        return fnmatch (pattern, name, FNM_CASEFOLD) == 0;
    wchar_t folded_pattern[S_FOLDED_MAX + 1], folded_name[S_FOLDED_MAX + 1];
    s_fold (pattern, folded_pattern, S_FOLDED_MAX + 1);
    s_fold (name, folded_name, S_FOLDED_MAX + 1);
    return wcsstr (folded_name, folded_pattern) != NULL;
}
