/*  test_relay.c - unit tests for what crosses a missing link or a relay, through inbox_handle:
    a forwarded batch or heartbeat ("~via FORWARDER AUTHOR" and the author's own frames) is
    the author's, once, and the member is shown "via" the forwarder; what the forwarder could
    change (another author, a byte) is refused; a message heard directly is queued for those
    who asked us to forward its author, a forwarded one never; and in a locked room lines are
    sealed (roomseal.h): a member opens them, a relay keeps them unread, a plain line is refused.

    The senders are testlib's throwaway identities, so what they sign verifies. C locale.
*/
#define _GNU_SOURCE // memmem
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "forward.h"
#include "inbox.h"
#include "roomseal.h"
#include "signing.h"
#include "term.h"
#include "testlib.h"

#include <czmq.h>
#include <locale.h>
#include <string.h>

#define T0 1000000   // a monotonic time well after 0
#define FRAMES_MAX 6 // frames of a test message
#define FRAME_BYTES (CONTROL_BODY_MAX_BYTES)

enum { SELF, ANNA, BERTIL, CESAR };

//  A message: its frames, each with bytes of its own
typedef struct {
    uint8_t frames[FRAMES_MAX][FRAME_BYTES];
    size_t sizes[FRAMES_MAX];
    size_t count;
} message_t;

//  One test's tables, inbox and what the user saw
typedef struct {
    zsock_t *publisher, *sub;
    channels_t *channels;
    peers_t *peers;
    room_t *room;
    backlog_t *backlog;
    forward_t *forward;
    inbox_t *inbox;
    message_t message;
    testlib_capture_t capture;
} fixture_t;

//  The sender id of identity n.
static const uint8_t *
s_id (int n)
{
    return identity_sender (testlib_identity (n));
}

//  Append a frame of size bytes to message.
static void
s_add (message_t *message, const void *data, size_t size)
{
    assert_true (message->count < FRAMES_MAX && size <= FRAME_BYTES);
    memcpy (message->frames[message->count], data, size);
    message->sizes[message->count++] = size;
}

//  Append "~via FORWARDER AUTHOR".
static void
s_add_via (message_t *message, int forwarder, int author)
{
    char topic[CONTROL_VIA_BYTES + 1];
    assert_int_equal (control_encode_via (topic, sizeof topic, s_id (forwarder), s_id (author)),
                      CONTROL_VIA_BYTES);
    s_add (message, topic, CONTROL_VIA_BYTES);
}

//  Append a batch ("~lines", meta, body, signature) of count lines (frame 1 each, any bytes:
//  sealed ones too) that author signed from first_seq.
static void
s_add_batch (message_t *message, int author, const char *nick, uint64_t first_seq,
             const signing_line_t *lines, size_t count)
{
    static signing_batch_t tree;
    uint8_t meta[WIRE_META_MAX_BYTES], body[SIGNING_BATCH_BYTES_MAX];
    size_t meta_size =
        testlib_meta (meta, testlib_identity (author), nick, first_seq, (uint64_t) zclock_time ());
    assert_int_equal (signing_batch_build (&tree, meta, meta_size, first_seq, lines, count), 0);
    signing_batch_sign (&tree, testlib_identity (author));
    int body_size = signing_encode_body (body, sizeof body, lines, count);
    assert_true (body_size > 0);
    s_add (message, CONTROL_LINES, strlen (CONTROL_LINES));
    s_add (message, meta, meta_size);
    s_add (message, body, (size_t) body_size);
    s_add (message, tree.signature, WIRE_SIGNATURE_BYTES);
}

//  Append author's signed heartbeat (port 5557, channel buddy, listing nobody).
static void
s_add_beat (message_t *message, int author, const char *nick)
{
    uint8_t meta[WIRE_META_MAX_BYTES], signature[WIRE_SIGNATURE_BYTES];
    size_t meta_size =
        testlib_meta (meta, testlib_identity (author), nick, 0, (uint64_t) zclock_time ());
    const char *body = "port 5557\nchannel buddy\nseq 0\n";
    const void *frames[4] = {CONTROL_BEAT, meta, body};
    size_t sizes[4] = {strlen (CONTROL_BEAT), meta_size, strlen (body)};
    testlib_sign (testlib_identity (author), frames, sizes, 3, signature);
    for (size_t i = 0; i < 4; i++)
        s_add (message, frames[i], sizes[i]);
}

