/*  control.c - control traffic: heartbeats, goodbyes, requests, and private topics.

    A heartbeat body is text, one "key value" per line, so it reads well in a capture:
        port 5557
        channel buddy
        seq 42
        peer 3f2a...(32 hex digits) 192.0.2.7:5558
    Readers ignore keys they do not know, so later versions can add some.
*/
#include "control.h"
#include "address.h"
#include "text.h"

#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

_Static_assert(CONTROL_DIGEST_BYTES == WIRE_SENDER_BYTES, "a digest is written as an id is");

//  Write id as 32 lowercase hex digits plus NUL into out.
static void
s_hex (const uint8_t id[WIRE_SENDER_BYTES], char out[2 * WIRE_SENDER_BYTES + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < WIRE_SENDER_BYTES; i++) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 0x0F];
    }
    out[2 * WIRE_SENDER_BYTES] = 0;
}

//  Read 32 hex digits into id. Returns 0, or -1 if s is not exactly that.
static int
s_unhex (const char *s, size_t size, uint8_t id[WIRE_SENDER_BYTES])
{
    if (size != 2 * WIRE_SENDER_BYTES)
        return -1;
    for (int i = 0; i < WIRE_SENDER_BYTES; i++) {
        unsigned value = 0;
        for (int j = 0; j < 2; j++) {
            char c = s[2 * i + j];
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return -1;
            value = value * 16 + (unsigned) digit;
        }
        id[i] = (uint8_t) value;
    }
    return 0;
}

//  Parse a decimal number (at most UINT64_MAX); 0 if s is not one.
static uint64_t
s_number (const char *s)
{
    size_t size = strlen (s);
    if (size == 0 || size > 20 || strspn (s, "0123456789") != size)
        return 0;
    errno = 0;
    unsigned long long value = strtoull (s, NULL, 10);
    return errno ? 0 : (uint64_t) value;
}

//  Append the heartbeat lines after the member list (how the sender is reached, how often it
//  beats, its list's digest) to out at *used. Returns 0, or -1 if out is too small.
static int
s_encode_links (char *out, size_t outsize, size_t *used, const control_beat_t *beat)
{
    if (beat->back_port > 0 && text_append (out, outsize, used, "back %d\n", beat->back_port))
        return -1;
    if (beat->relay && text_append (out, outsize, used, "relay 1\n"))
        return -1;
    if (beat->every_ms > 0 && text_append (out, outsize, used, "every %d\n", beat->every_ms))
        return -1;
    char hex[2 * WIRE_SENDER_BYTES + 1];
    if (beat->has_digest) {
        s_hex (beat->digest, hex);
        if (text_append (out, outsize, used, "digest %s\n", hex))
            return -1;
    }
    for (size_t i = 0; i < beat->carry_count && i < CONTROL_PEERS_MAX; i++) {
        s_hex (beat->carry[i], hex);
        if (text_append (out, outsize, used, "carry %s\n", hex))
            return -1;
    }
    return 0;
}

int
control_encode_beat (char *out, size_t outsize, const control_beat_t *beat)
{
    size_t used = 0;
    if (outsize)
        out[0] = 0;
    if (text_append (out, outsize, &used, "port %d\nchannel %s\nseq %" PRIu64 "\n", beat->port,
                     beat->channel, beat->last_seq))
        return -1;
    for (size_t i = 0; i < beat->peer_count && i < CONTROL_PEERS_MAX; i++) {
        char hex[2 * WIRE_SENDER_BYTES + 1];
        s_hex (beat->peers[i].id, hex);
        if (text_append (out, outsize, &used, "peer %s %s\n", hex, beat->peers[i].address))
            return -1;
    }
    if (s_encode_links (out, outsize, &used, beat))
        return -1;
    return (int) used;
}

