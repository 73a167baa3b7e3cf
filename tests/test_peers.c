/*  test_peers.c - unit tests for peers.c: the peer list, the queue of changes the subscriber
    thread carries out, and the connection state machine driven by socket events.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "peers.h"

#include <stdio.h>
#include <string.h>

#define A "tcp://127.0.0.1:5557"
#define B "tcp://127.0.0.1:5558"

//  Setup: a list holding peer A.
static int
s_setup (void **state)
{
    peers_t *peers = peers_new ();
    if (!peers || peers_add (peers, A, "127.0.0.1:5557", false) != 0)
        return -1;
    *state = peers;
    return 0;
}

//  Teardown: destroy the list.
static int
s_teardown (void **state)
{
    peers_t *peers = *state;
    peers_destroy (&peers);
    peers_destroy (&peers); //  safe twice
    assert_null (peers);
    return 0;
}

//  Adding and removing queue connects and disconnects, in order, once each.
static void
test_changes_queue (void **state)
{
    peers_t *peers = *state;
    char endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    assert_int_equal (peers_add (peers, A, "again", false), 1); //  already there: nothing queued
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", false), 0);
    assert_int_equal (peers_remove (peers, A), 0);
    assert_int_equal (peers_remove (peers, A), -1);
    assert_int_equal (peers_size (peers), 1);

    const struct {
        const char *endpoint;
        bool connect;
    } expected[] = {{A, true}, {B, true}, {A, false}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_true (peers_next_change (peers, endpoint, sizeof endpoint, &connect));
        assert_string_equal (endpoint, expected[i].endpoint);
        assert_int_equal (connect, expected[i].connect);
    }
    assert_false (peers_next_change (peers, endpoint, sizeof endpoint, &connect));
}

//  The list is bounded.
static void
test_full (void **state)
{
    peers_t *peers = *state;
    char endpoint[ENDPOINT_MAX_BYTES];
    for (int i = 1; i < PEERS_MAX; i++) {
        snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", 10000 + i);
        assert_int_equal (peers_add (peers, endpoint, endpoint + 6, false), 0);
    }
    assert_int_equal (peers_add (peers, "tcp://127.0.0.1:9", "127.0.0.1:9", false), -1);
    assert_int_equal (peers_size (peers), PEERS_MAX);
}

//  The state machine: each row is an event and what the user must be told.
static void
test_events (void **state)
{
    peers_t *peers = *state;
    const struct {
        peer_event_t event;
        int64_t now_ms;
        peer_news_t news;
    } rows[] = {
        {PEER_EVENT_ATTEMPT, 0, PEER_NEWS_NONE},
        {PEER_EVENT_REFUSED, 10, PEER_NEWS_UNREACHABLE},    //  said once ...
        {PEER_EVENT_REFUSED, 20, PEER_NEWS_NONE},           //  ... not per retry
        {PEER_EVENT_HANDSHAKE_OK, 30, PEER_NEWS_CONNECTED}, //  it came up
        {PEER_EVENT_HANDSHAKE_OK, 40, PEER_NEWS_NONE},
        {PEER_EVENT_DISCONNECTED, 50, PEER_NEWS_LOST}, //  it went away
        {PEER_EVENT_DISCONNECTED, 60, PEER_NEWS_NONE},
        {PEER_EVENT_REFUSED, 70, PEER_NEWS_NONE},           //  lost, not "does not answer"
        {PEER_EVENT_HANDSHAKE_OK, 80, PEER_NEWS_CONNECTED}, //  back again
    };
    char label[ENDPOINT_MAX_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        label[0] = 0;
        assert_int_equal (
            peers_event (peers, A, rows[i].event, rows[i].now_ms, label, sizeof label, NULL),
            rows[i].news);
        assert_string_equal (label, "127.0.0.1:5557");
    }
    assert_int_equal (peers_event (peers, B, PEER_EVENT_HANDSHAKE_OK, 0, label, sizeof label, NULL),
                      PEER_NEWS_NONE); //  not in the list
}

//  A lost peer libzmq retries is not cut off; one it never retries is, once, after the delay.
static void
test_cut_off (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES];
    peers_event (peers, A, PEER_EVENT_HANDSHAKE_OK, 0, label, sizeof label, NULL);
    peers_event (peers, A, PEER_EVENT_DISCONNECTED, 1000, label, sizeof label, NULL);
    assert_true (peers_awaiting_retry (peers));
    peers_event (peers, A, PEER_EVENT_REFUSED, 1100, label, sizeof label, NULL); //  libzmq retries
    assert_false (peers_awaiting_retry (peers));
    assert_false (peers_take_cut_off (peers, 100000, label, sizeof label));

    peers_event (peers, A, PEER_EVENT_HANDSHAKE_OK, 2000, label, sizeof label, NULL);
    peers_event (peers, A, PEER_EVENT_DISCONNECTED, 3000, label, sizeof label, NULL);
    assert_false (peers_take_cut_off (peers, 3000 + PEER_CUT_OFF_MS, label, sizeof label));
    label[0] = 0;
    assert_true (peers_take_cut_off (peers, 3001 + PEER_CUT_OFF_MS, label, sizeof label));
    assert_string_equal (label, "127.0.0.1:5557");
    assert_int_equal (peers_size (peers), 0);
    assert_false (peers_take_cut_off (peers, 100000, label, sizeof label));
}

//  A quiet peer (found by the room) gets no notices, but its state still changes.
static void
test_quiet (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES];
    peer_news_t news;
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", true), 0);
    assert_int_equal (
        peers_event (peers, B, PEER_EVENT_HANDSHAKE_OK, 0, label, sizeof label, &news),
        PEER_NEWS_NONE);
    assert_int_equal (news, PEER_NEWS_CONNECTED);
    assert_int_equal (peers_remove_label (peers, "127.0.0.1:5558", false), 0);
    assert_int_equal (peers_remove_label (peers, "127.0.0.1:5558", false), -1);
    //  Removed: the room may not add it back, the user may
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", true), 2);
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", false), 0);
    assert_int_equal (peers_remove (peers, B), 0);
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", false), 0);
    assert_int_equal (peers_remove (peers, B), 0);
}

//  A failed handshake removes the peer and queues its disconnection.
static void
test_not_a_chat (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES], endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    assert_int_equal (
        peers_event (peers, A, PEER_EVENT_HANDSHAKE_FAILED, 0, label, sizeof label, NULL),
        PEER_NEWS_NOT_A_CHAT);
    assert_int_equal (peers_size (peers), 0);
    assert_true (peers_next_change (peers, endpoint, sizeof endpoint, &connect)); //  the add
    assert_true (peers_next_change (peers, endpoint, sizeof endpoint, &connect));
    assert_string_equal (endpoint, A);
    assert_false (connect);
}

//  peers_describe: one whole line per peer, never half a line.
static void
test_describe (void **state)
{
    peers_t *peers = *state;
    char out[256], tiny[8];
    assert_int_equal (peers_describe (peers, out, sizeof out), 1);
    assert_non_null (strstr (out, "127.0.0.1:5557"));
    memset (tiny, 'x', sizeof tiny);
    assert_int_equal (peers_describe (peers, tiny, sizeof tiny), 0);
    assert_string_equal (tiny, "");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_changes_queue, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_events, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cut_off, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_not_a_chat, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_quiet, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_describe, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("peers", tests, NULL, NULL);
}
