/*  chat.c - main: startup, the main thread's poll loop, and teardown.

    The main thread owns the XPUB socket (publisher.h) and readline (input.h). It polls stdin,
    a signal pipe, the XPUB socket (whose incoming messages are the subscriptions of those who
    listen to us), the LAN's beacons and, in a locked room, libzmq's ZAP requests, in one
    zmq_poll loop; the subscriber thread (subscriber.h) prints what others say. subscriber.h
    describes the two threads and their locks.
*/
#include "address.h"
#include "answers.h"
#include "backlog.h"
#include "banner.h"
#include "channels.h"
#include "commands.h"
#include "discovery.h"
#include "forward.h"
#include "i18n.h"
#include "identity.h"
#include "input.h"
#include "json.h"
#include "jsonview.h"
#include "known.h"
#include "options.h"
#include "outbox.h"
#include "peers.h"
#include "presence.h"
#include "private.h"
#include "publisher.h"
#include "room.h"
#include "roomlock.h"
#include "subscriber.h"
#include "term.h"
#include "text.h"
#include "view.h"
#include "web.h"

#include <czmq.h>
#include <err.h>
#include <fcntl.h>
#include <signal.h>

#define POLL_ITEMS_MAX 8     // stdin, signals, subscriptions, news, monitor, ZAP, beacons, forward
#define FORWARD_PER_TURN 256 // forwarded messages sent per turn of the loop, at most
#define FIRST_LINES_HOLD_MS 3000 // with -c, our lines wait this long at most for a listener

//  Everything the main thread runs
typedef struct {
    options_t options;                  //  what the user asked for
    identity_t *identity;               //  our key pair: what we send is signed with it
    known_t *known;                     //  the keys first seen for each nick (shared)
    uint8_t self_id[WIRE_SENDER_BYTES]; //  our sender id, derived from its key
    channels_t *channels;               //  channel table (shared with the subscriber thread)
    peers_t *peers;                     //  peer list (shared with it)
    room_t *room;                       //  members of the room (shared with it)
    backlog_t *backlog;                 //  the room's recent lines (shared with it)
    forward_t *forward;                 //  what others ask us to forward (shared with it)
    roomlock_t *lock;                   //  the room's lock, open or locked
    publisher_t *publisher;             //  our XPUB socket
    answers_t *answers;                 //  answers to those who missed our lines
    private_t *private;                 //  \msg and its receipts
    presence_t *presence;               //  our heartbeat
    subscriber_t *subscriber;           //  the subscriber thread
    discovery_t *discovery;             //  LAN discovery, or NULL
    input_t *input;                     //  what the user types
    commands_t *commands;               //  the command runner
    int64_t hold_until_ms;              //  our lines wait for a first listener until then; or 0
    bool quit;                          //  leave the loop
} chat_t;

static int s_signal_pipe[2] = {-1, -1}; //  the signal handler writes the signal number here

//  Signal handler: hand the signal to the main loop through the pipe.
static void
s_on_signal (int signal_number)
{
    int saved = errno;
    unsigned char byte = (unsigned char) signal_number;
    if (write (s_signal_pipe[1], &byte, 1) < 0) {
        //  A full pipe already holds a signal to handle
    }
    errno = saved;
}

//  Install the signal handlers: SIGINT, SIGTERM and SIGHUP leave, SIGWINCH resizes.
static void
s_catch_signals (void)
{
    if (pipe (s_signal_pipe) != 0)
        err (1, "pipe");
    fcntl (s_signal_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl (s_signal_pipe[0], F_SETFL, O_NONBLOCK);
    struct sigaction action = {.sa_handler = s_on_signal};
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGHUP, &action, NULL);
    sigaction (SIGWINCH, &action, NULL);
    signal (SIGPIPE, SIG_IGN);
}

