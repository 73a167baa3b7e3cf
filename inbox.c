/*  inbox.c - what arrives on the SUB socket (see inbox.h).

    Messages land in zmq_msg_t reused from message to message: no allocation per message, as
    zmsg_recv would make.
*/
#include "inbox.h"
#include "address.h"
#include "control.h"
#include "forward.h"
#include "i18n.h"
#include "presence.h"
#include "private.h"
#include "ratelimit.h"
#include "repair.h"
#include "roomseal.h"
#include "routes.h"
#include "signing.h"
#include "streams.h"
#include "term.h"
#include "text.h"
#include "view.h"

#include <czmq.h>
#include <inttypes.h>

struct _inbox_t {
    void *sub;                          //  the SUB socket (not owned)
    channels_t *channels;               //  the channel table (not owned)
    room_t *room;                       //  the members (not owned)
    backlog_t *backlog;                 //  the room's recent lines (not owned)
    uint8_t self_id[WIRE_SENDER_BYTES]; //  ours
    streams_t *streams;                 //  each sender's lines in order, and the gaps
    repair_t *repair;                   //  asking for what we missed
    presence_inbox_t *presence;         //  others' heartbeats and goodbyes
    private_inbox_t *private;           //  private messages to us
    ratelimit_t notices;                //  the lines about malformed messages
    ratelimit_t forged_notices;         //  ... and about bad signatures
    uint64_t forged;                    //  messages dropped for a bad signature
    uint8_t old_peers[INBOX_OLD_PEERS_MAX][WIRE_SENDER_BYTES]; //  version 1 senders told of
    uint8_t ended[INBOX_ENDED_MAX][WIRE_SENDER_BYTES];         //  senders that said goodbye
    size_t ended_next;                                         //  where the next one goes
    size_t ended_count;                                        //  how many there are
    size_t old_peers_next;                                     //  where the next one is remembered
    char private_topic[CONTROL_PRIVATE_BYTES + 1]; //  "!" + our id in hex: messages for us
    signing_line_t lines[WIRE_BATCH_LINES_MAX];    //  the lines of a batch received
    signing_batch_t batch;                         //  ... and its tree
    signing_cache_t cache;                         //  the last signature that verified
    known_t *known;                                //  the key first seen for each nick
    uint8_t line_meta[WIRE_LINE_META_MAX_BYTES];   //  one line's metadata and proof
    routes_t *routes;                              //  whom we hear through whom
    forward_t *forward;                            //  the authors others want through us
    const uint8_t *forwarder;     //  while a forwarded message is handled: who forwarded it
    bool from_chat;               //  ... and while any is: its connection says X-Chatt 2
    const roomseal_t *content;    //  a locked room's content key (NULL: open, or we relay it)
    bool sealed_room;             //  the room is locked: every line must be sealed
    char opened[FRAME_MAX_BYTES]; //  a sealed line, opened
};

//  Where a chat line came from
typedef enum {
    ORIGIN_LIVE,   //  as it was sent
    ORIGIN_RESENT, //  resent by its sender, to repair a gap
    ORIGIN_HISTORY //  history from before we joined
} origin_t;

//  One chat line, its frames and what they decoded to
typedef struct {
    const inbox_frame_t *line_frame; //  frame 1 as received
    const inbox_frame_t *meta_frame; //  frame 2 as received, or NULL from a plain peer
    wire_line_t line;                //  frame 1, decoded
    wire_meta_t meta;                //  frame 2, decoded (when meta_frame)
    int key_changed;                 //  its key is not the one its nick had: 1; 0; -1 not known
    bool unread;                     //  sealed, and we relay the room without its key
} received_t;

