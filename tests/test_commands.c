/*  test_commands.c - unit tests for commands_parse(): every command, its argument rules, the
    "\\" escape, and lines too long for the parser's buffers.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Parse a heap copy of exactly line's size, so ASan sees any read past its NUL, and check the
//  result against kind, name and argument. For COMMAND_MESSAGE, text must be line + offset.
static void
s_check (const char *line, command_kind_t kind, const char *name, const char *argument,
         size_t offset)
{
    size_t size = strlen (line) + 1;
    char *copy = malloc (size);
    assert_non_null (copy);
    memcpy (copy, line, size);
    command_t command;
    commands_parse (copy, &command);
    bool text_ok = kind != COMMAND_MESSAGE || command.text == copy + offset;
    free (copy); //  before any check, so a failure leaks nothing
    if (command.kind != kind)
        fail_msg ("\"%s\": kind %d, want %d", line, command.kind, kind);
    if (name && (!command.name || strcmp (command.name, name) != 0))
        fail_msg ("\"%s\": name \"%s\", want \"%s\"", line, command.name ? command.name : "(null)",
                  name);
    if (!name && command.name)
        fail_msg ("\"%s\": name \"%s\", want none", line, command.name);
    if (strnlen (command.argument, sizeof command.argument) == sizeof command.argument)
        fail_msg ("\"%s\": argument not NUL-terminated", line);
    if (strcmp (command.argument, argument) != 0)
        fail_msg ("\"%s\": argument \"%s\", want \"%s\"", line, command.argument, argument);
    if (!text_ok)
        fail_msg ("\"%s\": text does not start at byte %zu", line, offset);
}

//  Every command and the common mistakes.
static void
test_parse (void **state)
{
    (void) state;
    static const struct {
        const char *line;     //  what the user typed
        command_kind_t kind;  //  expected kind
        const char *name;     //  expected name, NULL for none
        const char *argument; //  expected argument
        size_t offset;        //  for messages: where the text to send starts
    } rows[] = {
        {"hej", COMMAND_MESSAGE, NULL, "", 0},
        {"", COMMAND_MESSAGE, NULL, "", 0},
        {" \\help", COMMAND_MESSAGE, NULL, "", 0},
        {"hej \\help", COMMAND_MESSAGE, NULL, "", 0},
        {"/help", COMMAND_MESSAGE, NULL, "", 0},
        {"\\\\hej", COMMAND_MESSAGE, NULL, "", 1},
        {"\\\\", COMMAND_MESSAGE, NULL, "", 1},
        {"\\\\\\", COMMAND_MESSAGE, NULL, "", 1},
        {"\\help", COMMAND_HELP, "help", "", 0},
        {"\\help me", COMMAND_BAD_USAGE, "help", "", 0},
        {"\\connect", COMMAND_CONNECT, "connect", "", 0},
        {"\\connect 5558", COMMAND_CONNECT, "connect", "5558", 0},
        {"\\connect 192.0.2.7:5558", COMMAND_CONNECT, "connect", "192.0.2.7:5558", 0},
        {"\\connect 192.0.2.7 5558", COMMAND_CONNECT, "connect", "192.0.2.7:5558", 0},
        {"\\connect [::1]:5558", COMMAND_CONNECT, "connect", "[::1]:5558", 0},
        {"\\connect a b c", COMMAND_BAD_USAGE, "connect", "", 0},
        {"\\disconnect", COMMAND_BAD_USAGE, "disconnect", "", 0},
        {"\\disconnect buddy", COMMAND_DISCONNECT, "disconnect", "buddy", 0},
        {"\\disconnect 5558", COMMAND_DISCONNECT, "disconnect", "5558", 0},
        {"\\disconnect a b", COMMAND_BAD_USAGE, "disconnect", "", 0},
        {"\\channel news", COMMAND_CHANNEL, "channel", "news", 0},
        {"\\channel", COMMAND_BAD_USAGE, "channel", "", 0},
        {"\\channel   news  ", COMMAND_CHANNEL, "channel", "news", 0},
        {"\\channel\tnews", COMMAND_CHANNEL, "channel", "news", 0},
        {"\\channel \xC3\xA5\xC3\xA4\xC3\xB6", COMMAND_CHANNEL, "channel",
         "\xC3\xA5\xC3\xA4\xC3\xB6", 0},
        {"\\channel a b", COMMAND_BAD_USAGE, "channel", "", 0},
        {"\\channels", COMMAND_CHANNELS, "channels", "", 0},
        {"\\channels x", COMMAND_BAD_USAGE, "channels", "", 0},
        {"\\peers", COMMAND_PEERS, "peers", "", 0},
        {"\\debug", COMMAND_DEBUG, "debug", "", 0},
        {"\\debug on", COMMAND_DEBUG, "debug", "on", 0},
        {"\\debug on off", COMMAND_BAD_USAGE, "debug", "", 0},
        {"\\quit", COMMAND_QUIT, "quit", "", 0},
        {"\\exit", COMMAND_QUIT, "exit", "", 0},
        {"\\quit now", COMMAND_BAD_USAGE, "quit", "", 0},
        {"\\help ", COMMAND_HELP, "help", "", 0},
        {"\\frobnicate", COMMAND_UNKNOWN, NULL, "frobnicate", 0},
        {"\\frobnicate a b c d", COMMAND_UNKNOWN, NULL, "frobnicate", 0},
        {"\\", COMMAND_UNKNOWN, NULL, "", 0},
        {"\\   ", COMMAND_UNKNOWN, NULL, "", 0},
        {"\\HELP", COMMAND_UNKNOWN, NULL, "HELP", 0},
        {"\\Quit", COMMAND_UNKNOWN, NULL, "Quit", 0},
        {"\\helpme", COMMAND_UNKNOWN, NULL, "helpme", 0},
        {"\\chan", COMMAND_UNKNOWN, NULL, "chan", 0},
        {"\\\x1b[2J", COMMAND_UNKNOWN, NULL, "\x1b[2J", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        s_check (rows[i].line, rows[i].kind, rows[i].name, rows[i].argument, rows[i].offset);
}

//  A line of head followed by count copies of fill; the caller frees it.
static char *
s_long_line (const char *head, char fill, size_t count)
{
    size_t head_size = strlen (head);
    char *line = malloc (head_size + count + 1);
    assert_non_null (line);
    memcpy (line, head, head_size);
    memset (line + head_size, fill, count);
    line[head_size + count] = 0;
    return line;
}

//  Lines longer than the parser's buffers: refused or cut, never overflowed.
static void
test_parse_long (void **state)
{
    (void) state;
    static const struct {
        const char *head;    //  start of the line
        size_t count;        //  how many 'x' follow it
        command_kind_t kind; //  expected kind
        const char *name;    //  expected name
    } rows[] = {
        {"\\", 999, COMMAND_BAD_USAGE, NULL},
        {"\\channel ", 991, COMMAND_BAD_USAGE, NULL},
        {"\\channel ", COMMAND_ARGUMENT_MAX_BYTES, COMMAND_BAD_USAGE, "channel"},
        {"\\channel ", COMMAND_ARGUMENT_MAX_BYTES - 1, COMMAND_CHANNEL, "channel"},
        {"\\connect 1 ", COMMAND_ARGUMENT_MAX_BYTES - 2, COMMAND_BAD_USAGE, "connect"},
        {"\\connect 1 ", COMMAND_ARGUMENT_MAX_BYTES - 3, COMMAND_CONNECT, "connect"},
        {"", 1000, COMMAND_MESSAGE, NULL},
        {"\\\\", 1000, COMMAND_MESSAGE, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *line = s_long_line (rows[i].head, 'x', rows[i].count);
        command_t command;
        commands_parse (line, &command);
        if (command.kind != rows[i].kind)
            fail_msg ("row %zu: kind %d, want %d", i, command.kind, rows[i].kind);
        if (rows[i].name)
            assert_string_equal (command.name, rows[i].name);
        else
            assert_null (command.name);
        assert_true (strnlen (command.argument, sizeof command.argument) < sizeof command.argument);
        if (command.kind == COMMAND_CHANNEL)
            assert_int_equal (strlen (command.argument), rows[i].count);
        if (command.kind == COMMAND_CONNECT)
            assert_int_equal (strlen (command.argument), 2 + rows[i].count);
        if (command.kind == COMMAND_MESSAGE)
            assert_ptr_equal (command.text, line + (rows[i].head[0] ? 1 : 0));
        free (line);
    }

    //  An unknown word too long for the argument is cut, so the error can still name it
    char *line = s_long_line ("\\", 'y', 400);
    command_t command;
    commands_parse (line, &command);
    assert_int_equal (command.kind, COMMAND_UNKNOWN);
    assert_int_equal (strlen (command.argument), COMMAND_ARGUMENT_MAX_BYTES - 1);
    assert_memory_equal (command.argument, line + 1, COMMAND_ARGUMENT_MAX_BYTES - 1);
    free (line);
}

//  "\connect HOST PORT" with an IPv6 host gives "[HOST]:PORT", the form address_parse takes,
//  as the bare \connect dialogue does.
static void
test_parse_connect_ipv6 (void **state)
{
    (void) state;
    static const struct {
        const char *line;     //  what the user typed
        const char *argument; //  expected argument
    } rows[] = {
        {"\\connect ::1 5558", "[::1]:5558"},
        {"\\connect 2001:db8::7 5557", "[2001:db8::7]:5557"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        s_check (rows[i].line, COMMAND_CONNECT, "connect", rows[i].argument, 0);
}

//  Run the commands tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_parse),
        cmocka_unit_test (test_parse_long),
        cmocka_unit_test (test_parse_connect_ipv6),
    };
    return cmocka_run_group_tests_name ("commands", tests, NULL, NULL);
}
