/*  peers.c - the peers we listen to, behind the peer lock.

    The main thread changes the list; each change is also queued so that the subscriber thread,
    which alone owns the SUB socket, can carry it out when it is woken. A peer the user named is
    kept until the user disconnects it; a quiet one (found by the room) lives by the rules of
    peers_add_found: bounded while it has not shown it is the chat it was found as, given up
    when it does not answer, forgotten after a crash or a goodbye.
*/
#include "i18n.h"
#include "peers.h"
#include "text.h"

#include <czmq.h>
#include <fcntl.h>
#include <pthread.h>

//  One peer
typedef struct {
    char endpoint[ENDPOINT_MAX_BYTES];   //  "tcp://host:port", the key
    char label[ENDPOINT_MAX_BYTES];      //  "host:port", for the user
    char source[ENDPOINT_MAX_BYTES];     //  who named it (a quiet one): "ip:port", an ip, or ""
    peer_state_t state;                  //  last state the subscriber thread reported
    peer_origin_t origin;                //  how we came to it (PEER_TYPED: not quiet)
    int64_t lost_ms;                     //  when it was lost, until libzmq tries again; else 0
    int64_t added_ms;                    //  when it was added
    int64_t verify_by_ms;                //  a heartbeat from the named member is due by then; or 0
    int64_t down_ms;                     //  when its connection broke (or it fell silent); or 0
    int64_t retry_ms;                    //  parked: when we dial it again (libzmq does not)
    bool parked;                         //  lost long: disconnected, dialled every so often
    bool trying;                         //  ... and being dialled now, once
    int tries;                           //  refused attempts before its first handshake
    bool answered;                       //  it completed a handshake once
    bool named;                          //  it was named for a member (expected below) ...
    bool verified;                       //  ... and a heartbeat from it came as that member
    bool heard;                          //  a heartbeat came from it, as member id
    bool beating;                        //  a heartbeat came since it last connected: a chat
    uint8_t expected[WIRE_SENDER_BYTES]; //  the member it was named for
    uint8_t id[WIRE_SENDER_BYTES];       //  the member its heartbeats came as
} peer_t;

//  An endpoint removed, which the room may not add back (see peers_add_found)
typedef struct {
    bool dead;                           //  the room gave it up (why); else the user or a refusal
    peer_gone_t why;                     //  why the room gave it up
    uint8_t answered[WIRE_SENDER_BYTES]; //  PEER_GONE_WRONG: the member that answered there
    char endpoint[];                     //  "tcp://host:port", as long as it is
} gone_t;

//  One queued change for the subscriber thread
typedef struct {
    char endpoint[ENDPOINT_MAX_BYTES]; //  which peer
    bool connect;                      //  connect (true) or disconnect (false)
} change_t;

