/*  publisher.c - our XPUB socket (see publisher.h).

    Every message is one call of s_send with its frames in order: the frame lists of the
    protocol (PROTOKOLL.md) are written here and nowhere else.
*/
#include "publisher.h"
#include "keepalive.h"
#include "address.h"
#include "i18n.h"
#include "monitor.h"
#include "outbox.h"
#include "signing.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <inttypes.h>

#ifndef ZMQ_METADATA
#define ZMQ_METADATA 95 // libzmq 4.3 has it, among its draft options
#endif

struct _publisher_t {
    zsock_t *socket;                            //  the XPUB socket
    zsock_t *monitor;                           //  PAIR receiving its monitor events, or NULL
    outbox_t *outbox;                           //  what waits for room in the listeners' queues
    roomlock_t *lock;                           //  the room's lock (not owned)
    const identity_t *identity;                 //  who signs (not owned)
    int port;                                   //  where it listens
    bool plain;                                 //  chat lines in one frame only (--plain)
    uint8_t id[WIRE_SENDER_BYTES];              //  our sender id
    char nick[NAME_MAX_BYTES + 1];              //  our nick
    uint64_t seq;                               //  seq of the last chat line sent
    int listeners;                              //  who listens to us
    int course_listeners;                       //  ... of them in the course's format
    publisher_sent_fn *sent;                    //  told of each line sent
    void *sent_arg;                             //  ... with this
    char line[FRAME_MAX_BYTES];                 //  a chat line's frame 1, being encoded
    uint8_t body[SIGNING_BATCH_BYTES_MAX];      //  the batch waiting: its lines
    size_t body_size;                           //  ... their bytes
    signing_line_t lines[WIRE_BATCH_LINES_MAX]; //  ... each one, in body (sealed when locked)
    char channels[WIRE_BATCH_LINES_MAX][NAME_MAX_BYTES + 1]; //  ... and its channel
    size_t waiting;                                          //  ... how many
    signing_batch_t batch;                                   //  the batch being signed
    uint8_t line_meta[WIRE_LINE_META_MAX_BYTES];             //  one line's metadata and proof
};

//  Bind the socket: the port asked for, or the first free one from the default. Returns 0,
//  or -1.
static int
s_bind (publisher_t *self, int port)
{
    self->socket = zsock_new (ZMQ_XPUB);
    if (!self->socket)
        return -1;
    zsock_set_linger (self->socket, PUBLISHER_LINGER_MS);
    zsock_set_ipv6 (self->socket, 1);
    zsock_set_xpub_verboser (self->socket, 1);
    zsock_set_rcvtimeo (self->socket, 0);
    zsock_set_maxmsgsize (self->socket, SOCKET_MAXMSGSIZE_BYTES);
    keepalive_set (zsock_resolve (self->socket));
    //  Bounded per listener; outbox.h says what happens when a queue is full
    zsock_set_sndhwm (self->socket, SOCKET_HWM_MESSAGES);
    if (roomlock_serve (self->lock, self->socket))
        return -1;
    //  Chats of version 2 drop the one-frame copies of our lines that course peers need
    if (!self->plain) {
        const char *property = PUBLISHER_METADATA ":" PUBLISHER_METADATA_VALUE;
        zmq_setsockopt (zsock_resolve (self->socket), ZMQ_METADATA, property, strlen (property));
    }
    //  Watch the socket for the view of the wire: ports tried, connections, handshakes, breaks
    char events[64];
    int size = snprintf (events, sizeof events, "inproc://pub-events-%p", (void *) self);
    if (size > 0 && (size_t) size < sizeof events &&
        zmq_socket_monitor (zsock_resolve (self->socket), events, ZMQ_EVENT_ALL) == 0)
        self->monitor = zsock_new (ZMQ_PAIR);
    if (self->monitor && zsock_connect (self->monitor, "%s", events) != 0)
        zsock_destroy (&self->monitor);
    if (port)
        self->port = zsock_bind (self->socket, "tcp://*:%d", port);
    else
        self->port = zsock_bind (self->socket, "tcp://*:*[%d-]", PORT_DEFAULT);
    return self->port > 0 ? 0 : -1;
}