//  True when address is "host:port" or "[v6]:port" with a numeric host and a valid port.
static bool
s_address_valid (const char *address)
{
    char host[HOST_MAX_BYTES];
    int port;
    const char *why;
    size_t size = strlen (address);
    return size > 0 && size < ENDPOINT_MAX_BYTES && strchr (address, ':') &&
           strspn (address, "0123456789abcdefABCDEF.:[]") == size &&
           address_parse (address, host, sizeof host, &port, &why) == 0;
}

//  A heartbeat line about how the sender is reached (key and value): "back PORT", "relay 1",
//  "carry ID". Returns 0, or -1 if its value is not valid (an unknown key is ignored).
static int
s_beat_link (const char *key, const char *value, control_beat_t *beat)
{
    if (streq (key, "back")) {
        int port = address_port_parse (value);
        beat->back_port = port > 0 ? port : 0;
    } else if (streq (key, "relay"))
        beat->relay = streq (value, "1");
    else if (streq (key, "carry") && beat->carry_count < CONTROL_PEERS_MAX) {
        if (s_unhex (value, strlen (value), beat->carry[beat->carry_count]))
            return -1;
        beat->carry_count++;
    } else if (streq (key, "every")) {
        uint64_t every = s_number (value);
        beat->every_ms = every >= CONTROL_EVERY_MIN_MS && every <= CONTROL_EVERY_MAX_MS
                             ? (int) every
                             : 0; //  out of range: as if not said
    } else if (streq (key, "digest")) {
        if (s_unhex (value, strlen (value), beat->digest))
            return -1;
        beat->has_digest = true;
    }
    return 0;
}

//  One "key value" line of a heartbeat body into beat (keys we do not know are ignored, so
//  later versions can add some). Returns 0, or -1 if its value is not valid.
static int
s_beat_line (char *key, control_beat_t *beat)
{
    char *value = strchr (key, ' ');
    if (!value)
        return 0;
    *value++ = 0;
    if (streq (key, "port"))
        beat->port = address_port_parse (value);
    else if (streq (key, "seq"))
        beat->last_seq = s_number (value);
    else if (streq (key, "channel")) {
        if (!wire_channel_valid (value, strlen (value)))
            return -1;
        text_copy (beat->channel, sizeof beat->channel, value); //  a valid name fits
    } else if (streq (key, "peer") && beat->peer_count < CONTROL_PEERS_MAX) {
        char *address = strchr (value, ' ');
        control_peer_t *peer = &beat->peers[beat->peer_count];
        if (!address || s_unhex (value, (size_t) (address - value), peer->id) ||
            !s_address_valid (address + 1))
            return -1;
        text_copy (peer->address, sizeof peer->address, address + 1); //  valid: it fits
        beat->peer_count++;
    } else
        return s_beat_link (key, value, beat);
    return 0;
}

int
control_decode_beat (const void *body, size_t size, control_beat_t *beat)
{
    memset (beat, 0, sizeof *beat);
    beat->port = -1;
    if (size > CONTROL_BODY_MAX_BYTES)
        return -1;
    const char *line = body, *end = line + size;
    while (line < end) {
        const char *newline = memchr (line, '\n', (size_t) (end - line));
        size_t length = newline ? (size_t) (newline - line) : (size_t) (end - line);
        char text[256];
        if (length >= sizeof text)
            return -1;
        memcpy (text, line, length);
        text[length] = 0;
        if (s_beat_line (text, beat))
            return -1;
        line += length + 1;
    }
    return beat->port > 0 ? 0 : -1;
}

int
control_encode_via (char *out, size_t outsize, const uint8_t forwarder[WIRE_SENDER_BYTES],
                    const uint8_t author[WIRE_SENDER_BYTES])
{
    char first[2 * WIRE_SENDER_BYTES + 1], second[2 * WIRE_SENDER_BYTES + 1];
    s_hex (forwarder, first);
    s_hex (author, second);
    int size = snprintf (out, outsize, "%s%s %s", CONTROL_VIA, first, second);
    return size > 0 && (size_t) size < outsize ? size : -1;
}

