/*  commands.c - parsing and running the backslash commands the user types.

    Main thread only. The state commands change lives in channels_t and peers_t, each behind its
    own lock, so the subscriber thread always sees a change whole.
*/
#include "i18n.h"
#include "commands.h"
#include "json.h"
#include "jsonview.h"
#include "view.h"
#include "address.h"
#include "term.h"
#include "text.h"
#include "roomlock.h"
#include "trust.h"
#include "who.h"

#include <czmq.h>
#include <string.h>

#define S_STRING(x) #x
#define S_TEXT(x) S_STRING (x) // "5557" for PORT_DEFAULT

//  Where bare \connect is in its dialogue
typedef enum { ASK_NOTHING, ASK_ADDRESS, ASK_PORT } question_t;

struct _commands_t {
    commands_context_t with;         //  what the commands act on
    question_t question;             //  what the next line answers
    char asked_host[HOST_MAX_BYTES]; //  the address answered, while asking for the port
    char action[TEXT_MAX_BYTES + 8]; //  "/me ..." being sent for \me
    bool told_nobody_listens;        //  the "nobody hears you" hint was shown
};

//  The commands, their argument rules, and their names for parsing
typedef struct {
    const char *name;    //  what the user types after the backslash
    command_kind_t kind; //  what it is
    int min_args;        //  arguments it needs
    int max_args;        //  arguments it takes
} command_spec_t;

static const command_spec_t s_specs[] = {
    {"help", COMMAND_HELP, 0, 0},
    {"connect", COMMAND_CONNECT, 0, 2},
    {"disconnect", COMMAND_DISCONNECT, 1, 1},
    {"channel", COMMAND_CHANNEL, 1, 1},
    {"channels", COMMAND_CHANNELS, 0, 0},
    {"peers", COMMAND_PEERS, 0, 0},
    {"who", COMMAND_WHO, 0, 1},
    {"debug", COMMAND_DEBUG, 0, 1},
    {"nick", COMMAND_NICK, 1, 1},
    {"clear", COMMAND_CLEAR, 0, 0},
    {"me", COMMAND_ME, 1, 2},   //  "\me" alone: the text is taken whole in commands_parse
    {"msg", COMMAND_MSG, 2, 2}, //  with a text: taken whole in commands_parse
    {"invite", COMMAND_INVITE, 0, 0},
    {"whois", COMMAND_WHOIS, 1, 1},
    {"trust", COMMAND_TRUST, 1, 1},
    {"quit", COMMAND_QUIT, 0, 0},
    {"exit", COMMAND_QUIT, 0, 0},
};

//  Split s into at most max words (space-separated) stored in words; returns the word count, or
//  max + 1 if there are more.
static int
s_split (char *s, char **words, int max)
{
    int count = 0;
    char *save = NULL;
    for (char *word = strtok_r (s, " \t", &save); word; word = strtok_r (NULL, " \t", &save)) {
        if (count == max)
            return max + 1;
        words[count++] = word;
    }
    return count;
}

//  "\me does something" takes the rest of the line as it is, spaces and all; "\msg NICK text"
//  the rest after the nick. Returns true when line is one of them (command filled).
static bool
s_parse_rest (const char *line, command_t *command)
{
    if (strncmp (line, "\\me ", 4) == 0 && line[4 + strspn (line + 4, " ")]) {
        command->kind = COMMAND_ME;
        command->name = "me";
        command->text = line + 4 + strspn (line + 4, " ");
        return true;
    }
    if (strncmp (line, "\\msg ", 5) != 0)
        return false;
    const char *nick = line + 5 + strspn (line + 5, " ");
    size_t nick_size = strcspn (nick, " ");
    const char *text = nick + nick_size + strspn (nick + nick_size, " ");
    if (nick_size == 0 || !*text || nick_size >= sizeof command->argument)
        return false;
    command->kind = COMMAND_MSG;
    command->name = "msg";
    memcpy (command->argument, nick, nick_size);
    command->argument[nick_size] = 0;
    command->text = text;
    return true;
}

