/*  test_publisher.c - unit tests for publisher.c over real TCP sockets (the publisher's XPUB on a
    free port, SUB sockets and a raw ZMTP peer on 127.0.0.1): the frames of a chat line (two, or
    one with --plain), of a control message and of a message for one peer, what each seq and nick
    is; that a private topic reaches only its peer; the subscriptions read as events (a chat's
    "~listen PORT", a plain subscriber, a course peer with its notice, requests for us and for
    others, malformed ones) and the listener count they keep, never below 0; our own lines waiting
    rather than dropped when a listener is slow; flush, destroy, and a port already taken.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "publisher.h"
#include "roomlock.h"
#include "term.h"
#include "wire.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define WAIT_MS 5000            //  the longest any bounded wait here may take
#define SUBS_MAX 4              //  SUB sockets in one test at most
#define CHANNEL_TOPICS_MAX 256  //  one-byte topics a chat subscribes to, at most
#define SLOW_LINES_MAX 20000    //  lines sent to a slow listener before one must wait
#define SLOW_RCVHWM_MESSAGES 10 //  the slow listener's receive queue
#define MARKER_NUMBER 4242      //  number of the request that marks "nothing before this"
#define LISTEN_PORT 23456       //  the port a chat listener says it listens on
#define NICK "anna"             //  our nick
#define ZMTP_GREETING_BYTES 64  //  a ZMTP 3 greeting

//  Our sender id (PROTOKOLL.md's Anna), another peer's (Bertil) and a third one's
static const uint8_t s_our_id[WIRE_SENDER_BYTES] = {0x45, 0xdd, 0x4e, 0x1b, 0x7d, 0x28, 0x4a, 0xe2,
                                                    0xb8, 0xb6, 0xea, 0x47, 0x61, 0x07, 0x90, 0x86};
static const uint8_t s_other_id[WIRE_SENDER_BYTES] = {
    0x17, 0x75, 0x9f, 0x81, 0xe4, 0xd2, 0x4d, 0x2e, 0x9e, 0x99, 0xfb, 0xe9, 0xff, 0x97, 0x22, 0xeb};
static const uint8_t s_third_id[WIRE_SENDER_BYTES] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

//  The publisher of one test and the sockets connected to it
typedef struct {
    roomlock_t *lock;          //  an open room's lock
    publisher_t *publisher;    //  the publisher under test
    int port;                  //  where it listens
    zsock_t *subs[SUBS_MAX];   //  SUB sockets connected to it
    size_t sub_count;          //  of them
    int raw_fd;                //  a raw ZMTP peer, or -1
    testlib_capture_t capture; //  what the last capture caught
} fixture_t;

//  A frame a raw ZMTP peer sends: bytes that may hold a NUL
typedef struct {
    const char *data; //  its bytes
    size_t size;      //  how many
} raw_frame_t;

//  A raw frame from a string literal, without its NUL
#define RAW(literal) ((raw_frame_t){literal, sizeof literal - 1})

//  Setup: an open room and a publisher with metadata, nothing connected.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    fixture->raw_fd = -1;
    fixture->lock = roomlock_new ();
    assert_non_null (fixture->lock);
    fixture->publisher =
        testlib_publisher_new (fixture->lock, s_our_id, NICK, false, &fixture->port);
    return 0;
}

//  Setup: the same with --plain.
static int
s_setup_plain (void **state)
{
    s_setup (state);
    fixture_t *fixture = *state;
    publisher_destroy (&fixture->publisher);
    fixture->publisher =
        testlib_publisher_new (fixture->lock, s_our_id, NICK, true, &fixture->port);
    return 0;
}

//  Teardown: close the listeners first (so nothing lingers for them), then the publisher, twice.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    for (size_t i = 0; i < fixture->sub_count; i++)
        zsock_destroy (&fixture->subs[i]);
    if (fixture->raw_fd >= 0)
        close (fixture->raw_fd);
    publisher_destroy (&fixture->publisher);
    publisher_destroy (&fixture->publisher); //  safe twice
    roomlock_destroy (&fixture->lock);
    free (fixture);
    return 0;
}

//  A SUB socket subscribed to topics (count of them), connected to the publisher.
static zsock_t *
s_subscriber (fixture_t *fixture, const char *const *topics, size_t count)
{
    assert_true (fixture->sub_count < SUBS_MAX);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert_non_null (sub);
    fixture->subs[fixture->sub_count++] = sub;
    for (size_t i = 0; i < count; i++)
        zsock_set_subscribe (sub, topics[i]);
    assert_int_equal (zsock_connect (sub, "tcp://127.0.0.1:%d", fixture->port), 0);
    return sub;
}

//  Subscribe sub to every one-byte topic a public topic may start with, as a chat does. Returns
//  how many.
static size_t
s_subscribe_channels (zsock_t *sub)
{
    size_t count = 0;
    for (int byte = 1; byte < CHANNEL_TOPICS_MAX; byte++)
        if (wire_topic_start ((unsigned char) byte)) {
            char topic[2] = {(char) byte, 0};
            zsock_set_subscribe (sub, topic);
            count++;
        }
    return count;
}

//  Wait, bounded, for the next subscription worth an event. Returns false if none came.
static bool
s_next_event (publisher_t *publisher, publisher_event_t *event)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (!publisher_next_event (publisher, event)) {
        int64_t left = deadline - zclock_mono ();
        zmq_pollitem_t item = {publisher_socket (publisher), 0, ZMQ_POLLIN, 0};
        if (left <= 0 || zmq_poll (&item, 1, (long) left) < 0)
            return false;
    }
    return true;
}

//  Read subscriptions, bounded, until the publisher counts expected listeners. Returns false if
//  it did not in WAIT_MS.
static bool
s_wait_listeners (publisher_t *publisher, int expected)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    publisher_event_t event;
    while (true) {
        while (publisher_next_event (publisher, &event))
            ;
        if (publisher_listeners (publisher) == expected)
            return true;
        int64_t left = deadline - zclock_mono ();
        zmq_pollitem_t item = {publisher_socket (publisher), 0, ZMQ_POLLIN, 0};
        if (left <= 0 || zmq_poll (&item, 1, (long) left) < 0)
            return false;
    }
}

//  Write the marker request (an ack for us, MARKER_NUMBER) as a subscription topic into out.
//  Returns its size.
static size_t
s_marker_topic (char *out, size_t outsize)
{
    control_request_t marker = {.kind = CONTROL_REQUEST_ACK, .number = MARKER_NUMBER};
    memcpy (marker.target, s_our_id, WIRE_SENDER_BYTES);
    int size = control_encode_request (out, outsize, &marker);
    assert_true (size > 0);
    return (size_t) size;
}

//  Have sub ask the marker: the next event must be it, so nothing before it was an event.
static void
s_ask_marker (zsock_t *sub)
{
    char topic[CONTROL_REQUEST_MAX_BYTES];
    s_marker_topic (topic, sizeof topic);
    zsock_set_subscribe (sub, topic);
    zsock_set_unsubscribe (sub, topic);
}

//  Assert the next event is the marker request.
static void
s_assert_marker_next (publisher_t *publisher)
{
    publisher_event_t event;
    assert_true (s_next_event (publisher, &event));
    if (event.kind != PUBLISHER_REQUEST || event.request.number != MARKER_NUMBER)
        fail_msg ("an event came before the marker: kind %d, port %d, number %llu", event.kind,
                  event.port, (unsigned long long) event.request.number);
}

//  The next message sub receives, waiting up to WAIT_MS; fails if none comes.
static zmsg_t *
s_receive (zsock_t *sub)
{
    testlib_wait_readable (sub, WAIT_MS);
    zmsg_t *message = zmsg_recv (sub);
    assert_non_null (message);
    return message;
}

//  Assert frame index of message is our metadata with nick and seq, sent about now.
static void
s_assert_meta (zmsg_t *message, size_t index, const char *nick, uint64_t seq)
{
    zframe_t *frame = testlib_frame (message, index);
    wire_meta_t meta;
    assert_int_equal (wire_decode_meta (zframe_data (frame), zframe_size (frame), &meta), WIRE_OK);
    assert_int_equal (meta.version, WIRE_VERSION);
    assert_memory_equal (meta.sender, s_our_id, WIRE_SENDER_BYTES);
    assert_string_equal (meta.nick, nick);
    assert_int_equal (meta.seq, seq);
    int64_t skew_ms = (int64_t) meta.sent_ms - zclock_time ();
    assert_true (skew_ms > -WAIT_MS && skew_ms <= 0);
}

//  A publisher listens on the port it was given, and tells its nick and sockets to poll.
static void
test_port (void **state)
{
    fixture_t *fixture = *state;
    assert_int_equal (publisher_port (fixture->publisher), fixture->port);
    assert_string_equal (publisher_nick (fixture->publisher), NICK);
    assert_int_equal (publisher_last_seq (fixture->publisher), 0);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
    assert_non_null (publisher_socket (fixture->publisher));
    assert_true (publisher_news_fd (fixture->publisher) >= 0);
    //  The monitor tells of the bind; reading it says nothing in an open room
    void *monitor = publisher_monitor (fixture->publisher);
    assert_non_null (monitor);
    testlib_wait_readable (monitor, WAIT_MS);
    publisher_read_monitor (fixture->publisher);
}

//  A chat line goes as two frames: "buddy> hej" exactly, and our metadata with seq 1, then 2;
//  what publisher_send_line fills is those very bytes.
static void
test_send_line (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {"buddy"};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    const char *texts[] = {"hej", "hej igen"};
    for (uint64_t seq = 1; seq <= 2; seq++) {
        publisher_line_t sent;
        const char *text = texts[seq - 1];
        assert_int_equal (
            publisher_send_line (fixture->publisher, "buddy", text, strlen (text), &sent), 0);
        assert_int_equal (publisher_last_seq (fixture->publisher), seq);
        char expected[64];
        int size = snprintf (expected, sizeof expected, "buddy> %s", text);
        assert_true (size > 0 && (size_t) size < sizeof expected);
        zmsg_t *message = s_receive (sub);
        assert_int_equal (zmsg_size (message), 2);
        testlib_assert_frame (message, 0, expected, (size_t) size);
        s_assert_meta (message, 1, NICK, seq);
        //  What it filled: the same bytes, and the metadata as it decodes
        assert_string_equal (sent.channel, "buddy");
        testlib_assert_frame (message, 0, sent.line, sent.line_size);
        assert_non_null (sent.meta);
        testlib_assert_frame (message, 1, sent.meta, sent.meta_size);
        assert_int_equal (sent.decoded.seq, seq);
        assert_int_equal (sent.decoded.version, WIRE_VERSION);
        assert_memory_equal (sent.decoded.sender, s_our_id, WIRE_SENDER_BYTES);
        assert_string_equal (sent.decoded.nick, NICK);
        zmsg_destroy (&message);
    }
}

//  With --plain a chat line is the course's one frame, and no seq is counted.
static void
test_send_line_plain (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {"buddy"};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    for (int i = 0; i < 2; i++) {
        publisher_line_t sent;
        assert_int_equal (publisher_send_line (fixture->publisher, "buddy", "hej", 3, &sent), 0);
        assert_null (sent.meta);
        assert_int_equal (sent.meta_size, 0);
        assert_int_equal (sent.decoded.seq, 0);
        assert_int_equal (publisher_last_seq (fixture->publisher), 0);
        zmsg_t *message = s_receive (sub);
        assert_int_equal (zmsg_size (message), 1);
        testlib_assert_frame (message, 0, "buddy> hej", 10);
        testlib_assert_frame (message, 0, sent.line, sent.line_size);
        zmsg_destroy (&message);
    }
}

//  A line that cannot be encoded (a bad channel, a text too long, a bad nick) is refused, sends
//  nothing and takes no seq; the next good line has seq 1.
static void
test_send_line_refused (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = fixture->publisher;
    const char *topics[] = {""};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    static char long_text[TEXT_MAX_BYTES + 1];
    memset (long_text, 'x', sizeof long_text);
    publisher_line_t sent;
    assert_int_equal (publisher_send_line (publisher, "bad channel", "hej", 3, &sent), -1);
    assert_int_equal (publisher_send_line (publisher, "~beat", "hej", 3, &sent), -1);
    assert_int_equal (publisher_send_line (publisher, "buddy", long_text, sizeof long_text, &sent),
                      -1);
    publisher_set_nick (publisher, "bad nick");
    assert_int_equal (publisher_send_line (publisher, "buddy", "hej", 3, &sent), -1);
    assert_int_equal (publisher_last_seq (publisher), 0);
    //  The longest text goes; nothing refused went before it
    publisher_set_nick (publisher, NICK);
    assert_int_equal (publisher_send_line (publisher, "buddy", long_text, TEXT_MAX_BYTES, &sent),
                      0);
    zmsg_t *message = s_receive (sub);
    assert_int_equal (zmsg_size (message), 2);
    assert_int_equal (zframe_size (testlib_frame (message, 0)),
                      strlen ("buddy> ") + TEXT_MAX_BYTES);
    s_assert_meta (message, 1, NICK, 1);
    zmsg_destroy (&message);
}

//  A new nick goes in the metadata of the next line and of control traffic.
static void
test_set_nick (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {""};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    publisher_line_t sent;
    assert_int_equal (publisher_send_line (fixture->publisher, "buddy", "a", 1, &sent), 0);
    publisher_set_nick (fixture->publisher, "anna.b");
    assert_string_equal (publisher_nick (fixture->publisher), "anna.b");
    assert_int_equal (publisher_send_line (fixture->publisher, "buddy", "b", 1, &sent), 0);
    assert_string_equal (sent.decoded.nick, "anna.b");
    assert_int_equal (publisher_send_control (fixture->publisher, CONTROL_BEAT, "x", 1), 0);
    zmsg_t *message = s_receive (sub);
    s_assert_meta (message, 1, NICK, 1);
    zmsg_destroy (&message);
    message = s_receive (sub);
    s_assert_meta (message, 1, "anna.b", 2);
    zmsg_destroy (&message);
    message = s_receive (sub);
    s_assert_meta (message, 1, "anna.b", 0);
    zmsg_destroy (&message);
}

//  A control message is three frames: its topic, our metadata with seq 0, its body; it takes no
//  seq from the chat lines.
static void
test_send_control (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {CONTROL_BEAT, CONTROL_BYE};
    zsock_t *sub = s_subscriber (fixture, topics, 2);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 2, 0);
    const char body[] = "port 5557\nchannel buddy\nseq 0\n";
    assert_int_equal (
        publisher_send_control (fixture->publisher, CONTROL_BEAT, body, sizeof body - 1), 0);
    assert_int_equal (publisher_send_control (fixture->publisher, CONTROL_BYE, "", 0), 0);
    zmsg_t *message = s_receive (sub);
    assert_int_equal (zmsg_size (message), 3);
    testlib_assert_frame (message, 0, "~beat", 5);
    s_assert_meta (message, 1, NICK, 0);
    testlib_assert_frame (message, 2, body, sizeof body - 1);
    zmsg_destroy (&message);
    message = s_receive (sub);
    assert_int_equal (zmsg_size (message), 3);
    testlib_assert_frame (message, 0, "~bye", 4);
    s_assert_meta (message, 1, NICK, 0);
    testlib_assert_frame (message, 2, "", 0);
    zmsg_destroy (&message);
    assert_int_equal (publisher_last_seq (fixture->publisher), 0);
}

//  A message for one peer is its private topic ("!" and 32 hex digits), kind, body, meta; with
//  no body it is topic, kind, meta. The meta is the one given, with its seq.
static void
test_send_private (void **state)
{
    fixture_t *fixture = *state;
    char topic[2 * WIRE_SENDER_BYTES + 2] = "!";
    testlib_hex (s_other_id, WIRE_SENDER_BYTES, topic + 1);
    const char *topics[] = {topic};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (fixture->publisher, 7, meta, sizeof meta);
    assert_true (meta_size > 0);
    assert_int_equal (publisher_send_private (fixture->publisher, s_other_id, CONTROL_KIND_MESSAGE,
                                              "hej bertil", 10, meta, (size_t) meta_size, false),
                      0);
    assert_int_equal (publisher_send_private (fixture->publisher, s_other_id, CONTROL_KIND_GONE,
                                              NULL, 0, meta, (size_t) meta_size, true),
                      0);
    zmsg_t *message = s_receive (sub);
    assert_int_equal (zmsg_size (message), 4);
    testlib_assert_frame (message, 0, topic, CONTROL_PRIVATE_BYTES);
    testlib_assert_frame (message, 1, "msg", 3);
    testlib_assert_frame (message, 2, "hej bertil", 10);
    testlib_assert_frame (message, 3, meta, (size_t) meta_size);
    s_assert_meta (message, 3, NICK, 7);
    zmsg_destroy (&message);
    message = s_receive (sub);
    assert_int_equal (zmsg_size (message), 3);
    testlib_assert_frame (message, 0, topic, CONTROL_PRIVATE_BYTES);
    testlib_assert_frame (message, 1, "gone", 4);
    testlib_assert_frame (message, 2, meta, (size_t) meta_size);
    zmsg_destroy (&message);
}

//  A private topic reaches only its peer: a SUB subscribed to every channel topic (as a chat)
//  does not get it, nor does the peer get a third one's.
static void
test_private_filtered (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *channels = zsock_new (ZMQ_SUB);
    assert_non_null (channels);
    fixture->subs[fixture->sub_count++] = channels;
    size_t count = s_subscribe_channels (channels);
    assert_int_equal (count, 95); //  PROTOKOLL.md section 5
    assert_int_equal (zsock_connect (channels, "tcp://127.0.0.1:%d", fixture->port), 0);
    char topic[2 * WIRE_SENDER_BYTES + 2] = "!";
    testlib_hex (s_other_id, WIRE_SENDER_BYTES, topic + 1);
    const char *topics[] = {topic};
    zsock_t *other = s_subscriber (fixture, topics, 1);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), count + 1, 0);
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (fixture->publisher, 1, meta, sizeof meta);
    assert_true (meta_size > 0);
    const uint8_t *to[] = {s_third_id, s_other_id};
    for (size_t i = 0; i < 2; i++)
        assert_int_equal (publisher_send_private (fixture->publisher, to[i], "msg", "psst", 4, meta,
                                                  (size_t) meta_size, false),
                          0);
    publisher_line_t sent;
    assert_int_equal (publisher_send_line (fixture->publisher, "buddy", "efter", 5, &sent), 0);
    //  The channel listener's first message is the line after them
    zmsg_t *message = s_receive (channels);
    testlib_assert_frame (message, 0, "buddy> efter", 12);
    zmsg_destroy (&message);
    //  The peer's is its own private message, not the third one's
    message = s_receive (other);
    testlib_assert_frame (message, 0, topic, CONTROL_PRIVATE_BYTES);
    testlib_assert_frame (message, 2, "psst", 4);
    zmsg_destroy (&message);
    assert_false (testlib_readable (other, 0));
}

//  A chat subscribing "~listen PORT" is an event with its port and address, and a listener; it
//  unsubscribing, or going away, is a listener less.
static void
test_listener_chat_port (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = fixture->publisher;
    char topic[32];
    assert_true (control_encode_listen (topic, sizeof topic, LISTEN_PORT) > 0);
    const char *topics[] = {topic};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    publisher_event_t event;
    assert_true (s_next_event (publisher, &event));
    assert_int_equal (event.kind, PUBLISHER_LISTENER);
    assert_int_equal (event.port, LISTEN_PORT);
    assert_string_equal (event.address, "127.0.0.1");
    assert_int_equal (publisher_listeners (publisher), 1);
    //  A second chat, then the first unsubscribes: no event, one listener less
    zsock_t *second = s_subscriber (fixture, topics, 1);
    assert_true (s_next_event (publisher, &event));
    assert_int_equal (publisher_listeners (publisher), 2);
    zsock_set_unsubscribe (sub, topic);
    s_ask_marker (sub);
    s_assert_marker_next (publisher);
    assert_int_equal (publisher_listeners (publisher), 1);
    //  The second goes away: libzmq unsubscribes for it
    zsock_destroy (&second);
    fixture->sub_count--; //  it was the last one connected
    assert_true (s_wait_listeners (publisher, 0));
}

//  A plain ZeroMQ SUB subscribing to everything ("") is an event with port 0, and a listener.
static void
test_listener_plain (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {""};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    publisher_event_t event;
    assert_true (s_next_event (fixture->publisher, &event));
    assert_int_equal (event.kind, PUBLISHER_LISTENER);
    assert_int_equal (event.port, 0);
    assert_string_equal (event.address, "127.0.0.1");
    assert_int_equal (publisher_listeners (fixture->publisher), 1);
    zsock_set_unsubscribe (sub, "");
    s_ask_marker (sub);
    s_assert_marker_next (fixture->publisher);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
}

//  A course peer subscribing to its channel is no event but a listener, told in one notice with
//  the --plain hint; unsubscribing is a listener less.
static void
test_listener_course (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {"buddy"};
    zsock_t *sub = s_subscriber (fixture, topics, 1);
    s_ask_marker (sub);
    testlib_capture_start (&fixture->capture);
    publisher_event_t event;
    bool found = s_next_event (fixture->publisher, &event);
    testlib_capture_stop (&fixture->capture);
    assert_true (found);
    assert_int_equal (event.kind, PUBLISHER_REQUEST); //  the marker, nothing before it
    assert_int_equal (event.request.number, MARKER_NUMBER);
    assert_int_equal (publisher_listeners (fixture->publisher), 1);
    assert_non_null (
        strstr (fixture->capture.err, "-- 127.0.0.1 listens to \"buddy\" (a course peer?"));
    assert_non_null (strstr (fixture->capture.err, "restart with --plain"));
    const char *newline = strchr (fixture->capture.err, '\n');
    assert_true (newline && newline[1] == 0); //  one line
    zsock_set_unsubscribe (sub, "buddy");
    s_ask_marker (sub);
    s_assert_marker_next (fixture->publisher);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
}

//  With --plain the notice of a course peer has no hint to restart with --plain.
static void
test_listener_course_plain (void **state)
{
    fixture_t *fixture = *state;
    const char *topics[] = {"buddy"};
    s_subscriber (fixture, topics, 1);
    testlib_capture_start (&fixture->capture);
    bool counted = s_wait_listeners (fixture->publisher, 1);
    testlib_capture_stop (&fixture->capture);
    assert_true (counted);
    assert_string_equal (fixture->capture.err, "-- 127.0.0.1 listens to \"buddy\"\n");
}

//  A chat's whole set of subscriptions (every channel byte, its private topic, "~listen PORT")
//  is one event and one listener; the view of the wire shows the channel bytes as one line.
static void
test_listener_chat_subscriptions (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert_non_null (sub);
    fixture->subs[fixture->sub_count++] = sub;
    s_subscribe_channels (sub);
    char private_topic[2 * WIRE_SENDER_BYTES + 2] = "!";
    testlib_hex (s_other_id, WIRE_SENDER_BYTES, private_topic + 1);
    zsock_set_subscribe (sub, private_topic);
    char listen_topic[32];
    assert_true (control_encode_listen (listen_topic, sizeof listen_topic, LISTEN_PORT) > 0);
    zsock_set_subscribe (sub, listen_topic);
    assert_int_equal (zsock_connect (sub, "tcp://127.0.0.1:%d", fixture->port), 0);
    term_set_debug (true);
    testlib_capture_start (&fixture->capture);
    publisher_event_t event;
    bool found = s_next_event (fixture->publisher, &event);
    s_ask_marker (sub);
    bool marker = s_next_event (fixture->publisher, &event);
    testlib_capture_stop (&fixture->capture);
    term_set_debug (false);
    assert_true (found);
    assert_true (marker);
    assert_int_equal (event.kind, PUBLISHER_REQUEST); //  no second listener event before it
    assert_int_equal (publisher_listeners (fixture->publisher), 1);
    const char every[] = "127.0.0.1 subscribes to every channel";
    const char *found_every = strstr (fixture->capture.err, every);
    assert_non_null (found_every);
    assert_null (strstr (found_every + strlen (every), every));
    assert_non_null (strstr (fixture->capture.err, "subscribes to \"~listen 23456\""));
    assert_non_null (strstr (fixture->capture.err, private_topic));
}

//  A request for us is an event with the request decoded (its unsubscription is none, and
//  neither counts as a listener); one for another publisher is no event.
static void
test_requests (void **state)
{
    fixture_t *fixture = *state;
    zsock_t *sub = s_subscriber (fixture, NULL, 0);
    const control_request_t requests[] = {
        {CONTROL_REQUEST_RESEND, {0}, {0}, 6},
        {CONTROL_REQUEST_HISTORY, {0}, {0}, 50},
        {CONTROL_REQUEST_ACK, {0}, {0}, 3},
        {CONTROL_REQUEST_RESEND, {0}, {0}, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        control_request_t request = requests[i];
        memcpy (request.target, s_other_id, WIRE_SENDER_BYTES); //  not ours first
        if (request.kind != CONTROL_REQUEST_ACK)
            memcpy (request.requester, s_third_id, WIRE_SENDER_BYTES);
        assert_int_equal (control_ask (zsock_resolve (sub), &request), 0);
        memcpy (request.target, s_our_id, WIRE_SENDER_BYTES);
        assert_int_equal (control_ask (zsock_resolve (sub), &request), 0);
        publisher_event_t event;
        assert_true (s_next_event (fixture->publisher, &event));
        assert_int_equal (event.kind, PUBLISHER_REQUEST);
        assert_int_equal (event.request.kind, request.kind);
        assert_memory_equal (event.request.target, s_our_id, WIRE_SENDER_BYTES);
        assert_memory_equal (event.request.requester, request.requester, WIRE_SENDER_BYTES);
        assert_int_equal (event.request.number, request.number);
        assert_string_equal (event.address, "127.0.0.1");
    }
    s_ask_marker (sub);
    s_assert_marker_next (fixture->publisher);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
}

//  Write pattern into out with each "<us>" replaced by our id in hex and each "<peer>" by
//  another's.
static void
s_expand (const char *pattern, char *out, size_t outsize)
{
    char us[2 * WIRE_SENDER_BYTES + 1], peer[2 * WIRE_SENDER_BYTES + 1];
    testlib_hex (s_our_id, WIRE_SENDER_BYTES, us);
    testlib_hex (s_third_id, WIRE_SENDER_BYTES, peer);
    size_t used = 0;
    while (*pattern) {
        const char *part = pattern, *next = pattern + 1;
        size_t size = 1;
        if (strncmp (pattern, "<us>", 4) == 0)
            part = us, size = strlen (us), next = pattern + 4;
        else if (strncmp (pattern, "<peer>", 6) == 0)
            part = peer, size = strlen (peer), next = pattern + 6;
        assert_true (used + size < outsize);
        memcpy (out + used, part, size);
        used += size;
        pattern = next;
    }
    out[used] = 0;
}

//  Subscriptions that are neither a listener nor a well-formed request are no event and no
//  listener: bad "~listen" ports, requests a word or digit off, other control or private
//  topics, one-byte topics.
static void
test_malformed_subscriptions (void **state)
{
    fixture_t *fixture = *state;
    const char *patterns[] = {
        "~listen 0",                                        //  port 0
        "~listen 65536",                                    //  past the last port
        "~listen 12a",                                      //  not a number
        "~listen ",                                         //  no port
        "~listen  5558",                                    //  two spaces
        "~listen 5558 ",                                    //  a space after
        "~resend <us> <peer>",                              //  no number
        "~resend <us> <peer> 0",                            //  number 0
        "~resend <us> <peer> -1",                           //  a sign
        "~resend <us>  <peer> 5",                           //  two spaces
        "~resend <us> <peer> 5 ",                           //  a space after
        "~resend <us> 5",                                   //  no requester
        "~resend 45dd4e1b7d284ae2b8b6ea476107908 <peer> 5", //  31 hex digits
        "~resend <us> <peer> 123456789012345678901",        //  21 digits
        "~history <us> <peer> 99999999999999999999",        //  past UINT64_MAX
        "~history <us> <peer> x",                           //  not a number
        "~ack <us>",                                        //  no number
        "~ack <us> 1 2",                                    //  a word too many
        "~ack <us> <peer> 1",                               //  a requester it has not
        "~beat",                                            //  control traffic
        "~",                                                //  the control prefix alone
        "!",                                                //  the private prefix alone
        "!<us>",                                            //  our own private topic
        "b",                                                //  one byte: a chat's channel bytes
    };
    zsock_t *sub = s_subscriber (fixture, NULL, 0);
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        char topic[CONTROL_REQUEST_MAX_BYTES + 64];
        s_expand (patterns[i], topic, sizeof topic);
        zsock_set_subscribe (sub, topic);
    }
    //  An uppercase id is not ours either
    char upper[CONTROL_REQUEST_MAX_BYTES];
    s_marker_topic (upper, sizeof upper);
    for (char *c = upper + strlen (CONTROL_ACK); *c && *c != ' '; c++)
        *c = (char) (*c >= 'a' && *c <= 'f' ? *c - 'a' + 'A' : *c);
    zsock_set_subscribe (sub, upper);
    s_ask_marker (sub);
    s_assert_marker_next (fixture->publisher);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
}

//  Write size bytes of data to fd, all of them; fails if it cannot.
static void
s_write_all (int fd, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    while (size > 0) {
        ssize_t written = write (fd, bytes, size);
        assert_true (written > 0);
        bytes += written;
        size -= (size_t) written;
    }
}

//  Read from fd until the publisher's greeting and READY command are in (bounded by the
//  socket's SO_RCVTIMEO): before that, libzmq would take a message for a handshake command.
static void
s_read_handshake (int fd)
{
    uint8_t data[256];
    size_t size = 0, needed = ZMTP_GREETING_BYTES + 2;
    while (size < needed) {
        ssize_t got = read (fd, data + size, sizeof data - size);
        if (got <= 0)
            fail_msg ("the publisher's handshake did not come (%zu bytes of %zu)", size, needed);
        size += (size_t) got;
        if (size >= ZMTP_GREETING_BYTES + 2) {
            assert_int_equal (data[ZMTP_GREETING_BYTES], 0x04); //  a short command: READY
            needed = ZMTP_GREETING_BYTES + 2 + data[ZMTP_GREETING_BYTES + 1];
        }
    }
}

//  Connect a raw TCP peer that speaks ZMTP 3.0 as a SUB (NULL mechanism) and sends frames
//  (count of them, each a message of one short frame) as they are: what no SUB socket sends.
static int
s_raw_peer (int port, const raw_frame_t *frames, size_t count)
{
    static const uint8_t greeting[ZMTP_GREETING_BYTES] = {0xFF, 0,    0, 0, 0,   0,   0,   0,
                                                          0,    0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    static const uint8_t ready[] = {0x04, 25,  5,   'R', 'E', 'A', 'D', 'Y', 11,
                                    'S',  'o', 'c', 'k', 'e', 't', '-', 'T', 'y',
                                    'p',  'e', 0,   0,   0,   3,   'S', 'U', 'B'};
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (fd >= 0);
    struct timeval timeout = {.tv_sec = WAIT_MS / 1000};
    assert_int_equal (setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout), 0);
    assert_int_equal (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons ((uint16_t) port)};
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    assert_int_equal (connect (fd, (struct sockaddr *) &address, sizeof address), 0);
    s_write_all (fd, greeting, sizeof greeting);
    s_write_all (fd, ready, sizeof ready);
    s_read_handshake (fd);
    for (size_t i = 0; i < count; i++) {
        assert_true (frames[i].size <= UINT8_MAX);
        uint8_t header[2] = {0x00, (uint8_t) frames[i].size}; //  a last, short frame
        s_write_all (fd, header, sizeof header);
        s_write_all (fd, frames[i].data, frames[i].size);
    }
    return fd;
}

//  Unsubscriptions nobody subscribed (which only a raw peer sends) leave the count at 0, not
//  below it; messages that are not subscriptions at all are no event.
static void
test_listeners_never_below_zero (void **state)
{
    fixture_t *fixture = *state;
    char marker[CONTROL_REQUEST_MAX_BYTES + 1] = "\x01";
    size_t marker_size = 1 + s_marker_topic (marker + 1, sizeof marker - 1);
    const raw_frame_t frames[] = {
        RAW ("\x00~listen 23456"), //  a chat's, never subscribed
        RAW ("\x00"),              //  a plain subscriber's
        RAW ("\0buddy"),           //  a course peer's
        RAW (""),                  //  an empty message
        RAW ("\5hello"),           //  neither 0 nor 1 first
        RAW ("\x02~listen 23456"), //  ... nor here
        {marker, marker_size},
    };
    fixture->raw_fd = s_raw_peer (fixture->port, frames, sizeof frames / sizeof frames[0]);
    term_set_debug (true); //  to see that the unsubscriptions did reach the publisher
    testlib_capture_start (&fixture->capture);
    publisher_event_t event;
    bool found = s_next_event (fixture->publisher, &event);
    testlib_capture_stop (&fixture->capture);
    term_set_debug (false);
    assert_true (found);
    assert_int_equal (event.kind, PUBLISHER_REQUEST); //  the marker, nothing before it
    assert_int_equal (event.request.number, MARKER_NUMBER);
    assert_int_equal (publisher_listeners (fixture->publisher), 0);
    assert_non_null (
        strstr (fixture->capture.err, "127.0.0.1 unsubscribes from \"~listen 23456\"\n"));
    assert_non_null (strstr (fixture->capture.err, "127.0.0.1 unsubscribes from everything\n"));
    assert_non_null (strstr (fixture->capture.err, "127.0.0.1 unsubscribes from \"buddy\"\n"));
    //  The next listener is the first one
    char topic[32];
    assert_true (control_encode_listen (topic, sizeof topic, LISTEN_PORT) > 0);
    const char *topics[] = {topic};
    s_subscriber (fixture, topics, 1);
    assert_true (s_next_event (fixture->publisher, &event));
    assert_int_equal (event.kind, PUBLISHER_LISTENER);
    assert_int_equal (publisher_listeners (fixture->publisher), 1);
}

//  Our own lines are never dropped: when a listener does not read, publisher_flush says lines
//  wait; once it reads they all arrive, in order, and publisher_flush says nothing waits.
static void
test_flush (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = fixture->publisher;
    assert_true (publisher_flush (publisher)); //  nothing waits yet
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert_non_null (sub);
    fixture->subs[fixture->sub_count++] = sub;
    zsock_set_rcvhwm (sub, SLOW_RCVHWM_MESSAGES);
    zsock_set_subscribe (sub, "buddy");
    assert_int_equal (zsock_connect (sub, "tcp://127.0.0.1:%d", fixture->port), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    static char text[TEXT_MAX_BYTES];
    memset (text, 'x', sizeof text);
    publisher_line_t sent;
    uint64_t lines = 0;
    while (publisher_flush (publisher)) {
        if (lines == SLOW_LINES_MAX)
            fail_msg ("%d lines sent and none waits: the queues are not bounded", SLOW_LINES_MAX);
        assert_int_equal (publisher_send_line (publisher, "buddy", text, sizeof text, &sent), 0);
        lines++;
    }
    //  A few more, sent while lines wait, wait behind them
    for (int i = 0; i < 3; i++, lines++)
        assert_int_equal (publisher_send_line (publisher, "buddy", text, sizeof text, &sent), 0);
    uint64_t received = 0;
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (received < lines) {
        zmq_pollitem_t item = {zsock_resolve (sub), 0, ZMQ_POLLIN, 0};
        while (zmq_poll (&item, 1, 1) == 1) {
            zmsg_t *message = zmsg_recv (sub);
            assert_non_null (message);
            s_assert_meta (message, 1, NICK, ++received);
            zmsg_destroy (&message);
        }
        publisher_take_news (publisher);
        publisher_flush (publisher);
        if (zclock_mono () > deadline)
            fail_msg ("%llu of %llu lines came in %d ms", (unsigned long long) received,
                      (unsigned long long) lines, WAIT_MS);
    }
    assert_true (publisher_flush (publisher));
    assert_int_equal (publisher_last_seq (publisher), lines);
}

//  publisher_destroy sets the pointer to NULL and is safe twice, and on NULL.
static void
test_destroy (void **state)
{
    fixture_t *fixture = *state;
    publisher_destroy (&fixture->publisher);
    assert_null (fixture->publisher);
    publisher_destroy (&fixture->publisher);
    assert_null (fixture->publisher);
    publisher_destroy (NULL);
}

//  A port another publisher holds cannot be bound: NULL, and errno says why.
static void
test_port_taken (void **state)
{
    fixture_t *fixture = *state;
    errno = 0;
    publisher_t *second = publisher_new (fixture->port, fixture->lock, s_other_id, "bertil", false);
    assert_null (second);
    assert_int_equal (errno, EADDRINUSE);
    //  The first still works
    const char *topics[] = {""};
    s_subscriber (fixture, topics, 1);
    publisher_event_t event;
    assert_true (s_next_event (fixture->publisher, &event));
    assert_int_equal (publisher_listeners (fixture->publisher), 1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_port, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_send_line, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_send_line_plain, s_setup_plain, s_teardown),
        cmocka_unit_test_setup_teardown (test_send_line_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_set_nick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_send_control, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_send_private, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_private_filtered, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listener_chat_port, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listener_plain, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listener_course, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listener_course_plain, s_setup_plain, s_teardown),
        cmocka_unit_test_setup_teardown (test_listener_chat_subscriptions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_requests, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_malformed_subscriptions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_listeners_never_below_zero, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_flush, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_destroy, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_port_taken, s_setup, s_teardown),
    };
    int failed = cmocka_run_group_tests_name ("publisher", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
