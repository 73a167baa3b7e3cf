/*  test_subscriber.c - unit tests for subscriber.c, the subscriber thread, over real sockets:
    the thread starts and stops, many times in one process; it connects to the peers queued in
    the peer list and sends each publisher its subscriptions (one byte per channel start, our
    private topic, "~listen PORT"); it says "connected to" for a peer the user named and nothing
    for a quiet one; it shows a chat line (a signed batch), and none after the peer is removed;
    it shows a course peer's one-frame line by address, but not a chat's one-frame copy (its ZMTP
    metadata tells them apart); it tells once that nothing listens on a port, and connects when
    something does; it gives up, in one line, on a port that answers HTTP, one that speaks a
    broken ZMTP and one that says nothing; a signed heartbeat makes a member join, and its
    silence makes it leave, with no message to wake it.

    The thread has a ZeroMQ context of its own, so the publishers here are XPUB sockets on tcp,
    on 127.0.0.1 with ports chosen free at run time. What the thread prints goes to temporary
    files (stdout and stderr redirected with dup2 for each test), which the tests read again
    every few milliseconds, up to a deadline, until the line they expect is there.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "subscriber.h"
#include "wire.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <locale.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 5000      //  the longest a bounded wait here takes, unless said otherwise
#define READ_AGAIN_MS 5   //  how often a wait reads the output again
#define MARGIN_MS 2000    //  what a timed wait allows beyond the time it tests
#define LISTEN_PORT 40321 //  the port our XPUB would listen on, as subscriber_new is told
#define RESTARTS 5        //  start and stop the thread this many times in a row
#define RETRIES_PAUSE_MS (6 * SUBSCRIBER_RECONNECT_IVL_MS) //  time for libzmq to retry twice
#define UNREACHABLE_TRIES 3 //  ports tried when another process takes the one that was free
#define HTTP_ANSWER "HTTP/1.0 200 OK\r\n\r\n" //  what a web server might answer
#define ZMTP_GREETING_BYTES 64                //  ZMTP 3.0's greeting (RFC 23)
#define BROKEN_ZMTP_BYTES                                                                          \
    (ZMTP_GREETING_BYTES + 2 + sizeof HTTP_ANSWER - 1) //  greeting + HTTP frame
#define CONNECTIONS_MAX 16 //  connections a port that is not a chat keeps
#define NOT_CHAT_PORTS 3   //  ports that are not a chat in one test
#define TIMER_SLACK_MS 100 //  how early libzmq's timers may seem to fire
#define BEAT_IDENTITY 0    //  testlib's identity that sends the heartbeats; the others, lines
#define CHAT_METADATA "X-Chatt:2" //  publisher.h's PUBLISHER_METADATA, as its sockets set it
#ifndef ZMQ_METADATA
#define ZMQ_METADATA 95 //  libzmq 4.3 has it, among its draft options (as publisher.c)
#endif

//  What a port that is not a chat does with each connection it accepts
typedef enum {
    ANSWER_HTTP,        //  writes HTTP_ANSWER, and no more
    ANSWER_BROKEN_ZMTP, //  writes a ZMTP 3.0 greeting, then a message where READY must come
    ANSWER_SILENCE      //  says nothing, and keeps the connection open
} answer_t;

//  A TCP port on 127.0.0.1 that is not a chat, served by a thread of its own.
typedef struct {
    bool running;                     //  started, not stopped yet
    answer_t answer;                  //  what it does with a connection
    int listener;                     //  the listening socket
    int port;                         //  its port
    int stop[2];                      //  a pipe: writing to it stops the thread
    pthread_t thread;                 //  the thread accepting
    atomic_int connected;             //  connections accepted so far
    int connections[CONNECTIONS_MAX]; //  those kept open until it stops (the thread's)
} not_chat_t;

//  A publisher the thread listens to: the test's XPUB.
typedef struct {
    zsock_t *xpub;                     //  bound to 127.0.0.1, verbose: every subscription arrives
    int port;                          //  where
    char endpoint[ENDPOINT_MAX_BYTES]; //  "tcp://127.0.0.1:PORT"
    char label[ENDPOINT_MAX_BYTES];    //  "127.0.0.1:PORT"
} publisher_t;

//  The shared tables, the thread under test, and the test's own sockets.
typedef struct {
    channels_t *channels;               //  the channel table, writing to "buddy"
    peers_t *peers;                     //  the peer list
    room_t *room;                       //  the members
    backlog_t *backlog;                 //  the room's recent lines
    roomlock_t *lock;                   //  an open room's lock
    identity_t *identity;               //  ours: a throwaway key, none of testlib's
    subscriber_t *subscriber;           //  the thread under test
    publisher_t publisher;              //  the test's publisher, when it opens one
    publisher_t course;                 //  a course peer's, when a test opens one
    not_chat_t servers[NOT_CHAT_PORTS]; //  ports that are not a chat, when started
} fixture_t;

//  ---------------------------------------------------------------------------------------------
//  Output: redirected to files and read back

//  The process has one stdout and one stderr: so the capture is one, not a fixture's
static testlib_capture_t s_capture;

//  The keys first seen for each nick (in memory), shared with the thread as chat.c shares its
//  own; the lines all come from "anna", so each line's key is made hers first (\trust).
static known_t *s_known;

//  Give stdout and stderr back, then fail with a message: cmocka prints fail_msg's at once, on
//  stderr, which is otherwise a file nobody reads.
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        testlib_capture_stop (&s_capture);                                                         \
        fail_msg (__VA_ARGS__);                                                                    \
    } while (0)

//  True when line (size bytes) is pattern, where '#' in pattern stands for any digit.
static bool
s_line_is (const char *line, size_t size, const char *pattern)
{
    if (size != strlen (pattern))
        return false;
    for (size_t i = 0; i < size; i++)
        if (pattern[i] == '#' ? line[i] < '0' || line[i] > '9' : line[i] != pattern[i])
            return false;
    return true;
}

//  Number of lines of text that are pattern (see s_line_is).
static size_t
s_count (const char *text, const char *pattern)
{
    size_t count = 0;
    while (*text) {
        size_t size = strcspn (text, "\n");
        count += s_line_is (text, size, pattern);
        text += size + (text[size] ? 1 : 0);
    }
    return count;
}

//  Number of lines that are pattern in what fd (STDOUT_FILENO or STDERR_FILENO) got so far.
static size_t
s_count_now (int fd, const char *pattern)
{
    return s_count (testlib_capture_read (&s_capture, fd), pattern);
}

//  Wait until fd (STDOUT_FILENO or STDERR_FILENO) got a line that is pattern, reading it again
//  every READ_AGAIN_MS, timeout_ms at most: the thread prints when it is ready, and gives no
//  other sign. Fails with what fd got if the line does not come. Returns the milliseconds
//  waited.
static int64_t
s_expect_within (int fd, const char *pattern, int64_t timeout_ms)
{
    int64_t start = zclock_mono ();
    const char *output; //  what fd got, as last read (or, once the capture stopped, all of it)
    while (s_count (output = testlib_capture_read (&s_capture, fd), pattern) == 0) {
        if (zclock_mono () - start > timeout_ms)
            FAIL ("no line \"%s\" in %s after %lld ms; it holds:\n%s", pattern,
                  fd == STDOUT_FILENO ? "stdout" : "stderr", (long long) timeout_ms, output);
        poll (NULL, 0, READ_AGAIN_MS);
    }
    return zclock_mono () - start;
}

//  s_expect_within, WAIT_MS at most.
static void
s_expect (int fd, const char *pattern)
{
    s_expect_within (fd, pattern, WAIT_MS);
}

//  Format a pattern (or an address) into out; it must fit.
static void s_pattern (char *out, size_t outsize, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static void
s_pattern (char *out, size_t outsize, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int size = vsnprintf (out, outsize, format, args);
    va_end (args);
    assert_true (size > 0 && (size_t) size < outsize);
}

//  ---------------------------------------------------------------------------------------------
//  Publishers and ports

//  Fill endpoint and label of port.
static void
s_address (publisher_t *publisher, int port)
{
    publisher->port = port;
    s_pattern (publisher->endpoint, sizeof publisher->endpoint, "tcp://127.0.0.1:%d", port);
    s_pattern (publisher->label, sizeof publisher->label, "127.0.0.1:%d", port);
}

//  Bind an XPUB on 127.0.0.1, on port (0: one free), telling every subscription; a chat's
//  (chat) says so in its ZMTP metadata, as publisher.c's does, a course peer's does not.
//  Returns false (and no socket) when port is taken.
static bool
s_publisher_try_open (publisher_t *publisher, int port, bool chat)
{
    publisher->xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (publisher->xpub);
    zsock_set_xpub_verbose (publisher->xpub, 1);
    if (chat)
        assert_int_equal (zmq_setsockopt (zsock_resolve (publisher->xpub), ZMQ_METADATA,
                                          CHAT_METADATA, strlen (CHAT_METADATA)),
                          0);
    int bound = port ? zsock_bind (publisher->xpub, "tcp://127.0.0.1:%d", port)
                     : zsock_bind (publisher->xpub, "tcp://127.0.0.1:*");
    if (bound <= 0) {
        zsock_destroy (&publisher->xpub);
        return false;
    }
    s_address (publisher, port ? port : bound);
    return true;
}

//  s_publisher_try_open, which must bind.
static void
s_publisher_open (publisher_t *publisher, int port, bool chat)
{
    assert_true (s_publisher_try_open (publisher, port, chat));
}

//  Close the publisher's socket, if open.
static void
s_publisher_close (publisher_t *publisher)
{
    zsock_destroy (&publisher->xpub);
}

//  Receive one subscription message on publisher, waiting until deadline (zclock_mono ms).
//  Returns its size, or -1 if none came.
static int
s_receive_subscription (publisher_t *publisher, uint8_t *message, size_t size, int64_t deadline)
{
    zmq_pollitem_t item = {zsock_resolve (publisher->xpub), 0, ZMQ_POLLIN, 0};
    long left = (long) (deadline - zclock_mono ());
    if (left < 0 || zmq_poll (&item, 1, left) != 1)
        return -1;
    int received = zmq_recv (zsock_resolve (publisher->xpub), message, size, ZMQ_DONTWAIT);
    assert_true (received > 0 && (size_t) received <= size);
    return received;
}

//  The topics the thread subscribes to, and which of them a publisher has seen
typedef struct {
    char private[CONTROL_PRIVATE_BYTES + 1]; //  our private topic, "!" + 32 hex digits
    char hello[CONTROL_HELLO_BYTES + 1];     //  "~hello " + our id in hex
    char listen[32];                         //  "~listen LISTEN_PORT"
    size_t listen_size;                      //  its length
    size_t bytes_expected;                   //  one-byte topics: the bytes a topic may start with
    size_t bytes_seen;                       //  ... how many of them were seen
    bool byte_seen[256];                     //  ... which
    bool private_seen;                       //  the private topic was seen
    bool hello_seen;                         //  "~hello ID" was seen
    bool listen_seen;                        //  "~listen LISTEN_PORT" was seen
    unsigned controls_seen;                  //  bit i: s_controls[i] was seen
} topics_t;

//  Fill topics with what the thread subscribes to, with self_id as its id (with channels, every
//  channel too: a peer the user named may be a course peer); none seen yet.
static void
s_topics_init (topics_t *topics, const uint8_t self_id[WIRE_SENDER_BYTES], bool channels)
{
    *topics = (topics_t){0};
    assert_int_equal (control_encode_private (topics->private, sizeof topics->private, self_id),
                      CONTROL_PRIVATE_BYTES);
    assert_int_equal (control_encode_hello (topics->hello, sizeof topics->hello, self_id),
                      CONTROL_HELLO_BYTES);
    int size = control_encode_listen (topics->listen, sizeof topics->listen, LISTEN_PORT);
    assert_true (size > 0);
    topics->listen_size = (size_t) size;
    for (int byte = 0; byte < 256 && channels; byte++)
        topics->bytes_expected += wire_topic_start ((unsigned char) byte) && byte != '~';
}

//  The control topics that travel as messages, subscribed one by one (not "~", which would
//  bring every forwarded message)
static const char *const s_controls[] = {CONTROL_BEAT, CONTROL_BYE, CONTROL_LINES};
#define CONTROLS (sizeof s_controls / sizeof s_controls[0])

//  Note topic (size bytes) as seen. Returns false when it is not one of topics.
static bool
s_topics_note (topics_t *topics, const uint8_t *topic, size_t size)
{
    for (size_t i = 0; i < CONTROLS; i++)
        if (size == strlen (s_controls[i]) && memcmp (topic, s_controls[i], size) == 0) {
            topics->controls_seen |= 1u << i;
            return true;
        }
    if (size == 1 && wire_topic_start (topic[0]) && topic[0] != CONTROL_PREFIX[0]) {
        topics->bytes_seen += !topics->byte_seen[topic[0]];
        topics->byte_seen[topic[0]] = true;
    } else if (size == CONTROL_PRIVATE_BYTES && memcmp (topic, topics->private, size) == 0)
        topics->private_seen = true;
    else if (size == CONTROL_HELLO_BYTES && memcmp (topic, topics->hello, size) == 0)
        topics->hello_seen = true;
    else if (size == topics->listen_size && memcmp (topic, topics->listen, size) == 0)
        topics->listen_seen = true;
    else
        return false;
    return true;
}

//  True when every one of topics was seen.
static bool
s_topics_complete (const topics_t *topics)
{
    return topics->bytes_seen == topics->bytes_expected && topics->private_seen &&
           topics->hello_seen && topics->listen_seen &&
           topics->controls_seen == (1u << CONTROLS) - 1;
}

//  Wait, WAIT_MS at most, until publisher has every subscription the thread makes (kind 1) or
//  has seen every one of them go (kind 0, when the connection closed): one byte for each byte
//  a public topic may start with, our private topic, "~hello ID", "~listen LISTEN_PORT". Fails on
//  any other (everything, another's private topic, one of the other kind). The one-byte topics
//  only with channels: a quiet peer is a chat, whose lines come in batches.
static void
s_expect_topics (const fixture_t *fixture, publisher_t *publisher, uint8_t kind, bool channels)
{
    topics_t topics;
    s_topics_init (&topics, identity_sender (fixture->identity), channels);
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (!s_topics_complete (&topics)) {
        uint8_t message[256];
        int size = s_receive_subscription (publisher, message, sizeof message, deadline);
        if (size < 0)
            FAIL ("%s: %zu of %zu one-byte topics, private %s, listen %s after %d ms",
                  kind ? "subscribed" : "unsubscribed", topics.bytes_seen, topics.bytes_expected,
                  topics.private_seen ? "yes" : "no", topics.listen_seen ? "yes" : "no", WAIT_MS);
        if (message[0] != kind)
            FAIL ("%s %d bytes", kind ? "unsubscribed" : "subscribed", size - 1);
        if (!s_topics_note (&topics, message + 1, (size_t) size - 1))
            FAIL ("an unexpected topic of %d bytes, starting with 0x%02x", size - 1,
                  size > 1 ? message[1] : 0);
    }
}

//  Wait until the thread has subscribed on publisher (s_expect_topics).
static void
s_expect_subscriptions (const fixture_t *fixture, publisher_t *publisher, bool channels)
{
    s_expect_topics (fixture, publisher, 1, channels);
}

//  Wait until publisher has seen the thread's subscriptions go (s_expect_topics).
static void
s_expect_unsubscriptions (const fixture_t *fixture, publisher_t *publisher, bool channels)
{
    s_expect_topics (fixture, publisher, 0, channels);
}

//  Add publisher to the peer list (quiet: as one the room found), and wait until the thread
//  has connected to it and subscribed.
static void
s_connect (fixture_t *fixture, publisher_t *publisher, bool quiet)
{
    assert_int_equal (peers_add (fixture->peers, publisher->endpoint, publisher->label, quiet), 0);
    s_expect_subscriptions (fixture, publisher, !quiet);
}

//  Send a message of count frames on publisher.
static void
s_send (publisher_t *publisher, const void *const *frames, const size_t *sizes, size_t count)
{
    void *xpub = zsock_resolve (publisher->xpub);
    for (size_t i = 0; i < count; i++)
        assert_int_equal (zmq_send (xpub, frames[i], sizes[i], i + 1 < count ? ZMQ_SNDMORE : 0),
                          (int) sizes[i]);
}

//  Write "buddy> text", NUL-terminated, into line.
static void
s_line (char line[FRAME_MAX_BYTES + 1], const char *text)
{
    int size = wire_encode_line (line, FRAME_MAX_BYTES, "buddy", text, strlen (text));
    assert_true (size > 0);
    line[size] = 0;
}

//  Send "buddy> text" from "anna" on publisher, as a chat sends it: a batch of one line, seq 1,
//  signed. Each line comes from the next of testlib's identities but BEAT_IDENTITY, a sender the
//  thread has not heard in this test (none sends more than TESTLIB_IDENTITIES - 1 lines), so no
//  line waits behind a gap.
static void
s_send_line (publisher_t *publisher, const char *text)
{
    static int sent = 0;
    static testlib_batch_t batch;
    char line[FRAME_MAX_BYTES + 1];
    s_line (line, text);
    const char *lines[] = {line};
    int identity = 1 + sent++ % (TESTLIB_IDENTITIES - 1);
    assert_true (identity != BEAT_IDENTITY);
    assert_int_equal (known_trust (s_known, "anna", identity_public (testlib_identity (identity))),
                      0);
    testlib_batch (&batch, testlib_identity (identity), "anna", 1, (uint64_t) zclock_time (), lines,
                   1);
    s_send (publisher, batch.frames, batch.sizes, 4);
}

//  Send "buddy> text" in the course's one frame on publisher: a course peer's line, or a chat's
//  copy of its line for the course's peers.
static void
s_send_one_frame (publisher_t *publisher, const char *text)
{
    char line[FRAME_MAX_BYTES + 1];
    s_line (line, text);
    const void *frames[] = {line};
    size_t sizes[] = {strlen (line)};
    s_send (publisher, frames, sizes, 1);
}

//  Send a heartbeat from who (nick "anna", seq 0) on publisher, saying it listens on the
//  publisher's port, signed by who.
static void
s_send_beat (publisher_t *publisher, const identity_t *who)
{
    control_beat_t beat = {.port = publisher->port};
    s_pattern (beat.channel, sizeof beat.channel, "buddy");
    char body[CONTROL_BODY_MAX_BYTES];
    int body_size = control_encode_beat (body, sizeof body, &beat);
    assert_true (body_size > 0);
    uint8_t meta[WIRE_META_MAX_BYTES], signature[WIRE_SIGNATURE_BYTES];
    const void *frames[4] = {CONTROL_BEAT, meta, body};
    size_t sizes[4] = {strlen (CONTROL_BEAT),
                       testlib_meta (meta, who, "anna", 0, (uint64_t) zclock_time ()),
                       (size_t) body_size};
    testlib_sign (who, frames, sizes, 3, signature);
    s_send (publisher, frames, sizes, 4);
}

//  ---------------------------------------------------------------------------------------------
//  A port that is not a chat

//  Write a ZMTP 3.0 greeting offering the NULL mechanism, as libzmq sends it, followed by
//  HTTP_ANSWER as a message frame where the handshake's READY command must come, into out.
static void
s_broken_zmtp (uint8_t out[BROKEN_ZMTP_BYTES])
{
    memset (out, 0, ZMTP_GREETING_BYTES);
    out[0] = 0xFF; //  signature: 0xFF, 8 bytes of padding, 0x7F
    out[9] = 0x7F;
    out[10] = 3; //  version 3.0
    memcpy (out + 12, "NULL", 4);
    out[ZMTP_GREETING_BYTES] = 0; //  a short message frame, no more frames
    out[ZMTP_GREETING_BYTES + 1] = (uint8_t) strlen (HTTP_ANSWER);
    memcpy (out + ZMTP_GREETING_BYTES + 2, HTTP_ANSWER, strlen (HTTP_ANSWER));
}

//  Do with a new connection what self does: write its answer, if any, then say no more (the
//  connection stays open, for the other side to close: so nothing it sent is cut off). In the
//  port's own thread, where no cmocka assert may fail.
static void
s_not_chat_answer (not_chat_t *self, int connection)
{
    uint8_t answer[BROKEN_ZMTP_BYTES];
    size_t size = 0;
    if (self->answer == ANSWER_HTTP) {
        size = strlen (HTTP_ANSWER);
        memcpy (answer, HTTP_ANSWER, size);
    } else if (self->answer == ANSWER_BROKEN_ZMTP) {
        s_broken_zmtp (answer);
        size = BROKEN_ZMTP_BYTES;
    }
    if (size && write (connection, answer, size) < 0) {
        //  The other side went already: nothing to tell it
    }
    if (size)
        shutdown (connection, SHUT_WR);
    int count = atomic_fetch_add (&self->connected, 1);
    if (count < CONNECTIONS_MAX)
        self->connections[count] = connection;
    else
        close (connection);
}

//  The thread of a not_chat_t: answer each connection, until told to stop.
static void *
s_not_chat_run (void *arg)
{
    not_chat_t *self = arg;
    struct pollfd items[] = {{self->listener, POLLIN, 0}, {self->stop[0], POLLIN, 0}};
    while (poll (items, 2, -1) >= 0 && !(items[1].revents & POLLIN)) {
        int connection = items[0].revents & POLLIN ? accept (self->listener, NULL, NULL) : -1;
        if (connection >= 0)
            s_not_chat_answer (self, connection);
    }
    int count = atomic_load (&self->connected);
    for (int i = 0; i < count && i < CONNECTIONS_MAX; i++)
        close (self->connections[i]);
    return NULL;
}

//  A TCP socket bound to a free port on 127.0.0.1; sets *port.
static int
s_tcp_bound (int *port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    assert_int_equal (bind (fd, (struct sockaddr *) &address, sizeof address), 0);
    socklen_t size = sizeof address;
    assert_int_equal (getsockname (fd, (struct sockaddr *) &address, &size), 0);
    *port = ntohs (address.sin_port);
    return fd;
}

//  Listen on a free port and start doing with each connection what answer says.
static void
s_not_chat_start (not_chat_t *self, answer_t answer)
{
    self->answer = answer;
    self->listener = s_tcp_bound (&self->port);
    assert_int_equal (listen (self->listener, 8), 0);
    assert_int_equal (pipe (self->stop), 0);
    atomic_init (&self->connected, 0);
    assert_int_equal (pthread_create (&self->thread, NULL, s_not_chat_run, self), 0);
    self->running = true;
}

//  Stop answering, and close the port and its connections; nothing when not running.
static void
s_not_chat_stop (not_chat_t *self)
{
    if (!self->running)
        return;
    self->running = false;
    if (write (self->stop[1], "x", 1) != 1)
        abort (); //  the thread cannot be told to stop
    pthread_join (self->thread, NULL);
    close (self->stop[0]);
    close (self->stop[1]);
    close (self->listener);
}

//  ---------------------------------------------------------------------------------------------
//  Setup and teardown

//  Teardown: stop the thread (it must finish in time), close the test's own sockets, give the
//  output back, free the tables.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    int stopped = subscriber_destroy (&fixture->subscriber);
    s_publisher_close (&fixture->publisher);
    s_publisher_close (&fixture->course);
    for (size_t i = 0; i < NOT_CHAT_PORTS; i++)
        s_not_chat_stop (&fixture->servers[i]);
    testlib_capture_stop (&s_capture);
    //  A thread that did not finish may still use the tables: leave them then
    if (stopped == 0) {
        peers_destroy (&fixture->peers);
        room_destroy (&fixture->room);
        backlog_destroy (&fixture->backlog);
        channels_destroy (&fixture->channels);
        roomlock_destroy (&fixture->lock);
        known_destroy (&s_known);
        identity_destroy (&fixture->identity);
        free (fixture);
    }
    assert_int_equal (stopped, 0);
    return 0;
}

//  Setup: the tables of an open room writing to "buddy", the output redirected, and the thread
//  started with no peer.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    fixture->channels = channels_new ("buddy");
    fixture->peers = peers_new ();
    fixture->room = room_new ();
    fixture->backlog = backlog_new (BACKLOG_LINES_DEFAULT);
    fixture->lock = roomlock_new ();
    assert_true (fixture->channels && fixture->peers && fixture->room && fixture->backlog &&
                 fixture->lock);
    char error[IDENTITY_ERROR_MAX_BYTES];
    fixture->identity = identity_open (NULL, NULL, true, error, sizeof error);
    s_known = known_new (NULL);
    assert_true (fixture->identity && s_known);
    testlib_capture_start (&s_capture);
    fixture->subscriber =
        subscriber_new (fixture->channels, fixture->peers, fixture->room, fixture->backlog,
                        fixture->lock, fixture->identity, s_known, LISTEN_PORT, 0, NULL, 0);
    assert_non_null (fixture->subscriber);
    return 0;
}

//  ---------------------------------------------------------------------------------------------
//  The tests

//  The thread starts and stops, many times in a row in one process (ASan tells of any leak):
//  subscriber_destroy returns 0, sets the pointer to NULL, and is safe on NULL.
static void
test_start_stop (void **state)
{
    fixture_t *fixture = *state;
    for (int i = 0; i < RESTARTS; i++) {
        if (i > 0) {
            fixture->subscriber =
                subscriber_new (fixture->channels, fixture->peers, fixture->room, fixture->backlog,
                                fixture->lock, fixture->identity, s_known, LISTEN_PORT, 0, NULL, 0);
            assert_non_null (fixture->subscriber);
        }
        assert_int_equal (subscriber_destroy (&fixture->subscriber), 0);
        assert_null (fixture->subscriber);
        assert_int_equal (subscriber_destroy (&fixture->subscriber), 0);
        assert_null (fixture->subscriber);
    }
    assert_int_equal (subscriber_destroy (NULL), 0);
    //  It said nothing
    assert_string_equal (testlib_capture_read (&s_capture, STDERR_FILENO), "");
    assert_string_equal (testlib_capture_read (&s_capture, STDOUT_FILENO), "");
}

//  A peer the user named is connected to, gets every subscription (channels, our private topic,
//  where we listen) and is told, once: "-- connected to 127.0.0.1:PORT".
static void
test_connect_named_peer (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    s_publisher_open (publisher, 0, true);
    s_connect (fixture, publisher, false);
    char connected[64];
    s_pattern (connected, sizeof connected, "-- connected to 127.0.0.1:%d", publisher->port);
    s_expect (STDERR_FILENO, connected);
    //  Once the line it sends is shown, any second notice would have come before it
    s_send_line (publisher, "hej");
    s_expect (STDOUT_FILENO, "##:## [buddy] <anna> hej");
    assert_int_equal (s_count_now (STDERR_FILENO, connected), 1);
}

//  A quiet peer (one the room found) is connected to and subscribed to just the same, and the
//  user is told nothing about it.
static void
test_connect_quiet_peer (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    s_publisher_open (publisher, 0, true);
    s_connect (fixture, publisher, true);
    //  The monitor told of the handshake before the line could come: its notice would be out
    s_send_line (publisher, "hej");
    s_expect (STDOUT_FILENO, "##:## [buddy] <anna> hej");
    assert_string_equal (testlib_capture_read (&s_capture, STDERR_FILENO), "");
}

//  A chat line a peer sends is shown on stdout as "HH:MM [buddy] <anna> hej"; once the peer is
//  removed from the list the thread disconnects and a further line is not shown; added again,
//  it is connected to and heard again.
static void
test_line_then_disconnect (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    s_publisher_open (publisher, 0, true);
    s_connect (fixture, publisher, false);
    s_send_line (publisher, "hej");
    s_expect (STDOUT_FILENO, "##:## [buddy] <anna> hej");
    assert_int_equal (peers_remove (fixture->peers, publisher->endpoint), 0);
    s_expect_unsubscriptions (fixture, publisher, true);
    s_send_line (publisher, "not shown");
    //  Back in the list: the line sent after it is shown, the one before it never
    s_connect (fixture, publisher, false);
    s_send_line (publisher, "shown again");
    s_expect (STDOUT_FILENO, "##:## [buddy] <anna> shown again");
    const char *out = testlib_capture_read (&s_capture, STDOUT_FILENO);
    assert_int_equal (s_count (out, "##:## [buddy] <anna> not shown"), 0);
    assert_int_equal (s_count (out, "##:## [buddy] <anna> hej"), 1);
}

//  A peer where nothing listens is told once, "-- 127.0.0.1:PORT does not answer (is chat
//  running there?), retrying", however often libzmq retries; once something listens there the
//  thread connects to it.
static void
test_unreachable_then_listening (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    char unreachable[128];
    //  The port was free when chosen, but another process (the suite runs two at once) may
    //  take it while nothing listens there: then the same again on another
    bool bound = false;
    for (int try = 0; try < UNREACHABLE_TRIES && !bound; try++) {
        if (try > 0)
            assert_int_equal (peers_remove (fixture->peers, publisher->endpoint), 0);
        s_address (publisher, testlib_free_port ());
        assert_int_equal (peers_add (fixture->peers, publisher->endpoint, publisher->label, false),
                          0);
        s_pattern (unreachable, sizeof unreachable,
                   "-- 127.0.0.1:%d does not answer (is chat running there?), retrying",
                   publisher->port);
        s_expect (STDERR_FILENO, unreachable);
        //  Not a synchronisation: the time libzmq needs to retry a few times, told of not again
        poll (NULL, 0, RETRIES_PAUSE_MS);
        bound = s_publisher_try_open (publisher, publisher->port, true);
    }
    assert_true (bound);
    s_expect_subscriptions (fixture, publisher, true);
    char connected[64];
    s_pattern (connected, sizeof connected, "-- connected to 127.0.0.1:%d", publisher->port);
    s_expect (STDERR_FILENO, connected);
    assert_int_equal (s_count_now (STDERR_FILENO, unreachable), 1);
    assert_int_equal (peers_size (fixture->peers), 1);
}

//  A port that is not a chat: what it does, and what the thread says about it.
typedef struct {
    answer_t answer;   //  what the port does
    const char *told;  //  the line told, after "!! 127.0.0.1:PORT"
    int64_t after_ms;  //  told this long after the peer was added at the soonest
    int64_t within_ms; //  ... and at the latest
} not_chat_row_t;

//  True when label is in the peer list.
static bool
s_has_peer (fixture_t *fixture, const char *label)
{
    char labels[PEERS_MAX][ENDPOINT_MAX_BYTES];
    size_t count = peers_labels (fixture->peers, labels, PEERS_MAX);
    for (size_t i = 0; i < count; i++)
        if (streq (labels[i], label))
            return true;
    return false;
}

//  Ports that answer something else than ZeroMQ, or speak ZMTP but not its handshake, or say
//  nothing, all at once: each is told in one line ("is not a chat" when libzmq says the
//  handshake broke the protocol; "refused us: ..." when it gives no detail, as a locked room
//  does), a silent one after SUBSCRIBER_HANDSHAKE_IVL_MS; the peer is gone from the list, and
//  is not connected to again.
static void
test_not_a_chat (void **state)
{
    fixture_t *fixture = *state;
    const char *no_detail = " refused us: it is a locked room (start with --key to join it), or "
                            "not a chat; not connecting to it";
    const not_chat_row_t rows[] = {
        {ANSWER_HTTP, no_detail, 0, WAIT_MS},
        {ANSWER_BROKEN_ZMTP, " is not a chat (the handshake failed); not connecting to it", 0,
         WAIT_MS},
        {ANSWER_SILENCE, no_detail, SUBSCRIBER_HANDSHAKE_IVL_MS - TIMER_SLACK_MS,
         SUBSCRIBER_HANDSHAKE_IVL_MS + MARGIN_MS},
    };
    const size_t count = sizeof rows / sizeof rows[0];
    assert_int_equal (count, NOT_CHAT_PORTS);
    char labels[NOT_CHAT_PORTS][ENDPOINT_MAX_BYTES];
    int64_t start = zclock_mono ();
    for (size_t i = 0; i < count; i++) {
        not_chat_t *server = &fixture->servers[i];
        s_not_chat_start (server, rows[i].answer);
        char endpoint[ENDPOINT_MAX_BYTES];
        s_pattern (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", server->port);
        s_pattern (labels[i], sizeof labels[i], "127.0.0.1:%d", server->port);
        assert_int_equal (peers_add (fixture->peers, endpoint, labels[i], false), 0);
    }
    int connected[NOT_CHAT_PORTS];
    for (size_t i = 0; i < count; i++) {
        char told[256];
        s_pattern (told, sizeof told, "!! %s%s", labels[i], rows[i].told);
        int64_t left = rows[i].within_ms - (zclock_mono () - start);
        s_expect_within (STDERR_FILENO, told, left > 0 ? left : 0);
        int64_t took = zclock_mono () - start;
        if (took < rows[i].after_ms)
            FAIL ("row %zu told after %lld ms, before %lld", i, (long long) took,
                  (long long) rows[i].after_ms);
        assert_false (s_has_peer (fixture, labels[i]));
        connected[i] = atomic_load (&fixture->servers[i].connected);
        assert_true (connected[i] >= 1);
    }
    assert_int_equal (peers_size (fixture->peers), 0);
    //  Seconds later (the silent port took them): each told once, none connected to again
    for (size_t i = 0; i < count; i++) {
        char told[256];
        s_pattern (told, sizeof told, "!! %s%s", labels[i], rows[i].told);
        assert_int_equal (s_count_now (STDERR_FILENO, told), 1);
        assert_int_equal (atomic_load (&fixture->servers[i].connected), connected[i]);
    }
}

//  A chat sends each line twice: in its signed batch, and in the course's one frame for the
//  course's peers. From a publisher whose ZMTP metadata says it is a chat, the one-frame copy
//  is not shown (only the batch's line, by nick); from a course peer's, a one-frame line is
//  shown by its address.
static void
test_chat_copy_not_shown (void **state)
{
    fixture_t *fixture = *state;
    s_publisher_open (&fixture->publisher, 0, true);
    s_connect (fixture, &fixture->publisher, true);
    s_publisher_open (&fixture->course, 0, false);
    s_connect (fixture, &fixture->course, false); //  typed: it may be a course peer
    s_send_one_frame (&fixture->publisher, "kopia");
    s_send_line (&fixture->publisher, "kopia");
    s_expect (STDOUT_FILENO, "##:## [buddy] <anna> kopia");
    s_send_one_frame (&fixture->course, "kurs");
    s_expect (STDOUT_FILENO, "##:## [buddy] <127.0.0.1> kurs");
    //  The copy came before the line on the chat's connection: it would be out
    const char *out = testlib_capture_read (&s_capture, STDOUT_FILENO);
    assert_int_equal (s_count (out, "##:## [buddy] <127.0.0.1> kopia"), 0);
    assert_int_equal (s_count (out, "##:## [buddy] <anna> kopia"), 1);
    char connected[64]; //  the one notice: the course peer was typed
    s_pattern (connected, sizeof connected, "-- connected to 127.0.0.1:%d\n", fixture->course.port);
    assert_string_equal (testlib_capture_read (&s_capture, STDERR_FILENO), connected);
}

//  Every channel is subscribed while a peer the user named has sent no heartbeat (it may be a
//  course peer); once it proves a chat, the one-byte topics go, and nothing else does. A
//  --plain chat (its connection without X-Chatt) keeps them: its one-frame line is shown.
static void
test_channels_while_unproven (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    s_publisher_open (publisher, 0, true);
    s_connect (fixture, publisher, false);
    s_send_beat (publisher, testlib_identity (BEAT_IDENTITY));
    topics_t topics;
    s_topics_init (&topics, identity_sender (fixture->identity), true);
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (topics.bytes_seen < topics.bytes_expected) {
        uint8_t message[256];
        int size = s_receive_subscription (publisher, message, sizeof message, deadline);
        if (size < 0)
            FAIL ("%zu of %zu one-byte topics unsubscribed after %d ms", topics.bytes_seen,
                  topics.bytes_expected, WAIT_MS);
        if (message[0] != 0 || size != 2 || !s_topics_note (&topics, message + 1, 1))
            FAIL ("not a one-byte topic's unsubscription: %d bytes", size);
    }
    //  A --plain chat the user names: heard, and still every channel, so its line arrives
    s_publisher_open (&fixture->course, 0, false);
    s_connect (fixture, &fixture->course, false);
    const identity_t *plain = testlib_identity (BEAT_IDENTITY + 1);
    s_send_beat (&fixture->course, plain);
    char tag[IDENTITY_SHORT_BYTES], joined[64]; //  another key for anna: shown with its tag
    identity_short (identity_public (plain), tag, sizeof tag);
    s_pattern (joined, sizeof joined, "-- anna?%s joined (127.0.0.1:%d)", tag,
               fixture->course.port);
    s_expect (STDERR_FILENO, joined);
    s_send_one_frame (&fixture->course, "plain");
    s_expect (STDOUT_FILENO, "##:## [buddy] <127.0.0.1> plain");
}

//  A heartbeat makes its sender a member, "-- anna joined (127.0.0.1:PORT)"; when no other
//  follows, the thread wakes by itself and says "-- anna left (no heartbeat from 127.0.0.1 for
//  4 s)" MEMBER_GONE_MS after it, and not before.
static void
test_heartbeat_join_and_leave (void **state)
{
    fixture_t *fixture = *state;
    publisher_t *publisher = &fixture->publisher;
    s_publisher_open (publisher, 0, true);
    s_connect (fixture, publisher, false);
    const identity_t *who = testlib_identity (BEAT_IDENTITY);
    const uint8_t *anna = identity_sender (who);
    assert_false (room_knows (fixture->room, anna));
    int64_t sent = zclock_mono ();
    s_send_beat (publisher, who);
    char joined[64];
    s_pattern (joined, sizeof joined, "-- anna joined (127.0.0.1:%d)", publisher->port);
    s_expect (STDERR_FILENO, joined);
    assert_true (room_knows (fixture->room, anna));
    assert_int_equal (room_size (fixture->room), 1);
    char left[64];
    s_pattern (left, sizeof left, "-- anna left (no heartbeat from 127.0.0.1:%d for %d s)",
               publisher->port, MEMBER_GONE_MS / 1000);
    s_expect_within (STDERR_FILENO, left, MEMBER_GONE_MS + MARGIN_MS);
    int64_t silent = zclock_mono () - sent;
    if (silent < MEMBER_GONE_MS)
        FAIL ("anna left after %lld ms of silence, before %d", (long long) silent, MEMBER_GONE_MS);
    assert_false (room_knows (fixture->room, anna));
    assert_int_equal (room_size (fixture->room), 0);
    assert_int_equal (s_count_now (STDERR_FILENO, joined), 1);
}

int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_start_stop, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_connect_named_peer, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_connect_quiet_peer, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_line_then_disconnect, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unreachable_then_listening, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_not_a_chat, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_chat_copy_not_shown, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_channels_while_unproven, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_heartbeat_join_and_leave, s_setup, s_teardown),
    };
    int failed = cmocka_run_group_tests_name ("subscriber", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
