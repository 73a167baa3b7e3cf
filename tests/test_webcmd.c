/*  test_webcmd.c - unit tests for webcmd.c: a tab's chat runs with --json, its own nick and
    key file, the bridge's contacts and options, a contact among the tabs, the tab's language,
    and the passphrase in its environment, never on its command line.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "backlog.h"
#include "webcmd.h"

#include <stdlib.h>
#include <string.h>

//  The words of the command line joined by spaces into out.
static void
s_joined (const webcmd_t *command, char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; command->args[i]; i++) {
        strncat (out, command->args[i], size - strlen (out) - 2);
        strncat (out, " ", size - strlen (out) - 1);
    }
}

//  True when the environment holds variable exactly.
static bool
s_has (const webcmd_t *command, const char *variable)
{
    for (int i = 0; command->environment[i]; i++)
        if (strcmp (command->environment[i], variable) == 0)
            return true;
    return false;
}

//  A Swedish tab named anna on a bridge with -c, --channel, --no-discovery and a passphrase.
static void
test_swedish_tab (void **state)
{
    (void) state;
    char *argv[] = {"chat",           "--web",       "8080", "-c",
                    "192.0.2.7:5557", "--channel",   "kurs", "--no-discovery",
                    "--key",          "hemlig fras", NULL};
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    assert_int_equal (options_parse (&options, 10, argv, error, sizeof error), OPTIONS_RUN);
    char *environment[] = {"HOME=/home/a", "LANG=en_US.UTF-8", "LC_ALL=C", "CHAT_KEY=old", NULL};
    webcmd_for_t what = {.options = &options,
                         .program = "/usr/bin/chatt",
                         .keys = "/home/a/.local/share/chatt/web",
                         .nick = "-anna",
                         .tab = "0123456789abcdef0123456789abcdef",
                         .contact = 5558,
                         .port = 17001,
                         .swedish = true,
                         .environment = environment};
    static webcmd_t command;
    assert_int_equal (webcmd_build (&command, &what), 0);
    char line[2048], expected[2048];
    s_joined (&command, line, sizeof line);
    int size = snprintf (expected, sizeof expected,
                         "/usr/bin/chatt --json --color=never --no-history --nick=-anna "
                         "--identity=/home/a/.local/share/chatt/web/"
                         "0123456789abcdef0123456789abcdef.key -c 192.0.2.7:5557 --port=17001 -c "
                         "127.0.0.1:5558 --channel=kurs --history=%d --no-discovery ",
                         BACKLOG_LINES_DEFAULT);
    assert_true (size > 0 && (size_t) size < sizeof expected);
    assert_string_equal (line, expected);
    assert_null (strstr (line, "hemlig"));
    assert_true (s_has (&command, "HOME=/home/a"));
    assert_true (s_has (&command, "LC_ALL=sv_SE.UTF-8"));
    assert_true (s_has (&command, "LANGUAGE=sv"));
    assert_true (s_has (&command, "CHAT_KEY=hemlig fras"));
    assert_false (s_has (&command, "LANG=en_US.UTF-8"));
    assert_false (s_has (&command, "LC_ALL=C"));
    assert_false (s_has (&command, "CHAT_KEY=old"));
}

//  An English tab with no home for keys: a throwaway key, no contact, no passphrase.
static void
test_english_throwaway (void **state)
{
    (void) state;
    char *argv[] = {"chat", "--web", "8080", NULL};
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    unsetenv ("CHAT_KEY");
    assert_int_equal (options_parse (&options, 3, argv, error, sizeof error), OPTIONS_RUN);
    webcmd_for_t what = {.options = &options,
                         .program = "chat",
                         .keys = "",
                         .nick = "bo",
                         .tab = "0123456789abcdef0123456789abcdef"};
    static webcmd_t command;
    assert_int_equal (webcmd_build (&command, &what), 0);
    char line[2048];
    s_joined (&command, line, sizeof line);
    assert_non_null (strstr (line, " --throwaway-key "));
    assert_null (strstr (line, "-c "));
    assert_true (s_has (&command, "LC_ALL=C.UTF-8"));
    assert_true (s_has (&command, "LANGUAGE=en"));
}

//  A passphrase too long to pass on: nothing to start.
static void
test_too_long (void **state)
{
    (void) state;
    static char key[WEBCMD_KEY_MAX_BYTES + 2];
    memset (key, 'k', sizeof key - 1);
    char *argv[] = {"chat", "--web", "8080", "--key", key, NULL};
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    assert_int_equal (options_parse (&options, 5, argv, error, sizeof error), OPTIONS_RUN);
    webcmd_for_t what = {
        .options = &options, .program = "chat", .keys = "", .nick = "bo", .tab = ""};
    static webcmd_t command;
    assert_int_equal (webcmd_build (&command, &what), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_swedish_tab),
        cmocka_unit_test (test_english_throwaway),
        cmocka_unit_test (test_too_long),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
