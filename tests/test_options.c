/*  test_options.c - unit tests for options.c: every option and the field it sets, the defaults
    and what the environment adds (USER, CHAT_KEY, CHAT_NO_DISCOVERY), --relay and the nick it
    gives, --help and --version, every mistake and its exact line (a bad --back-port or
    --interface, options that do not go together), hostile values made safe in that line,
    parsing more than once in one process, options_color with and without a terminal, and the
    usage and version text.

    Runs in the C locale, so every line is the English one. Each test starts from the same
    environment (s_baseline); the group's teardown puts back what the test was started with.
*/
#define _GNU_SOURCE //  posix_openpt, for a terminal of our own

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "options.h"
#include "wire.h"
#include "testlib.h"

#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORDS_MAX 6      //  words after argv[0] in one row, at most
#define GUARD_BYTES 16   //  bytes after a cut error buffer that must stay untouched
#define GUARD_VALUE 0x5A //  what they hold
#define HINT " (chat --help shows the options)"
#define X8 "xxxxxxxx"
#define X32 X8 X8 X8 X8
#define IFACE_HELP                                                                                 \
    "name a network interface, like eth0 (at most 15 letters, digits, '.', '-', '_' or ':'), or "  \
    "* "                                                                                           \
    "for all"

//  The variables options.c or the C library read, saved at start and put back at the end
static const char *s_variables[] = {"USER",     "CHAT_KEY", "CHAT_NO_DISCOVERY",
                                    "NO_COLOR", "TERM",     "POSIXLY_CORRECT"};
#define VARIABLES (sizeof s_variables / sizeof s_variables[0])
static char *s_saved[VARIABLES]; //  their values when the test started, or NULL if unset

//  Set name to value, or unset it when value is NULL.
static void
s_setenv (const char *name, const char *value)
{
    if (value)
        assert_int_equal (setenv (name, value, 1), 0);
    else
        assert_int_equal (unsetenv (name), 0);
}

//  Group setup: save the environment the tests change.
static int
s_save_environment (void **state)
{
    (void) state;
    for (size_t i = 0; i < VARIABLES; i++) {
        const char *value = getenv (s_variables[i]);
        s_saved[i] = value ? strdup (value) : NULL;
        if (value && !s_saved[i])
            return -1;
    }
    return 0;
}

//  Group teardown: put the environment back as it was.
static int
s_restore_environment (void **state)
{
    (void) state;
    for (size_t i = 0; i < VARIABLES; i++) {
        s_setenv (s_variables[i], s_saved[i]);
        free (s_saved[i]);
        s_saved[i] = NULL;
    }
    return 0;
}

//  The value name had when the test started, or NULL.
static const char *
s_original (const char *name)
{
    for (size_t i = 0; i < VARIABLES; i++)
        if (strcmp (s_variables[i], name) == 0)
            return s_saved[i];
    return NULL;
}

//  Setup of every test: a known user, no room key, discovery on, getopt in GNU mode.
static int
s_baseline (void **state)
{
    (void) state;
    s_setenv ("USER", "tester");
    s_setenv ("CHAT_KEY", NULL);
    s_setenv ("CHAT_NO_DISCOVERY", NULL);
    s_setenv ("NO_COLOR", NULL);
    s_setenv ("POSIXLY_CORRECT", NULL);
    return 0;
}

//  Parse argv0 and then words (up to WORDS_MAX, ending at the first NULL) into options, with
//  error (OPTIONS_ERROR_MAX_BYTES) emptied first. Returns what options_parse returns.
static options_result_t
s_parse (const char *argv0, const char *const *words, options_t *options, char *error)
{
    char *argv[WORDS_MAX + 2] = {(char *) argv0};
    int argc = 1;
    for (size_t i = 0; i < WORDS_MAX && words[i]; i++)
        argv[argc++] = (char *) words[i];
    error[0] = 0;
    return options_parse (options, argc, argv, error, OPTIONS_ERROR_MAX_BYTES);
}

//  The fields of options_t a command line sets
typedef enum {
    FIELD_PORT,
    FIELD_NICK,
    FIELD_CHANNEL,
    FIELD_CONNECT_COUNT,
    FIELD_PLAIN,
    FIELD_VERBOSE,
    FIELD_NO_DISCOVERY,
    FIELD_NO_HISTORY,
    FIELD_COLOR,
    FIELD_HISTORY,
    FIELD_LOG,
    FIELD_KEY,
    FIELD_BACK_PORT,
    FIELD_INTERFACE,
    FIELD_RELAY,
    FIELD_JSON,
    FIELD_COUNT
} field_t;

//  The value of a number field (int, bool or color_t) of options; 0 for a string field.
static long
s_number (const options_t *options, field_t field)
{
    switch (field) {
    case FIELD_PORT:
        return options->port;
    case FIELD_CONNECT_COUNT:
        return options->connect_count;
    case FIELD_PLAIN:
        return options->plain;
    case FIELD_VERBOSE:
        return options->verbose;
    case FIELD_NO_DISCOVERY:
        return options->no_discovery;
    case FIELD_NO_HISTORY:
        return options->no_history;
    case FIELD_COLOR:
        return (long) options->color;
    case FIELD_HISTORY:
        return options->history_lines;
    case FIELD_BACK_PORT:
        return options->back_port;
    case FIELD_RELAY:
        return options->relay;
    case FIELD_JSON:
        return options->json;
    default:
        return 0;
    }
}

//  The value of a string field of options ("(null)" for NULL); NULL for a number field.
static const char *
s_string (const options_t *options, field_t field)
{
    const char *value;
    switch (field) {
    case FIELD_NICK:
        return options->nick;
    case FIELD_CHANNEL:
        return options->channel;
    case FIELD_INTERFACE:
        return options->interface;
    case FIELD_LOG:
        value = options->log;
        break;
    case FIELD_KEY:
        value = options->key;
        break;
    default:
        return NULL;
    }
    return value ? value : "(null)";
}

