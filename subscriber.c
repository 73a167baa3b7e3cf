/*  subscriber.c - the subscriber thread (see subscriber.h for the threads and their locks).

    Its life cycle is czmq's zactor contract; on top of it, the thread's last act is to say,
    under a mutex of its own, that it is done with the shared tables. The main thread reads that
    after zactor_destroy, so it knows whether it may free them, and ThreadSanitizer sees the
    order (it cannot see through libzmq's lock-free pipes).
*/
#include "subscriber.h"
#include "keepalive.h"
#include "control.h"
#include "i18n.h"
#include "inbox.h"
#include "monitor.h"
#include "receive.h"
#include "streams.h"
#include "term.h"

#include <czmq.h>
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define TRIM_AFTER_MS 2000 // memory is given back this long after peers went (libzmq frees late)

struct _subscriber_t {
    zactor_t *actor;                    //  the thread
    channels_t *channels;               //  the shared tables (not owned) ...
    peers_t *peers;                     //  ...
    room_t *room;                       //  ...
    backlog_t *backlog;                 //  ...
    const roomlock_t *lock;             //  the room's lock (not owned)
    uint8_t self_id[WIRE_SENDER_BYTES]; //  our sender id
    const identity_t *identity;         //  who we are (not owned)
    known_t *known;                     //  the keys first seen for each nick (not owned)
    int port;                           //  where our XPUB socket listens
    size_t history_lines;               //  lines of history per channel to ask for
    forward_t *forward;                 //  the authors others want through us (not owned)
    int back_port_asked;                //  where the SUB should accept connections (0: any)
    pthread_mutex_t state_lock;         //  guards the three below
    bool ready;                         //  the thread started
    bool finished;                      //  the thread touches no shared table any more
    int back_port;                      //  where the SUB accepts connections (0: nowhere)
};

//  The thread's own state
typedef struct {
    subscriber_t *config; //  what it was started with
    void *context;        //  its ZeroMQ context
    void *sub;            //  its SUB socket
    void *monitor;        //  PAIR receiving the SUB socket's events
    inbox_t *inbox;       //  what handles the messages
    size_t peers_seen;    //  the size of the peer list at the last tick
    int64_t trim_ms;      //  when to give freed memory back to the system (0: not due)
    int64_t tick_ms;      //  the next tick may come no sooner than this
    bool channels;        //  subscribed to every channel (s_channels)
} thread_t;

//  Subscribe to every channel, one topic per byte a channel name can start with (not "~",
//  which would bring every forwarded message: "~via" is asked of one member), or unsubscribe.
static void
s_subscribe_channels (void *sub, bool subscribe)
{
    for (int byte = 0; byte < 256; byte++) {
        char first = (char) byte;
        if (wire_topic_start ((unsigned char) byte) && first != CONTROL_PREFIX[0])
            zmq_setsockopt (sub, subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, &first, 1);
    }
}

//  Be subscribed to every channel only while a peer may send its lines in the course's one
//  frame: one we dialled that has sent no heartbeat (a course peer, a plain tool), or a --plain
//  chat in the room. A chat sends its lines in signed batches ("~lines"), so in a room of chats
//  a connection carries 6 subscriptions, not 101, which libzmq keeps at both of its ends
//  (PROTOKOLL.md 5: 1.9 MB a chat in a room of 100). Without may_drop they are only taken.
static void
s_channels (thread_t *self, bool may_drop)
{
    bool wanted = peers_any_unproven (self->config->peers) || room_any_plain (self->config->room);
    if (wanted == self->channels || (!wanted && !may_drop))
        return;
    s_subscribe_channels (self->sub, wanted);
    self->channels = wanted;
}

