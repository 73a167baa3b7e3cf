/*  fuzz_wire.c - libFuzzer target: messages from a peer, through every decoder their bytes
    reach, without sockets.

    The input is up to MESSAGES_MAX received ZeroMQ messages separated by the four bytes
    MESSAGE_SEPARATOR, "\xFF##\xFF"; each message is up to FRAMES_MAX frames separated by
    FRAME_SEPARATOR, "\xFF||\xFF" (0xFF never occurs in UTF-8, so no text frame needs either).
    The last message, and a message's last frame, take the rest, separators and all. Each frame
    is copied into a heap block of exactly its size, so ASan sees a read past its end. Most
    inputs are one message; several let one input hold a scenario (a line, then a gap).

    The pure decoders run on every message: wire_decode_line on frame 1, wire_decode_meta on
    frame 2 (version 1 or 2) and, after version 2's key, wire_decode_proof (a line's proof),
    control_decode_beat and signing_decode_body on frame 3 (a heartbeat's body, a batch's),
    control_decode_listen and control_decode_request on frame 1 read as a subscription (without
    its leading 0x01 or 0x00, as XPUB delivers it), and text_sanitize on frame 1 whole (as the
    view of the wire shows it). Then the message goes, twice, where the subscriber thread sends
    it: once through the real inbox (inbox_handle, with a SUB socket of its own that is never
    connected, so its requests go nowhere, and the room and peer list it updates; what it prints
    is lost, as make fuzz closes the target's stdout and stderr, so a crash, a leak or undefined
    behaviour in it is what is found there), and once through a model of it whose every step is
    checked: a chat line of version 1 (or of a plain peer) to streams_line, backlog_add,
    channels_accept, text_sanitize and view_format; a batch of lines ("~lines", metadata, body,
    signature) that verifies, each of its lines so, with its proof; a private message ("!..."
    topic; frame 2 its kind, frames 3 and 4 an inner line and its metadata with proof, or the text
    and metadata of a \msg) to streams_line or streams_history, or streams_gone; a heartbeat to
    streams_sent_up_to; a goodbye to streams_forget (a heartbeat or goodbye more than
    INBOX_CONTROL_SKEW_MS from the wall clock is ignored, and after a sender's goodbye whatever
    is signed in its name is a replay, dropped); like the inbox, the model takes nothing of
    version 1 but chat lines, and nothing of version 2 unless its signature verifies. Repairs
    falling due are taken after each message, as repair_due does. A one-frame line in an odd
    place of the input comes from a chat of version 2 (inbox.h's from_chat), and is dropped.

    An input cannot carry a valid signature, so each message that has a metadata frame goes
    round once more as its signed twin (fuzz_twin.h): the same content signed by the fuzzer's own
    identity, which the inbox and the model take; so a twin reaches what a signature guards.

    The backlog, the streams table and the channel table are created once. The backlog keeps
    its lines from one input to the next, as the subscriber thread keeps them, so its bounds
    (channels, lines, bytes) are reached; a crash in it may need the inputs before it (replay
    the corpus, then the crash input). The streams table forgets the senders of an input after
    it, so its verdicts, and the repairs it asks for, depend on that input alone.

    Invariants (a broken one traps, see fuzz_check.h): what decodes is within the limits of
    limits.h, re-encodes and decodes back to the same (a proof, a batch's body: to the same
    bytes); what the fuzzer signs verifies, and each line of a batch that verified verifies
    alone with its proof, with the cache as without; sanitised text and formatted lines hold no
    byte a terminal acts on and are valid UTF-8; a text that decoded is never cut on screen; a
    valid line is kept by the backlog, which serves its lines decodable and oldest first; a
    repair, or the receipt of a private message, goes out in a request its sender can read.
*/
#include "backlog.h"
#include "channels.h"
#include "inbox.h"
#include "peers.h"
#include "signing.h"
#include "room.h"
#include "limits.h"
#include "control.h"
#include "streams.h"
#include "text.h"
#include "view.h"
#include "wire.h"

#include "fuzz_check.h"
#include "fuzz_twin.h"