inbox_t *
inbox_new (void *sub, channels_t *channels, peers_t *peers, room_t *room, backlog_t *backlog,
           const uint8_t self_id[WIRE_SENDER_BYTES], size_t history_lines)
{
    inbox_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sub = sub;
    self->channels = channels;
    self->room = room;
    self->backlog = backlog;
    memcpy (self->self_id, self_id, WIRE_SENDER_BYTES);
    self->notices = RATELIMIT (INBOX_NOTICES_PER_SECOND, 1000);
    self->forged_notices = RATELIMIT (1, 1000);
    if (control_encode_private (self->private_topic, sizeof self->private_topic, self_id) < 0) {
        free (self);
        return NULL;
    }
    self->streams = streams_new ();
    if (self->streams)
        self->repair = repair_new (sub, self->streams, room, self_id, history_lines);
    self->routes = routes_new (self_id);
    if (self->repair && self->routes)
        self->presence =
            presence_inbox_new (room, peers, self->streams, self->repair, self->routes, self_id);
    self->private = private_inbox_new (sub, room);
    if (!self->presence || !self->private)
        inbox_destroy (&self);
    return self;
}

void
inbox_destroy (inbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inbox_t *self = *self_p;
    private_inbox_destroy (&self->private);
    presence_inbox_destroy (&self->presence);
    routes_destroy (&self->routes);
    repair_destroy (&self->repair);
    streams_destroy (&self->streams);
    free (self);
    *self_p = NULL;
}

//  Frame i of a message of count frames, or NULL when it has fewer.
static const inbox_frame_t *
s_frame (const inbox_frame_t *frames, size_t count, size_t i)
{
    return i < count ? &frames[i] : NULL;
}

//  True when frame holds exactly the string text.
static bool
s_frame_is (const inbox_frame_t *frame, const char *text)
{
    size_t size = strlen (text);
    return frame && frame->size == size && memcmp (frame->data, text, size) == 0;
}

//  True when limit lets one more notice out at now_ms: who made safe into safe (safe_size
//  bytes), and how many were held back since the last one into *held.
static bool
s_notice_due (ratelimit_t *limit, const char *who, char *safe, size_t safe_size, int *held,
              int64_t now_ms)
{
    if (!ratelimit_allow (limit, now_ms))
        return false;
    text_sanitize (who, strlen (who), safe, safe_size);
    *held = ratelimit_take_held (limit);
    return true;
}

//  Say that a message from who was refused, and why, within the notice rate.
static void
s_refused (inbox_t *self, const char *who, const char *why, int64_t now_ms)
{
    char safe_who[4 * ENDPOINT_MAX_BYTES];
    int held;
    if (!s_notice_due (&self->notices, who, safe_who, sizeof safe_who, &held, now_ms))
        return;
    if (held > 0)
        term_notice (_ ("bad message from %s: %s (and %d more not shown)"), safe_who, _ (why),
                     held);
    else
        term_notice (_ ("bad message from %s: %s"), safe_who, _ (why));
}

//  A message from who whose signature does not verify: dropped and counted, and told in one
//  line a second at most.
static void
s_forged (inbox_t *self, const char *who, int64_t now_ms)
{
    self->forged++;
    char safe_who[4 * ENDPOINT_MAX_BYTES];
    int held;
    if (!s_notice_due (&self->forged_notices, who, safe_who, sizeof safe_who, &held, now_ms))
        return;
    if (held > 0)
        term_notice (_ ("dropped a message from %s: its signature does not verify (and %d more)"),
                     safe_who, held);
    else
        term_notice (_ ("dropped a message from %s: its signature does not verify"), safe_who);
}

//  A message signed by nobody, from a chat of protocol version 1 (meta): say once per sender
//  what that means.
static void
s_old_peer (inbox_t *self, const wire_meta_t *meta, const char *address)
{
    for (size_t i = 0; i < INBOX_OLD_PEERS_MAX; i++)
        if (memcmp (self->old_peers[i], meta->sender, WIRE_SENDER_BYTES) == 0)
            return;
    memcpy (self->old_peers[self->old_peers_next], meta->sender, WIRE_SENDER_BYTES);
    self->old_peers_next = (self->old_peers_next + 1) % INBOX_OLD_PEERS_MAX;
    char safe[4 * ENDPOINT_MAX_BYTES];
    text_sanitize (address, strlen (address), safe, sizeof safe);
    term_notice (_ ("%s (%s) runs an older chat, protocol version 1, which signs nothing: its "
                    "lines are shown by its address (update it)"),
                 safe, meta->nick);
}

