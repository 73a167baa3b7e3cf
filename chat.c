/*  chat.c - main: options, the banner, the readline loop and the PUB socket.

    The main thread owns the XPUB socket and readline. It polls stdin, a signal pipe and the
    XPUB socket (whose incoming messages are the subscriptions of the peers who listen to us) in
    one zmq_poll loop; the subscriber thread (channels.c) prints what others say.
*/
#include "i18n.h"
#include "address.h"
#include "backlog.h"
#include "channels.h"
#include "limits.h"
#include "commands.h"
#include "complete.h"
#include "control.h"
#include "discovery.h"
#include "history.h"
#include "monitor.h"
#include "outbox.h"
#include "peers.h"
#include "resend.h"
#include "room.h"
#include "roomkey.h"
#include "term.h"
#include "text.h"
#include "wire.h"

#include <czmq.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <readline/history.h>
#include <readline/readline.h>

#define LINGER_MS 2000          // leaving waits this long at most for sent lines to go out
#define INPUT_QUEUE_MAX 64      // typed lines waiting to be handled
#define CONNECT_MAX 64          // --connect options at most
#define RECEIPTS_MAX 64         // private messages awaiting a receipt at most
#define RECEIPT_RESEND_MS 2000  // a private message without a receipt is sent once more after this
#define RECEIPT_WAIT_MS 5000    // ... and given up after this
#define REFUSED_NOTICE_MS 60000 // a refused connection is told once in this time at most
#define ANSWER_GAP_MS 500       // a requester gets one resend or history answer in this time
#define ANSWERS_PER_SECOND 32   // ... and all requesters together this many a second
#define ANSWERED_MAX 32         // requesters remembered for that
#define CHAT_VERSION "0.1.0"    // what --version and the banner say
#define ZAP_ENDPOINT "inproc://zeromq.zap.01" // where libzmq asks who may connect (RFC 27)

//  Options from the command line
typedef struct {
    int port;                         //  port to listen on, or 0 for the default
    char nick[NAME_MAX_BYTES + 1];    //  our nick
    char channel[NAME_MAX_BYTES + 1]; //  channel to write to first
    address_t connect[CONNECT_MAX];   //  peers to connect to at start, resolved
    int connect_count;                //  how many
    bool plain;                       //  send one-frame course messages only
    bool verbose;                     //  show what happens on the wire
    bool no_discovery;                //  no LAN discovery (--no-discovery, CHAT_NO_DISCOVERY)
    bool no_history;                  //  keep no input history on disk
    int color;                        //  COLOR_AUTO, COLOR_ALWAYS or COLOR_NEVER
    int history_lines;                //  lines of room history per channel (--history)
    const char *log;                  //  transcript file (--log), or NULL
    const char *key;                  //  room passphrase (--key, CHAT_KEY), "-" to ask, or NULL
} options_t;

//  A private message waiting for its receipt
typedef struct {
    uint64_t number;               //  its number (0: slot free)
    uint8_t to[WIRE_SENDER_BYTES]; //  the recipient's id
    char name[NAME_MAX_BYTES + 8]; //  ... and name, for the notices
    char text[TEXT_MAX_BYTES + 1]; //  the text, to send it once more
    int64_t sent_ms;               //  when it was first sent
    bool resent;                   //  sent a second time already
} receipt_t;

enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

//  Everything the main loop needs
typedef struct {
    options_t options;                  //  what the user asked for
    bool interactive;                   //  stdin is a terminal: readline, prompt
    zsock_t *publisher;                 //  our XPUB socket
    zsock_t *publisher_events;          //  PAIR receiving the XPUB socket's monitor events
    discovery_t *discovery;             //  LAN discovery, or NULL
    int port;                           //  the port it listens on
    channels_t *channels;               //  channel table (shared with the subscriber thread)
    peers_t *peers;                     //  peer list (shared with the subscriber thread)
    room_t *room;                       //  members of the room (shared with it too)
    int64_t next_beat_ms;               //  when our next heartbeat is due
    channels_listener_t *listener;      //  the subscriber thread
    commands_t *commands;               //  command runner
    uint8_t self_id[WIRE_SENDER_BYTES]; //  our random sender id
    uint64_t seq;                       //  last sequence number sent
    outbox_t *outbox;                   //  what waits for room in the listeners' queues
    resend_t *resend;                   //  our recent lines, for those who lost some
    backlog_t *backlog;                 //  the room's recent lines, for those who join later
    roomkey_t key;                      //  the room's key, when locked
    bool locked;                        //  the room is locked (--key)
    zsock_t *zap;                       //  ZAP handler: admits only the room's key, when locked
    int64_t refused_told_ms;            //  when a refused connection was last told
    receipt_t receipts[RECEIPTS_MAX];   //  private messages awaiting a receipt
    uint8_t answered[ANSWERED_MAX][WIRE_SENDER_BYTES];  //  requesters answered lately
    int64_t answered_ms[ANSWERED_MAX];                  //  ... when
    control_request_kind_t answered_kind[ANSWERED_MAX]; //  ... and what they asked for
    int64_t answers_window_ms;                          //  start of the current second of answers
    int answers_in_window;                              //  answers sent in it
    uint64_t private_number;                            //  number of the last private message sent
    int listeners;                                      //  peers subscribed to us
    bool told_nobody_listens;                           //  the "nobody hears you" hint was shown
    bool quit;                                          //  leave the loop
    char *typed[INPUT_QUEUE_MAX];     //  lines readline handed us, to handle after the lock
    unsigned long typed_mark;         //  lines written when the last one was typed
    int history_added;                //  lines added to the history in this run
    int typed_count;                  //  how many
    char pending[TEXT_MAX_BYTES + 2]; //  pipe mode: the partial line read so far
    size_t pending_size;              //  its size
    bool pending_too_long;            //  the current pipe-mode line overflowed
} chat_t;

static const char *s_program = "chat";  //  the name we were started as (chatt when installed)
static chat_t *s_chat;                  //  for the readline handler, which takes no argument
static int s_signal_pipe[2] = {-1, -1}; //  signal handler writes the signal number here

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

//  Print usage and exit with status.
static void
s_usage (int status)
{
    FILE *out = status ? stderr : stdout;
    fprintf (out,
             _ ("Usage: %s [OPTION]... [PORT]\n"
                "A peer-to-peer chat in the terminal, with no server.\n"
                "\n"
                "  -p, --port PORT          listen on PORT (default %d, or the next free one)\n"
                "  -n, --nick NICK          your name (default $USER)\n"
                "  -c, --connect HOST:PORT  listen to the chat at HOST:PORT (or PORT on this\n"
                "                           machine); may be repeated\n"
                "      --channel CHANNEL    write to CHANNEL first (default %s)\n"
                "      --plain              send only the course's one-frame messages\n"
                "      --verbose            show what happens on the wire (\\debug on|off)\n"
                "      --no-discovery       do not find chats on the LAN by UDP broadcast\n"
                "      --no-history         keep no input history on disk\n"
                "      --color=WHEN         colour: auto (default), always or never\n"
                "      --history N          show N lines of each channel's history on joining\n"
                "                           (default %d, 0 for none)\n"
                "      --log FILE           append what you see to FILE, with times\n"
                "      --key PASSPHRASE     lock the room: encrypt everything, admit only those\n"
                "                           with the passphrase (- asks for it; or CHAT_KEY)\n"
                "  -h, --help               show this help and exit\n"
                "      --version            show the version and exit\n"
                "\n"
                "Type \\help in the chat for its commands. Without a terminal on stdin each line\n"
                "read is a message, and the lines others write are printed one per line.\n"),
             s_program, PORT_DEFAULT, CHANNEL_DEFAULT, BACKLOG_LINES_DEFAULT);
    exit (status);
}

