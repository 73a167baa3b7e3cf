/*  backlog.c - the room's recent chat lines, per channel: the history a peer serves to those
    who join later (or rejoin after a crash).

    Each channel is a doubly linked list of lines, oldest first, in time order: by send time,
    and among lines sent in the same millisecond by the order they were added. That key (sent_ms,
    order) is "oldest" everywhere here: for the line a full channel drops, for the line the byte
    bound drops, for the channel the channel bound drops and for the order lines are served in.

    Duplicates are found by scanning a channel back from its newest line. A sender numbers its
    lines in the order it sends them, so while every sender's lines in a channel lie in seq order
    the scan stops at the sender's first line with a smaller seq: for a live line that is its
    previous one, a step or two back. A line that breaks that order (a sender whose clock went
    back, or two lines of one millisecond heard in reverse) clears the channel's seq_ordered, and
    its scans go through the whole channel (at most BACKLOG_LINES_MAX lines) from then on.
*/
#include "backlog.h"
#include "limits.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

//  One line kept, with its two frames in the same allocation
typedef struct _entry_t entry_t;
struct _entry_t {
    entry_t *older;                    //  the line before it in its channel, or NULL
    entry_t *newer;                    //  the line after it in its channel, or NULL
    uint8_t sender[WIRE_SENDER_BYTES]; //  sender id, from frame 2
    uint64_t seq;                      //  sender's sequence number, from frame 2, >= 1
    uint64_t sent_ms;                  //  send time, from frame 2
    uint64_t order;                    //  when it was added: the backlog's counter, unique
    size_t line_size;                  //  bytes of frame 1, at frames
    size_t meta_size;                  //  bytes of frame 2, at frames + line_size
    uint8_t frames[];                  //  frame 1 then frame 2, exactly as received or sent
};

//  One channel's lines (a shelf); a shelf exists while its channel has at least one line
typedef struct {
    char name[NAME_MAX_BYTES + 1]; //  channel name, NUL-terminated
    entry_t *oldest;               //  first line in time order
    entry_t *newest;               //  last line in time order
    size_t size;                   //  lines kept, 1..lines_per_channel
    bool seq_ordered;              //  every sender's lines here are in seq order: scans stop early
} shelf_t;

struct _backlog_t {
    pthread_mutex_t lock;            //  the backlog lock: guards everything below
    size_t lines_per_channel;        //  lines kept per channel, 0..BACKLOG_LINES_MAX
    shelf_t *channels[CHANNELS_MAX]; //  the channels with lines, in no order
    size_t channel_count;            //  how many
    size_t lines;                    //  lines kept over all channels
    size_t bytes;                    //  frame bytes kept over all channels
    uint64_t next_order;             //  the order the next line added gets
};

//  A frame 2 bigger than this could not have come through our sockets: refused, not kept.
#define BACKLOG_META_MAX_BYTES SOCKET_MAXMSGSIZE_BYTES

//  A read-only cursor over the lines one channel serves, for backlog_serve's merge
typedef struct {
    const entry_t *entry; //  the next line to serve
    size_t remaining;     //  lines left to serve from this channel, >= 1
} cursor_t;

//  Create an empty backlog; NULL when lines_per_channel is over BACKLOG_LINES_MAX. Any thread.
backlog_t *
backlog_new (size_t lines_per_channel)
{
    if (lines_per_channel > BACKLOG_LINES_MAX)
        return NULL;
    backlog_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (pthread_mutex_init (&self->lock, NULL)) {
        free (self);
        return NULL;
    }
    self->lines_per_channel = lines_per_channel;
    self->next_order = 1;
    return self;
}

//  Free a channel and its lines. Lock held, or no other thread left.
static void
s_channel_free (shelf_t *channel)
{
    entry_t *entry = channel->oldest;
    while (entry) {
        entry_t *newer = entry->newer;
        free (entry);
        entry = newer;
    }
    free (channel);
}