publisher_t *
publisher_new (int port, roomlock_t *lock, const identity_t *identity, const char *nick, bool plain)
{
    publisher_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->lock = lock;
    self->plain = plain;
    self->identity = identity;
    memcpy (self->id, identity_sender (identity), WIRE_SENDER_BYTES);
    publisher_set_nick (self, nick);
    if (s_bind (self, port) == 0)
        self->outbox = outbox_new (self->socket);
    if (!self->outbox) {
        int saved = zmq_errno ();
        publisher_destroy (&self);
        errno = saved;
    }
    return self;
}

void
publisher_destroy (publisher_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    publisher_t *self = *self_p;
    if (self->socket)
        zmq_socket_monitor (zsock_resolve (self->socket), NULL, 0);
    zsock_destroy (&self->monitor);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->socket); //  lingers up to PUBLISHER_LINGER_MS so sent lines leave
    free (self);
    *self_p = NULL;
}

const identity_t *
publisher_identity (publisher_t *self)
{
    return self->identity;
}

int
publisher_port (publisher_t *self)
{
    return self->port;
}

void
publisher_on_sent (publisher_t *self, publisher_sent_fn *sent, void *arg)
{
    self->sent = sent;
    self->sent_arg = arg;
}

const char *
publisher_nick (publisher_t *self)
{
    return self->nick;
}

void
publisher_set_nick (publisher_t *self, const char *nick)
{
    publisher_send_lines (self); //  the lines waiting were said under the old nick
    //  A valid nick fits; a longer string is cut (and then refused by wire_encode_meta)
    size_t size = strnlen (nick, sizeof self->nick - 1);
    memcpy (self->nick, nick, size);
    self->nick[size] = 0;
}

uint64_t
publisher_last_seq (publisher_t *self)
{
    return self->seq;
}

int
publisher_listeners (publisher_t *self)
{
    return self->listeners;
}

size_t
publisher_unsent_lines (publisher_t *self)
{
    return self->waiting;
}

int
publisher_course_listeners (publisher_t *self)
{
    return self->course_listeners;
}

//  Our metadata with seq, sent now, into meta.
static void
s_meta_fill (publisher_t *self, uint64_t seq, wire_meta_t *meta)
{
    meta->version = WIRE_VERSION;
    meta->seq = seq;
    meta->sent_ms = (uint64_t) zclock_time ();
    memcpy (meta->sender, self->id, WIRE_SENDER_BYTES);
    _Static_assert(sizeof meta->nick == sizeof self->nick, "a nick fits");
    memcpy (meta->nick, self->nick, sizeof meta->nick);
    meta->keyed = true;
    memcpy (meta->public_key, identity_public (self->identity), WIRE_PUBLIC_BYTES);
    memcpy (meta->session, identity_session (self->identity), WIRE_SESSION_BYTES);
}

int
publisher_meta (publisher_t *self, uint64_t seq, uint8_t *out, size_t outsize)
{
    wire_meta_t meta;
    s_meta_fill (self, seq, &meta);
    return wire_encode_meta (out, outsize, &meta);
}

//  Hand one message of count frames to the outbox. Returns 0, or -1 if it was dropped.
static int
s_send (publisher_t *self, const void *const *frames, const size_t *sizes, size_t count,
        bool may_drop)
{
    return outbox_send (self->outbox, frames, sizes, count, may_drop, zclock_mono ());
}

//  Describe a line we send for the view of the wire. seq is 0 when no metadata goes with it.
static void
s_debug_sent (const char *line, size_t size, uint64_t seq)
{
    char safe[SANITIZED_MAX_BYTES];
    text_sanitize (line, size, safe, sizeof safe);
    if (seq)
        term_debug (_ ("PUB sends \"%s\" + metadata (seq %" PRIu64 ")"), safe, seq);
    else
        term_debug (_ ("PUB sends \"%s\" (one frame, --plain)"), safe);
}