//  Fill command for the known command spec, given as count words: its name, then its
//  arguments, which must be as many as it takes; two become "HOST:PORT" ("\connect HOST PORT",
//  as the course's solution suggests).
static void
s_parse_known (const command_spec_t *spec, char **words, int count, command_t *command)
{
    command->name = spec->name;
    command->kind = spec->kind;
    int args = count - 1;
    if (count > 3 || args < spec->min_args || args > spec->max_args) {
        command->kind = COMMAND_BAD_USAGE;
        return;
    }
    int size = 0;
    if (args == 2) {
        bool v6 = strchr (words[1], ':') && words[1][0] != '[';
        size = snprintf (command->argument, sizeof command->argument, "%s%s%s:%s", v6 ? "[" : "",
                         words[1], v6 ? "]" : "", words[2]);
    } else if (args == 1)
        size = snprintf (command->argument, sizeof command->argument, "%s", words[1]);
    if (size < 0 || (size_t) size >= sizeof command->argument)
        command->kind = COMMAND_BAD_USAGE;
}

void
commands_parse (const char *line, command_t *command)
{
    memset (command, 0, sizeof *command);
    command->kind = COMMAND_MESSAGE;
    command->text = line;
    if (line[0] != '\\')
        return;
    if (line[1] == '\\') {
        command->text = line + 1; //  "\\text" sends "\text"
        return;
    }
    if (s_parse_rest (line, command))
        return;
    char copy[COMMAND_ARGUMENT_MAX_BYTES * 2];
    command->kind = COMMAND_UNKNOWN;
    if (text_copy (copy, sizeof copy, line + 1)) {
        command->kind = COMMAND_BAD_USAGE;
        return;
    }
    char *words[3];
    int count = s_split (copy, words, 3);
    if (count == 0)
        return;
    for (size_t i = 0; i < sizeof s_specs / sizeof s_specs[0]; i++)
        if (streq (words[0], s_specs[i].name)) {
            s_parse_known (&s_specs[i], words, count, command);
            return;
        }
    //  Unknown: keep the word so the error can name it (cut if it must be)
    text_copy (command->argument, sizeof command->argument, words[0]);
}

commands_t *
commands_new (const commands_context_t *context)
{
    commands_t *self = calloc (1, sizeof *self);
    if (self)
        self->with = *context;
    return self;
}

void
commands_destroy (commands_t **self_p)
{
    if (self_p)
        freen (*self_p);
}

const char *
commands_question (commands_t *self)
{
    if (self->question == ASK_ADDRESS)
        return _ ("address (empty = localhost): ");
    if (self->question == ASK_PORT)
        return _ ("port (empty = 5557): ");
    return NULL;
}

//  Print the help text.
static void
s_help (void)
{
    term_text (_ ("Commands:\n"
                  "  \\help                  this help\n"
                  "  \\connect HOST:PORT     listen to the chat at HOST:PORT; \\connect PORT:\n"
                  "                         on this machine; \\connect alone asks\n"
                  "  \\disconnect HOST:PORT  stop listening to that chat\n"
                  "  \\disconnect CHANNEL    stop listening to that channel\n"
                  "  \\channel CHANNEL       write to CHANNEL (and listen to it)\n"
                  "  \\channels              list the channels\n"
                  "  \\who [PATTERN]         who is in the room, by name, and how they are\n"
                  "                         connected; PATTERN: part of a name, or an*\n"
                  "  \\peers                 list the chats you listen to\n"
                  "  \\debug [on|off]        show what happens on the wire\n"
                  "  \\nick NAME             take a new name\n"
                  "  \\me does something     an action: \"* anna does something\"\n"
                  "  \\msg NICK text         a private message to NICK only\n"
                  "  \\invite                a line to give a friend who should join\n"
                  "  \\whois NICK            the fingerprint of NICK's key, to compare aloud\n"
                  "  \\trust NICK            accept NICK's new key\n"
                  "  \\clear                 clear the screen\n"
                  "  \\quit, \\exit           leave (Ctrl-D and Ctrl-C too)\n"
                  "Other lines go to the channel you write to (\\\\ sends a leading \\).\n"));
}

