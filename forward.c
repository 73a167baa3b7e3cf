/*  forward.c - forwarding round a missing link (see forward.h).

    The queue is a czmq list of messages, each with its author in a first frame of its own
    that forward_take removes; the news pipe holds one byte while the queue is not empty.
*/
#include "forward.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

//  An author someone wants, and how many want it
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES]; //  the author
    int listeners;                 //  subscriptions to it, >= 1
} wanted_t;

struct _forward_t {
    pthread_mutex_t lock;                  //  the forward lock: guards everything below
    wanted_t authors[FORWARD_AUTHORS_MAX]; //  the authors wanted, in no order
    size_t author_count;                   //  how many
    zlistx_t *queue;                       //  zmsg_t items waiting, oldest first
    size_t queued_bytes;                   //  their frames' bytes
    uint64_t dropped;                      //  messages dropped for a full queue
    int news[2];                           //  readable while the queue is not empty
    uint8_t topics[FORWARD_AUTHORS_MAX][WIRE_SENDER_BYTES]; //  private topics to change
    bool topics_subscribe[FORWARD_AUTHORS_MAX];             //  ... subscribe (or not)
    size_t topic_count;                                     //  ... how many
    control_request_t asks[FORWARD_ASKS_MAX];               //  receipts to ask again
    size_t ask_count;                                       //  ... how many
};

//  Destroy a queued message (the list's destructor).
static void
s_destroy_message (void **item)
{
    zmsg_destroy ((zmsg_t **) item);
}

forward_t *
forward_new (void)
{
    forward_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->news[0] = self->news[1] = -1;
    self->queue = zlistx_new ();
    if (!self->queue || pipe (self->news) != 0) {
        forward_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl (self->news[i], F_SETFL, O_NONBLOCK);
    zlistx_set_destructor (self->queue, s_destroy_message);
    return self;
}

void
forward_destroy (forward_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    forward_t *self = *self_p;
    zlistx_destroy (&self->queue);
    for (int i = 0; i < 2; i++)
        if (self->news[i] >= 0)
            close (self->news[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  The slot of author, or NULL. Lock held.
static wanted_t *
s_find (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < self->author_count; i++)
        if (memcmp (self->authors[i].id, author, WIRE_SENDER_BYTES) == 0)
            return &self->authors[i];
    return NULL;
}

//  Queue the change of author's private topic on the SUB (subscribe or not). Lock held.
static void
s_topic_change (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES], bool subscribe)
{
    if (self->topic_count == FORWARD_AUTHORS_MAX)
        return; //  the subscriber thread has not applied them for long: the rest waits
    memcpy (self->topics[self->topic_count], author, WIRE_SENDER_BYTES);
    self->topics_subscribe[self->topic_count++] = subscribe;
}

int
forward_want (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES], bool subscribe)
{
    pthread_mutex_lock (&self->lock);
    wanted_t *wanted = s_find (self, author);
    if (!wanted && subscribe && self->author_count < FORWARD_AUTHORS_MAX) {
        wanted = &self->authors[self->author_count++];
        *wanted = (wanted_t){.listeners = 0};
        memcpy (wanted->id, author, WIRE_SENDER_BYTES);
    }
    int listeners = 0;
    if (wanted) {
        wanted->listeners += subscribe ? 1 : -1;
        listeners = wanted->listeners;
        //  Its private topic: subscribed with the first listener, unsubscribed after the last
        if ((subscribe && listeners == 1) || listeners <= 0)
            s_topic_change (self, author, listeners > 0);
        if (listeners <= 0) { //  nobody wants it any more: its slot goes to the last one
            *wanted = self->authors[--self->author_count];
            listeners = 0;
        }
    }
    pthread_mutex_unlock (&self->lock);
    return listeners;
}

bool
forward_wanted (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES])
{
    pthread_mutex_lock (&self->lock);
    bool wanted = s_find (self, author) != NULL;
    pthread_mutex_unlock (&self->lock);
    return wanted;
}

size_t
forward_authors (forward_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t count = self->author_count;
    pthread_mutex_unlock (&self->lock);
    return count;
}