int
publisher_send_line (publisher_t *self, const char *channel, const char *text, size_t text_size)
{
    int size = wire_encode_line (self->line, sizeof self->line, channel, text, text_size);
    if (size < 0 || !wire_nick_valid (self->nick, strlen (self->nick)))
        return -1;
    if (term_debug_on ())
        s_debug_sent (self->line, (size_t) size, self->plain ? 0 : self->seq + self->waiting + 1);
    if (self->plain) {
        const void *frames[] = {self->line};
        size_t sizes[] = {(size_t) size};
        return s_send (self, frames, sizes, 1, false) ? -1 : 0;
    }
    //  In a locked room the line is sealed with the room's content key (roomseal.h): what is
    //  signed, kept and passed on is the sealed line, which a relay cannot read
    const roomseal_t *content = roomlock_content (self->lock);
    size_t needed = (size_t) size + (content ? ROOMSEAL_OVERHEAD_BYTES : 0);
    //  A full batch goes now, and this line starts the next
    if (self->waiting == WIRE_BATCH_LINES_MAX || sizeof self->body - self->body_size < 2 + needed)
        publisher_send_lines (self);
    uint8_t *at = self->body + self->body_size;
    if (content)
        size = roomseal_seal (content, self->seq + self->waiting + 1, self->id, self->line,
                              (size_t) size, at + 2, sizeof self->body - self->body_size - 2);
    else
        memcpy (at + 2, self->line, (size_t) size);
    if (size < 0)
        return -1;
    at[0] = (uint8_t) (size >> 8);
    at[1] = (uint8_t) (size & 0xFF);
    text_copy (self->channels[self->waiting], sizeof self->channels[0], channel);
    self->lines[self->waiting++] = (signing_line_t){at + 2, (size_t) size};
    self->body_size += 2 + (size_t) size;
    return 0;
}

//  Hand each line of the batch just sent to the sent function, with its metadata and proof.
static void
s_tell_sent (publisher_t *self, uint64_t first_seq)
{
    wire_meta_t decoded; //  the batch's metadata as sent: each line's but for its seq
    if (!self->sent ||
        wire_decode_meta (self->batch.meta, self->batch.meta_size, &decoded) != WIRE_OK)
        return;
    for (size_t i = 0; i < self->waiting; i++) {
        publisher_line_t sent = {.line = (const char *) self->lines[i].data,
                                 .line_size = self->lines[i].size,
                                 .meta = self->line_meta};
        int size = signing_line_meta (&self->batch, i, self->line_meta, sizeof self->line_meta);
        if (size < 0)
            continue;
        sent.channel = self->channels[i];
        sent.meta_size = (size_t) size;
        sent.decoded = decoded;
        sent.decoded.seq = first_seq + i;
        self->sent (&sent, self->sent_arg);
    }
}

void
publisher_send_lines (publisher_t *self)
{
    if (self->waiting == 0)
        return;
    uint64_t first_seq = self->seq + 1;
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (self, first_seq, meta, sizeof meta);
    if (meta_size < 0 || signing_batch_build (&self->batch, meta, (size_t) meta_size, first_seq,
                                              self->lines, self->waiting)) {
        self->waiting = self->body_size = 0; //  cannot happen with a valid nick
        return;
    }
    signing_batch_sign (&self->batch, self->identity);
    const void *frames[] = {CONTROL_LINES, meta, self->body, self->batch.signature};
    size_t sizes[] = {strlen (CONTROL_LINES), (size_t) meta_size, self->body_size,
                      WIRE_SIGNATURE_BYTES};
    //  Our own lines always wait for room rather than be dropped
    s_send (self, frames, sizes, 4, false);
    //  A course peer reads one frame per line, in its format (never in a locked room, whose
    //  lines are sealed: a copy in clear would reach its relay)
    bool copies = self->course_listeners > 0 && !roomlock_locked (self->lock);
    for (size_t i = 0; copies && i < self->waiting; i++) {
        const void *line[] = {self->lines[i].data};
        s_send (self, line, &self->lines[i].size, 1, false);
    }
    self->seq += self->waiting;
    s_tell_sent (self, first_seq);
    self->waiting = self->body_size = 0;
}

