/*  streams.h - each sender's lines in order, once: which line to show, which is a duplicate,
    and which gaps to repair or, when repair is impossible, to report as lost.

    Every chat line carries its sender's id and a sequence number (seq) that grows by one per
    line over all channels. A receiver shows a sender's lines strictly in seq order. A line
    ahead of the next one expected means lines were lost on the way (a full queue dropped
    them): it is dropped too, and the sender is asked to resend everything from the first
    missing one ("go back N"); its resends arrive in order on the same connection, followed by
    its newer live lines, so one request usually repairs the whole gap. Heartbeats say the last
    seq sent, so a loss at the end of a burst is found too.

    Pure bookkeeping on (id, seq, time): no sockets, no lock. The subscriber thread owns it.
*/
#ifndef STREAMS_H_INCLUDED
#define STREAMS_H_INCLUDED

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAMS_MAX 256      // senders followed at once; the one unheard longest is forgotten
#define REPAIR_RETRY_MS 1500 // a gap with no progress for this long is asked for again
#define REPAIR_TRIES 3       // ... this many times at most; then its lines are reported lost

typedef struct _streams_t streams_t;

//  What to do with a chat line
typedef enum {
    STREAMS_SHOW,      //  the next line of its sender (or its first): show it
    STREAMS_DUPLICATE, //  shown already, or sent before we joined and shown as history: drop it
    STREAMS_AHEAD      //  lines before it are missing: drop it as well, a repair is due
} streams_verdict_t;

//  A repair to ask for now, or lines to report lost
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES]; //  the sender
    uint64_t from;                 //  ask it to resend from this seq on (when lost is 0)
    uint64_t lost;                 //  > 0: this many lines are lost for good; tell the user
} streams_due_t;

//  Create an empty table. Returns NULL if out of memory.
streams_t *streams_new (void);

//  Destroy the table; sets *self_p to NULL. Safe twice.
void streams_destroy (streams_t **self_p);

//  A chat line seq (>= 1) from id, live or resent, at now_ms. Returns what to do with it.
streams_verdict_t streams_line (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t seq,
                                int64_t now_ms);

//  A heartbeat from id saying its last line had seq last_seq (0: none yet). For a sender not
//  followed yet, its lines start after last_seq, or, when history showed some of its lines,
//  after those; lines up to last_seq not shown yet are missing, and a repair is due.
void streams_sent_up_to (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t last_seq,
                         int64_t now_ms);

//  A line of history (sent before we joined) seq from id. Returns true to show it: it is not
//  one we were to get live, nor one shown as history already. History comes from one peer, in
//  each sender's seq order, so a line at or below the highest shown as history is refused: a
//  second answer never shows a line twice (nor older lines the first one did not have).
bool streams_history (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t seq,
                      int64_t now_ms);

//  id no longer holds its lines before first_held, so lines from the next one wanted up to
//  first_held - 1 are lost. Returns how many (0 if none, or no repair is under way); the repair
//  goes on from first_held.
uint64_t streams_gone (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t first_held,
                       int64_t now_ms);

//  Take the next thing to do at now_ms: a repair to ask for (due->lost is 0; it counts as
//  asked), or lines to report lost after REPAIR_TRIES unanswered asks (due->lost > 0; they are
//  skipped). Returns false when nothing is due.
bool streams_next_due (streams_t *self, int64_t now_ms, streams_due_t *due);

//  True when some gap is waiting for repair (the caller should come back within
//  REPAIR_RETRY_MS).
bool streams_repairing (streams_t *self);

//  Forget id (it left the room).
void streams_forget (streams_t *self, const uint8_t id[WIRE_SENDER_BYTES]);

#endif