//  Fail unless every field but except holds the same in options as in defaults.
static void
s_assert_defaults_except (const options_t *options, const options_t *defaults, field_t except,
                          const char *row)
{
    assert_string_equal (options->program, defaults->program);
    for (field_t field = 0; field < FIELD_COUNT; field++) {
        if (field == except)
            continue;
        const char *got = s_string (options, field), *want = s_string (defaults, field);
        if (s_number (options, field) != s_number (defaults, field) ||
            (got && strcmp (got, want) != 0))
            fail_msg ("%s: field %d changed, and it should not have", row, (int) field);
    }
}

//  A good command line and the one field it sets
typedef struct {
    const char *words[WORDS_MAX]; //  after argv[0]
    field_t field;                //  the field it sets
    long number;                  //  to this, for a number field
    const char *string;           //  or to this, for a string field
} good_row_t;

//  Every option, spelt each way, sets its field and no other, and the chat starts.
static void
test_good_options (void **state)
{
    (void) state;
    static const good_row_t rows[] = {
        {{"-p", "6000"}, FIELD_PORT, 6000, NULL},
        {{"-p1"}, FIELD_PORT, 1, NULL},
        {{"--port", "6000"}, FIELD_PORT, 6000, NULL},
        {{"--port=65535"}, FIELD_PORT, 65535, NULL},
        {{"6000"}, FIELD_PORT, 6000, NULL}, //  the bare PORT argument
        {{"-n", "anna"}, FIELD_NICK, 0, "anna"},
        {{"--nick", "bj\xC3\xB6rn.k"}, FIELD_NICK, 0, "bj\xC3\xB6rn.k"},
        {{"--nick=" X32}, FIELD_NICK, 0, X32}, //  32 characters, the most
        {{"--channel", "kod-1"}, FIELD_CHANNEL, 0, "kod-1"},
        {{"--channel=r\xC3\xA4ksm\xC3\xB6rg\xC3\xA5s"},
         FIELD_CHANNEL,
         0,
         "r\xC3\xA4ksm\xC3\xB6rg\xC3\xA5s"},
        {{"-c", "5558"}, FIELD_CONNECT_COUNT, 1, NULL},
        {{"--connect", "5558", "-c", "5559"}, FIELD_CONNECT_COUNT, 2, NULL},
        {{"--plain"}, FIELD_PLAIN, 1, NULL},
        {{"--json"}, FIELD_JSON, 1, NULL},
        {{"--verbose"}, FIELD_VERBOSE, 1, NULL},
        {{"--no-discovery"}, FIELD_NO_DISCOVERY, 1, NULL},
        {{"--no-history"}, FIELD_NO_HISTORY, 1, NULL},
        {{"--color=auto"}, FIELD_COLOR, COLOR_AUTO, NULL},
        {{"--color=always"}, FIELD_COLOR, COLOR_ALWAYS, NULL},
        {{"--color", "never"}, FIELD_COLOR, COLOR_NEVER, NULL},
        {{"--history", "0"}, FIELD_HISTORY, 0, NULL},
        {{"--history", "1000"}, FIELD_HISTORY, 1000, NULL},
        {{"--history=7"}, FIELD_HISTORY, 7, NULL},
        {{"--log", "chat.log"}, FIELD_LOG, 0, "chat.log"},
        {{"--log=/tmp/a b.log"}, FIELD_LOG, 0, "/tmp/a b.log"},
        {{"--key", "korv med br\303\266d"}, FIELD_KEY, 0, "korv med br\303\266d"},
        {{"--key", "-"}, FIELD_KEY, 0, "-"}, //  ask for it
        {{"--back-port", "5558"}, FIELD_BACK_PORT, 5558, NULL},
        {{"--back-port=1"}, FIELD_BACK_PORT, 1, NULL},
        {{"--back-port", "65535"}, FIELD_BACK_PORT, 65535, NULL},
        {{"--interface", "eth0"}, FIELD_INTERFACE, 0, "eth0"},
        {{"--interface=wlp2s0"}, FIELD_INTERFACE, 0, "wlp2s0"},
        {{"--interface", "eth0:1"}, FIELD_INTERFACE, 0, "eth0:1"}, //  an alias
        {{"--interface", "br-lan_2.10"}, FIELD_INTERFACE, 0, "br-lan_2.10"},
        {{"--interface", "x2345678901234y"}, FIELD_INTERFACE, 0, "x2345678901234y"}, //  15
        {{"--interface", "*"}, FIELD_INTERFACE, 0, "*"},                             //  all of them
        {{"--interface", "a", "--interface", "b"}, FIELD_INTERFACE, 0, "b"}, //  the last wins
    };
    options_t defaults, options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    const char *none[] = {NULL};
    assert_int_equal (s_parse ("chat", none, &defaults, error), OPTIONS_RUN);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const good_row_t *row = &rows[i];
        options_result_t result = s_parse ("chat", row->words, &options, error);
        if (result != OPTIONS_RUN)
            fail_msg ("%s: returned %d, not OPTIONS_RUN: %s", row->words[0], result, error);
        const char *got = s_string (&options, row->field);
        if (got ? strcmp (got, row->string) != 0 : s_number (&options, row->field) != row->number)
            fail_msg ("%s: field %d is %s / %ld, expected %s / %ld", row->words[0],
                      (int) row->field, got ? got : "-", s_number (&options, row->field),
                      row->string ? row->string : "-", row->number);
        s_assert_defaults_except (&options, &defaults, row->field, row->words[0]);
    }
}

//  A --connect value and the peer address it resolves to
typedef struct {
    const char *value;    //  as typed
    const char *endpoint; //  what libzmq connects to
    const char *label;    //  what the user sees
} connect_row_t;

