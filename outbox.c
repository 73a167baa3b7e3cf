/*  outbox.c - sending on the PUB socket without losing lines (see outbox.h for the policy).

    A message that can go at once goes straight from the caller's buffers to libzmq; only one
    that has to wait is copied, into one block, and queued.
*/
#include "outbox.h"

#include <errno.h>
#include <string.h>

//  A message waiting to go: its frames, back to back in data
typedef struct {
    size_t count;                    //  frames
    size_t sizes[OUTBOX_FRAMES_MAX]; //  their sizes
    bool may_drop;                   //  may be dropped when the outbox is full
    uint8_t data[];                  //  the frames
} waiting_t;

struct _outbox_t {
    void *socket;       //  the XPUB socket (not owned)
    zlist_t *queue;     //  waiting_t, oldest first
    size_t bytes;       //  bytes of frames waiting
    bool blocked;       //  the oldest message waits for room
    int64_t blocked_ms; //  ... since then
    bool stalled;       //  a listener is stalled: send without waiting for it
    uint64_t stalls;    //  times a stalled listener was passed over
};

outbox_t *
outbox_new (zsock_t *publisher)
{
    outbox_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->socket = zsock_resolve (publisher);
    self->queue = zlist_new ();
    if (!self->queue) {
        free (self);
        return NULL;
    }
    int one = 1;
    zmq_setsockopt (self->socket, ZMQ_XPUB_NODROP, &one, sizeof one);
    return self;
}

void
outbox_destroy (outbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    outbox_t *self = *self_p;
    waiting_t *waiting;
    while ((waiting = zlist_pop (self->queue)))
        free (waiting);
    zlist_destroy (&self->queue);
    free (self);
    *self_p = NULL;
}

//  Hand one message to libzmq. With lossy, a listener without room loses it; without, nothing
//  is sent when one has no room. Returns 0, or -1 when it has to wait.
static int
s_try (outbox_t *self, const void *const *frames, const size_t *sizes, size_t count, bool lossy)
{
    if (lossy) {
        int zero = 0;
        zmq_setsockopt (self->socket, ZMQ_XPUB_NODROP, &zero, sizeof zero);
    }
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < count ? ZMQ_SNDMORE : 0);
        if (zmq_send (self->socket, frames[i], sizes[i], flags) >= 0)
            continue;
        if (i == 0) {
            rc = -1; //  no listener took a frame: the whole message waits
            break;
        }
        //  Room is checked per message, so a later frame cannot fail for want of it; should
        //  one fail anyway, the rest go out lossily rather than leave a message half sent
        if (!lossy) {
            int zero = 0;
            zmq_setsockopt (self->socket, ZMQ_XPUB_NODROP, &zero, sizeof zero);
            lossy = true;
            i--;
        }
    }
    if (lossy) {
        int one = 1;
        zmq_setsockopt (self->socket, ZMQ_XPUB_NODROP, &one, sizeof one);
    }
    return rc;
}

//  Send one message now if the listeners have room, or, when one is stalled, regardless.
//  Returns 0 when sent, -1 when it has to wait.
static int
s_send_now (outbox_t *self, const void *const *frames, const size_t *sizes, size_t count,
            int64_t now_ms)
{
    if (s_try (self, frames, sizes, count, false) == 0) {
        //  Every listener still in the room check had room
        self->blocked = false;
        self->stalled = false;
        return 0;
    }
    if (!self->stalled && self->blocked && now_ms - self->blocked_ms >= OUTBOX_STALL_MS) {
        self->stalled = true;
        self->stalls++;
    }
    if (self->stalled) {
        s_try (self, frames, sizes, count, true);
        self->blocked = false;
        return 0;
    }
    if (!self->blocked) {
        self->blocked = true;
        self->blocked_ms = now_ms;
    }
    return -1;
}

int
outbox_send (outbox_t *self, const void *const *frames, const size_t *sizes, size_t count,
             bool may_drop, int64_t now_ms)
{
    if (count == 0 || count > OUTBOX_FRAMES_MAX)
        return -1;
    if (zlist_size (self->queue) == 0 && s_send_now (self, frames, sizes, count, now_ms) == 0)
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += sizes[i];
    if (may_drop && self->bytes + total > OUTBOX_BYTES_MAX)
        return -1;
    waiting_t *waiting = malloc (sizeof *waiting + total);
    if (!waiting)
        return -1;
    waiting->count = count;
    waiting->may_drop = may_drop;
    size_t offset = 0;
    for (size_t i = 0; i < count; i++) {
        waiting->sizes[i] = sizes[i];
        memcpy (waiting->data + offset, frames[i], sizes[i]);
        offset += sizes[i];
    }
    zlist_append (self->queue, waiting);
    self->bytes += total;
    return 0;
}

bool
outbox_flush (outbox_t *self, int64_t now_ms)
{
    waiting_t *waiting;
    while ((waiting = zlist_first (self->queue))) {
        const void *frames[OUTBOX_FRAMES_MAX];
        size_t offset = 0;
        for (size_t i = 0; i < waiting->count; i++) {
            frames[i] = waiting->data + offset;
            offset += waiting->sizes[i];
        }
        if (s_send_now (self, frames, waiting->sizes, waiting->count, now_ms))
            return false;
        zlist_pop (self->queue);
        self->bytes -= offset;
        free (waiting);
    }
    return true;
}

size_t
outbox_waiting (outbox_t *self)
{
    return zlist_size (self->queue);
}

uint64_t
outbox_stalls (outbox_t *self)
{
    return self->stalls;
}