#include <czmq.h>
#include <stdint.h>
#include <zmq.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGES_MAX 16                     // messages read from one input; the last takes the rest
#define MESSAGE_SEPARATOR "\xFF##\xFF"      // between messages
#define FRAMES_MAX 5                        // frames read from one message; the last takes the rest
#define FRAME_SEPARATOR "\xFF||\xFF"        // between the frames of one
#define SMALL_OUT_MAX_BYTES 48              // text_sanitize also writes into 1..this many bytes
#define CLOCK_STEP_MS (REPAIR_RETRY_MS / 2) // per message: one input can see a repair given up
#define SERVE_EVERY 16 // the backlog serves (is checked) once per this many lines
#define SERVE_LINES 2  // ... this many lines per channel

//  Created once, as in the subscriber thread; the clock only moves on
static backlog_t *s_backlog;
static streams_t *s_streams;
static channels_t *s_channels;
static int64_t s_now_ms = 1000000;

//  The real inbox, with tables of its own: they keep what it learns from one input to the next
static void *s_context;
static void *s_sub;
static peers_t *s_peers;
static room_t *s_room;
static backlog_t *s_inbox_backlog;
static inbox_t *s_inbox;
static char s_private_topic[CONTROL_PRIVATE_BYTES + 1]; //  the inbox's: "!" + its id in hex

//  The model's cache of the last signature that verified, as the inbox keeps one
static signing_cache_t s_cache;

//  The senders this input told the streams table of (it forgets them after the input): the
//  sender of each message, and the twins' signer
#define HEARD_MAX (MESSAGES_MAX + 1)
static uint8_t s_heard_ids[HEARD_MAX][WIRE_SENDER_BYTES];
static size_t s_heard_count;

//  The senders that said goodbye, as inbox.c remembers them: a ring of INBOX_ENDED_MAX, all
//  zeros at first, kept from one input to the next (the inbox is created once, too). What
//  comes later in an ended sender's name is a replay: the model drops it, as the inbox does.
static uint8_t s_ended[INBOX_ENDED_MAX][WIRE_SENDER_BYTES];
static size_t s_ended_next;

//  True when sender said goodbye (inbox.c's s_ended).
static bool
s_is_ended (const uint8_t sender[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < INBOX_ENDED_MAX; i++)
        if (memcmp (s_ended[i], sender, WIRE_SENDER_BYTES) == 0)
            return true;
    return false;
}

//  True when a heartbeat or goodbye sent at sent_ms is more than INBOX_CONTROL_SKEW_MS from
//  the wall clock, so the inbox ignores it (computed without overflow, whatever sent_ms is).
static bool
s_skewed (uint64_t sent_ms)
{
    uint64_t now = (uint64_t) zclock_time ();
    return sent_ms > now ? sent_ms - now > INBOX_CONTROL_SKEW_MS
                         : now - sent_ms > INBOX_CONTROL_SKEW_MS;
}

//  Where a chat line came from, as in inbox.c
typedef enum { ORIGIN_LIVE, ORIGIN_RESENT, ORIGIN_HISTORY } origin_t;

//  Remember that the streams table heard of id in this input, so it forgets it at the end.
static void
s_heard (const uint8_t id[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < s_heard_count; i++)
        if (memcmp (s_heard_ids[i], id, WIRE_SENDER_BYTES) == 0)
            return;
    if (s_heard_count < HEARD_MAX)
        memcpy (s_heard_ids[s_heard_count++], id, WIRE_SENDER_BYTES);
}

//  True when frame holds exactly the string s (zframe_streq).
static bool
s_frame_is (const fuzz_frame_t *frame, const char *s)
{
    return frame && frame->size == strlen (s) && memcmp (frame->data, s, frame->size) == 0;
}

//  Sanitise size bytes at s into a buffer of outsize bytes on the heap, and check the result.
//  Returns what text_sanitize returned.
static int
s_sanitize (const void *s, size_t size, size_t outsize)
{
    char *out = malloc (outsize);
    FUZZ_CHECK (out != NULL);
    int rc = text_sanitize (s, size, out, outsize);
    FUZZ_CHECK (rc == 0 || rc == -1);
    fuzz_check_sanitized (out, outsize);
    free (out);
    return rc;
}

