/*  test_routes.c - unit tests for routes.c: which authors we ask another member to forward,
    and of whom; and for forward.c: what others ask us to forward, and the queue.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "forward.h"
#include "routes.h"
#include "testlib.h"

#include <string.h>

static const uint8_t US[WIRE_SENDER_BYTES] = {0x50, 1};
static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0xa0, 2};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x20, 3}; //  lower than david's
static const uint8_t CESAR[WIRE_SENDER_BYTES] = {0xc0, 4};
static const uint8_t DAVID[WIRE_SENDER_BYTES] = {0x30, 5};

#define T0 1000000 // a monotonic time far from 0

//  A heartbeat listing count members of ids.
static control_beat_t
s_beat (const uint8_t (*ids)[WIRE_SENDER_BYTES], size_t count)
{
    control_beat_t beat = {.port = 5557};
    for (size_t i = 0; i < count; i++) {
        memcpy (beat.peers[i].id, ids[i], WIRE_SENDER_BYTES);
        snprintf (beat.peers[i].address, sizeof beat.peers[i].address, "198.18.2.%zu:5557", i + 3);
    }
    beat.peer_count = count;
    return beat;
}

//  The next change of routes at now_ms, which must exist.
static routes_change_t
s_change (routes_t *routes, int64_t now_ms)
{
    routes_change_t change;
    assert_true (routes_next_change (routes, now_ms, &change));
    return change;
}

//  cesar, listed by bertil but never heard directly, is asked of bertil after VIA_AFTER_MS,
//  not before; his address is the one bertil lists; heard directly, the subscription goes.
static void
test_via_after_a_while (void **state)
{
    (void) state;
    routes_t *routes = routes_new (US);
    assert_non_null (routes);
    const uint8_t listed[][WIRE_SENDER_BYTES] = {{0x50, 1}, {0xc0, 4}}; //  us and cesar
    control_beat_t beat = s_beat (listed, 2);
    routes_change_t change;
    for (int64_t t = T0; t < T0 + VIA_AFTER_MS; t += 1000) {
        routes_heard (routes, BERTIL, &beat, t);
        assert_false (routes_next_change (routes, t, &change));
    }
    routes_heard (routes, BERTIL, &beat, T0 + VIA_AFTER_MS);
    change = s_change (routes, T0 + VIA_AFTER_MS);
    assert_true (change.subscribe);
    assert_memory_equal (change.forwarder, BERTIL, WIRE_SENDER_BYTES);
    assert_memory_equal (change.author, CESAR, WIRE_SENDER_BYTES);
    assert_false (routes_next_change (routes, T0 + VIA_AFTER_MS, &change));
    uint8_t forwarder[WIRE_SENDER_BYTES];
    assert_true (routes_forwarder (routes, CESAR, forwarder));
    assert_memory_equal (forwarder, BERTIL, WIRE_SENDER_BYTES);
    char address[ENDPOINT_MAX_BYTES];
    routes_address (routes, CESAR, address, sizeof address);
    assert_string_equal (address, "198.18.2.4:5557");
    assert_false (routes_forwarder (routes, BERTIL, forwarder)); //  heard directly: no route
    //  cesar is heard directly now: no more forwarding
    const uint8_t none[][WIRE_SENDER_BYTES] = {{0}};
    control_beat_t alone = s_beat (none, 0);
    routes_heard (routes, CESAR, &alone, T0 + VIA_AFTER_MS + 500);
    change = s_change (routes, T0 + VIA_AFTER_MS + 500);
    assert_false (change.subscribe);
    assert_memory_equal (change.author, CESAR, WIRE_SENDER_BYTES);
    assert_false (routes_forwarder (routes, CESAR, forwarder));
    routes_destroy (&routes);
    routes_destroy (&routes);
    assert_null (routes);
}

//  Two members list cesar: the lower id (bertil) forwards, once; when bertil stops listing
//  him, david takes over (the old subscription goes first).
static void
test_lowest_forwarder (void **state)
{
    (void) state;
    routes_t *routes = routes_new (US);
    const uint8_t listed[][WIRE_SENDER_BYTES] = {{0xc0, 4}};
    control_beat_t beat = s_beat (listed, 1);
    routes_heard (routes, DAVID, &beat, T0);
    routes_heard (routes, BERTIL, &beat, T0);
    int64_t t = T0 + VIA_AFTER_MS;
    routes_heard (routes, DAVID, &beat, t);
    routes_heard (routes, BERTIL, &beat, t);
    routes_change_t change = s_change (routes, t);
    assert_true (change.subscribe);
    assert_memory_equal (change.forwarder, BERTIL, WIRE_SENDER_BYTES);
    assert_false (routes_next_change (routes, t, &change));
    //  Only david lists him from now on
    t += ROUTES_STALE_MS + 1;
    routes_heard (routes, DAVID, &beat, t);
    change = s_change (routes, t);
    assert_false (change.subscribe);
    assert_memory_equal (change.forwarder, BERTIL, WIRE_SENDER_BYTES);
    change = s_change (routes, t);
    assert_true (change.subscribe);
    assert_memory_equal (change.forwarder, DAVID, WIRE_SENDER_BYTES);
    //  david says goodbye: nobody forwards cesar, and his route goes
    routes_forget (routes, DAVID);
    change = s_change (routes, t);
    assert_false (change.subscribe);
    assert_false (routes_next_change (routes, t + ROUTES_DIRECT_MS + 1, &change));
    routes_destroy (&routes);
}

//  A forwarder that passes nothing on (an older chat, which lists cesar but does not forward)
//  is passed over after ROUTES_SILENT_MS for the next one; one that forwards stays.
static void
test_silent_forwarder (void **state)
{
    (void) state;
    routes_t *routes = routes_new (US);
    const uint8_t listed[][WIRE_SENDER_BYTES] = {{0xc0, 4}};
    control_beat_t beat = s_beat (listed, 1);
    int64_t t = T0;
    routes_change_t change;
    for (; t < T0 + VIA_AFTER_MS + ROUTES_SILENT_MS; t += 1000) {
        routes_heard (routes, BERTIL, &beat, t);
        routes_heard (routes, DAVID, &beat, t);
        if (routes_next_change (routes, t, &change)) {
            assert_true (change.subscribe);
            assert_memory_equal (change.forwarder, BERTIL, WIRE_SENDER_BYTES);
        }
    }
    //  bertil forwarded nothing in ROUTES_SILENT_MS: david is asked instead
    routes_heard (routes, BERTIL, &beat, t);
    routes_heard (routes, DAVID, &beat, t);
    change = s_change (routes, t);
    assert_false (change.subscribe);
    change = s_change (routes, t);
    assert_true (change.subscribe);
    assert_memory_equal (change.forwarder, DAVID, WIRE_SENDER_BYTES);
    //  david forwards: he stays, long after
    for (int64_t later = t + 1000; later < t + 3 * ROUTES_SILENT_MS; later += 1000) {
        routes_heard (routes, BERTIL, &beat, later);
        routes_heard (routes, DAVID, &beat, later);
        routes_forwarded (routes, CESAR, 0, later);
        assert_false (routes_next_change (routes, later, &change));
    }
    routes_destroy (&routes);
}

//  A heartbeat naming hundreds of members (a hostile one) costs a bounded table.
static void
test_bounded (void **state)
{
    (void) state;
    routes_t *routes = routes_new (US);
    for (int round = 0; round < 20; round++) {
        uint8_t ids[CONTROL_PEERS_MAX][WIRE_SENDER_BYTES];
        for (size_t i = 0; i < CONTROL_PEERS_MAX; i++) {
            memset (ids[i], 0, WIRE_SENDER_BYTES);
            ids[i][0] = (uint8_t) round;
            ids[i][1] = (uint8_t) i;
            ids[i][2] = 0xee;
        }
        control_beat_t beat =
            s_beat ((const uint8_t (*)[WIRE_SENDER_BYTES]) ids, CONTROL_PEERS_MAX);
        routes_heard (routes, ANNA, &beat, T0 + round);
        assert_true (routes_size (routes) <= ROUTES_MAX);
    }
    assert_int_equal (routes_size (routes), ROUTES_MAX);
    //  Half of them listed again later: the others go, and the table still finds each one
    //  (listing them again makes no second route for any)
    uint8_t again[CONTROL_PEERS_MAX][WIRE_SENDER_BYTES];
    for (size_t i = 0; i < CONTROL_PEERS_MAX; i++) {
        memset (again[i], 0, WIRE_SENDER_BYTES);
        again[i][0] = (uint8_t) (i % 4);
        again[i][1] = (uint8_t) (i * 3 % CONTROL_PEERS_MAX);
        again[i][2] = 0xee;
    }
    control_beat_t later = s_beat ((const uint8_t (*)[WIRE_SENDER_BYTES]) again, CONTROL_PEERS_MAX);
    routes_heard (routes, ANNA, &later, T0 + 30000);
    routes_change_t change;
    while (routes_next_change (routes, T0 + 30000 + ROUTES_STALE_MS / 2, &change))
        assert_true (change.subscribe); //  the fresh ones are asked of anna; the stale go
    assert_int_equal (routes_size (routes), CONTROL_PEERS_MAX + 1); //  and anna herself
    routes_heard (routes, ANNA, &later, T0 + 30001);
    assert_int_equal (routes_size (routes), CONTROL_PEERS_MAX + 1);
    uint8_t forwarder[WIRE_SENDER_BYTES];
    for (size_t i = 0; i < CONTROL_PEERS_MAX; i++) {
        assert_true (routes_forwarder (routes, again[i], forwarder));
        assert_memory_equal (forwarder, ANNA, WIRE_SENDER_BYTES);
    }
    //  Once nobody lists them, they are forgotten
    while (routes_next_change (routes, T0 + 90000, &change))
        ;
    assert_int_equal (routes_size (routes), 0);
    routes_destroy (&routes);
}

//  forward.c: subscriptions are counted per author; a message is queued only while wanted,
//  comes out whole with its author, and the queue is bounded.
static void
test_forward_queue (void **state)
{
    (void) state;
    forward_t *forward = forward_new ();
    assert_non_null (forward);
    const void *frames[] = {"~lines", "meta", "body", "sig"};
    const size_t sizes[] = {6, 4, 4, 3};
    assert_int_equal (forward_push (forward, ANNA, FORWARD_VIA, frames, sizes, 4),
                      1); //  nobody wants it
    assert_int_equal (forward_want (forward, ANNA, true), 1);
    assert_int_equal (forward_want (forward, ANNA, true), 2);
    assert_true (forward_wanted (forward, ANNA));
    assert_false (forward_wanted (forward, BERTIL));
    assert_int_equal (forward_push (forward, ANNA, FORWARD_VIA, frames, sizes, 4), 0);
    char byte;
    assert_int_equal (read (forward_news_fd (forward), &byte, 1), 1); //  readable: news
    uint8_t author[WIRE_SENDER_BYTES];
    forward_kind_t kind = FORWARD_PRIVATE;
    zmsg_t *message = forward_take (forward, author, &kind);
    assert_non_null (message);
    assert_int_equal (kind, FORWARD_VIA);
    assert_memory_equal (author, ANNA, WIRE_SENDER_BYTES);
    assert_int_equal (zmsg_size (message), 4);
    assert_true (zframe_streq (zmsg_first (message), "~lines"));
    zmsg_destroy (&message);
    assert_null (forward_take (forward, author, &kind));
    assert_int_equal (forward_want (forward, ANNA, false), 1);
    assert_int_equal (forward_want (forward, ANNA, false), 0);
    assert_false (forward_wanted (forward, ANNA));
    assert_int_equal (forward_want (forward, ANNA, false), 0); //  never below nobody
    //  Bounded: what does not fit is dropped and counted
    forward_want (forward, ANNA, true);
    for (int i = 0; i < FORWARD_QUEUE_MAX; i++)
        assert_int_equal (forward_push (forward, ANNA, FORWARD_VIA, frames, sizes, 4), 0);
    assert_int_equal (forward_push (forward, ANNA, FORWARD_VIA, frames, sizes, 4), -1);
    assert_int_equal (forward_dropped (forward), 1);
    forward_destroy (&forward); //  with what waits in it (ASan tells of a leak)
    forward_destroy (&forward);
    assert_null (forward);
}

//  forward_apply: an author's private topic is subscribed with its first listener and
//  unsubscribed after its last (not again in between), and a receipt queued with forward_ask
//  is asked on the SUB (subscribed and at once unsubscribed).
static void
test_forward_apply (void **state)
{
    (void) state;
    zsock_t *xpub, *sub;
    testlib_xpub_and_sub (&xpub, &sub);
    forward_t *forward = forward_new ();
    char topic[CONTROL_REQUEST_MAX_BYTES + 1], anna[CONTROL_PRIVATE_BYTES + 1];
    assert_int_equal (control_encode_private (anna, sizeof anna, ANNA), CONTROL_PRIVATE_BYTES);
    forward_want (forward, ANNA, true);
    forward_want (forward, ANNA, true);
    forward_want (forward, ANNA, false);
    forward_apply (forward, zsock_resolve (sub));
    int64_t deadline = zclock_mono () + 5000;
    assert_int_equal (testlib_upstream (xpub, topic, sizeof topic, deadline), 1);
    assert_string_equal (topic, anna);
    forward_want (forward, ANNA, false);
    control_request_t receipt = {.kind = CONTROL_REQUEST_ACK, .number = 3};
    memcpy (receipt.target, BERTIL, WIRE_SENDER_BYTES);
    assert_int_equal (forward_ask (forward, &receipt), 0);
    forward_apply (forward, zsock_resolve (sub));
    assert_int_equal (testlib_upstream (xpub, topic, sizeof topic, deadline), 0);
    assert_string_equal (topic, anna);
    char asked[CONTROL_REQUEST_MAX_BYTES + 1];
    assert_true (control_encode_request (asked, sizeof asked, &receipt) > 0);
    testlib_assert_upstream (xpub, asked);
    testlib_assert_nothing_upstream (zsock_resolve (sub), xpub);
    forward_destroy (&forward);
    zsock_destroy (&sub);
    zsock_destroy (&xpub);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_via_after_a_while), cmocka_unit_test (test_lowest_forwarder),
        cmocka_unit_test (test_silent_forwarder),  cmocka_unit_test (test_bounded),
        cmocka_unit_test (test_forward_queue),     cmocka_unit_test (test_forward_apply),
    };
    return cmocka_run_group_tests_name ("routes", tests, NULL, NULL);
}
