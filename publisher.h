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
#include "identity.h"
#include "limits.h"
#include "roomlock.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PUBLISHER_LINGER_MS 2000 // leaving waits this long at most for sent lines to go out

typedef struct _publisher_t publisher_t;

#define PUBLISHER_METADATA "X-Chatt" // our sockets' ZMTP property: "2", a chat of version 2
#define PUBLISHER_METADATA_VALUE "2" // ... whose one-frame lines are copies of signed batches

//  A chat line as it went out, valid during the call it is handed to
typedef struct {
    const char *channel; //  its channel
    const char *line;    //  frame 1, "kanal> text"
    size_t line_size;    //  its size
    const uint8_t *meta; //  our metadata with the line's proof (signing.h)
    size_t meta_size;    //  its size
    wire_meta_t decoded; //  the metadata decoded
} publisher_line_t;

//  Called for each of our lines once it is signed and sent (with --plain: never).
typedef void (publisher_sent_fn) (const publisher_line_t *sent, void *arg);

//  What a subscription told us
typedef enum {
    PUBLISHER_LISTENER, //  someone started listening: it should hear our heartbeat at once
    PUBLISHER_REQUEST,  //  a request (resend, history, a receipt): to us, or to another
    PUBLISHER_FORWARD,  //  someone (un)subscribed to an author's messages through us
    PUBLISHER_HELLO     //  a new listener said who it is ("~hello ID"): beat to it alone
} publisher_event_kind_t;

//  One event
typedef struct {
    publisher_event_kind_t kind;       //  what happened
    char address[ENDPOINT_MAX_BYTES];  //  the listener's IP address, "" if libzmq did not say
    int port;                          //  a chat: the port it listens on (connect back); else 0
    control_request_t request;         //  PUBLISHER_REQUEST: what it asks
    bool to_us;                        //  ... of us (else of request.target)
    bool subscribe;                    //  PUBLISHER_FORWARD: subscribed (else unsubscribed)
    uint8_t author[WIRE_SENDER_BYTES]; //  ... to this author's messages; HELLO: the listener
} publisher_event_t;

//  Bind an XPUB socket on port (0: PORT_DEFAULT or the first free one from it), the room's
//  CURVE server when lock is locked. identity signs what we send (not owned; its sender id is
//  ours), nick is our nick; with plain, chat lines go out in the course's one frame only.
//  Returns NULL if it cannot bind (zmq_errno() says why).
publisher_t *publisher_new (int port, roomlock_t *lock, const identity_t *identity,
                            const char *nick, bool plain);

//  Have sent called for each line we send, once signed (answers.h remembers them).
void publisher_on_sent (publisher_t *self, publisher_sent_fn *sent, void *arg);

//  Close the socket, lingering up to PUBLISHER_LINGER_MS so sent lines leave; sets *self_p to
//  NULL. Safe twice.
void publisher_destroy (publisher_t **self_p);

//  Who signs what we send.
const identity_t *publisher_identity (publisher_t *self);

//  The port we listen on.
int publisher_port (publisher_t *self);

//  Our nick, and a new one (a valid nick).
const char *publisher_nick (publisher_t *self);
void publisher_set_nick (publisher_t *self, const char *nick);

//  The seq of our last chat line (0: none yet).
uint64_t publisher_last_seq (publisher_t *self);

//  How many listen to us (chats, plain subscribers, course peers).
int publisher_listeners (publisher_t *self);

//  How many lines wait in the batch for publisher_send_lines.
size_t publisher_unsent_lines (publisher_t *self);

//  Say text in channel as our next chat line (its seq is taken now). It waits in a batch with
//  the lines that follow it until publisher_send_lines, which signs them all at once; a full
//  batch goes at once. With --plain it goes at once, as the course's one frame. Returns 0, or
//  -1 if it cannot be encoded.
int publisher_send_line (publisher_t *self, const char *channel, const char *text,
                         size_t text_size);

//  Send the batch of lines waiting: one "~lines" message signed once for all (to chats) and,
//  while a course peer listens, each line in the course's one frame. They always wait for room
//  rather than be dropped. Calls the sent function for each.
void publisher_send_lines (publisher_t *self);

//  Send a control message, signed: topic, our metadata (seq 0), body. The lines waiting go
//  first. Dropped when the outbox is full (heartbeats come again). Returns 0, or -1 if dropped.
int publisher_send_control (publisher_t *self, const char *topic, const void *body,
                            size_t body_size);

//  Send a control message (kind: CONTROL_KIND_BEAT) for peer to only, signed: its private
//  topic, kind, body, our metadata (seq 0). The lines waiting go first. Dropped when the
//  outbox is full. Returns 0, or -1 if dropped.
int publisher_send_control_to (publisher_t *self, const uint8_t to[WIRE_SENDER_BYTES],
                               const char *kind, const void *body, size_t body_size);

//  Send a message for peer to only: its private topic, kind, body (none when NULL), and meta.
//  Signed when meta is ours (publisher_meta; sign), else as it is (a line kept with its proof).
//  With may_drop it is dropped when the outbox is full. Returns 0, or -1 if dropped or not
//  encodable.
int publisher_send_private (publisher_t *self, const uint8_t to[WIRE_SENDER_BYTES],
                            const char *kind, const void *body, size_t body_size, const void *meta,
                            size_t meta_size, bool may_drop, bool sign);

//  Pass on author's message (count frames, as the author sent them) behind the topic "~via
//  US AUTHOR", to those who asked us for it. Dropped when the outbox is full (receivers
//  repair). Returns 0, or -1 if dropped.
int publisher_send_forward (publisher_t *self, const uint8_t author[WIRE_SENDER_BYTES],
                            const void *const *frames, const size_t *sizes, size_t count);

//  Pass on a message (count frames) exactly as its sender signed it: a private message for a
//  member that hears us but not its sender. Dropped when the outbox is full. Returns 0, or -1.
int publisher_send_as_is (publisher_t *self, const void *const *frames, const size_t *sizes,
                          size_t count);

//  Connect the XPUB socket out to endpoint (a member's back port: its SUB accepts there), or
//  disconnect it. Returns 0, or -1.
int publisher_connect (publisher_t *self, const char *endpoint);
int publisher_disconnect (publisher_t *self, const char *endpoint);

//  How many listen in the course's one-frame format (course peers, plain tools).
int publisher_course_listeners (publisher_t *self);

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