//  Check a decoded frame 1 against the frame it came from, and that it encodes back.
static void
s_check_line (const fuzz_frame_t *frame, const wire_line_t *line)
{
    size_t channel_size = strnlen (line->channel, sizeof line->channel);
    FUZZ_CHECK (channel_size < sizeof line->channel);
    FUZZ_CHECK (wire_channel_valid (line->channel, channel_size));
    FUZZ_CHECK (line->text_size <= TEXT_MAX_BYTES);
    const char *start = (const char *) frame->data;
    FUZZ_CHECK (line->text >= start && line->text + line->text_size == start + frame->size);
    //  The text of a valid line always fits on screen whole
    FUZZ_CHECK (s_sanitize (line->text, line->text_size, SANITIZED_MAX_BYTES) == 0);

    char encoded[FRAME_MAX_BYTES];
    int size =
        wire_encode_line (encoded, sizeof encoded, line->channel, line->text, line->text_size);
    FUZZ_CHECK (size > 0);
    wire_line_t again;
    FUZZ_CHECK (wire_decode_line (encoded, (size_t) size, &again) == WIRE_OK);
    FUZZ_CHECK (strcmp (again.channel, line->channel) == 0);
    FUZZ_CHECK (again.text_size == line->text_size &&
                memcmp (again.text, line->text, line->text_size) == 0);
}

//  Check a decoded frame 2 against the frame it came from, and that it encodes back to it.
static void
s_check_meta (const fuzz_frame_t *frame, const wire_meta_t *meta)
{
    size_t nick_size = strnlen (meta->nick, sizeof meta->nick);
    FUZZ_CHECK (nick_size < sizeof meta->nick);
    FUZZ_CHECK (wire_nick_valid (meta->nick, nick_size));
    FUZZ_CHECK (meta->version >= 1);

    FUZZ_CHECK (meta->keyed == (meta->version >= WIRE_VERSION));
    size_t expected = WIRE_META_FIXED_BYTES + nick_size + (meta->keyed ? WIRE_META_KEY_BYTES : 0);
    FUZZ_CHECK (meta->size == expected && meta->size <= frame->size);

    uint8_t encoded[WIRE_META_MAX_BYTES];
    int size = wire_encode_meta (encoded, sizeof encoded, meta);
    FUZZ_CHECK (size == (int) expected);
    //  Version 1's fields come first and are all there is to it, then version 2's key and
    //  session; the rest is reserved, or a line's proof
    FUZZ_CHECK (memcmp (encoded, frame->data, (size_t) size) == 0);
    if (meta->keyed)
        fuzz_check_proof (frame->data, frame->size, meta);
}

//  Check a decoded heartbeat body, and that it encodes and decodes back to the same.
static void
s_check_beat (const control_beat_t *beat)
{
    FUZZ_CHECK (beat->port >= 1 && beat->port <= 65535);
    FUZZ_CHECK (beat->peer_count <= CONTROL_PEERS_MAX);
    size_t channel_size = strnlen (beat->channel, sizeof beat->channel);
    FUZZ_CHECK (channel_size < sizeof beat->channel);
    FUZZ_CHECK (channel_size == 0 || wire_channel_valid (beat->channel, channel_size));
    for (size_t i = 0; i < beat->peer_count; i++)
        FUZZ_CHECK (strnlen (beat->peers[i].address, ENDPOINT_MAX_BYTES) < ENDPOINT_MAX_BYTES);
    if (channel_size == 0)
        return; //  our own beats always name a channel; one without does not encode back

    static char encoded[2 * CONTROL_BODY_MAX_BYTES];
    int size = control_encode_beat (encoded, sizeof encoded, beat);
    FUZZ_CHECK (size > 0);
    if (size > CONTROL_BODY_MAX_BYTES)
        return; //  a missing "seq" line, written back, can tip a full body over the limit
    static control_beat_t again;
    FUZZ_CHECK (control_decode_beat (encoded, (size_t) size, &again) == 0);
    FUZZ_CHECK (again.port == beat->port && again.last_seq == beat->last_seq);
    FUZZ_CHECK (strcmp (again.channel, beat->channel) == 0);
    FUZZ_CHECK (again.peer_count == beat->peer_count);
    for (size_t i = 0; i < beat->peer_count; i++) {
        FUZZ_CHECK (memcmp (again.peers[i].id, beat->peers[i].id, WIRE_SENDER_BYTES) == 0);
        FUZZ_CHECK (strcmp (again.peers[i].address, beat->peers[i].address) == 0);
    }
}