//  \invite: one line to pass on: how to start a chat that joins this one, at our first address
//  (the LAN's, when we have one), and, for a locked room, to bring the passphrase.
static void
s_invite (commands_t *self)
{
    char addresses[1024];
    address_local_list (addresses, sizeof addresses);
    addresses[strcspn (addresses, ", ")] = 0; //  the first is the one others reach best
    char host[ENDPOINT_MAX_BYTES];
    int size = snprintf (host, sizeof host, strchr (addresses, ':') ? "[%s]" : "%s", addresses);
    if (size < 0 || (size_t) size >= sizeof host)
        text_copy (host, sizeof host, "127.0.0.1");
    const char *program = self->with.program;
    int port = publisher_port (self->with.publisher);
    if (self->with.locked) {
        term_notice (_ ("invite: %s -c %s:%d --key - (give the passphrase in person, not in the "
                        "chat)"),
                     program, host, port);
        char key[ROOMLOCK_KEY_HEX_BYTES];
        if (self->with.room_key && roomlock_key_format (self->with.room_key, key, sizeof key) == 0)
            term_notice (
                _ ("a relay for this room, which cannot read it: %s --relay --room-key %s"),
                program, key);
    } else
        term_notice (_ ("invite: %s -c %s:%d"), program, host, port);
}

//  True when address is this chat itself: our port on a loopback or local address.
static bool
s_is_self (commands_t *self, const address_t *address)
{
    char port[16], locals[1024];
    int size = snprintf (port, sizeof port, ":%d", publisher_port (self->with.publisher));
    size_t label_size = strlen (address->label), port_size = strlen (port);
    if (size < 0 || label_size <= port_size ||
        !streq (address->label + label_size - port_size, port))
        return false;
    char host[ENDPOINT_MAX_BYTES];
    size_t host_size = label_size - port_size; //  less than the label's ENDPOINT_MAX_BYTES
    memcpy (host, address->label, host_size);
    host[host_size] = 0;
    //  Loopback, and the "any" addresses, which a connect takes to this machine
    if (address_is_loopback (host) || streq (host, "0.0.0.0") || streq (host, "[::]"))
        return true;
    char *save = NULL;
    address_local_list (locals, sizeof locals);
    for (char *item = strtok_r (locals, ", ", &save); item; item = strtok_r (NULL, ", ", &save))
        if (streq (item, host))
            return true;
    return false;
}

int
commands_connect (commands_t *self, const char *target)
{
    address_t address;
    const char *why;
    char safe_target[4 * COMMAND_ARGUMENT_MAX_BYTES];
    text_sanitize (target, strlen (target), safe_target, sizeof safe_target);
    if (address_lookup (target, &address, &why)) {
        term_error (_ ("cannot connect to %s: %s"), safe_target, _ (why));
        return -1;
    }
    return commands_listen_to (self, &address);
}

int
commands_listen_to (commands_t *self, const address_t *address)
{
    if (s_is_self (self, address)) {
        term_error (_ ("%s is this chat itself"), address->label);
        return -1;
    }
    int rc = peers_add (self->with.peers, address->endpoint, address->label, false);
    if (rc == 1) {
        term_notice (_ ("already listening to %s"), address->label);
        return 0;
    }
    if (rc < 0) {
        term_error (_ ("cannot listen to more than %d chats"), PEERS_MAX);
        return -1;
    }
    term_notice (_ ("connecting to %s ..."), address->label);
    return 0;
}