//  Each form of HOST:PORT resolves, without the network, to the right endpoint and label, and
//  several -c options keep their order.
static void
test_connect (void **state)
{
    (void) state;
    static const connect_row_t rows[] = {
        {"127.0.0.1:5558", "tcp://127.0.0.1:5558", "127.0.0.1:5558"},
        {"5558", "tcp://127.0.0.1:5558", "127.0.0.1:5558"}, //  a bare port: this machine
        {"[::1]:5558", "tcp://[::1]:5558", "[::1]:5558"},
        {"localhost:5558", "tcp://127.0.0.1:5558", "127.0.0.1:5558"},
        {"LocalHost:1", "tcp://127.0.0.1:1", "127.0.0.1:1"},
        {"192.0.2.7", "tcp://192.0.2.7:5557", "192.0.2.7:5557"}, //  a bare host: the default
        {"[::1]", "tcp://[::1]:5557", "[::1]:5557"},
        {"192.0.2.7:65535", "tcp://192.0.2.7:65535", "192.0.2.7:65535"},
    };
    const size_t count = sizeof rows / sizeof rows[0];
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < count; i++) {
        const char *words[] = {"-c", rows[i].value, NULL};
        assert_int_equal (s_parse ("chat", words, &options, error), OPTIONS_RUN);
        assert_int_equal (options.connect_count, 1);
        assert_string_equal (options.connect[0].endpoint, rows[i].endpoint);
        assert_string_equal (options.connect[0].label, rows[i].label);
    }
    //  All of them in one command line: in the order given
    char *argv[1 + 2 * (sizeof rows / sizeof rows[0])] = {"chat"};
    for (size_t i = 0; i < count; i++) {
        argv[1 + 2 * i] = "--connect";
        argv[2 + 2 * i] = (char *) rows[i].value;
    }
    assert_int_equal (options_parse (&options, 1 + 2 * (int) count, argv, error, sizeof error),
                      OPTIONS_RUN);
    assert_int_equal (options.connect_count, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal (options.connect[i].endpoint, rows[i].endpoint);
}

//  CONNECT_MAX -c options are taken, in order; one more is a mistake that names it.
static void
test_connect_max (void **state)
{
    (void) state;
    char ports[CONNECT_MAX + 1][8];
    char *argv[2 + 2 * (CONNECT_MAX + 1)] = {"chat"};
    for (int i = 0; i <= CONNECT_MAX; i++) {
        assert_true (snprintf (ports[i], sizeof ports[i], "%d", 6001 + i) < (int) sizeof ports[i]);
        argv[1 + 2 * i] = "-c";
        argv[2 + 2 * i] = ports[i];
    }
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES] = "";
    assert_int_equal (options_parse (&options, 1 + 2 * CONNECT_MAX, argv, error, sizeof error),
                      OPTIONS_RUN);
    assert_int_equal (options.connect_count, CONNECT_MAX);
    char label[32];
    for (int i = 0; i < CONNECT_MAX; i++) {
        assert_true (snprintf (label, sizeof label, "127.0.0.1:%d", 6001 + i) < (int) sizeof label);
        assert_string_equal (options.connect[i].label, label);
    }
    assert_int_equal (
        options_parse (&options, 1 + 2 * (CONNECT_MAX + 1), argv, error, sizeof error),
        OPTIONS_BAD);
    assert_string_equal (error, "too many --connect options (at most 64): 6065" HINT);
}

//  With nothing on the command line and nothing in the environment: the defaults.
static void
test_defaults (void **state)
{
    (void) state;
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    const char *none[] = {NULL};
    assert_int_equal (s_parse ("/usr/bin/chatt", none, &options, error), OPTIONS_RUN);
    assert_string_equal (options.program, "chatt");
    assert_int_equal (options.port, 0);
    assert_string_equal (options.nick, "tester");
    assert_string_equal (options.channel, "buddy");
    assert_int_equal (options.connect_count, 0);
    assert_false (options.plain);
    assert_false (options.verbose);
    assert_false (options.no_discovery);
    assert_false (options.no_history);
    assert_int_equal (options.color, COLOR_AUTO);
    assert_int_equal (options.history_lines, 50);
    assert_null (options.log);
    assert_null (options.key);
    assert_false (options.nick_given);
    assert_false (options.relay);
    assert_int_equal (options.back_port, 0);
    assert_string_equal (options.interface, "");
}

//  A command line with --relay, and the nick and fields it gives
typedef struct {
    const char *words[WORDS_MAX]; //  after argv[0]
    bool relay;                   //  expected
    const char *nick;             //  expected
    bool nick_given;              //  -n was among the words
    int port;                     //  expected
    int back_port;                //  expected
} relay_row_t;

//  --relay is named relay unless -n names it, wherever -n is; it keeps the history for late
//  joiners (--history and --no-history as without it), and a port and a back port go with it.
static void
test_relay (void **state)
{
    (void) state;
    static const relay_row_t rows[] = {
        {{"--relay"}, true, "relay", false, 0, 0},
        {{"--relay", "-n", "kurs"}, true, "kurs", true, 0, 0},
        {{"-n", "kurs", "--relay"}, true, "kurs", true, 0, 0},
        {{"--relay", "-n", "tester"}, true, "tester", true, 0, 0}, //  given, though the default
        {{"--relay", "-p", "5557", "--back-port", "5558"}, true, "relay", false, 5557, 5558},
        {{"--back-port", "5558", "--relay", "5557"}, true, "relay", false, 5557, 5558},
        {{"--relay", "--relay", "--no-discovery"}, true, "relay", false, 0, 0},
        {{"-n", "anna"}, false, "anna", true, 0, 0}, //  no relay: nick_given all the same
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const relay_row_t *row = &rows[i];
        if (s_parse ("chatt", row->words, &options, error) != OPTIONS_RUN)
            fail_msg ("row %zu: not OPTIONS_RUN: %s", i, error);
        assert_int_equal (options.relay, row->relay);
        assert_string_equal (options.nick, row->nick);
        assert_int_equal (options.nick_given, row->nick_given);
        assert_int_equal (options.port, row->port);
        assert_int_equal (options.back_port, row->back_port);
        assert_int_equal (options.history_lines, 50);
        assert_false (options.no_history);
        assert_false (options.plain);
    }
    //  Parsed again without --relay: the default nick again
    const char *none[] = {NULL};
    assert_int_equal (s_parse ("chatt", none, &options, error), OPTIONS_RUN);
    assert_string_equal (options.nick, "tester");
    assert_false (options.relay);
}

