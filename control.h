/*  control.h - control traffic: heartbeats, goodbyes, requests, and messages for one peer.
    Pure encoding and decoding, safe from any thread; control_ask() alone touches a socket.

    Control messages travel on topics that start with CONTROL_PREFIX ("~"), which no channel
    name can start with, so the course's peers (subscribed to a channel name) never see them.
    A control message has three frames: the topic ("~beat" or "~bye"), the metadata frame of
    wire.h (seq 0), and a text body of "key value" lines.

    A subscriber speaks to a publisher through its subscriptions, which are the only thing that
    travels upstream on a PUB/SUB connection: "~listen PORT" (connect back to me), "~resend ...",
    "~history ..." and "~ack ..." are requests, subscribed and at once unsubscribed, so they
    never match a message and are not replayed on a reconnect.

    A message for one peer only travels on the topic "!" + its id in hex, which only that peer
    subscribes to, so the publisher's filter keeps it from everyone else's SUB socket. Frame 2
    says what it is (CONTROL_KIND_...). PROTOKOLL.md specifies all of them.
*/
#ifndef CONTROL_H_INCLUDED
#define CONTROL_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_BEAT CONTROL_PREFIX "beat"      // "here I am", every BEAT_INTERVAL_MS
#define CONTROL_BYE CONTROL_PREFIX "bye"        // "I am leaving", at a clean quit
#define CONTROL_LINES CONTROL_PREFIX "lines"    // a signed batch of our chat lines (version 2)
#define CONTROL_LISTEN CONTROL_PREFIX "listen " // subscription: "I listen to you from PORT"
#define CONTROL_HELLO CONTROL_PREFIX "hello "   // subscription: "I am ID: beat to me alone"
#define CONTROL_HELLO_BYTES (7 + 2 * WIRE_SENDER_BYTES) // "~hello " + 32 hex digits
#define CONTROL_RESEND CONTROL_PREFIX "resend "         // request: "~resend TARGET REQUESTER FROM"
#define CONTROL_HISTORY CONTROL_PREFIX "history " // request: "~history TARGET REQUESTER LINES"
#define CONTROL_ACK CONTROL_PREFIX "ack "         // request: "~ack TARGET NUMBER" (a receipt)
#define CONTROL_VIA CONTROL_PREFIX "via "         // "~via FORWARDER AUTHOR": forwarded messages
#define CONTROL_VIA_BYTES (5 + 4 * WIRE_SENDER_BYTES + 1) // "~via " + 32 hex + " " + 32 hex
#define CONTROL_PRIVATE "!"                               // topic prefix of messages for one peer
#define CONTROL_PRIVATE_BYTES (1 + 2 * WIRE_SENDER_BYTES) // "!" + 32 hex digits
#define CONTROL_KIND_LINE "line"               // a chat line resent: line frame, meta frame
#define CONTROL_KIND_GONE "gone"               // lines before meta's seq are gone: meta frame
#define CONTROL_KIND_HISTORY "history"         // a line of history: line frame, meta frame
#define CONTROL_KIND_HISTORY_END "history-end" // the history is complete: meta frame
#define CONTROL_KIND_MESSAGE "msg"             // a private message: text frame, meta frame
#define CONTROL_KIND_BEAT "beat"               // a heartbeat for a new listener: body, meta frame
#define CONTROL_PEERS_MAX 64                   // members one heartbeat lists at most
#define CONTROL_BODY_MAX_BYTES 8192            // longest control body
#define CONTROL_REQUEST_MAX_BYTES 256          // longest request topic (a signed receipt: 225)
#define CONTROL_DIGEST_BYTES 16                // the digest of a member list (BLAKE2b-128)
#define CONTROL_EVERY_MIN_MS 500               // the shortest interval a heartbeat may say
#define CONTROL_EVERY_MAX_MS 30000             // ... and the longest

//  A member of the room as a heartbeat lists it
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];    //  its sender id
    char address[ENDPOINT_MAX_BYTES]; //  "host:port" where the sender of the beat reaches it
} control_peer_t;

//  The body of a heartbeat
typedef struct {
    int port;                                //  where the sender listens (its XPUB port)
    uint64_t last_seq;                       //  seq of its last chat line (0: none yet)
    char channel[NAME_MAX_BYTES + 1];        //  the channel it writes to
    control_peer_t peers[CONTROL_PEERS_MAX]; //  the members it hears (directly)
    size_t peer_count;                       //  how many
    int back_port;                           //  where its SUB socket accepts connections (0: none)
    bool relay;                              //  it is a relay (chat --relay): no person
    uint8_t carry[CONTROL_PEERS_MAX][WIRE_SENDER_BYTES]; //  members whose back port it dialled
    size_t carry_count;                                  //  how many
    int every_ms;                                        //  its interval (0: not said, 1 s)
    bool has_digest;                                     //  it says the digest of its list:
    uint8_t digest[CONTROL_DIGEST_BYTES];                //  ... this; no peer lines: unchanged
} control_beat_t;