//  Check a request, and that it encodes and decodes back to the same. One that was decoded must
//  encode; one we would send (sent) may be refused by the encoder, and is then not sent at all,
//  but what goes out must be readable.
static void
s_check_request (const control_request_t *request, bool sent)
{
    FUZZ_CHECK (request->kind == CONTROL_REQUEST_RESEND ||
                request->kind == CONTROL_REQUEST_HISTORY || request->kind == CONTROL_REQUEST_ACK);
    FUZZ_CHECK (sent || request->number > 0);
    char encoded[128];
    int size = control_encode_request (encoded, sizeof encoded, request);
    FUZZ_CHECK (size > 0 || sent);
    if (size <= 0)
        return;
    control_request_t again;
    FUZZ_CHECK (control_decode_request (encoded, (size_t) size, &again) == 0);
    FUZZ_CHECK (again.kind == request->kind && again.number == request->number);
    FUZZ_CHECK (memcmp (again.target, request->target, WIRE_SENDER_BYTES) == 0);
    if (request->kind != CONTROL_REQUEST_ACK)
        FUZZ_CHECK (memcmp (again.requester, request->requester, WIRE_SENDER_BYTES) == 0);
}

//  Read frame as a subscription topic: "~listen PORT" or a request.
static void
s_subscription (const fuzz_frame_t *frame)
{
    const uint8_t *topic = frame->data;
    size_t size = frame->size;
    if (size > 0 && (topic[0] == 0 || topic[0] == 1))
        topic++, size--;
    int port = control_decode_listen (topic, size);
    FUZZ_CHECK (port == -1 || (port >= 1 && port <= 65535));
    if (port > 0) {
        char encoded[32];
        int encoded_size = control_encode_listen (encoded, sizeof encoded, port);
        FUZZ_CHECK (encoded_size > 0);
        FUZZ_CHECK (control_decode_listen (encoded, (size_t) encoded_size) == port);
    }
    control_request_t request;
    if (control_decode_request (topic, size, &request) == 0)
        s_check_request (&request, false);
}

//  Backlog serving callback: each line served decodes, and comes no earlier than the last.
static void
s_served (const void *line, size_t line_size, const void *meta, size_t meta_size, void *arg)
{
    uint64_t *last_sent_ms = arg;
    wire_line_t decoded_line;
    wire_meta_t decoded_meta;
    FUZZ_CHECK (wire_decode_line (line, line_size, &decoded_line) == WIRE_OK);
    FUZZ_CHECK (wire_decode_meta (meta, meta_size, &decoded_meta) == WIRE_OK);
    FUZZ_CHECK (decoded_meta.seq >= 1);
    FUZZ_CHECK (decoded_meta.sent_ms >= *last_sent_ms);
    *last_sent_ms = decoded_meta.sent_ms;
}

//  Keep a line with metadata in the backlog, as inbox.c's s_deliver does, and check what it serves.
static void
s_keep (const fuzz_frame_t *line_frame, const fuzz_frame_t *meta_frame)
{
    int rc = backlog_add (s_backlog, line_frame->data, line_frame->size, meta_frame->data,
                          meta_frame->size);
    //  Both frames decoded and seq >= 1: only a frame 2 too big for our sockets is refused
    FUZZ_CHECK (rc == 0 || rc == 1 || (rc == -1 && meta_frame->size > SOCKET_MAXMSGSIZE_BYTES));
    FUZZ_CHECK (backlog_size (s_backlog) <= CHANNELS_MAX * BACKLOG_LINES_DEFAULT);
    static size_t kept;
    if (rc != 0 || ++kept % SERVE_EVERY != 0)
        return;
    uint64_t last_sent_ms = 0;
    size_t served = backlog_serve (s_backlog, SERVE_LINES, s_served, &last_sent_ms);
    FUZZ_CHECK (served >= 1 && served <= CHANNELS_MAX * SERVE_LINES);
}

