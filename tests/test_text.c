/*  test_text.c - unit tests for text.c: strict UTF-8 decoding, names, and sanitising untrusted
    text for the terminal.

    Every input is copied to a heap block of exactly its size, so ASan reports any read past it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "limits.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X8 "xxxxxxxx"
#define X32 X8 X8 X8 X8
#define AA8 "\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5" // 8 times å
#define AA32 AA8 AA8 AA8 AA8
#define FFFD "\xEF\xBF\xBD"
#define ELLIPSIS "\xE2\x80\xA6"
#define GUARD_BYTES 16   // bytes after an output buffer that must stay untouched
#define GUARD_VALUE 0x5A // what they hold
#define RANDOM_RUNS 10000
#define RANDOM_MAX_BYTES 64

//  A heap copy of exactly size bytes of s; the caller frees it.
static char *
s_copy (const char *s, size_t size)
{
    char *copy = malloc (size ? size : 1);
    assert_non_null (copy);
    memcpy (copy, s, size);
    return copy;
}

//  True when no code point in s[0..size) is one a terminal acts on or reorders text by.
static bool
s_terminal_safe (const char *s, size_t size)
{
    uint32_t cp;
    while (size > 0) {
        size_t length = text_utf8_decode (s, size, &cp);
        if (length == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
            cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029)
            return false;
        s += length, size -= length;
    }
    return true;
}

//  True when the guard bytes after a buffer still hold GUARD_VALUE.
static bool
s_guard_intact (const char *guard)
{
    for (size_t i = 0; i < GUARD_BYTES; i++)
        if ((unsigned char) guard[i] != GUARD_VALUE)
            return false;
    return true;
}

//  text_utf8_decode: every length of valid sequence, and every way a sequence can be broken.
static void
test_utf8_decode (void **state)
{
    (void) state;
    static const struct {
        const char *bytes; //  input
        size_t size;       //  bytes given to the decoder
        size_t length;     //  expected length, 0 for refused
        uint32_t cp;       //  expected code point when accepted
    } rows[] = {
        {"A", 1, 1, 0x41},
        {"\x00", 1, 1, 0x00},
        {"\x7F", 1, 1, 0x7F},
        {"ab", 2, 1, 0x61},
        {"\xC2\x80", 2, 2, 0x80},
        {"\xC3\xA5", 2, 2, 0xE5},
        {"\xC3\xA5x", 3, 2, 0xE5},
        {"\xDF\xBF", 2, 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 3, 0x800},
        {"\xE2\x82\xAC", 3, 3, 0x20AC},
        {"\xED\x9F\xBF", 3, 3, 0xD7FF},
        {"\xEE\x80\x80", 3, 3, 0xE000},
        {"\xEF\xBF\xBF", 3, 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 4, 0x10000},
        {"\xF0\x9F\x98\x80", 4, 4, 0x1F600},
        {"\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF},
        //  Overlong forms
        {"\xC0\x80", 2, 0, 0},
        {"\xC1\xBF", 2, 0, 0},
        {"\xE0\x80\x80", 3, 0, 0},
        {"\xE0\x9F\xBF", 3, 0, 0},
        {"\xF0\x80\x80\x80", 4, 0, 0},
        {"\xF0\x8F\xBF\xBF", 4, 0, 0},
        //  Surrogates and beyond U+10FFFF
        {"\xED\xA0\x80", 3, 0, 0},
        {"\xED\xBF\xBF", 3, 0, 0},
        {"\xF4\x90\x80\x80", 4, 0, 0},
        {"\xF5\x80\x80\x80", 4, 0, 0},
        {"\xF7\xBF\xBF\xBF", 4, 0, 0},
        //  Bytes that never start a sequence
        {"\x80", 1, 0, 0},
        {"\xBF", 1, 0, 0},
        {"\xF8\x88\x80\x80\x80", 5, 0, 0},
        {"\xFE", 1, 0, 0},
        {"\xFF", 1, 0, 0},
        //  Truncated: by the end of the input, or by a byte that is not a continuation
        {"", 0, 0, 0},
        {"\xC3", 1, 0, 0},
        {"\xC3\xA5", 1, 0, 0},
        {"\xE2\x82", 2, 0, 0},
        {"\xF0\x9F\x98", 3, 0, 0},
        {"\xC3\x41", 2, 0, 0},
        {"\xE2\x28\xA1", 3, 0, 0},
        {"\xE2\x82\x41", 3, 0, 0},
        {"\xF0\x9F\x98\x41", 4, 0, 0},
        {"\xF0\x9F\xC3\xA5", 4, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *input = s_copy (rows[i].bytes, rows[i].size);
        uint32_t cp = 0xDEADBEEF;
        size_t length = text_utf8_decode (input, rows[i].size, &cp);
        free (input);
        if (length != rows[i].length)
            fail_msg ("row %zu: length %zu, want %zu", i, length, rows[i].length);
        if (length && cp != rows[i].cp)
            fail_msg ("row %zu: U+%04X, want U+%04X", i, (unsigned) cp, (unsigned) rows[i].cp);
    }
}

//  text_utf8_valid: whole strings, including an empty one and an embedded NUL.
static void
test_utf8_valid (void **state)
{
    (void) state;
    static const struct {
        const char *bytes; //  input
        size_t size;       //  its size
        bool valid;        //  expected answer
    } rows[] = {
        {"", 0, true},
        {"hej", 3, true},
        {"a\0b", 3, true},
        {"hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6", 15, true},
        {"\xC3", 1, false},
        {"abc\x80", 4, false},
        {"a\xC0\x80"
         "b",
         4, false},
        {"\xED\xA0\x80", 3, false},
        {"ok\xF4\x90\x80\x80", 6, false},
        {"\xE2\x82\xAC\xE2\x82", 5, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *input = s_copy (rows[i].bytes, rows[i].size);
        bool valid = text_utf8_valid (input, rows[i].size);
        free (input);
        if (valid != rows[i].valid)
            fail_msg ("row %zu: %d, want %d", i, valid, rows[i].valid);
    }
}

//  text_name_valid: length in characters, the allowed letters, and the extra characters.
static void
test_name_valid (void **state)
{
    (void) state;
    static const struct {
        const char *name;  //  input
        size_t size;       //  its size, 0 for strlen
        const char *extra; //  extra characters allowed
        bool valid;        //  expected answer
    } rows[] = {
        {"a", 0, NULL, true},
        {"buddy", 0, NULL, true},
        {"bud-dy_1", 0, NULL, true},
        {"BUDDY", 0, NULL, true},
        {"\xC3\xA5\xC3\xA4\xC3\xB6", 0, NULL, true}, // åäö
        {"\xC3\x85\xC3\x84\xC3\x96", 0, NULL, true}, // ÅÄÖ
        {"\xC3\xA9t\xC3\xA9", 0, NULL, true},        // été
        {"\xC5\x82\xC3\x9F", 0, NULL, true},         // łß
        {"\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1", 0, NULL, true},
        {X32, 0, NULL, true},
        {X32 "x", 0, NULL, false},
        {AA32, 0, NULL, true},
        {AA32 "x", 0, NULL, false},
        {AA32 "\xC3\xA5", 0, NULL, false},
        {"", 0, NULL, false},
        {"a b", 0, NULL, false},
        {" a", 0, NULL, false},
        {"a>b", 0, NULL, false},
        {">", 0, NULL, false},
        {"~a", 0, NULL, false},
        {"#news", 0, NULL, false},
        {"a\tb", 0, NULL, false},
        {"a\x1b", 0, NULL, false},
        {"a\0b", 3, NULL, false},
        {"a\0", 2, ".", false},
        {"\xC3\x97", 0, NULL, false},         // ×
        {"\xC3\xB7", 0, NULL, false},         // ÷
        {"\xF0\x9F\x98\x80", 0, NULL, false}, // emoji
        {"\xE2\x80\xAE", 0, NULL, false},     // U+202E
        {"\xC2\x85", 0, NULL, false},         // C1 control
        {"\xC3", 0, NULL, false},
        {"\xC0\x80", 0, NULL, false},
        {"a.b", 0, NULL, false},
        {"a.b", 0, "", false},
        {"a.b", 0, ".", true},
        {".", 0, ".", true},
        {"a b", 0, ".", false},
        {"a>b", 0, ".", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t size = rows[i].size ? rows[i].size : strlen (rows[i].name);
        char *input = s_copy (rows[i].name, size);
        bool valid = text_name_valid (input, size, rows[i].extra);
        free (input);
        if (valid != rows[i].valid)
            fail_msg ("row %zu \"%s\": %d, want %d", i, rows[i].name, valid, rows[i].valid);
    }
}

//  text_sanitize with room to spare: what each kind of dangerous input turns into.
static void
test_sanitize (void **state)
{
    (void) state;
    static const struct {
        const char *input;  //  untrusted text
        size_t size;        //  its size, 0 for strlen
        const char *output; //  what the terminal is to get
    } rows[] = {
        {"", 0, ""},
        {"hej", 0, "hej"},
        {"hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6", 0,
         "hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6"},
        {"R\xC3\xA4ksm\xC3\xB6rg\xC3\xA5s", 0, "R\xC3\xA4ksm\xC3\xB6rg\xC3\xA5s"},
        {FFFD, 0, FFFD},
        {"\x1b", 0, "^["},
        {"\x1b[2J", 0, "^[[2J"},
        {"\x1b]52;c;aGVqIGTDpQ==\x07", 0, "^[]52;c;aGVqIGTDpQ==^G"},
        {"\x1b]0;title\x1b\\", 0, "^[]0;title^[\\"},
        {"\x07", 0, "^G"},
        {"a\rb", 0, "a^Mb"},
        {"a\nb", 0, "a^Jb"},
        {"\t", 0, "^I"},
        {"\b", 0, "^H"},
        {"\x7F", 0, "^?"},
        {"\x1F", 0, "^_"},
        {"a\0b", 3, "a^@b"},
        {"\xC2\x85", 0, "<U+0085>"},
        {"\xC2\x9B", 0, "<U+009B>"},
        {"\xC2\x80", 0, "<U+0080>"},
        {"\xC2\x9F", 0, "<U+009F>"},
        {"\xC2\xA0", 0, "\xC2\xA0"},
        {"\xE2\x80\xAE", 0, "<U+202E>"},
        {"abc\xE2\x80\xAE"
         "fed",
         0, "abc<U+202E>fed"},
        {"\xE2\x80\xAA", 0, "<U+202A>"},
        {"\xE2\x81\xA6", 0, "<U+2066>"},
        {"\xE2\x81\xA9", 0, "<U+2069>"},
        {"\xE2\x80\x8E", 0, "<U+200E>"},
        {"\xE2\x80\x8F", 0, "<U+200F>"},
        {"\xD8\x9C", 0, "<U+061C>"},
        {"\xE2\x80\xA8", 0, "<U+2028>"},
        {"\xE2\x80\xA9", 0, "<U+2029>"},
        {"\xFF", 0, FFFD},
        {"\x80", 0, FFFD},
        {"a\xC0\x80"
         "b",
         0, "a" FFFD "b"},
        {"\xE0\x80\x80", 0, FFFD},
        {"\xED\xA0\x80", 0, FFFD},
        {"\xF4\x90\x80\x80", 0, FFFD},
        {"\xF4\x90\x80\x80\x80", 0, FFFD FFFD},
        {"\xE2\x82", 0, FFFD},
        {"\xC3x", 0, FFFD "x"},
        {"\xC3\xC3\xA5", 0, FFFD "\xC3\xA5"},
        {"\xE2\x82\x1b", 0, FFFD "^["},
        {"\xF0\x9F\x98", 0, FFFD},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t size = rows[i].size ? rows[i].size : strlen (rows[i].input);
        char *input = s_copy (rows[i].input, size);
        char out[256];
        int rc = text_sanitize (input, size, out, sizeof out);
        free (input);
        if (rc != 0)
            fail_msg ("row %zu: returned %d", i, rc);
        if (strcmp (out, rows[i].output) != 0)
            fail_msg ("row %zu: \"%s\", want \"%s\"", i, out, rows[i].output);
    }
}

//  text_sanitize into a buffer too small: -1, cut at a character, "…" last, NUL inside.
static void
test_sanitize_cut (void **state)
{
    (void) state;
    static const char *inputs[] = {
        "hej hej hej hej",       "\xC3\xA5\xC3\xA4\xC3\xB6\xC3\xA5\xC3\xA4\xC3\xB6",
        "\x1b[2J\x1b[2J\x1b[2J", "\xE2\x80\xAE\xE2\x80\xAE\xE2\x80\xAE",
        "\xFF\xFF\xFF\xFF\xFF",  "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        size_t size = strlen (inputs[i]);
        char full[256];
        assert_int_equal (text_sanitize (inputs[i], size, full, sizeof full), 0);
        size_t full_size = strlen (full);
        //  Every size that cannot take the whole output but can take "…"
        for (size_t outsize = sizeof ELLIPSIS; outsize <= full_size; outsize++) {
            char *input = s_copy (inputs[i], size);
            char buffer[256 + GUARD_BYTES];
            memset (buffer, GUARD_VALUE, sizeof buffer);
            int rc = text_sanitize (input, size, buffer, outsize);
            free (input);
            if (rc != -1)
                fail_msg ("input %zu, outsize %zu: returned %d", i, outsize, rc);
            if (!s_guard_intact (buffer + outsize))
                fail_msg ("input %zu, outsize %zu: wrote past the buffer", i, outsize);
            size_t used = strnlen (buffer, outsize);
            if (used == outsize)
                fail_msg ("input %zu, outsize %zu: not NUL-terminated", i, outsize);
            if (used < strlen (ELLIPSIS) || strcmp (buffer + used - strlen (ELLIPSIS), ELLIPSIS))
                fail_msg ("input %zu, outsize %zu: \"%s\" does not end with the ellipsis", i,
                          outsize, buffer);
            //  What comes before "…" is whole characters of the full output
            size_t kept = used - strlen (ELLIPSIS);
            if (memcmp (buffer, full, kept) != 0 || !text_utf8_valid (buffer, used))
                fail_msg ("input %zu, outsize %zu: \"%s\" is not a cut of \"%s\"", i, outsize,
                          buffer, full);
        }
    }
}

//  text_sanitize into a buffer exactly as big as the output and its NUL: nothing is cut.
static void
test_sanitize_exact_fit (void **state)
{
    (void) state;
    static const char *inputs[] = {"abc", "hej \xF0\x9F\x98\x80", "\x1b[2J", "\xE2\x80\xAE"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char full[256];
        size_t size = strlen (inputs[i]);
        assert_int_equal (text_sanitize (inputs[i], size, full, sizeof full), 0);
        size_t outsize = strlen (full) + 1;
        char *out = malloc (outsize);
        assert_non_null (out);
        int rc = text_sanitize (inputs[i], size, out, outsize);
        char got[256];
        snprintf (got, sizeof got, "%.*s", (int) strnlen (out, outsize), out);
        free (out);
        if (rc != 0 || strcmp (got, full) != 0)
            fail_msg ("\"%s\" into %zu bytes: returned %d and \"%s\", want 0 and \"%s\"", inputs[i],
                      outsize, rc, got, full);
    }
}

//  text_sanitize into a buffer of 1 to 3 bytes: no room for "…", but still NUL-terminated.
static void
test_sanitize_tiny_output (void **state)
{
    (void) state;
    for (size_t outsize = 1; outsize < sizeof ELLIPSIS; outsize++) {
        char buffer[8 + GUARD_BYTES];
        memset (buffer, GUARD_VALUE, sizeof buffer);
        int rc = text_sanitize ("hej", 3, buffer, outsize);
        assert_int_equal (rc, -1);
        assert_true (s_guard_intact (buffer + outsize));
        if (strnlen (buffer, outsize) == outsize)
            fail_msg ("outsize %zu: output is not NUL-terminated", outsize);
    }
}

//  One pseudo-random input: random bytes mixed with pieces of escapes and UTF-8. Returns size.
static size_t
s_random_input (char *out, size_t max)
{
    static const char *pieces[] = {
        "\x1b[",        "\x1b]52;c;",       "\x07",     "\xC2\x85",
        "\xE2\x80\xAE", "\xE2\x81\xA6",     "\xC3\xA5", "\xF0\x9F\x98\x80",
        "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC0\x80", "\r\n",
        "\x7F"};
    size_t size = (size_t) rand () % (max + 1);
    size_t used = 0;
    while (used < size) {
        int kind = rand () % 4;
        if (kind == 0)
            out[used++] = (char) (rand () & 0xFF);
        else if (kind == 1)
            out[used++] = (char) (0x20 + rand () % 0x5F);
        else if (kind == 2)
            out[used++] = (char) (0x80 + rand () % 0x40);
        else {
            const char *piece = pieces[(size_t) rand () % (sizeof pieces / sizeof pieces[0])];
            //  Whole, or cut short to make a truncated sequence
            size_t piece_size = strlen (piece) - (size_t) rand () % 2;
            for (size_t i = 0; i < piece_size && used < size; i++)
                out[used++] = piece[i];
        }
    }
    return size;
}

//  Property: whatever bytes come in, the output is valid UTF-8 a terminal cannot act on.
static void
test_sanitize_random (void **state)
{
    (void) state;
    srand (1);
    for (int run = 0; run < RANDOM_RUNS; run++) {
        char bytes[RANDOM_MAX_BYTES];
        size_t size = s_random_input (bytes, sizeof bytes);
        char *input = s_copy (bytes, size);
        //  Escaping grows text at most 4 times ("\xC2\x85" -> "<U+0085>"), plus "…" and NUL
        char out[4 * RANDOM_MAX_BYTES + 4 + GUARD_BYTES];
        size_t roomy = 4 * size + 4;
        size_t outsize = run % 2 ? roomy : 4 + (size_t) rand () % (roomy - 3);
        memset (out, GUARD_VALUE, sizeof out);
        int rc = text_sanitize (input, size, out, outsize);
        free (input);
        if (rc != 0 && (rc != -1 || outsize == roomy))
            fail_msg ("run %d: returned %d with outsize %zu for %zu bytes", run, rc, outsize, size);
        if (!s_guard_intact (out + outsize))
            fail_msg ("run %d: wrote past %zu bytes", run, outsize);
        size_t used = strnlen (out, outsize);
        if (used == outsize)
            fail_msg ("run %d: not NUL-terminated", run);
        for (size_t i = 0; i < used; i++)
            if ((unsigned char) out[i] < 0x20 || (unsigned char) out[i] == 0x7F)
                fail_msg ("run %d: byte 0x%02X at %zu", run, (unsigned char) out[i], i);
        if (!text_utf8_valid (out, used))
            fail_msg ("run %d: output is not valid UTF-8", run);
        if (!s_terminal_safe (out, used))
            fail_msg ("run %d: output holds a C1 control or bidi character", run);
    }
}

//  Run the text tests; the exit code is the number that failed.
//  text_format: all of it, or "" and -1 when it does not fit, never past the buffer.
static void
test_format (void **state)
{
    (void) state;
    char out[8] = "old";
    assert_int_equal (text_format (out, sizeof out, "%s:%d", "ab", 42), 0);
    assert_string_equal (out, "ab:42");
    assert_int_equal (text_format (out, sizeof out, "%s", "1234567"), 0);
    assert_int_equal (text_format (out, sizeof out, "%s", "12345678"), -1);
    assert_string_equal (out, "");
    assert_int_equal (text_format (out, 0, "%s", ""), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_format),
        cmocka_unit_test (test_utf8_decode),
        cmocka_unit_test (test_utf8_valid),
        cmocka_unit_test (test_name_valid),
        cmocka_unit_test (test_sanitize),
        cmocka_unit_test (test_sanitize_cut),
        cmocka_unit_test (test_sanitize_exact_fit),
        cmocka_unit_test (test_sanitize_tiny_output),
        cmocka_unit_test (test_sanitize_random),
    };
    return cmocka_run_group_tests_name ("text", tests, NULL, NULL);
}
