/*  outbox.h - sending on the PUB socket without losing lines: flow control, and what happens
    when a listener stops reading.

    The XPUB socket runs with ZMQ_XPUB_NODROP: when the queue to any listener holds
    SOCKET_HWM_MESSAGES, a send fails instead of dropping the line for that listener. Such a
    message waits here, in order, and goes out as soon as the queues have room; in pipe mode
    the main loop stops reading stdin meanwhile, so a fast sender is paced by its slowest
    listener instead of losing lines. A listener that takes nothing for OUTBOX_STALL_MS (a
    stopped or hung process) no longer holds the room up: messages are then sent anyway, and
    the stalled listener loses those it has no room for; it repairs them from our resend buffer
    when it wakes (streams.h), or reports them lost. So memory stays bounded by the queues
    (SOCKET_HWM_MESSAGES per listener) and OUTBOX_BYTES_MAX here.

    Main thread only, like the socket.
*/
#ifndef OUTBOX_H_INCLUDED
#define OUTBOX_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTBOX_STALL_MS 1000                // a listener taking nothing this long is stalled
#define OUTBOX_BYTES_MAX (16 * 1024 * 1024) // messages waiting here, in bytes, at most
#define OUTBOX_FRAMES_MAX 5                 // frames in one message at most
#define OUTBOX_RETRY_MS 2                   // how soon to try again while messages wait

typedef struct _outbox_t outbox_t;

//  Create the outbox of publisher (an XPUB socket; sets ZMQ_XPUB_NODROP on it). Returns NULL
//  if out of memory.
outbox_t *outbox_new (zsock_t *publisher);

//  Destroy the outbox and what still waits in it; sets *self_p to NULL. Safe twice.
void outbox_destroy (outbox_t **self_p);

//  Send a message of count frames (copied when it has to wait), behind those waiting. When the
//  outbox is full, a message that may_drop (an answer to a request, a heartbeat) is dropped and
//  -1 returned; others (our own lines) always wait. Returns 0.
int outbox_send (outbox_t *self, const void *const *frames, const size_t *sizes, size_t count,
                 bool may_drop, int64_t now_ms);

//  Send what waits, as far as the listeners' queues allow. now_ms is a monotonic clock in
//  milliseconds (any origin). Returns true when nothing waits.
bool outbox_flush (outbox_t *self, int64_t now_ms);

//  Number of messages waiting.
size_t outbox_waiting (outbox_t *self);

//  Number of times the outbox stopped waiting for a stalled listener. Each time, libzmq takes
//  that listener's queue out of the room check until the listener reads again, so it loses what
//  is sent meanwhile and the others are not held up.
uint64_t outbox_stalls (outbox_t *self);

#endif
