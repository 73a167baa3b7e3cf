/*  test_room.c - unit tests for room.c: members from heartbeats, goodbyes, silence, names
    that stay apart, and \who.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "room.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0x3f, 0x2a, 1};
static const uint8_t ANNA2[WIRE_SENDER_BYTES] = {0x77, 0x01, 2};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x10, 0x20, 3};

//  Setup: an empty room, in the C locale (English words in \who).
static int
s_setup (void **state)
{
    setlocale (LC_ALL, "C");
    *state = room_new ();
    return *state ? 0 : -1;
}

//  Teardown: destroy it, twice.
static int
s_teardown (void **state)
{
    room_t *room = *state;
    room_destroy (&room);
    room_destroy (&room);
    return room ? -1 : 0;
}

//  A heartbeat with port and channel.
static control_beat_t
s_beat (int port)
{
    control_beat_t beat = {.port = port};
    snprintf (beat.channel, sizeof beat.channel, "buddy");
    return beat;
}

//  Joining, hearing again, renaming, leaving: each news once.
static void
test_presence (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64];
    assert_int_equal (
        room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0),
        ROOM_NEWS_JOINED);
    assert_string_equal (name, "anna");
    assert_int_equal (
        room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 1000, name, sizeof name, NULL, 0),
        ROOM_NEWS_NONE);
    char previous[64];
    assert_int_equal (room_heard (room, ANNA, "anna2", "127.0.0.1", &beat, 2000, name, sizeof name,
                                  previous, sizeof previous),
                      ROOM_NEWS_RENAMED);
    assert_string_equal (previous, "anna");
    assert_string_equal (name, "anna2");
    assert_true (room_knows (room, ANNA));
    assert_int_equal (room_size (room), 1);
    assert_int_equal (room_bye (room, ANNA, name, sizeof name), ROOM_NEWS_LEFT);
    assert_string_equal (name, "anna2");
    assert_int_equal (room_bye (room, ANNA, name, sizeof name), ROOM_NEWS_NONE);
    assert_false (room_knows (room, ANNA));
}

//  Silence: a member is gone after MEMBER_GONE_MS, once; a member still beating is not.
static void
test_expire (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64], address[ENDPOINT_MAX_BYTES];
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, BERTIL, "bertil", "198.18.0.2", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, BERTIL, "bertil", "198.18.0.2", &beat, 3000, name, sizeof name, NULL, 0);
    assert_false (
        room_expire (room, MEMBER_GONE_MS, name, sizeof name, address, sizeof address, NULL));
    assert_true (
        room_expire (room, MEMBER_GONE_MS + 1, name, sizeof name, address, sizeof address, NULL));
    assert_string_equal (name, "anna");
    assert_string_equal (address, "127.0.0.1:5558");
    assert_false (
        room_expire (room, MEMBER_GONE_MS + 1, name, sizeof name, address, sizeof address, NULL));
    assert_true (room_knows (room, BERTIL));
}

//  Two members with one nick are told apart by their ids; one alone is not.
static void
test_same_nick (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64];
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    room_line (room, ANNA, "anna", name, sizeof name);
    assert_string_equal (name, "anna");
    beat.port = 5559;
    assert_int_equal (
        room_heard (room, ANNA2, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0),
        ROOM_NEWS_JOINED);
    assert_string_equal (name, "anna#7701");
    room_line (room, ANNA, "anna", name, sizeof name);
    assert_string_equal (name, "anna#3f2a");
    char listing[1024];
    assert_int_equal (room_describe (room, 0, listing, sizeof listing), 2);
    assert_non_null (strstr (listing, "anna#3f2a"));
    assert_non_null (strstr (listing, "anna#7701"));
}

//  A member with our own nick is told apart, so its lines never look like ours.
static void
test_own_nick (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64];
    room_set_own_nick (room, "anna");
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    assert_string_equal (name, "anna#3f2a");
    room_heard (room, BERTIL, "bertil", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    assert_string_equal (name, "bertil");
    room_set_own_nick (room, "anki");
    room_line (room, ANNA, "anna", name, sizeof name);
    assert_string_equal (name, "anna");
}

//  \who: address, channel and state; room_list gives what heartbeats carry.
static void
test_describe_and_list (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64], listing[1024];
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, BERTIL, "bertil", "::1", &beat, 0, name, sizeof name, NULL, 0);
    assert_int_equal (room_describe (room, 100, listing, sizeof listing), 2);
    assert_non_null (strstr (listing, "anna"));
    assert_non_null (strstr (listing, "127.0.0.1:5558"));
    assert_non_null (strstr (listing, "[::1]:5558"));
    assert_non_null (strstr (listing, "[buddy] connected"));
    assert_int_equal (room_describe (room, MEMBER_SILENT_MS + 1, listing, sizeof listing), 2);
    assert_non_null (strstr (listing, "silent"));
    room_set_reconnecting (room, "127.0.0.1:5558", true);
    room_describe (room, 100, listing, sizeof listing);
    assert_non_null (strstr (listing, "reconnecting"));
    control_peer_t peers[4];
    assert_int_equal (room_list (room, peers, 4), 2);
    assert_int_equal (room_list (room, peers, 1), 1);
    char tiny[8];
    assert_int_equal (room_describe (room, 0, tiny, sizeof tiny), 0);
    assert_string_equal (tiny, "");
}

//  A member heard at a second address keeps its first.
static void
test_twice (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64];
    room_line (room, ANNA, "anna", name, sizeof name); //  not a member yet: its nick
    assert_string_equal (name, "anna");
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    assert_int_equal (
        room_heard (room, ANNA, "anna", "198.18.0.1", &beat, 0, name, sizeof name, NULL, 0),
        ROOM_NEWS_TWICE);
    control_peer_t peers[2];
    assert_int_equal (room_list (room, peers, 2), 1);
    assert_string_equal (peers[0].address, "127.0.0.1:5558");
}

//  The room is bounded: a member past ROOM_MAX is not added.
static void
test_full (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5558);
    char name[64];
    uint8_t id[WIRE_SENDER_BYTES] = {0};
    for (int i = 0; i < ROOM_MAX; i++) {
        id[0] = (uint8_t) i, id[1] = (uint8_t) (i >> 8);
        assert_int_equal (
            room_heard (room, id, "x", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0),
            ROOM_NEWS_JOINED);
    }
    id[2] = 1;
    assert_int_equal (room_heard (room, id, "x", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0),
                      ROOM_NEWS_NONE);
    assert_int_equal (room_size (room), ROOM_MAX);
    //  \who of a full room fits the listing's buffer (commands.h), every member a line
    static char listing[ROOM_MAX * 256];
    assert_int_equal (room_describe (room, 0, listing, sizeof listing), ROOM_MAX);
}

static const uint8_t CESAR[WIRE_SENDER_BYTES] = {0xc0, 0x01, 4};

//  cesar heard only through bertil: a member shown "via bertil" at the address bertil lists,
//  not named in our own heartbeats; heard directly later, he is an ordinary member at his
//  own address (no "heard twice"); a forwarded heartbeat does not move a direct member.
static void
test_via (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5557);
    char name[64], listing[1024];
    room_heard (room, BERTIL, "bertil", "198.18.1.2", &beat, 0, name, sizeof name, NULL, 0);
    assert_int_equal (room_heard_via (room, CESAR, "cesar", BERTIL, "198.18.2.3:5557", &beat, 10,
                                      name, sizeof name),
                      ROOM_NEWS_JOINED);
    assert_string_equal (name, "cesar");
    assert_int_equal (room_heard_via (room, CESAR, "cesar", BERTIL, "198.18.2.3:5557", &beat, 20,
                                      name, sizeof name),
                      ROOM_NEWS_NONE);
    room_describe (room, 100, listing, sizeof listing);
    assert_non_null (strstr (listing, "cesar                198.18.2.3:5557        [buddy] "
                                      "connected, via bertil"));
    control_peer_t peers[4];
    assert_int_equal (room_list (room, peers, 4), 1); //  bertil only: forwarding is one hop
    assert_memory_equal (peers[0].id, BERTIL, WIRE_SENDER_BYTES);
    assert_int_equal (
        room_heard (room, CESAR, "cesar", "198.18.9.9", &beat, 30, name, sizeof name, NULL, 0),
        ROOM_NEWS_NONE);
    room_describe (room, 100, listing, sizeof listing);
    assert_null (strstr (listing, "via"));
    assert_non_null (strstr (listing, "198.18.9.9:5557"));
    room_heard_via (room, CESAR, "cesar", BERTIL, "198.18.2.3:5557", &beat, 40, name, sizeof name);
    room_describe (room, 100, listing, sizeof listing);
    assert_null (strstr (listing, "via"));
    assert_int_equal (room_list (room, peers, 4), 2);
}

//  A member with a back port that does not list us BACK_AFTER_MS after we first heard it is
//  dialled once, at IP:BACKPORT; it is then "carried" in our heartbeats and \who. One that
//  lists us, or has no back port, is not. A member that carries us is shown so. A relay too.
static void
test_back_links (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5557);
    beat.back_port = 41000;
    char name[64], listing[1024], endpoints[4][ENDPOINT_MAX_BYTES];
    uint8_t ids[4][WIRE_SENDER_BYTES];
    room_heard (room, BERTIL, "bertil", "198.18.1.2", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, ANNA, "anna", "198.18.1.3", &beat, 0, name, sizeof name, NULL, 0);
    room_set_links (room, ANNA, true, false); //  anna hears us
    assert_int_equal (room_back_links (room, BACK_AFTER_MS - 1, endpoints, ids, 4), 0);
    assert_int_equal (room_back_links (room, BACK_AFTER_MS, endpoints, ids, 4), 1);
    assert_string_equal (endpoints[0], "tcp://198.18.1.2:41000");
    assert_memory_equal (ids[0], BERTIL, WIRE_SENDER_BYTES);
    assert_int_equal (room_back_links (room, BACK_AFTER_MS * 2, endpoints, ids, 4), 0); //  once
    assert_int_equal (room_carried (room, ids, 4), 1);
    assert_memory_equal (ids[0], BERTIL, WIRE_SENDER_BYTES);
    room_describe (room, 100, listing, sizeof listing);
    assert_non_null (strstr (listing, "[buddy] connected, one-way (we carry it)"));
    room_set_links (room, ANNA, true, true); //  anna dialled our back port
    beat.relay = true;
    room_heard (room, ANNA, "anna", "198.18.1.3", &beat, 50, name, sizeof name, NULL, 0);
    room_describe (room, 100, listing, sizeof listing);
    assert_non_null (strstr (listing, "[buddy] connected, one-way (carried by anna) (relay)"));
    control_beat_t plain = s_beat (5557); //  no back port: nothing to dial
    room_heard (room, CESAR, "cesar", "198.18.1.4", &plain, 0, name, sizeof name, NULL, 0);
    assert_int_equal (room_back_links (room, BACK_AFTER_MS * 3, endpoints, ids, 4), 0);
}

//  A member that hears us is never dialled back: it subscribed on our XPUB (even before its
//  first heartbeat), or a heartbeat of it listed us once (a big room's heartbeats list only a
//  window of it, so a later one that does not is no sign).
static void
test_back_links_not_needed (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5557);
    beat.back_port = 41000;
    char name[64], endpoints[4][ENDPOINT_MAX_BYTES];
    uint8_t ids[4][WIRE_SENDER_BYTES];
    room_set_listening (room, "198.18.1.2:5557"); //  bertil's SUB subscribed first
    room_heard (room, BERTIL, "bertil", "198.18.1.2", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, ANNA, "anna", "198.18.1.3", &beat, 0, name, sizeof name, NULL, 0);
    room_set_links (room, ANNA, true, false);
    room_set_links (room, ANNA, false, false); //  a window that left us out
    assert_int_equal (room_back_links (room, BACK_AFTER_MS * 2, endpoints, ids, 4), 0);
    room_heard (room, CESAR, "cesar", "198.18.1.4", &beat, 0, name, sizeof name, NULL, 0);
    room_set_listening (room, "198.18.1.4:5557"); //  cesar's subscription came after
    assert_int_equal (room_back_links (room, BACK_AFTER_MS * 2, endpoints, ids, 4), 0);
}

//  room_list_from names a window of the room, wrapping round.
static void
test_list_window (void **state)
{
    room_t *room = *state;
    control_beat_t beat = s_beat (5557);
    char name[64];
    room_heard (room, ANNA, "anna", "127.0.0.1", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, BERTIL, "bertil", "127.0.0.2", &beat, 0, name, sizeof name, NULL, 0);
    room_heard (room, CESAR, "cesar", "127.0.0.3", &beat, 0, name, sizeof name, NULL, 0);
    control_peer_t peers[2];
    assert_int_equal (room_list_from (room, 2, peers, 2), 2);
    assert_memory_equal (peers[0].id, CESAR, WIRE_SENDER_BYTES);
    assert_memory_equal (peers[1].id, ANNA, WIRE_SENDER_BYTES);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_presence, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_expire, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_same_nick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_describe_and_list, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_twice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_own_nick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_via, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_back_links, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_back_links_not_needed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_list_window, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("room", tests, NULL, NULL);
}