//  Send a message of count frames, our metadata among them, with its signature last.
static int
s_send_signed (publisher_t *self, const void **frames, size_t *sizes, size_t count, bool may_drop)
{
    uint8_t signature[WIRE_SIGNATURE_BYTES];
    signing_sign_frames (self->identity, frames, sizes, count, signature);
    frames[count] = signature;
    sizes[count] = sizeof signature;
    return s_send (self, frames, sizes, count + 1, may_drop);
}

int
publisher_send_control (publisher_t *self, const char *topic, const void *body, size_t body_size)
{
    publisher_send_lines (self); //  a heartbeat must not announce lines still waiting
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (self, 0, meta, sizeof meta);
    if (meta_size < 0)
        return -1;
    const void *frames[4] = {topic, meta, body};
    size_t sizes[4] = {strlen (topic), (size_t) meta_size, body_size};
    return s_send_signed (self, frames, sizes, 3, true);
}

int
publisher_send_control_to (publisher_t *self, const uint8_t to[WIRE_SENDER_BYTES], const char *kind,
                           const void *body, size_t body_size)
{
    publisher_send_lines (self); //  as for any heartbeat: no lines still waiting behind it
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (self, 0, meta, sizeof meta);
    if (meta_size < 0)
        return -1;
    return publisher_send_private (self, to, kind, body, body_size, meta, (size_t) meta_size, true,
                                   true);
}

int
publisher_send_private (publisher_t *self, const uint8_t to[WIRE_SENDER_BYTES], const char *kind,
                        const void *body, size_t body_size, const void *meta, size_t meta_size,
                        bool may_drop, bool sign)
{
    char topic[CONTROL_PRIVATE_BYTES + 1];
    if (control_encode_private (topic, sizeof topic, to) < 0)
        return -1;
    //  "!id", kind, [body], meta, [signature]
    const void *frames[5] = {topic, kind, body ? body : meta, meta};
    size_t sizes[5] = {CONTROL_PRIVATE_BYTES, strlen (kind), body ? body_size : meta_size,
                       meta_size};
    size_t count = body ? 4 : 3;
    if (sign)
        return s_send_signed (self, frames, sizes, count, may_drop);
    return s_send (self, frames, sizes, count, may_drop);
}

int
publisher_send_forward (publisher_t *self, const uint8_t author[WIRE_SENDER_BYTES],
                        const void *const *frames, const size_t *sizes, size_t count)
{
    char topic[CONTROL_VIA_BYTES + 1];
    if (count + 1 > OUTBOX_FRAMES_MAX ||
        control_encode_via (topic, sizeof topic, self->id, author) != CONTROL_VIA_BYTES)
        return -1;
    const void *all[OUTBOX_FRAMES_MAX] = {topic};
    size_t all_sizes[OUTBOX_FRAMES_MAX] = {CONTROL_VIA_BYTES};
    for (size_t i = 0; i < count; i++)
        all[i + 1] = frames[i], all_sizes[i + 1] = sizes[i];
    return s_send (self, all, all_sizes, count + 1, true);
}

int
publisher_send_as_is (publisher_t *self, const void *const *frames, const size_t *sizes,
                      size_t count)
{
    return count <= OUTBOX_FRAMES_MAX ? s_send (self, frames, sizes, count, true) : -1;
}

int
publisher_connect (publisher_t *self, const char *endpoint)
{
    return zmq_connect (zsock_resolve (self->socket), endpoint);
}

