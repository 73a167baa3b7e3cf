/*  streams.c - each sender's lines in order, once; gaps to repair or to report lost.

    One record per sender: the next seq to show, the highest seq known to exist, and the state
    of a repair. A record starts at the first line or heartbeat heard from its sender: what it
    sent before then is history (streams_history), not a gap.
*/
#include "streams.h"

#include <stdlib.h>
#include <string.h>

//  What we know of one sender
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES]; //  its sender id
    uint64_t next;                 //  next seq to show; 0 until the first line or heartbeat
    uint64_t first;                //  first seq we were to get live: history stops below it
    uint64_t latest;               //  highest seq known to exist (from lines and heartbeats)
    uint64_t history_max;          //  highest seq shown as history
    bool repairing;                //  lines next..latest are missing
    bool asked;                    //  the repair was asked for
    int64_t asked_ms;              //  when it was last asked for
    int64_t progress_ms;           //  when the repair last moved on
    int tries;                     //  asks since the repair last moved on
    int64_t heard_ms;              //  when we last heard of this sender
} stream_t;

struct _streams_t {
    stream_t streams[STREAMS_MAX]; //  the senders, in no order
    size_t size;                   //  how many
};

streams_t *
streams_new (void)
{
    return calloc (1, sizeof (streams_t));
}

void
streams_destroy (streams_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

//  Find the record of id, or NULL. A room has few senders, so a scan is fast enough.
static stream_t *
s_find (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < self->size; i++)
        if (memcmp (self->streams[i].id, id, WIRE_SENDER_BYTES) == 0)
            return &self->streams[i];
    return NULL;
}

//  Find the record of id, or make one, in place of the sender unheard longest if full.
static stream_t *
s_find_or_add (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], int64_t now_ms)
{
    stream_t *stream = s_find (self, id);
    if (stream) {
        stream->heard_ms = now_ms;
        return stream;
    }
    if (self->size < STREAMS_MAX)
        stream = &self->streams[self->size++];
    else {
        stream = &self->streams[0];
        for (size_t i = 1; i < self->size; i++)
            if (self->streams[i].heard_ms < stream->heard_ms)
                stream = &self->streams[i];
    }
    memset (stream, 0, sizeof *stream);
    memcpy (stream->id, id, WIRE_SENDER_BYTES);
    stream->heard_ms = now_ms;
    return stream;
}

//  Lines next..latest are missing: start a repair, unless one is under way.
static void
s_gap (stream_t *stream, uint64_t latest, int64_t now_ms)
{
    if (latest > stream->latest)
        stream->latest = latest;
    if (!stream->repairing) {
        stream->repairing = true;
        stream->asked = false;
        stream->progress_ms = now_ms;
        stream->tries = 0;
    }
}

//  The line next was shown: the repair moves on, or is done.
static void
s_advance (stream_t *stream, int64_t now_ms)
{
    stream->next++;
    if (stream->latest < stream->next - 1)
        stream->latest = stream->next - 1;
    if (stream->repairing) {
        stream->progress_ms = now_ms;
        stream->tries = 0;
        if (stream->next > stream->latest)
            stream->repairing = false;
    }
}

streams_verdict_t
streams_line (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t seq, int64_t now_ms)
{
    stream_t *stream = s_find_or_add (self, id, now_ms);
    if (stream->next == 0) {
        //  The first line heard live: lines before it were sent before we joined, except those
        //  after what history showed us, which are a gap
        if (stream->history_max && seq <= stream->history_max) {
            stream->next = stream->first = stream->history_max + 1;
            return STREAMS_DUPLICATE;
        }
        stream->next = stream->first = stream->history_max ? stream->history_max + 1 : seq;
    }
    if (seq < stream->next)
        return STREAMS_DUPLICATE;
    if (seq > stream->next) {
        s_gap (stream, seq, now_ms);
        return STREAMS_AHEAD;
    }
    s_advance (stream, now_ms);
    return STREAMS_SHOW;
}

void
streams_sent_up_to (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t last_seq,
                    int64_t now_ms)
{
    stream_t *stream = s_find_or_add (self, id, now_ms);
    if (stream->next == 0 && stream->history_max == 0) {
        //  Its lines so far were sent before we joined
        stream->next = stream->first = last_seq + 1;
        stream->latest = last_seq;
        return;
    }
    if (stream->next == 0)
        //  History showed its lines up to history_max: the ones after were sent since, while we
        //  were joining, and are ours to get
        stream->next = stream->first = stream->history_max + 1;
    if (last_seq >= stream->next)
        s_gap (stream, last_seq, now_ms);
}

bool
streams_history (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t seq, int64_t now_ms)
{
    stream_t *stream = s_find_or_add (self, id, now_ms);
    if (seq == 0 || seq <= stream->history_max || (stream->first && seq >= stream->first))
        return false;
    stream->history_max = seq;
    return true;
}

uint64_t
streams_gone (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t first_held,
              int64_t now_ms)
{
    stream_t *stream = s_find (self, id);
    if (!stream || !stream->repairing || first_held <= stream->next)
        return 0;
    //  Lines from next up to first_held - 1 existed (the sender has sent first_held) and are gone
    uint64_t lost = first_held - stream->next;
    stream->next = first_held;
    if (stream->latest < first_held - 1)
        stream->latest = first_held - 1;
    stream->progress_ms = now_ms;
    stream->tries = 0;
    if (stream->next > stream->latest)
        stream->repairing = false;
    return lost;
}

bool
streams_next_due (streams_t *self, int64_t now_ms, streams_due_t *due)
{
    for (size_t i = 0; i < self->size; i++) {
        stream_t *stream = &self->streams[i];
        if (!stream->repairing)
            continue;
        int64_t quiet_since =
            stream->asked_ms > stream->progress_ms ? stream->asked_ms : stream->progress_ms;
        if (stream->asked && now_ms - quiet_since < REPAIR_RETRY_MS)
            continue;
        memcpy (due->id, stream->id, WIRE_SENDER_BYTES);
        if (stream->tries >= REPAIR_TRIES) {
            //  Nobody answers: give the missing lines up and go on after them
            due->from = stream->next;
            due->lost = stream->latest - stream->next + 1;
            stream->next = stream->latest + 1;
            stream->repairing = false;
            return true;
        }
        due->from = stream->next;
        due->lost = 0;
        stream->asked = true;
        stream->asked_ms = now_ms;
        stream->tries++;
        return true;
    }
    return false;
}

bool
streams_repairing (streams_t *self)
{
    for (size_t i = 0; i < self->size; i++)
        if (self->streams[i].repairing)
            return true;
    return false;
}

void
streams_forget (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    stream_t *stream = s_find (self, id);
    if (stream)
        *stream = self->streams[--self->size];
}
