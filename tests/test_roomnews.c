/*  test_roomnews.c - unit tests for roomnews.c: joins and leaves told one by one in a small
    room and at the start of a burst, the rest of a burst summed up in one bounded line when
    its window ends, a crowd still coming, a member that came and went, and an empty room.
    The clock is the tests' own.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "roomnews.h"
#include "testlib.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static testlib_capture_t s_capture; //  what the user was told (notices go to stderr)

//  Setup: news of a room, in the C locale (English).
static int
s_setup (void **state)
{
    setlocale (LC_ALL, "C");
    *state = roomnews_new ();
    return *state ? 0 : -1;
}

//  Teardown: destroy it, twice.
static int
s_teardown (void **state)
{
    roomnews_t *news = *state;
    roomnews_destroy (&news);
    roomnews_destroy (&news);
    return news ? -1 : 0;
}

//  Join count members named prefix0, prefix1, ... at now_ms, the room holding members before
//  the first.
static void
s_join (roomnews_t *news, const char *prefix, int count, size_t members, int64_t now_ms)
{
    for (int i = 0; i < count; i++) {
        char name[ROOMNEWS_NAME_BYTES];
        assert_true (snprintf (name, sizeof name, "%s%d", prefix, i) > 0);
        roomnews_joined (news, name, "127.0.0.1", 5000 + i, members + (size_t) i + 1, now_ms);
    }
}

//  A small room: every join and leave alone, at once, however many at once.
static void
test_small_room (void **state)
{
    roomnews_t *news = *state;
    testlib_capture_start (&s_capture);
    s_join (news, "n", ROOMNEWS_ROOM_SMALL, 0, 1000);
    roomnews_joined (news, "via", "?", -1, ROOMNEWS_ROOM_SMALL, 1000);
    roomnews_left (news, "n0", ROOMNEWS_ROOM_SMALL - 1, 1000);
    roomnews_silent (news, "n1", "127.0.0.1:5001", 4, ROOMNEWS_ROOM_SMALL - 2, 1000);
    roomnews_tick (news, 9000);
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture, "-- n0 joined (127.0.0.1:5000)\n"
                                     "-- n1 joined (127.0.0.1:5001)\n"
                                     "-- n2 joined (127.0.0.1:5002)\n"
                                     "-- n3 joined (127.0.0.1:5003)\n"
                                     "-- n4 joined (127.0.0.1:5004)\n"
                                     "-- n5 joined (127.0.0.1:5005)\n"
                                     "-- n6 joined (127.0.0.1:5006)\n"
                                     "-- n7 joined (127.0.0.1:5007)\n"
                                     "-- n8 joined (127.0.0.1:5008)\n"
                                     "-- n9 joined (127.0.0.1:5009)\n"
                                     "-- via joined (?)\n"
                                     "-- n0 left\n"
                                     "-- n1 left (no heartbeat from 127.0.0.1:5001 for 4 s)\n");
    assert_false (roomnews_waiting (news));
}

//  A big room: the first three of a burst alone, the others in one line when the window
//  ends, with ten names at most and how many more.
static void
test_burst (void **state)
{
    roomnews_t *news = *state;
    testlib_capture_start (&s_capture);
    s_join (news, "a", 3, ROOMNEWS_ROOM_SMALL, 1000);
    s_join (news, "b", 13, ROOMNEWS_ROOM_SMALL + 3, 2000);
    assert_true (roomnews_waiting (news));
    roomnews_tick (news, 1000 + ROOMNEWS_WINDOW_MS - 1);
    const char *told = testlib_capture_read (&s_capture, STDERR_FILENO);
    assert_null (strstr (told, "more"));
    roomnews_tick (news, 1000 + ROOMNEWS_WINDOW_MS);
    roomnews_tick (news, 1000 + 2 * ROOMNEWS_WINDOW_MS); //  told once
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture,
                         "-- a0 joined (127.0.0.1:5000)\n"
                         "-- a1 joined (127.0.0.1:5001)\n"
                         "-- a2 joined (127.0.0.1:5002)\n"
                         "-- 13 more joined in the last 5 s: b0, b1, b2, b3, b4, b5, b6, b7, "
                         "b8, b9, \xE2\x80\xA6 (+3)\n");
    assert_false (roomnews_waiting (news));
}

//  Long names: the summary lists as many as fit ROOMNEWS_NAMES_BYTES, the first always.
static void
test_bounded (void **state)
{
    roomnews_t *news = *state;
    char name[ROOMNEWS_NAME_BYTES];
    s_join (news, "a", ROOMNEWS_SHOWN_MAX, 100, 0); //  not captured: the first three
    testlib_capture_start (&s_capture);
    for (int i = 0; i < 8; i++) {
        assert_true (snprintf (name, sizeof name, "%c%s", 'a' + i,
                               "bcdefghijklmnopqrstuvwxyzabcdef") > 0); //  32 characters
        roomnews_joined (news, name, "127.0.0.1", 5000, 110, 10);
    }
    roomnews_tick (news, ROOMNEWS_WINDOW_MS);
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture, "-- 8 more joined in the last 5 s: "
                                     "abcdefghijklmnopqrstuvwxyzabcdef, "
                                     "bbcdefghijklmnopqrstuvwxyzabcdef, "
                                     "cbcdefghijklmnopqrstuvwxyzabcdef, \xE2\x80\xA6 (+5)\n");
    assert_true (strlen (s_capture.err) < 160);
}

//  A crowd still coming: a window less than a window after a summary waits from its first
//  join; after a quiet window, the first three are alone again.
static void
test_crowd (void **state)
{
    roomnews_t *news = *state;
    s_join (news, "a", 4, 20, 0);
    roomnews_tick (news, ROOMNEWS_WINDOW_MS); //  "1 more joined", at 5 s
    testlib_capture_start (&s_capture);
    s_join (news, "b", 2, 30, ROOMNEWS_WINDOW_MS + 1000);
    roomnews_tick (news, 2 * ROOMNEWS_WINDOW_MS + 1000);
    s_join (news, "c", 1, 40, 4 * ROOMNEWS_WINDOW_MS);
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture, "-- 2 more joined in the last 5 s: b0, b1\n"
                                     "-- c0 joined (127.0.0.1:5000)\n");
}

//  A member that joins and leaves while its join waits is in neither list: the join line
//  counts it. Leaves have a window of their own, a goodbye and a silence alike; a summary
//  due is told before the news that comes after its window, tick or no tick.
static void
test_came_and_went (void **state)
{
    roomnews_t *news = *state;
    s_join (news, "a", 3, 20, 0);
    s_join (news, "b", 2, 23, 100);
    testlib_capture_start (&s_capture);
    roomnews_left (news, "b0", 24, 200);
    roomnews_left (news, "a0", 23, 300);
    roomnews_silent (news, "a1", "127.0.0.1:5001", 4, 22, 300);
    roomnews_left (news, "x", 21, 400);
    roomnews_left (news, "y", 20, 400);
    roomnews_left (news, "z", 19, 400);
    roomnews_joined (news, "d", "127.0.0.1", 5557, 20, ROOMNEWS_WINDOW_MS + 100); //  a crowd
    roomnews_tick (news, ROOMNEWS_WINDOW_MS + 300);
    roomnews_tick (news, 2 * ROOMNEWS_WINDOW_MS + 100);
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture, "-- a0 left\n"
                                     "-- a1 left (no heartbeat from 127.0.0.1:5001 for 4 s)\n"
                                     "-- x left\n"
                                     "-- 1 more joined in the last 5 s: b1\n"
                                     "-- 1 more joined and left again in the last 5 s: b0\n"
                                     "-- 2 more left in the last 5 s: y, z\n"
                                     "-- 1 more joined in the last 5 s: d\n");
}

//  The room empties: what waits is told at once (no tick comes to an empty room), over the
//  time it took. The joins that wait and leave again are counted and listed.
static void
test_empty_room (void **state)
{
    roomnews_t *news = *state;
    s_join (news, "a", 14, 0, 0);
    testlib_capture_start (&s_capture);
    for (int i = 0; i < 14; i++) {
        char name[ROOMNEWS_NAME_BYTES];
        assert_true (snprintf (name, sizeof name, "a%d", i) > 0);
        roomnews_left (news, name, (size_t) (13 - i), 1500);
    }
    testlib_capture_stop (&s_capture);
    testlib_assert_told (&s_capture,
                         "-- a0 left\n"
                         "-- a1 left\n"
                         "-- a2 left\n"
                         "-- 4 more joined and left again in the last 2 s: a10, a11, a12, a13\n"
                         "-- 7 more left in the last 1 s: a3, a4, a5, a6, a7, a8, a9\n");
    assert_false (roomnews_waiting (news));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_small_room, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_burst, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bounded, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_crowd, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_came_and_went, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_empty_room, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("roomnews", tests, NULL, NULL);
}