//  Hand the message built to the inbox from address at now_ms, capturing what is seen; then
//  start a new message.
static void
s_handle (fixture_t *fixture, const char *address, int64_t now_ms)
{
    inbox_frame_t frames[FRAMES_MAX];
    message_t *message = &fixture->message;
    size_t count = message->count < INBOX_FRAMES_MAX ? message->count : INBOX_FRAMES_MAX;
    for (size_t i = 0; i < count; i++)
        frames[i] = (inbox_frame_t){message->frames[i], message->sizes[i]};
    testlib_capture_start (&fixture->capture);
    inbox_handle (fixture->inbox, frames, count, message->count, address, false, now_ms);
    term_flush ();
    testlib_capture_stop (&fixture->capture);
    message->count = 0;
}

static int
s_setup (void **state)
{
    setlocale (LC_ALL, "C");
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    *state = fixture;
    testlib_xpub_and_sub (&fixture->publisher, &fixture->sub);
    fixture->channels = channels_new ("buddy");
    fixture->peers = peers_new ();
    fixture->room = room_new ();
    fixture->backlog = backlog_new (BACKLOG_LINES_MAX);
    fixture->forward = forward_new ();
    fixture->inbox = inbox_new (zsock_resolve (fixture->sub), fixture->channels, fixture->peers,
                                fixture->room, fixture->backlog, s_id (SELF), 0);
    assert_non_null (fixture->inbox);
    inbox_set_forward (fixture->inbox, fixture->forward);
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    inbox_destroy (&fixture->inbox);
    forward_destroy (&fixture->forward);
    backlog_destroy (&fixture->backlog);
    room_destroy (&fixture->room);
    peers_destroy (&fixture->peers);
    channels_destroy (&fixture->channels);
    zsock_destroy (&fixture->sub);
    zsock_destroy (&fixture->publisher);
    free (fixture);
    return 0;
}

//  cesar's heartbeat and line forwarded by bertil: cesar joins, shown via bertil in \who, his
//  line shown once as his (again through another path: not twice), and kept; nothing of it is
//  queued to forward again (one hop).
static void
test_forwarded (void **state)
{
    fixture_t *fixture = *state;
    forward_want (fixture->forward, s_id (CESAR), true); //  even if someone asked us for him
    s_add_via (&fixture->message, BERTIL, CESAR);
    s_add_beat (&fixture->message, CESAR, "cesar");
    s_handle (fixture, "198.18.1.2", T0);
    testlib_assert_told (&fixture->capture, "-- cesar joined (?)\n");
    char listing[1024];
    room_describe (fixture->room, T0, listing, sizeof listing);
    assert_non_null (strstr (listing, "via ?"));
    signing_line_t line = {(const uint8_t *) "buddy> hej runt", 15};
    for (int path = 0; path < 2; path++) {
        s_add_via (&fixture->message, BERTIL, CESAR);
        s_add_batch (&fixture->message, CESAR, "cesar", 1, &line, 1);
        s_handle (fixture, "198.18.1.2", T0 + 10);
        testlib_assert_shown (&fixture->capture, path == 0 ? "[buddy] <cesar> hej runt" : "");
    }
    assert_int_equal (backlog_size (fixture->backlog), 1);
    uint8_t author[WIRE_SENDER_BYTES];
    forward_kind_t kind = FORWARD_PRIVATE;
    assert_null (forward_take (fixture->forward, author, &kind));
}