//  Write a heartbeat body into out. Returns its size, or -1 if out is too small.
int control_encode_beat (char *out, size_t outsize, const control_beat_t *beat);

//  Decode a heartbeat body; unknown lines are ignored, bad ones refuse the whole body. Returns
//  0, or -1 if it is malformed (no valid port, a bad channel, a bad peer line, too long).
int control_decode_beat (const void *body, size_t size, control_beat_t *beat);

//  What a subscription asks for
typedef enum {
    CONTROL_REQUEST_RESEND,  //  resend target's chat lines from number on to requester
    CONTROL_REQUEST_HISTORY, //  target: send requester number lines of history per channel
    CONTROL_REQUEST_ACK      //  requester got target's private message number
} control_request_kind_t;

//  A request, as a subscription carries it
typedef struct {
    control_request_kind_t kind;             //  what is asked
    uint8_t target[WIRE_SENDER_BYTES];       //  the peer asked (only it answers)
    uint8_t requester[WIRE_SENDER_BYTES];    //  who asks (RESEND, HISTORY: where answers go)
    uint64_t number;                         //  first seq, lines per channel, or message number
    bool signed_receipt;                     //  ACK: requester and signature are set (version 2)
    uint8_t signature[WIRE_SIGNATURE_BYTES]; //  ACK: the requester's, of control_receipt_statement
} control_request_t;

#define CONTROL_RECEIPT_STATEMENT_BYTES (16 + 2 * WIRE_SENDER_BYTES + 8)

//  What a receipt's signature signs: "chatt receipt 2" (16 bytes, zero padded), the target
//  (the message's sender), the requester (its recipient) and the number, big-endian.
void control_receipt_statement (const control_request_t *request,
                                uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES]);

//  Write request as a subscription topic into out. Returns its size, or -1.
int control_encode_request (char *out, size_t outsize, const control_request_t *request);

//  Decode a subscription topic (without its leading 0x01/0x00 byte) as a request. Returns 0,
//  or -1 if it is not one.
int control_decode_request (const void *topic, size_t size, control_request_t *request);

//  Ask the publishers sub (a libzmq SUB socket) hears for request: subscribe to it and at once
//  unsubscribe, so it never matches a message and is not sent again when a connection comes
//  back. Only the publisher it targets answers. Returns 0, or -1 if it cannot be encoded. Called
//  by the thread that owns sub.
int control_ask (void *sub, const control_request_t *request);

//  Write the private topic of id ("!" + 32 hex digits) into out. Returns its size, or -1.
int control_encode_private (char *out, size_t outsize, const uint8_t id[WIRE_SENDER_BYTES]);

//  Write the topic "~via FORWARDER AUTHOR" (each 32 hex digits) into out: the subscription
//  that asks forwarder for author's messages, and the first frame of each one it forwards.
//  Returns its size (CONTROL_VIA_BYTES), or -1.
int control_encode_via (char *out, size_t outsize, const uint8_t forwarder[WIRE_SENDER_BYTES],
                        const uint8_t author[WIRE_SENDER_BYTES]);

//  True when frame (size bytes) looks like a forwarded message's first: "~via " and 70 bytes.
bool control_is_via (const void *frame, size_t size);

//  Decode a topic (a subscription without its leading byte, or a first frame) as "~via
//  FORWARDER AUTHOR". Returns 0, or -1 if it is not exactly one.
int control_decode_via (const void *topic, size_t size, uint8_t forwarder[WIRE_SENDER_BYTES],
                        uint8_t author[WIRE_SENDER_BYTES]);

//  Decode a private topic ("!" + 32 hex digits) into id. Returns 0, or -1 if it is not one.
int control_decode_private (const void *topic, size_t size, uint8_t id[WIRE_SENDER_BYTES]);

//  Write the subscription topic "~listen PORT" into out. Returns its size, or -1.
int control_encode_listen (char *out, size_t outsize, int port);

//  Decode a subscription topic (without its leading 0x01/0x00 byte) as "~listen PORT".
//  Returns the port, or -1 if it is not one.
int control_decode_listen (const void *topic, size_t size);

//  Write the subscription topic "~hello ID" (32 hex digits) into out: "I am id, I read a
//  heartbeat on my private topic" (PROTOKOLL.md 21.6). Returns its size, or -1.
int control_encode_hello (char *out, size_t outsize, const uint8_t id[WIRE_SENDER_BYTES]);

//  Decode a subscription topic (without its leading byte) as "~hello ID". Returns 0, or -1 if
//  it is not exactly one.
int control_decode_hello (const void *topic, size_t size, uint8_t id[WIRE_SENDER_BYTES]);

#endif