//  Describe a received message for the view of the wire: its frames, sender and metadata.
static void
s_debug_received (const inbox_frame_t *first, size_t total, const char *address,
                  const wire_meta_t *meta)
{
    if (s_frame_is (first, CONTROL_BEAT))
        return; //  heartbeats come every second from everyone: the view of the wire leaves them out
    char safe[SANITIZED_MAX_BYTES], safe_address[4 * ENDPOINT_MAX_BYTES];
    text_sanitize ((const char *) first->data, first->size, safe, sizeof safe);
    text_sanitize (address, strlen (address), safe_address, sizeof safe_address);
    if (meta)
        term_debug (_ ("SUB got %zu frames from %s: \"%s\" + metadata (version %u, nick %s, "
                       "seq %" PRIu64 ")"),
                    total, safe_address, safe, (unsigned) meta->version, meta->nick, meta->seq);
    else
        term_debug (_ ("SUB got %zu frame(s) from %s: \"%s\""), total, safe_address, safe);
}

//  Show a chat line if it is the next of its sender (or history not shown yet) and its channel
//  is heard; keep it for those who join later.
static void
s_deliver (inbox_t *self, received_t *received, const char *address, origin_t origin,
           int64_t now_ms)
{
    const wire_meta_t *meta = received->meta_frame ? &received->meta : NULL;
    char name[NAME_MAX_BYTES + 8];
    view_line_t view = {.when = time (NULL),
                        .channel = received->line.channel,
                        .sender = address,
                        .text = received->line.text,
                        .text_size = received->line.text_size,
                        .history = origin == ORIGIN_HISTORY,
                        .color = term_color_on (),
                        .json = term_json_on ()};
    if (meta) {
        if (memcmp (meta->sender, self->self_id, WIRE_SENDER_BYTES) == 0)
            return; //  our own line, heard through a loop in the mesh
        if (origin == ORIGIN_HISTORY) {
            if (!streams_history (self->streams, meta->sender, meta->seq, now_ms))
                return;
            view.when = (time_t) (meta->sent_ms / 1000);
        } else if (meta->seq &&
                   streams_line (self->streams, meta->sender, meta->seq, now_ms) != STREAMS_SHOW)
            return; //  shown already, or ahead of a gap being repaired
        if (received->key_changed < 0)
            received->key_changed = presence_key_changed (self->known, meta);
        if (received->key_changed) //  another key than this nick had: never shown as if it were
            identity_tag_nick (meta->nick, meta->public_key, name, sizeof name);
        else
            room_line (self->room, meta->sender, meta->nick, name, sizeof name);
        view.sender = name;
        if (meta->seq)
            backlog_keep (self->backlog, received->line_frame->data, received->line_frame->size,
                          received->meta_frame->data, received->meta_frame->size,
                          received->line.channel, meta);
    }
    if (received->unread || !channels_accept (self->channels, received->line.channel))
        return;
    char formatted[LINE_MAX_BYTES];
    view_format (formatted, sizeof formatted, &view);
    term_line (formatted);
}

//  Read line (frame 1 of the line of seq by sender, its signature checked) into received, as
//  roomseal_read_line does (in a locked room it is sealed). Returns 0, or -1 after a notice.
static int
s_read_line (inbox_t *self, const inbox_frame_t *line, uint64_t seq,
             const uint8_t sender[WIRE_SENDER_BYTES], received_t *received, const char *address,
             int64_t now_ms)
{
    const char *why =
        roomseal_read_line (self->content, self->sealed_room, seq, sender, line->data, line->size,
                            &received->line, self->opened, sizeof self->opened, &received->unread);
    if (why)
        s_refused (self, address, why, now_ms);
    return why ? -1 : 0;
}

