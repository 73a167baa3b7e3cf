/*  channels.c - the channel table, the subscriber thread, and how incoming lines are shown.

    Listening is "all channels, minus the silenced ones", as the course exercise asks: the SUB
    socket subscribes to every channel (one subscription per byte a channel name can start with,
    so that other peers' private topics stay out) and each line's channel, parsed exactly up to
    its '>', is checked against the table, so silencing "bud" never silences "buddy". Each
    sender's lines are shown in order and once (streams.h), gaps are repaired, and what is shown
    is kept for those who join later (backlog.h).
*/
#include "i18n.h"
#include "channels.h"
#include "address.h"
#include "control.h"
#include "monitor.h"
#include "streams.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define STOP_WAIT_MS 3000         // how long leaving waits for the subscriber thread
#define RECONNECT_IVL_MS 100      // first retry after a refused connection
#define RECONNECT_IVL_MAX_MS 1000 // retries back off up to this: a restarted peer is back soon
#define HANDSHAKE_IVL_MS 5000     // a port that does not speak ZeroMQ is given up after this
#define NOTICES_PER_SECOND 5      // malformed-message notices shown per second at most
#define HISTORY_WAIT_MS 3000      // a history request unanswered this long goes to another member
#define HISTORY_TRIES 3           // members asked for history at most
#define PRIVATE_SEEN_MAX 64       // private messages remembered, so a resent one shows once

//  One known channel
typedef struct {
    char name[NAME_MAX_BYTES + 1]; //  channel name
    bool muted;                    //  silenced with \disconnect KANAL
    bool named;                    //  the user named it (\channel, \disconnect, --channel)
} channel_t;

struct _channels_t {
    pthread_mutex_t lock;             //  the channel lock: guards everything below
    char current[NAME_MAX_BYTES + 1]; //  the channel the user writes to
    channel_t channels[CHANNELS_MAX]; //  known channels, in the order first met
    size_t size;                      //  how many of them are used
};

struct _channels_listener_t {
    channels_t *channels;               //  the shared channel table (not owned)
    peers_t *peers;                     //  the shared peer list (not owned)
    room_t *room;                       //  the shared list of members (not owned)
    backlog_t *backlog;                 //  the shared recent lines of the room (not owned)
    const roomkey_t *key;               //  the room's key when it is locked, or NULL (not owned)
    size_t history_lines;               //  lines of history per channel to ask for (0: none)
    int port;                           //  where our PUB socket listens
    uint8_t self_id[WIRE_SENDER_BYTES]; //  our own sender id
    int wake_pipe[2];                   //  main thread writes, subscriber thread polls
    int done_pipe[2];                   //  subscriber thread writes "ready" and "done"
};

//  How s_lookup may add a channel it does not know
typedef enum {
    LOOKUP_FIND, //  never add
    LOOKUP_SEEN, //  add a channel seen on the network, while there is room
    LOOKUP_USER  //  add a channel the user named; when full, forget one only seen to make room
} lookup_t;

//  Find channel name, or add it as mode allows. Lock held. Channels the user named always win
//  over channels only seen, so a peer flooding channel names cannot lock the user out.
static channel_t *
s_lookup (channels_t *self, const char *name, lookup_t mode)
{
    for (size_t i = 0; i < self->size; i++)
        if (streq (self->channels[i].name, name))
            return &self->channels[i];
    channel_t *channel = NULL;
    if (mode != LOOKUP_FIND && self->size < CHANNELS_MAX)
        channel = &self->channels[self->size++];
    else if (mode == LOOKUP_USER)
        for (size_t i = 0; i < self->size && !channel; i++)
            if (!self->channels[i].muted && !self->channels[i].named &&
                !streq (self->channels[i].name, self->current))
                channel = &self->channels[i];
    if (channel) {
        snprintf (channel->name, sizeof channel->name, "%s", name);
        channel->muted = false;
        channel->named = mode == LOOKUP_USER;
    }
    return channel;
}

channels_t *
channels_new (const char *current)
{
    if (!wire_channel_valid (current, strlen (current)))
        return NULL;
    channels_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    snprintf (self->current, sizeof self->current, "%s", current);
    s_lookup (self, current, LOOKUP_USER);
    return self;
}

void
channels_destroy (channels_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy (&(*self_p)->lock);
    free (*self_p);
    *self_p = NULL;
}

void
channels_current (channels_t *self, char *out, size_t outsize)
{
    pthread_mutex_lock (&self->lock);
    snprintf (out, outsize, "%s", self->current);
    pthread_mutex_unlock (&self->lock);
}

int
channels_switch (channels_t *self, const char *name)
{
    if (!wire_channel_valid (name, strlen (name)))
        return -1;
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_USER);
    if (channel) {
        channel->muted = false;
        channel->named = true;
        snprintf (self->current, sizeof self->current, "%s", name);
    }
    pthread_mutex_unlock (&self->lock);
    return channel ? 0 : -1;
}

int
channels_mute (channels_t *self, const char *name)
{
    if (!wire_channel_valid (name, strlen (name)))
        return -1;
    int result = -1;
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_USER);
    if (channel) {
        channel->named = true;
        result = channel->muted ? 1 : 0;
        channel->muted = true;
    }
    pthread_mutex_unlock (&self->lock);
    return result;
}

bool
channels_accept (channels_t *self, const char *name)
{
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_SEEN);
    bool accepted = !channel || !channel->muted;
    pthread_mutex_unlock (&self->lock);
    return accepted;
}

