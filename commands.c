/*  commands.c - parsing and running the backslash commands the user types.

    Main thread only. The state commands change lives in channels_t and peers_t, each behind its
    own lock, so the subscriber thread always sees a change whole.
*/
#include "i18n.h"
#include "commands.h"
#include "address.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <string.h>

//  Where bare \connect is in its dialogue
typedef enum { ASK_NOTHING, ASK_ADDRESS, ASK_PORT } question_t;

struct _commands_t {
    channels_t *channels;                  //  shared channel table (not owned)
    peers_t *peers;                        //  shared peer list (not owned)
    room_t *room;                          //  shared list of members (not owned)
    channels_listener_t *listener;         //  subscriber thread to wake (not owned)
    int own_port;                          //  the port our PUB socket listens on
    question_t question;                   //  what the next line answers
    char asked_host[HOST_MAX_BYTES];       //  the address answered, while asking for the port
    char action[TEXT_MAX_BYTES + 8];       //  "/me ..." being sent for \me
    uint8_t private_id[WIRE_SENDER_BYTES]; //  whom the \msg being sent goes to
    char private_name[NAME_MAX_BYTES + 8]; //  ... by name
    bool locked;                           //  the room is locked (--key)
    char program[64];                      //  our name as started (chatt when installed)
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
    {"who", COMMAND_WHO, 0, 0},
    {"debug", COMMAND_DEBUG, 0, 1},
    {"nick", COMMAND_NICK, 1, 1},
    {"clear", COMMAND_CLEAR, 0, 0},
    {"me", COMMAND_ME, 1, 2},   //  "\me" alone: the text is taken whole in commands_parse
    {"msg", COMMAND_MSG, 2, 2}, //  with a text: taken whole in commands_parse
    {"invite", COMMAND_INVITE, 0, 0},
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
    //  \me takes the rest of the line as it is, spaces and all
    if (strncmp (line, "\\me ", 4) == 0 && line[4 + strspn (line + 4, " ")]) {
        command->kind = COMMAND_ME;
        command->name = "me";
        command->text = line + 4 + strspn (line + 4, " ");
        return;
    }
    //  \msg NICK takes the rest of the line after the nick as it is
    if (strncmp (line, "\\msg ", 5) == 0) {
        const char *nick = line + 5 + strspn (line + 5, " ");
        size_t nick_size = strcspn (nick, " ");
        const char *text = nick + nick_size + strspn (nick + nick_size, " ");
        if (nick_size > 0 && *text && nick_size < sizeof command->argument) {
            command->kind = COMMAND_MSG;
            command->name = "msg";
            memcpy (command->argument, nick, nick_size);
            command->argument[nick_size] = 0;
            command->text = text;
            return;
        }
    }
    char copy[COMMAND_ARGUMENT_MAX_BYTES * 2];
    command->kind = COMMAND_UNKNOWN;
    if (strlen (line + 1) >= sizeof copy) {
        command->kind = COMMAND_BAD_USAGE;
        return;
    }
    snprintf (copy, sizeof copy, "%s", line + 1);
    char *words[3];
    int count = s_split (copy, words, 3);
    if (count == 0)
        return;
    for (size_t i = 0; i < sizeof s_specs / sizeof s_specs[0]; i++) {
        if (!streq (words[0], s_specs[i].name))
            continue;
        command->name = s_specs[i].name;
        command->kind = s_specs[i].kind;
        int args = count - 1;
        if (count > 3 || args < s_specs[i].min_args || args > s_specs[i].max_args) {
            command->kind = COMMAND_BAD_USAGE;
            return;
        }
        int size = 0;
        if (args == 2) { //  "\connect HOST PORT", as the course's solution suggests
            bool v6 = strchr (words[1], ':') && words[1][0] != '[';
            size = snprintf (command->argument, sizeof command->argument, "%s%s%s:%s",
                             v6 ? "[" : "", words[1], v6 ? "]" : "", words[2]);
        } else if (args == 1)
            size = snprintf (command->argument, sizeof command->argument, "%s", words[1]);
        if (size < 0 || (size_t) size >= sizeof command->argument)
            command->kind = COMMAND_BAD_USAGE;
        return;
    }
    //  Unknown: keep the word so the error can name it
    snprintf (command->argument, sizeof command->argument, "%s", words[0]);
}