//  \disconnect: a peer if the argument names one we listen to, otherwise a channel.
static void
s_disconnect (commands_t *self, const char *target)
{
    address_t address;
    const char *why;
    char safe_target[4 * COMMAND_ARGUMENT_MAX_BYTES];
    text_sanitize (target, strlen (target), safe_target, sizeof safe_target);
    //  Only what could be an address is looked up, so a channel name costs no DNS query
    bool looks_like_address = strchr (target, ':') || strchr (target, '.') ||
                              strchr (target, '[') || streq (target, "localhost") ||
                              address_port_parse (target) > 0;
    if (looks_like_address && address_lookup (target, &address, &why) == 0 &&
        peers_remove (self->with.peers, address.endpoint) == 0) {
        term_notice (_ ("no longer listening to %s"), address.label);
        return;
    }
    if (looks_like_address && !wire_channel_valid (target, strlen (target))) {
        term_error (_ ("not listening to %s"), safe_target);
        return;
    }
    int rc = channels_mute (self->with.channels, target);
    if (rc < 0 && wire_channel_valid (target, strlen (target)))
        term_error (_ ("too many channels (at most %d)"), CHANNELS_MAX);
    else if (rc < 0)
        term_error (_ ("\"%s\" is not a channel name (1-32 letters, digits, - or _)"), safe_target);
    else if (rc == 1)
        term_notice (_ ("not listening to [%s] already"), target);
    else
        term_notice (_ ("no longer listening to [%s] (\\channel %s listens again)"), target,
                     target);
}

//  \debug on|off: show or hide what happens on the wire; bare \debug toggles.
static void
s_debug (const char *argument)
{
    bool on;
    if (streq (argument, "on"))
        on = true;
    else if (streq (argument, "off"))
        on = false;
    else if (!*argument)
        on = !term_debug_on ();
    else {
        term_error (_ ("wrong arguments for \\%s (\\help shows how)"), "debug");
        return;
    }
    term_set_debug (on);
    term_notice (on ? _ ("showing what happens on the wire (\\debug off hides it)")
                    : _ ("no longer showing the wire"));
}

//  \channel: switch the channel we write to.
static void
s_channel (commands_t *self, const char *name)
{
    char safe_name[4 * COMMAND_ARGUMENT_MAX_BYTES];
    text_sanitize (name, strlen (name), safe_name, sizeof safe_name);
    if (channels_switch (self->with.channels, name) && wire_channel_valid (name, strlen (name)))
        term_error (_ ("too many channels (at most %d)"), CHANNELS_MAX);
    else if (!wire_channel_valid (name, strlen (name)))
        term_error (_ ("\"%s\" is not a channel name (1-32 letters, digits, - or _)"), safe_name);
    else
        term_notice (_ ("writing to [%s]"), name);
}

//  Answer the bare \connect dialogue with line.
static void
s_answer (commands_t *self, const char *line)
{
    if (self->question == ASK_ADDRESS) {
        self->question = ASK_PORT;
        if (text_copy (self->asked_host, sizeof self->asked_host, *line ? line : "localhost")) {
            self->question = ASK_NOTHING;
            term_error (_ ("cannot connect: %s"), _ ("the host name is too long"));
        }
        return;
    }
    self->question = ASK_NOTHING;
    char target[HOST_MAX_BYTES + 16];
    bool v6 = strchr (self->asked_host, ':') != NULL;
    //  An empty answer means the course's port; a port is 5 digits at most
    int size = snprintf (target, sizeof target, "%s%s%s:%.15s", v6 ? "[" : "", self->asked_host,
                         v6 ? "]" : "", *line ? line : S_TEXT (PORT_DEFAULT));
    if (size < 0 || (size_t) size >= sizeof target)
        term_error (_ ("cannot connect: %s"), _ ("the host name is too long"));
    else
        commands_connect (self, target);
}

