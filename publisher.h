/*  publisher.h - our XPUB socket: what we send (chat lines, control messages, messages for one
    peer, each with our metadata) and what the subscriptions that reach it say (who listens,
    and what they ask of us).

    Every message goes out through the outbox (outbox.h), so a fast sender keeps the pace of
    its slowest listener. A subscription is read into a publisher_event_t for the caller to act
    on: the publisher never calls up. Main thread only, like the socket.
*/
#ifndef PUBLISHER_H_INCLUDED
#define PUBLISHER_H_INCLUDED

#include "control.h"
#include "limits.h"
#include "roomlock.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PUBLISHER_LINGER_MS 2000 // leaving waits this long at most for sent lines to go out

typedef struct _publisher_t publisher_t;

//  A chat line as it went out, valid until the next send
typedef struct {
    const char *channel; //  its channel
    const char *line;    //  frame 1, "kanal> text"
    size_t line_size;    //  its size
    const uint8_t *meta; //  frame 2, our metadata; NULL with --plain
    size_t meta_size;    //  its size
    wire_meta_t decoded; //  frame 2 as it decodes (seq 0 with --plain)
} publisher_line_t;

//  What a subscription told us
typedef enum {
    PUBLISHER_LISTENER, //  someone started listening: it should hear our heartbeat at once
    PUBLISHER_REQUEST   //  a request addressed to us (resend, history, a receipt)
} publisher_event_kind_t;

//  One event
typedef struct {
    publisher_event_kind_t kind;      //  what happened
    char address[ENDPOINT_MAX_BYTES]; //  the listener's IP address, "" if libzmq did not say
    int port;                         //  a chat: the port it listens on (connect back); else 0
    control_request_t request;        //  PUBLISHER_REQUEST: what it asks
} publisher_event_t;

//  Bind an XPUB socket on port (0: PORT_DEFAULT or the first free one from it), the room's
//  CURVE server when lock is locked. id is our sender id, nick our nick; with plain, chat
//  lines go out in the course's one frame only. Returns NULL if it cannot bind (zmq_errno()
//  says why).
publisher_t *publisher_new (int port, roomlock_t *lock, const uint8_t id[WIRE_SENDER_BYTES],
                            const char *nick, bool plain);

//  Close the socket, lingering up to PUBLISHER_LINGER_MS so sent lines leave; sets *self_p to
//  NULL. Safe twice.
void publisher_destroy (publisher_t **self_p);

//  The port we listen on.
int publisher_port (publisher_t *self);

//  Our nick, and a new one (a valid nick).
const char *publisher_nick (publisher_t *self);
void publisher_set_nick (publisher_t *self, const char *nick);

//  The seq of our last chat line (0: none yet).
uint64_t publisher_last_seq (publisher_t *self);

//  How many listen to us (chats, plain subscribers, course peers).
int publisher_listeners (publisher_t *self);

//  Send text to channel: frame 1 in the course's format, frame 2 our metadata with the next
//  seq (only frame 1 with --plain). It always waits for room rather than be dropped. Fills
//  *sent. Returns 0, or -1 if it cannot be encoded.
int publisher_send_line (publisher_t *self, const char *channel, const char *text, size_t text_size,
                         publisher_line_t *sent);

//  Send a control message: topic, our metadata (seq 0), body. Dropped when the outbox is full
//  (heartbeats come again). Returns 0, or -1 if dropped.
int publisher_send_control (publisher_t *self, const char *topic, const void *body,
                            size_t body_size);

//  Send a message for peer to only: its private topic, kind, body (none when NULL), and meta
//  (ours, from publisher_meta, or a line's as kept). With may_drop it is dropped when the
//  outbox is full. Returns 0, or -1 if dropped or not encodable.
int publisher_send_private (publisher_t *self, const uint8_t to[WIRE_SENDER_BYTES],
                            const char *kind, const void *body, size_t body_size, const void *meta,
                            size_t meta_size, bool may_drop);

//  Write our metadata frame with seq (0 for control traffic) into out. Returns its size, or -1.
int publisher_meta (publisher_t *self, uint64_t seq, uint8_t *out, size_t outsize);

//  Send what waits in the outbox, as far as the listeners' queues allow. Returns true when
//  nothing waits.
bool publisher_flush (publisher_t *self);

//  Wait (bounded: a stalled listener holds it up twice OUTBOX_STALL_MS at most) until what
//  waits in the outbox is out. At quit.
void publisher_drain (publisher_t *self);

//  Read the subscriptions waiting on the socket until one is worth an event: returns true with
//  event filled, false when none waits. Counts the listeners as it goes, and tells a course
//  peer's in one line.
bool publisher_next_event (publisher_t *self, publisher_event_t *event);

//  What to poll: the socket itself (ZMQ_POLLIN: subscriptions), its file descriptor (readable
//  when libzmq has news, among them "a queue has room again", which the outbox waits for), and
//  the PAIR socket its monitor events arrive on (NULL if none).
void *publisher_socket (publisher_t *self);
int publisher_news_fd (publisher_t *self);
void *publisher_monitor (publisher_t *self);

//  Have libzmq take in the news its file descriptor announced (a send does it only every
//  millisecond or so).
void publisher_take_news (publisher_t *self);

//  Read one monitor event: shown when the view of the wire is on; a handshake refused for the
//  room's lock is told (roomlock.h).
void publisher_read_monitor (publisher_t *self);

#endif
