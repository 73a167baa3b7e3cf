/*  test_answers.c - unit tests for answers.c over real TCP sockets (a publisher on a free port,
    a requester's SUB on 127.0.0.1 subscribed to its private topic, and a SUB to our batches,
    "~lines", which shows what we sent): the answers remember every line the publisher sends
    (answers_new hooks them in); a resend request gets our lines from its seq as they first
    went, each alone with its metadata and proof (unsigned: the proof, signing_line_verify,
    shows us the author, also for the lines of one batch), after a "gone" when the first ones
    are no longer held (the byte bound of the resend ring), and nothing past our last line; a
    history request gets the last lines of every channel oldest first, then "history-end" with
    their number ("gone" and "history-end" signed); lines sent with --plain are not remembered;
    the limits: a requester once per ANSWERS_GAP_MS and kind, all of them ANSWERS_PER_SECOND a
    second, resends and history counted apart.

    "Nothing" is asserted with a marker: a control message sent after the request, on a topic
    the requester also subscribes to, must be the next message it receives.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "answers.h"
#include "backlog.h"
#include "control.h"
#include "publisher.h"
#include "resend.h"
#include "roomlock.h"
#include "signing.h"
#include "wire.h"
#include "testlib.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 5000         //  the longest any bounded wait here may take
#define FLUSH_POLL_MS 10     //  how long a receive waits between flushes of the outbox
#define LINES_MAX 1100       //  lines one test sends at most
#define CROWD_SIZE 40        //  requesters in the test of the limit per second
#define MARKER_TOPIC "~mark" //  the marker's topic
#define NICK "anna"          //  our nick

//  A time well after 0, which the answers take for "never answered"
#define T0 1000000

//  Who we are: the identity that signs what the publisher sends
static const identity_t *
s_us (void)
{
    return testlib_identity (0);
}

//  ... and our sender id, derived from it
static const uint8_t *
s_our_id (void)
{
    return identity_sender (s_us ());
}

//  A line as we sent it: frame 1, and the metadata with its proof that a line passed on alone
//  carries, made here from the batch it went in (none with --plain)
typedef struct {
    char line[FRAME_MAX_BYTES];             //  frame 1
    size_t line_size;                       //  its size
    uint8_t meta[WIRE_LINE_META_MAX_BYTES]; //  our metadata with the line's proof
    size_t meta_size;                       //  its size
} kept_t;

//  The publisher, backlog and answers of one test, and the requester listening
typedef struct {
    roomlock_t *lock;                        //  an open room's lock
    publisher_t *publisher;                  //  sends the answers
    int port;                                //  where it listens
    bool plain;                              //  the publisher is --plain
    backlog_t *backlog;                      //  the room's history
    answers_t *answers;                      //  the answers under test
    uint8_t requester_id[WIRE_SENDER_BYTES]; //  who asks
    zsock_t *requester;                      //  its SUB: its private topic and the marker's
    zsock_t *crowd;                          //  a SUB for CROWD_SIZE requesters, or NULL
    zsock_t *lines;                          //  a SUB for our batches ("~lines"): what we sent
    kept_t *kept;                            //  the lines sent, kept[seq - 1]
    size_t kept_count;                       //  how many
} fixture_t;

//  The id of requester index: distinct from ours and from each other's.
static void
s_requester_id (int index, uint8_t id[WIRE_SENDER_BYTES])
{
    memset (id, 0xA0, WIRE_SENDER_BYTES);
    id[0] = (uint8_t) (index >> 8);
    id[1] = (uint8_t) index;
}

//  Connect a SUB subscribed to the private topics of ids (count of them) and to the marker's.
static zsock_t *
s_listen (fixture_t *fixture, const uint8_t (*ids)[WIRE_SENDER_BYTES], size_t count)
{
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert_non_null (sub);
    for (size_t i = 0; i < count; i++) {
        char topic[CONTROL_PRIVATE_BYTES + 1];
        assert_int_equal (control_encode_private (topic, sizeof topic, ids[i]),
                          CONTROL_PRIVATE_BYTES);
        zsock_set_subscribe (sub, topic);
    }
    zsock_set_subscribe (sub, MARKER_TOPIC);
    assert_int_equal (zsock_connect (sub, "tcp://127.0.0.1:%d", fixture->port), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), count + 1, 0);
    return sub;
}

//  Set up the fixture: a publisher (plain or not) on a free port, an empty backlog, the
//  answers, and the requester listening.
static int
s_fixture_new (void **state, bool plain)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    fixture->kept = calloc (LINES_MAX, sizeof *fixture->kept);
    fixture->lock = roomlock_new ();
    assert_non_null (fixture->kept);
    assert_non_null (fixture->lock);
    fixture->plain = plain;
    fixture->publisher =
        testlib_publisher_new (fixture->lock, s_us (), NICK, plain, &fixture->port);
    fixture->backlog = backlog_new (BACKLOG_LINES_MAX);
    assert_non_null (fixture->backlog);
    fixture->answers = answers_new (fixture->publisher, fixture->backlog);
    assert_non_null (fixture->answers);
    fixture->lines = zsock_new (ZMQ_SUB);
    assert_non_null (fixture->lines);
    zsock_set_subscribe (fixture->lines, CONTROL_LINES);
    assert_int_equal (zsock_connect (fixture->lines, "tcp://127.0.0.1:%d", fixture->port), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 1, 0);
    s_requester_id (0, fixture->requester_id);
    const uint8_t (*ids)[WIRE_SENDER_BYTES] = &fixture->requester_id;
    fixture->requester = s_listen (fixture, ids, 1);
    return 0;
}

//  Setup: a publisher with metadata.
static int
s_setup (void **state)
{
    return s_fixture_new (state, false);
}

//  Setup: a publisher with --plain.
static int
s_setup_plain (void **state)
{
    return s_fixture_new (state, true);
}

//  Teardown: the answers (twice), the sockets, the backlog.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    answers_destroy (&fixture->answers);
    answers_destroy (&fixture->answers); //  safe twice
    zsock_destroy (&fixture->requester);
    zsock_destroy (&fixture->crowd);
    zsock_destroy (&fixture->lines);
    publisher_destroy (&fixture->publisher);
    backlog_destroy (&fixture->backlog);
    roomlock_destroy (&fixture->lock);
    free (fixture->kept);
    free (fixture);
    return 0;
}

//  A request of kind to us from requester with number.
static control_request_t
s_request (control_request_kind_t kind, const uint8_t requester[WIRE_SENDER_BYTES], uint64_t number)
{
    control_request_t request = {.kind = kind, .number = number};
    memcpy (request.target, s_our_id (), WIRE_SENDER_BYTES);
    memcpy (request.requester, requester, WIRE_SENDER_BYTES);
    return request;
}

//  Have the answers handle a request of kind from the fixture's requester at now_ms.
static void
s_ask (fixture_t *fixture, control_request_kind_t kind, uint64_t number, int64_t now_ms)
{
    control_request_t request = s_request (kind, fixture->requester_id, number);
    answers_handle (fixture->answers, &request, now_ms);
}

//  The next message sub receives, flushing the outbox while it waits (bounded by WAIT_MS).
static zmsg_t *
s_receive (fixture_t *fixture, zsock_t *sub)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (true) {
        publisher_take_news (fixture->publisher);
        publisher_flush (fixture->publisher);
        if (testlib_readable (sub, FLUSH_POLL_MS))
            break;
        if (zclock_mono () > deadline)
            fail_msg ("no message in %d ms", WAIT_MS);
    }
    zmsg_t *message = zmsg_recv (sub);
    assert_non_null (message);
    return message;
}

//  Receive the batch of count lines just sent on the fixture's "~lines" SUB, check our signature
//  of it, and keep each line (as kept[seq - 1]) with the metadata and proof it carries when
//  passed on alone (signing_line_meta of the batch as it arrived): what answers must send.
static void
s_take_batch (fixture_t *fixture, size_t count)
{
    zmsg_t *message = s_receive (fixture, fixture->lines);
    assert_int_equal (zmsg_size (message), 4);
    testlib_assert_frame (message, 0, CONTROL_LINES, strlen (CONTROL_LINES));
    zframe_t *meta = testlib_frame (message, 1);
    zframe_t *body = testlib_frame (message, 2);
    zframe_t *signature = testlib_frame (message, 3);
    wire_meta_t decoded;
    assert_int_equal (wire_decode_meta (zframe_data (meta), zframe_size (meta), &decoded), WIRE_OK);
    assert_int_equal (decoded.seq, fixture->kept_count + 1);
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    assert_int_equal (
        signing_decode_body (zframe_data (body), zframe_size (body), lines, WIRE_BATCH_LINES_MAX),
        (int) count);
    static signing_batch_t batch;
    assert_int_equal (signing_batch_build (&batch, zframe_data (meta), zframe_size (meta),
                                           decoded.seq, lines, count),
                      0);
    assert_true (signing_batch_verify (&batch, identity_public (s_us ()), zframe_data (signature),
                                       zframe_size (signature)));
    assert_true (fixture->kept_count + count <= LINES_MAX);
    for (size_t i = 0; i < count; i++) {
        kept_t *kept = &fixture->kept[fixture->kept_count++];
        memcpy (kept->line, lines[i].data, lines[i].size);
        kept->line_size = lines[i].size;
        int size = signing_line_meta (&batch, i, kept->meta, sizeof kept->meta);
        assert_true (size > 0);
        kept->meta_size = (size_t) size;
    }
    zmsg_destroy (&message);
}

//  Queue text to channel as our next line (it waits in a batch until publisher_send_lines).
static void
s_queue (fixture_t *fixture, const char *channel, const char *text, size_t text_size)
{
    assert_int_equal (publisher_send_line (fixture->publisher, channel, text, text_size), 0);
}

//  Send the lines queued (count of them) as one batch, which the answers are told of, and keep
//  a copy of each as it went; with --plain they went already, and only frame 1 is kept.
static void
s_send_queued (fixture_t *fixture, size_t count)
{
    publisher_send_lines (fixture->publisher);
    if (!fixture->plain)
        s_take_batch (fixture, count);
}

//  Send text to channel as a batch of its own and keep a copy. Returns its seq (0 with
//  --plain).
static uint64_t
s_send (fixture_t *fixture, const char *channel, const char *text, size_t text_size)
{
    s_queue (fixture, channel, text, text_size);
    if (fixture->plain) {
        assert_true (fixture->kept_count < LINES_MAX);
        kept_t *kept = &fixture->kept[fixture->kept_count++];
        int size =
            snprintf (kept->line, sizeof kept->line, "%s> %.*s", channel, (int) text_size, text);
        assert_true (size > 0 && (size_t) size < sizeof kept->line);
        kept->line_size = (size_t) size;
        kept->meta_size = 0;
    }
    s_send_queued (fixture, 1);
    return fixture->plain ? 0 : publisher_last_seq (fixture->publisher);
}

//  Send count lines to "buddy", each of text_size bytes and a batch of its own.
static void
s_send_many (fixture_t *fixture, size_t count, size_t text_size)
{
    static char text[TEXT_MAX_BYTES];
    assert_true (text_size <= sizeof text);
    for (size_t i = 0; i < count; i++) {
        memset (text, 'a' + (int) (fixture->kept_count % 26), text_size);
        s_send (fixture, "buddy", text, text_size);
    }
}

//  Assert message is of kind for to, on its private topic, with frames frames.
static void
s_assert_private (zmsg_t *message, const uint8_t to[WIRE_SENDER_BYTES], const char *kind,
                  size_t frames)
{
    char topic[CONTROL_PRIVATE_BYTES + 1];
    assert_int_equal (control_encode_private (topic, sizeof topic, to), CONTROL_PRIVATE_BYTES);
    if (zmsg_size (message) != frames || zframe_size (testlib_frame (message, 0)) < 1 ||
        *(char *) zframe_data (testlib_frame (message, 0)) != '!')
        fail_msg ("a message of %zu frames, not %s with %zu", zmsg_size (message), kind, frames);
    testlib_assert_frame (message, 0, topic, CONTROL_PRIVATE_BYTES);
    testlib_assert_frame (message, 1, kind, strlen (kind));
}

//  Receive the next message of sub: kind ("line" or "history") for to, unsigned, carrying
//  kept's frame 1 and its metadata with proof, which proves it ours as it is (and would not
//  prove a line one byte off).
static void
s_expect_line (fixture_t *fixture, zsock_t *sub, const uint8_t to[WIRE_SENDER_BYTES],
               const char *kind, const kept_t *kept)
{
    zmsg_t *message = s_receive (fixture, sub);
    s_assert_private (message, to, kind, 4);
    testlib_assert_frame (message, 2, kept->line, kept->line_size);
    testlib_assert_frame (message, 3, kept->meta, kept->meta_size);
    zframe_t *line = testlib_frame (message, 2), *meta = testlib_frame (message, 3);
    wire_meta_t decoded;
    assert_int_equal (wire_decode_meta (zframe_data (meta), zframe_size (meta), &decoded), WIRE_OK);
    assert_memory_equal (decoded.sender, s_our_id (), WIRE_SENDER_BYTES);
    assert_true (signing_line_verify (&decoded, zframe_data (meta), zframe_size (meta),
                                      zframe_data (line), zframe_size (line), NULL));
    static char changed[FRAME_MAX_BYTES];
    memcpy (changed, zframe_data (line), zframe_size (line));
    changed[0] ^= 1;
    assert_false (signing_line_verify (&decoded, zframe_data (meta), zframe_size (meta), changed,
                                       zframe_size (line), NULL));
    zmsg_destroy (&message);
}

//  Receive the next message of sub: kind ("gone" or "history-end") for to, with our metadata
//  and our signature of the three frames before it. Returns the seq it carries.
static uint64_t
s_expect_meta (fixture_t *fixture, zsock_t *sub, const uint8_t to[WIRE_SENDER_BYTES],
               const char *kind)
{
    zmsg_t *message = s_receive (fixture, sub);
    s_assert_private (message, to, kind, 4);
    const void *frames[3];
    size_t sizes[3];
    for (size_t i = 0; i < 3; i++) {
        frames[i] = zframe_data (testlib_frame (message, i));
        sizes[i] = zframe_size (testlib_frame (message, i));
    }
    wire_meta_t meta;
    assert_int_equal (wire_decode_meta (frames[2], sizes[2], &meta), WIRE_OK);
    assert_memory_equal (meta.sender, s_our_id (), WIRE_SENDER_BYTES);
    assert_string_equal (meta.nick, NICK);
    zframe_t *signature = testlib_frame (message, 3);
    assert_true (signing_verify_frames (&meta, frames, sizes, 3, zframe_data (signature),
                                        zframe_size (signature)));
    zmsg_destroy (&message);
    return meta.seq;
}

//  Send the marker and assert it is the next message sub receives: nothing came before it.
static void
s_expect_nothing (fixture_t *fixture, zsock_t *sub)
{
    assert_int_equal (publisher_send_control (fixture->publisher, MARKER_TOPIC, "", 0), 0);
    zmsg_t *message = s_receive (fixture, sub);
    zframe_t *frame = testlib_frame (message, 0);
    if (zframe_size (frame) != strlen (MARKER_TOPIC) ||
        memcmp (zframe_data (frame), MARKER_TOPIC, strlen (MARKER_TOPIC)) != 0) {
        char *text = zframe_strdup (testlib_frame (message, zmsg_size (message) > 1 ? 1 : 0));
        fail_msg ("a message came before the marker, of kind \"%s\"", text);
    }
    zmsg_destroy (&message);
}

//  A resend from a seq gets the lines from it on, each as "line" with its frames as first sent,
//  in order, and nothing else; from the first one, all of them and no "gone".
static void
test_resend_from_seq (void **state)
{
    fixture_t *fixture = *state;
    s_send_many (fixture, 5, 10);
    const uint64_t froms[] = {3, 1, 5};
    for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
        s_ask (fixture, CONTROL_REQUEST_RESEND, froms[i], T0 + (int64_t) i * ANSWERS_GAP_MS);
        for (uint64_t seq = froms[i]; seq <= 5; seq++)
            s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_LINE,
                           &fixture->kept[seq - 1]);
        s_expect_nothing (fixture, fixture->requester);
    }
}

//  A resend from a seq the ring no longer holds (its byte bound dropped the oldest lines) gets
//  "gone" with the first seq still held, then every line held from there, in order.
static void
test_resend_gone (void **state)
{
    fixture_t *fixture = *state;
    s_send_many (fixture, LINES_MAX, TEXT_MAX_BYTES);
    const kept_t *first_kept = &fixture->kept[0];
    uint64_t held = RESEND_BYTES_MAX / (first_kept->line_size + first_kept->meta_size);
    assert_true (held < LINES_MAX); //  else this test sends too few lines
    uint64_t first = LINES_MAX - held + 1;
    const uint64_t froms[] = {1, first - 1};
    for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
        s_ask (fixture, CONTROL_REQUEST_RESEND, froms[i], T0 + (int64_t) i * ANSWERS_GAP_MS);
        assert_int_equal (
            s_expect_meta (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_GONE),
            first);
        for (uint64_t seq = first; seq <= LINES_MAX; seq++)
            s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_LINE,
                           &fixture->kept[seq - 1]);
        s_expect_nothing (fixture, fixture->requester);
    }
}

//  With none of the lines from the seq asked held (the answers were not told of them: the
//  publisher's sent function is taken from them), "gone" carries our last seq + 1, and no line
//  follows.
static void
test_resend_none_held (void **state)
{
    fixture_t *fixture = *state;
    publisher_on_sent (fixture->publisher, NULL, NULL);
    s_send (fixture, "buddy", "a", 1);
    s_send (fixture, "buddy", "b", 1);
    s_send (fixture, "buddy", "c", 1);
    assert_int_equal (backlog_size (fixture->backlog), 0);
    s_ask (fixture, CONTROL_REQUEST_RESEND, 2, T0);
    assert_int_equal (
        s_expect_meta (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_GONE), 4);
    s_expect_nothing (fixture, fixture->requester);
}

//  A resend from beyond our last seq gets nothing, nor does one before we sent anything; one
//  from the last seq, later, gets it.
static void
test_resend_beyond_last (void **state)
{
    fixture_t *fixture = *state;
    int64_t now_ms = T0;
    s_ask (fixture, CONTROL_REQUEST_RESEND, 1, now_ms);
    s_expect_nothing (fixture, fixture->requester);
    s_send_many (fixture, 3, 5);
    const uint64_t froms[] = {4, 1000, UINT64_MAX};
    for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
        now_ms += ANSWERS_GAP_MS;
        s_ask (fixture, CONTROL_REQUEST_RESEND, froms[i], now_ms);
        s_expect_nothing (fixture, fixture->requester);
    }
    s_ask (fixture, CONTROL_REQUEST_RESEND, 3, now_ms + ANSWERS_GAP_MS);
    s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_LINE,
                   &fixture->kept[2]);
    s_expect_nothing (fixture, fixture->requester);
}

//  Queue the lines of texts (count of them, channel by channel), then send them as one batch.
static void
s_send_batch (fixture_t *fixture, const char *const *channels, const char *const *texts,
              size_t count)
{
    for (size_t i = 0; i < count; i++)
        s_queue (fixture, channels[i], texts[i], strlen (texts[i]));
    assert_int_equal (publisher_last_seq (fixture->publisher), fixture->kept_count);
    s_send_queued (fixture, count);
    assert_int_equal (publisher_last_seq (fixture->publisher), fixture->kept_count);
}

//  Lines sent in one batch are resent each alone, with its own path up the batch's tree, which
//  proves it ours: five lines (at one level of their tree a line is left alone), resent from
//  seq 2 and then from 1.
static void
test_resend_one_batch (void **state)
{
    fixture_t *fixture = *state;
    const char *channels[] = {"buddy", "buddy", "kaffe", "buddy", "kaffe"};
    const char *texts[] = {"ett", "två", "tre", "fyra", "fem"};
    s_send_batch (fixture, channels, texts, 5);
    const uint64_t froms[] = {2, 1};
    for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
        s_ask (fixture, CONTROL_REQUEST_RESEND, froms[i], T0 + (int64_t) i * ANSWERS_GAP_MS);
        for (uint64_t seq = froms[i]; seq <= 5; seq++)
            s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_LINE,
                           &fixture->kept[seq - 1]);
        s_expect_nothing (fixture, fixture->requester);
    }
}

//  A batch of lines in two channels is history in the order they were said (they share a send
//  time), each line with its own proof; then "history-end" with their number.
static void
test_history_one_batch (void **state)
{
    fixture_t *fixture = *state;
    const char *channels[] = {"buddy", "kaffe", "buddy", "kaffe", "buddy"};
    const char *texts[] = {"ett", "två", "tre", "fyra", "fem"};
    s_send_batch (fixture, channels, texts, 5);
    s_ask (fixture, CONTROL_REQUEST_HISTORY, 50, T0);
    for (size_t i = 0; i < 5; i++)
        s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_HISTORY,
                       &fixture->kept[i]);
    assert_int_equal (s_expect_meta (fixture, fixture->requester, fixture->requester_id,
                                     CONTROL_KIND_HISTORY_END),
                      5);
    s_expect_nothing (fixture, fixture->requester);
}

//  A history row: lines asked per channel, and the lines (indexes into kept) that come back, in
//  order
typedef struct {
    uint64_t lines;     //  the request's number
    size_t served;      //  lines that come back
    size_t expected[6]; //  which, oldest first
} history_row_t;

//  A history request gets the last lines of each channel, both channels together oldest first,
//  as "history" with their frames, then "history-end" whose seq is how many.
static void
test_history (void **state)
{
    fixture_t *fixture = *state;
    //  buddy 1, kaffe 1, buddy 2, kaffe 2, buddy 3, kaffe 3: kept 0 to 5
    for (int i = 1; i <= 3; i++) {
        s_send (fixture, "buddy", "b", 1);
        s_send (fixture, "kaffe", "k", 1);
    }
    const history_row_t rows[] = {
        {2, 4, {2, 3, 4, 5}},                //  the last two of each
        {1, 2, {4, 5}},                      //  the last of each
        {3, 6, {0, 1, 2, 3, 4, 5}},          //  all
        {UINT64_MAX, 6, {0, 1, 2, 3, 4, 5}}, //  at most what is kept
        {BACKLOG_LINES_MAX + 1, 6, {0, 1, 2, 3, 4, 5}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        s_ask (fixture, CONTROL_REQUEST_HISTORY, rows[i].lines, T0 + (int64_t) i * ANSWERS_GAP_MS);
        for (size_t j = 0; j < rows[i].served; j++)
            s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_HISTORY,
                           &fixture->kept[rows[i].expected[j]]);
        assert_int_equal (s_expect_meta (fixture, fixture->requester, fixture->requester_id,
                                         CONTROL_KIND_HISTORY_END),
                          rows[i].served);
        s_expect_nothing (fixture, fixture->requester);
    }
}

//  With no history, a history request gets "history-end" with seq 0 alone.
static void
test_history_empty (void **state)
{
    fixture_t *fixture = *state;
    s_ask (fixture, CONTROL_REQUEST_HISTORY, 50, T0);
    assert_int_equal (s_expect_meta (fixture, fixture->requester, fixture->requester_id,
                                     CONTROL_KIND_HISTORY_END),
                      0);
    s_expect_nothing (fixture, fixture->requester);
}

//  Lines sent with --plain are not remembered: no history, and nothing to resend.
static void
test_plain_not_remembered (void **state)
{
    fixture_t *fixture = *state;
    for (int i = 0; i < 3; i++)
        assert_int_equal (s_send (fixture, "buddy", "hej", 3), 0);
    assert_int_equal (backlog_size (fixture->backlog), 0);
    s_ask (fixture, CONTROL_REQUEST_HISTORY, 50, T0);
    assert_int_equal (s_expect_meta (fixture, fixture->requester, fixture->requester_id,
                                     CONTROL_KIND_HISTORY_END),
                      0);
    s_ask (fixture, CONTROL_REQUEST_RESEND, 1, T0);
    s_expect_nothing (fixture, fixture->requester);
}

//  Receive the whole answer to a request of kind for the fixture's requester, after one line
//  was sent: that line (as "line", or as "history" and "history-end").
static void
s_expect_answer (fixture_t *fixture, control_request_kind_t kind)
{
    if (kind == CONTROL_REQUEST_RESEND)
        s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_LINE,
                       &fixture->kept[0]);
    else {
        s_expect_line (fixture, fixture->requester, fixture->requester_id, CONTROL_KIND_HISTORY,
                       &fixture->kept[0]);
        assert_int_equal (s_expect_meta (fixture, fixture->requester, fixture->requester_id,
                                         CONTROL_KIND_HISTORY_END),
                          1);
    }
}

//  The same requester asking the same again within ANSWERS_GAP_MS gets no answer; once that
//  has passed since the answer, it gets one again.
static void
test_gap (void **state)
{
    fixture_t *fixture = *state;
    s_send_many (fixture, 1, 5);
    const control_request_kind_t kinds[] = {CONTROL_REQUEST_RESEND, CONTROL_REQUEST_HISTORY};
    for (size_t i = 0; i < 2; i++) {
        int64_t answered_ms = T0 + (int64_t) i * 10 * ANSWERS_GAP_MS;
        s_ask (fixture, kinds[i], 1, answered_ms);
        s_expect_answer (fixture, kinds[i]);
        const int64_t too_soon[] = {0, 1, ANSWERS_GAP_MS - 1};
        for (size_t j = 0; j < sizeof too_soon / sizeof too_soon[0]; j++) {
            s_ask (fixture, kinds[i], 1, answered_ms + too_soon[j]);
            s_expect_nothing (fixture, fixture->requester);
        }
        s_ask (fixture, kinds[i], 1, answered_ms + ANSWERS_GAP_MS);
        s_expect_answer (fixture, kinds[i]);
        s_expect_nothing (fixture, fixture->requester);
    }
}

//  A resend and a history request from the same requester at once are both answered.
static void
test_kinds_apart (void **state)
{
    fixture_t *fixture = *state;
    s_send_many (fixture, 1, 5);
    s_ask (fixture, CONTROL_REQUEST_RESEND, 1, T0);
    s_ask (fixture, CONTROL_REQUEST_HISTORY, 1, T0);
    s_expect_answer (fixture, CONTROL_REQUEST_RESEND);
    s_expect_answer (fixture, CONTROL_REQUEST_HISTORY);
    s_expect_nothing (fixture, fixture->requester);
}

//  Of more than ANSWERS_PER_SECOND requesters in one second, the first ANSWERS_PER_SECOND are
//  answered, the others not, until the second is over.
static void
test_per_second (void **state)
{
    fixture_t *fixture = *state;
    static uint8_t ids[CROWD_SIZE][WIRE_SENDER_BYTES];
    for (int i = 0; i < CROWD_SIZE; i++)
        s_requester_id (i + 1, ids[i]);
    fixture->crowd = s_listen (fixture, (const uint8_t (*)[WIRE_SENDER_BYTES]) ids, CROWD_SIZE);
    for (int i = 0; i < CROWD_SIZE; i++) {
        control_request_t request = s_request (CONTROL_REQUEST_HISTORY, ids[i], 50);
        answers_handle (fixture->answers, &request, T0 + i);
    }
    assert_true (ANSWERS_PER_SECOND + 2 < CROWD_SIZE);
    for (int i = 0; i < ANSWERS_PER_SECOND; i++)
        assert_int_equal (s_expect_meta (fixture, fixture->crowd, ids[i], CONTROL_KIND_HISTORY_END),
                          0);
    s_expect_nothing (fixture, fixture->crowd);
    //  The last of the second: still nothing; the next one is answered
    control_request_t late = s_request (CONTROL_REQUEST_HISTORY, ids[CROWD_SIZE - 1], 50);
    answers_handle (fixture->answers, &late, T0 + 999);
    s_expect_nothing (fixture, fixture->crowd);
    answers_handle (fixture->answers, &late, T0 + 1000);
    assert_int_equal (
        s_expect_meta (fixture, fixture->crowd, ids[CROWD_SIZE - 1], CONTROL_KIND_HISTORY_END), 0);
    s_expect_nothing (fixture, fixture->crowd);
}

//  The gap holds across a second's edge: 32 answered just before it and 2 just after do not
//  push out of the table a requester answered 2 ms ago, so it is not answered again.
static void
test_gap_across_seconds (void **state)
{
    fixture_t *fixture = *state;
    static uint8_t ids[CROWD_SIZE][WIRE_SENDER_BYTES];
    for (int i = 0; i < CROWD_SIZE; i++)
        s_requester_id (i + 1, ids[i]);
    fixture->crowd = s_listen (fixture, (const uint8_t (*)[WIRE_SENDER_BYTES]) ids, CROWD_SIZE);
    control_request_t request = s_request (CONTROL_REQUEST_HISTORY, ids[0], 50);
    answers_handle (fixture->answers, &request, T0);
    for (int i = 1; i < ANSWERS_PER_SECOND; i++) {
        request = s_request (CONTROL_REQUEST_HISTORY, ids[i], 50);
        answers_handle (fixture->answers, &request, T0 + 999);
    }
    for (int i = 0; i < ANSWERS_PER_SECOND; i++)
        assert_int_equal (s_expect_meta (fixture, fixture->crowd, ids[i], CONTROL_KIND_HISTORY_END),
                          0);
    //  A new second: two newcomers, then the one answered at T0 + 999 asks again
    for (int i = ANSWERS_PER_SECOND; i < ANSWERS_PER_SECOND + 2; i++) {
        request = s_request (CONTROL_REQUEST_HISTORY, ids[i], 50);
        answers_handle (fixture->answers, &request, T0 + 1000);
    }
    assert_int_equal (
        s_expect_meta (fixture, fixture->crowd, ids[ANSWERS_PER_SECOND], CONTROL_KIND_HISTORY_END),
        0);
    request = s_request (CONTROL_REQUEST_HISTORY, ids[1], 50);
    answers_handle (fixture->answers, &request, T0 + 1001);
    s_expect_nothing (fixture, fixture->crowd);
}

//  answers_destroy sets the pointer to NULL and is safe twice, and on NULL.
static void
test_destroy (void **state)
{
    fixture_t *fixture = *state;
    answers_destroy (&fixture->answers);
    assert_null (fixture->answers);
    answers_destroy (&fixture->answers);
    assert_null (fixture->answers);
    answers_destroy (NULL);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_resend_from_seq, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_resend_gone, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_resend_none_held, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_resend_beyond_last, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_resend_one_batch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_one_batch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_empty, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_plain_not_remembered, s_setup_plain, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kinds_apart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_per_second, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap_across_seconds, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_destroy, s_setup, s_teardown),
    };
    int failed = cmocka_run_group_tests_name ("answers", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
