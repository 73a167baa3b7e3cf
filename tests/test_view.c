/*  test_view.c - unit tests for view.c: how a line is shown ("HH:MM [buddy] <anna> hej"),
    actions, colours, history and private messages, and that hostile text is made safe.

    Runs in the C locale, so "(private)" and "(history)" are the English words.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "json.h"
#include "limits.h"
#include "text.h"
#include "view.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define X8 "xxxxxxxx"
#define X32 X8 X8 X8 X8

//  view_format of a channel line (channel NULL: a private message), as most callers make it.
static int
s_format (char *out, size_t outsize, time_t when, const char *channel, const char *sender,
          const char *text, size_t text_size, bool color)
{
    view_line_t line = {.when = when,
                        .channel = channel,
                        .sender = sender,
                        .text = text,
                        .text_size = text_size,
                        .color = color};
    return view_format (out, outsize, &line);
}

//  channels_format: "HH:MM [channel] <sender> text" in local time.
static void
test_format (void **state)
{
    (void) state;
    static const time_t times[] = {0, 1700000000, 1718900000 + 13 * 3600 + 7 * 60};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct tm local;
        assert_non_null (localtime_r (&times[i], &local));
        char want[64];
        snprintf (want, sizeof want, "%02d:%02d [buddy] <bertil> hej", local.tm_hour, local.tm_min);
        char out[LINE_MAX_BYTES];
        assert_int_equal (s_format (out, sizeof out, times[i], "buddy", "bertil", "hej", 3, false),
                          0);
        assert_string_equal (out, want);
    }
    //  text is counted, not NUL-terminated
    char out[LINE_MAX_BYTES];
    char *text = malloc (3);
    assert_non_null (text);
    memcpy (text, "hej", 3);
    assert_int_equal (s_format (out, sizeof out, 0, "bud", "192.0.2.7:5557", text, 2, false), 0);
    assert_string_equal (out + 5, " [bud] <192.0.2.7:5557> he");
    assert_int_equal (s_format (out, sizeof out, 0, "bud", "b", text, 0, false), 0);
    assert_string_equal (out + 5, " [bud] <b> ");
    free (text);
}

//  True when s holds no byte a terminal acts on.
static bool
s_printable (const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7F)
            return false;
    return true;
}

//  channels_format: "/me" actions, and colour: the time dimmed, the nick in its own colour.
static void
test_format_action_and_color (void **state)
{
    (void) state;
    char out[256], expected[256];
    time_t when = 0;
    struct tm local;
    localtime_r (&when, &local);
    assert_int_equal (s_format (out, sizeof out, when, "buddy", "anna", "/me dansar", 10, false),
                      0);
    snprintf (expected, sizeof expected, "%02d:%02d [buddy] * anna dansar", local.tm_hour,
              local.tm_min);
    assert_string_equal (out, expected);
    assert_int_equal (s_format (out, sizeof out, when, "buddy", "anna", "hej", 3, true), 0);
    snprintf (expected, sizeof expected,
              "\033[2m%02d:%02d\033[0m [buddy] <\033[%smanna\033[0m> hej", local.tm_hour,
              local.tm_min, view_nick_color ("anna"));
    assert_string_equal (out, expected);
    //  Stable per nick, the same with an id suffix, and not all nicks alike
    assert_string_equal (view_nick_color ("anna"), view_nick_color ("anna"));
    assert_string_equal (view_nick_color ("anna"), view_nick_color ("anna#3f2a"));
    bool differ = false;
    const char *nicks[] = {"bertil", "cecilia", "david", "erik", "fia"};
    for (size_t i = 0; i < 5; i++)
        differ |= strcmp (view_nick_color (nicks[i]), view_nick_color ("anna")) != 0;
    assert_true (differ);
}

//  channelview_format makes hostile channel, sender and text safe to print.
static void
test_format_hostile (void **state)
{
    (void) state;
    static const struct {
        const char *channel; //  channel
        const char *sender;  //  sender
        const char *text;    //  text
        size_t text_size;    //  its size, 0 for strlen
        const char *shown;   //  expected line after "HH:MM"
    } rows[] = {
        {"buddy", "bertil", "\x1b[2J\x1b]52;c;aGVq\x07", 0,
         " [buddy] <bertil> ^[[2J^[]52;c;aGVq^G"},
        {"buddy", "bertil", "a\r\nb", 0, " [buddy] <bertil> a^M^Jb"},
        {"buddy", "bertil", "a\0b", 3, " [buddy] <bertil> a^@b"},
        {"buddy", "bertil",
         "abc\xE2\x80\xAE"
         "fed",
         0, " [buddy] <bertil> abc<U+202E>fed"},
        {"buddy", "bertil", "\xFF\xC0\x80", 0, " [buddy] <bertil> \xEF\xBF\xBD\xEF\xBF\xBD"},
        {"buddy", "evil\x1b[31m", "x", 0, " [buddy] <evil^[[31m> x"},
        {"bud\x1b]0;t\x07", "b", "x", 0, " [bud^[]0;t^G] <b> x"},
        {"buddy",
         "\xC2\x9B"
         "31m",
         "x", 0, " [buddy] <<U+009B>31m> x"},
        {"buddy", "bertil", "hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6", 0,
         " [buddy] <bertil> hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t text_size = rows[i].text_size ? rows[i].text_size : strlen (rows[i].text);
        char *text = malloc (text_size ? text_size : 1);
        assert_non_null (text);
        memcpy (text, rows[i].text, text_size);
        char out[LINE_MAX_BYTES];
        int rc =
            s_format (out, sizeof out, 0, rows[i].channel, rows[i].sender, text, text_size, false);
        free (text);
        assert_int_equal (rc, 0);
        if (!s_printable (out) || !text_utf8_valid (out, strlen (out)))
            fail_msg ("row %zu: unsafe output", i);
        if (strcmp (out + 5, rows[i].shown) != 0)
            fail_msg ("row %zu: \"%s\", want \"%s\"", i, out + 5, rows[i].shown);
    }
}

//  channels_format: the longest text with the worst escaping fits a LINE_MAX_BYTES line; a small
//  buffer gets -1 and a NUL-terminated cut.
static void
test_format_limits (void **state)
{
    (void) state;
    static const char *worst[] = {"\xC2\x85", "\xE2\x80\xAE", "\xFF", "\x1b"};
    static char out[LINE_MAX_BYTES];
    char *text = malloc (TEXT_MAX_BYTES);
    assert_non_null (text);
    for (size_t i = 0; i < sizeof worst / sizeof worst[0]; i++) {
        size_t piece = strlen (worst[i]);
        size_t size = TEXT_MAX_BYTES - TEXT_MAX_BYTES % piece;
        for (size_t at = 0; at < size; at += piece)
            memcpy (text + at, worst[i], piece);
        if (s_format (out, sizeof out, 0, X32, X32, text, size, false) != 0)
            fail_msg ("%zu bytes of \"%s\" were cut", size, worst[i]);
        assert_true (s_printable (out));
        assert_true (text_utf8_valid (out, strlen (out)));
    }
    free (text);

    char small[16 + 8];
    memset (small, 0x5A, sizeof small);
    assert_int_equal (s_format (small, 16, 0, "buddy", "bertil", "hej hej hej", 11, false), -1);
    assert_true (strnlen (small, 16) < 16);
    for (size_t i = 16; i < sizeof small; i++)
        assert_int_equal ((unsigned char) small[i], 0x5A);
}

//  view_format: a private message, one we sent (to whom), and a line of history.
static void
test_format_private_and_history (void **state)
{
    (void) state;
    time_t when = 0;
    struct tm local;
    localtime_r (&when, &local);
    char out[256], expected[256];
    assert_int_equal (s_format (out, sizeof out, when, NULL, "anna", "hej", 3, false), 0);
    snprintf (expected, sizeof expected, "%02d:%02d (private) <anna> hej", local.tm_hour,
              local.tm_min);
    assert_string_equal (out, expected);
    view_line_t sent = {
        .when = when, .to = "bertil", .sender = "anna", .text = "hej", .text_size = 3};
    assert_int_equal (view_format (out, sizeof out, &sent), 0);
    snprintf (expected, sizeof expected, "%02d:%02d (private -> bertil) <anna> hej", local.tm_hour,
              local.tm_min);
    assert_string_equal (out, expected);
    //  A hostile recipient's name is made safe too
    sent.to = "b\x1b[2J";
    assert_int_equal (view_format (out, sizeof out, &sent), 0);
    assert_non_null (strstr (out, "(private -> b^[[2J)"));
    view_line_t history = {.when = when,
                           .channel = "buddy",
                           .sender = "anna",
                           .text = "hej",
                           .text_size = 3,
                           .history = true};
    assert_int_equal (view_format (out, sizeof out, &history), 0);
    snprintf (expected, sizeof expected, "(history) %02d:%02d [buddy] <anna> hej", local.tm_hour,
              local.tm_min);
    assert_string_equal (out, expected);
    history.color = true;
    assert_int_equal (view_format (out, sizeof out, &history), 0);
    snprintf (expected, sizeof expected,
              "\033[2m(history) \033[0m\033[2m%02d:%02d\033[0m [buddy] <\033[%smanna\033[0m> hej",
              local.tm_hour, local.tm_min, view_nick_color ("anna"));
    assert_string_equal (out, expected);
}

//  view_format with json: the line object of web-protocol.md, fields in its order; a private
//  message has "channel":null, one we sent "to" as well; colour codes never, whatever .color.
static void
test_format_json (void **state)
{
    (void) state;
    char out[JSON_LINE_MAX_BYTES], want[512];
    view_line_t line = {.when = 1733580000,
                        .channel = "buddy",
                        .sender = "bertil",
                        .text = "hej <b>",
                        .text_size = 7,
                        .color = true,
                        .json = true};
    assert_int_equal (view_format (out, sizeof out, &line), 0);
    snprintf (want, sizeof want,
              "{\"t\":\"line\",\"time\":1733580000,\"channel\":\"buddy\",\"nick\":\"bertil\","
              "\"text\":\"hej <b>\",\"action\":false,\"history\":false,\"own\":false,"
              "\"color\":\"%s\"}",
              view_nick_color ("bertil"));
    assert_string_equal (out, want);
    view_line_t sent = {.when = 1733580001,
                        .to = "bertil",
                        .sender = "anna",
                        .text = "/me hemligt",
                        .text_size = 11,
                        .history = true,
                        .own = true,
                        .json = true};
    assert_int_equal (view_format (out, sizeof out, &sent), 0);
    snprintf (want, sizeof want,
              "{\"t\":\"line\",\"time\":1733580001,\"channel\":null,\"to\":\"bertil\","
              "\"nick\":\"anna\",\"text\":\"hemligt\",\"action\":true,\"history\":true,"
              "\"own\":true,\"color\":\"%s\"}",
              view_nick_color ("anna"));
    assert_string_equal (out, want);
    //  Received private: no "to"
    sent.to = NULL;
    assert_int_equal (view_format (out, sizeof out, &sent), 0);
    assert_non_null (strstr (out, "\"channel\":null,\"nick\":\"anna\""));
}

//  view_format with json: hostile parts are sanitized first (as on the terminal), then
//  escaped; the worst text still fits one line of JSON_LINE_MAX_BYTES.
static void
test_format_json_hostile (void **state)
{
    (void) state;
    static char out[LINE_MAX_BYTES];
    const char *text = "\x1b[31m\"q\" \\ <img src=x onerror=alert(1)>\x7f\xff";
    view_line_t line = {.when = 0,
                        .channel = "bud\x1b]0;t\x07",
                        .sender = "evil\"\x1b",
                        .text = text,
                        .text_size = strlen (text),
                        .json = true};
    assert_int_equal (view_format (out, sizeof out, &line), 0);
    assert_true (s_printable (out));
    assert_true (text_utf8_valid (out, strlen (out)));
    assert_non_null (strstr (out, "\"channel\":\"bud^[]0;t^G\""));
    assert_non_null (strstr (out, "\"nick\":\"evil\\\"^[\""));
    assert_non_null (strstr (out, "\"text\":\"^[[31m\\\"q\\\" \\\\ <img src=x onerror=alert(1)>^?"
                                  "\xEF\xBF\xBD\""));
    //  The worst text: every byte a quote, a backslash, a broken byte or a bidi override
    static const char *worst[] = {"\"", "\\", "\xFF", "\xE2\x80\xAE", "\x1b"};
    char *big = malloc (TEXT_MAX_BYTES);
    assert_non_null (big);
    for (size_t i = 0; i < sizeof worst / sizeof worst[0]; i++) {
        size_t piece = strlen (worst[i]), size = TEXT_MAX_BYTES - TEXT_MAX_BYTES % piece;
        for (size_t at = 0; at < size; at += piece)
            memcpy (big + at, worst[i], piece);
        line.text = big, line.text_size = size;
        if (view_format (out, sizeof out, &line) != 0)
            fail_msg ("%zu bytes of \"%s\" were cut", size, worst[i]);
        assert_true (strlen (out) + 1 < JSON_LINE_MAX_BYTES);
        assert_true (s_printable (out));
    }
    free (big);
}

//  Run the view tests; the exit code is the number that failed.
int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_format),
        cmocka_unit_test (test_format_action_and_color),
        cmocka_unit_test (test_format_hostile),
        cmocka_unit_test (test_format_limits),
        cmocka_unit_test (test_format_private_and_history),
        cmocka_unit_test (test_format_json),
        cmocka_unit_test (test_format_json_hostile),
    };
    return cmocka_run_group_tests_name ("view", tests, NULL, NULL);
}
