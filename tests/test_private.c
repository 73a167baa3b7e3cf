/*  test_private.c - unit tests for private.c over real ZeroMQ sockets, asserting what the user
    sees on stdout and stderr. The sending side runs on a publisher bound to a free TCP port,
    heard by a SUB subscribed to the recipients' private topics: a private message's frames and
    its number, one resend after PRIVATE_RESEND_MS, giving up after PRIVATE_WAIT_MS with one
    line, a receipt told once, receipts for nothing told never, the bound on messages waiting.
    The receiving side runs on a SUB connected to a test XPUB (inproc, in czmq's context), where
    the receipts arrive as subscriptions: every copy acknowledged, shown the first time only,
    under a name told apart from ours, made safe; malformed ones refused without a receipt.

    Runs in the C locale, so the notices are English.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "private.h"
#include "control.h"
#include "publisher.h"
#include "roomlock.h"
#include "room.h"
#include "term.h"
#include "wire.h"

#include <czmq.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000                              //  the longest any bounded wait may take
#define PORT_TRIES 5                              //  free ports tried for the publisher
#define OUTPUT_MAX_BYTES 65536                    //  what one capture of stdout or stderr holds
#define RECEIVED_FRAMES_MAX 5                     //  frames of a received message noted at most
#define RECEIVED_FRAME_BYTES (TEXT_MAX_BYTES + 1) //  ... bytes of one of its frames
#define SENTINEL_KIND "sentinel"                  //  a message kind that marks "no more"
#define SENTINEL_TOPIC "~sentinel"                //  a subscription that marks "no more"

//  A time well after 0, so no test leans on what 0 means to the waiting messages.
#define T0 1000000

static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0x3f, 0x2a, 1};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x10, 0x20, 3};
static const uint8_t CECILIA[WIRE_SENDER_BYTES] = {0x55, 0x66, 7};

//  stdout and stderr sent into temporary files around a call, and what they got.
typedef struct {
    char out[OUTPUT_MAX_BYTES]; //  stdout during the last capture
    char err[OUTPUT_MAX_BYTES]; //  stderr during the last capture
    time_t before;              //  the wall clock when the last capture started
    time_t after;               //  ... and when it stopped
    int saved_out;              //  the real stdout during a capture
    int saved_err;              //  the real stderr during a capture
    FILE *out_file;             //  where stdout goes during a capture
    FILE *err_file;             //  where stderr goes during a capture
} capture_t;

//  The sending side of one test: our publisher, and a SUB listening as the recipients.
typedef struct {
    roomlock_t *lock;       //  an open room's
    publisher_t *publisher; //  ours, anna's, on a free port
    int port;               //  ... which is this
    private_t *private;     //  under test
    zsock_t *listener;      //  SUB subscribed to bertil's and cecilia's private topics
    capture_t capture;      //  what the user saw
} sending_t;

//  The receiving side of one test: the SUB receipts go out on, and the XPUB they reach.
typedef struct {
    zsock_t *receipts;      //  test XPUB: the receipts arrive on it as subscriptions
    zsock_t *sub;           //  SUB connected to it, the private inbox's
    room_t *room;           //  the members, for names
    private_inbox_t *inbox; //  under test
    capture_t capture;      //  what the user saw
} receiving_t;

//  A message the listener received: its frames, each NUL-terminated.
typedef struct {
    char frames[RECEIVED_FRAMES_MAX][RECEIVED_FRAME_BYTES]; //  each frame's bytes
    size_t sizes[RECEIVED_FRAMES_MAX];                      //  ... and size
    size_t count;                                           //  frames
} received_t;

//  Write id as 32 lowercase hex digits into out.
static void
s_hex (const uint8_t id[WIRE_SENDER_BYTES], char out[2 * WIRE_SENDER_BYTES + 1])
{
    for (int i = 0; i < WIRE_SENDER_BYTES; i++)
        assert_int_equal (snprintf (out + 2 * i, 3, "%02x", id[i]), 2);
}

//  Send what stdout and stderr get from now on into temporary files.
static void
s_capture_start (capture_t *capture)
{
    fflush (stdout);
    fflush (stderr);
    capture->out_file = tmpfile ();
    capture->err_file = tmpfile ();
    assert_non_null (capture->out_file);
    assert_non_null (capture->err_file);
    capture->saved_out = dup (STDOUT_FILENO);
    capture->saved_err = dup (STDERR_FILENO);
    assert_true (capture->saved_out >= 0 && capture->saved_err >= 0);
    capture->before = time (NULL);
    //  No assertion from here to s_capture_stop: cmocka's report would land in the file
    dup2 (fileno (capture->out_file), STDOUT_FILENO);
    dup2 (fileno (capture->err_file), STDERR_FILENO);
}

//  Read file (a capture) from its start into out, and close it. Returns the bytes read.
static size_t
s_read_back (FILE *file, char *out, size_t outsize)
{
    rewind (file);
    size_t size = fread (out, 1, outsize - 1, file);
    out[size] = 0;
    fclose (file);
    return size;
}

//  Put stdout and stderr back, and read what they got into capture->out and capture->err.
static void
s_capture_stop (capture_t *capture)
{
    fflush (stdout);
    fflush (stderr);
    capture->after = time (NULL);
    dup2 (capture->saved_out, STDOUT_FILENO);
    dup2 (capture->saved_err, STDERR_FILENO);
    close (capture->saved_out);
    close (capture->saved_err);
    size_t out_size = s_read_back (capture->out_file, capture->out, sizeof capture->out);
    size_t err_size = s_read_back (capture->err_file, capture->err, sizeof capture->err);
    assert_true (out_size < sizeof capture->out - 1 && err_size < sizeof capture->err - 1);
}

//  Assert that stderr got exactly expected, and stdout nothing.
static void
s_assert_told (const capture_t *capture, const char *expected)
{
    if (strcmp (capture->err, expected) != 0)
        fail_msg ("stderr got\n\"%s\"\nexpected\n\"%s\"", capture->err, expected);
    if (capture->out[0])
        fail_msg ("stdout got \"%s\", expected nothing", capture->out);
}

//  Write "HH:MM" of when, local time, into clock.
static void
s_clock (time_t when, char clock[6])
{
    struct tm local;
    assert_non_null (localtime_r (&when, &local));
    assert_int_equal (strftime (clock, 6, "%H:%M", &local), 5);
}

//  Assert that stdout got exactly one line, tail after the clock of the last capture's minute
//  (when it started or, if the minute turned, when it stopped), or nothing when tail is NULL;
//  and stderr nothing.
static void
s_assert_shown (const capture_t *capture, const char *tail)
{
    static char early[OUTPUT_MAX_BYTES], late[OUTPUT_MAX_BYTES];
    char clock[6];
    early[0] = late[0] = 0;
    if (tail) {
        s_clock (capture->before, clock);
        assert_true (snprintf (early, sizeof early, "%s %s\n", clock, tail) > 0);
        s_clock (capture->after, clock);
        assert_true (snprintf (late, sizeof late, "%s %s\n", clock, tail) > 0);
    }
    if (strcmp (capture->out, early) != 0 && strcmp (capture->out, late) != 0)
        fail_msg ("stdout got\n\"%s\"\nexpected\n\"%s\"", capture->out, early);
    if (capture->err[0])
        fail_msg ("stderr got \"%s\", expected nothing", capture->err);
}

//  Assert that text holds no control byte but newlines: nothing a terminal would act on.
static void
s_assert_inert (const char *text)
{
    for (const unsigned char *c = (const unsigned char *) text; *c; c++)
        if ((*c < 0x20 && *c != '\n') || *c == 0x7f)
            fail_msg ("byte 0x%02x at offset %td reached the terminal raw", *c,
                      (const char *) c - text);
}

//  A port nobody listens on now: bind a throwaway socket to any free one, read it, and close
//  it. libzmq closes a listener in its I/O thread, later: wait (bounded) for its monitor to
//  say it is closed, or the publisher would find the port still taken.
static int
s_free_port (void)
{
    static int probes = 0;
    char events_endpoint[64];
    assert_true (snprintf (events_endpoint, sizeof events_endpoint, "inproc://private-probe-%d",
                           ++probes) > 0);
    zsock_t *probe = zsock_new (ZMQ_PUB);
    zsock_t *events = zsock_new (ZMQ_PAIR);
    assert_true (probe && events);
    int port = zsock_bind (probe, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    assert_int_equal (zmq_socket_monitor (zsock_resolve (probe), events_endpoint, ZMQ_EVENT_CLOSED),
                      0);
    assert_int_equal (zsock_connect (events, "%s", events_endpoint), 0);
    assert_int_equal (zsock_unbind (probe, "tcp://127.0.0.1:%d", port), 0);
    zmq_pollitem_t item = {zsock_resolve (events), 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, WAIT_MS) != 1)
        fail_msg ("port %d was not closed within %d ms", port, WAIT_MS);
    uint8_t event[6]; //  the event's id (16 bits) and value (32 bits); its endpoint follows
    assert_int_equal (zmq_recv (zsock_resolve (events), event, sizeof event, ZMQ_DONTWAIT),
                      sizeof event);
    uint16_t id;
    memcpy (&id, event, sizeof id);
    assert_int_equal (id, ZMQ_EVENT_CLOSED);
    zmq_socket_monitor (zsock_resolve (probe), NULL, 0);
    zsock_destroy (&events);
    zsock_destroy (&probe);
    return port;
}

//  Subscribe listener to the private topic of id.
static void
s_subscribe_private (zsock_t *listener, const uint8_t id[WIRE_SENDER_BYTES])
{
    char topic[CONTROL_PRIVATE_BYTES + 1];
    assert_int_equal (control_encode_private (topic, sizeof topic, id), CONTROL_PRIVATE_BYTES);
    assert_int_equal (
        zmq_setsockopt (zsock_resolve (listener), ZMQ_SUBSCRIBE, topic, CONTROL_PRIVATE_BYTES), 0);
}

//  Wait (bounded) until the publisher has count subscriptions: then its filter lets our
//  messages through to the listener.
static void
s_wait_subscriptions (sending_t *fixture, int count)
{
    void *socket = publisher_socket (fixture->publisher);
    int64_t deadline_ms = zclock_mono () + WAIT_MS;
    for (int seen = 0; seen < count;) {
        zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
        int64_t left = deadline_ms - zclock_mono ();
        if (zmq_poll (&item, 1, left > 0 ? (long) left : 0) != 1)
            fail_msg ("%d of %d subscriptions came within %d ms", seen, count, WAIT_MS);
        uint8_t data[CONTROL_PRIVATE_BYTES + 2];
        int size = zmq_recv (socket, data, sizeof data, ZMQ_DONTWAIT);
        if (size == 1 + CONTROL_PRIVATE_BYTES && data[0] == 1)
            seen++;
    }
}

//  Setup: an open room's publisher (anna) on a free port, the sending side on it, and a SUB
//  listening as bertil and cecilia, attached.
static int
s_setup_sending (void **state)
{
    sending_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    fixture->lock = roomlock_new ();
    assert_non_null (fixture->lock);
    //  Never port 0: that means 5557 and up, which other tests and chats expect free
    for (int try = 0; try < PORT_TRIES && !fixture->publisher; try++) {
        fixture->port = s_free_port ();
        fixture->publisher = publisher_new (fixture->port, fixture->lock, ANNA, "anna", false);
    }
    assert_non_null (fixture->publisher);
    assert_int_equal (publisher_port (fixture->publisher), fixture->port);
    fixture->private = private_new (fixture->publisher);
    assert_non_null (fixture->private);
    fixture->listener = zsock_new (ZMQ_SUB);
    assert_non_null (fixture->listener);
    s_subscribe_private (fixture->listener, BERTIL);
    s_subscribe_private (fixture->listener, CECILIA);
    assert_int_equal (zsock_connect (fixture->listener, "tcp://127.0.0.1:%d", fixture->port), 0);
    s_wait_subscriptions (fixture, 2);
    return 0;
}

//  Teardown: destroy the sending side (twice), the publisher, the lock and the listener.
static int
s_teardown_sending (void **state)
{
    sending_t *fixture = *state;
    private_destroy (&fixture->private);
    private_destroy (&fixture->private); //  safe twice
    assert_null (fixture->private);
    publisher_destroy (&fixture->publisher);
    roomlock_destroy (&fixture->lock);
    zsock_destroy (&fixture->listener);
    free (fixture);
    return 0;
}

//  Receive the next message on the listener into received, waiting WAIT_MS at most.
static void
s_receive (sending_t *fixture, received_t *received)
{
    void *socket = zsock_resolve (fixture->listener);
    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, WAIT_MS) != 1)
        fail_msg ("no message came within %d ms", WAIT_MS);
    received->count = 0;
    zmq_msg_t part;
    zmq_msg_init (&part);
    bool more = true;
    while (more) {
        assert_true (zmq_msg_recv (&part, socket, ZMQ_DONTWAIT) >= 0);
        assert_true (received->count < RECEIVED_FRAMES_MAX);
        size_t size = zmq_msg_size (&part);
        assert_true (size < RECEIVED_FRAME_BYTES);
        memcpy (received->frames[received->count], zmq_msg_data (&part), size);
        received->frames[received->count][size] = 0;
        received->sizes[received->count++] = size;
        more = zmq_msg_more (&part);
    }
    zmq_msg_close (&part);
}

//  Assert that the next message the listener gets is anna's private message number with text
//  to id: its topic, kind "msg", the text, and anna's metadata with the number as seq.
static void
s_assert_sent (sending_t *fixture, const uint8_t to[WIRE_SENDER_BYTES], const char *text,
               uint64_t number)
{
    received_t received;
    s_receive (fixture, &received);
    assert_int_equal (received.count, 4);
    char topic[CONTROL_PRIVATE_BYTES + 1] = "!";
    s_hex (to, topic + 1);
    assert_string_equal (received.frames[0], topic);
    assert_string_equal (received.frames[1], "msg");
    assert_int_equal (received.sizes[2], strlen (text));
    assert_string_equal (received.frames[2], text);
    wire_meta_t meta;
    assert_int_equal (wire_decode_meta (received.frames[3], received.sizes[3], &meta), WIRE_OK);
    if (meta.seq != number)
        fail_msg ("message number %llu came, expected %llu", (unsigned long long) meta.seq,
                  (unsigned long long) number);
    assert_memory_equal (meta.sender, ANNA, WIRE_SENDER_BYTES);
    assert_string_equal (meta.nick, "anna");
    assert_int_equal (meta.version, WIRE_VERSION);
}

//  Assert that nothing was sent since the last message looked at: a message of the test's
//  own, sent now, is the next to arrive.
static void
s_assert_nothing_sent (sending_t *fixture)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (fixture->publisher, 0, meta, sizeof meta);
    assert_true (meta_size > 0);
    assert_int_equal (publisher_send_private (fixture->publisher, BERTIL, SENTINEL_KIND, NULL, 0,
                                              meta, (size_t) meta_size, false),
                      0);
    received_t received;
    s_receive (fixture, &received);
    assert_int_equal (received.count, 3);
    if (strcmp (received.frames[1], SENTINEL_KIND) != 0)
        fail_msg ("a \"%s\" came, expected nothing before the test's own", received.frames[1]);
}

//  private_send, capturing what the user sees. Returns what it returns.
static int
s_send (sending_t *fixture, const uint8_t to[WIRE_SENDER_BYTES], const char *name, const char *text,
        int64_t now_ms)
{
    s_capture_start (&fixture->capture);
    int rc = private_send (fixture->private, to, name, text, now_ms);
    s_capture_stop (&fixture->capture);
    return rc;
}

//  private_check at now_ms, capturing what the user sees. Returns what it returns.
static bool
s_check (sending_t *fixture, int64_t now_ms)
{
    s_capture_start (&fixture->capture);
    bool waiting = private_check (fixture->private, now_ms);
    s_capture_stop (&fixture->capture);
    return waiting;
}

//  private_delivered for number, capturing what the user sees.
static void
s_delivered (sending_t *fixture, uint64_t number)
{
    s_capture_start (&fixture->capture);
    private_delivered (fixture->private, number);
    s_capture_stop (&fixture->capture);
}

//  A private message goes out as [bertil's private topic, "msg", text, our metadata] with the
//  message's number as seq: 1, then 2; nothing is told; both wait for a receipt.
static void
test_send_frames (void **state)
{
    sending_t *fixture = *state;
    assert_false (private_check (fixture->private, T0));
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "hemlis", T0), 0);
    s_assert_told (&fixture->capture, "");
    assert_int_equal (s_send (fixture, CECILIA, "cecilia", "två ord", T0 + 1), 0);
    s_assert_told (&fixture->capture, "");
    s_assert_sent (fixture, BERTIL, "hemlis", 1);
    s_assert_sent (fixture, CECILIA, "två ord", 2);
    s_assert_nothing_sent (fixture);
    assert_true (s_check (fixture, T0 + 1));
    s_assert_told (&fixture->capture, "");
}

//  Without a receipt a message is sent once more at PRIVATE_RESEND_MS, with the same number,
//  and given up at PRIVATE_WAIT_MS with one error line; a receipt after that tells nothing.
static void
test_resend_then_give_up (void **state)
{
    sending_t *fixture = *state;
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "hemlis", T0), 0);
    s_assert_sent (fixture, BERTIL, "hemlis", 1);
    assert_true (s_check (fixture, T0 + PRIVATE_RESEND_MS - 1));
    s_assert_told (&fixture->capture, "");
    s_assert_nothing_sent (fixture);
    assert_true (s_check (fixture, T0 + PRIVATE_RESEND_MS));
    s_assert_told (&fixture->capture, "");
    s_assert_sent (fixture, BERTIL, "hemlis", 1);
    assert_true (s_check (fixture, T0 + PRIVATE_RESEND_MS + 1));
    assert_true (s_check (fixture, T0 + PRIVATE_WAIT_MS - 1));
    s_assert_told (&fixture->capture, "");
    s_assert_nothing_sent (fixture); //  once more, not twice
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS));
    s_assert_told (&fixture->capture,
                   "!! your message to bertil was not delivered (no receipt within 5 s)\n");
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS + 1));
    s_assert_told (&fixture->capture, "");
    s_delivered (fixture, 1);
    s_assert_told (&fixture->capture, "");
    s_assert_nothing_sent (fixture);
}

//  A receipt is told once, naming the recipient, and its message waits no more (it is not
//  sent again); the others still wait.
static void
test_delivered (void **state)
{
    sending_t *fixture = *state;
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "ett", T0), 0);
    assert_int_equal (s_send (fixture, CECILIA, "cecilia", "två", T0), 0);
    s_assert_sent (fixture, BERTIL, "ett", 1);
    s_assert_sent (fixture, CECILIA, "två", 2);
    s_delivered (fixture, 1);
    s_assert_told (&fixture->capture, "-- \xE2\x9C\x93 delivered to bertil\n");
    s_delivered (fixture, 1); //  a receipt for the resent copy
    s_assert_told (&fixture->capture, "");
    assert_true (s_check (fixture, T0 + PRIVATE_RESEND_MS));
    s_assert_sent (fixture, CECILIA, "två", 2);
    s_assert_nothing_sent (fixture);
    s_delivered (fixture, 2);
    s_assert_told (&fixture->capture, "-- \xE2\x9C\x93 delivered to cecilia\n");
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS));
    s_assert_told (&fixture->capture, "");
}

//  A receipt for number 0 or for a number never sent tells nothing, and the message waiting
//  still waits (and is given up in time).
static void
test_receipt_for_nothing (void **state)
{
    sending_t *fixture = *state;
    s_delivered (fixture, 1); //  nothing sent yet
    s_assert_told (&fixture->capture, "");
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "hemlis", T0), 0);
    s_assert_sent (fixture, BERTIL, "hemlis", 1);
    const uint64_t numbers[] = {0, 2, 99, UINT64_MAX};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        s_delivered (fixture, numbers[i]);
        if (fixture->capture.err[0])
            fail_msg ("a receipt for %llu told \"%s\"", (unsigned long long) numbers[i],
                      fixture->capture.err);
    }
    assert_true (s_check (fixture, T0 + 1));
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS));
    s_assert_told (&fixture->capture,
                   "!! your message to bertil was not delivered (no receipt within 5 s)\n");
}

//  PRIVATE_WAITING_MAX messages may wait; one more is refused with one line, takes no number
//  and sends nothing; once one is delivered there is room again.
static void
test_too_many_waiting (void **state)
{
    sending_t *fixture = *state;
    for (int i = 0; i < PRIVATE_WAITING_MAX; i++) {
        if (s_send (fixture, BERTIL, "bertil", "hemlis", T0 + i) != 0)
            fail_msg ("message %d of %d was refused", i + 1, PRIVATE_WAITING_MAX);
        s_assert_told (&fixture->capture, "");
    }
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "en för mycket", T0), -1);
    s_assert_told (&fixture->capture,
                   "!! too many private messages are waiting for a receipt: not sent\n");
    for (int i = 0; i < PRIVATE_WAITING_MAX; i++)
        s_assert_sent (fixture, BERTIL, "hemlis", (uint64_t) i + 1);
    s_assert_nothing_sent (fixture);
    s_delivered (fixture, 7);
    s_assert_told (&fixture->capture, "-- \xE2\x9C\x93 delivered to bertil\n");
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "nu går det", T0), 0);
    s_assert_told (&fixture->capture, "");
    s_assert_sent (fixture, BERTIL, "nu går det", PRIVATE_WAITING_MAX + 1);
}

//  A text of TEXT_MAX_BYTES goes whole; a longer one, or a name too long, is refused (the
//  caller checks both: nothing is told), takes no number and sends nothing.
static void
test_send_limits (void **state)
{
    sending_t *fixture = *state;
    static char text[TEXT_MAX_BYTES + 2];
    memset (text, 'x', TEXT_MAX_BYTES);
    text[TEXT_MAX_BYTES] = 0;
    assert_int_equal (s_send (fixture, BERTIL, "bertil", text, T0), 0);
    s_assert_sent (fixture, BERTIL, text, 1);
    text[TEXT_MAX_BYTES] = 'x';
    text[TEXT_MAX_BYTES + 1] = 0;
    assert_int_equal (s_send (fixture, BERTIL, "bertil", text, T0), -1);
    s_assert_told (&fixture->capture, "");
    char name[NAME_MAX_BYTES + 16];
    memset (name, 'b', sizeof name - 1);
    name[sizeof name - 1] = 0;
    assert_int_equal (s_send (fixture, BERTIL, name, "hej", T0), -1);
    s_assert_told (&fixture->capture, "");
    s_assert_nothing_sent (fixture);
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "hej", T0), 0);
    s_assert_sent (fixture, BERTIL, "hej", 2);
    //  Only the two sent wait: both are given up, in one line each
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS));
    s_assert_told (&fixture->capture,
                   "!! your message to bertil was not delivered (no receipt within 5 s)\n"
                   "!! your message to bertil was not delivered (no receipt within 5 s)\n");
}

//  private_destroy sets the pointer to NULL and is safe twice, and on NULL.
static void
test_private_destroy (void **state)
{
    sending_t *fixture = *state;
    private_destroy (&fixture->private);
    assert_null (fixture->private);
    private_destroy (&fixture->private);
    assert_null (fixture->private);
    private_destroy (NULL);
}

//  Setup: a test XPUB, a SUB connected to it, a room, and the receiving side on that SUB.
static int
s_setup_receiving (void **state)
{
    static int endpoints = 0;
    receiving_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    char endpoint[64];
    assert_true (snprintf (endpoint, sizeof endpoint, "inproc://private-test-%d", ++endpoints) > 0);
    fixture->receipts = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->receipts);
    zsock_set_xpub_verboser (fixture->receipts, 1); //  every (un)subscription, as publisher.c
    assert_int_equal (zsock_bind (fixture->receipts, "%s", endpoint), 0);
    fixture->sub = zsock_new (ZMQ_SUB);
    assert_non_null (fixture->sub);
    assert_int_equal (zsock_connect (fixture->sub, "%s", endpoint), 0);
    fixture->room = room_new ();
    assert_non_null (fixture->room);
    fixture->inbox = private_inbox_new (zsock_resolve (fixture->sub), fixture->room);
    assert_non_null (fixture->inbox);
    return 0;
}

//  Teardown: destroy the receiving side (twice), the room and the sockets.
static int
s_teardown_receiving (void **state)
{
    receiving_t *fixture = *state;
    private_inbox_destroy (&fixture->inbox);
    private_inbox_destroy (&fixture->inbox); //  safe twice
    assert_null (fixture->inbox);
    room_destroy (&fixture->room);
    zsock_destroy (&fixture->sub);
    zsock_destroy (&fixture->receipts);
    free (fixture);
    return 0;
}

//  Receive one (un)subscription on the test XPUB into topic, waiting until deadline_ms at
//  most. Returns 1 for a subscription, 0 for an unsubscription.
static int
s_upstream (receiving_t *fixture, char *topic, size_t size, int64_t deadline_ms)
{
    void *socket = zsock_resolve (fixture->receipts);
    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    int64_t left = deadline_ms - zclock_mono ();
    if (zmq_poll (&item, 1, left > 0 ? (long) left : 0) != 1)
        fail_msg ("nothing came upstream within %d ms", WAIT_MS);
    char message[CONTROL_REQUEST_MAX_BYTES + 1];
    int received = zmq_recv (socket, message, sizeof message, ZMQ_DONTWAIT);
    assert_true (received >= 1 && (size_t) received <= sizeof message && (size_t) received <= size);
    assert_true (message[0] == 0 || message[0] == 1);
    memcpy (topic, message + 1, (size_t) received - 1);
    topic[received - 1] = 0;
    return message[0];
}

//  Assert that the next thing upstream is the subscription expected, then its unsubscription.
static void
s_assert_upstream (receiving_t *fixture, const char *expected)
{
    int64_t deadline_ms = zclock_mono () + WAIT_MS;
    char topic[CONTROL_REQUEST_MAX_BYTES + 1];
    assert_int_equal (s_upstream (fixture, topic, sizeof topic, deadline_ms), 1);
    if (strcmp (topic, expected) != 0)
        fail_msg ("upstream came \"%s\", expected \"%s\"", topic, expected);
    assert_int_equal (s_upstream (fixture, topic, sizeof topic, deadline_ms), 0);
    assert_string_equal (topic, expected);
}

//  Assert that the next receipt upstream is "~ack SENDER NUMBER".
static void
s_assert_receipt (receiving_t *fixture, const uint8_t sender[WIRE_SENDER_BYTES], uint64_t number)
{
    char hex[2 * WIRE_SENDER_BYTES + 1], expected[CONTROL_REQUEST_MAX_BYTES];
    s_hex (sender, hex);
    assert_true (
        snprintf (expected, sizeof expected, "~ack %s %llu", hex, (unsigned long long) number) > 0);
    s_assert_upstream (fixture, expected);
}

//  Assert that no receipt went upstream since the last one looked at: the test's own
//  subscription, sent now, is the next to arrive.
static void
s_assert_no_receipt (receiving_t *fixture)
{
    void *sub = zsock_resolve (fixture->sub);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, SENTINEL_TOPIC, strlen (SENTINEL_TOPIC));
    zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, SENTINEL_TOPIC, strlen (SENTINEL_TOPIC));
    s_assert_upstream (fixture, SENTINEL_TOPIC);
}

//  Encode the metadata of sender id with nick and seq into meta. Returns its size.
static size_t
s_meta (uint8_t meta[WIRE_META_MAX_BYTES], const uint8_t id[WIRE_SENDER_BYTES], const char *nick,
        uint64_t seq)
{
    wire_meta_t decoded = {
        .version = WIRE_VERSION, .seq = seq, .sent_ms = (uint64_t) zclock_time ()};
    memcpy (decoded.sender, id, WIRE_SENDER_BYTES);
    assert_true (strlen (nick) < sizeof decoded.nick);
    strcpy (decoded.nick, nick);
    int size = wire_encode_meta (meta, WIRE_META_MAX_BYTES, &decoded);
    assert_true (size > 0);
    return (size_t) size;
}

//  private_inbox_receive with text (size bytes) and a meta frame (size bytes), capturing what
//  the user sees (the lines flushed after). Returns what it returns.
static int
s_take (receiving_t *fixture, const void *text, size_t text_size, const void *meta,
        size_t meta_size)
{
    s_capture_start (&fixture->capture);
    int rc = private_inbox_receive (fixture->inbox, text, text_size, meta, meta_size);
    term_flush ();
    s_capture_stop (&fixture->capture);
    return rc;
}

//  A good private message number from id (nick) with text: taken, and acknowledged upstream.
static void
s_take_good (receiving_t *fixture, const uint8_t id[WIRE_SENDER_BYTES], const char *nick,
             uint64_t number, const char *text)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    size_t meta_size = s_meta (meta, id, nick, number);
    assert_int_equal (s_take (fixture, text, strlen (text), meta, meta_size), 0);
    s_assert_receipt (fixture, id, number);
}

//  A private message is acknowledged every time it comes and shown the first time only; the
//  same number from another sender is another message.
static void
test_receive_shown_once (void **state)
{
    receiving_t *fixture = *state;
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    s_assert_shown (&fixture->capture, "(private) <anna> hemlis");
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    s_assert_shown (&fixture->capture, NULL);
    s_take_good (fixture, ANNA, "anna", 2, "igen");
    s_assert_shown (&fixture->capture, "(private) <anna> igen");
    s_take_good (fixture, BERTIL, "bertil", 1, "hemlis");
    s_assert_shown (&fixture->capture, "(private) <bertil> hemlis");
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    s_assert_shown (&fixture->capture, NULL);
    s_assert_no_receipt (fixture);
}

//  A row of malformed private messages: what is wrong with it.
typedef enum {
    MALFORMED_NO_META,      //  meta NULL
    MALFORMED_SHORT_META,   //  meta too short to decode
    MALFORMED_VERSION_0,    //  meta of version 0
    MALFORMED_BAD_NICK,     //  meta with a nick that breaks the rules
    MALFORMED_SEQ_0,        //  meta with seq 0: no message number
    MALFORMED_NO_TEXT,      //  text NULL
    MALFORMED_EMPTY_TEXT,   //  text of 0 bytes
    MALFORMED_TEXT_TOO_LONG //  text of TEXT_MAX_BYTES + 1 bytes
} malformed_t;

//  Malformed messages return -1, show nothing, tell nothing (the caller does) and send no
//  receipt; a text of TEXT_MAX_BYTES exactly is taken.
static void
test_receive_malformed (void **state)
{
    receiving_t *fixture = *state;
    static char text[TEXT_MAX_BYTES + 2];
    memset (text, 'x', sizeof text - 1);
    for (int row = MALFORMED_NO_META; row <= MALFORMED_TEXT_TOO_LONG; row++) {
        uint8_t meta[WIRE_META_MAX_BYTES];
        size_t meta_size = s_meta (meta, ANNA, "anna", row == MALFORMED_SEQ_0 ? 0 : 1);
        size_t text_size = row == MALFORMED_TEXT_TOO_LONG ? TEXT_MAX_BYTES + 1 : 6;
        if (row == MALFORMED_EMPTY_TEXT)
            text_size = 0;
        if (row == MALFORMED_SHORT_META)
            meta_size = WIRE_META_FIXED_BYTES - 1;
        if (row == MALFORMED_VERSION_0)
            meta[0] = 0;
        if (row == MALFORMED_BAD_NICK)
            meta[WIRE_META_FIXED_BYTES] = '>';
        int rc = s_take (fixture, row == MALFORMED_NO_TEXT ? NULL : text, text_size,
                         row == MALFORMED_NO_META ? NULL : meta, meta_size);
        if (rc != -1)
            fail_msg ("row %d: returned %d, expected -1", row, rc);
        s_assert_shown (&fixture->capture, NULL);
    }
    s_assert_no_receipt (fixture);
    text[TEXT_MAX_BYTES] = 0;
    s_take_good (fixture, ANNA, "anna", 1, text);
    static char expected[TEXT_MAX_BYTES + 64];
    assert_true (snprintf (expected, sizeof expected, "(private) <anna> %s", text) > 0);
    s_assert_shown (&fixture->capture, expected);
}

//  A sender with our own nick is shown with its id, so it never looks like us; a sender's
//  escape sequences reach the terminal made visible.
static void
test_receive_names_and_escapes (void **state)
{
    receiving_t *fixture = *state;
    room_set_own_nick (fixture->room, "anna");
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    s_assert_shown (&fixture->capture, "(private) <anna#3f2a> hemlis");
    s_take_good (fixture, BERTIL, "bertil", 1, "\x1b[2J\x1b]0;x\a\r");
    s_assert_shown (&fixture->capture, "(private) <bertil> ^[[2J^[]0;x^G^M");
    s_assert_inert (fixture->capture.out);
}

//  The last PRIVATE_SEEN_MAX messages are remembered, so a copy of one of them is not shown
//  again; memory is bounded: the oldest is forgotten when one more comes.
static void
test_receive_seen_bounded (void **state)
{
    receiving_t *fixture = *state;
    for (uint64_t number = 1; number <= PRIVATE_SEEN_MAX; number++) {
        s_take_good (fixture, ANNA, "anna", number, "hemlis");
        s_assert_shown (&fixture->capture, "(private) <anna> hemlis");
    }
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    s_assert_shown (&fixture->capture, NULL);
    s_take_good (fixture, ANNA, "anna", PRIVATE_SEEN_MAX + 1, "hemlis");
    s_assert_shown (&fixture->capture, "(private) <anna> hemlis");
    s_take_good (fixture, ANNA, "anna", PRIVATE_SEEN_MAX, "hemlis");
    s_assert_shown (&fixture->capture, NULL);
    s_take_good (fixture, ANNA, "anna", 1, "hemlis"); //  forgotten
    s_assert_shown (&fixture->capture, "(private) <anna> hemlis");
}

//  private_inbox_destroy sets the pointer to NULL and is safe twice, and on NULL.
static void
test_private_inbox_destroy (void **state)
{
    receiving_t *fixture = *state;
    private_inbox_destroy (&fixture->inbox);
    assert_null (fixture->inbox);
    private_inbox_destroy (&fixture->inbox);
    assert_null (fixture->inbox);
    private_inbox_destroy (NULL);
}

//  Run the private message tests, in the C locale; the exit code is the number that failed.
int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_send_frames, s_setup_sending, s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_resend_then_give_up, s_setup_sending,
                                         s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_delivered, s_setup_sending, s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_receipt_for_nothing, s_setup_sending,
                                         s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_too_many_waiting, s_setup_sending,
                                         s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_send_limits, s_setup_sending, s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_private_destroy, s_setup_sending, s_teardown_sending),
        cmocka_unit_test_setup_teardown (test_receive_shown_once, s_setup_receiving,
                                         s_teardown_receiving),
        cmocka_unit_test_setup_teardown (test_receive_malformed, s_setup_receiving,
                                         s_teardown_receiving),
        cmocka_unit_test_setup_teardown (test_receive_names_and_escapes, s_setup_receiving,
                                         s_teardown_receiving),
        cmocka_unit_test_setup_teardown (test_receive_seen_bounded, s_setup_receiving,
                                         s_teardown_receiving),
        cmocka_unit_test_setup_teardown (test_private_inbox_destroy, s_setup_receiving,
                                         s_teardown_receiving),
    };
    int failed = cmocka_run_group_tests_name ("private", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
