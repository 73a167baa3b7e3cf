/*  test_peers.c - unit tests for peers.c: the peer list, the queue of changes the subscriber
    thread carries out, the connection state machine driven by socket events, and the rules for
    quiet peers (given up, bounded while pending, checked against the member named, forgotten).
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

#define C "tcp://192.0.2.7:5559"
#define C_LABEL "192.0.2.7:5559"

//  Drain the queue of changes; returns how many there were, and copies the last.
static int
s_drain (peers_t *peers, char *endpoint, bool *connect)
{
    int count = 0;
    char taken[ENDPOINT_MAX_BYTES];
    bool taken_connect;
    while (peers_next_change (peers, taken, sizeof taken, &taken_connect)) {
        strcpy (endpoint, taken);
        *connect = taken_connect;
        count++;
    }
    return count;
}

//  A quiet peer that never answers is given up after PEER_QUIET_TRIES refusals, or after
//  PEER_QUIET_ANSWER_MS; a typed one is retried for ever. Given up, it is not added back by the
//  room, until it listens to us.
static void
test_given_up (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES], endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    peer_news_t news;
    assert_int_equal (
        peers_add_found (peers, B, "127.0.0.1:5558", PEER_FOUND, NULL, "127.0.0.1", 0), 0);
    for (int i = 1; i < PEER_QUIET_TRIES; i++) {
        assert_int_equal (peers_event (peers, B, PEER_EVENT_REFUSED, i, label, sizeof label, &news),
                          PEER_NEWS_NONE);
        assert_int_not_equal (news, PEER_NEWS_GIVEN_UP);
    }
    peers_event (peers, B, PEER_EVENT_REFUSED, 10, label, sizeof label, &news);
    assert_int_equal (news, PEER_NEWS_GIVEN_UP);
    assert_int_equal (peers_size (peers), 1);
    s_drain (peers, endpoint, &connect);
    assert_string_equal (endpoint, B);
    assert_false (connect);
    //  The typed one refused as often stays
    for (int i = 0; i < 3 * PEER_QUIET_TRIES; i++)
        peers_event (peers, A, PEER_EVENT_REFUSED, i, label, sizeof label, NULL);
    assert_int_equal (peers_size (peers), 1);
    //  The room does not bring it back; a chat there that listens to us does
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, NULL, "x:1", 20), 2);
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_FOUND, NULL, "x", 20), 2);
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", true), 0);

    //  No handshake at all (a host that drops our SYNs): given up after PEER_QUIET_ANSWER_MS
    assert_int_equal (peers_add_found (peers, C, C_LABEL, PEER_NAMED, NULL, "x:1", 1000), 0);
    peer_gone_t why;
    assert_false (
        peers_take_dropped (peers, 1000 + PEER_QUIET_ANSWER_MS - 1, label, sizeof label, &why));
    assert_int_equal (peers_due_ms (peers) <= 1000 + PEER_QUIET_ANSWER_MS, true);
    //  (B, added on the real clock, is not due yet; C is)
    assert_true (
        peers_take_dropped (peers, 1000 + PEER_QUIET_ANSWER_MS, label, sizeof label, &why));
    assert_string_equal (label, C_LABEL);
    assert_int_equal (why, PEER_GONE_UNANSWERED);
    assert_false (
        peers_take_dropped (peers, 1000 + PEER_QUIET_ANSWER_MS, label, sizeof label, &why));
    assert_int_equal (peers_size (peers), 2);
}

//  Found and named peers not yet verified are bounded: PEERS_PENDING_PER_SOURCE_MAX per source,
//  PEERS_PENDING_MAX in all; a typed one or one that listens to us is not bounded; a verified
//  one no longer counts.
static void
test_pending_bound (void **state)
{
    peers_t *peers = *state;
    char endpoint[ENDPOINT_MAX_BYTES], source[32], label[ENDPOINT_MAX_BYTES];
    uint8_t id[WIRE_SENDER_BYTES] = {0};
    int port = 20000;
    for (int i = 0; i < PEERS_PENDING_PER_SOURCE_MAX; i++, port++) {
        snprintf (endpoint, sizeof endpoint, "tcp://192.0.2.1:%d", port);
        id[0] = (uint8_t) i;
        assert_int_equal (
            peers_add_found (peers, endpoint, endpoint + 6, PEER_NAMED, id, "198.18.0.9:5557", 0),
            0);
    }
    snprintf (endpoint, sizeof endpoint, "tcp://192.0.2.1:%d", port++);
    assert_int_equal (
        peers_add_found (peers, endpoint, endpoint + 6, PEER_NAMED, id, "198.18.0.9:5557", 0), 3);
    //  Another sender may still name some, up to the bound in all
    int added = PEERS_PENDING_PER_SOURCE_MAX, busy = 0;
    for (int sender = 0; sender < 2 * PEERS_PENDING_MAX / PEERS_PENDING_PER_SOURCE_MAX; sender++) {
        snprintf (source, sizeof source, "198.18.1.%d", sender);
        for (int i = 0; i < PEERS_PENDING_PER_SOURCE_MAX; i++, port++) {
            snprintf (endpoint, sizeof endpoint, "tcp://192.0.2.2:%d", port);
            int rc = peers_add_found (peers, endpoint, endpoint + 6, PEER_FOUND, NULL, source, 0);
            assert_true (rc == 0 || rc == 3);
            added += rc == 0;
            busy += rc == 3;
        }
    }
    assert_int_equal (added, PEERS_PENDING_MAX);
    assert_true (busy > 0);
    //  Not bounded: what the user typed, a chat that listens to us
    assert_int_equal (peers_add (peers, "tcp://192.0.2.3:1", "192.0.2.3:1", false), 0);
    assert_int_equal (peers_add (peers, "tcp://192.0.2.3:2", "192.0.2.3:2", true), 0);
    //  One of the first sender's answers as the member it was named for: a place is free
    snprintf (endpoint, sizeof endpoint, "tcp://192.0.2.1:%d", 20000);
    id[0] = 0;
    peers_event (peers, endpoint, PEER_EVENT_HANDSHAKE_OK, 5, label, sizeof label, NULL);
    assert_int_equal (peers_heard (peers, "192.0.2.1:20000", id), 0);
    assert_int_equal (peers_add_found (peers, "tcp://192.0.2.1:30000", "192.0.2.1:30000",
                                       PEER_NAMED, id, "198.18.0.9:5557", 7),
                      0);
}

//  A named peer whose heartbeat comes as another member is dropped at once, and one that sends
//  none within PEER_VERIFY_MS of its handshake later; one that comes as its member stays.
static void
test_wrong_member (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES];
    uint8_t named[WIRE_SENDER_BYTES], other[WIRE_SENDER_BYTES];
    memset (named, 1, sizeof named);
    memset (other, 2, sizeof other);
    peer_gone_t why;
    //  Another member answers at B
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, named, "s:1", 0), 0);
    peers_event (peers, B, PEER_EVENT_HANDSHAKE_OK, 10, label, sizeof label, NULL);
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", other), -1);
    assert_int_equal (peers_size (peers), 1);
    //  Named again for another made-up member: refused; for the member that answered: tried
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, named, "s:1", 30),
                      2);
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, other, "s:1", 30),
                      0);
    peers_event (peers, B, PEER_EVENT_HANDSHAKE_OK, 35, label, sizeof label, NULL);
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", other), 0);
    //  The heartbeat of the right member stays so: a later one as another does not drop it
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", named), 0);
    assert_int_equal (peers_size (peers), 2);

    //  Nothing comes at C after the handshake
    assert_int_equal (peers_add_found (peers, C, C_LABEL, PEER_NAMED, named, "s:1", 100), 0);
    peers_event (peers, C, PEER_EVENT_HANDSHAKE_OK, 200, label, sizeof label, NULL);
    assert_int_equal (peers_due_ms (peers), 200 + PEER_VERIFY_MS);
    assert_false (peers_take_dropped (peers, 199 + PEER_VERIFY_MS, label, sizeof label, &why));
    assert_true (peers_take_dropped (peers, 200 + PEER_VERIFY_MS, label, sizeof label, &why));
    assert_string_equal (label, C_LABEL);
    assert_int_equal (why, PEER_GONE_UNVERIFIED);
    //  A typed peer is never checked
    assert_int_equal (peers_heard (peers, "127.0.0.1:5557", other), 0);
    assert_int_equal (peers_size (peers), 2);
    assert_int_equal (peers_due_ms (peers), 0);
}

//  A quiet peer whose connection broke (a crash) is retried, by libzmq and then, parked, by us
//  once in a while, and forgotten PEER_FORGET_MS later unless it is back; one whose member said
//  goodbye is removed at once; either comes back when a heartbeat comes from it or it listens to
//  us. A typed one stays through both.
static void
test_forget (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES];
    uint8_t id_b[WIRE_SENDER_BYTES], id_c[WIRE_SENDER_BYTES], id_a[WIRE_SENDER_BYTES];
    memset (id_a, 3, sizeof id_a);
    memset (id_b, 4, sizeof id_b);
    memset (id_c, 5, sizeof id_c);
    peer_gone_t why;
    assert_int_equal (
        peers_add_found (peers, B, "127.0.0.1:5558", PEER_LISTENER, NULL, "127.0.0.1", 0), 0);
    assert_int_equal (peers_add_found (peers, C, C_LABEL, PEER_LISTENER, NULL, "192.0.2.7", 0), 0);
    for (int i = 0; i < 3; i++) {
        const char *endpoint = i == 0 ? A : i == 1 ? B : C;
        const char *at = endpoint + 6;
        peers_event (peers, endpoint, PEER_EVENT_HANDSHAKE_OK, 10, label, sizeof label, NULL);
        assert_int_equal (peers_heard (peers, at, i == 0 ? id_a : i == 1 ? id_b : id_c), 0);
    }
    assert_int_equal (peers_due_ms (peers), 0); //  nothing to do while all is well
    //  B crashes: libzmq retries it (refusals do not give it up: it answered once)
    peers_event (peers, B, PEER_EVENT_DISCONNECTED, 1000, label, sizeof label, NULL);
    for (int i = 0; i < 3 * PEER_QUIET_TRIES; i++)
        peers_event (peers, B, PEER_EVENT_REFUSED, 1100 + i, label, sizeof label, NULL);
    peers_event (peers, A, PEER_EVENT_DISCONNECTED, 1000, label, sizeof label, NULL);
    //  Lost for PEER_PARK_AFTER_MS: libzmq stops (we disconnect), we dial it once in a while
    char endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    s_drain (peers, endpoint, &connect);
    int64_t at = 1000 + PEER_PARK_AFTER_MS;
    assert_int_equal (peers_due_ms (peers), at);
    assert_false (peers_take_dropped (peers, at, label, sizeof label, &why));
    assert_int_equal (s_drain (peers, endpoint, &connect), 1);
    assert_string_equal (endpoint, B);
    assert_false (connect);
    at += PEER_PARK_RETRY_MS;
    assert_int_equal (peers_due_ms (peers), at);
    assert_false (peers_take_dropped (peers, at, label, sizeof label, &why));
    assert_int_equal (s_drain (peers, endpoint, &connect), 1);
    assert_true (connect);
    assert_int_equal (peers_due_ms (peers), 1000 + PEER_FORGET_MS); //  while it is dialled
    peers_event (peers, B, PEER_EVENT_REFUSED, at + 100, label, sizeof label, NULL);
    assert_int_equal (s_drain (peers, endpoint, &connect), 1); //  not back: parked again
    assert_false (connect);
    assert_int_equal (peers_due_ms (peers), at + 100 + PEER_PARK_RETRY_MS);
    //  Someone says it is there (it listens to us, a heartbeat names it): dialled at once
    assert_int_equal (peers_add (peers, B, "127.0.0.1:5558", true), 1);
    assert_int_equal (s_drain (peers, endpoint, &connect), 1);
    assert_true (connect);
    peers_event (peers, B, PEER_EVENT_REFUSED, at + 200, label, sizeof label, NULL);
    s_drain (peers, endpoint, &connect);
    assert_false (peers_take_dropped (peers, 999 + PEER_FORGET_MS, label, sizeof label, &why));
    assert_true (peers_take_dropped (peers, 1000 + PEER_FORGET_MS, label, sizeof label, &why));
    assert_string_equal (label, "127.0.0.1:5558");
    assert_int_equal (why, PEER_GONE_FORGOTTEN);
    assert_false (peers_take_dropped (peers, 10 * PEER_FORGET_MS, label, sizeof label, &why));
    //  C says goodbye: removed at once; A (typed) would stay
    assert_int_equal (peers_bye (peers, id_a), -1);
    assert_int_equal (peers_bye (peers, id_c), 0);
    assert_int_equal (peers_bye (peers, id_c), -1);
    assert_int_equal (peers_size (peers), 1);
    //  Neither is named back by the room ...
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, id_b, "s:1", 2e6),
                      2);
    assert_int_equal (peers_add_found (peers, C, C_LABEL, PEER_FOUND, id_c, "192.0.2.7", 2e6), 2);
    //  ... until it is heard again (a heartbeat from it), or it listens to us
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", id_b), 0);
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, id_b, "s:1", 2e6),
                      0);
    assert_int_equal (peers_add (peers, C, C_LABEL, true), 0);
    assert_int_equal (peers_size (peers), 3);
}

//  A quiet peer whose member went silent without its connection breaking is forgotten too,
//  unless its heartbeats come back.
static void
test_silent (void **state)
{
    peers_t *peers = *state;
    char label[ENDPOINT_MAX_BYTES];
    uint8_t id[WIRE_SENDER_BYTES];
    memset (id, 6, sizeof id);
    peer_gone_t why;
    assert_int_equal (peers_add_found (peers, B, "127.0.0.1:5558", PEER_NAMED, id, "s:1", 0), 0);
    peers_event (peers, B, PEER_EVENT_HANDSHAKE_OK, 10, label, sizeof label, NULL);
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", id), 0);
    peers_silent (peers, "127.0.0.1:5558", 5000);
    peers_silent (peers, "127.0.0.1:5557", 5000); //  typed: not forgotten
    assert_int_equal (peers_due_ms (peers), 5000 + PEER_FORGET_MS);
    assert_int_equal (peers_heard (peers, "127.0.0.1:5558", id), 0); //  it is back
    assert_int_equal (peers_due_ms (peers), 0);
    peers_silent (peers, "127.0.0.1:5558", 7000);
    assert_true (peers_take_dropped (peers, 7000 + PEER_FORGET_MS, label, sizeof label, &why));
    assert_int_equal (why, PEER_GONE_FORGOTTEN);
    assert_int_equal (peers_size (peers), 1);
}

//  What is remembered of removed peers is bounded, and the room's flood of dead addresses
//  pushes out its own before what the user sent away.
static void
test_gone_bounded (void **state)
{
    peers_t *peers = *state;
    char endpoint[ENDPOINT_MAX_BYTES], label[ENDPOINT_MAX_BYTES];
    peer_news_t news;
    assert_int_equal (peers_remove (peers, A), 0); //  the user sends A away
    for (int i = 0; i < 4 * PEERS_GONE_MAX; i++) {
        snprintf (endpoint, sizeof endpoint, "tcp://198.18.0.1:%d", 10000 + i);
        assert_int_equal (
            peers_add_found (peers, endpoint, endpoint + 6, PEER_FOUND, NULL, "198.18.0.1", i), 0);
        for (int try = 0; try < PEER_QUIET_TRIES; try++)
            peers_event (peers, endpoint, PEER_EVENT_REFUSED, i, label, sizeof label, &news);
        assert_int_equal (news, PEER_NEWS_GIVEN_UP);
        bool connect;
        while (peers_next_change (peers, label, sizeof label, &connect)) {
        }
    }
    assert_int_equal (peers_size (peers), 0);
    //  A is still refused to the room; the oldest dead address is forgotten
    assert_int_equal (peers_add (peers, A, "127.0.0.1:5557", true), 2);
    assert_int_equal (peers_add_found (peers, "tcp://198.18.0.1:10000", "198.18.0.1:10000",
                                       PEER_FOUND, NULL, "198.18.0.1", 0),
                      0);
    snprintf (endpoint, sizeof endpoint, "tcp://198.18.0.1:%d", 10000 + 4 * PEERS_GONE_MAX - 1);
    assert_int_equal (
        peers_add_found (peers, endpoint, endpoint + 6, PEER_FOUND, NULL, "198.18.0.1", 0), 2);
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
        cmocka_unit_test_setup_teardown (test_given_up, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_pending_bound, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wrong_member, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_forget, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_silent, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gone_bounded, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("peers", tests, NULL, NULL);
}