//  Say that a command is unknown, naming it.
static void
s_unknown (const char *name)
{
    char safe[4 * COMMAND_ARGUMENT_MAX_BYTES];
    if (!*name) {
        term_error (_ ("a lone \\ is not a command (\\help lists the commands)"));
        return;
    }
    text_sanitize (name, strlen (name), safe, sizeof safe);
    term_error (_ ("unknown command \\%s (\\help lists the commands)"), safe);
}

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

//  Our own line as the others see it ("12:03 [buddy] <anna> hej"), without colour; with json,
//  as its JSON object, marked our own.
static void
s_format_own (commands_t *self, const char *channel, const char *text, size_t text_size, bool json,
              char *out, size_t outsize)
{
    view_line_t view = {.when = time (NULL),
                        .channel = channel,
                        .sender = publisher_nick (self->with.publisher),
                        .text = text,
                        .text_size = text_size,
                        .own = json,
                        .json = json};
    view_format (out, outsize, &view);
}

//  Say text in the channel we write to: send it, remember it for those who miss it, add it to
//  the transcript, and show it as the others see it, dimmed, in place of readline's echo of
//  typed (with colour only: it rewrites the screen with cursor movements). In JSON mode there
//  is no echo: the line is shown as an object of our own, which the transcript gets too.
static void
s_say (commands_t *self, const char *typed, const char *text)
{
    size_t text_size = strlen (text);
    if (text_size == 0 || !s_sendable (text, text_size))
        return;
    char channel[NAME_MAX_BYTES + 1], own[LINE_MAX_BYTES];
    channels_current (self->with.channels, channel, sizeof channel);
    if (publisher_send_line (self->with.publisher, channel, text, text_size))
        return;
    bool json = term_json_on ();
    bool echo = !json && input_interactive (self->with.input) && term_color_on ();
    bool log = !json && term_log_on ();
    if (echo || log || json)
        s_format_own (self, channel, text, text_size, json, own, sizeof own);
    //  The transcript has what the user saw, and a terminal shows one's own lines too
    if (log)
        term_log (own);
    if (json)
        term_line (own);
    if (publisher_listeners (self->with.publisher) == 0 && !self->told_nobody_listens) {
        self->told_nobody_listens = true;
        term_notice (_ ("nobody listens to you yet: others must \\connect to port %d"),
                     publisher_port (self->with.publisher));
    }
    if (echo)
        input_replace_echo (self->with.input, typed, own);
}

//  A plain line: say it (a leading "\\" sends one '\').
static void
s_run_message (commands_t *self, const command_t *command, const char *line)
{
    s_say (self, line, command->text);
}

//  \me does something: "/me does something" on the wire, as IRC writes it (course peers read
//  it as text).
static void
s_run_me (commands_t *self, const command_t *command, const char *line)
{
    int size = snprintf (self->action, sizeof self->action, "/me %s", command->text);
    if (size < 0 || (size_t) size >= sizeof self->action)
        term_error (_ ("line too long (more than %d bytes): not sent"), TEXT_MAX_BYTES);
    else
        s_say (self, line, self->action);
}

//  \msg NICK text: to that member only.
static void
s_run_msg (commands_t *self, const command_t *command, const char *line)
{
    (void) line;
    char safe[4 * COMMAND_ARGUMENT_MAX_BYTES], name[NAME_MAX_BYTES + 8];
    uint8_t id[WIRE_SENDER_BYTES], key[WIRE_PUBLIC_BYTES];
    text_sanitize (command->argument, strlen (command->argument), safe, sizeof safe);
    int found = room_find (self->with.room, command->argument, id, name, sizeof name);
    if (found < 0)
        term_error (_ ("nobody called %s in the room (\\who lists them)"), safe);
    else if (found > 0)
        term_error (_ ("several members are called %s: write the name \\who shows, like "
                       "%s#3f2a"),
                    safe, safe);
    else if (!room_key (self->with.room, id, key, NULL))
        term_error (_ ("%s has not sent a signed heartbeat yet: its key is not known"), name);
    else if (s_sendable (command->text, strlen (command->text)))
        private_send (self->with.private, id, key, name, command->text, zclock_mono ());
}