//  Decode a chat line carried inside a private message (frames line and meta). Returns 0, or
//  -1 after a notice.
static int
s_decode_inner (inbox_t *self, const inbox_frame_t *line, const inbox_frame_t *meta,
                const char *address, received_t *received, int64_t now_ms)
{
    if (!line || !meta) {
        s_refused (self, address, N_ ("a frame is missing"), now_ms);
        return -1;
    }
    received->line_frame = line;
    received->meta_frame = meta;
    //  A plain line is read first; a sealed one only once its signature holds
    if (!self->sealed_room &&
        s_read_line (self, line, 0, self->self_id, received, address, now_ms) != 0)
        return -1;
    wire_error_t error = wire_decode_meta (meta->data, meta->size, &received->meta);
    if (error == WIRE_OK && received->meta.seq == 0)
        error = WIRE_BAD_META;
    if (error != WIRE_OK) {
        s_refused (self, address, wire_strerror (error), now_ms);
        return -1;
    }
    if (!received->meta.keyed) {
        s_old_peer (self, &received->meta, address);
        return -1;
    }
    //  Resent or history, it must prove its author (history outlives its author's run)
    if (!signing_line_verify (&received->meta, meta->data, meta->size, line->data, line->size,
                              &self->cache)) {
        s_forged (self, address, now_ms);
        return -1;
    }
    return self->sealed_room ? s_read_line (self, line, received->meta.seq, received->meta.sender,
                                            received, address, now_ms)
                             : 0;
}

//  True when sender said goodbye: its run is over, so a message in its name is a replay.
static bool
s_ended (inbox_t *self, const uint8_t sender[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < self->ended_count; i++)
        if (memcmp (self->ended[i], sender, WIRE_SENDER_BYTES) == 0)
            return true;
    return false;
}

//  True when a control message sent at meta's time is not from far from now (else it is a
//  replay, or its clock is far off).
static bool
s_fresh (const wire_meta_t *meta)
{
    uint64_t now = (uint64_t) zclock_time ();
    uint64_t skew = now > meta->sent_ms ? now - meta->sent_ms : meta->sent_ms - now;
    return skew <= INBOX_CONTROL_SKEW_MS;
}

//  True when a message of count frames ends with a valid signature, by the sender of meta
//  (frame meta_at, decoded): else it is told (a bad signature) or, from an older chat, ignored.
static bool
s_signed (inbox_t *self, const inbox_frame_t *frames, size_t count, size_t meta_at,
          const char *malformed, const char *address, int64_t now_ms)
{
    wire_meta_t meta;
    if (count < 2 || meta_at >= count - 1 ||
        wire_decode_meta (frames[meta_at].data, frames[meta_at].size, &meta) != WIRE_OK) {
        if (malformed)
            s_refused (self, address, malformed, now_ms);
        return false;
    }
    if (!meta.keyed) {
        s_old_peer (self, &meta, address);
        return false;
    }
    const void *data[INBOX_FRAMES_MAX];
    size_t sizes[INBOX_FRAMES_MAX];
    for (size_t i = 0; i < count - 1; i++)
        data[i] = frames[i].data, sizes[i] = frames[i].size;
    if (!signing_verify_frames (&meta, data, sizes, count - 1, frames[count - 1].data,
                                frames[count - 1].size)) {
        s_forged (self, address, now_ms);
        return false;
    }
    return !s_ended (self, meta.sender);
}