bool
control_is_via (const void *frame, size_t size)
{
    return size == CONTROL_VIA_BYTES && memcmp (frame, CONTROL_VIA, strlen (CONTROL_VIA)) == 0;
}

int
control_decode_via (const void *topic, size_t size, uint8_t forwarder[WIRE_SENDER_BYTES],
                    uint8_t author[WIRE_SENDER_BYTES])
{
    const char *text = topic;
    size_t prefix = strlen (CONTROL_VIA);
    if (size != CONTROL_VIA_BYTES || memcmp (text, CONTROL_VIA, prefix) != 0 ||
        text[prefix + 2 * WIRE_SENDER_BYTES] != ' ')
        return -1;
    return s_unhex (text + prefix, 2 * WIRE_SENDER_BYTES, forwarder) ||
                   s_unhex (text + prefix + 2 * WIRE_SENDER_BYTES + 1, 2 * WIRE_SENDER_BYTES,
                            author)
               ? -1
               : 0;
}

int
control_encode_listen (char *out, size_t outsize, int port)
{
    int size = snprintf (out, outsize, "%s%d", CONTROL_LISTEN, port);
    return size < 0 || (size_t) size >= outsize ? -1 : size;
}

int
control_decode_listen (const void *topic, size_t size)
{
    size_t prefix = strlen (CONTROL_LISTEN);
    char port[8];
    if (size <= prefix || size - prefix >= sizeof port || memcmp (topic, CONTROL_LISTEN, prefix))
        return -1;
    memcpy (port, (const char *) topic + prefix, size - prefix);
    port[size - prefix] = 0;
    return address_port_parse (port);
}

int
control_encode_hello (char *out, size_t outsize, const uint8_t id[WIRE_SENDER_BYTES])
{
    size_t prefix = strlen (CONTROL_HELLO);
    if (outsize < CONTROL_HELLO_BYTES + 1)
        return -1;
    memcpy (out, CONTROL_HELLO, prefix);
    s_hex (id, out + prefix);
    return CONTROL_HELLO_BYTES;
}

int
control_decode_hello (const void *topic, size_t size, uint8_t id[WIRE_SENDER_BYTES])
{
    size_t prefix = strlen (CONTROL_HELLO);
    if (size != CONTROL_HELLO_BYTES || memcmp (topic, CONTROL_HELLO, prefix) != 0)
        return -1;
    return s_unhex ((const char *) topic + prefix, 2 * WIRE_SENDER_BYTES, id);
}

//  The topic prefix of each kind of request, in control_request_kind_t order
static const char *s_request_prefix[] = {CONTROL_RESEND, CONTROL_HISTORY, CONTROL_ACK};

int
control_encode_request (char *out, size_t outsize, const control_request_t *request)
{
    char target[2 * WIRE_SENDER_BYTES + 1], requester[2 * WIRE_SENDER_BYTES + 1];
    s_hex (request->target, target);
    s_hex (request->requester, requester);
    char signature[2 * WIRE_SIGNATURE_BYTES + 1];
    int size;
    if (request->kind == CONTROL_REQUEST_ACK && request->signed_receipt) {
        //  "~ack TARGET NUMBER REQUESTER SIGNATURE": a version 1 reader ignores it
        for (size_t i = 0; i < 4; i++)
            s_hex (request->signature + i * WIRE_SENDER_BYTES,
                   signature + i * 2 * WIRE_SENDER_BYTES);
        size = snprintf (out, outsize, "%s%s %" PRIu64 " %s %s", CONTROL_ACK, target,
                         request->number, requester, signature);
    } else if (request->kind == CONTROL_REQUEST_ACK)
        size = snprintf (out, outsize, "%s%s %" PRIu64, CONTROL_ACK, target, request->number);
    else
        size = snprintf (out, outsize, "%s%s %s %" PRIu64, s_request_prefix[request->kind], target,
                         requester, request->number);
    return size < 0 || (size_t) size >= outsize ? -1 : size;
}

