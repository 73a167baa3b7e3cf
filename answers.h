/*  answers.h - answering those who missed our lines: resending the lines a peer lost (from our
    resend ring) and serving the room's history to one who joins (from the backlog).

    One subscription can ask for thousands of lines, so a peer repeating it (or varying its
    requester id) must not turn us into an amplifier: a requester is answered once in
    ANSWERS_GAP_MS per kind of request (a real one asks again only after REPAIR_RETRY_MS),
    all of them ANSWERS_PER_SECOND times a second. Main thread only, like the publisher it
    sends on.
*/
#ifndef ANSWERS_H_INCLUDED
#define ANSWERS_H_INCLUDED

#include "backlog.h"
#include "control.h"
#include "publisher.h"

#include <stdint.h>

#define ANSWERS_GAP_MS 500        // a requester gets one resend or history answer in this time
#define ANSWERS_PER_SECOND 32     // ... and all requesters together this many a second
#define ANSWERS_REQUESTERS_MAX 32 // requesters remembered for that

typedef struct _answers_t answers_t;

//  Create the answers of publisher, serving history from backlog (neither owned); every line
//  the publisher sends is remembered (answers_remember). Returns NULL if out of memory.
answers_t *answers_new (publisher_t *publisher, backlog_t *backlog);

//  Destroy them; sets *self_p to NULL. Safe twice.
void answers_destroy (answers_t **self_p);

//  Remember a line we sent: to resend it to those who lose it, and as the room's history.
//  Lines sent with --plain (no metadata) are not kept.
void answers_remember (answers_t *self, const publisher_line_t *sent);

//  Answer a request addressed to us (CONTROL_REQUEST_RESEND or CONTROL_REQUEST_HISTORY) at
//  now_ms, within the limits above; a request asked again too soon is ignored (it is repaired
//  by the answer under way, or hostile).
void answers_handle (answers_t *self, const control_request_t *request, int64_t now_ms);

//  Answer a request addressed to an author whose messages we forward (forward.h): its lines
//  from our backlog (they carry its proofs), or the room's history; same limits.
void answers_handle_forwarded (answers_t *self, const control_request_t *request, int64_t now_ms);

#endif