//  Format a line for the screen, without colour (checked) and with it.
static void
s_format (time_t when, const char *channel, const char *sender, const void *text, size_t text_size,
          bool origin_history)
{
    static char formatted[LINE_MAX_BYTES];
    view_line_t view = {.when = when,
                        .channel = channel,
                        .sender = sender,
                        .text = text,
                        .text_size = text_size,
                        .history = origin_history};
    int rc = view_format (formatted, sizeof formatted, &view);
    FUZZ_CHECK (rc == 0); //  a line within the limits is never cut
    fuzz_check_printable (formatted, sizeof formatted);
    view.color = true;
    view_format (formatted, sizeof formatted, &view);
}

//  A chat line that decoded (with its metadata, or NULL from a plain peer): ordered by its
//  sender's stream, kept, filtered by channel and shown, as inbox.c's s_deliver does.
static void
s_deliver (const fuzz_frame_t *line_frame, const wire_line_t *line, const fuzz_frame_t *meta_frame,
           const wire_meta_t *meta, origin_t origin)
{
    const char *sender = "127.0.0.1";
    time_t when = 1700000000;
    if (meta) {
        s_heard (meta->sender);
        if (origin == ORIGIN_HISTORY) {
            if (!streams_history (s_streams, meta->sender, meta->seq, s_now_ms))
                return;
            when = (time_t) (meta->sent_ms / 1000);
        } else if (meta->seq &&
                   streams_line (s_streams, meta->sender, meta->seq, s_now_ms) != STREAMS_SHOW)
            return;
        sender = meta->nick;
        if (meta->seq)
            s_keep (line_frame, meta_frame);
    }
    if (!channels_accept (s_channels, line->channel))
        return;
    s_format (when, line->channel, sender, line->text, line->text_size, origin == ORIGIN_HISTORY);
}

//  True when a message of count frames ends with a signature that verifies, by the sender of
//  its metadata (frame meta_at, of version 2), as inbox.c's s_signed asks.
static bool
s_signed (const fuzz_frame_t *frames, size_t count, size_t meta_at)
{
    wire_meta_t meta;
    if (count < 2 || meta_at >= count - 1 ||
        wire_decode_meta (frames[meta_at].data, frames[meta_at].size, &meta) != WIRE_OK ||
        !meta.keyed)
        return false;
    const void *data[FRAMES_MAX];
    size_t sizes[FRAMES_MAX];
    for (size_t i = 0; i < count - 1; i++)
        data[i] = frames[i].data, sizes[i] = frames[i].size;
    return signing_verify_frames (&meta, data, sizes, count - 1, frames[count - 1].data,
                                  frames[count - 1].size) &&
           !s_is_ended (meta.sender);
}

//  True when a line passed on alone (line_frame, and meta_frame decoded into meta) proves its
//  author, as inbox.c's s_decode_inner asks; the verdict is the same with the cache as without.
static bool
s_line_proven (const fuzz_frame_t *line_frame, const fuzz_frame_t *meta_frame,
               const wire_meta_t *meta)
{
    if (!meta->keyed)
        return false; //  version 1: nobody signed it
    bool proven = signing_line_verify (meta, meta_frame->data, meta_frame->size, line_frame->data,
                                       line_frame->size, NULL);
    FUZZ_CHECK (signing_line_verify (meta, meta_frame->data, meta_frame->size, line_frame->data,
                                     line_frame->size, &s_cache) == proven);
    return proven;
}