size_t
channels_names (channels_t *self, char (*names)[NAME_MAX_BYTES + 1], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && count < max; i++, count++)
        snprintf (names[count], sizeof names[count], "%s", self->channels[i].name);
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
channels_describe (channels_t *self, char *out, size_t outsize)
{
    size_t used = 0, count = 0;
    if (outsize)
        out[0] = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++) {
        const channel_t *channel = &self->channels[i];
        bool current = streq (channel->name, self->current);
        const char *state = current && channel->muted ? _ ("you write here, silenced")
                            : current                 ? _ ("you write here")
                            : channel->muted          ? _ ("silenced")
                                                      : _ ("listening");
        if (text_append (out, outsize, &used, " %s %s (%s)\n", current ? "*" : " ", channel->name,
                         state))
            break;
        count++;
    }
    pthread_mutex_unlock (&self->lock);
    return count;
}

const char *
channels_nick_color (const char *nick)
{
    //  Ten colours that read on dark and light backgrounds, none of them the notices' cyan;
    //  FNV-1a, its bits mixed once more, picks one per nick
    static const char *colors[] = {"31", "32", "33", "34", "35", "91", "92", "93", "94", "95"};
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *) nick; *c && *c != '#'; c++)
        hash = (hash ^ *c) * 16777619u;
    hash ^= hash >> 15;
    hash *= 0x2c1b3c6du;
    hash ^= hash >> 12;
    return colors[hash % (sizeof colors / sizeof colors[0])];
}

//  "HH:MM" of when, local time, into clock (6 bytes). Each thread remembers the last minute it
//  formatted: localtime_r takes a lock and reads the time zone, once per line is too often.
static void
s_clock (time_t when, char clock[6])
{
    static __thread time_t minute_start = -1;
    static __thread char minute[6];
    if (minute_start < 0 || when < minute_start || when >= minute_start + 60) {
        struct tm local;
        localtime_r (&when, &local);
        minute[0] = (char) ('0' + local.tm_hour / 10 % 10);
        minute[1] = (char) ('0' + local.tm_hour % 10);
        minute[2] = ':';
        minute[3] = (char) ('0' + local.tm_min / 10 % 10);
        minute[4] = (char) ('0' + local.tm_min % 10);
        minute[5] = 0;
        //  The minute starts tm_sec seconds before when (a leap second aside)
        minute_start = when - local.tm_sec;
    }
    memcpy (clock, minute, sizeof minute);
}

int
channels_format (char *out, size_t outsize, time_t when, const char *channel, const char *sender,
                 const char *text, size_t text_size, bool color)
{
    char safe_text[SANITIZED_MAX_BYTES], safe_sender[4 * ENDPOINT_MAX_BYTES];
    char safe_channel[4 * NAME_MAX_BYTES + 8];
    //  "/me dances" is an action, as in IRC: "* anna dances"
    bool action = text_size > 4 && memcmp (text, "/me ", 4) == 0;
    if (action)
        text += 4, text_size -= 4;
    int cut = text_sanitize (text, text_size, safe_text, sizeof safe_text);
    cut |= text_sanitize (sender, strlen (sender), safe_sender, sizeof safe_sender);
    if (channel)
        cut |= text_sanitize (channel, strlen (channel), safe_channel, sizeof safe_channel);
    char clock[6];
    s_clock (when, clock);
    //  Colour codes are added after sanitising: they are ours, never a peer's
    const char *dim = color ? "\033[2m" : "", *reset = color ? "\033[0m" : "";
    char nick_on[16] = "";
    if (color)
        snprintf (nick_on, sizeof nick_on, "\033[%sm", channels_nick_color (sender));
    //  "HH:MM [buddy] <anna> text" or "HH:MM [buddy] * anna dances"; a private message has no
    //  channel: "(private)" in its place, round brackets so that no channel name can look like it
    const char *pieces[] = {dim,
                            clock,
                            reset,
                            channel ? " [" : " (",
                            channel ? safe_channel : _ ("private"),
                            channel ? "] " : ") ",
                            action ? "* " : "<",
                            nick_on,
                            safe_sender,
                            reset,
                            action ? " " : "> ",
                            safe_text};
    //  Appended piece by piece, cut where out ends, as snprintf would
    if (outsize == 0)
        return -1;
    size_t used = 0;
    bool fits = true;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0] && fits; i++) {
        size_t size = strlen (pieces[i]);
        fits = used + size < outsize;
        size_t taken = fits ? size : outsize - 1 - used;
        memcpy (out + used, pieces[i], taken);
        used += taken;
    }
    out[used] = 0;
    return cut || !fits ? -1 : 0;
}

//  --------------------------------------------------------------------------
//  The subscriber thread. Everything below runs in it, except where a comment says otherwise.

//  Limits malformed-message notices so a hostile peer cannot flood the screen; returns true
//  when a notice may be printed now, and counts the ones held back in *held.
static bool
s_notice_allowed (int64_t *window_start, int *in_window, int *held)
{
    int64_t now = zclock_mono ();
    if (now - *window_start >= 1000)
        *window_start = now, *in_window = 0;
    if (*in_window < NOTICES_PER_SECOND) {
        (*in_window)++;
        return true;
    }
    (*held)++;
    return false;
}

//  One frame of a received message: a view into the zmq_msg_t that holds it
typedef struct {
    const uint8_t *data; //  its bytes
    size_t size;         //  how many
} frame_t;

#define MESSAGE_FRAMES_MAX 4 // frames of a message we look at; any after them are dropped