//  --web [ADDR:]PORT: loopback unless an IPv4 address (or localhost) is given; it does not go
//  with the options of one member's own chat, nor with a relay or a passphrase to ask for.
static void
test_web (void **state)
{
    (void) state;
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    static const struct {
        const char *words[5];
        const char *address;
        int port;
    } good[] = {{{"--web", "8080"}, "127.0.0.1", 8080},
                {{"--web", "198.18.0.1:80"}, "198.18.0.1", 80},
                {{"--web=localhost:8080"}, "127.0.0.1", 8080},
                {{"--web", "0.0.0.0:8080", "--no-discovery"}, "0.0.0.0", 8080},
                {{"--web", "8080", "--key", "fras"}, "127.0.0.1", 8080}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (s_parse ("chatt", good[i].words, &options, error) != OPTIONS_RUN)
            fail_msg ("row %zu: not OPTIONS_RUN: %s", i, error);
        assert_string_equal (options.web_address, good[i].address);
        assert_int_equal (options.web_port, good[i].port);
    }
    static const struct {
        const char *words[5];
        const char *error;
    } bad[] = {
        {{"--web", "x"}, "bad --web \"x\": use PORT or ADDRESS:PORT, like 8080 or 192.0.2.7:8080"},
        {{"--web", "1.2.3:80"},
         "bad --web \"1.2.3:80\": use PORT or ADDRESS:PORT, like 8080 or 192.0.2.7:8080"},
        {{"--web", "example.com:80"},
         "bad --web \"example.com:80\": use PORT or ADDRESS:PORT, like 8080 or 192.0.2.7:8080"},
        {{"--web", "1.2.3.4:0"},
         "bad --web \"1.2.3.4:0\": use PORT or ADDRESS:PORT, like 8080 or 192.0.2.7:8080"},
        {{"--web", "8080", "-n", "anna"},
         "--nick does not go with --web: each tab in the browser is a member of its own, with "
         "its own name and key"},
        {{"--web", "8080", "--identity", "k"},
         "--identity does not go with --web: each tab in the browser is a member of its own, "
         "with its own name and key"},
        {{"--web", "8080", "--relay"},
         "--relay does not go with --web: each tab in the browser is a member of its own, with "
         "its own name and key"},
        {{"--web", "8080", "--key", "-"},
         "--key - does not go with --web: each tab in the browser is a member of its own, with "
         "its own name and key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (s_parse ("chatt", bad[i].words, &options, error) != OPTIONS_BAD)
            fail_msg ("row %zu: not OPTIONS_BAD", i);
        if (!strstr (error, bad[i].error))
            fail_msg ("row %zu: \"%s\" does not hold \"%s\"", i, error, bad[i].error);
    }
}

//  argv[0] and the program name taken from it
typedef struct {
    const char *argv0; //  NULL: argc is 0
    const char *program;
} program_row_t;

//  The program name is argv[0]'s last part, cut to fit, or "chat" without one; the hint after
//  a mistake names it.
static void
test_program_name (void **state)
{
    (void) state;
    static const program_row_t rows[] = {
        {"/usr/bin/chatt", "chatt"},
        {"chat", "chat"},
        {"./build/default/chat", "chat"},
        {"", "chat"},
        {NULL, "chat"},
        {"/opt/" X32 X32 "yz", X32 X8 X8 X8 "xxxxxxx"}, //  63 bytes: cut to PROGRAM_MAX_BYTES - 1
        {"/tmp/x\x1b[2J\x7f", "x?[2J?"},                //  printed in every error line: made safe
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES], hint[PROGRAM_MAX_BYTES + 64];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *argv[] = {(char *) rows[i].argv0, "-p", "0", NULL};
        int argc = rows[i].argv0 ? 1 : 0;
        assert_int_equal (options_parse (&options, argc, argv, error, sizeof error), OPTIONS_RUN);
        assert_string_equal (options.program, rows[i].program);
        if (!rows[i].argv0)
            continue;
        assert_int_equal (options_parse (&options, 3, argv, error, sizeof error), OPTIONS_BAD);
        int size = snprintf (hint, sizeof hint, " (%s --help shows the options)", rows[i].program);
        assert_true (size > 0 && (size_t) size < sizeof hint);
        assert_true (strlen (error) > (size_t) size);
        assert_string_equal (error + strlen (error) - (size_t) size, hint);
    }
}

//  An environment and a command line, and the key and discovery they give
typedef struct {
    const char *chat_key;         //  CHAT_KEY, or NULL for unset
    const char *no_discovery;     //  CHAT_NO_DISCOVERY, or NULL for unset
    const char *words[WORDS_MAX]; //  after argv[0]
    const char *key;              //  options->key expected, or NULL
    bool no_discovery_expected;   //  options->no_discovery expected
} environment_row_t;

//  CHAT_KEY sets the key unless empty, and --key wins over it; CHAT_NO_DISCOVERY turns
//  discovery off unless empty or "0", and --no-discovery turns it off whatever it says.
static void
test_environment (void **state)
{
    (void) state;
    static const environment_row_t rows[] = {
        {"hemligt", NULL, {NULL}, "hemligt", false},
        {"", NULL, {NULL}, NULL, false},
        {"-", NULL, {NULL}, "-", false},
        {"hemligt", NULL, {"--key", "annat"}, "annat", false},
        {NULL, "1", {NULL}, NULL, true},
        {NULL, "yes", {NULL}, NULL, true},
        {NULL, "0", {NULL}, NULL, false},
        {NULL, "", {NULL}, NULL, false},
        {NULL, "0", {"--no-discovery"}, NULL, true},
        {"k", "1", {"-p", "6000"}, "k", true},
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const environment_row_t *row = &rows[i];
        s_setenv ("CHAT_KEY", row->chat_key);
        s_setenv ("CHAT_NO_DISCOVERY", row->no_discovery);
        options_result_t result = s_parse ("chat", row->words, &options, error);
        s_setenv ("CHAT_KEY", NULL);
        s_setenv ("CHAT_NO_DISCOVERY", NULL);
        assert_int_equal (result, OPTIONS_RUN);
        if (row->key)
            assert_string_equal (options.key, row->key);
        else
            assert_null (options.key);
        if (options.no_discovery != row->no_discovery_expected)
            fail_msg ("row %zu: no_discovery is %d", i, options.no_discovery);
    }
}