//  Handle the signals the handler passed on.
static void
s_read_signals (chat_t *self)
{
    unsigned char signals[16];
    ssize_t size = read (s_signal_pipe[0], signals, sizeof signals);
    for (ssize_t i = 0; i < size; i++) {
        if (signals[i] == SIGWINCH)
            term_resize ();
        else
            self->quit = true;
    }
}

//  --json: print the prompt's object, unless it is the one printed last. Main thread.
static void
s_prompt_json (const char *channel, int listeners, const char *nick)
{
    static char last[JSON_LINE_MAX_BYTES]; //  the last one printed
    char object[JSON_LINE_MAX_BYTES];
    jsonview_prompt (object, sizeof object, channel, listeners, nick);
    if (strcmp (object, last) != 0) {
        memcpy (last, object, strlen (object) + 1);
        term_json (object);
    }
}

//  Show the prompt: the pending question, or "[buddy · 3] anna> ": the channel, how many hear
//  us, and who we are. readline must be told where the colour codes are (\001 ... \002), or it
//  miscounts the width. In JSON mode, the same as an object, when it changed.
static void
s_update_prompt (chat_t *self)
{
    if (!input_interactive (self->input) && !self->options.json)
        return;
    const char *question = commands_question (self->commands);
    char prompt[NAME_MAX_BYTES * 2 + 64], channel[NAME_MAX_BYTES + 1];
    channels_current (self->channels, channel, sizeof channel);
    const char *nick = publisher_nick (self->publisher);
    int listeners = publisher_listeners (self->publisher);
    if (self->options.json) {
        s_prompt_json (channel, listeners, nick);
        return;
    }
    int size;
    if (term_color_on ())
        size =
            snprintf (prompt, sizeof prompt, "[%s \xC2\xB7 %d] \001\033[%sm\002%s\001\033[0m\002> ",
                      channel, listeners, view_nick_color (nick), nick);
    else
        size = snprintf (prompt, sizeof prompt, "[%s \xC2\xB7 %d] %s> ", channel, listeners, nick);
    if (size < 0 || (size_t) size >= sizeof prompt)
        text_copy (prompt, sizeof prompt, "> ");
    input_set_prompt (self->input, question ? question : prompt, question != NULL);
}

//  The input's handler: run one line. Returns false to stop reading (the user leaves).
static bool
s_on_line (const char *line, void *arg)
{
    chat_t *self = arg;
    if (commands_run (self->commands, line) == COMMANDS_QUIT)
        self->quit = true;
    else
        s_update_prompt (self);
    return !self->quit;
}

//  A chat at ip listens to us from port (origin PEER_LISTENER), or a beacon says member id is
//  there (PEER_FOUND): listen to it too, so that one \connect is enough. The peer list wakes
//  the subscriber thread.
static void
s_connect_back (chat_t *self, const char *ip, int port, peer_origin_t origin, const uint8_t *id)
{
    address_t address;
    const char *why;
    if (*ip && address_resolve_numeric (ip, port, &address, &why) == 0)
        peers_add_found (self->peers, address.endpoint, address.label, origin, id, ip,
                         zclock_mono ());
}

//  True while our lines wait for a first listener. What a member wrote before another heard
//  it is history to that one (PROTOKOLL.md 12), so a chat started with -c that says a line at
//  once (`echo hej | chat -c anna`) holds it until someone listens, FIRST_LINES_HOLD_MS at most,
//  and then never again.
static bool
s_holding (chat_t *self)
{
    if (self->hold_until_ms &&
        (publisher_listeners (self->publisher) > 0 || zclock_mono () >= self->hold_until_ms))
        self->hold_until_ms = 0;
    return self->hold_until_ms != 0;
}

#define HELLOS_WAITING_MAX 16 // "~hello" ids read that wait for their "~listen", at most

//  The "~hello ID" subscriptions read, in order, each waiting for the "~listen" after it
typedef struct {
    uint8_t ids[HELLOS_WAITING_MAX][WIRE_SENDER_BYTES];
    size_t count;
} hellos_t;