int
publisher_disconnect (publisher_t *self, const char *endpoint)
{
    return zmq_disconnect (zsock_resolve (self->socket), endpoint);
}

bool
publisher_flush (publisher_t *self)
{
    return outbox_flush (self->outbox, zclock_mono ());
}

void
publisher_drain (publisher_t *self)
{
    //  A stalled listener holds it up at most OUTBOX_STALL_MS, then loses it (there is nothing
    //  to poll for room in libzmq's queues)
    publisher_send_lines (self);
    int64_t deadline = zclock_mono () + 2 * OUTBOX_STALL_MS;
    while (!outbox_flush (self->outbox, zclock_mono ()) && zclock_mono () < deadline)
        zclock_sleep (OUTBOX_RETRY_MS);
}

//  Show a subscription in the view of the wire. The one-byte subscriptions that together mean
//  "every channel" are shown as one line.
static void
s_debug_subscription (const uint8_t *data, size_t size, const char *address)
{
    if (size == 2 && data[1] != '0')
        return; //  '0' is the first of them, in the order a SUB socket sends them
    char safe[4 * NAME_MAX_BYTES + 8];
    text_sanitize ((const char *) data + 1, size - 1 > NAME_MAX_BYTES ? NAME_MAX_BYTES : size - 1,
                   safe, sizeof safe);
    if (size == 2)
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to every channel")
                                 : _ ("PUB %s unsubscribes from every channel"),
                    address);
    else if (size == 1)
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to everything")
                                 : _ ("PUB %s unsubscribes from everything"),
                    address);
    else
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to \"%s\"")
                                 : _ ("PUB %s unsubscribes from \"%s\""),
                    address, safe);
}

//  A course peer subscribes to its channel name (no '>'): say so.
static void
s_tell_course_peer (publisher_t *self, const uint8_t *topic, size_t topic_size, const char *address)
{
    char safe[4 * NAME_MAX_BYTES + 8];
    text_sanitize ((const char *) topic, topic_size > NAME_MAX_BYTES ? NAME_MAX_BYTES : topic_size,
                   safe, sizeof safe);
    term_notice (_ ("%s listens to \"%s\"%s"), *address ? address : "?", safe,
                 self->plain ? ""
                             : _ (" (a course peer? it gets each line in its own one-frame "
                                  "format)"));
}

//  One more (subscribe) or one less in *count, never below 0.
static void
s_count (int *count, bool subscribe)
{
    *count += subscribe ? 1 : -1;
    if (*count < 0)
        *count = 0;
}

//  A listener (un)subscribed to topic (topic_size bytes), listen_port being what the topic
//  says as "~listen PORT" (or <= 0): a chat, a plain subscriber to everything (an older chat, a
//  tool), or a course peer (its channel name) is counted. Returns true when event is worth
//  reporting: a chat or plain subscriber started listening.
static bool
s_listener (publisher_t *self, bool subscribe, const uint8_t *topic, size_t topic_size,
            int listen_port, publisher_event_t *event)
{
    bool plain = topic_size == 0;
    bool course = topic_size > 1 && topic[0] != CONTROL_PREFIX[0] && topic[0] != CONTROL_PRIVATE[0];
    if (listen_port <= 0 && !plain && !course)
        return false;
    s_count (&self->listeners, subscribe);
    if (plain || course)
        s_count (&self->course_listeners, subscribe);
    if (course && subscribe)
        s_tell_course_peer (self, topic, topic_size, event->address);
    event->kind = PUBLISHER_LISTENER;
    event->port = listen_port > 0 ? listen_port : 0;
    return subscribe && !course;
}

//  True when a subscription (data, size bytes) is "~hello ID", a chat that reads its first
//  heartbeat on its private topic: event says who.
static bool
s_hello (const uint8_t *data, size_t size, publisher_event_t *event)
{
    if (control_decode_hello (data + 1, size - 1, event->author) != 0)
        return false;
    event->kind = PUBLISHER_HELLO;
    if (term_debug_on () && data[0] == 1)
        s_debug_subscription (data, size, *event->address ? event->address : "?");
    return true;
}