//  Set the SUB socket's options: bounded messages and queue, quick retries, both IP versions,
//  TCP keepalive (keepalive.h), the room's lock; and subscribe to control traffic and our
//  private topic (every channel only when needed, s_channels), not to other peers' private topics.
static void
s_configure (const subscriber_t *config, void *sub)
{
    roomlock_join (config->lock, sub);
    int zero = 0, one = 1;
    int64_t maxmsgsize = SOCKET_MAXMSGSIZE_BYTES;
    int reconnect = SUBSCRIBER_RECONNECT_IVL_MS, reconnect_max = SUBSCRIBER_RECONNECT_IVL_MAX_MS;
    int handshake = SUBSCRIBER_HANDSHAKE_IVL_MS, hwm = SOCKET_HWM_MESSAGES;
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (sub, ZMQ_RCVTIMEO, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_IPV6, &one, sizeof one);
    zmq_setsockopt (sub, ZMQ_MAXMSGSIZE, &maxmsgsize, sizeof maxmsgsize);
    zmq_setsockopt (sub, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    zmq_setsockopt (sub, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    zmq_setsockopt (sub, ZMQ_HANDSHAKE_IVL, &handshake, sizeof handshake);
    int connect_timeout = SUBSCRIBER_CONNECT_TIMEOUT_MS;
    zmq_setsockopt (sub, ZMQ_CONNECT_TIMEOUT, &connect_timeout, sizeof connect_timeout);
    keepalive_set (sub);
    //  "" would match everything, other peers' private messages too: instead every channel
    //  while a peer may need it (s_channels), and the control topics that travel as messages
    const char *controls[] = {CONTROL_BEAT, CONTROL_BYE, CONTROL_LINES};
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, controls[i], strlen (controls[i]));
    char private[CONTROL_PRIVATE_BYTES + 1];
    if (control_encode_private (private, sizeof private, config->self_id) > 0)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, private, CONTROL_PRIVATE_BYTES);
    //  Never matches a message either: each publisher sends its first heartbeat to us alone,
    //  on our private topic (subscribed above, so before this: libzmq sends them in order)
    char hello[CONTROL_HELLO_BYTES + 1];
    if (control_encode_hello (hello, sizeof hello, config->self_id) > 0)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, hello, CONTROL_HELLO_BYTES);
    //  Never matches a message: it tells each publisher we connect to where to connect back
    char listen[32];
    int size = control_encode_listen (listen, sizeof listen, config->port);
    if (size > 0)
        zmq_setsockopt (sub, ZMQ_SUBSCRIBE, listen, (size_t) size);
}

//  Carry out the peer changes queued by either thread.
static void
s_apply_changes (thread_t *self)
{
    char endpoint[ENDPOINT_MAX_BYTES];
    bool connect;
    //  A peer the user named may be a course peer: before it connects. Only a peer's proof that
    //  it is a chat ends them (s_loop): ending them as a peer went sent 95 unsubscriptions
    //  alongside its closing connection, and LeakSanitizer then saw libzmq lose a connection's
    //  metadata at exit (disconnect_flood.sh, 4 runs in 13)
    s_channels (self, false);
    while (peers_next_change (self->config->peers, endpoint, sizeof endpoint, &connect)) {
        uint8_t relay_key[ROOMLOCK_KEY_BYTES];
        bool relay = connect && roomlock_relay_endpoint (self->config->lock, endpoint, relay_key);
        int rc = relay ? roomlock_join_relay (self->config->lock, self->sub, endpoint, relay_key)
                 : connect ? zmq_connect (self->sub, endpoint)
                           : zmq_disconnect (self->sub, endpoint);
        if (rc != 0 && connect)
            term_error (_ ("cannot connect to %s: %s"), endpoint, zmq_strerror (zmq_errno ()));
    }
}

//  The peer event a libzmq socket event stands for, or -1 for one we do not follow.
static int
s_peer_event (uint16_t id)
{
    switch (id) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return PEER_EVENT_HANDSHAKE_OK;
    case ZMQ_EVENT_CONNECT_DELAYED:
    case ZMQ_EVENT_CONNECTED:
        return PEER_EVENT_ATTEMPT;
    case ZMQ_EVENT_CONNECT_RETRIED:
        return PEER_EVENT_REFUSED;
    case ZMQ_EVENT_DISCONNECTED:
        return PEER_EVENT_DISCONNECTED;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return PEER_EVENT_HANDSHAKE_FAILED;
    }
    return -1;
}