//  $USER and the default nick made of it
typedef struct {
    const char *user; //  NULL: unset, so the login name is taken
    const char *nick; //  expected, or NULL for any valid nick
} nick_row_t;

//  The default nick is $USER with what a nick may not hold replaced by '_'; whatever $USER
//  holds, the default nick is a valid one.
static void
test_default_nick (void **state)
{
    (void) state;
    static const nick_row_t rows[] = {
        {"anna", "anna"},
        {"a b!c", "a_b_c"},
        {"x@y.z", "x_y.z"},
        {"bj\xC3\xB6rn", "bj\xC3\xB6rn"},
        {"\x1b[2J", "__2J"},
        {X32, X32},
        {X32 "x", X32},                                  //  too long: cut after 32 characters
        {"\xC3\xA5" X32, "\xC3\xA5" X8 X8 X8 "xxxxxxx"}, //  ... characters, not bytes
        {"\xE6\x97\xA5\xE6\x9C\xAC", NULL}, //  characters a nick may not hold, not ASCII
        {"\xFF\xFE", NULL},                 //  not UTF-8
        {"", NULL},                         //  empty: the login name
        {NULL, NULL},
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    const char *none[] = {NULL};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        s_setenv ("USER", rows[i].user);
        assert_int_equal (s_parse ("chat", none, &options, error), OPTIONS_RUN);
        if (!wire_nick_valid (options.nick, strlen (options.nick)))
            fail_msg ("row %zu: the default nick \"%s\" is not valid", i, options.nick);
        if (rows[i].nick)
            assert_string_equal (options.nick, rows[i].nick);
    }
}

//  A command line that asks for help or the version, and what it gives
typedef struct {
    const char *words[WORDS_MAX]; //  after argv[0]
    options_result_t result;
} leave_row_t;

//  --help and --version say so, wherever they are, unless a mistake comes first.
static void
test_help_version (void **state)
{
    (void) state;
    static const leave_row_t rows[] = {
        {{"--help"}, OPTIONS_HELP},
        {{"-h"}, OPTIONS_HELP},
        {{"--version"}, OPTIONS_VERSION},
        {{"-p", "6000", "--help"}, OPTIONS_HELP},
        {{"--help", "--frobnicate"}, OPTIONS_HELP},
        {{"--version", "--help"}, OPTIONS_VERSION},
        {{"--help", "1", "2"}, OPTIONS_HELP},
        {{"--frobnicate", "--help"}, OPTIONS_BAD},
        {{"-p", "0", "--version"}, OPTIONS_BAD},
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        options_result_t result = s_parse ("chat", rows[i].words, &options, error);
        if (result != rows[i].result)
            fail_msg ("row %zu (%s): returned %d, expected %d", i, rows[i].words[0], result,
                      rows[i].result);
    }
}

//  A mistake and the line that says what is wrong
typedef struct {
    const char *words[WORDS_MAX]; //  after argv[0], which is "chat"
    const char *error;            //  exactly
} bad_row_t;