//  A message on our private topic: frame 2 is its kind, as in s_private.
static void
s_private (const fuzz_frame_t *frames, size_t count)
{
    const fuzz_frame_t *kind = count > 1 ? &frames[1] : NULL;
    const fuzz_frame_t *first = count > 2 ? &frames[2] : NULL;
    const fuzz_frame_t *second = count > 3 ? &frames[3] : NULL;
    wire_line_t line;
    wire_meta_t meta;
    if (s_frame_is (kind, CONTROL_KIND_LINE) || s_frame_is (kind, CONTROL_KIND_HISTORY)) {
        if (!first || !second || wire_decode_line (first->data, first->size, &line) != WIRE_OK ||
            wire_decode_meta (second->data, second->size, &meta) != WIRE_OK || meta.seq == 0 ||
            !s_line_proven (first, second, &meta))
            return;
        s_check_line (first, &line);
        s_check_meta (second, &meta);
        s_deliver (first, &line, second, &meta,
                   s_frame_is (kind, CONTROL_KIND_LINE) ? ORIGIN_RESENT : ORIGIN_HISTORY);
    } else if (s_frame_is (kind, CONTROL_KIND_GONE)) {
        if (first && s_signed (frames, count, 2) &&
            wire_decode_meta (first->data, first->size, &meta) == WIRE_OK)
            streams_gone (s_streams, meta.sender, meta.seq, s_now_ms);
    } else if (s_frame_is (kind, CONTROL_KIND_MESSAGE)) {
        if (!first || !second || !s_signed (frames, count, 3) ||
            wire_decode_meta (second->data, second->size, &meta) || meta.seq == 0 ||
            first->size == 0 || first->size > TEXT_MAX_BYTES)
            return;
        s_check_meta (second, &meta);
        //  Its receipt, as private_inbox_receive sends it, must be one its sender can read
        control_request_t receipt = {.kind = CONTROL_REQUEST_ACK, .number = meta.seq};
        memcpy (receipt.target, meta.sender, WIRE_SENDER_BYTES);
        s_check_request (&receipt, true);
        FUZZ_CHECK (s_sanitize (first->data, first->size, SANITIZED_MAX_BYTES) == 0);
        s_format (time (NULL), NULL, meta.nick, first->data, first->size, false);
    }
}

//  A batch of lines ("~lines", metadata, body, signature), as inbox.c's s_batch takes it: once
//  it verifies, each line, passed on alone with its proof, verifies too, and is delivered.
static void
s_batch (const fuzz_frame_t *frames, size_t count)
{
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    static signing_batch_t batch;
    static uint8_t line_meta[WIRE_LINE_META_MAX_BYTES];
    wire_meta_t meta;
    int lines_count = count > 3 ? signing_decode_body (frames[2].data, frames[2].size, lines,
                                                       WIRE_BATCH_LINES_MAX)
                                : -1;
    if (lines_count < 1 || wire_decode_meta (frames[1].data, frames[1].size, &meta) != WIRE_OK ||
        !meta.keyed || meta.size != frames[1].size || meta.seq == 0 ||
        !signing_meta_valid (&meta) ||
        signing_batch_build (&batch, frames[1].data, frames[1].size, meta.seq, lines,
                             (size_t) lines_count) ||
        !signing_batch_verify (&batch, meta.public_key, frames[3].data, frames[3].size) ||
        s_is_ended (meta.sender))
        return;
    for (size_t i = 0; i < (size_t) lines_count; i++) {
        int size = signing_line_meta (&batch, i, line_meta, sizeof line_meta);
        FUZZ_CHECK (size > 0);
        fuzz_frame_t line_frame = {(uint8_t *) lines[i].data, lines[i].size};
        fuzz_frame_t meta_frame = {line_meta, (size_t) size};
        wire_meta_t decoded;
        FUZZ_CHECK (wire_decode_meta (line_meta, (size_t) size, &decoded) == WIRE_OK);
        FUZZ_CHECK (decoded.seq == meta.seq + i && decoded.size == meta.size);
        s_check_meta (&meta_frame, &decoded);
        //  Through the cache, as the inbox passes a batch's lines on: each costs a hash or two
        FUZZ_CHECK (signing_line_verify (&decoded, line_meta, (size_t) size, lines[i].data,
                                         lines[i].size, &s_cache));
        wire_line_t line;
        if (wire_decode_line (lines[i].data, lines[i].size, &line) != WIRE_OK)
            continue;
        s_check_line (&line_frame, &line);
        s_deliver (&line_frame, &line, &meta_frame, &decoded, ORIGIN_LIVE);
    }
}