commands_t *
commands_new (channels_t *channels, peers_t *peers, room_t *room, channels_listener_t *listener,
              int own_port)
{
    commands_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->channels = channels;
    self->peers = peers;
    self->room = room;
    self->listener = listener;
    self->own_port = own_port;
    snprintf (self->program, sizeof self->program, "chat");
    return self;
}

void
commands_destroy (commands_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

void
commands_set_invite (commands_t *self, const char *program, bool locked)
{
    snprintf (self->program, sizeof self->program, "%s", program);
    self->locked = locked;
}

void
commands_private_to (commands_t *self, uint8_t id[WIRE_SENDER_BYTES], char *name, size_t name_size)
{
    memcpy (id, self->private_id, WIRE_SENDER_BYTES);
    snprintf (name, name_size, "%s", self->private_name);
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
                  "  \\who                   who is in the room, and how they are connected\n"
                  "  \\peers                 list the chats you listen to\n"
                  "  \\debug [on|off]        show what happens on the wire\n"
                  "  \\nick NAME             take a new name\n"
                  "  \\me does something     an action: \"* anna does something\"\n"
                  "  \\msg NICK text         a private message to NICK only\n"
                  "  \\invite                a line to give a friend who should join\n"
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
    snprintf (host, sizeof host, strchr (addresses, ':') ? "[%s]" : "%s", addresses);
    const char *program = self->program;
    if (self->locked)
        term_notice (_ ("invite: %s -c %s:%d --key - (give the passphrase in person, not in the "
                        "chat)"),
                     program, host, self->own_port);
    else
        term_notice (_ ("invite: %s -c %s:%d"), program, host, self->own_port);
}

//  True when address is this chat itself: our port on a loopback or local address.
static bool
s_is_self (commands_t *self, const address_t *address)
{
    char port[16], locals[1024];
    snprintf (port, sizeof port, ":%d", self->own_port);
    size_t label_size = strlen (address->label), port_size = strlen (port);
    if (label_size <= port_size || !streq (address->label + label_size - port_size, port))
        return false;
    char host[ENDPOINT_MAX_BYTES];
    snprintf (host, sizeof host, "%.*s", (int) (label_size - port_size), address->label);
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
    int rc = peers_add (self->peers, address->endpoint, address->label, false);
    if (rc == 1) {
        term_notice (_ ("already listening to %s"), address->label);
        return 0;
    }
    if (rc < 0) {
        term_error (_ ("cannot listen to more than %d chats"), PEERS_MAX);
        return -1;
    }
    if (self->listener)
        channels_listener_wake (self->listener);
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
        peers_remove (self->peers, address.endpoint) == 0) {
        if (self->listener)
            channels_listener_wake (self->listener);
        term_notice (_ ("no longer listening to %s"), address.label);
        return;
    }
    if (looks_like_address && !wire_channel_valid (target, strlen (target))) {
        term_error (_ ("not listening to %s"), safe_target);
        return;
    }
    int rc = channels_mute (self->channels, target);
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
    if (channels_switch (self->channels, name) && wire_channel_valid (name, strlen (name)))
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
        snprintf (self->asked_host, sizeof self->asked_host, "%s", *line ? line : "localhost");
        self->question = ASK_PORT;
        return;
    }
    self->question = ASK_NOTHING;
    char target[HOST_MAX_BYTES + 16], port[16];
    if (!*line) //  an empty answer means the course's port
        snprintf (port, sizeof port, "%d", PORT_DEFAULT);
    else
        snprintf (port, sizeof port, "%.15s", line);
    int size =
        snprintf (target, sizeof target, "%s%s%s:%s", strchr (self->asked_host, ':') ? "[" : "",
                  self->asked_host, strchr (self->asked_host, ':') ? "]" : "", port);
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