//  One received message, in zmq_msg_t reused from message to message: no allocation per
//  message, unlike zmsg_recv
typedef struct {
    zmq_msg_t parts[MESSAGE_FRAMES_MAX]; //  its first frames
    frame_t frames[MESSAGE_FRAMES_MAX];  //  views of them
    size_t count;                        //  frames held in parts[]
    size_t total;                        //  frames in the message, counting dropped ones
} message_t;

//  Frame i of msg, or NULL when the message has fewer.
static const frame_t *
s_frame (const message_t *msg, size_t i)
{
    return i < msg->count ? &msg->frames[i] : NULL;
}

//  True when frame holds exactly the string text.
static bool
s_frame_is (const frame_t *frame, const char *text)
{
    size_t size = strlen (text);
    return frame && frame->size == size && memcmp (frame->data, text, size) == 0;
}

//  State of the receive loop
typedef struct {
    channels_listener_t *listener; //  config shared with the main thread
    void *sub;                     //  the SUB socket
    void *monitor;                 //  PAIR socket receiving the SUB socket's events
    int64_t notice_window;         //  start of the current notice-rate window
    int notices_in_window;         //  notices printed in it
    int notices_held;              //  notices held back since the last one printed
    streams_t *streams;            //  each sender's lines in order, and the gaps to repair
    int history_tries;             //  members asked for history so far
    int64_t history_asked_ms;      //  when the last one was asked, 0 = not yet
    bool history_done;             //  the history came (or none is wanted)
    uint8_t private_seen[PRIVATE_SEEN_MAX][WIRE_SENDER_BYTES]; //  senders of private messages
    uint64_t private_seen_number[PRIVATE_SEEN_MAX]; //  ... and their numbers, to show each once
    size_t private_seen_next;                       //  where the next one is remembered
} receiver_t;

static void s_apply_changes (receiver_t *self);
static void s_ask_history (receiver_t *self, const uint8_t id[WIRE_SENDER_BYTES]);

//  Print a notice about a message we refused, within the notice rate.
static void
s_refused (receiver_t *self, const char *who, const char *why)
{
    if (!s_notice_allowed (&self->notice_window, &self->notices_in_window, &self->notices_held))
        return;
    char safe_who[4 * ENDPOINT_MAX_BYTES];
    text_sanitize (who, strlen (who), safe_who, sizeof safe_who);
    if (self->notices_held > 0) {
        term_notice (_ ("bad message from %s: %s (and %d more not shown)"), safe_who, _ (why),
                     self->notices_held);
        self->notices_held = 0;
    } else
        term_notice (_ ("bad message from %s: %s"), safe_who, _ (why));
}

//  Connect to the members a heartbeat lists that we do not hear yet: this is how joining one
//  member of a room connects you to all of them.
static void
s_mesh (receiver_t *self, const control_beat_t *beat, const char *sender_ip)
{
    channels_listener_t *listener = self->listener;
    bool sender_local = address_is_loopback (sender_ip);
    bool added = false;
    for (size_t i = 0; i < beat->peer_count; i++) {
        const control_peer_t *peer = &beat->peers[i];
        //  A loopback address from another machine would point at our own machine
        if (memcmp (peer->id, listener->self_id, WIRE_SENDER_BYTES) == 0 ||
            room_knows (listener->room, peer->id) ||
            (address_is_loopback (peer->address) && !sender_local))
            continue;
        address_t address;
        const char *why;
        if (address_lookup (peer->address, &address, &why) == 0 &&
            peers_add (listener->peers, address.endpoint, address.label, true) == 0)
            added = true;
    }
    if (added)
        s_apply_changes (self);
}

//  Handle a control message: a heartbeat (presence, mesh) or a goodbye.
static void
s_control (receiver_t *self, const message_t *msg, const char *address, const wire_meta_t *meta)
{
    channels_listener_t *listener = self->listener;
    const frame_t *topic = s_frame (msg, 0);
    const frame_t *body = s_frame (msg, 2);
    char name[NAME_MAX_BYTES + 8];
    if (s_frame_is (topic, CONTROL_BYE)) {
        if (room_bye (listener->room, meta->sender, name, sizeof name) == ROOM_NEWS_LEFT)
            term_notice (_ ("%s left"), name);
        streams_forget (self->streams, meta->sender);
        return;
    }
    control_beat_t beat;
    if (!s_frame_is (topic, CONTROL_BEAT) || !body ||
        control_decode_beat (body->data, body->size, &beat))
        return;
    char label[ENDPOINT_MAX_BYTES]; //  where the beat came from: its sender's address and port
    address_label (address, beat.port, label, sizeof label);
    if (memcmp (meta->sender, listener->self_id, WIRE_SENDER_BYTES) == 0) {
        //  We are listening to ourselves through one of our addresses: stop that
        if (peers_remove_label (listener->peers, label, false) == 0)
            s_apply_changes (self);
        return;
    }
    char previous[NAME_MAX_BYTES + 8];
    room_news_t news = room_heard (listener->room, meta->sender, meta->nick, address, &beat,
                                   zclock_mono (), name, sizeof name, previous, sizeof previous);
    if (news == ROOM_NEWS_TWICE) {
        //  We hear it at a second address (127.0.0.1 and the LAN, say): one is enough
        if (peers_remove_label (listener->peers, label, true) == 0)
            s_apply_changes (self);
        return;
    }
    if (news == ROOM_NEWS_JOINED)
        term_notice (_ ("%s joined (%s:%d)"), name, address, beat.port);
    else if (news == ROOM_NEWS_RENAMED)
        term_notice (_ ("%s is now called %s"), previous, name);
    //  The heartbeat says which line it sent last: lines lost at the end of a burst show up
    streams_sent_up_to (self->streams, meta->sender, beat.last_seq, zclock_mono ());
    s_ask_history (self, meta->sender);
    s_mesh (self, &beat, address);
}