//  A forwarded message whose frames name another author than its ~via topic, a byte changed
//  by the forwarder, or a kind that is never forwarded: refused or dropped, nothing shown.
static void
test_forwarded_refused (void **state)
{
    fixture_t *fixture = *state;
    signing_line_t line = {(const uint8_t *) "buddy> hej", 10};
    s_add_via (&fixture->message, BERTIL, ANNA); //  the batch is cesar's
    s_add_batch (&fixture->message, CESAR, "cesar", 1, &line, 1);
    s_handle (fixture, "198.18.1.2", T0);
    testlib_assert_told (&fixture->capture,
                         "-- bad message from 198.18.1.2: a malformed forwarded message\n");
    testlib_assert_shown (&fixture->capture, "");
    s_add_via (&fixture->message, BERTIL, CESAR);
    s_add_batch (&fixture->message, CESAR, "cesar", 1, &line, 1);
    fixture->message.frames[3][4] ^= 1; //  "buddy> hej" -> "budcy> hej" in the body
    s_handle (fixture, "198.18.1.2", T0 + 2000);
    assert_non_null (strstr (fixture->capture.err, "its signature does not verify"));
    testlib_assert_shown (&fixture->capture, "");
    s_add_via (&fixture->message, BERTIL, CESAR);
    s_add (&fixture->message, "~other", 6);
    s_add (&fixture->message, "x", 1);
    s_handle (fixture, "198.18.1.2", T0 + 4000);
    testlib_assert_shown (&fixture->capture, "");
    assert_int_equal (backlog_size (fixture->backlog), 0);
}

//  A batch heard directly from anna, whom a listener asked us to forward, is queued byte for
//  byte; bertil's, whom nobody asked for, is not.
static void
test_passed_on (void **state)
{
    fixture_t *fixture = *state;
    forward_want (fixture->forward, s_id (ANNA), true);
    signing_line_t line = {(const uint8_t *) "buddy> vidare", 13};
    s_add_batch (&fixture->message, ANNA, "anna", 1, &line, 1);
    message_t sent = fixture->message;
    s_handle (fixture, "198.18.1.3", T0);
    testlib_assert_shown (&fixture->capture, "[buddy] <anna> vidare");
    s_add_batch (&fixture->message, BERTIL, "bertil", 1, &line, 1);
    s_handle (fixture, "198.18.1.2", T0);
    uint8_t author[WIRE_SENDER_BYTES];
    forward_kind_t kind = FORWARD_PRIVATE;
    zmsg_t *queued = forward_take (fixture->forward, author, &kind);
    assert_non_null (queued);
    assert_int_equal (kind, FORWARD_VIA);
    assert_memory_equal (author, s_id (ANNA), WIRE_SENDER_BYTES);
    assert_int_equal (zmsg_size (queued), 4);
    zframe_t *frame = zmsg_first (queued);
    for (size_t i = 0; i < 4; i++, frame = zmsg_next (queued)) {
        assert_int_equal (zframe_size (frame), sent.sizes[i]);
        assert_memory_equal (zframe_data (frame), sent.frames[i], sent.sizes[i]);
    }
    zmsg_destroy (&queued);
    assert_null (forward_take (fixture->forward, author, &kind));
}

//  A private message from anna to cesar, who hears us but not her (someone asked us for
//  cesar): queued to go out as it is, her signature and all; one not signed, or for a member
//  nobody asked us for, is not; and it is never shown here.
static void
test_private_passed_on (void **state)
{
    fixture_t *fixture = *state;
    forward_want (fixture->forward, s_id (CESAR), true);
    for (int row = 0; row < 3; row++) {
        int to = row == 2 ? BERTIL : CESAR;
        char topic[CONTROL_PRIVATE_BYTES + 1];
        assert_int_equal (control_encode_private (topic, sizeof topic, s_id (to)),
                          CONTROL_PRIVATE_BYTES);
        uint8_t meta[WIRE_META_MAX_BYTES], signature[WIRE_SIGNATURE_BYTES];
        size_t meta_size =
            testlib_meta (meta, testlib_identity (ANNA), "anna", 7, (uint64_t) zclock_time ());
        const void *frames[5] = {topic, CONTROL_KIND_MESSAGE, "sealed bytes", meta};
        size_t sizes[5] = {CONTROL_PRIVATE_BYTES, strlen (CONTROL_KIND_MESSAGE), 12, meta_size};
        testlib_sign (testlib_identity (ANNA), frames, sizes, 4, signature);
        if (row == 1)
            signature[0] ^= 1; //  not hers
        for (size_t i = 0; i < 5; i++)
            s_add (&fixture->message, frames[i], sizes[i]);
        s_handle (fixture, "198.18.1.3", T0 + row * 2000);
        testlib_assert_shown (&fixture->capture, "");
        uint8_t who[WIRE_SENDER_BYTES];
        forward_kind_t kind = FORWARD_VIA;
        zmsg_t *queued = forward_take (fixture->forward, who, &kind);
        if (row > 0) {
            assert_null (queued);
            continue;
        }
        assert_non_null (queued);
        assert_int_equal (kind, FORWARD_PRIVATE);
        assert_memory_equal (who, s_id (CESAR), WIRE_SENDER_BYTES);
        assert_int_equal (zmsg_size (queued), 5);
        assert_true (zframe_streq (zmsg_first (queued), topic));
        zmsg_destroy (&queued);
    }
}

