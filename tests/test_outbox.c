/*  test_outbox.c - unit tests for outbox.c over real ZeroMQ sockets (an XPUB and its SUB
    listeners, inproc, in czmq's context): messages go at once while there is room, wait in order
    while a listener's queue is full, go on when it reads; a listener taking nothing for
    OUTBOX_STALL_MS no longer holds them up and loses what does not fit, never part of a message;
    the byte bound refuses what may be dropped; bad frame counts are refused.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_HWM_MESSAGES 10 //  ZMQ_SNDHWM of the XPUB and ZMQ_RCVHWM of each SUB
#define WAIT_MS 5000          //  the longest any bounded wait here may take
#define SENT_AT_ONCE_MAX 1000 //  more than this go at once: the queues are not bounded
#define LISTENERS_MAX 2       //  SUB sockets in one test at most
#define PAYLOAD_BYTES 5       //  size of each frame after the first in the usual message
#define RECEIVED_MAX 2000     //  seqs one listener can note
#define HEADER_BYTES 9        //  frame 0 of a message: its seq, and how many frames it has

//  A time well after 0, so no test leans on what 0 means to the outbox.
#define T0 1000000

//  What a listener received: seqs in order.
typedef struct {
    uint64_t seqs[RECEIVED_MAX]; //  seqs received, in order
    size_t count;                //  messages received
} received_t;

//  The sockets and the outbox of one test.
typedef struct {
    zsock_t *publisher;                 //  XPUB, the outbox's
    zsock_t *listeners[LISTENERS_MAX];  //  SUB sockets connected to it
    size_t listener_count;              //  of them
    char endpoint[64];                  //  where publisher is bound
    outbox_t *outbox;                   //  the outbox under test
    received_t received[LISTENERS_MAX]; //  what each listener received, where a test notes it
} fixture_t;

//  Wait, bounded, until publisher has a subscription: then the listener's queue is attached.
static void
s_wait_subscription (zsock_t *publisher)
{
    zmq_pollitem_t item = {zsock_resolve (publisher), 0, ZMQ_POLLIN, 0};
    assert_int_equal (zmq_poll (&item, 1, WAIT_MS), 1);
    uint8_t message[16];
    int size = zmq_recv (zsock_resolve (publisher), message, sizeof message, ZMQ_DONTWAIT);
    assert_int_equal (size, 1); //  a subscription to everything: 1, no topic
    assert_int_equal (message[0], 1);
}

//  Connect one more listener that subscribes to everything, and wait until it is attached.
static zsock_t *
s_listen (fixture_t *fixture)
{
    assert_true (fixture->listener_count < LISTENERS_MAX);
    zsock_t *listener = zsock_new (ZMQ_SUB);
    assert_non_null (listener);
    fixture->listeners[fixture->listener_count++] = listener;
    zsock_set_rcvhwm (listener, QUEUE_HWM_MESSAGES);
    zsock_set_subscribe (listener, "");
    assert_int_equal (zsock_connect (listener, "%s", fixture->endpoint), 0);
    s_wait_subscription (fixture->publisher);
    return listener;
}

//  Teardown: destroy the outbox (twice) and close every socket.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    outbox_destroy (&fixture->outbox);
    outbox_destroy (&fixture->outbox); //  safe twice
    for (size_t i = 0; i < fixture->listener_count; i++)
        zsock_destroy (&fixture->listeners[i]);
    zsock_destroy (&fixture->publisher);
    free (fixture);
    return 0;
}

//  Setup: an XPUB with small queues, its outbox, and one listener attached.
static int
s_setup (void **state)
{
    static int endpoints = 0;
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    snprintf (fixture->endpoint, sizeof fixture->endpoint, "inproc://outbox-test-%d", ++endpoints);
    fixture->publisher = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->publisher);
    zsock_set_sndhwm (fixture->publisher, QUEUE_HWM_MESSAGES);
    zsock_set_xpub_verboser (fixture->publisher, 1); //  each listener's subscription, as chat.c
    assert_int_equal (zsock_bind (fixture->publisher, "%s", fixture->endpoint), 0);
    fixture->outbox = outbox_new (fixture->publisher);
    assert_non_null (fixture->outbox);
    s_listen (fixture);
    return 0;
}

//  The byte of frame frame_index of message seq at offset i.
static uint8_t
s_payload_byte (uint64_t seq, size_t frame_index, size_t i)
{
    return (uint8_t) (seq * 7 + frame_index * 13 + i);
}

//  Send message seq through outbox_send: frame 0 its seq and count, then count - 1 frames of
//  payload_size bytes made from seq. Returns what outbox_send returns.
static int
s_send_sized (outbox_t *outbox, uint64_t seq, size_t count, size_t payload_size, bool may_drop,
              int64_t now_ms)
{
    assert_true (count <= OUTBOX_FRAMES_MAX + 1);
    const void *frames[OUTBOX_FRAMES_MAX + 1];
    size_t sizes[OUTBOX_FRAMES_MAX + 1];
    uint8_t *payloads[OUTBOX_FRAMES_MAX + 1] = {NULL};
    uint8_t header[HEADER_BYTES];
    memcpy (header, &seq, sizeof seq);
    header[sizeof seq] = (uint8_t) count;
    frames[0] = header;
    sizes[0] = sizeof header;
    for (size_t frame_index = 1; frame_index < count; frame_index++) {
        payloads[frame_index] = malloc (payload_size ? payload_size : 1);
        assert_non_null (payloads[frame_index]);
        for (size_t i = 0; i < payload_size; i++)
            payloads[frame_index][i] = s_payload_byte (seq, frame_index, i);
        frames[frame_index] = payloads[frame_index];
        sizes[frame_index] = payload_size;
    }
    int rc = outbox_send (outbox, frames, sizes, count, may_drop, now_ms);
    for (size_t frame_index = 1; frame_index < count; frame_index++)
        free (payloads[frame_index]);
    return rc;
}

//  Send the usual message seq: three frames, not to be dropped; it must be taken.
static void
s_send (outbox_t *outbox, uint64_t seq, int64_t now_ms)
{
    assert_int_equal (s_send_sized (outbox, seq, 3, PAYLOAD_BYTES, false, now_ms), 0);
}

//  Send usual messages from seq first on until one has to wait. Returns how many went at once.
static uint64_t
s_fill (outbox_t *outbox, uint64_t first, int64_t now_ms)
{
    size_t waiting = outbox_waiting (outbox);
    uint64_t seq = first;
    while (outbox_waiting (outbox) == waiting) {
        if (seq - first == SENT_AT_ONCE_MAX)
            fail_msg ("%d messages went at once: the queues are not bounded", SENT_AT_ONCE_MAX);
        s_send (outbox, seq++, now_ms);
    }
    assert_int_equal (outbox_waiting (outbox), waiting + 1);
    return seq - 1 - first;
}

//  Receive one message from listener, waiting up to timeout_ms. Fails unless it is whole: its
//  seq and frame count, then that many frames as s_send_sized made them. Returns its seq, or 0 if
//  none came.
static uint64_t
s_receive (zsock_t *listener, int timeout_ms)
{
    zmq_pollitem_t item = {zsock_resolve (listener), 0, ZMQ_POLLIN, 0};
    int ready = zmq_poll (&item, 1, timeout_ms);
    assert_true (ready >= 0);
    if (ready == 0)
        return 0;
    zmq_msg_t part;
    zmq_msg_init (&part);
    uint64_t seq = 0;
    size_t frame_index = 0, payload_size = 0, count = 0;
    bool more = true;
    while (more) {
        assert_true (zmq_msg_recv (&part, zsock_resolve (listener), ZMQ_DONTWAIT) >= 0);
        const uint8_t *data = zmq_msg_data (&part);
        size_t size = zmq_msg_size (&part);
        if (frame_index == 0) {
            assert_int_equal (size, HEADER_BYTES);
            memcpy (&seq, data, sizeof seq);
            count = data[sizeof seq];
        } else {
            if (frame_index == 1)
                payload_size = size;
            assert_int_equal (size, payload_size);
            for (size_t i = 0; i < size; i++)
                if (data[i] != s_payload_byte (seq, frame_index, i))
                    fail_msg ("seq %llu frame %zu byte %zu is wrong", (unsigned long long) seq,
                              frame_index, i);
        }
        more = zmq_msg_more (&part);
        frame_index++;
        assert_true (frame_index <= OUTBOX_FRAMES_MAX);
    }
    zmq_msg_close (&part);
    assert_true (seq != 0);
    if (frame_index != count)
        fail_msg ("seq %llu came with %zu of its %zu frames", (unsigned long long) seq, frame_index,
                  count);
    return seq;
}

//  Receive whatever listener has now, noting seqs into received.
static void
s_receive_all (zsock_t *listener, received_t *received)
{
    uint64_t seq;
    while ((seq = s_receive (listener, 0))) {
        assert_true (received->count < RECEIVED_MAX);
        received->seqs[received->count++] = seq;
    }
}

//  Have libzmq take in its news on publisher (room freed by readers comes as commands), as
//  chat.c does.
static void
s_take_news (zsock_t *publisher)
{
    int events;
    size_t events_size = sizeof events;
    assert_int_equal (zmq_getsockopt (zsock_resolve (publisher), ZMQ_EVENTS, &events, &events_size),
                      0);
}

//  Assert received holds exactly seqs first..last, in order.
static void
s_assert_received (const received_t *received, uint64_t first, uint64_t last)
{
    if (received->count != last - first + 1)
        fail_msg ("received %zu messages, expected %llu", received->count,
                  (unsigned long long) (last - first + 1));
    for (size_t i = 0; i < received->count; i++)
        if (received->seqs[i] != first + i)
            fail_msg ("message %zu received is seq %llu, expected %llu", i,
                      (unsigned long long) received->seqs[i], (unsigned long long) (first + i));
}

//  Let listener read and the outbox flush at now_ms (before any stall) until nothing waits;
//  bounded by WAIT_MS. Notes what listener receives into received.
static void
s_drain (fixture_t *fixture, zsock_t *listener, received_t *received, int64_t now_ms)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (true) {
        s_receive_all (listener, received);
        s_take_news (fixture->publisher);
        if (outbox_flush (fixture->outbox, now_ms))
            break;
        if (zclock_mono () > deadline)
            fail_msg ("%zu messages still wait after %d ms", outbox_waiting (fixture->outbox),
                      WAIT_MS);
    }
    s_receive_all (listener, received);
}

//  While there is room every message goes at once, whole and in order, whatever its frames.
static void
test_room_goes_at_once (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    for (uint64_t seq = 1; seq <= 5; seq++) {
        assert_int_equal (s_send_sized (fixture->outbox, seq, 1 + seq % OUTBOX_FRAMES_MAX,
                                        seq * 100, seq % 2 == 0, T0),
                          0);
        assert_int_equal (outbox_waiting (fixture->outbox), 0);
    }
    assert_true (outbox_flush (fixture->outbox, T0)); //  nothing waits
    for (uint64_t seq = 1; seq <= 5; seq++)
        assert_int_equal (s_receive (listener, WAIT_MS), seq);
    assert_int_equal (s_receive (listener, 0), 0);
    assert_int_equal (outbox_stalls (fixture->outbox), 0);
}

//  A listener that does not read makes messages wait, in order, with nothing more sent before
//  it reads or OUTBOX_STALL_MS passes; a message sent meanwhile waits behind them; once it
//  reads, they go out in order and none is lost.
static void
test_wait_for_room (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    outbox_t *outbox = fixture->outbox;
    uint64_t fit = s_fill (outbox, 1, T0);
    assert_true (fit >= QUEUE_HWM_MESSAGES); //  the XPUB's queue at least
    uint64_t seq = fit + 2;                  //  fit + 1 waits already
    for (; seq <= fit + 10; seq++) {
        s_send (outbox, seq, T0 + 10);
        assert_int_equal (outbox_waiting (outbox), seq - fit);
    }
    const int64_t before_stall[] = {T0, T0 + 10, T0 + OUTBOX_STALL_MS - 1};
    for (size_t i = 0; i < sizeof before_stall / sizeof before_stall[0]; i++) {
        s_take_news (fixture->publisher);
        assert_false (outbox_flush (outbox, before_stall[i]));
        assert_int_equal (outbox_waiting (outbox), 10);
    }
    received_t *received = &fixture->received[0];
    s_receive_all (listener, received);
    s_assert_received (received, 1, fit); //  what went at once, and no more
    //  Room now, but the waiting ones go first
    s_take_news (fixture->publisher);
    s_send (outbox, seq, T0 + OUTBOX_STALL_MS - 1);
    assert_int_equal (outbox_waiting (outbox), 11);
    s_drain (fixture, listener, received, T0 + OUTBOX_STALL_MS - 1);
    s_assert_received (received, 1, seq);
    assert_int_equal (outbox_waiting (outbox), 0);
    assert_int_equal (outbox_stalls (outbox), 0); //  none went lossily
}

//  A listener that takes nothing for OUTBOX_STALL_MS no longer holds messages up: they go, it
//  loses those it has no room for (whole messages, never a part), and once it reads again it
//  gets what follows, in order after the gap, and holds messages up again when full.
static void
test_stalled_listener (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    outbox_t *outbox = fixture->outbox;
    uint64_t fit = s_fill (outbox, 1, T0); //  fit + 1 failed first at T0
    for (uint64_t seq = fit + 2; seq <= fit + 5; seq++)
        s_send (outbox, seq, T0 + 500);
    assert_int_equal (outbox_waiting (outbox), 5);
    assert_false (outbox_flush (outbox, T0 + OUTBOX_STALL_MS - 1));
    assert_int_equal (outbox_waiting (outbox), 5);
    assert_int_equal (outbox_stalls (outbox), 0);
    assert_true (outbox_flush (outbox, T0 + OUTBOX_STALL_MS));
    assert_int_equal (outbox_waiting (outbox), 0);
    assert_true (outbox_stalls (outbox) > 0); //  how many: test_stalls_counted
    received_t *received = &fixture->received[0];
    s_receive_all (listener, received);
    s_assert_received (received, 1, fit); //  fit + 1 .. fit + 5 lost, whole
    //  Awake again: the next message reaches it, after the gap
    s_take_news (fixture->publisher);
    s_send (outbox, fit + 6, T0 + OUTBOX_STALL_MS + 1);
    assert_int_equal (outbox_waiting (outbox), 0);
    assert_int_equal (s_receive (listener, WAIT_MS), fit + 6);
    //  The stall is over: a full queue holds messages up again, until the next stall
    int64_t later_ms = T0 + 2 * OUTBOX_STALL_MS;
    assert_true (s_fill (outbox, fit + 7, later_ms) > 0);
    assert_false (outbox_flush (outbox, later_ms + OUTBOX_STALL_MS - 1));
    assert_int_equal (outbox_waiting (outbox), 1);
}

//  With two listeners the slower sets the pace; once it has taken nothing for OUTBOX_STALL_MS,
//  the one still reading gets every message, and only the stalled one has a gap.
static void
test_stalled_listener_among_two (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *reading = fixture->listeners[0];
    zsock_t *stalled = s_listen (fixture);
    outbox_t *outbox = fixture->outbox;
    uint64_t fit = s_fill (outbox, 1, T0);
    for (uint64_t seq = fit + 2; seq <= fit + 5; seq++)
        s_send (outbox, seq, T0);
    received_t *fast = &fixture->received[0], *slow = &fixture->received[1];
    s_receive_all (reading, fast);
    s_assert_received (fast, 1, fit);
    //  One listener has room, the other has not: nothing goes before the stall
    s_take_news (fixture->publisher);
    assert_false (outbox_flush (outbox, T0 + OUTBOX_STALL_MS - 1));
    assert_int_equal (outbox_waiting (outbox), 5);
    s_receive_all (reading, fast);
    s_assert_received (fast, 1, fit);
    //  Stalled: they go, and the reading listener has room for all
    assert_true (outbox_flush (outbox, T0 + OUTBOX_STALL_MS));
    assert_true (outbox_stalls (outbox) > 0); //  how many: test_stalls_counted
    s_receive_all (reading, fast);
    s_assert_received (fast, 1, fit + 5);
    s_receive_all (stalled, slow);
    s_assert_received (slow, 1, fit);
    //  Both read now: the next message reaches both
    s_take_news (fixture->publisher);
    s_send (outbox, fit + 6, T0 + OUTBOX_STALL_MS + 1);
    assert_int_equal (s_receive (reading, WAIT_MS), fit + 6);
    assert_int_equal (s_receive (stalled, WAIT_MS), fit + 6);
}

//  outbox_stalls counts each time a stalled listener was passed over: once per stall, however
//  many messages waited when it began.
static void
test_stalls_counted (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    outbox_t *outbox = fixture->outbox;
    const size_t rows[] = {1, 2, 5}; //  messages waiting when the stall begins
    received_t *received = &fixture->received[0];
    int64_t now_ms = T0;
    uint64_t seq = 1;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t before = outbox_stalls (outbox);
        seq += s_fill (outbox, seq, now_ms) + 1;
        while (outbox_waiting (outbox) < rows[i])
            s_send (outbox, seq++, now_ms);
        assert_true (outbox_flush (outbox, now_ms + OUTBOX_STALL_MS));
        uint64_t counted = outbox_stalls (outbox) - before;
        if (counted != 1)
            fail_msg ("%zu messages waiting when the listener stalled: %llu stalls counted, not 1",
                      rows[i], (unsigned long long) counted);
        //  Awake: it reads what it has, and has room again
        received->count = 0;
        s_receive_all (listener, received);
        s_take_news (fixture->publisher);
        now_ms += 2 * OUTBOX_STALL_MS;
    }
}

//  Past OUTBOX_BYTES_MAX waiting, a message that may be dropped is refused and one that may not
//  waits all the same; the bound counts bytes, exactly, and frees them as messages go.
static void
test_may_drop (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    outbox_t *outbox = fixture->outbox;
    const size_t usual_bytes = HEADER_BYTES + 2 * PAYLOAD_BYTES;
    uint64_t fit = s_fill (outbox, 1, T0); //  fit + 1 waits: usual_bytes
    uint64_t big = fit + 2;
    //  Up to 16 bytes short of the bound, in one frame after the seq
    size_t big_payload = OUTBOX_BYTES_MAX - usual_bytes - HEADER_BYTES - 16;
    assert_int_equal (s_send_sized (outbox, big, 2, big_payload, false, T0), 0);
    //  16 bytes that may be dropped: exactly the bound, still taken
    assert_int_equal (s_send_sized (outbox, big + 1, 2, 16 - HEADER_BYTES, true, T0), 0);
    assert_int_equal (outbox_waiting (outbox), 3);
    //  More that may be dropped: refused, in any shape
    assert_int_equal (s_send_sized (outbox, big + 2, 1, 0, true, T0), -1);
    assert_int_equal (s_send_sized (outbox, big + 2, 4, 1, true, T0), -1);
    assert_int_equal (outbox_waiting (outbox), 3);
    //  Our own lines always wait
    assert_int_equal (s_send_sized (outbox, big + 2, 1, 0, false, T0), 0);
    s_send (outbox, big + 3, T0);
    assert_int_equal (outbox_waiting (outbox), 5);
    //  All go in order as the listener reads; the refused ones never
    received_t *received = &fixture->received[0];
    s_drain (fixture, listener, received, T0 + 1);
    s_assert_received (received, 1, big + 3);
    assert_int_equal (outbox_stalls (outbox), 0);
    //  Nothing waits, so nothing counts against the bound: as much again may wait
    uint64_t next = big + 4;
    next += s_fill (outbox, next, T0 + 2) + 1;
    big_payload = OUTBOX_BYTES_MAX - usual_bytes - HEADER_BYTES;
    assert_int_equal (s_send_sized (outbox, next, 2, big_payload, true, T0 + 2), 0);
    assert_int_equal (s_send_sized (outbox, next + 1, 1, 0, true, T0 + 2), -1);
    assert_int_equal (outbox_waiting (outbox), 2);
    //  Teardown destroys the outbox with them waiting
}

//  A row of frame counts: what outbox_send must return.
typedef struct {
    size_t count; //  frames
    int rc;       //  0: taken, -1: refused
} count_row_t;

//  No frames, or more than OUTBOX_FRAMES_MAX, is refused and sends nothing, whether or not
//  messages wait; 1 to OUTBOX_FRAMES_MAX are taken.
static void
test_frame_count (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *listener = fixture->listeners[0];
    outbox_t *outbox = fixture->outbox;
    const count_row_t rows[] = {
        {0, -1},                     //  nothing to send
        {1, 0},                      //  the fewest
        {OUTBOX_FRAMES_MAX, 0},      //  the most
        {OUTBOX_FRAMES_MAX + 1, -1}, //  one too many
    };
    received_t *received = &fixture->received[0];
    uint64_t seq = 1;
    for (int phase = 0; phase < 2; phase++) { //  with room, then with messages waiting
        if (phase == 1)
            seq += s_fill (outbox, seq, T0) + 1;
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            size_t waiting = outbox_waiting (outbox);
            int rc = s_send_sized (outbox, seq, rows[i].count, 3, false, T0);
            if (rc != rows[i].rc)
                fail_msg ("phase %d, %zu frames: returned %d, expected %d", phase, rows[i].count,
                          rc, rows[i].rc);
            if (rc == 0)
                seq++;
            else
                assert_int_equal (outbox_waiting (outbox), waiting);
        }
    }
    s_drain (fixture, listener, received, T0 + 1);
    s_assert_received (received, 1, seq - 1); //  the refused ones took no seq
}

//  Destroying the outbox frees what waits in it (ASan's leak check tells) and is safe twice; the
//  socket stays the caller's.
static void
test_destroy_waiting (void **state)
{
    fixture_t *fixture = *state;
    uint64_t fit = s_fill (fixture->outbox, 1, T0);
    for (uint64_t seq = fit + 2; seq <= fit + 20; seq++)
        assert_int_equal (s_send_sized (fixture->outbox, seq, OUTBOX_FRAMES_MAX, 1000, false, T0),
                          0);
    assert_int_equal (outbox_waiting (fixture->outbox), 20);
    outbox_destroy (&fixture->outbox);
    assert_null (fixture->outbox);
    outbox_destroy (&fixture->outbox);
    assert_null (fixture->outbox);
    //  The socket still works without it
    assert_int_equal (s_receive (fixture->listeners[0], WAIT_MS), 1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_room_goes_at_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wait_for_room, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stalled_listener, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stalled_listener_among_two, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stalls_counted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_may_drop, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_frame_count, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_destroy_waiting, s_setup, s_teardown),
    };
    int failed = cmocka_run_group_tests_name ("outbox", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