//  Turn one socket event into a peer state, and tell the user when the state changes.
static void
s_handle_event (thread_t *self)
{
    uint16_t id;
    uint32_t value;
    char endpoint[ENDPOINT_MAX_BYTES];
    if (monitor_next (self->monitor, "SUB", &id, &value, endpoint, sizeof endpoint))
        return;
    int peer_event = s_peer_event (id);
    if (peer_event < 0)
        return;
    char label[ENDPOINT_MAX_BYTES];
    peer_news_t state_news;
    peer_news_t news = peers_event (self->config->peers, endpoint, (peer_event_t) peer_event,
                                    zclock_mono (), label, sizeof label, &state_news);
    //  \who shows a member whose connection broke as reconnecting, until it is back
    if (state_news == PEER_NEWS_LOST || state_news == PEER_NEWS_CONNECTED)
        room_set_reconnecting (self->config->room, label, state_news == PEER_NEWS_LOST);
    if (news == PEER_NEWS_CONNECTED)
        term_notice (_ ("connected to %s"), label);
    else if (news == PEER_NEWS_UNREACHABLE)
        term_notice (_ ("%s does not answer (is chat running there?), retrying"), label);
    else if (news == PEER_NEWS_LOST)
        term_notice (_ ("lost the connection to %s, retrying"), label);
    else if (news == PEER_NEWS_NOT_A_CHAT)
        roomlock_report_refused (self->config->lock, label, id, value);
    else if (state_news == PEER_NEWS_GIVEN_UP)
        term_debug (_ ("SUB gives up on %s: it refused %d attempts"), label, PEER_QUIET_TRIES);
}

//  Why a quiet peer was dropped, for the view of the wire.
static const char *
s_gone_reason (peer_gone_t why)
{
    switch (why) {
    case PEER_GONE_UNANSWERED:
        return _ ("it does not answer");
    case PEER_GONE_UNVERIFIED:
        return _ ("no heartbeat came from it");
    case PEER_GONE_WRONG:
        return _ ("it is not the member it was named for");
    case PEER_GONE_FORGOTTEN:
        return _ ("it has been gone for minutes");
    case PEER_GONE_LEFT:
        break;
    }
    return _ ("it left");
}

//  Tell the user about peers libzmq cut off for breaking the protocol: it will not retry them;
//  and drop the quiet peers that are due (peers_take_dropped), saying so in the view of the wire.
static void
s_report_cut_off (thread_t *self)
{
    char label[ENDPOINT_MAX_BYTES];
    while (peers_take_cut_off (self->config->peers, zclock_mono (), label, sizeof label))
        term_error (_ ("%s was cut off: it sent a broken or oversized message (over %d KiB); "
                       "\\connect %s to listen again"),
                    label, SOCKET_MAXMSGSIZE_BYTES / 1024, label);
    peer_gone_t why;
    while (peers_take_dropped (self->config->peers, zclock_mono (), label, sizeof label, &why))
        term_debug (_ ("SUB stops listening to %s: %s"), label, s_gone_reason (why));
}

//  Give the memory that peers gone (dropped, forgotten, said goodbye) leave free back to the
//  system once libzmq has freed it: glibc keeps freed memory in the arena of the thread that
//  used it, so a chat that sees guests come and go all day (a relay, a hall) would keep the
//  peak of its busiest minute for ever. At a tick at now_ms.
static void
s_trim (thread_t *self, int64_t now_ms)
{
    size_t peers = peers_size (self->config->peers);
    if (peers < self->peers_seen)
        self->trim_ms = now_ms + TRIM_AFTER_MS;
    self->peers_seen = peers;
    if (!self->trim_ms || now_ms < self->trim_ms)
        return;
    self->trim_ms = 0;
#ifdef __GLIBC__
    malloc_trim (0);
#endif
}

//  Close what the thread opened.
static void
s_close (thread_t *self)
{
    inbox_destroy (&self->inbox);
    if (self->sub)
        zmq_socket_monitor (self->sub, NULL, 0);
    if (self->monitor)
        zmq_close (self->monitor);
    if (self->sub)
        zmq_close (self->sub);
    if (self->context)
        zmq_ctx_term (self->context);
}

//  Open the thread's context and sockets. Returns 0, or -1.
static int
s_open (thread_t *self)
{
    subscriber_t *config = self->config;
    char monitor_endpoint[64];
    int size = snprintf (monitor_endpoint, sizeof monitor_endpoint, "inproc://sub-events-%p",
                         (void *) config);
    self->context = size > 0 && (size_t) size < sizeof monitor_endpoint ? zmq_ctx_new () : NULL;
    self->sub = self->context ? zmq_socket (self->context, ZMQ_SUB) : NULL;
    if (!self->sub)
        return -1;
    s_configure (config, self->sub);
    self->channels = false; //  until a peer may need them (s_channels)
    //  Every event: the peer states need some, the view of the wire shows them all
    zmq_socket_monitor (self->sub, monitor_endpoint, ZMQ_EVENT_ALL);
    self->monitor = zmq_socket (self->context, ZMQ_PAIR);
    if (!self->monitor || zmq_connect (self->monitor, monitor_endpoint) != 0)
        return -1;
    int zero = 0;
    zmq_setsockopt (self->monitor, ZMQ_LINGER, &zero, sizeof zero);
    self->inbox = inbox_new (self->sub, config->channels, config->peers, config->room,
                             config->backlog, config->self_id, config->history_lines);
    if (self->inbox) {
        inbox_set_trust (self->inbox, config->known, config->identity);
        inbox_set_forward (self->inbox, config->forward);
        inbox_set_seal (self->inbox, roomlock_content (config->lock),
                        roomlock_locked (config->lock));
    }
    return self->inbox ? 0 : -1;
}