//  \nick NEW: the others learn it with our next heartbeat, at once.
static void
s_run_nick (commands_t *self, const command_t *command, const char *line)
{
    (void) line;
    const char *nick = command->argument;
    if (!wire_nick_valid (nick, strlen (nick))) {
        char safe[4 * COMMAND_ARGUMENT_MAX_BYTES];
        text_sanitize (nick, strlen (nick), safe, sizeof safe);
        term_error (_ ("bad nick \"%s\": use 1-32 letters, digits, '.', '-' or '_'"), safe);
        return;
    }
    publisher_set_nick (self->with.publisher, nick);
    room_set_own_nick (self->with.room, nick);
    presence_beat_soon (self->with.presence);
    term_notice (_ ("you are now %s"), nick);
}

//  \connect [HOST:PORT]: bare, it asks for the address and then the port.
static void
s_run_connect (commands_t *self, const command_t *command, const char *line)
{
    (void) line;
    if (command->argument[0])
        commands_connect (self, command->argument);
    else
        self->question = ASK_ADDRESS;
}

//  \who in JSON mode: one object, the names matching pattern, listing's lines and the line
//  that counts them. Main thread.
static void
s_who_json (commands_t *self, const char *pattern, const char *listing, const char *count)
{
    static char names[ROOM_MAX][JSONVIEW_NAME_BYTES]; //  main thread only, as the listing
    static char object[JSON_LINE_MAX_BYTES];
    size_t found = jsonview_who_names (self->with.room, pattern, names, ROOM_MAX);
    jsonview_who (object, sizeof object, (const char (*)[JSONVIEW_NAME_BYTES]) names, found,
                  listing, count);
    term_json (object);
}

//  \who [PATTERN]: the members (whose name matches PATTERN) sorted by name, and how many, into
//  listing (listing_size bytes); in JSON mode, as one object.
static void
s_who (commands_t *self, const char *pattern, char *listing, size_t listing_size)
{
    char why[160], safe[4 * WHO_PATTERN_MAX_BYTES + 8], count[sizeof why + sizeof safe];
    if (who_pattern_check (pattern, why, sizeof why) != 0) {
        term_error ("%s", why);
        return;
    }
    text_sanitize (pattern, strlen (pattern), safe, sizeof safe); //  no bidi tricks either
    size_t matched = 0, total = 0;
    room_describe_matching (self->with.room, pattern, zclock_mono (), listing, listing_size,
                            &matched, &total);
    int size;
    if (total == 0)
        size = snprintf (count, sizeof count, "%s", _ ("nobody else in the room yet"));
    else if (matched == 0)
        size =
            snprintf (count, sizeof count,
                      _ ("nobody in the room matches \"%s\" (\\who lists all %zu)"), safe, total);
    else if (*pattern)
        size = snprintf (count, sizeof count,
                         ngettext ("%zu of %zu matches \"%s\"", "%zu of %zu match \"%s\"", matched),
                         matched, total, safe);
    else
        size =
            snprintf (count, sizeof count,
                      ngettext ("%zu other in the room", "%zu others in the room", total), total);
    if (size < 0)
        count[0] = 0; //  a longer line is cut: snprintf has terminated it
    if (term_json_on ())
        s_who_json (self, pattern, matched ? listing : "", count);
    else {
        if (matched)
            term_text (listing);
        term_notice ("%s", count);
    }
}