//  Make sense of one subscription (data: its first byte 1 to subscribe or 0 to unsubscribe,
//  then the topic) from event->address, and fill event. Returns true when it is worth
//  reporting.
static bool
s_subscription (publisher_t *self, const uint8_t *data, size_t size, publisher_event_t *event)
{
    bool subscribe = data[0] == 1;
    const uint8_t *topic = data + 1;
    size_t topic_size = size - 1;
    uint8_t forwarder[WIRE_SENDER_BYTES];
    if (control_decode_via (topic, topic_size, forwarder, event->author) == 0) {
        //  "~via FORWARDER AUTHOR": ours to act on only when we are the forwarder it names
        event->kind = PUBLISHER_FORWARD;
        event->subscribe = subscribe;
        if (term_debug_on ())
            s_debug_subscription (data, size, *event->address ? event->address : "?");
        return memcmp (forwarder, self->id, WIRE_SENDER_BYTES) == 0;
    }
    if (s_hello (data, size, event))
        return subscribe;
    //  Each topic is decoded once: "~listen PORT", a request, or something else
    int listen_port = topic_size > 1 ? control_decode_listen (topic, topic_size) : -1;
    bool is_request = listen_port <= 0 && topic_size > 1 &&
                      control_decode_request (topic, topic_size, &event->request) == 0;
    //  A request's unsubscription, which follows it at once, is not worth a line
    if (term_debug_on () && (subscribe || !is_request))
        s_debug_subscription (data, size, *event->address ? event->address : "?");
    if (!is_request)
        return s_listener (self, subscribe, topic, topic_size, listen_port, event);
    event->kind = PUBLISHER_REQUEST;
    //  A request for another publisher the same subscriber listens to is ours only when we
    //  forward that publisher's messages (the caller knows)
    event->to_us = memcmp (event->request.target, self->id, WIRE_SENDER_BYTES) == 0;
    return subscribe;
}

bool
publisher_next_event (publisher_t *self, publisher_event_t *event)
{
    zframe_t *frame;
    bool found = false;
    while (!found && (frame = zframe_recv (self->socket)) != NULL) {
        const uint8_t *data = zframe_data (frame);
        size_t size = zframe_size (frame);
        *event = (publisher_event_t){.kind = PUBLISHER_LISTENER};
        const char *address = zframe_meta (frame, "Peer-Address");
        if (address) {
            address = address_unmapped (address);
            size_t length = strnlen (address, sizeof event->address - 1);
            memcpy (event->address, address, length);
            event->address[length] = 0;
        }
        if (size > 0 && (data[0] == 0 || data[0] == 1))
            found = s_subscription (self, data, size, event);
        zframe_destroy (&frame);
    }
    return found;
}

void *
publisher_socket (publisher_t *self)
{
    return zsock_resolve (self->socket);
}

int
publisher_news_fd (publisher_t *self)
{
    int fd = -1;
    size_t fd_size = sizeof fd;
    if (zmq_getsockopt (zsock_resolve (self->socket), ZMQ_FD, &fd, &fd_size) != 0)
        return -1;
    return fd;
}

void *
publisher_monitor (publisher_t *self)
{
    return self->monitor ? zsock_resolve (self->monitor) : NULL;
}

void
publisher_take_news (publisher_t *self)
{
    int ready;
    size_t ready_size = sizeof ready;
    zmq_getsockopt (zsock_resolve (self->socket), ZMQ_EVENTS, &ready, &ready_size);
}

void
publisher_read_monitor (publisher_t *self)
{
    uint16_t id;
    uint32_t value;
    char endpoint[ENDPOINT_MAX_BYTES];
    if (self->monitor &&
        monitor_next (self->monitor, "PUB", &id, &value, endpoint, sizeof endpoint) == 0)
        roomlock_publisher_refused (self->lock, id, value);
}