//  The news that a sender's lines are gone, or that the history is complete (kind), with the
//  sender's metadata frame meta.
static void
s_news (inbox_t *self, const inbox_frame_t *kind, const inbox_frame_t *meta_frame,
        const char *address, int64_t now_ms)
{
    wire_meta_t meta;
    if (!meta_frame || wire_decode_meta (meta_frame->data, meta_frame->size, &meta)) {
        s_refused (self, address, N_ ("a malformed control message"), now_ms);
        return;
    }
    if (s_frame_is (kind, CONTROL_KIND_HISTORY_END))
        repair_history_done (self->repair);
    else
        repair_gone (self->repair, meta.sender, meta.seq, now_ms);
}

//  A signed message on our private topic (kind frames[1]): lines gone, the end of the history,
//  a heartbeat for us, or a private message.
static void
s_private_signed (inbox_t *self, const inbox_frame_t *frames, size_t count, const char *address,
                  int64_t now_ms)
{
    const inbox_frame_t *kind = &frames[1];
    const inbox_frame_t *first = s_frame (frames, count, 2);
    const inbox_frame_t *second = s_frame (frames, count, 3);
    if (s_frame_is (kind, CONTROL_KIND_GONE) || s_frame_is (kind, CONTROL_KIND_HISTORY_END)) {
        if (s_signed (self, frames, count, 2, N_ ("a malformed control message"), address, now_ms))
            s_news (self, kind, first, address, now_ms);
    } else if (s_frame_is (kind, CONTROL_KIND_BEAT)) {
        //  Our first heartbeat from its sender (body, meta, signature), as we began to listen:
        //  heard as one for all that came directly, but passed on to nobody (those are)
        wire_meta_t meta;
        if (s_signed (self, frames, count, 3, N_ ("a malformed control message"), address,
                      now_ms) &&
            wire_decode_meta (second->data, second->size, &meta) == WIRE_OK && s_fresh (&meta)) {
            presence_inbox_receive (self->presence, CONTROL_BEAT, strlen (CONTROL_BEAT), &meta,
                                    first->data, first->size, address, NULL, now_ms);
            room_set_plain (self->room, meta.sender, !self->from_chat);
        }
    } else if (s_frame_is (kind, CONTROL_KIND_MESSAGE) &&
               s_signed (self, frames, count, 3, N_ ("a malformed private message"), address,
                         now_ms) &&
               private_inbox_receive (self->private, first->data, first->size, second->data,
                                      second->size))
        s_refused (self, address, N_ ("a malformed private message"), now_ms);
}

//  Queue the frames of a verified message, of kind, for who (forward.h).
static void
s_queue (forward_t *forward, const uint8_t who[WIRE_SENDER_BYTES], forward_kind_t kind,
         const inbox_frame_t *frames, size_t count)
{
    const void *data[FORWARD_FRAMES_MAX];
    size_t sizes[FORWARD_FRAMES_MAX];
    for (size_t i = 0; i < count && i < FORWARD_FRAMES_MAX; i++)
        data[i] = frames[i].data, sizes[i] = frames[i].size;
    forward_push (forward, who, kind, data, sizes,
                  count < FORWARD_FRAMES_MAX ? count : FORWARD_FRAMES_MAX);
}

//  Queue a verified message of author's, heard directly, for those who asked us to forward
//  author's messages (one hop: what was forwarded to us goes no further).
static void
s_pass_on (inbox_t *self, const uint8_t author[WIRE_SENDER_BYTES], const inbox_frame_t *frames,
           size_t count)
{
    //  Behind its "~via" frame it must still fit what a receiver reads of a message
    if (self->forward && !self->forwarder && count < INBOX_FRAMES_MAX)
        s_queue (self->forward, author, FORWARD_VIA, frames, count);
}

