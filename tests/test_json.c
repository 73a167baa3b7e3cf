/*  test_json.c - unit tests for json.c and jsonview.c: objects in a fixed buffer, strings
    escaped whatever bytes they hold (quotes, backslashes, control characters, ESC, DEL, bad
    UTF-8), and a buffer too small: members left out whole, the object always valid, "cut"
    reported, nothing written past the end.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "json.h"
#include "jsonview.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  True when s holds no byte below 0x20 and no DEL: nothing raw a JSON reader refuses.
static bool
s_no_raw_controls (const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7F)
            return false;
    return true;
}

//  {"t":"x","s":value} for value (size bytes, may hold NUL) into out, closed. Returns json_close's.
static int
s_string_object (char *out, size_t outsize, const char *value)
{
    json_t json;
    json_open (&json, out, outsize, "x");
    json_string (&json, "s", value);
    return json_close (&json);
}

//  Every kind of member, in the order given.
static void
test_members (void **state)
{
    (void) state;
    char out[JSON_AFTER_ARRAY_BYTES + 256]; //  array items leave room after them
    json_t json;
    json_open (&json, out, sizeof out, "line");
    json_int (&json, "time", 1733580000);
    json_string (&json, "channel", NULL);
    json_null (&json, "to");
    json_string (&json, "nick", "anna");
    json_bool (&json, "action", true);
    json_bool (&json, "own", false);
    json_int (&json, "neg", -42);
    json_array_open (&json, "names");
    json_array_string (&json, "bertil");
    json_array_string (&json, "cecilia");
    json_array_close (&json);
    json_array_open (&json, "empty");
    json_array_close (&json);
    int length = json_close (&json);
    const char *want = "{\"t\":\"line\",\"time\":1733580000,\"channel\":null,\"to\":null,"
                       "\"nick\":\"anna\",\"action\":true,\"own\":false,\"neg\":-42,"
                       "\"names\":[\"bertil\",\"cecilia\"],\"empty\":[]}";
    assert_string_equal (out, want);
    assert_int_equal (length, (int) strlen (want));
}

//  Hostile bytes in a string: each escaped so the object is valid JSON and valid UTF-8.
static void
test_escaping (void **state)
{
    (void) state;
    static const struct {
        const char *value; //  the string
        const char *json;  //  what it becomes, quotes included
    } rows[] = {
        {"hej", "\"hej\""},
        {"", "\"\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\"\\\"", "\"\\\"\\\\\\\"\""},
        {"\x1b[31mred", "\"\\u001b[31mred\""},
        {"a\nb\rc\td", "\"a\\u000ab\\u000dc\\u0009d\""},
        {"\x01\x1f", "\"\\u0001\\u001f\""},
        {"del\x7f", "\"del\\u007f\""},
        {"<img src=x onerror=alert(1)>", "\"<img src=x onerror=alert(1)>\""},
        {"\xC3\xA5\xC3\xA4\xC3\xB6 \xF0\x9F\x98\x80",
         "\"\xC3\xA5\xC3\xA4\xC3\xB6 \xF0\x9F\x98\x80\""},
        {"\xFF", "\"\\ufffd\""},
        {"a\xC3", "\"a\\ufffd\""},                     //  cut in the middle of a character
        {"\xC0\x80", "\"\\ufffd\\ufffd\""},            //  overlong NUL
        {"\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, //  a surrogate
        {"\xE2\x80\xAE", "\"\xE2\x80\xAE\""}, //  valid UTF-8 stays (sanitizing is text.h's)
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[256], want[256];
        int length = s_string_object (out, sizeof out, rows[i].value);
        snprintf (want, sizeof want, "{\"t\":\"x\",\"s\":%s}", rows[i].json);
        if (strcmp (out, want) != 0)
            fail_msg ("row %zu: %s, want %s", i, out, want);
        assert_int_equal (length, (int) strlen (want));
        assert_true (s_no_raw_controls (out));
        assert_true (text_utf8_valid (out, strlen (out)));
    }
}

//  Every byte value, alone and after text_sanitize: never a raw control byte, always UTF-8.
static void
test_every_byte (void **state)
{
    (void) state;
    for (int byte = 1; byte < 256; byte++) {
        char value[4] = {'a', (char) byte, 'b', 0}, safe[64], out[128];
        assert_true (s_string_object (out, sizeof out, value) > 0);
        assert_true (s_no_raw_controls (out));
        assert_true (text_utf8_valid (out, strlen (out)));
        text_sanitize (value, 3, safe, sizeof safe);
        assert_true (s_string_object (out, sizeof out, safe) > 0);
        assert_true (s_no_raw_controls (out));
    }
}

//  A buffer too small: a string is cut at a whole character (never inside an escape or a
//  UTF-8 sequence), a member that does not fit is left out, the object is closed, -1 is
//  returned, and nothing is written past the end.
static void
test_too_small (void **state)
{
    (void) state;
    const char *value = "\"\xC3\xA5\x1b\\\xF0\x9F\x98\x80xyz";
    size_t whole = strlen ("{\"t\":\"x\",\"s\":\"\\\"\xC3\xA5\\u001b\\\\\xF0\x9F\x98\x80xyz\"}");
    for (size_t size = 0; size <= whole + 1; size++) {
        char out[128];
        memset (out, 0x5A, sizeof out);
        int length = s_string_object (out, size, value);
        for (size_t i = size; i < sizeof out; i++)
            if ((unsigned char) out[i] != 0x5A)
                fail_msg ("size %zu: byte %zu written", size, i);
        if (size == 0)
            continue;
        assert_true (strlen (out) < size);
        assert_int_equal (length, size > whole ? (int) whole : -1);
        if (size < 3)
            continue; //  not even "{}"
        //  Whole JSON: starts and ends right, quotes balanced outside escapes
        size_t used = strlen (out);
        assert_int_equal (out[0], '{');
        assert_int_equal (out[used - 1], '}');
        assert_true (text_utf8_valid (out, used));
        bool in_string = false;
        for (size_t i = 0; i < used; i++) {
            if (in_string && out[i] == '\\')
                i++;
            else if (out[i] == '"')
                in_string = !in_string;
        }
        assert_false (in_string);
    }
    //  Members after one that did not fit are still added when they fit, with their comma
    char out[24];
    json_t json;
    json_open (&json, out, sizeof out, "x");
    json_string (&json, "long", "0123456789012345678901234567890123456789");
    json_bool (&json, "b", true);
    assert_int_equal (json_close (&json), -1);
    assert_string_equal (out, "{\"t\":\"x\",\"long\":\"0123\"}"); //  "b" no longer fits
    json_open (&json, out, sizeof out, "x");
    json_int (&json, "averyveryverylongkey", 1);
    json_bool (&json, "b", true);
    assert_int_equal (json_close (&json), -1);
    assert_string_equal (out, "{\"t\":\"x\",\"b\":true}");
}

//  An array item is there whole or not at all, and leaves room for the members after it; an
//  array that cannot be opened takes nothing and closes to nothing.
static void
test_arrays (void **state)
{
    (void) state;
    static char out[JSON_AFTER_ARRAY_BYTES + 64];
    json_t json;
    json_open (&json, out, sizeof out, "who");
    json_array_open (&json, "names");
    char name[16];
    for (int i = 0; i < 1000; i++) {
        int size = snprintf (name, sizeof name, "n%03d", i);
        assert_true (size > 0);
        json_array_string (&json, name);
    }
    json_array_close (&json);
    json_string (&json, "text", "1000 others in the room");
    assert_int_equal (json_close (&json), -1);
    size_t used = strlen (out);
    const char *tail = "],\"text\":\"1000 others in the room\"}";
    assert_true (used > strlen (tail));
    assert_string_equal (out + used - strlen (tail), tail);
    assert_non_null (strstr (out, "{\"t\":\"who\",\"names\":[\"n000\",\"n001\","));
    //  No room for the array at all
    char tiny[12];
    json_open (&json, tiny, sizeof tiny, "x");
    json_array_open (&json, "names");
    json_array_string (&json, "a");
    json_array_close (&json);
    json_bool (&json, "b", true);
    assert_int_equal (json_close (&json), -1);
    assert_string_equal (tiny, "{\"t\":\"x\"}");
}

//  jsonview's objects, in the contract's order (web-protocol.md, section 1).
static void
test_views (void **state)
{
    (void) state;
    static char out[JSON_LINE_MAX_BYTES];
    assert_int_equal (jsonview_self (out, sizeof out, "anna", 5557, "buddy",
                                     "5186 4882 e3f9 ed04 fbb0 5c82 069b fa01", "/home/a/anna.key"),
                      0);
    assert_string_equal (out,
                         "{\"t\":\"self\",\"nick\":\"anna\",\"port\":5557,\"channel\":\"buddy\","
                         "\"fingerprint\":\"5186 4882 e3f9 ed04 fbb0 5c82 069b fa01\","
                         "\"key\":\"/home/a/anna.key\"}");
    assert_int_equal (jsonview_prompt (out, sizeof out, "buddy", 1, "anna"), 0);
    assert_string_equal (
        out, "{\"t\":\"prompt\",\"channel\":\"buddy\",\"listeners\":1,\"nick\":\"anna\"}");
    const char names[2][JSONVIEW_NAME_BYTES] = {"bertil", "cecilia"};
    assert_int_equal (jsonview_who (out, sizeof out, names, 2,
                                    "   bertil  127.0.0.1:5558\n   cecilia 127.0.0.1:5559\n",
                                    "2 others in the room"),
                      0);
    assert_string_equal (out,
                         "{\"t\":\"who\",\"names\":[\"bertil\",\"cecilia\"],"
                         "\"lines\":[\"   bertil  127.0.0.1:5558\",\"   cecilia 127.0.0.1:5559\"],"
                         "\"text\":\"2 others in the room\"}");
    assert_int_equal (jsonview_who (out, sizeof out, names, 0, "", "nobody else in the room yet"),
                      0);
    assert_string_equal (
        out, "{\"t\":\"who\",\"names\":[],\"lines\":[],\"text\":\"nobody else in the room yet\"}");
}

//  Run the JSON tests; the exit code is the number that failed.
//  json_text: the whole {"t":type,"text":text}, escaped, and cut whole when too long.
static void
test_text_object (void **state)
{
    (void) state;
    char out[64];
    int size = json_text (out, sizeof out, "notice", "bertil \"joined\"\n");
    assert_string_equal (out, "{\"t\":\"notice\",\"text\":\"bertil \\\"joined\\\"\\u000a\"}");
    assert_int_equal (size, (int) strlen (out));
    char small[24];
    assert_int_equal (json_text (small, sizeof small, "error", "a text longer than this"), -1);
    assert_int_equal (small[strlen (small) - 1], '}');
    assert_true (s_no_raw_controls (small));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_text_object), cmocka_unit_test (test_members),
        cmocka_unit_test (test_escaping),    cmocka_unit_test (test_every_byte),
        cmocka_unit_test (test_too_small),   cmocka_unit_test (test_arrays),
        cmocka_unit_test (test_views),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
