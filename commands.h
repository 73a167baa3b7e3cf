/*  commands.h - parsing and running the backslash commands the user types.

    commands_parse() is pure and table-tested. commands_run() runs a line in the main thread:
    a plain line is said (publisher.h), \msg goes to one member (private.h), and the commands
    change the channel table, the peer list and the room (each behind its own lock; the peer
    list wakes the subscriber thread itself); everything prints through term.h.
*/
#ifndef COMMANDS_H_INCLUDED
#define COMMANDS_H_INCLUDED

#include "address.h"
#include "answers.h"
#include "channels.h"
#include "input.h"
#include "known.h"
#include "peers.h"
#include "presence.h"
#include "private.h"
#include "publisher.h"
#include "room.h"

#include <stdbool.h>

//  What a typed line is
typedef enum {
    COMMAND_MESSAGE,    //  not a command: text to send (a leading "\\" sends one '\')
    COMMAND_HELP,       //  \help
    COMMAND_CONNECT,    //  \connect [HOST:PORT | PORT]
    COMMAND_DISCONNECT, //  \disconnect HOST:PORT | PORT | KANAL
    COMMAND_CHANNEL,    //  \channel KANAL
    COMMAND_CHANNELS,   //  \channels
    COMMAND_PEERS,      //  \peers
    COMMAND_WHO,        //  \who [PATTERN]
    COMMAND_DEBUG,      //  \debug [on|off]
    COMMAND_NICK,       //  \nick NEW
    COMMAND_ME,         //  \me does something (text: the action)
    COMMAND_MSG,        //  \msg NICK text (argument: the nick, text: the message)
    COMMAND_INVITE,     //  \invite
    COMMAND_WHOIS,      //  \whois NICK: the fingerprint of its key
    COMMAND_TRUST,      //  \trust NICK: accept its new key
    COMMAND_CLEAR,      //  \clear
    COMMAND_QUIT,       //  \quit or \exit
    COMMAND_UNKNOWN,    //  a backslash word we do not know
    COMMAND_BAD_USAGE   //  a known command with the wrong arguments
} command_kind_t;

#define COMMAND_ARGUMENT_MAX_BYTES 256

//  A parsed line
#define COMMANDS_LISTING_MAX_BYTES (ROOM_MAX * ROOM_DESCRIBE_LINE_MAX_BYTES) // \who of a full room

typedef struct {
    command_kind_t kind;                       //  what it is
    const char *name;                          //  the command's name ("connect"), or NULL
    char argument[COMMAND_ARGUMENT_MAX_BYTES]; //  its single argument, or "" (trimmed)
    const char *text;                          //  for COMMAND_MESSAGE: the text to send
} command_t;

//  Parse one typed line. Never fails: a line is a message, a command, or a mistake.
void commands_parse (const char *line, command_t *command);

//  What the main loop should do after a line
typedef enum {
    COMMANDS_DONE, //  handled (said, run, or told why not)
    COMMANDS_QUIT  //  \quit or \exit: leave
} commands_result_t;

//  What the commands act on (none owned; all must outlive the runner)
typedef struct {
    channels_t *channels;    //  the channel table (\channel, \disconnect KANAL, \channels)
    peers_t *peers;          //  the peer list (\connect, \disconnect, \peers)
    room_t *room;            //  the members (\who, \msg, \nick)
    publisher_t *publisher;  //  what we say goes out here
    answers_t *answers;      //  ... and is remembered here, for those who miss it
    private_t *private;      //  \msg
    presence_t *presence;    //  our heartbeat (a new nick is told at once)
    known_t *known;          //  the keys first seen for each nick (\whois, \trust)
    input_t *input;          //  the terminal, whose echo of a line said is replaced
    const char *program;     //  the program as started (chatt when installed), for \invite
    bool locked;             //  the room is locked: \invite says to bring the passphrase
    const uint8_t *room_key; //  ... and gives its public key, for a relay (or NULL)
} commands_context_t;

typedef struct _commands_t commands_t;

//  Create the command runner. Returns NULL if out of memory.
commands_t *commands_new (const commands_context_t *context);

//  Destroy it; sets *self_p to NULL. Safe twice.
void commands_destroy (commands_t **self_p);

//  Run one line typed (or the answer to a question a command asked): say it, or run the
//  command, printing what it does. Main thread, without the terminal lock.
commands_result_t commands_run (commands_t *self, const char *line);

//  The question a command is asking (bare \connect asks for address, then port), or NULL.
const char *commands_question (commands_t *self);

//  Connect to a peer given as "HOST:PORT" or "PORT"; prints the outcome. Returns 0 or -1.
int commands_connect (commands_t *self, const char *target);

//  Listen to a resolved peer address; prints the outcome. Returns 0 or -1.
int commands_listen_to (commands_t *self, const address_t *address);

#endif