//  Take the repairs due now, as repair_due does: each would go out as a resend request, which
//  its sender must be able to read.
static void
s_repair (void)
{
    streams_due_t due;
    size_t taken = 0;
    while (streams_next_due (s_streams, s_now_ms, &due)) {
        FUZZ_CHECK (++taken <= STREAMS_MAX); //  each sender is due once at a time at most
        if (due.lost)
            continue;
        control_request_t request = {.kind = CONTROL_REQUEST_RESEND, .number = due.from};
        memcpy (request.target, due.id, WIRE_SENDER_BYTES);
        s_check_request (&request, true);
    }
}

//  Take the repairs due, then hand the message of count frames to the real inbox, as the
//  subscriber thread does (from_chat as inbox.h says).
static void
s_inbox_handle (const fuzz_frame_t *frames, size_t count, bool from_chat)
{
    s_repair ();
    inbox_frame_t views[INBOX_FRAMES_MAX];
    size_t viewed = count < INBOX_FRAMES_MAX ? count : INBOX_FRAMES_MAX;
    for (size_t i = 0; i < viewed; i++)
        views[i] = (inbox_frame_t){frames[i].data, frames[i].size};
    inbox_handle (s_inbox, views, viewed, count, "192.0.2.7", from_chat, s_now_ms);
    inbox_tick (s_inbox, s_now_ms);
}

//  The pure decoders on the frames of a message (count of them): line_error and meta_error
//  get what frames 1 and 2 decoded to (into line and meta), beat_error frame 3's heartbeat.
static void
s_decode (const fuzz_frame_t *frames, size_t count, wire_line_t *line, wire_error_t *line_error,
          wire_meta_t *meta, wire_error_t *meta_error, control_beat_t *beat, int *beat_error)
{
    //  Escaping grows text 4 times at most, so a frame within FRAME_MAX_BYTES is shown whole
    static char safe[SANITIZED_MAX_BYTES];
    int cut = text_sanitize ((const char *) frames[0].data, frames[0].size, safe, sizeof safe);
    FUZZ_CHECK (cut == 0 || frames[0].size > FRAME_MAX_BYTES);
    fuzz_check_sanitized (safe, sizeof safe);
    s_sanitize (frames[0].data, frames[0].size, 1 + frames[0].size % SMALL_OUT_MAX_BYTES);
    s_subscription (&frames[0]);
    *line_error = wire_decode_line (frames[0].data, frames[0].size, line);
    if (*line_error == WIRE_OK)
        s_check_line (&frames[0], line);
    *meta_error =
        count > 1 ? wire_decode_meta (frames[1].data, frames[1].size, meta) : WIRE_BAD_META;
    if (*meta_error == WIRE_OK)
        s_check_meta (&frames[1], meta);
    *beat_error = count > 2 ? control_decode_beat (frames[2].data, frames[2].size, beat) : -1;
    if (*beat_error == 0)
        s_check_beat (beat);
    if (count > 2)
        fuzz_check_body (frames[2].data, frames[2].size);
}

//  One message of count frames (from_chat: one a chat of version 2 sent, as inbox.h says):
//  the decoders on its frames, then where the subscriber thread sends it, in the model and in
//  the real inbox.
static void
s_handle (const fuzz_frame_t *frames, size_t count, bool from_chat)
{
    s_now_ms += CLOCK_STEP_MS;
    wire_line_t line;
    wire_meta_t meta;
    static control_beat_t beat;
    wire_error_t line_error, meta_error;
    int beat_error;
    s_decode (frames, count, &line, &line_error, &meta, &meta_error, &beat, &beat_error);

    if (frames[0].size > 0 && frames[0].data[0] == CONTROL_PRIVATE[0])
        s_private (frames, count);
    else if (s_frame_is (&frames[0], CONTROL_LINES))
        s_batch (frames, count);
    else if (line_error == WIRE_CONTROL && meta_error == WIRE_OK && !s_skewed (meta.sent_ms) &&
             s_signed (frames, count, 1)) {
        //  Control traffic counts only when signed, sent near now, and not after a goodbye
        if (s_frame_is (&frames[0], CONTROL_BYE)) {
            streams_forget (s_streams, meta.sender);
            memcpy (s_ended[s_ended_next], meta.sender, WIRE_SENDER_BYTES);
            s_ended_next = (s_ended_next + 1) % INBOX_ENDED_MAX;
        } else if (s_frame_is (&frames[0], CONTROL_BEAT) && beat_error == 0) {
            s_heard (meta.sender);
            streams_sent_up_to (s_streams, meta.sender, beat.last_seq, s_now_ms);
        }
    } else if (line_error == WIRE_OK && !(meta_error == WIRE_OK && meta.keyed) &&
               !(from_chat && count == 1))
        //  A line of version 2 comes in a batch; one alone proves nothing, and is dropped
        s_deliver (&frames[0], &line, meta_error == WIRE_OK ? &frames[1] : NULL,
                   meta_error == WIRE_OK ? &meta : NULL, ORIGIN_LIVE);
    s_inbox_handle (frames, count, from_chat);
}