commands_result_t
commands_handle (commands_t *self, const char *line, const char **text)
{
    if (self->question != ASK_NOTHING) {
        s_answer (self, line);
        return COMMANDS_DONE;
    }
    command_t command;
    commands_parse (line, &command);
    char listing[8192];
    switch (command.kind) {
    case COMMAND_MESSAGE:
        *text = command.text;
        return COMMANDS_SEND;
    case COMMAND_HELP:
        s_help ();
        break;
    case COMMAND_CONNECT:
        if (command.argument[0])
            commands_connect (self, command.argument);
        else
            self->question = ASK_ADDRESS;
        break;
    case COMMAND_DISCONNECT:
        s_disconnect (self, command.argument);
        break;
    case COMMAND_CHANNEL:
        s_channel (self, command.argument);
        break;
    case COMMAND_CHANNELS:
        channels_describe (self->channels, listing, sizeof listing);
        term_text (listing);
        break;
    case COMMAND_PEERS:
        if (peers_describe (self->peers, listing, sizeof listing) == 0)
            term_notice (_ ("not listening to any chat yet (\\connect HOST:PORT)"));
        else
            term_text (listing);
        break;
    case COMMAND_WHO:
        if (room_describe (self->room, zclock_mono (), listing, sizeof listing) == 0)
            term_notice (_ ("nobody else in the room yet"));
        else
            term_text (listing);
        break;
    case COMMAND_NICK:
        if (!wire_nick_valid (command.argument, strlen (command.argument))) {
            char safe[4 * COMMAND_ARGUMENT_MAX_BYTES];
            text_sanitize (command.argument, strlen (command.argument), safe, sizeof safe);
            term_error (_ ("bad nick \"%s\": use 1-32 letters, digits, '.', '-' or '_'"), safe);
            break;
        }
        snprintf (self->action, sizeof self->action, "%s", command.argument);
        *text = self->action;
        return COMMANDS_NICK;
    case COMMAND_ME: {
        //  On the wire an action is "/me ...", as IRC writes it; course peers read it as text
        int size = snprintf (self->action, sizeof self->action, "/me %s", command.text);
        if (size < 0 || (size_t) size >= sizeof self->action)
            term_error (_ ("line too long (more than %d bytes): not sent"), TEXT_MAX_BYTES);
        else {
            *text = self->action;
            return COMMANDS_SEND;
        }
        break;
    }
    case COMMAND_MSG: {
        char safe[4 * COMMAND_ARGUMENT_MAX_BYTES];
        text_sanitize (command.argument, strlen (command.argument), safe, sizeof safe);
        int found = room_find (self->room, command.argument, self->private_id, self->private_name,
                               sizeof self->private_name);
        if (found < 0)
            term_error (_ ("nobody called %s in the room (\\who lists them)"), safe);
        else if (found > 0)
            term_error (_ ("several members are called %s: write the name \\who shows, like "
                           "%s#3f2a"),
                        safe, safe);
        else {
            *text = command.text;
            return COMMANDS_PRIVATE;
        }
        break;
    }
    case COMMAND_INVITE:
        s_invite (self);
        break;
    case COMMAND_CLEAR:
        term_clear ();
        break;
    case COMMAND_DEBUG:
        s_debug (command.argument);
        break;
    case COMMAND_QUIT:
        return COMMANDS_QUIT;
    case COMMAND_UNKNOWN:
        s_unknown (command.argument);
        break;
    case COMMAND_BAD_USAGE:
        if (command.name)
            term_error (_ ("wrong arguments for \\%s (\\help shows how)"), command.name);
        else
            term_error (_ ("command too long"));
        break;
    }
    return COMMANDS_DONE;
}