//  A receipt's number word, and after it, in version 2, " REQUESTER SIGNATURE" (cut off here):
//  fill request. Returns 0, or -1 if malformed.
static int
s_receipt_signature (char *number, control_request_t *request)
{
    char *requester = strchr (number, ' ');
    if (!requester)
        return 0; //  version 1: unsigned
    *requester++ = 0;
    char *signature = strchr (requester, ' ');
    if (!signature || strlen (signature + 1) != 2 * WIRE_SIGNATURE_BYTES)
        return -1;
    *signature++ = 0;
    for (size_t i = 0; i < 4; i++)
        if (s_unhex (signature + i * 2 * WIRE_SENDER_BYTES, 2 * WIRE_SENDER_BYTES,
                     request->signature + i * WIRE_SENDER_BYTES))
            return -1;
    request->signed_receipt = true;
    return s_unhex (requester, strlen (requester), request->requester);
}

void
control_receipt_statement (const control_request_t *request,
                           uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES])
{
    memset (statement, 0, 16);
    memcpy (statement, "chatt receipt 2", 15);
    memcpy (statement + 16, request->target, WIRE_SENDER_BYTES);
    memcpy (statement + 16 + WIRE_SENDER_BYTES, request->requester, WIRE_SENDER_BYTES);
    uint64_t number = request->number;
    for (int i = 7; i >= 0; i--, number >>= 8)
        statement[16 + 2 * WIRE_SENDER_BYTES + i] = (uint8_t) (number & 0xFF);
}

int
control_decode_request (const void *topic, size_t size, control_request_t *request)
{
    memset (request, 0, sizeof *request);
    char text[CONTROL_REQUEST_MAX_BYTES];
    if (size >= sizeof text)
        return -1;
    memcpy (text, topic, size);
    text[size] = 0;
    for (int kind = CONTROL_REQUEST_RESEND; kind <= CONTROL_REQUEST_ACK; kind++) {
        size_t prefix = strlen (s_request_prefix[kind]);
        if (strncmp (text, s_request_prefix[kind], prefix) != 0)
            continue;
        //  "TARGET [REQUESTER] NUMBER", single spaces
        char *words[3] = {text + prefix, NULL, NULL};
        int count = kind == CONTROL_REQUEST_ACK ? 2 : 3;
        for (int i = 1; i < count; i++) {
            words[i] = strchr (words[i - 1], ' ');
            if (!words[i])
                return -1;
            *words[i]++ = 0;
        }
        if ((kind != CONTROL_REQUEST_ACK && strchr (words[count - 1], ' ')) ||
            s_unhex (words[0], strlen (words[0]), request->target) ||
            (count == 3 && s_unhex (words[1], strlen (words[1]), request->requester)))
            return -1;
        request->kind = (control_request_kind_t) kind;
        if (kind == CONTROL_REQUEST_ACK && s_receipt_signature (words[1], request))
            return -1;
        request->number = s_number (words[count - 1]);
        return request->number > 0 ? 0 : -1;
    }
    return -1;
}

int
control_encode_private (char *out, size_t outsize, const uint8_t id[WIRE_SENDER_BYTES])
{
    if (outsize < CONTROL_PRIVATE_BYTES + 1)
        return -1;
    out[0] = CONTROL_PRIVATE[0];
    s_hex (id, out + 1);
    return CONTROL_PRIVATE_BYTES;
}

int
control_decode_private (const void *topic, size_t size, uint8_t id[WIRE_SENDER_BYTES])
{
    const char *text = topic;
    if (size != CONTROL_PRIVATE_BYTES || text[0] != CONTROL_PRIVATE[0])
        return -1;
    return s_unhex (text + 1, 2 * WIRE_SENDER_BYTES, id);
}

int
control_ask (void *sub, const control_request_t *request)
{
    char topic[CONTROL_REQUEST_MAX_BYTES];
    int size = control_encode_request (topic, sizeof topic, request);
    if (size <= 0)
        return -1;
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, topic, (size_t) size);
    zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, topic, (size_t) size);
    return 0;
}
