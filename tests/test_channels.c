/*  test_channels.c - unit tests for the channel table in channels.c: which channel the user
    writes to, which are silenced, exact filtering. How a line is shown is test_view.c's.

    Runs in the C locale, so channels_describe() writes the English words.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels.h"
#include "limits.h"
#include "text.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define X8 "xxxxxxxx"
#define X32 X8 X8 X8 X8

//  Setup: a table writing to "buddy".
static int
s_setup (void **state)
{
    *state = channels_new ("buddy");
    return *state ? 0 : -1;
}

//  Teardown: destroy the table.
static int
s_teardown (void **state)
{
    channels_t *channels = *state;
    channels_destroy (&channels);
    return 0;
}

//  The channel the table writes to.
static void
s_assert_current (channels_t *channels, const char *want)
{
    char current[NAME_MAX_BYTES + 1];
    channels_current (channels, current, sizeof current);
    assert_string_equal (current, want);
}

//  channels_new writes to the channel it is given.
static void
test_new (void **state)
{
    channels_t *channels = *state;
    s_assert_current (channels, "buddy");
    //  A small buffer gets a cut, NUL-terminated copy
    char small[4];
    channels_current (channels, small, sizeof small);
    assert_string_equal (small, "bud");

    channels_t *swedish = channels_new ("\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1");
    assert_non_null (swedish);
    s_assert_current (swedish, "\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1");
    channels_destroy (&swedish);
}

//  channels_new refuses a name that is not a channel name.
static void
test_new_invalid (void **state)
{
    (void) state;
    static const char *names[] = {"",     "bad name", "x>y",      X32 "x",
                                  "~ctl", "#news",    "\xC0\x80", "a\x1b[2J"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        channels_t *channels = channels_new (names[i]);
        if (channels)
            fail_msg ("\"%s\" accepted", names[i]);
    }
}

//  Every channel is shown, except those silenced; silencing is by exact name.
static void
test_mute_exact (void **state)
{
    channels_t *channels = *state;
    static const char *unknown[] = {"news", "buddy", "bud", "\xC3\xA5\xC3\xA4\xC3\xB6"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_true (channels_accept (channels, unknown[i]));

    assert_int_equal (channels_mute (channels, "bud"), 0);
    static const struct {
        const char *name; //  channel of an incoming line
        bool accepted;    //  expected answer
    } rows[] = {
        {"bud", false}, {"buddy", true}, {"bu", true},
        {"budd", true}, {"Bud", true},   {"news", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (channels_accept (channels, rows[i].name) != rows[i].accepted)
            fail_msg ("\"%s\": want %d", rows[i].name, rows[i].accepted);
    assert_int_equal (channels_mute (channels, "bud"), 1);
    assert_false (channels_accept (channels, "bud"));
    s_assert_current (channels, "buddy");
}

//  Switching to a silenced channel listens to it again and writes to it.
static void
test_switch_unmutes (void **state)
{
    channels_t *channels = *state;
    assert_int_equal (channels_mute (channels, "bud"), 0);
    assert_int_equal (channels_switch (channels, "bud"), 0);
    s_assert_current (channels, "bud");
    assert_true (channels_accept (channels, "bud"));
    assert_true (channels_accept (channels, "buddy"));
    assert_int_equal (channels_mute (channels, "bud"), 0);
    assert_int_equal (channels_switch (channels, "news"), 0);
    s_assert_current (channels, "news");
    assert_int_equal (channels_switch (channels, "buddy"), 0);
    s_assert_current (channels, "buddy");
}

//  Invalid names are refused by switch and mute, and change nothing.
static void
test_invalid_names (void **state)
{
    channels_t *channels = *state;
    static const char *names[] = {"", "bad name", "x>y", X32 "x", "~ctl", "\xC0\x80", "a\x07"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (channels_switch (channels, names[i]) != -1)
            fail_msg ("switch to \"%s\" accepted", names[i]);
        if (channels_mute (channels, names[i]) != -1)
            fail_msg ("mute of \"%s\" accepted", names[i]);
    }
    s_assert_current (channels, "buddy");
    char listing[1024];
    assert_int_equal (channels_describe (channels, listing, sizeof listing), 1);
}

//  A full table still shows every channel, but cannot silence or switch to a new one.
static void
test_table_full (void **state)
{
    channels_t *channels = *state;
    //  "buddy" is the first; fill the rest with channels seen on the network
    for (int i = 1; i < CHANNELS_MAX; i++) {
        char name[16];
        snprintf (name, sizeof name, "c%d", i);
        assert_true (channels_accept (channels, name));
    }
    static char listing[CHANNELS_MAX * 64];
    assert_int_equal (channels_describe (channels, listing, sizeof listing), CHANNELS_MAX);

    assert_true (channels_accept (channels, "new"));
    assert_true (channels_accept (channels, "new"));
    //  A peer flooding channel names cannot lock the user out: seen-only channels make room
    assert_int_equal (channels_mute (channels, "new"), 0);
    assert_false (channels_accept (channels, "new"));
    assert_int_equal (channels_switch (channels, "other"), 0);
    s_assert_current (channels, "other");
    assert_int_equal (channels_describe (channels, listing, sizeof listing), CHANNELS_MAX);

    //  Known channels still work
    assert_int_equal (channels_mute (channels, "c5"), 0);
    assert_false (channels_accept (channels, "c5"));
    assert_int_equal (channels_switch (channels, "c5"), 0);
    s_assert_current (channels, "c5");
    assert_true (channels_accept (channels, "c5"));
}

//  A table full of channels the user silenced: a new one is refused, the old ones kept.
static void
test_table_full_of_muted (void **state)
{
    channels_t *channels = *state;
    for (int i = 1; i < CHANNELS_MAX; i++) {
        char name[16];
        snprintf (name, sizeof name, "m%d", i);
        assert_int_equal (channels_mute (channels, name), 0);
    }
    assert_int_equal (channels_mute (channels, "new"), -1);
    assert_int_equal (channels_switch (channels, "new"), -1);
    s_assert_current (channels, "buddy");
    assert_true (channels_accept (channels, "new"));
    assert_false (channels_accept (channels, "m7"));
}

//  channels_describe: one line per channel, "*" on the one written to, the silenced marked.
static void
test_describe (void **state)
{
    channels_t *channels = *state;
    assert_true (channels_accept (channels, "news"));
    assert_int_equal (channels_mute (channels, "bud"), 0);
    char listing[1024];
    assert_int_equal (channels_describe (channels, listing, sizeof listing), 3);
    assert_non_null (strstr (listing, "* buddy"));
    assert_null (strstr (listing, "* bud "));
    assert_null (strstr (listing, "* news"));
    assert_string_equal (listing, " * buddy (you write here)\n"
                                  "   news (listening)\n"
                                  "   bud (silenced)\n");
    assert_int_equal (channels_switch (channels, "bud"), 0);
    assert_int_equal (channels_describe (channels, listing, sizeof listing), 3);
    assert_string_equal (listing, "   buddy (listening)\n"
                                  "   news (listening)\n"
                                  " * bud (you write here)\n");
}

//  channels_describe into small buffers: whole lines only, as many as it counts.
static void
test_describe_small (void **state)
{
    channels_t *channels = *state;
    assert_true (channels_accept (channels, "news"));
    assert_int_equal (channels_mute (channels, "bud"), 0);
    char full[1024];
    channels_describe (channels, full, sizeof full);
    for (size_t outsize = 1; outsize <= strlen (full) + 1; outsize++) {
        char *listing = malloc (outsize);
        assert_non_null (listing);
        size_t count = channels_describe (channels, listing, outsize);
        size_t used = strnlen (listing, outsize);
        char got[1024];
        snprintf (got, sizeof got, "%.*s", (int) used, listing);
        free (listing);
        assert_true (used < outsize);
        size_t lines = 0;
        for (size_t i = 0; i < used; i++)
            lines += got[i] == '\n';
        if (lines != count || (used > 0 && got[used - 1] != '\n'))
            fail_msg ("outsize %zu: \"%s\" for %zu channels", outsize, got, count);
        assert_memory_equal (got, full, used);
    }
}

//  channels_destroy sets the pointer to NULL and is safe twice, and on NULL.
static void
test_destroy_twice (void **state)
{
    (void) state;
    channels_t *channels = channels_new ("buddy");
    assert_non_null (channels);
    channels_destroy (&channels);
    assert_null (channels);
    channels_destroy (&channels);
    assert_null (channels);
    channels_destroy (NULL);
}

//  Run the channels tests; the exit code is the number that failed.
int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_new, s_setup, s_teardown),
        cmocka_unit_test (test_new_invalid),
        cmocka_unit_test_setup_teardown (test_mute_exact, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_switch_unmutes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_invalid_names, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_table_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_table_full_of_muted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_describe, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_describe_small, s_setup, s_teardown),
        cmocka_unit_test (test_destroy_twice),
    };
    return cmocka_run_group_tests_name ("channels", tests, NULL, NULL);
}
