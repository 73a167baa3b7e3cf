/*  inbox.h - what arrives on the SUB socket: each message received, classified and handed on
    (the outbox's twin).

    A chat line is shown when it is the next of its sender (streams.h) and its channel is heard
    (channels.h), and kept for those who join later (backlog.h); a heartbeat or goodbye goes to
    presence.h; on our private topic come resent lines and history (shown as lines), the news
    that lines are gone or that the history is complete (repair.h), and private messages
    (private.h). A malformed message is told in one line, NOTICES_PER_SECOND a second at most,
    and never shown. Subscriber thread only: the thread that owns the SUB socket.
*/
#ifndef INBOX_H_INCLUDED
#define INBOX_H_INCLUDED

#include "backlog.h"
#include "channels.h"
#include "forward.h"
#include "identity.h"
#include "known.h"
#include "peers.h"
#include "room.h"
#include "roomseal.h"
#include "routes.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INBOX_NOTICES_PER_SECOND 5 // malformed-message notices shown per second at most
#define INBOX_FRAMES_MAX 5         // frames of a message looked at; any after them are dropped
#define INBOX_OLD_PEERS_MAX 16     // chats of protocol version 1 told of (once each)
#define INBOX_ENDED_MAX 256 // senders that said goodbye: what comes in their name is replayed
#define INBOX_CONTROL_SKEW_MS (10 * 60 * 1000) // a heartbeat sent further from now is ignored

//  One frame of a received message
typedef struct {
    const uint8_t *data; //  its bytes
    size_t size;         //  how many
} inbox_frame_t;

typedef struct _inbox_t inbox_t;

//  Create the inbox of sub (a SUB socket), with the shared tables it updates (none owned).
//  self_id is ours: lines carrying it are our own and are not shown. history_lines is how many
//  lines per channel to ask for on joining (0: none). Returns NULL if out of memory.
inbox_t *inbox_new (void *sub, channels_t *channels, peers_t *peers, room_t *room,
                    backlog_t *backlog, const uint8_t self_id[WIRE_SENDER_BYTES],
                    size_t history_lines);

//  Destroy it; sets *self_p to NULL. Safe twice.
void inbox_destroy (inbox_t **self_p);

//  After a round of messages (receive.h) at now_ms: ask for the repairs then due, carry out
//  the routes' and the forwarders' subscriptions, and write the lines out at once.
void inbox_settle (inbox_t *self, int64_t now_ms);

//  Handle one message: count frames of the total it had (the first INBOX_FRAMES_MAX), from
//  address (the sender's IP, "?" if unknown), at now_ms. from_chat: its connection says it is
//  a chat of version 2 (publisher.h), so a one-frame line is a copy for course peers of a line
//  it signed, and is dropped; a heartbeat without it is a --plain chat's (room_set_plain).
void inbox_handle (inbox_t *self, const inbox_frame_t *frames, size_t count, size_t total,
                   const char *address, bool from_chat, int64_t now_ms);

//  Check senders' keys against known (trust on first use), and open the private messages
//  sealed to identity (neither owned; without them, keys are not checked and none opens).
void inbox_set_trust (inbox_t *self, known_t *known, const identity_t *identity);

//  A locked room (locked): every line is sealed (roomseal.h) and opened with content, the
//  room's key; without it (a relay) lines are passed on and kept sealed. Open room: NULL, false.
void inbox_set_seal (inbox_t *self, const roomseal_t *content, bool locked);

//  Queue what others ask us to forward in forward (not owned; NULL: nothing is forwarded).
void inbox_set_forward (inbox_t *self, forward_t *forward);

//  Whom we hear through whom (owned by the inbox).
routes_t *inbox_routes (inbox_t *self);

//  Messages dropped so far because their signature did not verify.
uint64_t inbox_forged (inbox_t *self);

//  What is due at now_ms without a message: repairs to ask again, members gone silent.
void inbox_tick (inbox_t *self, int64_t now_ms);

//  True while some gap waits for repair (come back within REPAIR_RETRY_MS).
bool inbox_repairing (inbox_t *self);

#endif
