/*  test_private.c - unit tests for private.c over real ZeroMQ sockets, asserting what the user
    sees on stdout and stderr. The sending side runs on a publisher bound to a free TCP port,
    heard by a SUB subscribed to the recipients' private topics: a private message's frames, its
    number and its sender's signature, one resend after PRIVATE_RESEND_MS, giving up after
    PRIVATE_WAIT_MS with one line, a receipt told once, receipts for nothing told never, the
    bound on messages waiting.
    The receiving side runs on a SUB connected to a test XPUB (inproc, in czmq's context), where
    the receipts arrive as subscriptions: a text sealed to us opened (and one sealed to another
    not), every copy acknowledged, shown the first time only,
    under a name told apart from ours, made safe; malformed ones refused without a receipt.
    (The signature of a message received is the inbox's to check: test_inbox.c.)

    The members are testlib's throwaway identities.
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
#include "signing.h"
#include "room.h"
#include "term.h"
#include "wire.h"
#include "testlib.h"

#include <czmq.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 5000          //  the longest any bounded wait may take
#define RECEIVED_FRAMES_MAX 5 //  frames of a received message noted at most
#define RECEIVED_FRAME_BYTES (PRIVATE_SEALED_MAX_BYTES + 1) //  ... bytes of one of its frames
#define SENTINEL_KIND "sentinel"                            //  a message kind that marks "no more"

//  A time well after 0, so no test leans on what 0 means to the waiting messages.
#define T0 1000000

//  The members of the tests, each one of testlib's identities: anna is the sender's own, david
//  the receiving side's.
typedef enum { ANNA, BERTIL, CECILIA, DAVID } peer_t;

//  The sending side of one test: our publisher, and a SUB listening as the recipients.
typedef struct {
    roomlock_t *lock;          //  an open room's
    publisher_t *publisher;    //  ours, anna's, on a free port
    int port;                  //  ... which is this
    private_t *private;        //  under test
    zsock_t *listener;         //  SUB subscribed to bertil's and cecilia's private topics
    testlib_capture_t capture; //  what the user saw
} sending_t;

//  The receiving side of one test: the SUB receipts go out on, and the XPUB they reach.
typedef struct {
    zsock_t *receipts;         //  test XPUB: the receipts arrive on it as subscriptions
    zsock_t *sub;              //  SUB connected to it, the private inbox's
    room_t *room;              //  the members, for names
    private_inbox_t *inbox;    //  under test
    testlib_capture_t capture; //  what the user saw
} receiving_t;

//  A message the listener received: its frames, each NUL-terminated.
typedef struct {
    char frames[RECEIVED_FRAMES_MAX][RECEIVED_FRAME_BYTES]; //  each frame's bytes
    size_t sizes[RECEIVED_FRAMES_MAX];                      //  ... and size
    size_t count;                                           //  frames
} received_t;

//  The identity of peer.
static const identity_t *
s_who (peer_t peer)
{
    return testlib_identity ((int) peer);
}

//  The sender id of peer.
static const uint8_t *
s_id (peer_t peer)
{
    return identity_sender (s_who (peer));
}

//  Assert that stderr got exactly expected, and stdout nothing.
static void
s_assert_told (const testlib_capture_t *capture, const char *expected)
{
    testlib_assert_told (capture, expected);
    testlib_assert_shown (capture, "");
}

//  Assert that stdout got exactly one line, tail after the clock of the last capture's minute
//  (when it started or, if the minute turned, when it stopped), or nothing when tail is NULL;
//  and stderr nothing.
static void
s_assert_shown (const testlib_capture_t *capture, const char *tail)
{
    assert_true (!tail || !strchr (tail, '\n')); //  one line
    testlib_assert_shown (capture, tail ? tail : "");
    testlib_assert_told (capture, "");
}

//  Subscribe listener to the private topic of peer.
static void
s_subscribe_private (zsock_t *listener, peer_t peer)
{
    char topic[CONTROL_PRIVATE_BYTES + 1];
    assert_int_equal (control_encode_private (topic, sizeof topic, s_id (peer)),
                      CONTROL_PRIVATE_BYTES);
    assert_int_equal (
        zmq_setsockopt (zsock_resolve (listener), ZMQ_SUBSCRIBE, topic, CONTROL_PRIVATE_BYTES), 0);
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
    fixture->publisher =
        testlib_publisher_new (fixture->lock, s_who (ANNA), "anna", false, &fixture->port);
    assert_int_equal (publisher_port (fixture->publisher), fixture->port);
    fixture->private = private_new (fixture->publisher);
    assert_non_null (fixture->private);
    fixture->listener = zsock_new (ZMQ_SUB);
    assert_non_null (fixture->listener);
    s_subscribe_private (fixture->listener, BERTIL);
    s_subscribe_private (fixture->listener, CECILIA);
    assert_int_equal (zsock_connect (fixture->listener, "tcp://127.0.0.1:%d", fixture->port), 0);
    testlib_wait_subscriptions (publisher_socket (fixture->publisher), 2, CONTROL_PRIVATE_BYTES);
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
    testlib_wait_readable (socket, WAIT_MS);
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

//  True when text (not empty) is somewhere in the size bytes at data.
static bool
s_contains (const char *data, size_t size, const char *text)
{
    size_t text_size = strlen (text);
    for (size_t i = 0; text_size && i + text_size <= size; i++)
        if (memcmp (data + i, text, text_size) == 0)
            return true;
    return false;
}

//  Assert that sealed (size bytes) is text sealed by anna to peer: it opens for peer with her
//  key, for nobody else (anna's own key to peer's, or another member's), and the text itself
//  (when it is not empty) is nowhere in it.
static void
s_assert_sealed (const char *sealed, size_t size, peer_t to, const char *text)
{
    static uint8_t opened[RECEIVED_FRAME_BYTES];
    size_t text_size = strlen (text);
    assert_int_equal (size, crypto_box_NONCEBYTES + crypto_box_MACBYTES + text_size);
    if (s_contains (sealed, size, text))
        fail_msg ("the plaintext \"%s\" is on the wire", text);
    assert_int_equal (
        testlib_open (s_who (to), identity_public (s_who (ANNA)), sealed, size, opened),
        (int) text_size);
    assert_memory_equal (opened, text, text_size);
    peer_t other = to == BERTIL ? CECILIA : BERTIL;
    assert_int_equal (
        testlib_open (s_who (other), identity_public (s_who (ANNA)), sealed, size, opened), -1);
    assert_int_equal (
        testlib_open (s_who (to), identity_public (s_who (other)), sealed, size, opened), -1);
}

//  Assert that the next message the listener gets is anna's private message number with text
//  to peer: its topic, kind "msg", the text sealed (a nonce and crypto_box from anna to peer:
//  it opens for peer only, and the plaintext is not on the wire), anna's metadata (version 2,
//  her key) with the number as seq, and her signature of the four frames before it.
static void
s_assert_sent (sending_t *fixture, peer_t to, const char *text, uint64_t number)
{
    received_t received;
    s_receive (fixture, &received);
    assert_int_equal (received.count, 5);
    char topic[CONTROL_PRIVATE_BYTES + 1] = "!";
    testlib_hex (s_id (to), WIRE_SENDER_BYTES, topic + 1);
    assert_string_equal (received.frames[0], topic);
    assert_string_equal (received.frames[1], "msg");
    s_assert_sealed (received.frames[2], received.sizes[2], to, text);
    wire_meta_t meta;
    assert_int_equal (wire_decode_meta (received.frames[3], received.sizes[3], &meta), WIRE_OK);
    if (meta.seq != number)
        fail_msg ("message number %llu came, expected %llu", (unsigned long long) meta.seq,
                  (unsigned long long) number);
    assert_memory_equal (meta.sender, s_id (ANNA), WIRE_SENDER_BYTES);
    assert_string_equal (meta.nick, "anna");
    assert_int_equal (meta.version, WIRE_VERSION);
    assert_true (meta.keyed);
    assert_memory_equal (meta.public_key, identity_public (s_who (ANNA)), WIRE_PUBLIC_BYTES);
    const void *frames[4];
    for (size_t i = 0; i < 4; i++)
        frames[i] = received.frames[i];
    if (!signing_verify_frames (&meta, frames, received.sizes, 4, received.frames[4],
                                received.sizes[4]))
        fail_msg ("message number %llu: anna's signature does not verify",
                  (unsigned long long) number);
}

//  Assert that nothing was sent since the last message looked at: a message of the test's
//  own (topic, kind, metadata, signature), sent now, is the next to arrive.
static void
s_assert_nothing_sent (sending_t *fixture)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (fixture->publisher, 0, meta, sizeof meta);
    assert_true (meta_size > 0);
    assert_int_equal (publisher_send_private (fixture->publisher, s_id (BERTIL), SENTINEL_KIND,
                                              NULL, 0, meta, (size_t) meta_size, false, true),
                      0);
    received_t received;
    s_receive (fixture, &received);
    assert_int_equal (received.count, 4);
    if (strcmp (received.frames[1], SENTINEL_KIND) != 0)
        fail_msg ("a \"%s\" came, expected nothing before the test's own", received.frames[1]);
}

//  private_send, capturing what the user sees. Returns what it returns.
static int
s_send (sending_t *fixture, peer_t to, const char *name, const char *text, int64_t now_ms)
{
    testlib_capture_start (&fixture->capture);
    int rc = private_send (fixture->private, s_id (to), identity_public (s_who (to)), name, text,
                           now_ms);
    testlib_capture_stop (&fixture->capture);
    return rc;
}

//  private_check at now_ms, capturing what the user sees. Returns what it returns.
static bool
s_check (sending_t *fixture, int64_t now_ms)
{
    testlib_capture_start (&fixture->capture);
    bool waiting = private_check (fixture->private, now_ms);
    testlib_capture_stop (&fixture->capture);
    return waiting;
}

//  private_delivered for a receipt of number from peer, signed by signer, capturing what the
//  user sees.
static void
s_delivered_by (sending_t *fixture, peer_t peer, peer_t signer, uint64_t number)
{
    control_request_t receipt = {
        .kind = CONTROL_REQUEST_ACK, .number = number, .signed_receipt = true};
    memcpy (receipt.target, s_id (ANNA), WIRE_SENDER_BYTES);
    memcpy (receipt.requester, s_id (peer), WIRE_SENDER_BYTES);
    uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES];
    control_receipt_statement (&receipt, statement);
    identity_sign (s_who (signer), statement, sizeof statement, receipt.signature);
    testlib_capture_start (&fixture->capture);
    private_delivered (fixture->private, &receipt);
    testlib_capture_stop (&fixture->capture);
}

//  private_delivered for number, from bertil, capturing what the user sees.
static void
s_delivered (sending_t *fixture, uint64_t number)
{
    s_delivered_by (fixture, BERTIL, BERTIL, number);
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
    s_delivered_by (fixture, CECILIA, CECILIA, 2);
    s_assert_told (&fixture->capture, "-- \xE2\x9C\x93 delivered to cecilia\n");
    assert_false (s_check (fixture, T0 + PRIVATE_WAIT_MS));
    s_assert_told (&fixture->capture, "");
}

//  A receipt is believed only from the recipient: one in bertil's name signed by another key,
//  one from another member, and one not signed at all (version 1) tell nothing, and the
//  message still waits; bertil's own then tells.
static void
test_receipt_forged (void **state)
{
    sending_t *fixture = *state;
    assert_int_equal (s_send (fixture, BERTIL, "bertil", "hemlis", T0), 0);
    s_assert_sent (fixture, BERTIL, "hemlis", 1);
    s_delivered_by (fixture, BERTIL, CECILIA, 1); //  forged: bertil's id, cecilia's key
    s_assert_told (&fixture->capture, "");
    s_delivered_by (fixture, CECILIA, CECILIA, 1); //  signed, but not by the recipient
    s_assert_told (&fixture->capture, "");
    control_request_t unsigned_receipt = {.kind = CONTROL_REQUEST_ACK, .number = 1};
    memcpy (unsigned_receipt.target, s_id (ANNA), WIRE_SENDER_BYTES);
    testlib_capture_start (&fixture->capture);
    private_delivered (fixture->private, &unsigned_receipt);
    testlib_capture_stop (&fixture->capture);
    s_assert_told (&fixture->capture, "");
    assert_true (s_check (fixture, T0 + 1)); //  still waiting
    s_delivered (fixture, 1);
    s_assert_told (&fixture->capture, "-- \xE2\x9C\x93 delivered to bertil\n");
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
    receiving_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    testlib_xpub_and_sub (&fixture->receipts, &fixture->sub);
    fixture->room = room_new ();
    assert_non_null (fixture->room);
    fixture->inbox = private_inbox_new (zsock_resolve (fixture->sub), fixture->room);
    assert_non_null (fixture->inbox);
    private_inbox_set_identity (fixture->inbox, s_who (DAVID));
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

//  Assert that the next receipt upstream is "~ack SENDER NUMBER DAVID SIGNATURE": signed by
//  david, the recipient (Ed25519 signs deterministically, so it is the very signature), and
//  that the signature verifies with david's key and not with another's.
static void
s_assert_receipt (receiving_t *fixture, const uint8_t sender[WIRE_SENDER_BYTES], uint64_t number)
{
    char hex[2 * WIRE_SENDER_BYTES + 1], expected[CONTROL_REQUEST_MAX_BYTES];
    char requester[2 * WIRE_SENDER_BYTES + 1], signature[2 * WIRE_SIGNATURE_BYTES + 1];
    control_request_t receipt = {.kind = CONTROL_REQUEST_ACK, .number = number};
    memcpy (receipt.target, sender, WIRE_SENDER_BYTES);
    memcpy (receipt.requester, s_id (DAVID), WIRE_SENDER_BYTES);
    uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES], signed_by[WIRE_SIGNATURE_BYTES];
    control_receipt_statement (&receipt, statement);
    identity_sign (s_who (DAVID), statement, sizeof statement, signed_by);
    assert_false (identity_verify (identity_public (s_who (CECILIA)), statement, sizeof statement,
                                   signed_by));
    testlib_hex (sender, WIRE_SENDER_BYTES, hex);
    testlib_hex (s_id (DAVID), WIRE_SENDER_BYTES, requester);
    testlib_hex (signed_by, WIRE_SIGNATURE_BYTES, signature);
    assert_true (snprintf (expected, sizeof expected, "~ack %s %llu %s %s", hex,
                           (unsigned long long) number, requester, signature) > 0);
    testlib_assert_upstream (fixture->receipts, expected);
}

//  private_inbox_receive with a sealed text (size bytes) and a meta frame (size bytes),
//  capturing what the user sees (the lines flushed after). Returns what it returns.
static int
s_take (receiving_t *fixture, const void *sealed, size_t sealed_size, const void *meta,
        size_t meta_size)
{
    testlib_capture_start (&fixture->capture);
    int rc = private_inbox_receive (fixture->inbox, sealed, sealed_size, meta, meta_size);
    term_flush ();
    testlib_capture_stop (&fixture->capture);
    return rc;
}

//  A good private message number from peer (nick) with text sealed to david, its metadata of
//  version 2 (the inbox checked its signature): taken, and acknowledged upstream.
static void
s_take_good (receiving_t *fixture, peer_t peer, const char *nick, uint64_t number, const char *text)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    static uint8_t sealed[TESTLIB_SEALED_MAX_BYTES];
    size_t meta_size = testlib_meta (meta, s_who (peer), nick, number, (uint64_t) zclock_time ());
    size_t sealed_size =
        testlib_seal (sealed, s_who (peer), identity_public (s_who (DAVID)), text, strlen (text));
    assert_int_equal (s_take (fixture, sealed, sealed_size, meta, meta_size), 0);
    s_assert_receipt (fixture, s_id (peer), number);
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
    testlib_assert_nothing_upstream (fixture->sub, fixture->receipts);
}

//  A row of malformed private messages: what is wrong with it.
typedef enum {
    MALFORMED_NO_META,       //  meta NULL
    MALFORMED_SHORT_META,    //  meta too short to decode
    MALFORMED_VERSION_0,     //  meta of version 0
    MALFORMED_BAD_NICK,      //  meta with a nick that breaks the rules
    MALFORMED_SEQ_0,         //  meta with seq 0: no message number
    MALFORMED_NO_TEXT,       //  text NULL
    MALFORMED_EMPTY_FRAME,   //  a frame of 0 bytes
    MALFORMED_EMPTY_TEXT,    //  a text of 0 bytes, sealed
    MALFORMED_TEXT_TOO_LONG, //  a text of TEXT_MAX_BYTES + 1 bytes, sealed
    MALFORMED_NOT_SEALED,    //  the text in the clear
    MALFORMED_TAMPERED,      //  sealed, then one byte of the box changed
    MALFORMED_OTHER_SENDER,  //  sealed by bertil, the metadata anna's
    MALFORMED_OTHER_TO       //  sealed to cecilia, not to us
} malformed_t;

//  Malformed messages return -1, show nothing, tell nothing (the caller does) and send no
//  receipt; a text of TEXT_MAX_BYTES exactly is taken.
static void
test_receive_malformed (void **state)
{
    receiving_t *fixture = *state;
    static char text[TEXT_MAX_BYTES + 2];
    static uint8_t sealed[TESTLIB_SEALED_MAX_BYTES];
    memset (text, 'x', sizeof text - 1);
    for (int row = MALFORMED_NO_META; row <= MALFORMED_OTHER_TO; row++) {
        uint8_t meta[WIRE_META_MAX_BYTES];
        size_t meta_size = testlib_meta (meta, s_who (ANNA), "anna", row == MALFORMED_SEQ_0 ? 0 : 1,
                                         (uint64_t) zclock_time ());
        size_t text_size = row == MALFORMED_TEXT_TOO_LONG ? TEXT_MAX_BYTES + 1 : 6;
        if (row == MALFORMED_EMPTY_TEXT)
            text_size = 0;
        peer_t by = row == MALFORMED_OTHER_SENDER ? BERTIL : ANNA;
        peer_t to = row == MALFORMED_OTHER_TO ? CECILIA : DAVID;
        size_t sealed_size =
            testlib_seal (sealed, s_who (by), identity_public (s_who (to)), text, text_size);
        if (row == MALFORMED_EMPTY_FRAME)
            sealed_size = 0;
        if (row == MALFORMED_NOT_SEALED) {
            memcpy (sealed, text, text_size);
            sealed_size = text_size;
        }
        if (row == MALFORMED_TAMPERED)
            sealed[sealed_size - 1] ^= 1;
        if (row == MALFORMED_SHORT_META)
            meta_size = WIRE_META_FIXED_BYTES - 1;
        if (row == MALFORMED_VERSION_0)
            meta[0] = 0;
        if (row == MALFORMED_BAD_NICK)
            meta[WIRE_META_FIXED_BYTES] = '>';
        int rc = s_take (fixture, row == MALFORMED_NO_TEXT ? NULL : sealed, sealed_size,
                         row == MALFORMED_NO_META ? NULL : meta, meta_size);
        if (rc != -1)
            fail_msg ("row %d: returned %d, expected -1", row, rc);
        s_assert_shown (&fixture->capture, NULL);
    }
    testlib_assert_nothing_upstream (fixture->sub, fixture->receipts);
    text[TEXT_MAX_BYTES] = 0;
    s_take_good (fixture, ANNA, "anna", 1, text);
    static char expected[TEXT_MAX_BYTES + 64];
    assert_true (snprintf (expected, sizeof expected, "(private) <anna> %s", text) > 0);
    s_assert_shown (&fixture->capture, expected);
}

//  A message sealed to david opens for him only: an inbox with cecilia's identity, or with
//  none yet, returns -1 for it, shows nothing and sends no receipt; david's takes it.
static void
test_receive_only_recipient (void **state)
{
    receiving_t *fixture = *state;
    uint8_t meta[WIRE_META_MAX_BYTES];
    static uint8_t sealed[TESTLIB_SEALED_MAX_BYTES];
    size_t meta_size = testlib_meta (meta, s_who (ANNA), "anna", 1, (uint64_t) zclock_time ());
    size_t sealed_size =
        testlib_seal (sealed, s_who (ANNA), identity_public (s_who (DAVID)), "hemlis", 6);
    const identity_t *others[] = {s_who (CECILIA), NULL};
    for (size_t i = 0; i < 2; i++) {
        private_inbox_set_identity (fixture->inbox, others[i]);
        assert_int_equal (s_take (fixture, sealed, sealed_size, meta, meta_size), -1);
        s_assert_shown (&fixture->capture, NULL);
    }
    testlib_assert_nothing_upstream (fixture->sub, fixture->receipts);
    private_inbox_set_identity (fixture->inbox, s_who (DAVID));
    assert_int_equal (s_take (fixture, sealed, sealed_size, meta, meta_size), 0);
    s_assert_receipt (fixture, s_id (ANNA), 1);
    s_assert_shown (&fixture->capture, "(private) <anna> hemlis");
}

//  A sender with our own nick is shown with its id, so it never looks like us; a sender's
//  escape sequences reach the terminal made visible.
static void
test_receive_names_and_escapes (void **state)
{
    receiving_t *fixture = *state;
    room_set_own_nick (fixture->room, "anna");
    s_take_good (fixture, ANNA, "anna", 1, "hemlis");
    char expected[64];
    assert_true (snprintf (expected, sizeof expected, "(private) <anna#%02x%02x> hemlis",
                           s_id (ANNA)[0], s_id (ANNA)[1]) > 0);
    s_assert_shown (&fixture->capture, expected);
    s_take_good (fixture, BERTIL, "bertil", 1, "\x1b[2J\x1b]0;x\a\r");
    s_assert_shown (&fixture->capture, "(private) <bertil> ^[[2J^[]0;x^G^M");
    testlib_assert_inert (fixture->capture.out);
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
        cmocka_unit_test_setup_teardown (test_receipt_forged, s_setup_sending, s_teardown_sending),
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
        cmocka_unit_test_setup_teardown (test_receive_only_recipient, s_setup_receiving,
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