//  Send the oldest of hellos its own heartbeat (unless our first lines are held: they go at
//  its "~listen"). Returns true when it went.
static bool
s_greet (chat_t *self, hellos_t *hellos)
{
    if (hellos->count == 0)
        return false;
    bool sent =
        !s_holding (self) && presence_beat_to (self->presence, hellos->ids[0], zclock_mono ()) == 0;
    memmove (hellos->ids[0], hellos->ids[1], --hellos->count * sizeof hellos->ids[0]);
    return sent;
}

//  Act on the subscriptions that reached our XPUB socket: a new listener hears our heartbeat
//  at once (and a chat is listened to in return); a request is answered.
static void
s_read_subscriptions (chat_t *self)
{
    int listeners = publisher_listeners (self->publisher);
    //  A chat subscribes "~hello ID" before "~listen PORT" (libzmq sends them in order, and
    //  "~lines" between them): at its "~listen" it hears our heartbeat alone, with "~lines"
    //  subscribed already (a line held for it goes first). Other listeners (older chats, plain
    //  subscribers) make one heartbeat soon, for all.
    hellos_t hellos = {.count = 0};
    publisher_event_t event;
    while (publisher_next_event (self->publisher, &event)) {
        if (event.kind == PUBLISHER_HELLO) {
            if (hellos.count == HELLOS_WAITING_MAX)
                s_greet (self, &hellos);
            memcpy (hellos.ids[hellos.count++], event.author, WIRE_SENDER_BYTES);
        } else if (event.kind == PUBLISHER_LISTENER) {
            if (event.port > 0) {
                s_connect_back (self, event.address, event.port, PEER_LISTENER, NULL);
                char label[ENDPOINT_MAX_BYTES];
                address_label (event.address, event.port, label, sizeof label);
                room_set_listening (self->room, label); //  it hears us: no back link
            }
            if (!s_greet (self, &hellos))
                presence_beat_soon (self->presence);
        } else if (event.kind == PUBLISHER_FORWARD)
            forward_want (self->forward, event.author, event.subscribe);
        else if (!event.to_us) {
            //  Asked of an author we forward: it cannot hear the requester, we answer for it;
            //  a receipt for it we ask again on our SUB, which reaches it
            if (!forward_wanted (self->forward, event.request.target))
                continue;
            if (event.request.kind == CONTROL_REQUEST_ACK)
                forward_ask (self->forward, &event.request);
            else
                answers_handle_forwarded (self->answers, &event.request, zclock_mono ());
        } else if (event.request.kind == CONTROL_REQUEST_ACK)
            private_delivered (self->private, &event.request);
        else
            answers_handle (self->answers, &event.request, zclock_mono ());
    }
    while (hellos.count > 0) //  their "~listen" comes in a later read, if at all
        s_greet (self, &hellos);
    if (publisher_listeners (self->publisher) != listeners)
        s_update_prompt (self); //  the prompt shows how many hear us
}

//  Send on what others asked us to forward, FORWARD_PER_TURN messages at most.
static void
s_forward (chat_t *self)
{
    uint8_t author[WIRE_SENDER_BYTES];
    forward_kind_t kind = FORWARD_VIA;
    zmsg_t *message;
    for (int i = 0; i < FORWARD_PER_TURN && (message = forward_take (self->forward, author, &kind));
         i++) {
        const void *frames[FORWARD_FRAMES_MAX];
        size_t sizes[FORWARD_FRAMES_MAX], count = 0;
        for (zframe_t *frame = zmsg_first (message); frame && count < FORWARD_FRAMES_MAX;
             frame = zmsg_next (message), count++)
            frames[count] = zframe_data (frame), sizes[count] = zframe_size (frame);
        if (kind == FORWARD_PRIVATE)
            publisher_send_as_is (self->publisher, frames, sizes, count);
        else
            publisher_send_forward (self->publisher, author, frames, sizes, count);
        zmsg_destroy (&message);
    }
}

