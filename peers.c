/*  peers.c - the peers we listen to, behind the peer lock.

    The main thread changes the list; each change is also queued so that the subscriber thread,
    which alone owns the SUB socket, can carry it out when it is woken.
*/
#include "i18n.h"
#include "peers.h"
#include "text.h"

#include <czmq.h>
#include <fcntl.h>
#include <pthread.h>

//  One peer
typedef struct {
    char endpoint[ENDPOINT_MAX_BYTES]; //  "tcp://host:port", the key
    char label[ENDPOINT_MAX_BYTES];    //  "host:port", for the user
    peer_state_t state;                //  last state the subscriber thread reported
    int64_t lost_ms;                   //  when it was lost, until libzmq tries again; else 0
    bool quiet;                        //  found by the room, not named by the user
} peer_t;

//  One queued change for the subscriber thread
typedef struct {
    char endpoint[ENDPOINT_MAX_BYTES]; //  which peer
    bool connect;                      //  connect (true) or disconnect (false)
} change_t;

struct _peers_t {
    pthread_mutex_t lock; //  the peer lock: guards everything below
    zlistx_t *peers;      //  peer_t items, in the order added
    zlistx_t *changes;    //  change_t items, oldest first
    zlistx_t *removed;    //  endpoints removed, which the room may not add back (strings)
    int news[2];          //  a pipe holding one byte while changes are queued, else none
};