//  Tell the user about members gone silent for good (crashed, or cut off by the network).
static void
s_expire_members (receiver_t *self)
{
    char name[NAME_MAX_BYTES + 8], address[ENDPOINT_MAX_BYTES];
    while (room_expire (self->listener->room, zclock_mono (), name, sizeof name, address,
                        sizeof address))
        term_notice (_ ("%s left (no heartbeat from %s for %d s)"), name, address,
                     MEMBER_GONE_MS / 1000);
}

//  Describe a received message for the view of the wire: its frames, sender and metadata.
static void
s_debug_received (const message_t *msg, const char *address, const wire_meta_t *meta)
{
    const frame_t *first = s_frame (msg, 0);
    char safe[SANITIZED_MAX_BYTES];
    text_sanitize ((const char *) first->data, first->size, safe, sizeof safe);
    if (meta)
        term_debug (_ ("SUB got %zu frames from %s: \"%s\" + metadata (version %u, nick %s, "
                       "seq %" PRIu64 ")"),
                    msg->total, address, safe, (unsigned) meta->version, meta->nick, meta->seq);
    else
        term_debug (_ ("SUB got %zu frame(s) from %s: \"%s\""), msg->total, address, safe);
}

//  Ask the publishers we hear for something, through a subscription they see; it is dropped
//  at once, so it never matches a message and is not sent again when a connection comes back.
static void
s_request (receiver_t *self, const control_request_t *request)
{
    char topic[128];
    int size = control_encode_request (topic, sizeof topic, request);
    if (size <= 0)
        return;
    zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, topic, (size_t) size);
    zmq_setsockopt (self->sub, ZMQ_UNSUBSCRIBE, topic, (size_t) size);
}

//  Tell the user that lost lines from sender id (nick, when known) could not be repaired.
static void
s_report_lost (receiver_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t lost)
{
    char name[NAME_MAX_BYTES + 8];
    room_name_of (self->listener->room, id, name, sizeof name);
    term_notice (ngettext ("%" PRIu64 " message from %s was lost",
                           "%" PRIu64 " messages from %s were lost", (unsigned long) lost),
                 lost, name);
}

//  Ask for the repairs that are due, and report the gaps that cannot be repaired.
static void
s_repair (receiver_t *self)
{
    streams_due_t due;
    while (streams_next_due (self->streams, zclock_mono (), &due)) {
        if (due.lost) {
            s_report_lost (self, due.id, due.lost);
            continue;
        }
        control_request_t request = {.kind = CONTROL_REQUEST_RESEND, .number = due.from};
        memcpy (request.target, due.id, WIRE_SENDER_BYTES);
        memcpy (request.requester, self->listener->self_id, WIRE_SENDER_BYTES);
        s_request (self, &request);
        if (term_debug_on ()) {
            char name[NAME_MAX_BYTES + 8];
            room_name_of (self->listener->room, due.id, name, sizeof name);
            term_debug (_ ("SUB lines from %s are missing: asking it to resend from seq %" PRIu64),
                        name, due.from);
        }
    }
}

//  Ask member id for the room's recent history, when we still want it: once at first, then
//  another member when no answer came within HISTORY_WAIT_MS.
static void
s_ask_history (receiver_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    int64_t now = zclock_mono ();
    if (self->history_done || self->history_tries >= HISTORY_TRIES ||
        (self->history_asked_ms && now - self->history_asked_ms < HISTORY_WAIT_MS))
        return;
    control_request_t request = {.kind = CONTROL_REQUEST_HISTORY,
                                 .number = self->listener->history_lines};
    memcpy (request.target, id, WIRE_SENDER_BYTES);
    memcpy (request.requester, self->listener->self_id, WIRE_SENDER_BYTES);
    s_request (self, &request);
    self->history_tries++;
    self->history_asked_ms = now;
}

//  Where a chat line came from
typedef enum {
    ORIGIN_LIVE,   //  as it was sent
    ORIGIN_RESENT, //  resent by its sender, to repair a gap
    ORIGIN_HISTORY //  history from before we joined
} origin_t;

//  One chat line, its frames and what they decoded to
typedef struct {
    const void *line_frame; //  frame 1 as received
    size_t line_size;       //  its size
    const void *meta_frame; //  frame 2 as received, or NULL from a plain peer
    size_t meta_size;       //  its size
    wire_line_t line;       //  frame 1, decoded
    wire_meta_t meta;       //  frame 2, decoded (when meta_frame)
} received_t;