//  Report a bad option (fmt takes one string: the offending value, made safe here) and exit
//  with status 2.
static void s_bad_option (const char *fmt, const char *value) __attribute__ ((noreturn));
static void
s_bad_option (const char *fmt, const char *value)
{
    char safe[256], message[512];
    text_sanitize (value, strlen (value), safe, sizeof safe);
    //  fmt comes from this file only, through gettext, and holds exactly one %s
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf (message, sizeof message, fmt, safe);
#pragma GCC diagnostic pop
    fprintf (stderr, "%s: %s", s_program, message);
    fprintf (stderr, _ (" (%s --help shows the options)\n"), s_program);
    exit (2);
}

//  Default nick: $USER, or the login name, made valid.
static void
s_default_nick (char *nick, size_t size)
{
    const char *user = getenv ("USER");
    if (!user || !*user) {
        struct passwd *entry = getpwuid (getuid ());
        user = entry ? entry->pw_name : "anonym";
    }
    snprintf (nick, size, "%s", user);
    //  Replace what a nick may not hold, so any login name works
    for (char *c = nick; *c; c++)
        if (!wire_nick_valid (c, 1) && (unsigned char) *c < 0x80)
            *c = '_';
    if (!wire_nick_valid (nick, strlen (nick)))
        snprintf (nick, size, "anonym");
}

