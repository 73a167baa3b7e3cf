/*  test_digest.c - unit tests for heartbeats in a big room (PROTOKOLL.md 21): the interval
    that grows with the room, timeouts scaled to each member's interval, the digest of the
    member list, and heartbeats that list the members only when the list changed.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "presence.h"
#include "roomlock.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define T0 1000000 // a monotonic time far from 0

static const uint8_t US[WIRE_SENDER_BYTES] = {0x50, 1};
static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0xa0, 2};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x20, 3};
static const uint8_t CESAR[WIRE_SENDER_BYTES] = {0xc0, 4};

//  A heartbeat on port, beating every every_ms, with a digest when digest is set.
static control_beat_t
s_beat (int port, int every_ms, bool digest)
{
    control_beat_t beat = {.port = port, .every_ms = every_ms, .has_digest = digest};
    snprintf (beat.channel, sizeof beat.channel, "buddy");
    return beat;
}

//  A member id number n (n > 0).
static void
s_id (uint8_t id[WIRE_SENDER_BYTES], size_t n)
{
    memset (id, 0, WIRE_SENDER_BYTES);
    id[0] = 0x70;
    id[1] = (uint8_t) (n >> 8);
    id[2] = (uint8_t) n;
}

//  "every" and "digest" survive a round trip; an interval out of range is as if not said; a
//  digest that is not 32 hex digits refuses the body.
static void
test_control_keys (void **state)
{
    (void) state;
    static control_beat_t beat, back;
    beat = s_beat (5557, 3500, true);
    memset (beat.digest, 0xab, sizeof beat.digest);
    char body[CONTROL_BODY_MAX_BYTES];
    int size = control_encode_beat (body, sizeof body, &beat);
    assert_true (size > 0);
    assert_non_null (strstr (body, "every 3500\ndigest abababab"));
    assert_int_equal (control_decode_beat (body, (size_t) size, &back), 0);
    assert_int_equal (back.every_ms, 3500);
    assert_true (back.has_digest);
    assert_memory_equal (back.digest, beat.digest, CONTROL_DIGEST_BYTES);
    const char *ignored[] = {"port 5557\nevery 10\n", "port 5557\nevery 999999\n",
                             "port 5557\nevery -5\n", "port 5557\nevery x\n"};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        assert_int_equal (control_decode_beat (ignored[i], strlen (ignored[i]), &back), 0);
        assert_int_equal (back.every_ms, 0);
    }
    const char *refused[] = {"port 5557\ndigest 12\n",
                             "port 5557\ndigest 0123456789abcdef0123456789abcdef0\n", //  33
                             "port 5557\ndigest 0123456789ABCDEF0123456789abcdef\n"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal (control_decode_beat (refused[i], strlen (refused[i]), &back), -1);
    //  An older chat's heartbeat says neither
    assert_int_equal (control_decode_beat ("port 5557\n", 10, &back), 0);
    assert_false (back.has_digest);
}

//  The interval: 1 s up to BEAT_ROOM_SMALL members, then BEAT_PER_MEMBER_MS each, at most
//  BEAT_INTERVAL_MAX_MS; timeouts scale with it.
static void
test_interval (void **state)
{
    (void) state;
    assert_int_equal (room_interval_ms (0), 1000);
    assert_int_equal (room_interval_ms (BEAT_ROOM_SMALL), 1000);
    assert_int_equal (room_interval_ms (30), 6000);
    assert_int_equal (room_interval_ms (64), 12800);
    assert_int_equal (room_interval_ms (99), 19800);
    assert_int_equal (room_interval_ms (100), BEAT_INTERVAL_MAX_MS);
    assert_int_equal (room_interval_ms (150), BEAT_INTERVAL_MAX_MS);
    assert_int_equal (room_interval_ms (ROOM_MAX), BEAT_INTERVAL_MAX_MS);
    assert_int_equal (room_scaled_ms (MEMBER_GONE_MS, 0), MEMBER_GONE_MS);
    assert_int_equal (room_scaled_ms (MEMBER_GONE_MS, 500), MEMBER_GONE_MS); //  never shorter
    assert_int_equal (room_scaled_ms (MEMBER_GONE_MS, 5000), 5 * MEMBER_GONE_MS);
}

//  A member that beats every 5 s is not gone after 4 s of silence, but after 20; a member whose
//  connection broke is gone MEMBER_GONE_MS after its last heartbeat, whatever its interval.
static void
test_expire_scaled (void **state)
{
    (void) state;
    room_t *room = room_new ();
    assert_non_null (room);
    control_beat_t slow = s_beat (5558, 5000, true);
    char name[64], address[ENDPOINT_MAX_BYTES];
    room_heard (room, ANNA, "anna", "127.0.0.1", &slow, T0, name, sizeof name, NULL, 0);
    room_heard (room, BERTIL, "bertil", "127.0.0.2", &slow, T0, name, sizeof name, NULL, 0);
    char listing[1024];
    room_describe (room, T0 + 4500, listing, sizeof listing);
    assert_null (strstr (listing, "silent")); //  2.5 beats at 5 s: 12.5 s
    assert_false (room_expire (room, T0 + MEMBER_GONE_MS + 1, name, sizeof name, address,
                               sizeof address, NULL));
    room_set_reconnecting (room, "127.0.0.2:5558", true); //  bertil's process died
    assert_true (room_expire (room, T0 + MEMBER_GONE_MS + 1, name, sizeof name, address,
                              sizeof address, NULL));
    assert_string_equal (name, "bertil");
    assert_false (room_expire (room, T0 + 5 * MEMBER_GONE_MS, name, sizeof name, address,
                               sizeof address, NULL));
    assert_true (room_expire (room, T0 + 5 * MEMBER_GONE_MS + 1, name, sizeof name, address,
                              sizeof address, NULL));
    assert_string_equal (name, "anna");
    room_destroy (&room);
}

//  The digest depends on the members we hear directly, not on their order; each member's last
//  list digest is remembered; a room reads digests only when every member does.
static void
test_room_digest (void **state)
{
    (void) state;
    room_t *one = room_new (), *two = room_new ();
    assert_non_null (one);
    assert_non_null (two);
    control_beat_t beat = s_beat (5558, 0, true), old = s_beat (5559, 0, false);
    char name[64];
    uint8_t empty[CONTROL_DIGEST_BYTES], a[CONTROL_DIGEST_BYTES], b[CONTROL_DIGEST_BYTES];
    room_digest (one, empty);
    assert_true (room_all_read_digests (one));
    room_heard (one, ANNA, "anna", "127.0.0.1", &beat, T0, name, sizeof name, NULL, 0);
    room_heard (one, BERTIL, "bertil", "127.0.0.2", &beat, T0, name, sizeof name, NULL, 0);
    room_heard (two, BERTIL, "bertil", "127.0.0.2", &beat, T0, name, sizeof name, NULL, 0);
    room_heard (two, ANNA, "anna", "127.0.0.1", &beat, T0, name, sizeof name, NULL, 0);
    room_digest (one, a);
    room_digest (two, b);
    assert_memory_equal (a, b, sizeof a);
    assert_memory_not_equal (a, empty, sizeof a);
    //  A member heard only through a forwarder is not in our list
    room_heard_via (two, CESAR, "cesar", ANNA, "", &beat, T0, name, sizeof name);
    room_digest (two, b);
    assert_memory_equal (a, b, sizeof a);
    assert_true (room_all_read_digests (one));
    assert_false (room_list_digest (one, ANNA, a, false));
    assert_true (room_list_digest (one, ANNA, a, true));
    assert_true (room_list_digest (one, ANNA, a, false));
    assert_false (room_list_digest (one, ANNA, empty, false));
    assert_false (room_list_digest (one, CESAR, a, true)); //  not a member
    room_heard (one, CESAR, "cesar", "127.0.0.3", &old, T0, name, sizeof name, NULL, 0);
    assert_false (room_all_read_digests (one)); //  an older chat: lists in full, every second
    room_destroy (&one);
    room_destroy (&two);
}

//  A forwarder that beats every 5 s still counts 4 s after its listing; a heartbeat that says
//  its list is unchanged keeps its listings fresh without listing them again.
static void
test_routes_relisted (void **state)
{
    (void) state;
    routes_t *routes = routes_new (US);
    assert_non_null (routes);
    control_beat_t beat = s_beat (5557, 5000, true);
    memcpy (beat.peers[0].id, CESAR, WIRE_SENDER_BYTES);
    snprintf (beat.peers[0].address, sizeof beat.peers[0].address, "198.18.2.3:5557");
    beat.peer_count = 1;
    routes_heard (routes, BERTIL, &beat, T0);
    routes_change_t change;
    int64_t t = T0 + VIA_AFTER_MS + 1000; //  4 s after: stale at 1 s a beat, fresh at 5 s
    assert_true (routes_next_change (routes, t, &change));
    assert_true (change.subscribe);
    assert_memory_equal (change.forwarder, BERTIL, WIRE_SENDER_BYTES);
    assert_memory_equal (change.author, CESAR, WIRE_SENDER_BYTES);
    //  bertil's next heartbeats only say "same list"; we still ask him for cesar
    for (int i = 1; i <= 6; i++) {
        routes_relisted (routes, BERTIL, 5000, T0 + i * 5000);
        routes_forwarded (routes, CESAR, 5000, T0 + i * 5000);
        assert_false (routes_next_change (routes, T0 + i * 5000 + 4000, &change));
    }
    uint8_t forwarder[WIRE_SENDER_BYTES];
    assert_true (routes_forwarder (routes, CESAR, forwarder));
    //  Without them, the listing goes stale (2.5 beats) and the subscription goes
    assert_true (routes_next_change (routes, T0 + 6 * 5000 + 13000, &change));
    assert_false (change.subscribe);
    routes_destroy (&routes);
}

//  What a test of presence_beat needs: a room, our channel, a publisher and a SUB on "~beat"
typedef struct {
    room_t *room;           //  the members
    channels_t *channels;   //  our channel
    roomlock_t *lock;       //  an open room
    publisher_t *publisher; //  our XPUB
    presence_t *presence;   //  what is tested
    zsock_t *sub;           //  hears our heartbeats
} fixture_t;

//  Setup: everything above, the SUB's subscription arrived.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    int port;
    fixture->room = room_new ();
    fixture->channels = channels_new ("buddy");
    fixture->lock = roomlock_new ();
    fixture->publisher =
        testlib_publisher_new (fixture->lock, testlib_identity (1), "us", false, &port);
    fixture->presence = presence_new (fixture->publisher, fixture->channels, fixture->room);
    assert_non_null (fixture->presence);
    fixture->sub = zsock_new (ZMQ_SUB);
    zsock_set_subscribe (fixture->sub, CONTROL_BEAT);
    assert_int_equal (zsock_connect (fixture->sub, "tcp://127.0.0.1:%d", port), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    *state = fixture;
    return 0;
}

//  Teardown: destroy it all.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    zsock_destroy (&fixture->sub);
    presence_destroy (&fixture->presence);
    publisher_destroy (&fixture->publisher);
    roomlock_destroy (&fixture->lock);
    channels_destroy (&fixture->channels);
    room_destroy (&fixture->room);
    free (fixture);
    return 0;
}

//  The heartbeat presence_beat sends at now_ms (which must be due): decoded into beat.
//  Returns when the next one is due.
static int64_t
s_beat_at (fixture_t *fixture, int64_t now_ms, control_beat_t *beat)
{
    int64_t next = presence_beat (fixture->presence, now_ms);
    testlib_wait_readable (fixture->sub, 2000);
    zmsg_t *message = zmsg_recv (fixture->sub);
    assert_non_null (message);
    zframe_t *body = testlib_frame (message, 2);
    assert_int_equal (control_decode_beat (zframe_data (body), zframe_size (body), beat), 0);
    zmsg_destroy (&message);
    assert_false (testlib_readable (fixture->sub, 0)); //  one heartbeat, not two
    return next;
}

//  In a room that reads digests, a heartbeat lists the members when the list changed, when a
//  listener asked (presence_beat_soon) and every BEAT_FULL_EVERY-th time; else only the digest.
static void
test_beat_lists_on_change (void **state)
{
    fixture_t *fixture = *state;
    control_beat_t beat = s_beat (5558, 0, true), sent;
    char name[64];
    room_heard (fixture->room, ANNA, "anna", "127.0.0.1", &beat, T0, name, sizeof name, NULL, 0);
    int64_t t = s_beat_at (fixture, T0, &sent);
    assert_int_equal (t, T0 + BEAT_INTERVAL_MS);
    assert_int_equal (sent.peer_count, 1);
    assert_true (sent.has_digest);
    assert_int_equal (sent.every_ms, BEAT_INTERVAL_MS);
    uint8_t digest[CONTROL_DIGEST_BYTES];
    memcpy (digest, sent.digest, sizeof digest);
    t = s_beat_at (fixture, t, &sent);
    assert_int_equal (sent.peer_count, 0); //  unchanged: the digest only
    assert_memory_equal (sent.digest, digest, sizeof digest);
    room_heard (fixture->room, BERTIL, "bertil", "127.0.0.2", &beat, t, name, sizeof name, NULL, 0);
    t = s_beat_at (fixture, t, &sent);
    assert_int_equal (sent.peer_count, 2); //  changed
    assert_memory_not_equal (sent.digest, digest, sizeof digest);
    //  A new listener: a heartbeat BEAT_SOON_MS after the last, listing the members
    presence_beat_soon (fixture->presence);
    assert_int_equal (presence_beat (fixture->presence, t - BEAT_INTERVAL_MS), t - 800);
    t = s_beat_at (fixture, t - BEAT_INTERVAL_MS + BEAT_SOON_MS, &sent);
    assert_int_equal (sent.peer_count, 2);
    size_t listed = 0;
    for (int i = 0; i < 2 * BEAT_FULL_EVERY; i++) {
        t = s_beat_at (fixture, t, &sent);
        listed += sent.peer_count > 0;
    }
    assert_int_equal (listed, 2);
}

//  An older chat in the room (no digest in its heartbeats): every heartbeat lists the members,
//  every second, as before; a big room of new chats beats less often.
static void
test_beat_fallback_and_big_room (void **state)
{
    fixture_t *fixture = *state;
    control_beat_t beat = s_beat (5558, 0, true), old = s_beat (5558, 0, false), sent;
    char name[64], ip[32];
    uint8_t id[WIRE_SENDER_BYTES];
    for (size_t n = 1; n <= 100; n++) {
        s_id (id, n);
        snprintf (ip, sizeof ip, "127.0.%zu.%zu", n / 250, n % 250 + 1);
        room_heard (fixture->room, id, "m", ip, n == 100 ? &old : &beat, T0, name, sizeof name,
                    NULL, 0);
    }
    int64_t t = T0;
    //  Every window of the 100 once (each goes out once after the list changed)
    for (int i = 0; i < (100 + BEAT_WINDOW - 1) / BEAT_WINDOW; i++) {
        int64_t next = s_beat_at (fixture, t, &sent);
        assert_int_equal (next - t, BEAT_INTERVAL_MS);
        assert_int_equal (sent.every_ms, BEAT_INTERVAL_MS);
        assert_int_equal (sent.peer_count, BEAT_WINDOW); //  the last one wraps round
        t = next;
    }
    room_heard (fixture->room, id, "m", ip, &beat, t, name, sizeof name, NULL, 0); //  upgraded
    int64_t next = s_beat_at (fixture, t, &sent);
    assert_int_equal (next - t, 20000); //  100 members at BEAT_PER_MEMBER_MS each
    assert_int_equal (sent.every_ms, 20000);
    assert_int_equal (sent.peer_count, 0); //  the list is the one sent
    s_id (id, 101);
    room_heard (fixture->room, id, "m", "127.0.9.9", &beat, t, name, sizeof name, NULL, 0);
    //  It changed: each window goes out, once (101 members, 24 a window: 5 windows)
    for (size_t i = 0; i < (101 + BEAT_WINDOW - 1) / BEAT_WINDOW; i++) {
        next = s_beat_at (fixture, next, &sent);
        assert_int_equal (sent.every_ms, BEAT_INTERVAL_MAX_MS);
        assert_int_equal (sent.peer_count, BEAT_WINDOW);
    }
    s_beat_at (fixture, next, &sent);
    assert_int_equal (sent.peer_count, 0);
}

//  The heartbeat presence_beat_to sent to ANNA alone, on private (a SUB on her private topic):
//  "beat", the body decoded into beat, our metadata, our signature.
static void
s_beat_to_anna (zsock_t *private, control_beat_t *beat)
{
    testlib_wait_readable (private, 2000);
    zmsg_t *message = zmsg_recv (private);
    assert_non_null (message);
    assert_int_equal (zmsg_size (message), 5);
    testlib_assert_frame (message, 1, CONTROL_KIND_BEAT, strlen (CONTROL_KIND_BEAT));
    zframe_t *body = testlib_frame (message, 2);
    assert_int_equal (control_decode_beat (zframe_data (body), zframe_size (body), beat), 0);
    zmsg_destroy (&message);
}

//  A new listener's heartbeat goes to it alone: a window of the list (the next window for the
//  next new listener) and the digest, none to all; a second one BEAT_TO_AGAIN_MS later.
static void
test_beat_to (void **state)
{
    fixture_t *fixture = *state;
    control_beat_t beat = s_beat (5558, 0, true), first, second, again;
    char name[64], ip[32], topic[CONTROL_PRIVATE_BYTES + 1];
    uint8_t id[WIRE_SENDER_BYTES];
    for (size_t n = 1; n <= 30; n++) {
        s_id (id, n);
        snprintf (ip, sizeof ip, "127.0.0.%zu", n);
        room_heard (fixture->room, id, "m", ip, &beat, T0, name, sizeof name, NULL, 0);
    }
    zsock_t *private = zsock_new (ZMQ_SUB);
    assert_int_equal (control_encode_private (topic, sizeof topic, ANNA), CONTROL_PRIVATE_BYTES);
    zsock_set_subscribe (private, topic);
    assert_int_equal (
        zsock_connect (private, "tcp://127.0.0.1:%d", publisher_port (fixture->publisher)), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    assert_int_equal (presence_beat_to (fixture->presence, ANNA, T0), 0);
    assert_int_equal (presence_beat_to (fixture->presence, ANNA, T0), 0);
    s_beat_to_anna (private, &first);
    s_beat_to_anna (private, &second);
    assert_int_equal (first.peer_count, BEAT_WINDOW);
    assert_true (first.has_digest);
    assert_memory_not_equal (first.peers[0].id, second.peers[0].id, WIRE_SENDER_BYTES);
    assert_false (testlib_readable (fixture->sub, 0)); //  nothing to all
    //  The second ones: due BEAT_TO_AGAIN_MS later (the heartbeat to all is due at once)
    int64_t next = presence_beat (fixture->presence, T0 + 1);
    assert_int_equal (next, T0 + BEAT_TO_AGAIN_MS);
    assert_false (testlib_readable (private, 0));
    presence_beat (fixture->presence, next);
    s_beat_to_anna (private, &again);
    s_beat_to_anna (private, &again);
    assert_int_equal (again.peer_count, BEAT_WINDOW);
    assert_false (testlib_readable (private, 100));
    zsock_destroy (&private);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_control_keys),
        cmocka_unit_test (test_interval),
        cmocka_unit_test (test_expire_scaled),
        cmocka_unit_test (test_room_digest),
        cmocka_unit_test (test_routes_relisted),
        cmocka_unit_test_setup_teardown (test_beat_lists_on_change, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_beat_fallback_and_big_room, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_beat_to, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("digest", tests, NULL, NULL);
}