peers_t *
peers_new (void)
{
    peers_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->news[0] = self->news[1] = -1;
    if (pipe (self->news) != 0) {
        peers_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl (self->news[i], F_SETFL, O_NONBLOCK);
    self->peers = zlistx_new ();
    self->changes = zlistx_new ();
    self->removed = zlistx_new ();
    if (!self->peers || !self->changes || !self->removed) {
        peers_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->peers, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (self->changes, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (self->removed, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_duplicator (self->removed, (zlistx_duplicator_fn *) strdup);
    zlistx_set_comparator (self->removed, (zlistx_comparator_fn *) strcmp);
    return self;
}

void
peers_destroy (peers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    peers_t *self = *self_p;
    zlistx_destroy (&self->peers);
    zlistx_destroy (&self->changes);
    zlistx_destroy (&self->removed);
    for (int i = 0; i < 2; i++)
        if (self->news[i] >= 0)
            close (self->news[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  Find a peer by endpoint. Lock held.
static peer_t *
s_find (peers_t *self, const char *endpoint)
{
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (streq (peer->endpoint, endpoint))
            return peer;
    return NULL;
}

//  Queue a change for the subscriber thread, and make the news pipe readable if it was not.
//  Lock held.
static void
s_queue (peers_t *self, const char *endpoint, bool connect)
{
    change_t *change = calloc (1, sizeof *change);
    if (!change)
        return;
    text_copy (change->endpoint, sizeof change->endpoint, endpoint);
    change->connect = connect;
    if (zlistx_size (self->changes) == 0) {
        char byte = 'c';
        if (write (self->news[1], &byte, 1) < 0) {
            //  Full: it is readable already
        }
    }
    zlistx_add_end (self->changes, change);
}

//  Remember that endpoint was removed, so the room does not add it back. Lock held.
static void
s_remember_removed (peers_t *self, const char *endpoint)
{
    if (zlistx_find (self->removed, (void *) endpoint))
        return;
    if (zlistx_size (self->removed) >= PEERS_MAX)
        zlistx_delete (self->removed,
                       zlistx_first (self->removed) ? zlistx_cursor (self->removed) : NULL);
    zlistx_add_end (self->removed, (void *) endpoint);
}

int
peers_add (peers_t *self, const char *endpoint, const char *label, bool quiet)
{
    int result = 0;
    pthread_mutex_lock (&self->lock);
    void *removed = zlistx_find (self->removed, (void *) endpoint);
    if (s_find (self, endpoint))
        result = 1;
    else if (removed && quiet)
        result = 2;
    else if (zlistx_size (self->peers) >= PEERS_MAX)
        result = -1;
    else {
        peer_t *peer = calloc (1, sizeof *peer);
        if (peer) {
            text_copy (peer->endpoint, sizeof peer->endpoint, endpoint);
            text_copy (peer->label, sizeof peer->label, label);
            peer->state = PEER_CONNECTING;
            peer->quiet = quiet;
            if (removed)
                zlistx_delete (self->removed, removed);
            zlistx_add_end (self->peers, peer);
            s_queue (self, endpoint, true);
        } else
            result = -1;
    }
    pthread_mutex_unlock (&self->lock);
    return result;
}

int
peers_remove (peers_t *self, const char *endpoint)
{
    int result = -1;
    pthread_mutex_lock (&self->lock);
    peer_t *peer = s_find (self, endpoint);
    if (peer) {
        zlistx_delete (self->peers, zlistx_cursor (self->peers));
        s_queue (self, endpoint, false);
        s_remember_removed (self, endpoint);
        result = 0;
    }
    pthread_mutex_unlock (&self->lock);
    return result;
}

int
peers_remove_label (peers_t *self, const char *label, bool quiet_only)
{
    char endpoint[ENDPOINT_MAX_BYTES] = "";
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (streq (peer->label, label) && (peer->quiet || !quiet_only))
            text_copy (endpoint, sizeof endpoint, peer->endpoint);
    pthread_mutex_unlock (&self->lock);
    return *endpoint ? peers_remove (self, endpoint) : -1;
}

int
peers_news_fd (peers_t *self)
{
    return self->news[0];
}

bool
peers_next_change (peers_t *self, char *endpoint, size_t size, bool *connect)
{
    pthread_mutex_lock (&self->lock);
    change_t *change = zlistx_first (self->changes);
    if (change) {
        text_copy (endpoint, size, change->endpoint);
        *connect = change->connect;
        zlistx_delete (self->changes, zlistx_cursor (self->changes));
    }
    if (zlistx_size (self->changes) == 0) {
        char bytes[16];
        while (read (self->news[0], bytes, sizeof bytes) > 0) {
        }
    }
    pthread_mutex_unlock (&self->lock);
    return change != NULL;
}

peer_news_t
peers_event (peers_t *self, const char *endpoint, peer_event_t event, int64_t now_ms, char *label,
             size_t label_size, peer_news_t *state_news)
{
    bool quiet = false;
    peer_news_t news = PEER_NEWS_NONE;
    pthread_mutex_lock (&self->lock);
    peer_t *peer = s_find (self, endpoint);
    if (peer) {
        text_copy (label, label_size, peer->label);
        quiet = peer->quiet;
        switch (event) {
        case PEER_EVENT_HANDSHAKE_OK:
            if (peer->state != PEER_CONNECTED)
                news = PEER_NEWS_CONNECTED;
            peer->state = PEER_CONNECTED;
            peer->lost_ms = 0;
            break;
        case PEER_EVENT_ATTEMPT:
            peer->lost_ms = 0;
            break;
        case PEER_EVENT_REFUSED:
            peer->lost_ms = 0;
            if (peer->state == PEER_CONNECTING) {
                peer->state = PEER_UNREACHABLE;
                news = PEER_NEWS_UNREACHABLE;
            }
            break;
        case PEER_EVENT_DISCONNECTED:
            if (peer->state == PEER_CONNECTED) {
                peer->state = PEER_LOST;
                peer->lost_ms = now_ms;
                news = PEER_NEWS_LOST;
            }
            break;
        case PEER_EVENT_HANDSHAKE_FAILED:
            zlistx_delete (self->peers, zlistx_cursor (self->peers));
            s_queue (self, endpoint, false);
            s_remember_removed (self, endpoint);
            news = PEER_NEWS_NOT_A_CHAT;
            break;
        }
    }
    pthread_mutex_unlock (&self->lock);
    if (state_news)
        *state_news = news;
    return quiet ? PEER_NEWS_NONE : news;
}

bool
peers_take_cut_off (peers_t *self, int64_t now_ms, char *label, size_t label_size)
{
    bool found = false;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (peer->lost_ms && now_ms - peer->lost_ms > PEER_CUT_OFF_MS) {
            text_copy (label, label_size, peer->label);
            s_queue (self, peer->endpoint, false);
            s_remember_removed (self, peer->endpoint);
            zlistx_delete (self->peers, zlistx_cursor (self->peers));
            found = true;
            break;
        }
    pthread_mutex_unlock (&self->lock);
    return found;
}

bool
peers_awaiting_retry (peers_t *self)
{
    bool awaiting = false;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer && !awaiting;
         peer = zlistx_next (self->peers))
        awaiting = peer->lost_ms != 0;
    pthread_mutex_unlock (&self->lock);
    return awaiting;
}

size_t
peers_labels (peers_t *self, char (*labels)[ENDPOINT_MAX_BYTES], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer && count < max;
         peer = zlistx_next (self->peers))
        text_copy (labels[count++], ENDPOINT_MAX_BYTES, peer->label);
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
peers_size (peers_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t size = zlistx_size (self->peers);
    pthread_mutex_unlock (&self->lock);
    return size;
}

//  The user's word for a state
static const char *
s_state_name (peer_state_t state)
{
    switch (state) {
    case PEER_CONNECTING:
        return _ ("connecting");
    case PEER_CONNECTED:
        return _ ("connected");
    case PEER_UNREACHABLE:
        return _ ("unreachable, retrying");
    case PEER_LOST:
        return _ ("connection lost, retrying");
    case PEER_GONE:
        break;
    }
    return "?";
}

size_t
peers_describe (peers_t *self, char *out, size_t outsize)
{
    size_t count = 0, used = 0;
    if (outsize)
        out[0] = 0;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers)) {
        if (text_append (out, outsize, &used, "   %s (%s)\n", peer->label,
                         s_state_name (peer->state)))
            break;
        count++;
    }
    pthread_mutex_unlock (&self->lock);
    return count;
}