//  One message, the index-th of its input: handled as it came, then as its signed twin.
static void
s_message (const uint8_t *data, size_t size, size_t index)
{
    fuzz_frame_t frames[FRAMES_MAX];
    size_t count = fuzz_split (data, size, FRAME_SEPARATOR, FRAMES_MAX, frames);
    //  receive_messages asks the connection only about a one-frame line
    bool from_chat = index % 2 == 1 && count == 1 && frames[0].size > 0 &&
                     frames[0].data[0] != CONTROL_PREFIX[0];
    s_handle (frames, count, from_chat);

    inbox_frame_t views[FRAMES_MAX];
    for (size_t i = 0; i < count; i++)
        views[i] = (inbox_frame_t){frames[i].data, frames[i].size};
    fuzz_twin_t twin;
    if (fuzz_twin_make (&twin, views, count, s_private_topic)) {
        fuzz_frame_t signed_frames[FUZZ_TWIN_FRAMES_MAX];
        for (size_t i = 0; i < twin.count; i++)
            signed_frames[i] = (fuzz_frame_t){(uint8_t *) twin.frames[i].data, twin.frames[i].size};
        s_heard (identity_sender (fuzz_twin_identity ()));
        s_handle (signed_frames, twin.count, false);
        fuzz_twin_free (&twin);
    }
    for (size_t i = 0; i < count; i++)
        free (frames[i].data);
}

//  Create the real inbox and its tables, once.
static void
s_inbox_new (void)
{
    //  ME in make-corpus: the seeds' private messages are for us
    static const uint8_t self_id[WIRE_SENDER_BYTES] = {0x55, 0x66, 0x00, 0x07};
    s_context = zmq_ctx_new ();
    s_sub = s_context ? zmq_socket (s_context, ZMQ_SUB) : NULL;
    s_peers = peers_new ();
    s_room = room_new ();
    s_inbox_backlog = backlog_new (BACKLOG_LINES_DEFAULT);
    FUZZ_CHECK (s_sub && s_peers && s_room && s_inbox_backlog);
    s_inbox = inbox_new (s_sub, s_channels, s_peers, s_room, s_inbox_backlog, self_id,
                         BACKLOG_LINES_DEFAULT);
    FUZZ_CHECK (s_inbox != NULL);
    FUZZ_CHECK (control_encode_private (s_private_topic, sizeof s_private_topic, self_id) > 0);
}

//  Carry out the peer changes the inbox queued (the subscriber thread would connect), so the
//  queue stays bounded from one input to the next.
static void
s_drain_peer_changes (void)
{
    char endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    while (peers_next_change (s_peers, endpoint, sizeof endpoint, &connect)) {
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_backlog) {
        s_backlog = backlog_new (BACKLOG_LINES_DEFAULT);
        s_streams = streams_new ();
        s_channels = channels_new (CHANNEL_DEFAULT);
        FUZZ_CHECK (s_backlog && s_streams && s_channels);
        s_inbox_new ();
    }
    fuzz_frame_t messages[MESSAGES_MAX];
    size_t count = fuzz_split (data, size, MESSAGE_SEPARATOR, MESSAGES_MAX, messages);
    for (size_t i = 0; i < count; i++) {
        s_message (messages[i].data, messages[i].size, i);
        free (messages[i].data);
    }
    s_drain_peer_changes ();
    //  The next input starts with an empty streams table: its verdicts depend on it alone
    for (size_t i = 0; i < s_heard_count; i++)
        streams_forget (s_streams, s_heard_ids[i]);
    s_heard_count = 0;
    return 0;
}
