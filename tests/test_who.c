/*  test_who.c - unit tests for who.c and \who's listing (room_describe_matching): names in
    order without regard to case, the same name by id; PATTERN as a part of a name or a glob;
    bad patterns refused with a reason; a full room sorted in its buffer.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "room.h"
#include "commands.h"
#include "who.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

//  Setup: the C.UTF-8 locale (English words, å and Å one letter in two cases).
static int
s_setup (void **state)
{
    (void) state;
    return setlocale (LC_ALL, "C.UTF-8") ? 0 : -1;
}

//  The order: case does not count, then the bytes do; å after z in C.UTF-8.
static void
test_compare (void **state)
{
    (void) state;
    static const struct {
        const char *a, *b;
        int sign; //  the sign of who_compare (a, b)
    } cases[] = {
        {"anna", "Bertil", -1},    {"Anna", "anna", -1},   {"bertil", "Anna", 1},
        {"anna", "anna#3f2a", -1}, {"Åsa", "zeta", 1},     {"åsa", "Åsa", 1},
        {"cesar", "cesar", 0},     {"ANNA", "annika", -1}, {"n10", "n9", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int order = who_compare (cases[i].a, cases[i].b);
        int sign = order < 0 ? -1 : order > 0;
        if (sign != cases[i].sign)
            fail_msg ("who_compare (%s, %s) = %d", cases[i].a, cases[i].b, order);
    }
}

//  PATTERN: a part of the name, or a glob when it has * ? [, case never counting.
static void
test_match (void **state)
{
    (void) state;
    static const struct {
        const char *pattern, *name;
        bool matches;
    } cases[] = {
        {NULL, "anna", true},      {"", "anna", true},           {"an", "Johanna", true},
        {"AN", "johanna", true},   {"anna", "ann", false},       {"an*", "Anna", true},
        {"an*", "johanna", false}, {"*NA", "johanna", true},     {"?nna", "Anna", true},
        {"[ab]*", "Bertil", true}, {"[ab]*", "cesar", false},    {"åsa", "ÅSA", true},
        {"Å*", "åsa", true},       {"#3f2a", "anna#3f2a", true}, {"[", "ab", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (who_match (cases[i].pattern, cases[i].name) != cases[i].matches)
            fail_msg ("who_match (%s, %s) should be %d", cases[i].pattern ? cases[i].pattern : "-",
                      cases[i].name, cases[i].matches);
}

//  A bad pattern is refused with one line saying why.
static void
test_pattern_check (void **state)
{
    (void) state;
    char why[160], longest[WHO_PATTERN_MAX_BYTES + 2];
    assert_int_equal (who_pattern_check ("an*", why, sizeof why), 0);
    assert_int_equal (who_pattern_check ("", why, sizeof why), 0);
    memset (longest, 'a', WHO_PATTERN_MAX_BYTES);
    longest[WHO_PATTERN_MAX_BYTES] = 0;
    assert_int_equal (who_pattern_check (longest, why, sizeof why), 0);
    longest[WHO_PATTERN_MAX_BYTES] = 'a', longest[WHO_PATTERN_MAX_BYTES + 1] = 0;
    assert_int_equal (who_pattern_check (longest, why, sizeof why), -1);
    assert_string_equal (why, "the pattern is too long: at most 64 bytes (\\who an, \\who an*)");
    assert_int_equal (who_pattern_check ("an\x1b[2J", why, sizeof why), -1);
    assert_string_equal (why, "the pattern holds a control character");
    assert_int_equal (who_pattern_check ("an\x7f", why, sizeof why), -1);
    assert_int_equal (who_pattern_check ("\xff", why, sizeof why), -1);
    assert_string_equal (why, "the pattern is not valid UTF-8");
    assert_int_equal (who_pattern_check ("\xff", why, 2), -1); //  cut: still one line
    assert_string_equal (why, "?");
}

//  Join member id with nick at address 127.0.0.1:port.
static void
s_join (room_t *room, const uint8_t id[WIRE_SENDER_BYTES], const char *nick, int port)
{
    control_beat_t beat = {.port = port};
    snprintf (beat.channel, sizeof beat.channel, "buddy");
    char name[NAME_MAX_BYTES + 8];
    room_heard (room, id, nick, "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
}

//  The names of listing's lines, in order, one per line, into names.
static void
s_names (const char *listing, char *names, size_t size)
{
    size_t used = 0;
    names[0] = 0;
    for (const char *line = listing; *line; line = strchr (line, '\n') + 1) {
        const char *name = line + 3;
        size_t length = strcspn (name, " ");
        int written = snprintf (names + used, size - used, "%.*s\n", (int) length, name);
        assert_true (written > 0 && (size_t) written < size - used);
        used += (size_t) written;
    }
}

//  \who's listing: sorted by name, two annas by id, counted; a pattern filters and counts.
static void
test_describe_sorted (void **state)
{
    (void) state;
    room_t *room = room_new ();
    assert_non_null (room);
    static const char *nicks[] = {"cesar", "Bertil", "anna", "Åsa", "david", "anna", "Anders"};
    uint8_t id[WIRE_SENDER_BYTES] = {0};
    for (size_t i = 0; i < sizeof nicks / sizeof nicks[0]; i++) {
        id[0] = (uint8_t) (0x70 - i), id[1] = (uint8_t) i; //  the later anna has the lower id
        s_join (room, id, nicks[i], 6000 + (int) i);
    }
    char listing[4096], names[512];
    size_t matched = 0, total = 0;
    assert_int_equal (
        room_describe_matching (room, NULL, 0, listing, sizeof listing, &matched, &total), 7);
    assert_int_equal (matched, 7);
    assert_int_equal (total, 7);
    s_names (listing, names, sizeof names);
    assert_string_equal (names, "Anders\nanna#6b05\nanna#6e02\nBertil\ncesar\ndavid\nÅsa\n");
    //  Å is one column: the addresses stay in one column
    assert_non_null (strstr (listing, "   Åsa                  127.0.0.1:6003         [buddy]"));
    assert_int_equal (
        room_describe_matching (room, "AN", 0, listing, sizeof listing, &matched, &total), 3);
    assert_int_equal (matched, 3);
    assert_int_equal (total, 7);
    s_names (listing, names, sizeof names);
    assert_string_equal (names, "Anders\nanna#6b05\nanna#6e02\n");
    room_describe_matching (room, "*A", 0, listing, sizeof listing, &matched, NULL);
    s_names (listing, names, sizeof names);
    assert_string_equal (names, "Åsa\n");
    assert_int_equal (
        room_describe_matching (room, "zed", 0, listing, sizeof listing, &matched, &total), 0);
    assert_int_equal (matched, 0);
    assert_string_equal (listing, "");
    room_destroy (&room);
}

//  A full room of long names, addresses and channels fits \who's buffer, sorted.
static void
test_describe_full (void **state)
{
    (void) state;
    room_t *room = room_new ();
    assert_non_null (room);
    uint8_t id[WIRE_SENDER_BYTES] = {0};
    control_beat_t beat = {.port = 65535};
    memset (beat.channel, 'k', NAME_MAX_CHARS);
    for (int i = 0; i < ROOM_MAX; i++) {
        char nick[NAME_MAX_CHARS + 1], name[NAME_MAX_BYTES + 8];
        snprintf (nick, sizeof nick, "%c%030d", 'z' - i % 26, ROOM_MAX - i);
        id[0] = (uint8_t) i;
        room_heard (room, id, nick, "fd00:1234:5678:9abc:def0:1234:5678:9abc", &beat, 0, name,
                    sizeof name, NULL, 0);
    }
    static char listing[COMMANDS_LISTING_MAX_BYTES], names[ROOM_MAX * 40];
    size_t matched = 0;
    assert_int_equal (room_describe_matching (room, "", 0, listing, sizeof listing, &matched, NULL),
                      ROOM_MAX);
    assert_int_equal (matched, ROOM_MAX);
    s_names (listing, names, sizeof names);
    const char *previous = names;
    for (const char *next = strchr (names, '\n') + 1; *next; next = strchr (next, '\n') + 1) {
        assert_true (strncmp (previous, next, strcspn (next, "\n")) < 0);
        previous = next;
    }
    room_destroy (&room);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup (test_compare, s_setup),
        cmocka_unit_test_setup (test_match, s_setup),
        cmocka_unit_test_setup (test_pattern_check, s_setup),
        cmocka_unit_test_setup (test_describe_sorted, s_setup),
        cmocka_unit_test_setup (test_describe_full, s_setup),
    };
    return cmocka_run_group_tests_name ("who", tests, NULL, NULL);
}
