/*  forward.h - forwarding round a missing link: the authors others ask us to pass on, and the
    messages of theirs waiting to go out.

    A member that cannot hear an author directly subscribes "~via US AUTHOR" on our XPUB
    (control.h); the main thread counts those subscriptions here (forward_want). The subscriber
    thread, once a message of an author someone wants has verified, queues a copy of its
    frames (forward_push) and the main thread sends it on behind the topic "~via US AUTHOR"
    (forward_take). The author's signature goes with it unchanged: we cannot alter a byte.
    Shared by both threads: every function takes the forward lock itself (subscriber.h has the
    lock order).
*/
#ifndef FORWARD_H_INCLUDED
#define FORWARD_H_INCLUDED

#include "control.h"
#include "wire.h"

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FORWARD_AUTHORS_MAX 256                   // authors forwarded at once, at most
#define FORWARD_QUEUE_MAX 4096                    // messages waiting to be forwarded, at most
#define FORWARD_QUEUE_BYTES_MAX (8 * 1024 * 1024) // ... and their bytes
#define FORWARD_FRAMES_MAX 5                      // frames of one message passed on
#define FORWARD_ASKS_MAX 64                       // receipts waiting to be passed on, at most

//  How a queued message goes out
typedef enum {
    FORWARD_VIA,    //  behind "~via US AUTHOR", to those who asked for the author
    FORWARD_PRIVATE //  as it is: a message to one member (its topic "!ID"), for that member
} forward_kind_t;

typedef struct _forward_t forward_t;

//  Create an empty table and queue. Returns NULL if out of memory.
forward_t *forward_new (void);

//  Destroy it and what waits in it; sets *self_p to NULL. Safe twice.
void forward_destroy (forward_t **self_p);

//  A listener subscribed (subscribe) or unsubscribed to author's messages through us. Main
//  thread. Returns the number of listeners that now want author.
int forward_want (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES], bool subscribe);

//  True while some listener wants author's messages.
bool forward_wanted (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES]);

//  Number of authors wanted now.
size_t forward_authors (forward_t *self);

//  Queue a copy of a verified message (count frames, at most FORWARD_FRAMES_MAX) for who, if
//  somebody wants who (forward_want): the news descriptor turns readable. FORWARD_VIA: who
//  wrote it, and it goes behind "~via US AUTHOR"; FORWARD_PRIVATE: a message to who (its topic
//  "!ID" first, signed by its sender), which cannot hear the sender, and it goes as it is.
//  Dropped (and counted) when the queue is full: the receivers repair what they miss. Returns
//  0 when queued, 1 when not wanted, -1 when dropped. Subscriber thread.
int forward_push (forward_t *self, const uint8_t who[WIRE_SENDER_BYTES], forward_kind_t kind,
                  const void *const *frames, const size_t *sizes, size_t count);

//  Take the oldest message queued: its author (or recipient) into author, how it goes into
//  kind. Returns it (the caller destroys it), or NULL when none waits. Main thread.
zmsg_t *forward_take (forward_t *self, uint8_t author[WIRE_SENDER_BYTES], forward_kind_t *kind);

//  A receipt for one of sender's private messages, which we forward (request.target): queue
//  it to be asked again on our SUB, which reaches the sender. Main thread. Returns 0, or -1
//  when FORWARD_ASKS_MAX wait.
int forward_ask (forward_t *self, const control_request_t *request);

//  Carry out on sub (the SUB socket) what the main thread queued: subscribe to the private
//  topic of each author others want through us (a message to it comes through us: forward
//  its copy), unsubscribe when nobody wants it, and ask again the receipts queued.
//  Subscriber thread.
void forward_apply (forward_t *self, void *sub);

//  Messages dropped so far because the queue was full.
uint64_t forward_dropped (forward_t *self);

//  A file descriptor that is readable while messages wait: the main thread polls it.
int forward_news_fd (forward_t *self);

#endif