//  Parse the command line into options; exits with status 2 on a mistake.
static void
s_parse_options (int argc, char **argv, options_t *options)
{
    enum {
        OPT_CHANNEL = 256,
        OPT_PLAIN,
        OPT_VERSION,
        OPT_VERBOSE,
        OPT_NO_DISCOVERY,
        OPT_NO_HISTORY,
        OPT_COLOR,
        OPT_HISTORY,
        OPT_LOG,
        OPT_KEY
    };
    static const struct option longs[] = {{"port", required_argument, NULL, 'p'},
                                          {"nick", required_argument, NULL, 'n'},
                                          {"connect", required_argument, NULL, 'c'},
                                          {"channel", required_argument, NULL, OPT_CHANNEL},
                                          {"plain", no_argument, NULL, OPT_PLAIN},
                                          {"help", no_argument, NULL, 'h'},
                                          {"version", no_argument, NULL, OPT_VERSION},
                                          {"verbose", no_argument, NULL, OPT_VERBOSE},
                                          {"no-discovery", no_argument, NULL, OPT_NO_DISCOVERY},
                                          {"no-history", no_argument, NULL, OPT_NO_HISTORY},
                                          {"color", required_argument, NULL, OPT_COLOR},
                                          {"history", required_argument, NULL, OPT_HISTORY},
                                          {"log", required_argument, NULL, OPT_LOG},
                                          {"key", required_argument, NULL, OPT_KEY},
                                          {NULL, 0, NULL, 0}};
    s_default_nick (options->nick, sizeof options->nick);
    const char *no_discovery = getenv ("CHAT_NO_DISCOVERY");
    options->no_discovery = no_discovery && *no_discovery && !streq (no_discovery, "0");
    snprintf (options->channel, sizeof options->channel, "%s", CHANNEL_DEFAULT);
    options->history_lines = BACKLOG_LINES_DEFAULT;
    const char *key = getenv ("CHAT_KEY"); //  keeps the passphrase out of ps
    options->key = key && *key ? key : NULL;
    opterr = 0;
    int option;
    while ((option = getopt_long (argc, argv, ":p:n:c:h", longs, NULL)) != -1) {
        switch (option) {
        case 'p':
            options->port = address_port_parse (optarg);
            if (options->port < 0)
                s_bad_option (_ ("bad port \"%s\": use a number from 1 to 65535"), optarg);
            break;
        case 'n':
            if (!wire_nick_valid (optarg, strlen (optarg)))
                s_bad_option (_ ("bad nick \"%s\": use 1-32 letters, digits, '.', '-' or '_'"),
                              optarg);
            snprintf (options->nick, sizeof options->nick, "%s", optarg);
            break;
        case 'c': {
            const char *why;
            if (options->connect_count == CONNECT_MAX)
                s_bad_option (_ ("too many --connect options (at most 64): %s"), optarg);
            if (address_lookup (optarg, &options->connect[options->connect_count], &why)) {
                char safe[256];
                text_sanitize (optarg, strlen (optarg), safe, sizeof safe);
                fprintf (stderr, "%s: ", s_program);
                fprintf (stderr, _ ("cannot connect to %s: %s"), safe, _ (why));
                fputc ('\n', stderr);
                exit (2);
            }
            options->connect_count++;
            break;
        }
        case OPT_CHANNEL:
            if (!wire_channel_valid (optarg, strlen (optarg)))
                s_bad_option (_ ("bad channel name \"%s\": use 1-32 letters, digits, '-' or '_'"),
                              optarg);
            snprintf (options->channel, sizeof options->channel, "%s", optarg);
            break;
        case OPT_PLAIN:
            options->plain = true;
            break;
        case OPT_VERBOSE:
            options->verbose = true;
            break;
        case OPT_NO_DISCOVERY:
            options->no_discovery = true;
            break;
        case OPT_NO_HISTORY:
            options->no_history = true;
            break;
        case OPT_COLOR:
            if (streq (optarg, "auto"))
                options->color = COLOR_AUTO;
            else if (streq (optarg, "always"))
                options->color = COLOR_ALWAYS;
            else if (streq (optarg, "never"))
                options->color = COLOR_NEVER;
            else
                s_bad_option (_ ("bad --color \"%s\": use auto, always or never"), optarg);
            break;
        case OPT_HISTORY: {
            char *end;
            long lines = strtol (optarg, &end, 10);
            if (!*optarg || *end || lines < 0 || lines > BACKLOG_LINES_MAX)
                s_bad_option (_ ("bad --history \"%s\": use a number from 0 to 1000"), optarg);
            options->history_lines = (int) lines;
            break;
        }
        case OPT_LOG:
            if (!*optarg)
                s_bad_option (_ ("bad --log \"%s\": name a file"), optarg);
            options->log = optarg;
            break;
        case OPT_KEY:
            if (!*optarg)
                s_bad_option (_ ("bad --key \"%s\": give a passphrase, or - to be asked"), optarg);
            options->key = optarg;
            break;
        case 'h':
            s_usage (0);
            break;
        case OPT_VERSION:
            printf ("%s %s\n", s_program, CHAT_VERSION);
            exit (0);
        case ':':
            s_bad_option (_ ("option %s needs a value"), argv[optind - 1]);
            break;
        default:
            s_bad_option (_ ("unknown option %s"), argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (options->port || optind + 1 < argc)
            s_bad_option (_ ("unexpected argument \"%s\""), argv[optind + (options->port ? 0 : 1)]);
        options->port = address_port_parse (argv[optind]);
        if (options->port < 0)
            s_bad_option (_ ("bad port \"%s\": use a number from 1 to 65535"), argv[optind]);
    }
}

//  Current time in milliseconds since the Unix epoch.
static uint64_t
s_now_ms (void)
{
    return (uint64_t) zclock_time ();
}

static int s_meta (chat_t *self, uint64_t seq, uint8_t *out, size_t outsize);
static void s_meta_fill (chat_t *self, uint64_t seq, wire_meta_t *meta);

//  True when text (size bytes) may be sent: not over TEXT_MAX_BYTES, valid UTF-8. Else prints
//  one line saying why.
static bool
s_sendable (const char *text, size_t size)
{
    if (size > TEXT_MAX_BYTES) {
        term_error (_ ("line too long (%zu bytes, at most %d): not sent"), size, TEXT_MAX_BYTES);
        return false;
    }
    if (!text_utf8_valid (text, size)) {
        term_error (_ ("line is not valid UTF-8: not sent"));
        return false;
    }
    return true;
}

//  Describe a line we send for the view of the wire. seq is 0 when no metadata goes with it.
static void
s_debug_sent (const char *line, size_t size, uint64_t seq)
{
    char safe[SANITIZED_MAX_BYTES];
    text_sanitize (line, size, safe, sizeof safe);
    if (seq)
        term_debug (_ ("PUB sends \"%s\" + metadata (seq %" PRIu64 ")"), safe, seq);
    else
        term_debug (_ ("PUB sends \"%s\" (one frame, --plain)"), safe);
}

//  Send text to the current channel: frame 1 in the course's format, frame 2 our metadata.
//  Returns 0, or -1 (after one error line, or silently for an empty line) if nothing was sent.
static int
s_send (chat_t *self, const char *text)
{
    size_t text_size = strlen (text);
    if (text_size == 0 || !s_sendable (text, text_size))
        return -1;
    char channel[NAME_MAX_BYTES + 1], line[FRAME_MAX_BYTES];
    channels_current (self->channels, channel, sizeof channel);
    int line_size = wire_encode_line (line, sizeof line, channel, text, text_size);
    if (line_size < 0)
        return -1;
    uint8_t meta_frame[WIRE_META_MAX_BYTES];
    int meta_size = 0;
    if (!self->options.plain) {
        wire_meta_t meta;
        s_meta_fill (self, self->seq + 1, &meta);
        meta_size = wire_encode_meta (meta_frame, sizeof meta_frame, &meta);
        if (meta_size < 0)
            return -1;
        self->seq++;
        //  Kept to repair others' gaps, and as history for those who join later
        resend_add (self->resend, self->seq, line, (size_t) line_size, meta_frame,
                    (size_t) meta_size);
        backlog_keep (self->backlog, line, (size_t) line_size, meta_frame, (size_t) meta_size,
                      channel, &meta);
    }
    if (term_debug_on ())
        s_debug_sent (line, (size_t) line_size, self->options.plain ? 0 : self->seq);
    const void *frames[] = {line, meta_frame};
    size_t sizes[] = {(size_t) line_size, (size_t) meta_size};
    //  Our own lines always wait for room rather than be dropped
    outbox_send (self->outbox, frames, sizes, self->options.plain ? 1 : 2, false, zclock_mono ());
    if (self->options.log) {
        //  The transcript has what the user saw, and a terminal shows one's own lines too
        char own[LINE_MAX_BYTES];
        channels_format (own, sizeof own, time (NULL), channel, self->options.nick, text, text_size,
                         false);
        term_log (own);
    }
    if (self->listeners == 0 && !self->told_nobody_listens) {
        self->told_nobody_listens = true;
        term_notice (_ ("nobody listens to you yet: others must \\connect to port %d"), self->port);
    }
    return 0;
}

//  Show the line we just sent as the others see it, dimmed, in place of readline's echo of it
//  (the prompt and the text as typed). Only with colour: it rewrites the screen with cursor
//  movements.
static void
s_show_own (chat_t *self, const char *typed, const char *text)
{
    char channel[NAME_MAX_BYTES + 1], line[LINE_MAX_BYTES];
    channels_current (self->channels, channel, sizeof channel);
    channels_format (line, sizeof line, time (NULL), channel, self->options.nick, text,
                     strlen (text), false);
    term_replace_echo (self->typed_mark, typed, line);
}

//  Build the prompt for the current channel, or the pending question.
static void
s_update_prompt (chat_t *self)
{
    if (!self->interactive)
        return;
    char prompt[NAME_MAX_BYTES * 2 + 64], channel[NAME_MAX_BYTES + 1];
    const char *question = commands_question (self->commands);
    channels_current (self->channels, channel, sizeof channel);
    //  "[buddy · 3] anna> ": the channel, how many hear you, and who you are; readline must
    //  be told where the colour codes are (\001 ... \002), or it miscounts the width
    if (term_color_on ())
        snprintf (prompt, sizeof prompt, "[%s \xC2\xB7 %d] \001\033[%sm\002%s\001\033[0m\002> ",
                  channel, self->listeners, channels_nick_color (self->options.nick),
                  self->options.nick);
    else
        snprintf (prompt, sizeof prompt, "[%s \xC2\xB7 %d] %s> ", channel, self->listeners,
                  self->options.nick);
    term_lock ();
    rl_set_prompt (question ? question : prompt);
    rl_redisplay ();
    term_unlock ();
}

//  Send a private message (frames: the recipient's private topic, its kind, the text, our
//  metadata with the message's number) for receipt. Returns 0, or -1 if not sent.
static int
s_send_private_frames (chat_t *self, const receipt_t *receipt)
{
    char topic[CONTROL_PRIVATE_BYTES + 1];
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = s_meta (self, receipt->number, meta, sizeof meta);
    if (meta_size < 0 || control_encode_private (topic, sizeof topic, receipt->to) < 0)
        return -1;
    const void *frames[] = {topic, CONTROL_KIND_MESSAGE, receipt->text, meta};
    size_t sizes[] = {CONTROL_PRIVATE_BYTES, strlen (CONTROL_KIND_MESSAGE), strlen (receipt->text),
                      (size_t) meta_size};
    return outbox_send (self->outbox, frames, sizes, 4, false, zclock_mono ());
}

//  \msg: send text to the member commands_private_to names, and wait for its receipt.
static void
s_send_private (chat_t *self, const char *text)
{
    size_t text_size = strlen (text);
    if (!s_sendable (text, text_size))
        return;
    receipt_t *receipt = NULL;
    for (size_t i = 0; i < RECEIPTS_MAX && !receipt; i++)
        if (self->receipts[i].number == 0)
            receipt = &self->receipts[i];
    if (!receipt) {
        term_error (_ ("too many private messages are waiting for a receipt: not sent"));
        return;
    }
    commands_private_to (self->commands, receipt->to, receipt->name, sizeof receipt->name);
    snprintf (receipt->text, sizeof receipt->text, "%s", text);
    receipt->number = ++self->private_number;
    receipt->sent_ms = zclock_mono ();
    receipt->resent = false;
    if (s_send_private_frames (self, receipt)) {
        receipt->number = 0;
        term_error (_ ("could not send: %s"), zmq_strerror (zmq_errno ()));
    } else if (self->options.log) {
        //  The transcript has what the user typed, as the recipient sees it, and to whom
        char own[LINE_MAX_BYTES], logged[LINE_MAX_BYTES + 2 * NAME_MAX_BYTES], label[64];
        channels_format (own, sizeof own, time (NULL), NULL, self->options.nick, text, text_size,
                         false);
        //  "12:03 (private) <anna> hej" becomes "12:03 (private -> bertil) <anna> hej"
        snprintf (label, sizeof label, "(%s)", _ ("private"));
        char *at = strstr (own, label);
        if (at)
            snprintf (logged, sizeof logged, "%.*s(%s -> %s)%s", (int) (at - own), own,
                      _ ("private"), receipt->name, at + strlen (label));
        term_log (at ? logged : own);
    }
}

//  Private messages without a receipt: send once more after RECEIPT_RESEND_MS, give up after
//  RECEIPT_WAIT_MS. Returns true while some still wait.
static bool
s_check_receipts (chat_t *self)
{
    bool waiting = false;
    int64_t now = zclock_mono ();
    for (size_t i = 0; i < RECEIPTS_MAX; i++) {
        receipt_t *receipt = &self->receipts[i];
        if (receipt->number == 0)
            continue;
        if (now - receipt->sent_ms >= RECEIPT_WAIT_MS) {
            term_error (_ ("your message to %s was not delivered (no receipt within %d s)"),
                        receipt->name, RECEIPT_WAIT_MS / 1000);
            receipt->number = 0;
            continue;
        }
        if (!receipt->resent && now - receipt->sent_ms >= RECEIPT_RESEND_MS) {
            receipt->resent = true;
            s_send_private_frames (self, receipt);
        }
        waiting = true;
    }
    return waiting;
}

//  Handle one complete line typed or read from the pipe.
static void
s_handle_line (chat_t *self, const char *line)
{
    const char *text = NULL;
    commands_result_t result = commands_handle (self->commands, line, &text);
    if (result == COMMANDS_QUIT)
        self->quit = true;
    else if (result == COMMANDS_SEND && s_send (self, text) == 0 && self->interactive &&
             term_color_on ())
        s_show_own (self, line, text);
    else if (result == COMMANDS_PRIVATE)
        s_send_private (self, text);
    else if (result == COMMANDS_NICK) {
        snprintf (self->options.nick, sizeof self->options.nick, "%s", text);
        room_set_own_nick (self->room, self->options.nick);
        self->next_beat_ms = 0; //  the others learn the new nick at once
        term_notice (_ ("you are now %s"), self->options.nick);
    }
    s_update_prompt (self);
}

//  Readline's line handler: queue the line (the terminal lock is held here). NULL is Ctrl-D.
static void
s_on_readline (char *line)
{
    chat_t *self = s_chat;
    if (!line) {
        self->quit = true;
        return;
    }
    if (*line && !commands_question (self->commands)) {
        add_history (line);
        self->history_added++;
    }
    self->typed_mark = term_lines_written ();
    if (self->typed_count < INPUT_QUEUE_MAX)
        self->typed[self->typed_count++] = line;
    else
        free (line);
}

//  Read what stdin has in pipe mode and handle each complete line. Sets quit at end of input.
static void
s_read_pipe (chat_t *self)
{
    char chunk[4096];
    ssize_t size = read (STDIN_FILENO, chunk, sizeof chunk);
    if (size < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (size <= 0) {
        //  End of input: a last line without a newline still counts
        if (self->pending_size > 0 && !self->pending_too_long) {
            self->pending[self->pending_size] = 0;
            s_handle_line (self, self->pending);
        }
        self->quit = true;
        return;
    }
    const char *next = chunk, *end = chunk + size;
    while (next < end && !self->quit) {
        //  The piece up to the next newline (or the end of the chunk) joins what is pending
        const char *newline = memchr (next, '\n', (size_t) (end - next));
        size_t piece = (size_t) ((newline ? newline : end) - next);
        size_t room = TEXT_MAX_BYTES + 1 - self->pending_size;
        if (piece > room)
            self->pending_too_long = true;
        memcpy (self->pending + self->pending_size, next, piece < room ? piece : room);
        self->pending_size += piece < room ? piece : room;
        next += piece;
        if (!newline)
            break;
        next++;
        if (self->pending_too_long)
            term_error (_ ("line too long (more than %d bytes): not sent"), TEXT_MAX_BYTES);
        else {
            if (self->pending_size > 0 && self->pending[self->pending_size - 1] == '\r')
                self->pending_size--;
            self->pending[self->pending_size] = 0;
            s_handle_line (self, self->pending);
        }
        self->pending_size = 0;
        self->pending_too_long = false;
    }
}

//  A chat at ip listens to us from port: listen to it too, so that one \connect is enough.
static void
s_connect_back (chat_t *self, const char *ip, int port)
{
    address_t address;
    const char *why;
    if (!ip || address_resolve (ip, port, &address, &why))
        return;
    if (peers_add (self->peers, address.endpoint, address.label, true) == 0)
        channels_listener_wake (self->listener);
}

//  Our metadata with seq (0 for control traffic), sent now, into meta.
static void
s_meta_fill (chat_t *self, uint64_t seq, wire_meta_t *meta)
{
    meta->version = WIRE_VERSION;
    meta->seq = seq;
    meta->sent_ms = s_now_ms ();
    memcpy (meta->sender, self->self_id, WIRE_SENDER_BYTES);
    //  options.nick is a valid nick, so it fits
    size_t size = strnlen (self->options.nick, sizeof meta->nick - 1);
    memcpy (meta->nick, self->options.nick, size);
    meta->nick[size] = 0;
}

//  Our metadata frame with seq (0 for control traffic) into out. Returns its size, or -1.
static int
s_meta (chat_t *self, uint64_t seq, uint8_t *out, size_t outsize)
{
    wire_meta_t meta;
    s_meta_fill (self, seq, &meta);
    return wire_encode_meta (out, outsize, &meta);
}

//  Send a control message: topic, our metadata (seq 0), and body. It may be dropped when the
//  outbox is full: heartbeats come again.
static void
s_send_control (chat_t *self, const char *topic, const char *body, size_t body_size)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = s_meta (self, 0, meta, sizeof meta);
    if (meta_size < 0)
        return;
    const void *frames[] = {topic, meta, body};
    size_t sizes[] = {strlen (topic), (size_t) meta_size, body_size};
    outbox_send (self->outbox, frames, sizes, 3, true, zclock_mono ());
}

//  What an answer to a request needs: where it goes, and what kind of message it is
typedef struct {
    chat_t *chat;                          //  the chat answering
    char topic[CONTROL_PRIVATE_BYTES + 1]; //  the requester's private topic
    const char *kind;                      //  CONTROL_KIND_LINE or CONTROL_KIND_HISTORY
    bool full;                             //  the outbox was full: the rest is not sent
} answer_t;

//  Send one line (its two frames) to the requester of answer, as a resent line or history.
static void
s_answer_line (const void *line, size_t line_size, const void *meta, size_t meta_size, void *arg)
{
    answer_t *answer = arg;
    if (answer->full)
        return;
    const void *frames[] = {answer->topic, answer->kind, line, meta};
    size_t sizes[] = {CONTROL_PRIVATE_BYTES, strlen (answer->kind), line_size, meta_size};
    answer->full = outbox_send (answer->chat->outbox, frames, sizes, 4, true, zclock_mono ()) != 0;
}

//  Send the requester of answer a message of kind with our metadata carrying seq.
static void
s_answer_meta (answer_t *answer, const char *kind, uint64_t seq)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    int meta_size = s_meta (answer->chat, seq, meta, sizeof meta);
    if (meta_size < 0)
        return;
    const void *frames[] = {answer->topic, kind, meta};
    size_t sizes[] = {CONTROL_PRIVATE_BYTES, strlen (kind), (size_t) meta_size};
    outbox_send (answer->chat->outbox, frames, sizes, 3, true, zclock_mono ());
}

//  A peer lost some of our lines: resend them from seq from, only to it; first say which are
//  gone for good, if some are.
static void
s_answer_resend (chat_t *self, const control_request_t *request)
{
    answer_t answer = {.chat = self, .kind = CONTROL_KIND_LINE};
    control_encode_private (answer.topic, sizeof answer.topic, request->requester);
    if (request->number > self->seq)
        return; //  nothing sent from there yet
    //  Look up the first line still held before sending any, so "gone" goes ahead of them
    uint64_t first = resend_serve (self->resend, request->number, NULL, NULL);
    if (first != request->number)
        s_answer_meta (&answer, CONTROL_KIND_GONE, first ? first : self->seq + 1);
    resend_serve (self->resend, request->number, s_answer_line, &answer);
    if (term_debug_on ())
        term_debug (_ ("PUB resends our lines from seq %" PRIu64 " to a peer that lost them"),
                    request->number);
}

//  A peer joined: send it the room's recent history, only to it, then say it is complete.
static void
s_answer_history (chat_t *self, const control_request_t *request)
{
    answer_t answer = {.chat = self, .kind = CONTROL_KIND_HISTORY};
    control_encode_private (answer.topic, sizeof answer.topic, request->requester);
    size_t lines =
        request->number < BACKLOG_LINES_MAX ? (size_t) request->number : BACKLOG_LINES_MAX;
    size_t served = backlog_serve (self->backlog, lines, s_answer_line, &answer);
    s_answer_meta (&answer, CONTROL_KIND_HISTORY_END, served);
    if (term_debug_on ())
        term_debug (_ ("PUB sends %zu lines of history to a peer that joined"), served);
}

//  Send our heartbeat when it is due: where we listen, the channel we write to, and the
//  members we hear, so that whoever hears us can connect to all of them.
static void
s_beat (chat_t *self)
{
    if (zclock_mono () < self->next_beat_ms)
        return;
    self->next_beat_ms = zclock_mono () + BEAT_INTERVAL_MS;
    static control_beat_t beat; //  main thread only; large
    static char body[CONTROL_BODY_MAX_BYTES];
    beat.port = self->port;
    beat.last_seq = self->seq;
    channels_current (self->channels, beat.channel, sizeof beat.channel);
    beat.peer_count = room_list (self->room, beat.peers, CONTROL_PEERS_MAX);
    int size = control_encode_beat (body, sizeof body, &beat);
    if (size > 0)
        s_send_control (self, CONTROL_BEAT, body, (size_t) size);
}

//  Start LAN discovery (unless --no-discovery); and a second chat on this machine, pushed off
//  the default port, finds the one holding it (no broadcast needed, so always).
static void
s_discovery_start (chat_t *self)
{
    if (!self->options.port && self->port != PORT_DEFAULT)
        s_connect_back (self, "127.0.0.1", PORT_DEFAULT);
    if (!self->options.no_discovery)
        self->discovery = discovery_start (self->port, self->self_id, self->locked);
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
        s_connect_back (self, ip, port);
}

//  Show a subscription in the view of the wire. The one-byte subscriptions that together mean
//  "every channel" are shown as one line.
static void
s_debug_subscription (const uint8_t *data, size_t size, const char *address)
{
    if (size == 2 && data[1] != '0')
        return; //  '0' is the first of them, in the order a SUB socket sends them
    char safe[4 * NAME_MAX_BYTES + 8];
    text_sanitize ((const char *) data + 1, size - 1 > NAME_MAX_BYTES ? NAME_MAX_BYTES : size - 1,
                   safe, sizeof safe);
    if (size == 2)
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to every channel")
                                 : _ ("PUB %s unsubscribes from every channel"),
                    address);
    else if (size == 1)
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to everything")
                                 : _ ("PUB %s unsubscribes from everything"),
                    address);
    else
        term_debug (data[0] == 1 ? _ ("PUB %s subscribes to \"%s\"")
                                 : _ ("PUB %s unsubscribes from \"%s\""),
                    address, safe);
}