//  A locked room: anna's sealed line opens and is shown; a relay (no key) shows nothing but
//  keeps it, sealed; a plain line in the locked room is refused; a line sealed for another seq
//  does not open.
static void
test_sealed (void **state)
{
    fixture_t *fixture = *state;
    uint8_t seed[ROOMSEAL_SEED_BYTES] = {7};
    roomseal_t *content = roomseal_new (seed);
    assert_non_null (content);
    uint8_t sealed[ROOMSEAL_SEALED_MAX_BYTES];
    const char *plain = "buddy> förseglat";
    int size =
        roomseal_seal (content, 1, s_id (ANNA), plain, strlen (plain), sealed, sizeof sealed);
    assert_true (size > 0);
    assert_null (memmem (sealed, (size_t) size, "förseglat", 9));
    signing_line_t line = {sealed, (size_t) size};
    inbox_set_seal (fixture->inbox, content, true);
    s_add_batch (&fixture->message, ANNA, "anna", 1, &line, 1);
    s_handle (fixture, "198.18.1.3", T0);
    testlib_assert_shown (&fixture->capture, "[buddy] <anna> förseglat");
    //  The same sealed line as seq 2: its seq inside is 1, so it does not open
    s_add_batch (&fixture->message, ANNA, "anna", 2, &line, 1);
    s_handle (fixture, "198.18.1.3", T0);
    assert_non_null (strstr (fixture->capture.err, "-- bad message from 198.18.1.3: "));
    testlib_assert_shown (&fixture->capture, "");
    signing_line_t clear = {(const uint8_t *) "buddy> i klartext", 17};
    s_add_batch (&fixture->message, ANNA, "anna", 3, &clear, 1);
    s_handle (fixture, "198.18.1.3", T0 + 1000);
    assert_non_null (strstr (fixture->capture.err, "a line that is not sealed, in a locked room"));
    testlib_assert_shown (&fixture->capture, "");
    roomseal_destroy (&content);
}

//  The relay of a locked room keeps a sealed line (for late joiners) and shows nothing.
static void
test_relay_keeps_sealed (void **state)
{
    fixture_t *fixture = *state;
    uint8_t seed[ROOMSEAL_SEED_BYTES] = {9};
    roomseal_t *content = roomseal_new (seed);
    uint8_t sealed[ROOMSEAL_SEALED_MAX_BYTES];
    const char *plain = "buddy> hemligt";
    int size =
        roomseal_seal (content, 1, s_id (ANNA), plain, strlen (plain), sealed, sizeof sealed);
    signing_line_t line = {sealed, (size_t) size};
    inbox_set_seal (fixture->inbox, NULL, true);
    s_add_batch (&fixture->message, ANNA, "anna", 1, &line, 1);
    s_handle (fixture, "198.18.1.3", T0);
    testlib_assert_shown (&fixture->capture, "");
    testlib_assert_told (&fixture->capture, "");
    assert_int_equal (backlog_size (fixture->backlog), 1);
    roomseal_destroy (&content);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_forwarded, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_forwarded_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_passed_on, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_private_passed_on, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_sealed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_relay_keeps_sealed, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("relay", tests, NULL, NULL);
}