//  \channels, \peers, \who: a listing, or a line saying there is nothing to list.
static void
s_run_listing (commands_t *self, const command_t *command, const char *line)
{
    (void) line;
    static char listing[COMMANDS_LISTING_MAX_BYTES]; //  main thread only: no stack for a big room
    if (command->kind == COMMAND_CHANNELS) {
        channels_describe (self->with.channels, listing, sizeof listing);
        term_text (listing);
    } else if (command->kind == COMMAND_PEERS &&
               peers_describe (self->with.peers, listing, sizeof listing) == 0)
        term_notice (_ ("not listening to any chat yet (\\connect HOST:PORT)"));
    else if (command->kind == COMMAND_WHO)
        s_who (self, command->argument, listing, sizeof listing);
    else
        term_text (listing);
}

//  The commands that take only their argument, or nothing.
static void
s_run_simple (commands_t *self, const command_t *command, const char *line)
{
    (void) line;
    switch (command->kind) {
    case COMMAND_HELP:
        s_help ();
        break;
    case COMMAND_DISCONNECT:
        s_disconnect (self, command->argument);
        break;
    case COMMAND_CHANNEL:
        s_channel (self, command->argument);
        break;
    case COMMAND_INVITE:
        s_invite (self);
        break;
    case COMMAND_WHOIS:
        trust_whois (self->with.room, self->with.known, publisher_identity (self->with.publisher),
                     publisher_nick (self->with.publisher), command->argument);
        break;
    case COMMAND_TRUST:
        trust_accept (self->with.room, self->with.known, command->argument);
        break;
    case COMMAND_CLEAR:
        term_clear ();
        break;
    case COMMAND_DEBUG:
        s_debug (command->argument);
        break;
    default:
        break;
    }
}

//  A mistake: an unknown command, or a known one with the wrong arguments.
static void
s_run_mistake (commands_t *self, const command_t *command, const char *line)
{
    (void) self, (void) line;
    if (command->kind == COMMAND_UNKNOWN)
        s_unknown (command->argument);
    else if (command->name && streq (command->name, "who"))
        term_error (
            _ ("\\who takes one word at most: a name, a part of one, or a pattern like an*"));
    else if (command->name)
        term_error (_ ("wrong arguments for \\%s (\\help shows how)"), command->name);
    else
        term_error (_ ("command too long"));
}

//  Run a parsed command (line as typed)
typedef void (runner_fn) (commands_t *self, const command_t *command, const char *line);

//  What runs each kind of line (\quit is not run: it ends the input)
static runner_fn *const s_runners[] = {[COMMAND_MESSAGE] = s_run_message,
                                       [COMMAND_HELP] = s_run_simple,
                                       [COMMAND_CONNECT] = s_run_connect,
                                       [COMMAND_DISCONNECT] = s_run_simple,
                                       [COMMAND_CHANNEL] = s_run_simple,
                                       [COMMAND_CHANNELS] = s_run_listing,
                                       [COMMAND_PEERS] = s_run_listing,
                                       [COMMAND_WHO] = s_run_listing,
                                       [COMMAND_DEBUG] = s_run_simple,
                                       [COMMAND_NICK] = s_run_nick,
                                       [COMMAND_ME] = s_run_me,
                                       [COMMAND_MSG] = s_run_msg,
                                       [COMMAND_INVITE] = s_run_simple,
                                       [COMMAND_WHOIS] = s_run_simple,
                                       [COMMAND_TRUST] = s_run_simple,
                                       [COMMAND_CLEAR] = s_run_simple,
                                       [COMMAND_QUIT] = NULL,
                                       [COMMAND_UNKNOWN] = s_run_mistake,
                                       [COMMAND_BAD_USAGE] = s_run_mistake};

commands_result_t
commands_run (commands_t *self, const char *line)
{
    if (self->question != ASK_NOTHING) {
        s_answer (self, line);
        return COMMANDS_DONE;
    }
    command_t command;
    commands_parse (line, &command);
    if (command.kind == COMMAND_QUIT)
        return COMMANDS_QUIT;
    s_runners[command.kind](self, &command, line);
    return COMMANDS_DONE;
}