//  True when request may be answered now. One subscription can ask for thousands of lines, so
//  a peer repeating it (or varying its requester id) must not turn us into an amplifier: a
//  requester is answered once in ANSWER_GAP_MS per kind of request (a real one asks again only
//  after REPAIR_RETRY_MS), all of them ANSWERS_PER_SECOND times a second.
static bool
s_answer_allowed (chat_t *self, const control_request_t *request)
{
    int64_t now = zclock_mono ();
    if (now - self->answers_window_ms >= 1000)
        self->answers_window_ms = now, self->answers_in_window = 0;
    if (self->answers_in_window >= ANSWERS_PER_SECOND)
        return false;
    size_t slot = 0;
    for (size_t i = 0; i < ANSWERED_MAX; i++) {
        if (memcmp (self->answered[i], request->requester, WIRE_SENDER_BYTES) == 0 &&
            self->answered_kind[i] == request->kind) {
            if (self->answered_ms[i] && now - self->answered_ms[i] < ANSWER_GAP_MS)
                return false;
            slot = i;
            break;
        }
        if (self->answered_ms[i] < self->answered_ms[slot])
            slot = i; //  the one answered longest ago makes room
    }
    memcpy (self->answered[slot], request->requester, WIRE_SENDER_BYTES);
    self->answered_kind[slot] = request->kind;
    self->answered_ms[slot] = now;
    self->answers_in_window++;
    return true;
}