//  A private message (kind "msg") for a member that others ask us to forward, which cannot
//  hear its sender: once its signature holds, queued to go out as it is.
static void
s_pass_on_private (inbox_t *self, const inbox_frame_t *frames, size_t count, const char *address,
                   int64_t now_ms)
{
    uint8_t recipient[WIRE_SENDER_BYTES];
    const inbox_frame_t *kind = s_frame (frames, count, 1);
    if (!self->forward || self->forwarder || !kind || !s_frame_is (kind, CONTROL_KIND_MESSAGE) ||
        control_decode_private (frames[0].data, frames[0].size, recipient) != 0 ||
        !forward_wanted (self->forward, recipient) ||
        !s_signed (self, frames, count, 3, NULL, address, now_ms))
        return;
    s_queue (self->forward, recipient, FORWARD_PRIVATE, frames, count);
}

//  A message on a private topic: for us, a resent line, history, a gap that cannot be repaired, the
//  end of the history, or a private message.
static void
s_private (inbox_t *self, const inbox_frame_t *frames, size_t count, const char *address,
           int64_t now_ms)
{
    const inbox_frame_t *kind = s_frame (frames, count, 1);
    const inbox_frame_t *first = s_frame (frames, count, 2);
    const inbox_frame_t *second = s_frame (frames, count, 3);
    received_t received = {.key_changed = -1};
    if (!s_frame_is (&frames[0], self->private_topic)) {
        //  Another peer's: we subscribe to it only for a member we forward to
        s_pass_on_private (self, frames, count, address, now_ms);
        return;
    }
    if (!kind)
        s_refused (self, address, N_ ("a frame is missing"), now_ms);
    else if (s_frame_is (kind, CONTROL_KIND_LINE) || s_frame_is (kind, CONTROL_KIND_HISTORY)) {
        if (s_decode_inner (self, first, second, address, &received, now_ms) == 0)
            s_deliver (self, &received, address,
                       s_frame_is (kind, CONTROL_KIND_LINE) ? ORIGIN_RESENT : ORIGIN_HISTORY,
                       now_ms);
    } else
        s_private_signed (self, frames, count, address, now_ms);
}

//  True when the batch of lines in self->lines, by the sender of meta (frame meta_frame),
//  verifies with signature and is not a replay (else it is counted, or dropped).
static bool
s_batch_verified (inbox_t *self, const wire_meta_t *meta, const inbox_frame_t *meta_frame,
                  const inbox_frame_t *signature, size_t lines, const char *address, int64_t now_ms)
{
    if (!signing_meta_valid (meta) ||
        signing_batch_build (&self->batch, meta_frame->data, meta_frame->size, meta->seq,
                             self->lines, lines) ||
        !signing_batch_verify (&self->batch, meta->public_key, signature->data, signature->size)) {
        s_forged (self, address, now_ms);
        return false;
    }
    return !s_ended (self, meta->sender); //  its sender said goodbye: a replay
}

//  A batch of chat lines, signed once ("~lines", metadata, body, signature): each line, once
//  the batch verifies, is handled as if it had come alone with its proof.
static void
s_batch (inbox_t *self, const inbox_frame_t *frames, size_t count, const char *address,
         int64_t now_ms)
{
    received_t received = {.key_changed = -1}; //  one check for the whole batch
    const inbox_frame_t *meta = s_frame (frames, count, 1), *body = s_frame (frames, count, 2);
    const inbox_frame_t *signature = s_frame (frames, count, 3);
    int lines =
        body ? signing_decode_body (body->data, body->size, self->lines, WIRE_BATCH_LINES_MAX) : -1;
    if (!meta || !signature || lines < 1 ||
        wire_decode_meta (meta->data, meta->size, &received.meta) != WIRE_OK ||
        !received.meta.keyed || received.meta.size != meta->size || received.meta.seq == 0) {
        s_refused (self, address, N_ ("a malformed batch of lines"), now_ms);
        return;
    }
    if (!s_batch_verified (self, &received.meta, meta, signature, (size_t) lines, address, now_ms))
        return;
    s_pass_on (self, received.meta.sender, frames, count);
    uint64_t first_seq = received.meta.seq;
    inbox_frame_t line_frame, line_meta = {self->line_meta, 0};
    received.line_frame = &line_frame;
    received.meta_frame = &line_meta;
    for (size_t i = 0; i < (size_t) lines; i++) {
        line_frame = (inbox_frame_t){self->lines[i].data, self->lines[i].size};
        int size = signing_line_meta (&self->batch, i, self->line_meta, sizeof self->line_meta);
        if (size < 0 || s_read_line (self, &line_frame, first_seq + i, received.meta.sender,
                                     &received, address, now_ms) != 0)
            continue;
        line_meta.size = (size_t) size;
        received.meta.seq = first_seq + i;
        s_deliver (self, &received, address, ORIGIN_LIVE, now_ms);
    }
}