//  A beacon from another chat on the LAN: listen to it, unless we hear it already.
static void
s_read_beacon (chat_t *self)
{
    char ip[ENDPOINT_MAX_BYTES];
    int port;
    uint8_t id[WIRE_SENDER_BYTES];
    if (discovery_read (self->discovery, ip, sizeof ip, &port, id) == 0 &&
        !room_knows (self->room, id))
        s_connect_back (self, ip, port, PEER_FOUND, id);
}

//  Start LAN discovery (unless --no-discovery); and a second chat on this machine, pushed off
//  the default port, finds the one holding it (no broadcast needed, so always).
static void
s_discovery_start (chat_t *self)
{
    int port = publisher_port (self->publisher);
    if (!self->options.port && port != PORT_DEFAULT)
        s_connect_back (self, "127.0.0.1", PORT_DEFAULT, PEER_FOUND, NULL);
    if (*self->options.interface)
        zsys_set_interface (self->options.interface); //  before zbeacon picks one
    if (!self->options.no_discovery)
        self->discovery = discovery_start (port, self->self_id, roomlock_locked (self->lock));
}

//  The items the loop polls, and where each one is in items[]
typedef struct {
    zmq_pollitem_t items[POLL_ITEMS_MAX]; //  what zmq_poll watches
    int count;                            //  how many
    int news, monitor, zap, beacons;      //  their places, or -1 ...
    int forward;                          //  ... and the forward queue's
} poll_set_t;

//  Add an item to set (socket, or fd when socket is NULL) unless there is none. Returns its
//  place, or -1.
static int
s_poll_add (poll_set_t *set, void *socket, int fd)
{
    if (!socket && fd < 0)
        return -1;
    set->items[set->count] = (zmq_pollitem_t){socket, fd, ZMQ_POLLIN, 0};
    return set->count++;
}

//  stdin, signals and subscriptions always; the others when they exist.
static void
s_poll_set (chat_t *self, poll_set_t *set)
{
    *set = (poll_set_t){.count = 0};
    s_poll_add (set, NULL, STDIN_FILENO);
    s_poll_add (set, NULL, s_signal_pipe[0]);
    s_poll_add (set, publisher_socket (self->publisher), -1);
    //  The XPUB socket's own file descriptor turns readable when libzmq has news for it, among
    //  them "a listener's queue has room again": what the outbox waits for (POLLOUT cannot
    //  say it: an XPUB socket always reports it)
    set->news = s_poll_add (set, NULL, publisher_news_fd (self->publisher));
    set->monitor = s_poll_add (set, publisher_monitor (self->publisher), -1);
    set->zap = s_poll_add (set, roomlock_zap (self->lock), -1);
    set->beacons = self->discovery ? s_poll_add (set, discovery_socket (self->discovery), -1) : -1;
    set->forward = s_poll_add (set, NULL, forward_news_fd (self->forward));
}

//  True when item place of set is readable.
static bool
s_ready (const poll_set_t *set, int place)
{
    return place >= 0 && (set->items[place].revents & ZMQ_POLLIN);
}

//  How long to wait at most: until the next heartbeat (due at next_beat_ms), sooner while
//  lines wait in the outbox or private messages wait for their receipt.
static long
s_timeout_ms (int64_t next_beat_ms, bool waiting, bool receipts)
{
    long timeout = (long) (next_beat_ms - zclock_mono ());
    if (waiting && timeout > OUTBOX_RETRY_MS)
        timeout = OUTBOX_RETRY_MS;
    if (receipts && timeout > PRIVATE_RESEND_MS / 4)
        timeout = PRIVATE_RESEND_MS / 4;
    return timeout > 0 ? timeout : 0;
}