//  Every mistake gives OPTIONS_BAD and one exact line naming the value and the way out.
static void
test_mistakes (void **state)
{
    (void) state;
    static const bad_row_t rows[] = {
        {{"-p", "0"}, "bad port \"0\": use a number from 1 to 65535" HINT},
        {{"--port", "65536"}, "bad port \"65536\": use a number from 1 to 65535" HINT},
        {{"-p", "x"}, "bad port \"x\": use a number from 1 to 65535" HINT},
        {{"-p", "+5"}, "bad port \"+5\": use a number from 1 to 65535" HINT},
        {{"--port="}, "bad port \"\": use a number from 1 to 65535" HINT},
        {{"0"}, "bad port \"0\": use a number from 1 to 65535" HINT},
        {{"70000"}, "bad port \"70000\": use a number from 1 to 65535" HINT},
        {{"-n", "a b"}, "bad nick \"a b\": use 1-32 letters, digits, '.', '-' or '_'" HINT},
        {{"--nick="}, "bad nick \"\": use 1-32 letters, digits, '.', '-' or '_'" HINT},
        {{"-n", X32 "x"}, "bad nick \"" X32 "x\": use 1-32 letters, digits, '.', '-' or '_'" HINT},
        {{"--channel", "a.b"},
         "bad channel name \"a.b\": use 1-32 letters, digits, '-' or '_'" HINT},
        {{"--channel", "~x"}, "bad channel name \"~x\": use 1-32 letters, digits, '-' or '_'" HINT},
        {{"--color=purple"}, "bad --color \"purple\": use auto, always or never" HINT},
        {{"--color="}, "bad --color \"\": use auto, always or never" HINT},
        {{"--color", "ALWAYS"}, "bad --color \"ALWAYS\": use auto, always or never" HINT},
        {{"--history", "1001"}, "bad --history \"1001\": use a number from 0 to 1000" HINT},
        {{"--history", "-1"}, "bad --history \"-1\": use a number from 0 to 1000" HINT},
        {{"--history", "x"}, "bad --history \"x\": use a number from 0 to 1000" HINT},
        {{"--history", "5x"}, "bad --history \"5x\": use a number from 0 to 1000" HINT},
        {{"--history="}, "bad --history \"\": use a number from 0 to 1000" HINT},
        {{"--history", "99999999999999999999"},
         "bad --history \"99999999999999999999\": use a number from 0 to 1000" HINT},
        {{"--log", ""}, "bad --log \"\": name a file" HINT},
        {{"--key", ""}, "bad --key \"\": give a passphrase, or - to be asked" HINT},
        {{"--frobnicate"}, "unknown option --frobnicate" HINT},
        {{"-x"}, "unknown option -x" HINT},
        {{"-xy"}, "unknown option -x" HINT},         //  a cluster names the letter
        {{"-nbo", "-xq"}, "unknown option -x" HINT}, //  ... not the word before it
        {{"--port"}, "option --port needs a value" HINT},
        {{"-p"}, "option -p needs a value" HINT},
        {{"-n"}, "option -n needs a value" HINT},
        {{"-c"}, "option -c needs a value" HINT},
        {{"--history"}, "option --history needs a value" HINT},
        {{"--key"}, "option --key needs a value" HINT},
        {{"5000", "6000"}, "unexpected argument \"6000\"" HINT},
        {{"5000", "6000", "7000"}, "unexpected argument \"6000\"" HINT},
        {{"-p", "5000", "6000"}, "unexpected argument \"6000\"" HINT},
        {{"6000", "-p", "5000"}, "unexpected argument \"6000\"" HINT},
        {{"-c", "1.2.3.4:99999"},
         "cannot connect to 1.2.3.4:99999: the port must be a number from 1 to 65535"},
        {{"-c", "127.0.0.1:0"},
         "cannot connect to 127.0.0.1:0: the port must be a number from 1 to 65535"},
        {{"-c", "::1:5558"},
         "cannot connect to ::1:5558: write an IPv6 address in brackets, like [::1]:5557"},
        {{"-c", ":5558"}, "cannot connect to :5558: the host is missing before ':'"},
        {{"--back-port", "0"}, "bad --back-port \"0\": use a number from 1 to 65535" HINT},
        {{"--back-port", "65536"}, "bad --back-port \"65536\": use a number from 1 to 65535" HINT},
        {{"--back-port", "x"}, "bad --back-port \"x\": use a number from 1 to 65535" HINT},
        {{"--back-port", "-1"}, "bad --back-port \"-1\": use a number from 1 to 65535" HINT},
        {{"--back-port="}, "bad --back-port \"\": use a number from 1 to 65535" HINT},
        {{"--back-port"}, "option --back-port needs a value" HINT},
        {{"-p", "5557", "--back-port", "5557"},
         "bad --back-port \"5557\": it is the port already; use another one" HINT},
        {{"--back-port", "6000", "6000"},
         "bad --back-port \"6000\": it is the port already; use another one" HINT},
        {{"--relay", "--plain"},
         "--plain does not go with --relay: a relay forwards signed messages, and --plain sends "
         "none" HINT},
        {{"--plain", "-n", "x", "--relay"},
         "--plain does not go with --relay: a relay forwards signed messages, and --plain sends "
         "none" HINT},
        {{"--relay=1"}, "unknown option --relay=1" HINT},
        {{"--json", "--relay"},
         "--json does not go with --relay: a relay writes for the system's journal, --json for "
         "a program" HINT},
        {{"--relay", "-n", "r", "--json"},
         "--json does not go with --relay: a relay writes for the system's journal, --json for "
         "a program" HINT},
        {{"--json=1"}, "unknown option --json=1" HINT},
        {{"--interface", ""}, "bad --interface \"\": " IFACE_HELP HINT},
        {{"--interface", "x234567890123456"},
         "bad --interface \"x234567890123456\": " IFACE_HELP HINT},
        {{"--interface", "eth 0"}, "bad --interface \"eth 0\": " IFACE_HELP HINT},
        {{"--interface", "../eth0"}, "bad --interface \"../eth0\": " IFACE_HELP HINT},
        {{"--interface", "a/b"}, "bad --interface \"a/b\": " IFACE_HELP HINT},
        {{"--interface", "."}, "bad --interface \".\": " IFACE_HELP HINT},
        {{"--interface", ".."}, "bad --interface \"..\": " IFACE_HELP HINT},
        {{"--interface", "**"}, "bad --interface \"**\": " IFACE_HELP HINT},
        {{"--interface", "eth*"}, "bad --interface \"eth*\": " IFACE_HELP HINT},
        {{"--interface", "\xC3\xA5"}, "bad --interface \"\xC3\xA5\": " IFACE_HELP HINT},
        {{"--interface"}, "option --interface needs a value" HINT},
        {{"-c", "5558", "-c", "host:x"},
         "cannot connect to host:x: the port must be a number from 1 to 65535"},
        {{"--plain", "--key", "x"},
         "--plain does not go with --key: a locked room's lines are sealed, and --plain sends "
         "them in clear" HINT},
        {{"--room-key", "12"},
         "bad --room-key \"12\": give the key \\invite shows in the room (64 hex digits)" HINT},
        {{"--relay", "--room-key",
          "00000000000000000000000000000000000000000000000000000000000000000"},
         "bad --room-key \"00000000000000000000000000000000000000000000000000000000000000000\": "
         "give the key \\invite shows in the room (64 hex digits)" HINT},
        {{"--room-key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
         "--room-key is for a relay (--relay): members give --key" HINT},
        {{"--relay-key", "zz"},
         "bad --relay-key \"zz\": give the key the relay printed (64 hex digits)" HINT},
        {{"--relay-key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
         "--relay-key is for a member of a locked room (--key) that reaches it through a "
         "relay" HINT},
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        options_result_t result = s_parse ("chat", rows[i].words, &options, error);
        if (result != OPTIONS_BAD)
            fail_msg ("row %zu (%s %s): returned %d, not OPTIONS_BAD", i, rows[i].words[0],
                      rows[i].words[1] ? rows[i].words[1] : "", result);
        if (strcmp (error, rows[i].error) != 0)
            fail_msg ("row %zu: the line is\n  %s\nexpected\n  %s", i, error, rows[i].error);
    }
}

//  True when no byte of s is a control character (below 0x20, or DEL).
static bool
s_printable (const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || *s == 0x7F)
            return false;
    return true;
}

//  A hostile value in every place one can go is shown made safe: no control byte reaches the
//  error line, an escape shows as ^[, and a very long one is cut to fit.
static void
test_hostile_values (void **state)
{
    (void) state;
    static char long_value[3000];
    for (size_t i = 0; i + 1 < sizeof long_value; i++)
        long_value[i] = "\x1b[2J\n"[i % 5];
    const char *rows[][WORDS_MAX] = {
        {"-n", "\x1b[2J"},          {"-p", "\x1b[31m"},          {"--channel", "\x1b]0;owned\x07"},
        {"--color", "\r\x1b[2K"},   {"--history", "\x1b[1A"},    {"--\x1b[2J"},
        {"-c", "\x1b[2J::1:5"},     {"-c", "[\x1b[2J]:99999"},   {"1", "\x1b[2J"},
        {"-n", long_value},         {"-c", long_value},          {"--interface", "\x1b[2J"},
        {"--back-port", "\x1b[2J"}, {"--interface", long_value},
    };
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal (s_parse ("chat", rows[i], &options, error), OPTIONS_BAD);
        if (!s_printable (error))
            fail_msg ("row %zu: a control byte in the line: %s", i, error);
        assert_non_null (strstr (error, "^["));
        assert_true (strlen (error) < OPTIONS_ERROR_MAX_BYTES);
    }
}