//  A chat line on a channel (frame 1 decoded into received, error its decoding; meta_error the
//  decoding of frame 2, meta_frame, when there is one): shown, or refused with one line.
static void
s_chat_line (inbox_t *self, received_t *received, wire_error_t error,
             const inbox_frame_t *meta_frame, wire_error_t meta_error, const char *address,
             int64_t now_ms)
{
    if (error != WIRE_OK) {
        s_refused (self, address, wire_strerror (error), now_ms);
        return;
    }
    if (meta_frame && meta_error == WIRE_OK && received->meta.keyed) {
        //  A chat of version 2 sends its lines in signed batches: this one proves nothing
        s_forged (self, address, now_ms);
        return;
    }
    if (meta_frame && meta_error == WIRE_OK)
        s_old_peer (self, &received->meta, address); //  shown by address: nobody signed it
    else if (meta_frame)
        //  The line itself is good: show it as a plain peer's, and say why
        s_refused (self, address, wire_strerror (meta_error), now_ms);
    s_deliver (self, received, address, ORIGIN_LIVE, now_ms);
}

//  Control traffic (a heartbeat, a goodbye: meta decoded from frame 2) is never shown as a
//  line; it counts only when signed, and fresh.
static void
s_control (inbox_t *self, const inbox_frame_t *frames, size_t count, const wire_meta_t *meta,
           const char *address, int64_t now_ms)
{
    const inbox_frame_t *body = s_frame (frames, count, 2);
    if (!s_fresh (meta) || !s_signed (self, frames, count, 1, NULL, address, now_ms))
        return;
    s_pass_on (self, meta->sender, frames, count);
    if (s_frame_is (&frames[0], CONTROL_BYE)) {
        memcpy (self->ended[self->ended_next], meta->sender, WIRE_SENDER_BYTES);
        self->ended_next = (self->ended_next + 1) % INBOX_ENDED_MAX;
        if (self->ended_count < INBOX_ENDED_MAX)
            self->ended_count++;
    }
    presence_inbox_receive (self->presence, frames[0].data, frames[0].size, meta,
                            body ? body->data : NULL, body ? body->size : 0, address,
                            self->forwarder, now_ms);
    if (!self->forwarder && s_frame_is (&frames[0], CONTROL_BEAT))
        room_set_plain (self->room, meta->sender, !self->from_chat); //  --plain: one-frame lines
}

//  A message another member forwarded ("~via FORWARDER AUTHOR", then the author's own
//  message): handled as if heard from the author, whose signature it must carry.
static void
s_forwarded (inbox_t *self, const inbox_frame_t *frames, size_t count, const char *address,
             int64_t now_ms)
{
    uint8_t forwarder[WIRE_SENDER_BYTES], author[WIRE_SENDER_BYTES];
    wire_meta_t meta;
    const inbox_frame_t *inner = frames + 1;
    if (count < 3 || control_decode_via (frames[0].data, frames[0].size, forwarder, author) != 0 ||
        wire_decode_meta (inner[1].data, inner[1].size, &meta) != WIRE_OK ||
        memcmp (meta.sender, author, WIRE_SENDER_BYTES) != 0) {
        s_refused (self, address, N_ ("a malformed forwarded message"), now_ms);
        return;
    }
    if (memcmp (author, self->self_id, WIRE_SENDER_BYTES) == 0)
        return; //  our own, come round
    self->forwarder = forwarder;
    if (s_frame_is (&inner[0], CONTROL_LINES))
        s_batch (self, inner, count - 1, address, now_ms);
    else if (s_frame_is (&inner[0], CONTROL_BEAT) || s_frame_is (&inner[0], CONTROL_BYE))
        s_control (self, inner, count - 1, &meta, address, now_ms);
    else
        s_refused (self, address, N_ ("a malformed forwarded message"), now_ms);
    self->forwarder = NULL;
}