//  Handle what zmq_poll found ready in set.
static void
s_dispatch (chat_t *self, const poll_set_t *set)
{
    if (s_ready (set, set->news))
        publisher_take_news (self->publisher);
    if (s_ready (set, 1))
        s_read_signals (self);
    if (s_ready (set, 2))
        s_read_subscriptions (self);
    if (s_ready (set, set->monitor))
        publisher_read_monitor (self->publisher);
    if (s_ready (set, set->beacons))
        s_read_beacon (self);
    if (s_ready (set, set->zap))
        roomlock_answer (self->lock);
    if (s_ready (set, set->forward))
        s_forward (self);
    if (!self->quit && (set->items[0].revents & (ZMQ_POLLIN | ZMQ_POLLERR)))
        input_read (self->input);
}

//  Which of stdin's events to poll for: none for a relay (it may run with stdin closed, under
//  systemd), in pipe mode none while lines wait (the outbox's, waiting; or lines held for a
//  first listener), and none once input ended (a closed pipe would wake us at once).
static short
s_input_events (chat_t *self, bool waiting, bool holding)
{
    if (self->options.relay || input_ended (self->input))
        return 0;
    bool held = holding && publisher_unsent_lines (self->publisher) > 0;
    return (waiting || held) && !input_interactive (self->input) ? 0 : ZMQ_POLLIN;
}

//  The main loop: stdin, signals and subscriptions, until the user leaves (and the lines held
//  for a first listener are out).
static void
s_run (chat_t *self)
{
    poll_set_t set;
    s_poll_set (self, &set);
    bool holding = s_holding (self);
    while (!self->quit && (self->options.relay || !input_ended (self->input) ||
                           (holding && publisher_unsent_lines (self->publisher) > 0))) {
        //  Lines waiting for room in a listener's queue: pipe mode reads no more input until
        //  they are out, so the sender keeps the pace of its slowest listener (outbox.h)
        //  No heartbeat while lines are held: nobody would hear it, and it would send them
        int64_t next_beat_ms =
            holding ? self->hold_until_ms : presence_beat (self->presence, zclock_mono ());
        bool waiting = !publisher_flush (self->publisher);
        bool receipts = private_check (self->private, zclock_mono ());
        long timeout = s_timeout_ms (next_beat_ms, waiting, receipts);
        set.items[0].events = s_input_events (self, waiting, holding);
        set.items[0].fd = input_ended (self->input) ? -1 : STDIN_FILENO;
        if (set.news >= 0)
            set.items[set.news].events = waiting ? ZMQ_POLLIN : 0;
        //  Forwarded messages wait (in the forward queue, bounded) while our own do
        if (set.forward >= 0)
            set.items[set.forward].events = waiting ? 0 : ZMQ_POLLIN;
        if (zmq_poll (set.items, set.count, timeout) < 0) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        s_dispatch (self, &set);
        //  The lines the input gave since the last turn go out together, signed once
        if (!(holding = s_holding (self)))
            publisher_send_lines (self->publisher);
    }
}

//  Open our key (exits with status 2 when its file cannot be used), and the keys first seen
//  for each nick, beside it.
static void
s_start_identity (chat_t *self)
{
    char error[IDENTITY_ERROR_MAX_BYTES];
    self->identity = identity_open (self->options.identity, self->options.nick,
                                    self->options.throwaway_key, error, sizeof error);
    if (!self->identity)
        errx (2, "%s", error);
    memcpy (self->self_id, identity_sender (self->identity), WIRE_SENDER_BYTES);
    char known_path[IDENTITY_PATH_MAX_BYTES + 16];
    int size = snprintf (known_path, sizeof known_path, "%s/%s", identity_dir (self->identity),
                         KNOWN_FILE_NAME);
    self->known = known_new (size > 0 && (size_t) size < sizeof known_path ? known_path : NULL);
    if (!self->known)
        errx (1, "out of memory");
    identity_origin_t origin = identity_origin (self->identity);
    if (origin == IDENTITY_LOADED || origin == IDENTITY_CREATED)
        //  Our nick is ours: another key using it is shown apart
        known_check (self->known, self->options.nick, identity_public (self->identity), NULL);
}

