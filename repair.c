/*  repair.c - asking for what we missed (see repair.h).
 */
#include "repair.h"
#include "control.h"
#include "i18n.h"
#include "term.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct _repair_t {
    void *sub;                          //  the SUB socket requests go out on (not owned)
    streams_t *streams;                 //  each sender's lines, and the gaps (not owned)
    room_t *room;                       //  the members, for names (not owned)
    uint8_t self_id[WIRE_SENDER_BYTES]; //  ours: the requester
    size_t history_lines;               //  lines of history per channel to ask for (0: none)
    int history_tries;                  //  members asked for history so far
    int64_t history_asked_ms;           //  when the last one was asked, 0 = not yet
    bool history_done;                  //  the history came (or none is wanted)
};

repair_t *
repair_new (void *sub, streams_t *streams, room_t *room, const uint8_t self_id[WIRE_SENDER_BYTES],
            size_t history_lines)
{
    repair_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sub = sub;
    self->streams = streams;
    self->room = room;
    memcpy (self->self_id, self_id, WIRE_SENDER_BYTES);
    self->history_lines = history_lines;
    self->history_done = history_lines == 0;
    return self;
}

void
repair_destroy (repair_t **self_p)
{
    if (self_p)
        freen (*self_p);
}

//  Tell the user that lost lines from sender id (nick, when known) could not be repaired.
static void
s_report_lost (repair_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t lost)
{
    char name[NAME_MAX_BYTES + 8];
    room_name_of (self->room, id, name, sizeof name);
    term_notice (ngettext ("%" PRIu64 " message from %s was lost",
                           "%" PRIu64 " messages from %s were lost", (unsigned long) lost),
                 lost, name);
}

//  Ask member id for something, as request kind with number.
static void
s_ask (repair_t *self, control_request_kind_t kind, const uint8_t id[WIRE_SENDER_BYTES],
       uint64_t number)
{
    control_request_t request = {.kind = kind, .number = number};
    memcpy (request.target, id, WIRE_SENDER_BYTES);
    memcpy (request.requester, self->self_id, WIRE_SENDER_BYTES);
    control_ask (self->sub, &request);
}

void
repair_due (repair_t *self, int64_t now_ms)
{
    streams_due_t due;
    while (streams_next_due (self->streams, now_ms, &due)) {
        if (due.lost) {
            s_report_lost (self, due.id, due.lost);
            continue;
        }
        s_ask (self, CONTROL_REQUEST_RESEND, due.id, due.from);
        if (term_debug_on ()) {
            char name[NAME_MAX_BYTES + 8];
            room_name_of (self->room, due.id, name, sizeof name);
            term_debug (_ ("SUB lines from %s are missing: asking it to resend from seq %" PRIu64),
                        name, due.from);
        }
    }
}

void
repair_ask_history (repair_t *self, const uint8_t id[WIRE_SENDER_BYTES], int64_t now_ms)
{
    if (self->history_done || self->history_tries >= REPAIR_HISTORY_TRIES ||
        (self->history_asked_ms && now_ms - self->history_asked_ms < REPAIR_HISTORY_WAIT_MS))
        return;
    s_ask (self, CONTROL_REQUEST_HISTORY, id, self->history_lines);
    self->history_tries++;
    self->history_asked_ms = now_ms;
}

void
repair_history_done (repair_t *self)
{
    self->history_done = true;
}

void
repair_gone (repair_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint64_t first_held,
             int64_t now_ms)
{
    uint64_t lost = streams_gone (self->streams, id, first_held, now_ms);
    if (lost)
        s_report_lost (self, id, lost);
}