//  A request addressed to us, carried by a subscription: resend lines, serve history, or a
//  receipt for a private message.
static void
s_handle_request (chat_t *self, const control_request_t *request)
{
    if (memcmp (request->target, self->self_id, WIRE_SENDER_BYTES) != 0)
        return; //  for another publisher the same subscriber listens to
    if (request->kind != CONTROL_REQUEST_ACK && !s_answer_allowed (self, request))
        return; //  asked again too soon: it is repaired by the answer under way, or hostile
    if (request->kind == CONTROL_REQUEST_RESEND)
        s_answer_resend (self, request);
    else if (request->kind == CONTROL_REQUEST_HISTORY)
        s_answer_history (self, request);
    else
        for (size_t i = 0; i < RECEIPTS_MAX; i++)
            if (self->receipts[i].number == request->number) {
                term_notice (_ ("\xE2\x9C\x93 delivered to %s"), self->receipts[i].name);
                self->receipts[i].number = 0;
            }
}

//  Read the subscriptions that reach our XPUB socket: they tell us who listens, and carry the
//  requests of those who do.
static void
s_read_subscriptions (chat_t *self)
{
    zframe_t *frame;
    int listeners = self->listeners;
    while ((frame = zframe_recv (self->publisher)) != NULL) {
        const uint8_t *data = zframe_data (frame);
        size_t size = zframe_size (frame);
        const char *address = zframe_meta (frame, "Peer-Address");
        address = address ? address_unmapped (address) : NULL;
        if (size == 0 || (data[0] != 0 && data[0] != 1)) {
            zframe_destroy (&frame);
            continue;
        }
        bool subscribe = data[0] == 1;
        const uint8_t *topic = data + 1;
        size_t topic_size = size - 1;
        //  Each topic is decoded once: "~listen PORT", a request, or something else
        control_request_t request;
        int listen_port = topic_size > 1 ? control_decode_listen (topic, topic_size) : -1;
        bool is_request = listen_port <= 0 && topic_size > 1 &&
                          control_decode_request (topic, topic_size, &request) == 0;
        //  A request's unsubscription, which follows it at once, is not worth a line
        if (term_debug_on () && (subscribe || !is_request))
            s_debug_subscription (data, size, address ? address : "?");
        if (listen_port > 0) {
            //  A chat listens to us: count it, connect back, and tell it who is here at once
            self->listeners += subscribe ? 1 : -1;
            if (subscribe) {
                s_connect_back (self, address, listen_port);
                self->next_beat_ms = 0;
            }
        } else if (is_request) {
            if (subscribe)
                s_handle_request (self, &request);
        } else if (topic_size == 0) {
            //  A plain ZeroMQ subscriber to everything (an older chat, a tool) listens too
            self->listeners += subscribe ? 1 : -1;
            if (subscribe)
                self->next_beat_ms = 0;
        } else if (topic_size > 1 && topic[0] != CONTROL_PREFIX[0] &&
                   topic[0] != CONTROL_PRIVATE[0]) {
            //  A course peer subscribes to its channel name, with no '>'
            self->listeners += subscribe ? 1 : -1;
            if (subscribe) {
                char safe[4 * NAME_MAX_BYTES + 8];
                text_sanitize ((const char *) topic,
                               topic_size > NAME_MAX_BYTES ? NAME_MAX_BYTES : topic_size, safe,
                               sizeof safe);
                term_notice (_ ("%s listens to \"%s\"%s"), address ? address : "?", safe,
                             self->options.plain
                                 ? ""
                                 : _ (" (a course peer? it shows our metadata as an extra line: "
                                      "restart with --plain)"));
            }
        }
        if (self->listeners < 0)
            self->listeners = 0;
        zframe_destroy (&frame);
    }
    if (self->listeners != listeners)
        s_update_prompt (self); //  the prompt shows how many hear you
}