//  A locked room through a relay: the relay takes the room's public key (--room-key), a member
//  the relay's (--relay-key), which its -c addresses are reached with. Exits on a failure.
static void
s_start_relay_lock (chat_t *self)
{
    const options_t *options = &self->options;
    if (options->room_key_given && !options->key &&
        roomlock_lock_relay (self->lock, options->room_key, self->identity) != 0)
        errx (1, "%s", _ ("cannot lock the relay with that room key"));
    for (int i = 0; options->relay_key_given && i < options->connect_count; i++)
        if (roomlock_relay_at (self->lock, options->connect[i].endpoint, options->relay_key) != 0)
            errx (2, "%s", _ ("too many relays: --relay-key goes with at most 4 -c addresses"));
}

//  Create the tables both threads share, from the options. Exits on a failure (startup).
static void
s_start_tables (chat_t *self)
{
    s_start_identity (self);
    self->channels = channels_new (self->options.channel);
    self->room = room_new ();
    self->peers = peers_new ();
    self->backlog = backlog_new (BACKLOG_LINES_MAX); //  what a joiner asks for is served
    self->forward = forward_new ();
    self->lock = roomlock_new ();
    if (!self->channels || !self->peers || !self->room || !self->backlog || !self->lock ||
        !self->forward)
        errx (1, "out of memory");
    room_set_own_nick (self->room, self->options.nick);
    if (self->options.log && term_set_log (self->options.log)) {
        char safe[256];
        text_sanitize (self->options.log, strlen (self->options.log), safe, sizeof safe);
        errx (2, _ ("cannot append to the log file %s: %s"), safe, strerror (errno));
    }
    const char *why;
    int status = self->options.key ? roomlock_lock (self->lock, self->options.key, &why) : 0;
    if (status)
        errx (status, "%s", _ (why));
    s_start_relay_lock (self);
}

//  Say goodbye, stop the subscriber thread, flush what was sent and free everything. Returns
//  false when the subscriber thread did not stop in time: then czmq's context, which still
//  holds the thread's end of its pipe, cannot be ended (zmq_ctx_term would wait for ever),
//  and what the thread may still use is left to the process's end.
static bool
s_destroy (chat_t *self)
{
    discovery_destroy (&self->discovery);
    input_destroy (&self->input);
    if (self->publisher) {
        publisher_drain (self->publisher);
        if (self->subscriber && self->presence)
            presence_bye (self->presence); //  others say "left" at once
        publisher_flush (self->publisher);
    }
    bool stopped = subscriber_destroy (&self->subscriber) == 0;
    commands_destroy (&self->commands);
    presence_destroy (&self->presence);
    private_destroy (&self->private);
    answers_destroy (&self->answers);
    publisher_destroy (&self->publisher); //  lingers so sent lines leave
    roomlock_destroy (&self->lock);
    if (stopped)
        zsys_shutdown ();
    identity_destroy (&self->identity);
    if (stopped) {
        //  Else the thread may still use them: they go with the process
        backlog_destroy (&self->backlog);
        peers_destroy (&self->peers);
        room_destroy (&self->room);
        channels_destroy (&self->channels);
        known_destroy (&self->known);
        forward_destroy (&self->forward);
    }
    term_set_log (NULL);
    return stopped;
}

