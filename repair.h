/*  repair.h - asking for what we missed: the lines a gap in a sender's stream lacks (resent by
    their sender, answers.h), and the room's history when we join; and telling the user what
    could not be repaired.

    The requests go upstream as subscriptions on our SUB socket (control_ask). History is asked
    of the first member heard, then of another when no answer came within REPAIR_HISTORY_WAIT_MS,
    REPAIR_HISTORY_TRIES times at most. Subscriber thread only.
*/
#ifndef REPAIR_H_INCLUDED
#define REPAIR_H_INCLUDED

#include "room.h"
#include "streams.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPAIR_HISTORY_WAIT_MS 3000 // a history request unanswered this long goes to another member
#define REPAIR_HISTORY_TRIES 3      // members asked for history at most

typedef struct _repair_t repair_t;

//  Create the repairs of the streams of sub (a SUB socket), naming senders from room (none
//  owned); self_id is ours, the requester of every request. history_lines is how many lines
//  per channel to ask for on joining (0: none). Returns NULL if out of memory.
repair_t *repair_new (void *sub, streams_t *streams, room_t *room,
                      const uint8_t self_id[WIRE_SENDER_BYTES], size_t history_lines);

//  Destroy it; sets *self_p to NULL. Safe twice.
void repair_destroy (repair_t **self_p);

//  Ask for the repairs due at now_ms, and tell the user of gaps that cannot be repaired.
void repair_due (repair_t *self, int64_t now_ms);

//  Member id was heard at now_ms: ask it for the room's history, while we want it.
void repair_ask_history (repair_t *self, const uint8_t id[WIRE_SENDER_BYTES], int64_t now_ms);

//  The history came (all of it): ask nobody else.
void repair_history_done (repair_t *self);

//  Sender id no longer holds its lines before first_held: tell the user how many are lost.
void repair_gone (repair_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t first_held,
                  int64_t now_ms);

#endif
