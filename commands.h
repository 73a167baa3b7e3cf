/*  commands.h - parsing and running the backslash commands the user types.

    commands_parse() is pure and table-tested. commands_handle() runs a line in the main thread:
    it changes the channel table and the peer list (each behind its own lock) and wakes the
    subscriber thread; it prints through term.h.
*/
#ifndef COMMANDS_H_INCLUDED
#define COMMANDS_H_INCLUDED

#include "address.h"
#include "channels.h"
#include "peers.h"

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
    COMMAND_WHO,        //  \who
    COMMAND_DEBUG,      //  \debug [on|off]
    COMMAND_NICK,       //  \nick NEW
    COMMAND_ME,         //  \me does something (text: the action)
    COMMAND_MSG,        //  \msg NICK text (argument: the nick, text: the message)
    COMMAND_INVITE,     //  \invite
    COMMAND_CLEAR,      //  \clear
    COMMAND_QUIT,       //  \quit or \exit
    COMMAND_UNKNOWN,    //  a backslash word we do not know
    COMMAND_BAD_USAGE   //  a known command with the wrong arguments
} command_kind_t;

#define COMMAND_ARGUMENT_MAX_BYTES 256

//  A parsed line
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
    COMMANDS_DONE,    //  handled; nothing more to do
    COMMANDS_SEND,    //  send the text (*text points into the line or the runner)
    COMMANDS_NICK,    //  take the nick *text (already checked to be valid)
    COMMANDS_PRIVATE, //  send *text to one member only (commands_private_to says whom)
    COMMANDS_QUIT     //  leave
} commands_result_t;

typedef struct _commands_t commands_t;

//  Create the command runner. own_port is the port we listen on (to refuse connecting to it).
commands_t *commands_new (channels_t *channels, peers_t *peers, room_t *room,
                          channels_listener_t *listener, int own_port);

//  Destroy it; sets *self_p to NULL. Safe twice.
void commands_destroy (commands_t **self_p);

//  Handle one typed line (or the answer to a question a command asked). Main thread, without
//  the terminal lock.
commands_result_t commands_handle (commands_t *self, const char *line, const char **text);

//  What \invite says: the program to start (as we were started: chatt when installed), and
//  whether the room is locked (then: bring the passphrase).
void commands_set_invite (commands_t *self, const char *program, bool locked);

//  After COMMANDS_PRIVATE: the member to send to, its id and display name.
void commands_private_to (commands_t *self, uint8_t id[WIRE_SENDER_BYTES], char *name,
                          size_t name_size);

//  The question a command is asking (bare \connect asks for address, then port), or NULL.
const char *commands_question (commands_t *self);

//  Connect to a peer given as "HOST:PORT" or "PORT"; prints the outcome. Returns 0 or -1.
int commands_connect (commands_t *self, const char *target);

//  Listen to a resolved peer address; prints the outcome. Returns 0 or -1.
int commands_listen_to (commands_t *self, const address_t *address);

#endif