//  Have the SUB socket accept connections too, on the back port asked for (or one the kernel
//  picks), for members that cannot be dialled: their XPUB connects here. Returns the port, or
//  0 (after one line) if it cannot bind.
static int
s_bind_back (thread_t *self)
{
    char endpoint[32];
    int asked = self->config->back_port_asked;
    int size = asked > 0 ? snprintf (endpoint, sizeof endpoint, "tcp://*:%d", asked)
                         : snprintf (endpoint, sizeof endpoint, "tcp://*:*");
    if (size < 0 || (size_t) size >= sizeof endpoint || zmq_bind (self->sub, endpoint) != 0) {
        term_error (_ ("cannot listen for members that cannot be reached on %s: %s"), endpoint,
                    zmq_strerror (zmq_errno ()));
        return 0;
    }
    char last[ENDPOINT_MAX_BYTES];
    size_t last_size = sizeof last;
    if (zmq_getsockopt (self->sub, ZMQ_LAST_ENDPOINT, last, &last_size) != 0)
        return 0;
    const char *colon = strrchr (last, ':');
    return colon ? atoi (colon + 1) : 0;
}

//  How long to wait for a message: wake up to see whether a lost peer was cut off, or a member
//  went silent for good, or to ask again for repairs and history; -1 when nothing is due.
static long
s_timeout_ms (thread_t *self)
{
    long timeout = -1;
    if (peers_awaiting_retry (self->config->peers))
        timeout = PEER_CUT_OFF_MS / 3;
    else if (inbox_repairing (self->inbox))
        timeout = REPAIR_RETRY_MS / 3;
    else if (room_size (self->config->room))
        timeout = MEMBER_GONE_MS / 8;
    //  A quiet peer to drop (peers_take_dropped) is dropped on time, memory given back on time
    int64_t due_ms = peers_due_ms (self->config->peers);
    if (self->trim_ms && (!due_ms || self->trim_ms < due_ms))
        due_ms = self->trim_ms;
    if (peers_size (self->config->peers) < self->peers_seen)
        due_ms = zclock_mono (); //  s_trim notes it at once
    if (due_ms) {
        int64_t until_ms = due_ms - zclock_mono ();
        long until = until_ms < 0                ? 0
                     : until_ms > MEMBER_GONE_MS ? MEMBER_GONE_MS
                                                 : (long) until_ms;
        if (timeout < 0 || until < timeout)
            timeout = until;
    }
    int64_t tick_in_ms = self->tick_ms - zclock_mono ();
    if (timeout >= 0 && timeout < tick_in_ms) //  no sooner than the next tick may come
        timeout = (long) tick_in_ms;
    return timeout;
}

//  True when the actor's pipe says stop ($TERM, or the pipe is gone).
static bool
s_told_to_stop (zsock_t *pipe)
{
    char *command = zstr_recv (pipe);
    bool stop = !command || streq (command, "$TERM");
    zstr_free (&command);
    return stop;
}