//  Show a chat line if it is the next of its sender (or history not shown yet) and its channel
//  is heard; keep it for those who join later.
static void
s_deliver (receiver_t *self, const received_t *received, const char *address, origin_t origin)
{
    channels_listener_t *listener = self->listener;
    const wire_meta_t *meta = received->meta_frame ? &received->meta : NULL;
    char name[NAME_MAX_BYTES + 8];
    const char *sender = address;
    time_t when = time (NULL);
    if (meta) {
        if (memcmp (meta->sender, listener->self_id, WIRE_SENDER_BYTES) == 0)
            return; //  our own line, heard through a loop in the mesh
        if (origin == ORIGIN_HISTORY) {
            if (!streams_history (self->streams, meta->sender, meta->seq, zclock_mono ()))
                return;
            when = (time_t) (meta->sent_ms / 1000);
        } else if (meta->seq && streams_line (self->streams, meta->sender, meta->seq,
                                              zclock_mono ()) != STREAMS_SHOW)
            return; //  shown already, or ahead of a gap being repaired
        room_line (listener->room, meta->sender, meta->nick, name, sizeof name);
        sender = name;
        if (meta->seq)
            backlog_keep (listener->backlog, received->line_frame, received->line_size,
                          received->meta_frame, received->meta_size, received->line.channel, meta);
    }
    if (!channels_accept (listener->channels, received->line.channel))
        return;
    char formatted[LINE_MAX_BYTES];
    channels_format (formatted, sizeof formatted, when, received->line.channel, sender,
                     received->line.text, received->line.text_size, term_color_on ());
    if (origin == ORIGIN_HISTORY) {
        char marked[LINE_MAX_BYTES + 64];
        snprintf (marked, sizeof marked, "%s%s%s%s", term_color_on () ? "\033[2m" : "",
                  _ ("(history) "), term_color_on () ? "\033[0m" : "", formatted);
        term_line (marked);
    } else
        term_line (formatted);
}

//  Decode a chat line carried inside a private message (frames line and meta). Returns 0, or
//  -1 after a notice.
static int
s_decode_inner (receiver_t *self, const frame_t *line, const frame_t *meta, const char *address,
                received_t *received)
{
    if (!line || !meta) {
        s_refused (self, address, N_ ("a frame is missing"));
        return -1;
    }
    received->line_frame = line->data;
    received->line_size = line->size;
    received->meta_frame = meta->data;
    received->meta_size = meta->size;
    wire_error_t error =
        wire_decode_line (received->line_frame, received->line_size, &received->line);
    if (error == WIRE_OK)
        error = wire_decode_meta (received->meta_frame, received->meta_size, &received->meta);
    if (error == WIRE_OK && received->meta.seq == 0)
        error = WIRE_BAD_META;
    if (error != WIRE_OK) {
        s_refused (self, address, wire_strerror (error));
        return -1;
    }
    return 0;
}

//  True the first time private message number from sender is seen.
static bool
s_private_first_time (receiver_t *self, const uint8_t sender[WIRE_SENDER_BYTES], uint64_t number)
{
    for (size_t i = 0; i < PRIVATE_SEEN_MAX; i++)
        if (self->private_seen_number[i] == number &&
            memcmp (self->private_seen[i], sender, WIRE_SENDER_BYTES) == 0)
            return false;
    memcpy (self->private_seen[self->private_seen_next], sender, WIRE_SENDER_BYTES);
    self->private_seen_number[self->private_seen_next] = number;
    self->private_seen_next = (self->private_seen_next + 1) % PRIVATE_SEEN_MAX;
    return true;
}

//  A private message to us: acknowledge it to its sender, and show it once.
static void
s_private_message (receiver_t *self, const frame_t *text, const frame_t *meta_frame,
                   const char *address)
{
    wire_meta_t meta;
    if (!text || !meta_frame || wire_decode_meta (meta_frame->data, meta_frame->size, &meta) ||
        meta.seq == 0 || text->size == 0 || text->size > TEXT_MAX_BYTES) {
        s_refused (self, address, N_ ("a malformed private message"));
        return;
    }
    control_request_t ack = {.kind = CONTROL_REQUEST_ACK, .number = meta.seq};
    memcpy (ack.target, meta.sender, WIRE_SENDER_BYTES);
    s_request (self, &ack); //  every time: the first receipt may have been lost
    if (!s_private_first_time (self, meta.sender, meta.seq))
        return;
    char name[NAME_MAX_BYTES + 8], formatted[LINE_MAX_BYTES];
    room_line (self->listener->room, meta.sender, meta.nick, name, sizeof name);
    channels_format (formatted, sizeof formatted, time (NULL), NULL, name,
                     (const char *) text->data, text->size, term_color_on ());
    term_line (formatted);
}

//  A message on our private topic: a resent line, history, a gap that cannot be repaired, the
//  end of the history, or a private message.
static void
s_private (receiver_t *self, const message_t *msg, const char *address)
{
    const frame_t *kind = s_frame (msg, 1);
    const frame_t *first = s_frame (msg, 2);
    const frame_t *second = s_frame (msg, 3);
    received_t received = {0};
    if (!kind)
        s_refused (self, address, N_ ("a frame is missing"));
    else if (s_frame_is (kind, CONTROL_KIND_LINE) || s_frame_is (kind, CONTROL_KIND_HISTORY)) {
        if (s_decode_inner (self, first, second, address, &received) == 0)
            s_deliver (self, &received, address,
                       s_frame_is (kind, CONTROL_KIND_LINE) ? ORIGIN_RESENT : ORIGIN_HISTORY);
    } else if (s_frame_is (kind, CONTROL_KIND_GONE) ||
               s_frame_is (kind, CONTROL_KIND_HISTORY_END)) {
        wire_meta_t meta;
        if (!first || wire_decode_meta (first->data, first->size, &meta)) {
            s_refused (self, address, N_ ("a malformed control message"));
            return;
        }
        if (s_frame_is (kind, CONTROL_KIND_HISTORY_END)) {
            self->history_done = true;
            return;
        }
        uint64_t lost = streams_gone (self->streams, meta.sender, meta.seq, zclock_mono ());
        if (lost)
            s_report_lost (self, meta.sender, lost);
    } else if (s_frame_is (kind, CONTROL_KIND_MESSAGE))
        s_private_message (self, first, second, address);
}