struct _peers_t {
    pthread_mutex_t lock; //  the peer lock: guards everything below
    zlistx_t *peers;      //  peer_t items, in the order added
    zlistx_t *changes;    //  change_t items, oldest first
    zlistx_t *gone;       //  gone_t items, oldest first, at most PEERS_GONE_MAX
    int news[2];          //  a pipe holding one byte while changes are queued, else none
    bool proven;          //  a peer the user named or a beacon found sent its first heartbeat
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
    self->gone = zlistx_new ();
    if (!self->peers || !self->changes || !self->gone) {
        peers_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->peers, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (self->changes, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (self->gone, (zlistx_destructor_fn *) zstr_free);
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
    zlistx_destroy (&self->gone);
    for (int i = 0; i < 2; i++)
        if (self->news[i] >= 0)
            close (self->news[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  Find a peer by endpoint; its item is the list's cursor. Lock held.
static peer_t *
s_find (peers_t *self, const char *endpoint)
{
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (streq (peer->endpoint, endpoint))
            return peer;
    return NULL;
}

//  Find what is remembered of endpoint's removal; its item is the list's cursor. Lock held.
static gone_t *
s_find_gone (peers_t *self, const char *endpoint)
{
    for (gone_t *gone = zlistx_first (self->gone); gone; gone = zlistx_next (self->gone))
        if (streq (gone->endpoint, endpoint))
            return gone;
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

//  Make room for one more removal remembered: forget the oldest the room gave up, or if there
//  is none, the oldest of all. Lock held.
static void
s_forget_oldest_gone (peers_t *self)
{
    for (gone_t *gone = zlistx_first (self->gone); gone; gone = zlistx_next (self->gone))
        if (gone->dead) {
            zlistx_delete (self->gone, zlistx_cursor (self->gone));
            return;
        }
    if (zlistx_first (self->gone))
        zlistx_delete (self->gone, zlistx_cursor (self->gone));
}

//  Remember that endpoint was removed (dead: given up by the room, for why), so the room does
//  not add it back. Lock held.
static void
s_remember_removed (peers_t *self, const char *endpoint, bool dead, peer_gone_t why)
{
    gone_t *gone = s_find_gone (self, endpoint);
    if (gone) {
        //  A refusal by the user outweighs the room's reasons
        gone->dead = gone->dead && dead;
        gone->why = why;
        return;
    }
    if (zlistx_size (self->gone) >= PEERS_GONE_MAX)
        s_forget_oldest_gone (self);
    size_t size = strnlen (endpoint, ENDPOINT_MAX_BYTES - 1) + 1;
    gone = calloc (1, sizeof *gone + size);
    if (!gone)
        return;
    memcpy (gone->endpoint, endpoint, size - 1);
    gone->dead = dead;
    gone->why = why;
    zlistx_add_end (self->gone, gone);
}

//  Remove the peer at the list's cursor and queue its disconnection; remember it (see
//  s_remember_removed). Lock held.
static void
s_drop_current (peers_t *self, peer_t *peer, bool dead, peer_gone_t why)
{
    s_queue (self, peer->endpoint, false);
    s_remember_removed (self, peer->endpoint, dead, why);
    zlistx_delete (self->peers, zlistx_cursor (self->peers));
}

//  True when peer is quiet and not yet shown to be the chat it was found as: it counts
//  against the pending bounds (a peer that listens to us does not: it has shown it is a chat).
static bool
s_pending (const peer_t *peer)
{
    bool bounded = peer->origin == PEER_FOUND || peer->origin == PEER_NAMED;
    return bounded && (!peer->answered || (peer->named && !peer->verified));
}

//  True when no more may be pending from source. Lock held.
static bool
s_busy (peers_t *self, const char *source)
{
    size_t pending = 0, from_source = 0;
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (s_pending (peer)) {
            pending++;
            from_source += streq (peer->source, source);
        }
    return pending >= PEERS_PENDING_MAX || from_source >= PEERS_PENDING_PER_SOURCE_MAX;
}

//  Whether what is remembered of a removal (gone, may be NULL) refuses a peer of origin named
//  for member id (may be NULL).
static bool
s_refuses (const gone_t *gone, peer_origin_t origin, const uint8_t *id)
{
    if (!gone || origin == PEER_TYPED)
        return false;
    //  Named for the member that answered there, not the one it was named for before: it is
    //  that member's address
    if (gone->dead && gone->why == PEER_GONE_WRONG && id &&
        memcmp (gone->answered, id, WIRE_SENDER_BYTES) == 0)
        return false;
    //  A chat that listens to us is tried again, unless the user sent it away
    return origin != PEER_LISTENER || !gone->dead;
}

//  Make a peer (from origin, named for id by source, at now_ms) and queue its connection.
//  Returns 0, or -1 if out of memory. Lock held.
static int
s_add_new (peers_t *self, const char *endpoint, const char *label, peer_origin_t origin,
           const uint8_t *id, const char *source, int64_t now_ms)
{
    peer_t *peer = calloc (1, sizeof *peer);
    if (!peer)
        return -1;
    text_copy (peer->endpoint, sizeof peer->endpoint, endpoint);
    text_copy (peer->label, sizeof peer->label, label);
    text_copy (peer->source, sizeof peer->source, source ? source : "");
    peer->state = PEER_CONNECTING;
    peer->origin = origin;
    peer->added_ms = now_ms;
    peer->named = id != NULL && origin != PEER_TYPED;
    if (peer->named)
        memcpy (peer->expected, id, WIRE_SENDER_BYTES);
    if (s_find_gone (self, endpoint))
        zlistx_delete (self->gone, zlistx_cursor (self->gone));
    zlistx_add_end (self->peers, peer);
    s_queue (self, endpoint, true);
    return 0;
}

//  Dial a parked peer once (a refusal parks it again, s_refused). Lock held.
static void
s_dial (peers_t *self, peer_t *peer)
{
    peer->parked = false;
    peer->trying = true;
    s_queue (self, peer->endpoint, true);
}

//  Park a peer lost for long at now_ms: libzmq stops retrying it (and frees what the
//  connection holds); we dial it again PEER_PARK_RETRY_MS later. Lock held.
static void
s_park (peers_t *self, peer_t *peer, int64_t now_ms)
{
    peer->parked = true;
    peer->trying = false;
    peer->retry_ms = now_ms + PEER_PARK_RETRY_MS;
    s_queue (self, peer->endpoint, false);
}

int
peers_add_found (peers_t *self, const char *endpoint, const char *label, peer_origin_t origin,
                 const uint8_t *id, const char *source, int64_t now_ms)
{
    int result = 0;
    bool bounded = origin == PEER_FOUND || origin == PEER_NAMED;
    pthread_mutex_lock (&self->lock);
    peer_t *peer = s_find (self, endpoint);
    if (peer) {
        if (origin == PEER_TYPED)
            peer->origin = PEER_TYPED; //  the user named it: no longer quiet
        if (peer->parked)
            s_dial (self, peer); //  someone says it is there: try it now
        result = 1;
    } else if (s_refuses (s_find_gone (self, endpoint), origin, id))
        result = 2;
    else if (bounded && s_busy (self, source ? source : ""))
        result = 3;
    else if (zlistx_size (self->peers) >= PEERS_MAX)
        result = -1;
    else
        result = s_add_new (self, endpoint, label, origin, id, source, now_ms);
    pthread_mutex_unlock (&self->lock);
    return result;
}

int
peers_add (peers_t *self, const char *endpoint, const char *label, bool quiet)
{
    return peers_add_found (self, endpoint, label, quiet ? PEER_LISTENER : PEER_TYPED, NULL, NULL,
                            zclock_mono ());
}

int
peers_remove (peers_t *self, const char *endpoint)
{
    int result = -1;
    pthread_mutex_lock (&self->lock);
    peer_t *peer = s_find (self, endpoint);
    if (peer) {
        s_drop_current (self, peer, false, PEER_GONE_LEFT);
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
        if (streq (peer->label, label) && (peer->origin != PEER_TYPED || !quiet_only))
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

//  A refused attempt: the first is news; a quiet peer that never answered is given up after
//  PEER_QUIET_TRIES (returns PEER_NEWS_GIVEN_UP, and the peer is gone). Lock held.
static peer_news_t
s_refused (peers_t *self, peer_t *peer, int64_t now_ms)
{
    peer->lost_ms = 0;
    if (peer->trying)
        s_park (self, peer, now_ms); //  still not back
    if (peer->origin != PEER_TYPED && !peer->answered && ++peer->tries >= PEER_QUIET_TRIES) {
        s_drop_current (self, peer, true, PEER_GONE_UNANSWERED);
        return PEER_NEWS_GIVEN_UP;
    }
    if (peer->state != PEER_CONNECTING)
        return PEER_NEWS_NONE;
    peer->state = PEER_UNREACHABLE;
    return PEER_NEWS_UNREACHABLE;
}

//  The handshake succeeded at now_ms: a peer named for a member now has PEER_VERIFY_MS to
//  send a heartbeat as that member.
static peer_news_t
s_handshake (peer_t *peer, int64_t now_ms)
{
    peer_news_t news = peer->state != PEER_CONNECTED ? PEER_NEWS_CONNECTED : PEER_NEWS_NONE;
    peer->state = PEER_CONNECTED;
    peer->lost_ms = peer->down_ms = 0;
    peer->parked = peer->trying = false;
    if (!peer->answered && peer->named && !peer->verified)
        peer->verify_by_ms = now_ms + PEER_VERIFY_MS;
    peer->answered = true;
    return news;
}

//  Apply event to peer (the list's cursor) at now_ms. Returns the news. Lock held.
static peer_news_t
s_apply_event (peers_t *self, peer_t *peer, peer_event_t event, int64_t now_ms)
{
    switch (event) {
    case PEER_EVENT_HANDSHAKE_OK:
        return s_handshake (peer, now_ms);
    case PEER_EVENT_ATTEMPT:
        peer->lost_ms = 0;
        break;
    case PEER_EVENT_REFUSED:
        return s_refused (self, peer, now_ms);
    case PEER_EVENT_DISCONNECTED:
        peer->beating = false; //  what answers there next may be another program
        if (peer->state == PEER_CONNECTED) {
            peer->state = PEER_LOST;
            peer->lost_ms = peer->down_ms = now_ms;
            return PEER_NEWS_LOST;
        }
        break;
    case PEER_EVENT_HANDSHAKE_FAILED:
        s_drop_current (self, peer, false, PEER_GONE_UNANSWERED);
        return PEER_NEWS_NOT_A_CHAT;
    }
    return PEER_NEWS_NONE;
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
        quiet = peer->origin != PEER_TYPED;
        news = s_apply_event (self, peer, event, now_ms);
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
            s_drop_current (self, peer, false, PEER_GONE_LEFT);
            found = true;
            break;
        }
    pthread_mutex_unlock (&self->lock);
    return found;
}

//  When quiet peer is due for removal (0: never), and why.
static int64_t
s_due_ms (const peer_t *peer, peer_gone_t *why)
{
    if (peer->origin == PEER_TYPED)
        return 0;
    if (!peer->answered) {
        *why = PEER_GONE_UNANSWERED;
        return peer->added_ms + PEER_QUIET_ANSWER_MS;
    }
    if (peer->named && !peer->verified) {
        *why = PEER_GONE_UNVERIFIED;
        return peer->verify_by_ms;
    }
    *why = PEER_GONE_FORGOTTEN;
    return peer->down_ms ? peer->down_ms + PEER_FORGET_MS : 0;
}

//  When a quiet peer lost for long is parked, or dialled again once parked (0: never).
static int64_t
s_park_due_ms (const peer_t *peer)
{
    if (peer->origin == PEER_TYPED || !peer->down_ms || peer->state == PEER_CONNECTED ||
        peer->trying)
        return 0;
    return peer->parked ? peer->retry_ms : peer->down_ms + PEER_PARK_AFTER_MS;
}

//  Park the peers lost for long, and dial those parked whose time has come, at now_ms. Lock
//  held.
static void
s_park_due (peers_t *self, int64_t now_ms)
{
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers)) {
        int64_t due_ms = s_park_due_ms (peer);
        if (due_ms && now_ms >= due_ms && peer->parked)
            s_dial (self, peer);
        else if (due_ms && now_ms >= due_ms)
            s_park (self, peer, now_ms);
    }
}

bool
peers_take_dropped (peers_t *self, int64_t now_ms, char *label, size_t label_size, peer_gone_t *why)
{
    bool found = false;
    pthread_mutex_lock (&self->lock);
    s_park_due (self, now_ms);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers)) {
        int64_t due_ms = s_due_ms (peer, why);
        if (due_ms && now_ms >= due_ms) {
            text_copy (label, label_size, peer->label);
            s_drop_current (self, peer, true, *why);
            found = true;
            break; //  the cursor is gone with it
        }
    }
    pthread_mutex_unlock (&self->lock);
    return found;
}

int64_t
peers_due_ms (peers_t *self)
{
    int64_t first_ms = 0;
    peer_gone_t why;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers)) {
        int64_t due_ms = s_due_ms (peer, &why), park_ms = s_park_due_ms (peer);
        if (park_ms && (!due_ms || park_ms < due_ms))
            due_ms = park_ms;
        if (due_ms && (!first_ms || due_ms < first_ms))
            first_ms = due_ms;
    }
    pthread_mutex_unlock (&self->lock);
    return first_ms;
}

//  A heartbeat from id came from the quiet peer (the list's cursor): note it. Returns -1 if
//  the peer was named for another member (it is removed then), else 0. Lock held.
static int
s_heard (peers_t *self, peer_t *peer, const uint8_t id[WIRE_SENDER_BYTES])
{
    if (peer->named && !peer->verified) {
        if (memcmp (peer->expected, id, WIRE_SENDER_BYTES) != 0) {
            char endpoint[ENDPOINT_MAX_BYTES];
            text_copy (endpoint, sizeof endpoint, peer->endpoint);
            s_drop_current (self, peer, true, PEER_GONE_WRONG);
            gone_t *gone = s_find_gone (self, endpoint);
            if (gone)
                memcpy (gone->answered, id, WIRE_SENDER_BYTES);
            return -1;
        }
        peer->verified = true;
        peer->verify_by_ms = 0;
    }
    memcpy (peer->id, id, WIRE_SENDER_BYTES);
    peer->heard = true;
    peer->down_ms = peer->state == PEER_LOST ? peer->down_ms : 0;
    return 0;
}

int
peers_heard (peers_t *self, const char *label, const uint8_t id[WIRE_SENDER_BYTES])
{
    char endpoint[ENDPOINT_MAX_BYTES];
    int size = snprintf (endpoint, sizeof endpoint, "tcp://%s", label);
    if (size < 0 || (size_t) size >= sizeof endpoint)
        return 0;
    int result = 0;
    pthread_mutex_lock (&self->lock);
    peer_t *peer = s_find (self, endpoint);
    gone_t *gone = peer ? NULL : s_find_gone (self, endpoint);
    if (peer && !peer->beating && (peer->origin == PEER_TYPED || peer->origin == PEER_FOUND))
        self->proven = true;
    if (peer)
        peer->beating = true;
    if (peer && peer->origin != PEER_TYPED)
        result = s_heard (self, peer, id);
    else if (gone && gone->dead &&
             (gone->why == PEER_GONE_LEFT || gone->why == PEER_GONE_FORGOTTEN))
        zlistx_delete (self->gone, zlistx_cursor (self->gone)); //  it is back: it may be named
    pthread_mutex_unlock (&self->lock);
    return result;
}

bool
peers_take_proven (peers_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool proven = self->proven;
    self->proven = false;
    pthread_mutex_unlock (&self->lock);
    return proven;
}

bool
peers_any_unproven (peers_t *self)
{
    bool any = false;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer && !any; peer = zlistx_next (self->peers))
        any = (peer->origin == PEER_TYPED || peer->origin == PEER_FOUND) && !peer->beating;
    pthread_mutex_unlock (&self->lock);
    return any;
}

int
peers_bye (peers_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    int result = -1;
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (peer->origin != PEER_TYPED && peer->heard &&
            memcmp (peer->id, id, WIRE_SENDER_BYTES) == 0) {
            s_drop_current (self, peer, true, PEER_GONE_LEFT);
            result = 0;
            break; //  the cursor is gone with it
        }
    pthread_mutex_unlock (&self->lock);
    return result;
}

void
peers_silent (peers_t *self, const char *label, int64_t now_ms)
{
    pthread_mutex_lock (&self->lock);
    for (peer_t *peer = zlistx_first (self->peers); peer; peer = zlistx_next (self->peers))
        if (peer->origin != PEER_TYPED && peer->answered && !peer->down_ms &&
            streq (peer->label, label))
            peer->down_ms = now_ms;
    pthread_mutex_unlock (&self->lock);
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