//  Bind the XPUB socket: the port asked for, or the first free one from the default.
static int
s_bind (chat_t *self)
{
    self->publisher = zsock_new (ZMQ_XPUB);
    if (!self->publisher)
        return -1;
    zsock_set_linger (self->publisher, LINGER_MS);
    zsock_set_ipv6 (self->publisher, 1);
    zsock_set_xpub_verboser (self->publisher, 1);
    zsock_set_rcvtimeo (self->publisher, 0);
    zsock_set_maxmsgsize (self->publisher, SOCKET_MAXMSGSIZE_BYTES);
    //  Bounded per listener; outbox.h says what happens when a queue is full
    zsock_set_sndhwm (self->publisher, SOCKET_HWM_MESSAGES);
    if (self->locked) {
        //  A locked room: we are its CURVE server, and our ZAP handler admits only clients that
        //  present the room's key; it must be bound before anyone can connect
        self->zap = zsock_new (ZMQ_REP);
        if (!self->zap || zsock_bind (self->zap, ZAP_ENDPOINT) != 0)
            return -1;
        zsock_set_curve_server (self->publisher, 1);
        zsock_set_curve_secretkey_bin (self->publisher, self->key.secret_key);
    }
    //  Watch the socket for the view of the wire: ports tried, connections,
    //  handshakes, breaks
    char events[64];
    snprintf (events, sizeof events, "inproc://pub-events-%p", (void *) self);
    if (zmq_socket_monitor (zsock_resolve (self->publisher), events, ZMQ_EVENT_ALL) == 0)
        self->publisher_events = zsock_new (ZMQ_PAIR);
    if (self->publisher_events && zsock_connect (self->publisher_events, "%s", events) != 0)
        zsock_destroy (&self->publisher_events);
    if (self->options.port)
        self->port = zsock_bind (self->publisher, "tcp://*:%d", self->options.port);
    else
        self->port = zsock_bind (self->publisher, "tcp://*:*[%d-]", PORT_DEFAULT);
    return self->port > 0 ? 0 : -1;
}

//  True when a refused connection may be told now: once in REFUSED_NOTICE_MS at most, so a
//  peer retrying does not fill the screen.
static bool
s_tell_refused (chat_t *self)
{
    int64_t now = zclock_mono ();
    if (self->refused_told_ms && now - self->refused_told_ms < REFUSED_NOTICE_MS)
        return false;
    self->refused_told_ms = now;
    return true;
}

