/*  answers.c - answering those who missed our lines (see answers.h).
 */
#include "answers.h"
#include "i18n.h"
#include "ratelimit.h"
#include "resend.h"
#include "term.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  A requester answered lately
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES]; //  who asked
    control_request_kind_t kind;   //  what for
    int64_t answered_ms;           //  when it was answered (0: slot free)
} requester_t;

struct _answers_t {
    publisher_t *publisher;                         //  where answers go out (not owned)
    backlog_t *backlog;                             //  the room's history (not owned)
    resend_t *resend;                               //  our recent lines
    requester_t requesters[ANSWERS_REQUESTERS_MAX]; //  who was answered lately
    ratelimit_t per_second;                         //  all answers together
};

//  Where one answer goes, and what kind of message it is
typedef struct {
    answers_t *answers; //  who answers
    const uint8_t *to;  //  the requester's id
    const char *kind;   //  CONTROL_KIND_LINE or CONTROL_KIND_HISTORY
    bool full;          //  the outbox was full: the rest is not sent
} answer_t;

//  The publisher's sent function: remember each line we send.
static void
s_remember (const publisher_line_t *sent, void *arg)
{
    answers_remember (arg, sent);
}

answers_t *
answers_new (publisher_t *publisher, backlog_t *backlog)
{
    answers_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->publisher = publisher;
    self->backlog = backlog;
    self->per_second = RATELIMIT (ANSWERS_PER_SECOND, 1000);
    self->resend = resend_new ();
    if (!self->resend)
        answers_destroy (&self);
    else
        publisher_on_sent (publisher, s_remember, self);
    return self;
}

void
answers_destroy (answers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    publisher_on_sent ((*self_p)->publisher, NULL, NULL); //  it must not call a freed one
    resend_destroy (&(*self_p)->resend);
    freen (*self_p);
}

void
answers_remember (answers_t *self, const publisher_line_t *sent)
{
    if (!sent->meta)
        return;
    resend_add (self->resend, sent->decoded.seq, sent->line, sent->line_size, sent->meta,
                sent->meta_size);
    backlog_keep (self->backlog, sent->line, sent->line_size, sent->meta, sent->meta_size,
                  sent->channel, &sent->decoded);
}

//  Send one line (its two frames) to the requester of answer, as a resent line or history.
static void
s_answer_line (const void *line, size_t line_size, const void *meta, size_t meta_size, void *arg)
{
    answer_t *answer = arg;
    if (!answer->full)
        answer->full = publisher_send_private (answer->answers->publisher, answer->to, answer->kind,
                                               line, line_size, meta, meta_size, true, false) != 0;
}

//  Send the requester a message of kind with our metadata carrying seq.
static void
s_answer_meta (answers_t *self, const uint8_t *to, const char *kind, uint64_t seq)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = publisher_meta (self->publisher, seq, meta, sizeof meta);
    if (meta_size > 0)
        publisher_send_private (self->publisher, to, kind, NULL, 0, meta, (size_t) meta_size, true,
                                true);
}

//  A peer lost some of our lines: resend them from seq from, only to it; first say which are
//  gone for good, if some are.
static void
s_answer_resend (answers_t *self, const control_request_t *request)
{
    uint64_t last = publisher_last_seq (self->publisher);
    if (request->number > last)
        return; //  nothing sent from there yet
    //  Look up the first line still held before sending any, so "gone" goes ahead of them
    uint64_t first = resend_serve (self->resend, request->number, NULL, NULL);
    if (first != request->number)
        s_answer_meta (self, request->requester, CONTROL_KIND_GONE, first ? first : last + 1);
    answer_t answer = {.answers = self, .to = request->requester, .kind = CONTROL_KIND_LINE};
    resend_serve (self->resend, request->number, s_answer_line, &answer);
    if (term_debug_on ())
        term_debug (_ ("PUB resends our lines from seq %" PRIu64 " to a peer that lost them"),
                    request->number);
}

//  A peer joined: send it the room's recent history, only to it, then say it is complete.
static void
s_answer_history (answers_t *self, const control_request_t *request)
{
    answer_t answer = {.answers = self, .to = request->requester, .kind = CONTROL_KIND_HISTORY};
    size_t lines =
        request->number < BACKLOG_LINES_MAX ? (size_t) request->number : BACKLOG_LINES_MAX;
    size_t served = backlog_serve (self->backlog, lines, s_answer_line, &answer);
    s_answer_meta (self, request->requester, CONTROL_KIND_HISTORY_END, served);
    if (term_debug_on ())
        term_debug (_ ("PUB sends %zu lines of history to a peer that joined"), served);
}

//  True when request may be answered at now_ms: not answered within ANSWERS_GAP_MS for its
//  requester and kind, and within the answers of this second. Remembers it as answered.
static bool
s_allowed (answers_t *self, const control_request_t *request, int64_t now_ms)
{
    requester_t *slot = &self->requesters[0];
    for (size_t i = 0; i < ANSWERS_REQUESTERS_MAX; i++) {
        requester_t *requester = &self->requesters[i];
        if (requester->kind == request->kind &&
            memcmp (requester->id, request->requester, WIRE_SENDER_BYTES) == 0) {
            if (requester->answered_ms && now_ms - requester->answered_ms < ANSWERS_GAP_MS)
                return false;
            slot = requester;
            break;
        }
        if (requester->answered_ms < slot->answered_ms)
            slot = requester; //  the one answered longest ago makes room
    }
    //  ... unless it was answered within the gap too: forgetting it would let it ask again
    bool same = slot->kind == request->kind &&
                memcmp (slot->id, request->requester, WIRE_SENDER_BYTES) == 0;
    if (!same && slot->answered_ms && now_ms - slot->answered_ms < ANSWERS_GAP_MS)
        return false;
    if (!ratelimit_allow (&self->per_second, now_ms))
        return false;
    memcpy (slot->id, request->requester, WIRE_SENDER_BYTES);
    slot->kind = request->kind;
    slot->answered_ms = now_ms;
    return true;
}

void
answers_handle_forwarded (answers_t *self, const control_request_t *request, int64_t now_ms)
{
    if (!s_allowed (self, request, now_ms))
        return;
    if (request->kind == CONTROL_REQUEST_HISTORY) {
        s_answer_history (self, request);
        return;
    }
    if (request->kind != CONTROL_REQUEST_RESEND)
        return;
    answer_t answer = {.answers = self, .to = request->requester, .kind = CONTROL_KIND_LINE};
    size_t served = backlog_serve_sender (self->backlog, request->target, request->number,
                                          s_answer_line, &answer);
    if (term_debug_on ())
        term_debug (_ ("PUB resends %zu lines we forward to a peer that lost them"), served);
}

void
answers_handle (answers_t *self, const control_request_t *request, int64_t now_ms)
{
    if (!s_allowed (self, request, now_ms))
        return;
    if (request->kind == CONTROL_REQUEST_RESEND)
        s_answer_resend (self, request);
    else if (request->kind == CONTROL_REQUEST_HISTORY)
        s_answer_history (self, request);
}