//  Decode, filter and show one received message.
static void
s_show (receiver_t *self, message_t *msg)
{
    const frame_t *line_frame = s_frame (msg, 0);
    const frame_t *meta_frame = s_frame (msg, 1);
    const char *address = zmq_msg_gets (&msg->parts[0], "Peer-Address");
    address = address ? address_unmapped (address) : "?";
    bool private = line_frame->size > 0 && line_frame->data[0] == CONTROL_PRIVATE[0];
    received_t received = {.line_frame = line_frame->data, .line_size = line_frame->size};
    wire_error_t error =
        private ? WIRE_CONTROL
                : wire_decode_line (received.line_frame, received.line_size, &received.line);
    wire_error_t meta_error =
        meta_frame ? wire_decode_meta (meta_frame->data, meta_frame->size, &received.meta)
                   : WIRE_BAD_META;
    //  Heartbeats come every second from everyone: the view of the wire leaves them out
    if (term_debug_on () && !s_frame_is (line_frame, CONTROL_BEAT))
        s_debug_received (msg, address, meta_error == WIRE_OK ? &received.meta : NULL);
    if (private) {
        s_private (self, msg, address);
        return;
    }
    if (error == WIRE_CONTROL) {
        if (meta_error == WIRE_OK)
            s_control (self, msg, address, &received.meta);
        return; //  control traffic is never shown as a line
    }
    if (error != WIRE_OK) {
        s_refused (self, address, wire_strerror (error));
        return;
    }
    if (meta_frame && meta_error == WIRE_OK) {
        received.meta_frame = meta_frame->data;
        received.meta_size = meta_frame->size;
    } else if (meta_frame)
        //  The line itself is good: show it as a plain peer's, and say why
        s_refused (self, address, wire_strerror (meta_error));
    s_deliver (self, &received, address, ORIGIN_LIVE);
}

//  Receive and show every message waiting on the SUB socket, then write the lines out at once.
static void
s_receive_all (receiver_t *self)
{
    message_t msg;
    for (size_t i = 0; i < MESSAGE_FRAMES_MAX; i++)
        zmq_msg_init (&msg.parts[i]);
    //  RCVTIMEO is 0: the first receive fails when no message is waiting
    while (zmq_msg_recv (&msg.parts[0], self->sub, 0) >= 0) {
        msg.count = msg.total = 1;
        zmq_msg_t *last = &msg.parts[0];
        zmq_msg_t dropped;
        zmq_msg_init (&dropped);
        while (zmq_msg_more (last)) {
            zmq_msg_t *into = msg.count < MESSAGE_FRAMES_MAX ? &msg.parts[msg.count] : &dropped;
            if (zmq_msg_recv (into, self->sub, 0) < 0)
                break;
            msg.total++;
            if (into != &dropped)
                msg.count++;
            last = into;
        }
        zmq_msg_close (&dropped);
        for (size_t i = 0; i < msg.count; i++)
            msg.frames[i] = (frame_t){zmq_msg_data (&msg.parts[i]), zmq_msg_size (&msg.parts[i])};
        s_show (self, &msg);
    }
    for (size_t i = 0; i < MESSAGE_FRAMES_MAX; i++)
        zmq_msg_close (&msg.parts[i]);
    s_repair (self);
    term_flush ();
}

//  Carry out the peer changes the main thread queued.
static void
s_apply_changes (receiver_t *self)
{
    char endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    while (peers_next_change (self->listener->peers, endpoint, sizeof endpoint, &connect)) {
        int rc = connect ? zmq_connect (self->sub, endpoint) : zmq_disconnect (self->sub, endpoint);
        if (rc != 0 && connect)
            term_error (_ ("cannot connect to %s: %s"), endpoint, zmq_strerror (zmq_errno ()));
    }
}

//  The peer event a libzmq socket event stands for, or -1 for one we do not follow.
static int
s_peer_event (uint16_t id)
{
    switch (id) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return PEER_EVENT_HANDSHAKE_OK;
    case ZMQ_EVENT_CONNECT_DELAYED:
    case ZMQ_EVENT_CONNECTED:
        return PEER_EVENT_ATTEMPT;
    case ZMQ_EVENT_CONNECT_RETRIED:
        return PEER_EVENT_REFUSED;
    case ZMQ_EVENT_DISCONNECTED:
        return PEER_EVENT_DISCONNECTED;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return PEER_EVENT_HANDSHAKE_FAILED;
    }
    return -1;
}