//  Read one event of the XPUB socket: shown when the view of the wire is on; a connection
//  refused for want of the room's key is told (the peer's address is not known here).
static void
s_read_publisher_event (chat_t *self)
{
    uint16_t id;
    uint32_t value;
    char endpoint[ENDPOINT_MAX_BYTES];
    if (monitor_next (self->publisher_events, "PUB", &id, &value, endpoint, sizeof endpoint) ||
        id != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return;
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH && self->locked &&
        s_tell_refused (self))
        term_notice (_ ("refused a chat without the room's key (not told again for a minute)"));
    else if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH && s_tell_refused (self))
        term_notice (
            _ ("a chat of a locked room tried to listen to us: it needs us to have the key "
               "too (--key)"));
    else if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC && self->locked &&
             s_tell_refused (self))
        term_notice (_ ("refused a chat with another key (not told again for a minute)"));
}

//  Answer libzmq's question whether a peer may connect (ZAP, RFC 27): only one that presents
//  the room's public key, which only the passphrase gives.
static void
s_read_zap (chat_t *self)
{
    zmsg_t *request = zmsg_recv (self->zap);
    if (!request)
        return;
    zframe_t *version = zmsg_first (request), *id = zmsg_next (request);
    zmsg_next (request); //  domain
    zframe_t *address = zmsg_next (request);
    zmsg_next (request); //  identity
    zframe_t *mechanism = zmsg_next (request), *client_key = zmsg_next (request);
    bool admit = version && zframe_streq (version, "1.0") && id && mechanism &&
                 zframe_streq (mechanism, "CURVE") && client_key &&
                 zframe_size (client_key) == ROOMKEY_BYTES &&
                 memcmp (zframe_data (client_key), self->key.public_key, ROOMKEY_BYTES) == 0;
    if (!admit && address && s_tell_refused (self)) {
        char raw[ENDPOINT_MAX_BYTES], safe[4 * ENDPOINT_MAX_BYTES];
        snprintf (raw, sizeof raw, "%.*s", (int) zframe_size (address),
                  (const char *) zframe_data (address));
        const char *shown = address_unmapped (raw);
        text_sanitize (shown, strlen (shown), safe, sizeof safe);
        term_notice (_ ("refused %s: it does not have the room's key"), safe);
    }
    zmsg_t *reply = zmsg_new ();
    zmsg_addstr (reply, "1.0");
    zmsg_addmem (reply, id ? zframe_data (id) : NULL, id ? zframe_size (id) : 0);
    zmsg_addstr (reply, admit ? "200" : "400");
    zmsg_addstr (reply, admit ? "OK" : "not the room's key");
    zmsg_addstr (reply, "");
    zmsg_addmem (reply, NULL, 0);
    if (zmsg_send (&reply, self->zap))
        zmsg_destroy (&reply);
    zmsg_destroy (&request);
}