//  Poll until told to stop.
static void
s_loop (thread_t *self, zsock_t *pipe)
{
    zmq_pollitem_t items[] = {{zsock_resolve (pipe), 0, ZMQ_POLLIN, 0},
                              {self->sub, 0, ZMQ_POLLIN, 0},
                              {self->monitor, 0, ZMQ_POLLIN, 0},
                              {NULL, peers_news_fd (self->config->peers), ZMQ_POLLIN, 0}};
    bool stopping = false;
    while (!stopping) {
        long timeout = s_timeout_ms (self);
        if (zmq_poll (items, 4, timeout) < 0) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        if (items[0].revents & ZMQ_POLLIN)
            stopping = s_told_to_stop (pipe);
        //  Messages first: the poll took the first frame of one from its connection, and
        //  libzmq asserts if that connection is cut before its other frames are read (!_more
        //  in fq.cpp, libzmq#2163). Read to the end, no message waits half-taken
        if (items[1].revents & ZMQ_POLLIN) {
            receive_messages (self->sub, self->inbox);
            inbox_settle (self->inbox, zclock_mono ());
            //  Before the peers they named are dialled; only when what they need may have
            //  changed (a peer proved a chat, a member turned --plain): not a walk a message
            bool proven = peers_take_proven (self->config->peers);
            if (room_take_plain_news (self->config->room) || proven)
                s_channels (self, proven);
        }
        if (items[3].revents & ZMQ_POLLIN)
            s_apply_changes (self);
        if (items[2].revents & ZMQ_POLLIN)
            s_handle_event (self);
        //  Messages arriving all the time (a big room) get a tick every SUBSCRIBER_TICK_MS,
        //  not one each: a tick walks the peers and the room
        int64_t now_ms = zclock_mono ();
        if (timeout >= 0 && now_ms >= self->tick_ms) {
            s_report_cut_off (self);
            inbox_tick (self->inbox, now_ms);
            s_trim (self, now_ms);
            self->tick_ms = now_ms + SUBSCRIBER_TICK_MS;
        }
    }
}

//  Tell the main thread, under the state lock, what the thread has come to (and, when it
//  starts, where its SUB accepts connections).
static void
s_set_state (subscriber_t *config, bool ready, bool finished, int back_port)
{
    pthread_mutex_lock (&config->state_lock);
    config->ready = ready;
    config->finished = finished;
    if (back_port >= 0)
        config->back_port = back_port;
    pthread_mutex_unlock (&config->state_lock);
}

//  The thread's body (a zactor): own context, own sockets, poll until told to stop.
static void
s_run (zsock_t *pipe, void *arg)
{
    thread_t self = {.config = arg};
    bool opened = s_open (&self) == 0;
    int back_port = opened ? s_bind_back (&self) : 0;
    if (opened)
        s_apply_changes (&self);
    else
        s_close (&self);
    s_set_state (self.config, opened, !opened, back_port);
    zsock_signal (pipe, 0);
    if (!opened)
        return;
    s_loop (&self, pipe);
    s_close (&self);
    //  Last touch of shared memory: after this the main thread may free the tables
    s_set_state (self.config, true, true, -1);
}

//  Read the thread's state: ready, finished.
static void
s_get_state (subscriber_t *self, bool *ready, bool *finished)
{
    pthread_mutex_lock (&self->state_lock);
    *ready = self->ready;
    *finished = self->finished;
    pthread_mutex_unlock (&self->state_lock);
}

int
subscriber_back_port (subscriber_t *self)
{
    pthread_mutex_lock (&self->state_lock);
    int back_port = self->back_port;
    pthread_mutex_unlock (&self->state_lock);
    return back_port;
}

subscriber_t *
subscriber_new (channels_t *channels, peers_t *peers, room_t *room, backlog_t *backlog,
                const roomlock_t *lock, const identity_t *identity, known_t *known, int port,
                size_t history_lines, forward_t *forward, int back_port)
{
    subscriber_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    *self = (subscriber_t){.channels = channels,
                           .peers = peers,
                           .room = room,
                           .backlog = backlog,
                           .lock = lock,
                           .identity = identity,
                           .known = known,
                           .port = port,
                           .history_lines = history_lines,
                           .forward = forward,
                           .back_port_asked = back_port};
    memcpy (self->self_id, identity_sender (identity), WIRE_SENDER_BYTES);
    pthread_mutex_init (&self->state_lock, NULL);
    self->actor = zactor_new (s_run, self);
    bool ready = false, finished = false;
    if (self->actor)
        s_get_state (self, &ready, &finished);
    if (!ready) {
        term_error (_ ("cannot start the listening thread"));
        subscriber_destroy (&self);
    }
    return self;
}

int
subscriber_destroy (subscriber_t **self_p)
{
    if (!self_p || !*self_p)
        return 0;
    subscriber_t *self = *self_p;
    *self_p = NULL;
    if (self->actor) {
        zsock_set_rcvtimeo (self->actor, SUBSCRIBER_STOP_WAIT_MS);
        zactor_destroy (&self->actor);
    }
    bool ready, finished;
    s_get_state (self, &ready, &finished);
    if (ready && !finished)
        return -1; //  the thread may still use self: leave it be
    pthread_mutex_destroy (&self->state_lock);
    free (self);
    return 0;
}