//  Tell the user why the handshake with the chat at label failed (socket event id, detail
//  value): a room locked with another key, a locked room we have no key for, or no chat.
static void
s_report_refused (receiver_t *self, const char *label, uint16_t id, uint32_t value)
{
    bool locked = self->listener->key != NULL;
    //  A mechanism mismatch is seen when one side is locked and the other not; a locked room
    //  often closes the connection before the other side sees that, which gives no detail
    bool mismatch = id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                    value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
    bool no_detail = id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (locked && (mismatch || no_detail || id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        term_error (_ ("%s does not accept our key (it has another passphrase, or none); not "
                       "connecting to it"),
                    label);
    else if (mismatch || no_detail)
        term_error (_ ("%s refused us: it is a locked room (start with --key to join it), or not "
                       "a chat; not connecting to it"),
                    label);
    else
        term_error (_ ("%s is not a chat (the handshake failed); not connecting to it"), label);
}

//  Turn one socket event into a peer state, and tell the user when the state changes.
static void
s_handle_event (receiver_t *self)
{
    uint16_t id;
    uint32_t value;
    char endpoint[ENDPOINT_MAX_BYTES];
    if (monitor_next (self->monitor, "SUB", &id, &value, endpoint, sizeof endpoint))
        return;
    int peer_event = s_peer_event (id);
    if (peer_event < 0)
        return;
    char label[ENDPOINT_MAX_BYTES];
    peer_news_t state_news;
    peer_news_t news = peers_event (self->listener->peers, endpoint, (peer_event_t) peer_event,
                                    zclock_mono (), label, sizeof label, &state_news);
    //  \who shows a member whose connection broke as reconnecting, until it is back
    if (state_news == PEER_NEWS_LOST || state_news == PEER_NEWS_CONNECTED)
        room_set_reconnecting (self->listener->room, label, state_news == PEER_NEWS_LOST);
    switch (news) {
    case PEER_NEWS_CONNECTED:
        term_notice (_ ("connected to %s"), label);
        break;
    case PEER_NEWS_UNREACHABLE:
        term_notice (_ ("%s does not answer (is chat running there?), retrying"), label);
        break;
    case PEER_NEWS_LOST:
        term_notice (_ ("lost the connection to %s, retrying"), label);
        break;
    case PEER_NEWS_NOT_A_CHAT:
        s_report_refused (self, label, id, value);
        break;
    case PEER_NEWS_NONE:
        break;
    }
}

//  Tell the user about peers libzmq cut off for breaking the protocol: it will not retry them.
static void
s_report_cut_off (receiver_t *self)
{
    char label[ENDPOINT_MAX_BYTES];
    while (peers_take_cut_off (self->listener->peers, zclock_mono (), label, sizeof label))
        term_error (_ ("%s was cut off: it sent a broken or oversized message (over %d KiB); "
                       "\\connect %s to listen again"),
                    label, SOCKET_MAXMSGSIZE_BYTES / 1024, label);
}

//  Set the SUB socket's options: bounded messages and queue, quick retries, both IP versions;
//  and subscribe to every channel, control traffic and our private topic, but not to other
//  peers' private topics.
static void
s_configure_sub (void *sub, int port, const uint8_t self_id[WIRE_SENDER_BYTES],
                 const roomkey_t *key)
{
    if (key) {
        //  A locked room: every publisher must be the room's CURVE server, and we show it the
        //  room's key pair as our own (its ZAP handler checks that)
        zmq_setsockopt (sub, ZMQ_CURVE_SERVERKEY, key->public_key, ROOMKEY_BYTES);
        zmq_setsockopt (sub, ZMQ_CURVE_PUBLICKEY, key->public_key, ROOMKEY_BYTES);
        zmq_setsockopt (sub, ZMQ_CURVE_SECRETKEY, key->secret_key, ROOMKEY_BYTES);
    }
    int zero = 0, one = 1, rcvtimeo = 0;
    int64_t maxmsgsize = SOCKET_MAXMSGSIZE_BYTES;
    int reconnect = RECONNECT_IVL_MS, reconnect_max = RECONNECT_IVL_MAX_MS;
    int handshake = HANDSHAKE_IVL_MS, hwm = SOCKET_HWM_MESSAGES;
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (sub, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    zmq_setsockopt (sub, ZMQ_IPV6, &one, sizeof one);
    zmq_setsockopt (sub, ZMQ_MAXMSGSIZE, &maxmsgsize, sizeof maxmsgsize);
    zmq_setsockopt (sub, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    zmq_setsockopt (sub, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    zmq_setsockopt (sub, ZMQ_HANDSHAKE_IVL, &handshake, sizeof handshake);
    //  "" would match everything, other peers' private messages too: instead one subscription
    //  per byte a channel name or control topic can start with
    for (int byte = 0; byte < 256; byte++) {
        char first = (char) byte;
        if (wire_topic_start ((unsigned char) byte))
            zmq_setsockopt (sub, ZMQ_SUBSCRIBE, &first, 1);
    }
    char private[CONTROL_PRIVATE_BYTES + 1];
    if (control_encode_private (private, sizeof private, self_id) > 0)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, private, CONTROL_PRIVATE_BYTES);
    //  Never matches a message: it tells each publisher we connect to where to connect back
    char listen[32];
    int size = control_encode_listen (listen, sizeof listen, port);
    if (size > 0)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, listen, (size_t) size);
}

//  Tell the main thread how startup went ('r' ready, 'f' failed) or that we are done ('d').
static void
s_report (int fd, char what)
{
    ssize_t written;
    do
        written = write (fd, &what, 1);
    while (written < 0 && errno == EINTR);
}

//  The subscriber thread's body: own context, own sockets, poll until told to stop.
static void *
s_listener_run (void *arg)
{
    channels_listener_t *listener = arg;
    int done_fd = listener->done_pipe[1];
    receiver_t self = {.listener = listener,
                       .streams = streams_new (),
                       .history_done = listener->history_lines == 0};
    char monitor_endpoint[64];
    snprintf (monitor_endpoint, sizeof monitor_endpoint, "inproc://sub-events-%p", arg);

    void *context = self.streams ? zmq_ctx_new () : NULL;
    self.sub = context ? zmq_socket (context, ZMQ_SUB) : NULL;
    if (self.sub) {
        s_configure_sub (self.sub, listener->port, listener->self_id, listener->key);
        //  Every event: the peer states need some, the view of the wire shows them all
        zmq_socket_monitor (self.sub, monitor_endpoint, ZMQ_EVENT_ALL);
        self.monitor = zmq_socket (context, ZMQ_PAIR);
    }
    if (!self.monitor || zmq_connect (self.monitor, monitor_endpoint) != 0) {
        if (self.monitor)
            zmq_close (self.monitor);
        if (self.sub)
            zmq_close (self.sub);
        if (context)
            zmq_ctx_term (context);
        streams_destroy (&self.streams);
        s_report (done_fd, 'f');
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt (self.monitor, ZMQ_LINGER, &zero, sizeof zero);
    s_apply_changes (&self);
    s_report (done_fd, 'r');

    zmq_pollitem_t items[] = {{self.sub, 0, ZMQ_POLLIN, 0},
                              {self.monitor, 0, ZMQ_POLLIN, 0},
                              {NULL, listener->wake_pipe[0], ZMQ_POLLIN, 0}};
    bool stopping = false;
    while (!stopping) {
        //  Wake up to see whether a lost peer was cut off, or a member went silent for good
        //  ... or to ask again for repairs and history
        bool repairing = streams_repairing (self.streams);
        long timeout = peers_awaiting_retry (listener->peers) ? PEER_CUT_OFF_MS / 3
                       : repairing                            ? REPAIR_RETRY_MS / 3
                       : room_size (listener->room)           ? MEMBER_GONE_MS / 8
                                                              : -1;
        if (zmq_poll (items, 3, timeout) < 0) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        if (items[2].revents & ZMQ_POLLIN) {
            char wakes[64];
            ssize_t size = read (listener->wake_pipe[0], wakes, sizeof wakes);
            if (size == 0 || (size > 0 && memchr (wakes, 'q', (size_t) size)))
                stopping = true;
            s_apply_changes (&self);
        }
        if (items[1].revents & ZMQ_POLLIN)
            s_handle_event (&self);
        if (items[0].revents & ZMQ_POLLIN)
            s_receive_all (&self);
        if (timeout >= 0) {
            s_report_cut_off (&self);
            s_expire_members (&self);
            s_repair (&self);
        }
    }
    zmq_socket_monitor (self.sub, NULL, 0);
    zmq_close (self.monitor);
    zmq_close (self.sub);
    zmq_ctx_term (context);
    streams_destroy (&self.streams);
    //  Last touch of shared memory: after this the main thread frees the listener
    s_report (done_fd, 'd');
    return NULL;
}

//  Wait up to timeout_ms for one byte on fd. Returns the byte, or 0 on timeout or error.
static char
s_await (int fd, int timeout_ms)
{
    struct pollfd item = {.fd = fd, .events = POLLIN};
    int64_t deadline = zclock_mono () + timeout_ms;
    while (true) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return 0;
        int rc = poll (&item, 1, (int) left);
        if (rc < 0 && errno == EINTR)
            continue;
        char byte = 0;
        if (rc > 0 && read (fd, &byte, 1) == 1)
            return byte;
        return 0;
    }
}

channels_listener_t *
channels_listener_start (channels_t *channels, peers_t *peers, room_t *room, backlog_t *backlog,
                         size_t history_lines, const roomkey_t *key,
                         const uint8_t self_id[WIRE_SENDER_BYTES], int port)
{
    channels_listener_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->channels = channels;
    self->peers = peers;
    self->room = room;
    self->backlog = backlog;
    self->key = key;
    self->history_lines = history_lines;
    self->port = port;
    memcpy (self->self_id, self_id, WIRE_SENDER_BYTES);
    self->wake_pipe[0] = self->wake_pipe[1] = self->done_pipe[0] = self->done_pipe[1] = -1;
    pthread_t thread;
    bool created = pipe (self->wake_pipe) == 0 && pipe (self->done_pipe) == 0 &&
                   pthread_create (&thread, NULL, s_listener_run, self) == 0;
    char report = 0;
    if (created) {
        pthread_detach (thread);
        report = s_await (self->done_pipe[0], STOP_WAIT_MS);
    }
    if (report != 'r') {
        term_error (_ ("cannot start the listening thread"));
        if (created && report != 'f')
            return NULL; //  no answer: the thread may still use self, so leave it be
        //  The thread, if any, has reported failure and touches self no more
        for (int i = 0; i < 2; i++) {
            if (self->wake_pipe[i] >= 0)
                close (self->wake_pipe[i]);
            if (self->done_pipe[i] >= 0)
                close (self->done_pipe[i]);
        }
        free (self);
        return NULL;
    }
    return self;
}

void
channels_listener_wake (channels_listener_t *self)
{
    s_report (self->wake_pipe[1], 'w');
}

void
channels_listener_stop (channels_listener_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    channels_listener_t *self = *self_p;
    s_report (self->wake_pipe[1], 'q');
    if (s_await (self->done_pipe[0], STOP_WAIT_MS) != 'd') {
        //  The thread may still use self: leak it rather than pull it from under the thread
        *self_p = NULL;
        return;
    }
    close (self->wake_pipe[0]);
    close (self->wake_pipe[1]);
    close (self->done_pipe[0]);
    close (self->done_pipe[1]);
    free (self);
    *self_p = NULL;
}