void
inbox_handle (inbox_t *self, const inbox_frame_t *frames, size_t count, size_t total,
              const char *address, bool from_chat, int64_t now_ms)
{
    const inbox_frame_t *line_frame = s_frame (frames, count, 0);
    const inbox_frame_t *meta_frame = s_frame (frames, count, 1);
    if (!line_frame)
        return;
    bool private = line_frame->size > 0 && line_frame->data[0] == CONTROL_PRIVATE[0];
    self->from_chat = from_chat;
    received_t received = {.line_frame = line_frame, .key_changed = -1};
    wire_error_t error =
        private ? WIRE_CONTROL
                : wire_decode_line (line_frame->data, line_frame->size, &received.line);
    wire_error_t meta_error =
        meta_frame ? wire_decode_meta (meta_frame->data, meta_frame->size, &received.meta)
                   : WIRE_BAD_META;
    if (term_debug_on ())
        s_debug_received (line_frame, total, address,
                          meta_error == WIRE_OK ? &received.meta : NULL);
    if (private)
        s_private (self, frames, count, address, now_ms);
    else if (control_is_via (line_frame->data, line_frame->size))
        s_forwarded (self, frames, count, address, now_ms);
    else if (s_frame_is (line_frame, CONTROL_LINES))
        s_batch (self, frames, count, address, now_ms);
    else if (error == WIRE_CONTROL && meta_error == WIRE_OK)
        s_control (self, frames, count, &received.meta, address, now_ms);
    else if (error != WIRE_CONTROL && !(from_chat && !meta_frame))
        //  (A chat's one-frame line is the copy for course peers of a line it signed)
        s_chat_line (self, &received, error, meta_frame, meta_error, address, now_ms);
}

//  What is due after messages were handled, at now_ms: the routes' and the forwarders'
//  subscriptions, and the repairs.
static void
s_settle (inbox_t *self, int64_t now_ms)
{
    routes_apply (self->routes, self->sub, self->room, now_ms);
    if (self->forward)
        forward_apply (self->forward, self->sub);
    repair_due (self->repair, now_ms);
}

void
inbox_settle (inbox_t *self, int64_t now_ms)
{
    s_settle (self, now_ms);
    term_flush ();
}

void
inbox_tick (inbox_t *self, int64_t now_ms)
{
    presence_inbox_expire (self->presence, now_ms);
    s_settle (self, now_ms);
}

void
inbox_set_seal (inbox_t *self, const roomseal_t *content, bool locked)
{
    self->content = content;
    self->sealed_room = locked;
}

void
inbox_set_forward (inbox_t *self, forward_t *forward)
{
    self->forward = forward;
}

routes_t *
inbox_routes (inbox_t *self)
{
    return self->routes;
}

void
inbox_set_trust (inbox_t *self, known_t *known, const identity_t *identity)
{
    self->known = known;
    presence_inbox_set_known (self->presence, known);
    private_inbox_set_identity (self->private, identity);
}

uint64_t
inbox_forged (inbox_t *self)
{
    return self->forged;
}

bool
inbox_repairing (inbox_t *self)
{
    return streams_repairing (self->streams);
}