//  Start the main thread's sockets and the subscriber thread. Exits on a failure (startup).
static void
s_start (chat_t *self)
{
    const options_t *options = &self->options;
    self->publisher =
        publisher_new (options->port, self->lock, self->identity, options->nick, options->plain);
    if (!self->publisher) {
        const char *why = zmq_strerror (zmq_errno ());
        s_destroy (self); //  closes the sockets, so czmq has no dangling ones to report
        if (options->port)
            errx (2, _ ("port %d is taken or cannot be used: %s"), options->port, why);
        errx (1, _ ("no free port from %d up: %s"), PORT_DEFAULT, why);
    }
    self->answers = answers_new (self->publisher, self->backlog);
    self->private = private_new (self->publisher);
    self->presence = presence_new (self->publisher, self->channels, self->room);
    if (!self->answers || !self->private || !self->presence)
        errx (1, "out of memory");
    self->subscriber =
        subscriber_new (self->channels, self->peers, self->room, self->backlog, self->lock,
                        self->identity, self->known, publisher_port (self->publisher),
                        (size_t) options->history_lines, self->forward, options->back_port);
    if (self->subscriber)
        presence_set_back_port (self->presence, subscriber_back_port (self->subscriber));
    presence_set_relay (self->presence, options->relay);
}

//  Hand the terminal (or the pipe) to the input, and start the command runner.
static void
s_start_input (chat_t *self)
{
    const options_t *options = &self->options;
    //  A program that reads JSON types nothing: no readline, even on a terminal
    self->input = input_new (isatty (STDIN_FILENO) && !options->json, !options->no_history,
                             self->channels, self->peers, self->room, s_on_line, self);
    commands_context_t context = {.channels = self->channels,
                                  .peers = self->peers,
                                  .room = self->room,
                                  .publisher = self->publisher,
                                  .answers = self->answers,
                                  .private = self->private,
                                  .presence = self->presence,
                                  .known = self->known,
                                  .input = self->input,
                                  .program = options->program,
                                  .locked = roomlock_locked (self->lock),
                                  .room_key = roomlock_public_key (self->lock)};
    self->commands = self->input ? commands_new (&context) : NULL;
    if (!self->commands)
        errx (1, "out of memory");
}

int
main (int argc, char **argv)
{
    i18n_init ();
    static chat_t chat;
    chat_t *self = &chat;
    char error[OPTIONS_ERROR_MAX_BYTES];
    options_result_t parsed = options_parse (&self->options, argc, argv, error, sizeof error);
    if (parsed == OPTIONS_BAD) {
        fprintf (stderr, "%s: %s\n", self->options.program, error);
        return 2;
    }
    if (parsed == OPTIONS_HELP || parsed == OPTIONS_VERSION) {
        (parsed == OPTIONS_HELP ? options_usage : options_version) (&self->options, stdout);
        return 0;
    }
    term_set_debug (self->options.verbose);
    term_set_journal (self->options.relay); //  a relay logs for systemd's journal
    term_set_json (self->options.json);     //  a program reads what is shown
    term_set_color (options_color (&self->options));
    if (self->options.web_port)
        return web_run (&self->options); //  a member per browser tab, none of its own
    //  czmq must not take SIGINT from readline and us
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL); //  czmq's own log lines must not land among the chat lines
    s_catch_signals ();
    s_start_tables (self);
    s_start (self);
    int status = self->subscriber ? 0 : 1;
    if (status == 0) {
        banner_t banner = {self->identity,      self->options.identity,
                           self->options.nick,  self->publisher,
                           self->channels,      self->lock,
                           self->options.relay, subscriber_back_port (self->subscriber)};
        banner_print (&banner);
        if (self->options.json)
            banner_json (&banner);
        s_start_input (self);
        for (int i = 0; i < self->options.connect_count; i++)
            commands_listen_to (self->commands, &self->options.connect[i]);
        s_discovery_start (self);
        s_update_prompt (self);
        if (self->options.connect_count > 0 && !self->options.relay && !self->options.plain)
            self->hold_until_ms = zclock_mono () + FIRST_LINES_HOLD_MS;
        s_run (self);
    }
    if (!s_destroy (self)) {
        //  Leave without czmq's exit handler, which would end its context and wait for ever
        fflush (NULL);
        _exit (status);
    }
    return status;
}
