/*  test_control.c - unit tests for control.c: heartbeat bodies and "~listen PORT" topics,
    round trips and hostile input.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A heartbeat survives encoding and decoding, every field and every peer.
static void
test_beat_round_trip (void **state)
{
    (void) state;
    static control_beat_t beat, back;
    beat.port = 5557;
    snprintf (beat.channel, sizeof beat.channel, "%s", "åäö-kanal");
    beat.peer_count = CONTROL_PEERS_MAX;
    for (size_t i = 0; i < beat.peer_count; i++) {
        memset (beat.peers[i].id, (int) i, WIRE_SENDER_BYTES);
        snprintf (beat.peers[i].address, sizeof beat.peers[i].address, "198.18.0.%zu:%zu", i,
                  5557 + i);
    }
    snprintf (beat.peers[1].address, sizeof beat.peers[1].address, "%s", "[::1]:5558");
    static char body[CONTROL_BODY_MAX_BYTES];
    int size = control_encode_beat (body, sizeof body, &beat);
    assert_true (size > 0);
    assert_int_equal (control_decode_beat (body, (size_t) size, &back), 0);
    assert_int_equal (back.port, 5557);
    assert_string_equal (back.channel, "åäö-kanal");
    assert_int_equal (back.peer_count, beat.peer_count);
    for (size_t i = 0; i < beat.peer_count; i++) {
        assert_memory_equal (back.peers[i].id, beat.peers[i].id, WIRE_SENDER_BYTES);
        assert_string_equal (back.peers[i].address, beat.peers[i].address);
    }
    assert_int_equal (control_encode_beat (body, 10, &beat), -1); //  too small
}

//  Bodies that must be refused, and ones that must be accepted.
static void
test_beat_decode_table (void **state)
{
    (void) state;
    static const struct {
        const char *body; //  the body
        int rc;           //  expected result
        int port;         //  expected port when accepted
    } rows[] = {
        {"port 5557\nchannel buddy\n", 0, 5557},
        {"port 5557", 0, 5557},                                //  no final newline
        {"channel buddy\nport 80\nfuture key value\n", 0, 80}, //  unknown keys ignored
        {"", -1, 0},                                           //  no port
        {"port 0\n", -1, 0},
        {"port 70000\n", -1, 0},
        {"port abc\n", -1, 0},
        {"port 5557\nchannel bad name\n", -1, 0},
        {"port 5557\nchannel a>b\n", -1, 0},
        {"port 5557\npeer 00 127.0.0.1:1\n", -1, 0}, //  short id
        {"port 5557\npeer 0123456789abcdef0123456789abcdeg 127.0.0.1:1\n", -1, 0},
        {"port 5557\npeer 0123456789abcdef0123456789abcdef evil.example:1\n", -1, 0},
        {"port 5557\npeer 0123456789abcdef0123456789abcdef 127.0.0.1:0\n", -1, 0},
        {"port 5557\npeer 0123456789abcdef0123456789abcdef 127.0.0.1\n", -1, 0},
        {"port 5557\npeer 0123456789abcdef0123456789abcdef\n", -1, 0},
        {"port 5557\npeer 0123456789abcdef0123456789abcdef [::1]:5557\n", 0, 5557},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        control_beat_t beat;
        int rc = control_decode_beat (rows[i].body, strlen (rows[i].body), &beat);
        if (rc != rows[i].rc)
            fail_msg ("\"%s\": %d, want %d", rows[i].body, rc, rows[i].rc);
        if (rc == 0)
            assert_int_equal (beat.port, rows[i].port);
    }
}

//  A line longer than any valid one, and a body over the limit, are refused.
static void
test_beat_limits (void **state)
{
    (void) state;
    static char body[CONTROL_BODY_MAX_BYTES + 2];
    control_beat_t beat;
    memset (body, 'x', sizeof body);
    memcpy (body, "port 5557\n", 10);
    assert_int_equal (control_decode_beat (body, 400, &beat), -1);
    assert_int_equal (control_decode_beat (body, sizeof body, &beat), -1);
}

//  Random bodies never crash the decoder, and what it accepts is well formed.
static void
test_beat_random (void **state)
{
    (void) state;
    static const char alphabet[] = "port channel peer 0123456789abcdef.:[]\n xyz>\x01";
    srand (3);
    for (int round = 0; round < 20000; round++) {
        size_t size = (size_t) (rand () % 300);
        char *body = malloc (size + 1);
        assert_non_null (body);
        for (size_t i = 0; i < size; i++)
            body[i] = rand () % 4 ? alphabet[rand () % (sizeof alphabet - 1)] : (char) rand ();
        control_beat_t beat;
        if (control_decode_beat (body, size, &beat) == 0) {
            assert_true (beat.port >= 1 && beat.port <= 65535);
            assert_true (beat.peer_count <= CONTROL_PEERS_MAX);
        }
        free (body);
    }
}

//  "~listen PORT" topics.
static void
test_listen (void **state)
{
    (void) state;
    char topic[32];
    int size = control_encode_listen (topic, sizeof topic, 5557);
    assert_int_equal (size, (int) strlen ("~listen 5557"));
    assert_int_equal (control_decode_listen (topic, (size_t) size), 5557);
    assert_int_equal (control_encode_listen (topic, 4, 5557), -1);
    static const char *refused[] = {"~listen ",  "~listen 0",         "~listen 70000",
                                    "~listen x", "~listen 123456789", "~beat",
                                    "",          "listen 5557"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (control_decode_listen (refused[i], strlen (refused[i])) != -1)
            fail_msg ("\"%s\" accepted", refused[i]);
}

//  "~hello ID" topics: exactly 32 lower-case hex digits after the prefix.
static void
test_hello (void **state)
{
    (void) state;
    uint8_t id[WIRE_SENDER_BYTES], back[WIRE_SENDER_BYTES];
    for (size_t i = 0; i < sizeof id; i++)
        id[i] = (uint8_t) (0xA0 + i);
    char topic[CONTROL_HELLO_BYTES + 1];
    assert_int_equal (control_encode_hello (topic, sizeof topic, id), CONTROL_HELLO_BYTES);
    assert_string_equal (topic, "~hello a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    assert_int_equal (control_decode_hello (topic, CONTROL_HELLO_BYTES, back), 0);
    assert_memory_equal (back, id, sizeof id);
    assert_int_equal (control_encode_hello (topic, CONTROL_HELLO_BYTES, id), -1);
    static const char *refused[] = {"~hello ",
                                    "~hello a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0",
                                    "~hello A0A1A2A3A4A5A6A7A8A9AAABACADAEAF",
                                    "~hello a0a1a2a3a4a5a6a7a8a9aaabacadaexx",
                                    "~hellO a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
                                    "~listen 5557",
                                    ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (control_decode_hello (refused[i], strlen (refused[i]), back) != -1)
            fail_msg ("\"%s\" accepted", refused[i]);
}

//  Requests round-trip through their subscription topics; the beat's seq too.
//  A signed receipt goes as "~ack TARGET NUMBER REQUESTER SIGNATURE" and decodes back whole; a
//  signature of the wrong length is refused.
static void
test_signed_receipt (void **state)
{
    (void) state;
    control_request_t receipt = {.kind = CONTROL_REQUEST_ACK, .number = 7, .signed_receipt = true};
    memset (receipt.target, 0xab, WIRE_SENDER_BYTES);
    memset (receipt.requester, 0x12, WIRE_SENDER_BYTES);
    for (size_t i = 0; i < WIRE_SIGNATURE_BYTES; i++)
        receipt.signature[i] = (uint8_t) i;
    char topic[CONTROL_REQUEST_MAX_BYTES];
    int size = control_encode_request (topic, sizeof topic, &receipt);
    assert_int_equal (size, 5 + 32 + 1 + 1 + 1 + 32 + 1 + 128);
    assert_memory_equal (topic, "~ack abababababababababababababababab 7 1212", 43);
    control_request_t decoded;
    assert_int_equal (control_decode_request (topic, (size_t) size, &decoded), 0);
    assert_true (decoded.signed_receipt);
    assert_int_equal (decoded.number, 7);
    assert_memory_equal (decoded.requester, receipt.requester, WIRE_SENDER_BYTES);
    assert_memory_equal (decoded.signature, receipt.signature, WIRE_SIGNATURE_BYTES);
    assert_int_equal (control_decode_request (topic, (size_t) size - 2, &decoded), -1);
    uint8_t one[CONTROL_RECEIPT_STATEMENT_BYTES], two[CONTROL_RECEIPT_STATEMENT_BYTES];
    control_receipt_statement (&receipt, one);
    receipt.number = 8;
    control_receipt_statement (&receipt, two);
    assert_memory_equal (one, "chatt receipt 2", 16);
    assert_memory_not_equal (one, two, sizeof one);
}

static void
test_requests (void **state)
{
    (void) state;
    const control_request_t requests[] = {
        {CONTROL_REQUEST_RESEND, {0x3f, 0x2a}, {0x10, 0x20}, 42, false, {0}},
        {CONTROL_REQUEST_HISTORY, {0xff}, {0x01}, 50, false, {0}},
        {CONTROL_REQUEST_ACK, {0xab, 0xcd}, {0}, 18446744073709551615ull, false, {0}},
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        char topic[128];
        int size = control_encode_request (topic, sizeof topic, &requests[i]);
        assert_true (size > 0);
        control_request_t decoded;
        assert_int_equal (control_decode_request (topic, (size_t) size, &decoded), 0);
        assert_int_equal (decoded.kind, requests[i].kind);
        assert_memory_equal (decoded.target, requests[i].target, WIRE_SENDER_BYTES);
        if (requests[i].kind != CONTROL_REQUEST_ACK)
            assert_memory_equal (decoded.requester, requests[i].requester, WIRE_SENDER_BYTES);
        assert_true (decoded.number == requests[i].number);
        assert_int_equal (control_encode_request (topic, 20, &requests[i]), -1);
    }
    char hex[] = "3f2a0000000000000000000000000000";
    char line[160];
    static const char *refused[] = {
        "~resend %s %s", "~resend %s %s 0",    "~resend %s %s x1",
        "~resend %s 1",  "~history %s %s -1",  "~ack %s",
        "~ack %s 1 2",   "~resend %s  %s 1",   "~resend %s %s 1 ",
        "~ack 3F2A %s",  "~listen 5557 %s %s", "~resend %s %s 99999999999999999999",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf (line, sizeof line, refused[i], hex, hex);
#pragma GCC diagnostic pop
        control_request_t decoded;
        if (control_decode_request (line, strlen (line), &decoded) != -1)
            fail_msg ("\"%s\" accepted", line);
    }
    control_beat_t beat = {.port = 5557, .last_seq = 123456789012ull}, back;
    snprintf (beat.channel, sizeof beat.channel, "buddy");
    char body[CONTROL_BODY_MAX_BYTES];
    int size = control_encode_beat (body, sizeof body, &beat);
    assert_int_equal (control_decode_beat (body, (size_t) size, &back), 0);
    assert_true (back.last_seq == beat.last_seq);
}

//  A private topic is "!" and 32 lowercase hex digits, and no public topic can start like it.
static void
test_private_topic (void **state)
{
    (void) state;
    const uint8_t id[WIRE_SENDER_BYTES] = {0x3f, 0x2a, 0xff};
    char topic[CONTROL_PRIVATE_BYTES + 1];
    assert_int_equal (control_encode_private (topic, sizeof topic, id), CONTROL_PRIVATE_BYTES);
    assert_string_equal (topic, "!3f2aff00000000000000000000000000");
    assert_int_equal (control_encode_private (topic, CONTROL_PRIVATE_BYTES, id), -1);
    assert_false (wire_topic_start ((unsigned char) CONTROL_PRIVATE[0]));
    assert_true (wire_topic_start ((unsigned char) CONTROL_PREFIX[0]));
    for (int byte = 0; byte < 256; byte++) {
        char name[3] = {(char) byte, 'a', 0};
        //  Every valid channel name starts with a subscribed byte
        if (wire_channel_valid (name, 2) || (byte >= 0xC2 && byte <= 0xDF))
            assert_true (wire_topic_start ((unsigned char) byte));
    }
}

//  The keys of issue 16: "back PORT", "relay 1", "carry ID" survive a round trip; an older
//  reader's body (none of them) reads as none; a bad carry id refuses the body, a bad back port
//  is read as none.
static void
test_beat_links (void **state)
{
    (void) state;
    control_beat_t beat = {.port = 5557, .back_port = 41000, .relay = true, .carry_count = 2};
    snprintf (beat.channel, sizeof beat.channel, "buddy");
    memset (beat.carry[0], 0xab, WIRE_SENDER_BYTES);
    memset (beat.carry[1], 0x01, WIRE_SENDER_BYTES);
    char body[CONTROL_BODY_MAX_BYTES];
    int size = control_encode_beat (body, sizeof body, &beat);
    assert_true (size > 0);
    assert_non_null (
        strstr (body, "back 41000\nrelay 1\ncarry abababababababababababababababab\n"));
    control_beat_t decoded;
    assert_int_equal (control_decode_beat (body, (size_t) size, &decoded), 0);
    assert_int_equal (decoded.back_port, 41000);
    assert_true (decoded.relay);
    assert_int_equal (decoded.carry_count, 2);
    assert_memory_equal (decoded.carry[1], beat.carry[1], WIRE_SENDER_BYTES);
    const char *old = "port 5557\nchannel buddy\nseq 0\n";
    assert_int_equal (control_decode_beat (old, strlen (old), &decoded), 0);
    assert_int_equal (decoded.back_port, 0);
    assert_false (decoded.relay);
    assert_int_equal (decoded.carry_count, 0);
    const char *bad_port = "port 5557\nback 99999\nrelay yes\n";
    assert_int_equal (control_decode_beat (bad_port, strlen (bad_port), &decoded), 0);
    assert_int_equal (decoded.back_port, 0);
    assert_false (decoded.relay);
    const char *bad_carry = "port 5557\ncarry 12345\n";
    assert_int_equal (control_decode_beat (bad_carry, strlen (bad_carry), &decoded), -1);
}

//  "~via FORWARDER AUTHOR": exactly 70 bytes, lowercase hex; anything else is not one.
static void
test_via (void **state)
{
    (void) state;
    uint8_t forwarder[WIRE_SENDER_BYTES], author[WIRE_SENDER_BYTES];
    memset (forwarder, 0x1f, sizeof forwarder);
    memset (author, 0xa0, sizeof author);
    char topic[CONTROL_VIA_BYTES + 1];
    assert_int_equal (control_encode_via (topic, sizeof topic, forwarder, author),
                      CONTROL_VIA_BYTES);
    assert_string_equal (topic,
                         "~via 1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
    char small[CONTROL_VIA_BYTES];
    assert_int_equal (control_encode_via (small, sizeof small, forwarder, author), -1);
    uint8_t one[WIRE_SENDER_BYTES], two[WIRE_SENDER_BYTES];
    assert_int_equal (control_decode_via (topic, CONTROL_VIA_BYTES, one, two), 0);
    assert_memory_equal (one, forwarder, WIRE_SENDER_BYTES);
    assert_memory_equal (two, author, WIRE_SENDER_BYTES);
    assert_int_equal (control_decode_via (topic, CONTROL_VIA_BYTES - 1, one, two), -1);
    char bad[CONTROL_VIA_BYTES + 1];
    memcpy (bad, topic, sizeof bad);
    bad[5] = 'F'; //  uppercase hex
    assert_int_equal (control_decode_via (bad, CONTROL_VIA_BYTES, one, two), -1);
    memcpy (bad, topic, sizeof bad);
    bad[37] = '-'; //  no space between the ids
    assert_int_equal (control_decode_via (bad, CONTROL_VIA_BYTES, one, two), -1);
    assert_int_equal (control_decode_via ("~viaX", 5, one, two), -1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_beat_round_trip),
        cmocka_unit_test (test_beat_decode_table),
        cmocka_unit_test (test_beat_limits),
        cmocka_unit_test (test_beat_random),
        cmocka_unit_test (test_listen),
        cmocka_unit_test (test_hello),
        cmocka_unit_test (test_requests),
        cmocka_unit_test (test_signed_receipt),
        cmocka_unit_test (test_private_topic),
        cmocka_unit_test (test_beat_links),
        cmocka_unit_test (test_via),
    };
    return cmocka_run_group_tests_name ("control", tests, NULL, NULL);
}