//  Free the backlog and every line in it; *self_p becomes NULL. Once no other thread uses it.
void
backlog_destroy (backlog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    backlog_t *self = *self_p;
    for (size_t i = 0; i < self->channel_count; i++)
        s_channel_free (self->channels[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  True when line a is older than line b: by send time, then by the order they were added.
static bool
s_older (const entry_t *a, const entry_t *b)
{
    return a->sent_ms != b->sent_ms ? a->sent_ms < b->sent_ms : a->order < b->order;
}

//  The channel called name, or NULL. Lock held.
static shelf_t *
s_channel_find (backlog_t *self, const char *name)
{
    for (size_t i = 0; i < self->channel_count; i++)
        if (strcmp (self->channels[i]->name, name) == 0)
            return self->channels[i];
    return NULL;
}

//  Remove channels[index] with its lines. Lock held.
static void
s_channel_remove (backlog_t *self, size_t index)
{
    shelf_t *channel = self->channels[index];
    for (const entry_t *entry = channel->oldest; entry; entry = entry->newer) {
        self->lines--;
        self->bytes -= entry->line_size + entry->meta_size;
    }
    s_channel_free (channel);
    self->channels[index] = self->channels[--self->channel_count];
}

//  A new empty channel called name; when CHANNELS_MAX are kept already, the one whose newest
//  line is oldest goes first. Returns NULL if out of memory or name is too long. Lock held.
static shelf_t *
s_channel_new (backlog_t *self, const char *name)
{
    size_t name_size = strlen (name);
    shelf_t *channel = name_size <= NAME_MAX_BYTES ? calloc (1, sizeof *channel) : NULL;
    if (!channel)
        return NULL;
    memcpy (channel->name, name, name_size + 1);
    channel->seq_ordered = true;
    if (self->channel_count == CHANNELS_MAX) {
        size_t stalest = 0;
        for (size_t i = 1; i < self->channel_count; i++)
            if (s_older (self->channels[i]->newest, self->channels[stalest]->newest))
                stalest = i;
        s_channel_remove (self, stalest);
    }
    self->channels[self->channel_count++] = channel;
    return channel;
}

//  Drop the oldest line of channels[index], and the channel if that was its last. Lock held.
static void
s_drop_oldest (backlog_t *self, size_t index)
{
    shelf_t *channel = self->channels[index];
    if (channel->size == 1) {
        s_channel_remove (self, index);
        return;
    }
    entry_t *entry = channel->oldest;
    channel->oldest = entry->newer;
    channel->oldest->older = NULL;
    channel->size--;
    self->lines--;
    self->bytes -= entry->line_size + entry->meta_size;
    free (entry);
}

//  Drop the oldest lines over all channels until the frames fit in BACKLOG_BYTES_MAX.
//  Lock held.
static void
s_fit_bytes (backlog_t *self)
{
    while (self->bytes > BACKLOG_BYTES_MAX && self->channel_count > 0) {
        size_t oldest = 0;
        for (size_t i = 1; i < self->channel_count; i++)
            if (s_older (self->channels[i]->oldest, self->channels[oldest]->oldest))
                oldest = i;
        s_drop_oldest (self, oldest);
    }
}

//  True when channel keeps a line from sender with seq. Sets *latest to the sender's line
//  nearest the end of the channel, or NULL when it has none. Lock held.
static bool
s_duplicate (const shelf_t *channel, const uint8_t *sender, uint64_t seq, const entry_t **latest)
{
    *latest = NULL;
    for (const entry_t *entry = channel->newest; entry; entry = entry->older) {
        if (memcmp (entry->sender, sender, WIRE_SENDER_BYTES) != 0)
            continue;
        if (!*latest)
            *latest = entry;
        if (entry->seq == seq)
            return true;
        //  The sender's lines before this one have smaller seqs still
        if (channel->seq_ordered && entry->seq < seq)
            return false;
    }
    return false;
}

//  True when a line from sender with seq, put right after after (at the start when after is
//  NULL), keeps the sender's lines in seq order. The line is not a duplicate. Lock held.
static bool
s_keeps_seq_order (const shelf_t *channel, const entry_t *after, const uint8_t *sender,
                   uint64_t seq)
{
    for (const entry_t *entry = after; entry; entry = entry->older)
        if (memcmp (entry->sender, sender, WIRE_SENDER_BYTES) == 0) {
            if (entry->seq > seq)
                return false;
            break;
        }
    for (const entry_t *entry = after ? after->newer : channel->oldest; entry; entry = entry->newer)
        if (memcmp (entry->sender, sender, WIRE_SENDER_BYTES) == 0)
            return entry->seq > seq;
    return true;
}

//  A new line with copies of both frames, sized exactly. Returns NULL if out of memory.
static entry_t *
s_entry_new (const void *line, size_t line_size, const void *meta, size_t meta_size,
             const wire_meta_t *decoded)
{
    entry_t *entry = malloc (sizeof *entry + line_size + meta_size);
    if (!entry)
        return NULL;
    entry->older = entry->newer = NULL;
    memcpy (entry->sender, decoded->sender, WIRE_SENDER_BYTES);
    entry->seq = decoded->seq;
    entry->sent_ms = decoded->sent_ms;
    entry->line_size = line_size;
    entry->meta_size = meta_size;
    memcpy (entry->frames, line, line_size);
    memcpy (entry->frames + line_size, meta, meta_size);
    return entry;
}

//  Link entry into channel right after after (at the start when after is NULL). Lock held.
static void
s_link (shelf_t *channel, entry_t *after, entry_t *entry)
{
    entry->older = after;
    entry->newer = after ? after->newer : channel->oldest;
    if (entry->newer)
        entry->newer->older = entry;
    else
        channel->newest = entry;
    if (after)
        after->newer = entry;
    else
        channel->oldest = entry;
    channel->size++;
}

//  Keep a line heard or sent, in its place in its channel: 0 kept, 1 duplicate, -1 refused.
int
backlog_add (backlog_t *self, const void *line, size_t line_size, const void *meta,
             size_t meta_size)
{
    wire_line_t decoded_line;
    wire_meta_t decoded_meta;
    if (!line || !meta || wire_decode_line (line, line_size, &decoded_line) != WIRE_OK ||
        wire_decode_meta (meta, meta_size, &decoded_meta) != WIRE_OK)
        return -1;
    return backlog_keep (self, line, line_size, meta, meta_size, decoded_line.channel,
                         &decoded_meta);
}

//  Where a line from meta's sender goes in channel: after *after (at the start when NULL),
//  *latest being the sender's line nearest the end. Returns 0, 1 for a duplicate, 2 for a line
//  older than all of a full channel (it would go at once: accepted, not kept). Lock held.
static int
s_place (backlog_t *self, const shelf_t *channel, const wire_meta_t *meta, entry_t **after,
         const entry_t **latest)
{
    if (s_duplicate (channel, meta->sender, meta->seq, latest))
        return 1;
    if (channel->size >= self->lines_per_channel && meta->sent_ms < channel->oldest->sent_ms)
        return 2;
    //  Its place: after the last line sent at the same time or before
    *after = channel->newest;
    while (*after && (*after)->sent_ms > meta->sent_ms)
        *after = (*after)->older;
    return 0;
}

//  Link entry (from meta's sender) into channel after after, latest being the sender's line
//  nearest the end; then keep within the bounds. Lock held.
static void
s_insert (backlog_t *self, shelf_t *channel, entry_t *after, const entry_t *latest, entry_t *entry,
          const wire_meta_t *meta)
{
    if (channel->seq_ordered) {
        //  Appended: the sender's latest line is the only one it must follow
        if (after == channel->newest)
            channel->seq_ordered = !latest || latest->seq < meta->seq;
        else
            channel->seq_ordered = s_keeps_seq_order (channel, after, meta->sender, meta->seq);
    }
    entry->order = self->next_order++;
    s_link (channel, after, entry);
    self->lines++;
    self->bytes += entry->line_size + entry->meta_size;
    if (channel->size > self->lines_per_channel) {
        for (size_t i = 0; i < self->channel_count; i++)
            if (self->channels[i] == channel) {
                s_drop_oldest (self, i);
                break;
            }
    }
    s_fit_bytes (self);
}

//  backlog_keep with the lock held.
static int
s_keep (backlog_t *self, const void *line, size_t line_size, const void *meta, size_t meta_size,
        const char *channel_name, const wire_meta_t *meta_decoded)
{
    //  A backlog of 0 lines per channel accepts every valid line and keeps none
    if (self->lines_per_channel == 0)
        return 0;
    shelf_t *channel = s_channel_find (self, channel_name);
    const entry_t *latest = NULL;
    entry_t *after = NULL;
    int placed = channel ? s_place (self, channel, meta_decoded, &after, &latest) : 0;
    if (placed)
        return placed == 1 ? 1 : 0;
    entry_t *entry = s_entry_new (line, line_size, meta, meta_size, meta_decoded);
    if (entry && !channel && !(channel = s_channel_new (self, channel_name))) {
        free (entry);
        entry = NULL;
    }
    if (!entry)
        return -1;
    s_insert (self, channel, after, latest, entry, meta_decoded);
    return 0;
}

//  The same, for frames decoded already.
int
backlog_keep (backlog_t *self, const void *line, size_t line_size, const void *meta,
              size_t meta_size, const char *channel_name, const wire_meta_t *meta_decoded)
{
    if (!line || !meta || meta_size > BACKLOG_META_MAX_BYTES || meta_decoded->seq < 1)
        return -1;
    pthread_mutex_lock (&self->lock);
    int rc = s_keep (self, line, line_size, meta, meta_size, channel_name, meta_decoded);
    pthread_mutex_unlock (&self->lock);
    return rc;
}

//  Restore the heap order of cursors[0..count) below index: the oldest line at the top.
static void
s_sift_down (cursor_t *cursors, size_t count, size_t index)
{
    while (true) {
        size_t oldest = index, left = 2 * index + 1, right = left + 1;
        if (left < count && s_older (cursors[left].entry, cursors[oldest].entry))
            oldest = left;
        if (right < count && s_older (cursors[right].entry, cursors[oldest].entry))
            oldest = right;
        if (oldest == index)
            return;
        cursor_t swap = cursors[index];
        cursors[index] = cursors[oldest];
        cursors[oldest] = swap;
        index = oldest;
    }
}

//  A copy of entry, or NULL if out of memory.
static entry_t *
s_entry_copy (const entry_t *entry)
{
    size_t size = sizeof *entry + entry->line_size + entry->meta_size;
    entry_t *copy = malloc (size);
    if (copy)
        memcpy (copy, entry, size);
    return copy;
}

//  Copy the last lines_per_channel lines of each channel into copies (room for max), all
//  channels merged oldest first; NULL in copies when out of memory. Returns the count. Lock
//  held.
static size_t
s_snapshot (backlog_t *self, size_t lines_per_channel, entry_t **copies, size_t max)
{
    cursor_t cursors[CHANNELS_MAX];
    size_t count = 0, copied = 0;
    //  One cursor per channel, at the first of its last lines_per_channel lines
    for (size_t i = 0; i < self->channel_count && lines_per_channel > 0; i++) {
        const shelf_t *channel = self->channels[i];
        size_t take = channel->size < lines_per_channel ? channel->size : lines_per_channel;
        const entry_t *entry = channel->newest;
        for (size_t step = 1; step < take; step++)
            entry = entry->older;
        cursors[count++] = (cursor_t){.entry = entry, .remaining = take};
    }
    for (size_t i = count; i-- > 0;)
        s_sift_down (cursors, count, i);
    //  Merge: the oldest line of all channels' next ones, each time
    while (count > 0 && copied < max) {
        const entry_t *entry = cursors[0].entry;
        copies[copied++] = s_entry_copy (entry);
        if (--cursors[0].remaining > 0)
            cursors[0].entry = entry->newer;
        else
            cursors[0] = cursors[--count];
        s_sift_down (cursors, count, 0);
    }
    return copied;
}

//  Serve the last lines of every channel, merged oldest first: copied with the lock held, then
//  served without it, so serve may send on a socket. Any thread.
size_t
backlog_serve (backlog_t *self, size_t lines_per_channel, backlog_serve_fn *serve, void *arg)
{
    pthread_mutex_lock (&self->lock);
    size_t max = 0;
    for (size_t i = 0; i < self->channel_count; i++)
        max += self->channels[i]->size < lines_per_channel ? self->channels[i]->size
                                                           : lines_per_channel;
    entry_t **copies = max ? calloc (max, sizeof *copies) : NULL;
    size_t count = copies ? s_snapshot (self, lines_per_channel, copies, max) : 0;
    pthread_mutex_unlock (&self->lock);
    size_t served = 0;
    for (size_t i = 0; i < count; i++) {
        const entry_t *entry = copies[i];
        if (entry && serve)
            serve (entry->frames, entry->line_size, entry->frames + entry->line_size,
                   entry->meta_size, arg);
        served += entry != NULL;
        free (copies[i]);
    }
    free (copies);
    return served;
}

//  Order two copied entries by seq (qsort).
static int
s_by_seq (const void *a, const void *b)
{
    const entry_t *first = *(entry_t *const *) a, *second = *(entry_t *const *) b;
    return (first->seq > second->seq) - (first->seq < second->seq);
}

//  Serve sender's lines from seq from on, in seq order: copied with the lock held, then served
//  without it. Any thread.
size_t
backlog_serve_sender (backlog_t *self, const uint8_t sender[WIRE_SENDER_BYTES], uint64_t from,
                      backlog_serve_fn *serve, void *arg)
{
    entry_t **copies = calloc (BACKLOG_SENDER_SERVE_MAX, sizeof *copies);
    if (!copies)
        return 0;
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->channel_count; i++)
        for (const entry_t *entry = self->channels[i]->oldest;
             entry && count < BACKLOG_SENDER_SERVE_MAX; entry = entry->newer)
            if (entry->seq >= from && memcmp (entry->sender, sender, WIRE_SENDER_BYTES) == 0) {
                copies[count] = s_entry_copy (entry);
                count += copies[count] != NULL;
            }
    pthread_mutex_unlock (&self->lock);
    qsort (copies, count, sizeof *copies, s_by_seq);
    for (size_t i = 0; i < count; i++) {
        if (serve)
            serve (copies[i]->frames, copies[i]->line_size,
                   copies[i]->frames + copies[i]->line_size, copies[i]->meta_size, arg);
        free (copies[i]);
    }
    free (copies);
    return count;
}

//  Lines kept over all channels. Any thread.
size_t
backlog_size (backlog_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t lines = self->lines;
    pthread_mutex_unlock (&self->lock);
    return lines;
}