//  An error buffer too small for the line: the line's start, terminated, nothing written past
//  the buffer.
static void
test_error_cut (void **state)
{
    (void) state;
    static const size_t sizes[] = {1, 2, 16, 40, 80};
    const char *rows[][WORDS_MAX] = {{"-p", "0"}, {"--frobnicate"}, {"-c", "::1:5"}};
    options_t options;
    char full[OPTIONS_ERROR_MAX_BYTES], cut[80 + GUARD_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal (s_parse ("chat", rows[i], &options, full), OPTIONS_BAD);
        char *argv[] = {"chat", (char *) rows[i][0], (char *) rows[i][1], NULL};
        int argc = rows[i][1] ? 3 : 2;
        for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
            memset (cut, GUARD_VALUE, sizeof cut);
            assert_int_equal (options_parse (&options, argc, argv, cut, sizes[j]), OPTIONS_BAD);
            size_t kept = strlen (full) < sizes[j] - 1 ? strlen (full) : sizes[j] - 1;
            assert_int_equal (strlen (cut), kept);
            assert_memory_equal (cut, full, kept);
            for (size_t k = sizes[j]; k < sizeof cut; k++)
                assert_int_equal ((unsigned char) cut[k], GUARD_VALUE);
        }
    }
}

//  options_parse can be called again and again: each call starts from the defaults and the
//  first word, whatever the call before found or where it stopped.
static void
test_parse_again (void **state)
{
    (void) state;
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    const char *full[] = {"-p", "6000", "-n", "anna", "--plain", "-c5558"};
    const char *channel[] = {"--channel", "kod", NULL};
    const char *help_in_cluster[] = {"-hn", "bo", NULL}; //  stops inside "-hn"
    const char *nick[] = {"-n", "bo", NULL};
    const char *bad[] = {"-p", "0", "-n", "anna", NULL};
    for (int round = 0; round < 3; round++) {
        assert_int_equal (s_parse ("chat", full, &options, error), OPTIONS_RUN);
        assert_int_equal (options.port, 6000);
        assert_string_equal (options.nick, "anna");
        assert_true (options.plain);
        assert_int_equal (options.connect_count, 1);
        assert_int_equal (s_parse ("chat", channel, &options, error), OPTIONS_RUN);
        assert_int_equal (options.port, 0);
        assert_string_equal (options.nick, "tester");
        assert_false (options.plain);
        assert_int_equal (options.connect_count, 0);
        assert_string_equal (options.channel, "kod");
        assert_int_equal (s_parse ("chat", help_in_cluster, &options, error), OPTIONS_HELP);
        assert_int_equal (s_parse ("chat", nick, &options, error), OPTIONS_RUN);
        assert_string_equal (options.nick, "bo");
        assert_int_equal (s_parse ("chat", bad, &options, error), OPTIONS_BAD);
        assert_int_equal (s_parse ("chat", nick, &options, error), OPTIONS_RUN);
        assert_string_equal (options.nick, "bo");
        assert_int_equal (options.port, 0);
    }
}

//  What a test puts on stdin and stdout for options_color: a terminal (one end of a pty) or
//  /dev/null, and the descriptors it replaced.
typedef struct {
    int saved_in, saved_out; //  the real stdin and stdout
    int master;              //  the pty's master, or -1
} screen_t;

//  Put a terminal (when terminal) or /dev/null on stdin and stdout. Returns 0, or -1 if there
//  is no pty to be had.
static int
s_screen_open (screen_t *screen, bool terminal)
{
    int fd;
    screen->master = -1;
    if (terminal) {
        screen->master = posix_openpt (O_RDWR | O_NOCTTY);
        if (screen->master < 0 || grantpt (screen->master) || unlockpt (screen->master) ||
            !ptsname (screen->master)) {
            if (screen->master >= 0)
                close (screen->master);
            return -1;
        }
        fd = open (ptsname (screen->master), O_RDWR | O_NOCTTY);
    } else
        fd = open ("/dev/null", O_RDWR);
    assert_true (fd >= 0);
    screen->saved_in = testlib_redirect (STDIN_FILENO, fd);
    screen->saved_out = testlib_redirect (STDOUT_FILENO, fd);
    close (fd);
    return 0;
}

//  Put the real stdin and stdout back.
static void
s_screen_close (screen_t *screen)
{
    testlib_restore (STDIN_FILENO, screen->saved_in);
    testlib_restore (STDOUT_FILENO, screen->saved_out);
    if (screen->master >= 0)
        close (screen->master);
}

//  --color, the environment, and whether output is to be coloured
typedef struct {
    color_t color;
    const char *no_color; //  NO_COLOR, or NULL for unset
    const char *term;     //  TERM, or NULL for unset
    bool expected;
} color_row_t;