//  Print who we are and where others reach us.
static void
s_banner (chat_t *self)
{
    char addresses[1024], channel[NAME_MAX_BYTES + 1];
    address_local_list (addresses, sizeof addresses);
    channels_current (self->channels, channel, sizeof channel);
    term_notice (_ ("chat %s: you are %s, writing to [%s], listening on port %d"), CHAT_VERSION,
                 self->options.nick, channel, self->port);
    term_notice (_ ("others reach you at: %s (port %d)"), addresses, self->port);
    if (self->locked) {
        char fingerprint[16];
        roomkey_fingerprint (&self->key, fingerprint, sizeof fingerprint);
        term_notice (_ ("the room is locked: only those with its passphrase get in (key %s)"),
                     fingerprint);
    }
    if (self->interactive)
        term_notice (_ ("\\help lists the commands, \\quit leaves"));
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

//  Feed readline what the terminal has, then handle the lines it completed.
static void
s_read_terminal (chat_t *self)
{
    term_lock ();
    rl_callback_read_char ();
    term_unlock ();
    for (int i = 0; i < self->typed_count; i++) {
        if (!self->quit)
            s_handle_line (self, self->typed[i]);
        free (self->typed[i]);
    }
    self->typed_count = 0;
}

//  The main loop: stdin, signals and subscriptions, until the user leaves.
static void
s_run (chat_t *self)
{
    //  stdin, signals and subscriptions always; socket events and beacons when they exist
    zmq_pollitem_t items[7] = {{NULL, STDIN_FILENO, ZMQ_POLLIN, 0},
                               {NULL, s_signal_pipe[0], ZMQ_POLLIN, 0},
                               {zsock_resolve (self->publisher), 0, ZMQ_POLLIN, 0}};
    int count = 3, events = -1, beacons = -1, room = -1, zap = -1;
    //  The XPUB socket's own file descriptor turns readable when libzmq has news for it, among
    //  them "a listener's queue has room again": what the outbox waits for (POLLOUT cannot
    //  say it: an XPUB socket always reports it)
    int publisher_fd = -1;
    size_t fd_size = sizeof publisher_fd;
    if (zmq_getsockopt (zsock_resolve (self->publisher), ZMQ_FD, &publisher_fd, &fd_size) == 0)
        room = count++, items[room] = (zmq_pollitem_t){NULL, publisher_fd, 0, 0};
    if (self->publisher_events) {
        events = count++;
        items[events] = (zmq_pollitem_t){zsock_resolve (self->publisher_events), 0, ZMQ_POLLIN, 0};
    }
    if (self->zap) {
        zap = count++;
        items[zap] = (zmq_pollitem_t){zsock_resolve (self->zap), 0, ZMQ_POLLIN, 0};
    }
    if (self->discovery) {
        beacons = count++;
        items[beacons] = (zmq_pollitem_t){discovery_socket (self->discovery), 0, ZMQ_POLLIN, 0};
    }
    while (!self->quit) {
        s_beat (self);
        //  Lines waiting for room in a listener's queue: pipe mode reads no more input until
        //  they are out, so the sender keeps the pace of its slowest listener (outbox.h)
        bool waiting = !outbox_flush (self->outbox, zclock_mono ());
        bool receipts = s_check_receipts (self);
        long timeout = (long) (self->next_beat_ms - zclock_mono ());
        if (waiting && timeout > OUTBOX_RETRY_MS)
            timeout = OUTBOX_RETRY_MS;
        if (receipts && timeout > RECEIPT_RESEND_MS / 4)
            timeout = RECEIPT_RESEND_MS / 4;
        items[0].events = waiting && !self->interactive ? 0 : ZMQ_POLLIN;
        if (room >= 0)
            items[room].events = waiting ? ZMQ_POLLIN : 0;
        if (zmq_poll (items, count, timeout > 0 ? timeout : 0) < 0) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        if (room >= 0 && (items[room].revents & ZMQ_POLLIN)) {
            //  Have libzmq take in its news now (a send does it only every millisecond or so)
            int ready;
            size_t ready_size = sizeof ready;
            zmq_getsockopt (zsock_resolve (self->publisher), ZMQ_EVENTS, &ready, &ready_size);
        }
        if (items[1].revents & ZMQ_POLLIN)
            s_read_signals (self);
        if (items[2].revents & ZMQ_POLLIN)
            s_read_subscriptions (self);
        if (events >= 0 && (items[events].revents & ZMQ_POLLIN))
            s_read_publisher_event (self);
        if (beacons >= 0 && (items[beacons].revents & ZMQ_POLLIN))
            s_read_beacon (self);
        if (zap >= 0 && (items[zap].revents & ZMQ_POLLIN))
            s_read_zap (self);
        if (!self->quit && (items[0].revents & (ZMQ_POLLIN | ZMQ_POLLERR))) {
            if (self->interactive)
                s_read_terminal (self);
            else
                s_read_pipe (self);
        }
    }
}

//  Stop the subscriber thread, flush what was sent and free everything.
static void
s_destroy (chat_t *self)
{
    discovery_destroy (&self->discovery);
    //  What waits in the outbox goes out first; a stalled listener holds it up at most
    //  OUTBOX_STALL_MS, then loses it (there is nothing to poll for room in libzmq's queues)
    int64_t deadline = zclock_mono () + 2 * OUTBOX_STALL_MS;
    while (self->outbox && !outbox_flush (self->outbox, zclock_mono ()) &&
           zclock_mono () < deadline)
        zclock_sleep (OUTBOX_RETRY_MS);
    if (self->publisher && self->listener && self->outbox)
        s_send_control (self, CONTROL_BYE, "", 0); //  others say "left" at once
    if (self->outbox)
        outbox_flush (self->outbox, zclock_mono ());
    channels_listener_stop (&self->listener);
    commands_destroy (&self->commands);
    if (self->publisher)
        zmq_socket_monitor (zsock_resolve (self->publisher), NULL, 0);
    zsock_destroy (&self->publisher_events);
    outbox_destroy (&self->outbox);
    zsock_destroy (&self->publisher); //  lingers up to LINGER_MS so sent lines leave
    zsock_destroy (&self->zap);
    roomkey_wipe (&self->key);
    zsys_shutdown ();
    resend_destroy (&self->resend);
    backlog_destroy (&self->backlog);
    peers_destroy (&self->peers);
    room_destroy (&self->room);
    channels_destroy (&self->channels);
    free (self);
}

int
main (int argc, char **argv)
{
    if (argc > 0 && argv[0] && *argv[0])
        s_program = strrchr (argv[0], '/') ? strrchr (argv[0], '/') + 1 : argv[0];
    i18n_init ();
    chat_t *self = calloc (1, sizeof *self);
    if (!self)
        err (1, "calloc");
    s_chat = self;
    s_parse_options (argc, argv, &self->options);
    term_set_debug (self->options.verbose);
    //  Colour only on a terminal, unless asked for; NO_COLOR (no-color.org) turns "auto" off
    const char *no_color = getenv ("NO_COLOR"), *term = getenv ("TERM");
    term_set_color (self->options.color == COLOR_ALWAYS ||
                    (self->options.color == COLOR_AUTO && isatty (STDOUT_FILENO) &&
                     isatty (STDIN_FILENO) && !(no_color && *no_color) &&
                     !(term && streq (term, "dumb"))));
    self->interactive = isatty (STDIN_FILENO);

    //  czmq must not take SIGINT from readline and us
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL); //  czmq's own log lines must not land among the chat lines
    s_catch_signals ();
    zuuid_t *uuid = zuuid_new ();
    memcpy (self->self_id, zuuid_data (uuid), WIRE_SENDER_BYTES);
    zuuid_destroy (&uuid);

    self->channels = channels_new (self->options.channel);
    self->room = room_new ();
    if (self->room)
        room_set_own_nick (self->room, self->options.nick);
    self->peers = peers_new ();
    self->resend = resend_new ();
    self->backlog = backlog_new (BACKLOG_LINES_MAX); //  what a joiner asks for is served
    if (!self->channels || !self->peers || !self->room || !self->resend || !self->backlog)
        errx (1, "out of memory");
    if (self->options.log && term_set_log (self->options.log)) {
        char safe[256];
        text_sanitize (self->options.log, strlen (self->options.log), safe, sizeof safe);
        errx (2, _ ("cannot append to the log file %s: %s"), safe, strerror (errno));
    }
    if (self->options.key) {
        char asked[ROOMKEY_PASSPHRASE_MAX_BYTES + 2] = "";
        const char *passphrase = self->options.key;
        if (streq (passphrase, "-")) {
            if (roomkey_ask (_ ("Passphrase of the room: "), asked, sizeof asked) || !*asked)
                errx (2, _ ("no passphrase given"));
            passphrase = asked;
        }
        if (strlen (passphrase) > ROOMKEY_PASSPHRASE_MAX_BYTES)
            errx (2, _ ("the passphrase is too long (at most %d bytes)"),
                  ROOMKEY_PASSPHRASE_MAX_BYTES);
        if (roomkey_derive (passphrase, strlen (passphrase), &self->key))
            errx (1, _ ("cannot derive the room's key (out of memory?)"));
        explicit_bzero (asked, sizeof asked);
        self->locked = true;
    }
    if (s_bind (self)) {
        const char *why = zmq_strerror (zmq_errno ());
        int port = self->options.port;
        s_destroy (self); //  closes the sockets, so czmq has no dangling ones to report
        if (port)
            errx (2, _ ("port %d is taken or cannot be used: %s"), port, why);
        errx (1, _ ("no free port from %d up: %s"), PORT_DEFAULT, why);
    }
    self->outbox = outbox_new (self->publisher);
    if (!self->outbox)
        errx (1, "out of memory");
    self->listener =
        channels_listener_start (self->channels, self->peers, self->room, self->backlog,
                                 (size_t) self->options.history_lines,
                                 self->locked ? &self->key : NULL, self->self_id, self->port);
    self->commands =
        commands_new (self->channels, self->peers, self->room, self->listener, self->port);
    if (self->commands)
        commands_set_invite (self->commands, s_program, self->locked);
    int status = self->listener && self->commands ? 0 : 1;
    if (status == 0)
        s_banner (self);
    for (int i = 0; i < self->options.connect_count && status == 0; i++)
        commands_listen_to (self->commands, &self->options.connect[i]);
    if (status) {
        s_destroy (self);
        return status;
    }
    s_discovery_start (self);
    if (self->interactive) {
        stifle_history (HISTORY_MAX_LINES); //  bounded in memory too, history file or not
        if (!self->options.no_history)
            history_load ();
        term_lock ();
        rl_catch_signals = 0;
        rl_catch_sigwinch = 0;
        complete_install (self->channels, self->peers, self->room);
        rl_callback_handler_install ("", s_on_readline);
        term_set_readline (true);
        term_unlock ();
        s_update_prompt (self);
    }
    s_run (self);
    if (self->interactive) {
        term_lock ();
        term_set_readline (false);
        rl_callback_handler_remove ();
        fputc ('\n', stdout);
        fflush (stdout);
        term_unlock ();
        for (int i = 0; i < self->typed_count; i++)
            free (self->typed[i]);
        if (!self->options.no_history)
            history_save (self->history_added);
        clear_history ();
    }
    s_destroy (self);
    term_set_log (NULL);
    return 0;
}