//  The copy of a message to queue: author and kind, then the frames. NULL if out of memory.
static zmsg_t *
s_copy (const uint8_t author[WIRE_SENDER_BYTES], forward_kind_t kind, const void *const *frames,
        const size_t *sizes, size_t count)
{
    uint8_t head[WIRE_SENDER_BYTES + 1];
    memcpy (head, author, WIRE_SENDER_BYTES);
    head[WIRE_SENDER_BYTES] = (uint8_t) kind;
    zmsg_t *message = zmsg_new ();
    if (message && zmsg_addmem (message, head, sizeof head))
        zmsg_destroy (&message);
    for (size_t i = 0; message && i < count; i++)
        if (zmsg_addmem (message, frames[i], sizes[i]))
            zmsg_destroy (&message);
    return message;
}

int
forward_push (forward_t *self, const uint8_t author[WIRE_SENDER_BYTES], forward_kind_t kind,
              const void *const *frames, const size_t *sizes, size_t count)
{
    if (count == 0 || count > FORWARD_FRAMES_MAX || !forward_wanted (self, author))
        return 1;
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++)
        bytes += sizes[i];
    zmsg_t *message = s_copy (author, kind, frames, sizes, count);
    pthread_mutex_lock (&self->lock);
    bool room = message && zlistx_size (self->queue) < FORWARD_QUEUE_MAX &&
                self->queued_bytes + bytes <= FORWARD_QUEUE_BYTES_MAX;
    if (room) {
        if (zlistx_size (self->queue) == 0) {
            char byte = 'f';
            if (write (self->news[1], &byte, 1) < 0) {
                //  Full: it is readable already
            }
        }
        zlistx_add_end (self->queue, message);
        self->queued_bytes += bytes;
        message = NULL;
    } else
        self->dropped++;
    pthread_mutex_unlock (&self->lock);
    zmsg_destroy (&message);
    return room ? 0 : -1;
}

zmsg_t *
forward_take (forward_t *self, uint8_t author[WIRE_SENDER_BYTES], forward_kind_t *kind)
{
    pthread_mutex_lock (&self->lock);
    zmsg_t *message = zlistx_detach (self->queue, NULL);
    if (message)
        self->queued_bytes -= zmsg_content_size (message) - (WIRE_SENDER_BYTES + 1);
    if (zlistx_size (self->queue) == 0) {
        char bytes[16];
        while (read (self->news[0], bytes, sizeof bytes) > 0) {
        }
    }
    pthread_mutex_unlock (&self->lock);
    zframe_t *first = message ? zmsg_pop (message) : NULL;
    if (first && zframe_size (first) == WIRE_SENDER_BYTES + 1) {
        memcpy (author, zframe_data (first), WIRE_SENDER_BYTES);
        *kind = (forward_kind_t) zframe_data (first)[WIRE_SENDER_BYTES];
    }
    zframe_destroy (&first);
    return message;
}

int
forward_ask (forward_t *self, const control_request_t *request)
{
    pthread_mutex_lock (&self->lock);
    bool room = self->ask_count < FORWARD_ASKS_MAX;
    if (room)
        self->asks[self->ask_count++] = *request;
    pthread_mutex_unlock (&self->lock);
    return room ? 0 : -1;
}

void
forward_apply (forward_t *self, void *sub)
{
    uint8_t topics[FORWARD_AUTHORS_MAX][WIRE_SENDER_BYTES];
    bool subscribe[FORWARD_AUTHORS_MAX];
    control_request_t asks[FORWARD_ASKS_MAX];
    pthread_mutex_lock (&self->lock);
    size_t topic_count = self->topic_count, ask_count = self->ask_count;
    memcpy (topics, self->topics, topic_count * sizeof topics[0]);
    memcpy (subscribe, self->topics_subscribe, topic_count * sizeof subscribe[0]);
    memcpy (asks, self->asks, ask_count * sizeof asks[0]);
    self->topic_count = self->ask_count = 0;
    pthread_mutex_unlock (&self->lock);
    //  No lock is held while the socket is touched (subscriber.h)
    for (size_t i = 0; i < topic_count; i++) {
        char topic[CONTROL_PRIVATE_BYTES + 1];
        if (control_encode_private (topic, sizeof topic, topics[i]) == CONTROL_PRIVATE_BYTES)
            zmq_setsockopt (sub, subscribe[i] ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, topic,
                            CONTROL_PRIVATE_BYTES);
    }
    for (size_t i = 0; i < ask_count; i++)
        control_ask (sub, &asks[i]);
}

uint64_t
forward_dropped (forward_t *self)
{
    pthread_mutex_lock (&self->lock);
    uint64_t dropped = self->dropped;
    pthread_mutex_unlock (&self->lock);
    return dropped;
}

int
forward_news_fd (forward_t *self)
{
    return self->news[0];
}