//  Ask options_color with row's environment, on a terminal or not; puts everything back.
//  Skips the test when no pty is to be had.
static bool
s_color (const color_row_t *row, bool terminal)
{
    options_t options = {.color = row->color};
    screen_t screen = {-1, -1, -1};
    if (s_screen_open (&screen, terminal))
        skip ();
    s_setenv ("NO_COLOR", row->no_color);
    s_setenv ("TERM", row->term);
    bool color = options_color (&options);
    s_setenv ("NO_COLOR", NULL);
    s_setenv ("TERM", s_original ("TERM"));
    s_screen_close (&screen);
    return color;
}

//  Without a terminal: always colours, never does not, auto does not.
static void
test_color (void **state)
{
    (void) state;
    static const color_row_t rows[] = {
        {COLOR_ALWAYS, NULL, "xterm", true},
        {COLOR_ALWAYS, "1", "dumb", true}, //  asked for: whatever the environment says
        {COLOR_NEVER, NULL, "xterm", false},
        {COLOR_AUTO, NULL, "xterm", false},
        {COLOR_AUTO, NULL, NULL, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (s_color (&rows[i], false) != rows[i].expected)
            fail_msg ("row %zu: options_color is %d", i, !rows[i].expected);
}

//  On a terminal (a pty on stdin and stdout): auto colours unless NO_COLOR is set and not
//  empty, or TERM is dumb; never still does not.
static void
test_color_terminal (void **state)
{
    (void) state;
    static const color_row_t rows[] = {
        {COLOR_AUTO, NULL, "xterm", true}, {COLOR_AUTO, NULL, NULL, true},
        {COLOR_AUTO, "1", "xterm", false}, {COLOR_AUTO, "", "xterm", true},
        {COLOR_AUTO, NULL, "dumb", false}, {COLOR_NEVER, NULL, "xterm", false},
        {COLOR_ALWAYS, "1", "dumb", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (s_color (&rows[i], true) != rows[i].expected)
            fail_msg ("row %zu: options_color is %d", i, !rows[i].expected);
}

//  --json is for a program: never a colour code, even when asked for, on a terminal or not.
static void
test_color_json (void **state)
{
    (void) state;
    for (int terminal = 0; terminal < 2; terminal++) {
        options_t options = {.color = terminal ? COLOR_AUTO : COLOR_ALWAYS, .json = true};
        screen_t screen = {-1, -1, -1};
        if (s_screen_open (&screen, terminal))
            skip ();
        s_setenv ("TERM", "xterm");
        bool color = options_color (&options);
        s_setenv ("TERM", s_original ("TERM"));
        s_screen_close (&screen);
        assert_false (color);
    }
}

//  Run print (options_usage or options_version) for the program named by argv0 into a string;
//  the caller frees it.
static char *
s_print (void (*print) (const options_t *, FILE *), const char *argv0)
{
    options_t options;
    char error[OPTIONS_ERROR_MAX_BYTES];
    const char *none[] = {NULL};
    assert_int_equal (s_parse (argv0, none, &options, error), OPTIONS_RUN);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert_non_null (out);
    print (&options, out);
    assert_int_equal (fclose (out), 0);
    assert_non_null (text);
    return text;
}

//  --help's text names the program and every option, with the defaults; --version's line is
//  the program and its version.
static void
test_usage_version (void **state)
{
    (void) state;
    static const char *expected[] = {
        "Usage: chatt [OPTION]... [PORT]\n",
        "-p, --port PORT",
        "-n, --nick NICK",
        "-c, --connect HOST:PORT",
        "--channel CHANNEL",
        "--plain",
        "--verbose",
        "--no-discovery",
        "--no-history",
        "--color=WHEN",
        "--history N",
        "--log FILE",
        "--key PASSPHRASE",
        "-h, --help",
        "--version",
        "(default 5557, or the next free one)",
        "(default buddy)",
        "(default 50)",
        "--identity FILE",
        "--throwaway-key",
        "man chatt tells the rest",
        "--relay ",
        "nick relay",
        "--back-port PORT",
        "--interface NAME",
        "--json ",
    };
    char *usage = s_print (options_usage, "/usr/local/bin/chatt");
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr (usage, expected[i]))
            fail_msg ("the usage text lacks \"%s\"", expected[i]);
    assert_int_equal (usage[strlen (usage) - 1], '\n');
    free (usage);
    char *version = s_print (options_version, "/usr/local/bin/chatt");
    assert_string_equal (version, "chatt " CHAT_VERSION "\n");
    free (version);
    version = s_print (options_version, "chat");
    assert_string_equal (version, "chat 0.1.0\n");
    free (version);
}

//  Run the options tests in the C locale; the exit code is the number that failed.
int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup (test_good_options, s_baseline),
        cmocka_unit_test_setup (test_connect, s_baseline),
        cmocka_unit_test_setup (test_connect_max, s_baseline),
        cmocka_unit_test_setup (test_defaults, s_baseline),
        cmocka_unit_test_setup (test_relay, s_baseline),
        cmocka_unit_test_setup (test_web, s_baseline),
        cmocka_unit_test_setup (test_program_name, s_baseline),
        cmocka_unit_test_setup (test_environment, s_baseline),
        cmocka_unit_test_setup (test_default_nick, s_baseline),
        cmocka_unit_test_setup (test_help_version, s_baseline),
        cmocka_unit_test_setup (test_mistakes, s_baseline),
        cmocka_unit_test_setup (test_hostile_values, s_baseline),
        cmocka_unit_test_setup (test_error_cut, s_baseline),
        cmocka_unit_test_setup (test_parse_again, s_baseline),
        cmocka_unit_test_setup (test_color, s_baseline),
        cmocka_unit_test_setup (test_color_terminal, s_baseline),
        cmocka_unit_test_setup (test_color_json, s_baseline),
        cmocka_unit_test_setup (test_usage_version, s_baseline),
    };
    return cmocka_run_group_tests_name ("options", tests, s_save_environment,
                                        s_restore_environment);
}
