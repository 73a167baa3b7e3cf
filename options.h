/*  options.h - the command line and the environment: what the user asked for at start.

    options_parse() reads argv, CHAT_KEY and CHAT_NO_DISCOVERY, checks every value and how they
    go together (--relay with --plain or --json does not; --back-port is not -p), and says in
    one line what is wrong; it prints nothing and never exits, so it is tested as it is. Main
    thread, at start.
*/
#ifndef OPTIONS_H_INCLUDED
#define OPTIONS_H_INCLUDED

#include "address.h"
#include "limits.h"

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#define CHAT_VERSION "0.1.0"         // what --version and the first line say
#define CONNECT_MAX 64               // --connect options at most
#define PROGRAM_MAX_BYTES 64         // the name we were started as, at most
#define OPTIONS_ERROR_MAX_BYTES 1024 // the line that says what is wrong
#define INTERFACE_MAX_BYTES 15       // --interface NAME at most: Linux's IFNAMSIZ - 1
#define RELAY_NICK "relay"           // a relay's nick, unless -n gives another
#define WEB_ADDRESS_MAX_BYTES 16     // "255.255.255.255" and its NUL

//  --color
typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_t;

//  What the user asked for
typedef struct {
    char program[PROGRAM_MAX_BYTES];  //  the name we were started as (chatt when installed)
    int port;                         //  port to listen on, or 0 for the default
    char nick[NAME_MAX_BYTES + 1];    //  our nick
    char channel[NAME_MAX_BYTES + 1]; //  channel to write to first
    address_t connect[CONNECT_MAX];   //  peers to connect to at start, resolved
    int connect_count;                //  how many
    bool plain;                       //  send one-frame course messages only
    bool verbose;                     //  show what happens on the wire
    bool no_discovery;                //  no LAN discovery (--no-discovery, CHAT_NO_DISCOVERY)
    bool no_history;                  //  keep no input history on disk
    color_t color;                    //  --color
    int history_lines;                //  lines of room history per channel (--history)
    const char *log;                  //  transcript file (--log), or NULL
    const char *key;                  //  room passphrase (--key, CHAT_KEY), "-" to ask, or NULL
    const char *identity;             //  our key file (--identity), or NULL for the default
    bool throwaway_key;               //  a key for this run only (--throwaway-key)
    bool nick_given;                  //  -n was given (else nick is the default)
    bool relay;                       //  an always-on relay peer (--relay): no terminal input,
                                      //  no chat lines printed, nick RELAY_NICK unless -n
    int back_port;                    //  --back-port: where the SUB also accepts connections,
                                      //  1..65535, or 0 for a port the kernel picks
    bool relay_key_given;             //  --relay-key KEY: the -c chats are a locked room's
    uint8_t relay_key[32];            //  relay, with this CURVE key (roomlock.h)
    bool room_key_given;              //  --room-key KEY: a relay's locked room, by its public
    uint8_t room_key[32];             //  key (the relay has no passphrase)
    char interface[INTERFACE_MAX_BYTES + 1]; //  --interface: LAN discovery's network
                                             //  interface ("*" all), or "" for czmq's default
    int web_port;                            //  --web [ADDR:]PORT: serve the web page (web.h)
    char web_address[WEB_ADDRESS_MAX_BYTES]; //  on this IPv4 address ("127.0.0.1" unless given)
    bool json; //  --json: what is shown goes to stdout as JSON objects, for a program (term.h)
} options_t;

//  What options_parse found
typedef enum {
    OPTIONS_RUN,     //  start the chat
    OPTIONS_HELP,    //  --help: print options_usage() and leave
    OPTIONS_VERSION, //  --version: print options_version() and leave
    OPTIONS_BAD      //  a mistake: error says which; leave with status 2
} options_result_t;

//  Parse argv (argc words; argv[0] names the program) and the environment into options.
//  Pointers in options point into argv and the environment. On OPTIONS_BAD, error (error_size
//  bytes) holds one line in the user's language, without a newline, made safe to print.
options_result_t options_parse (options_t *options, int argc, char **argv, char *error,
                                size_t error_size);

//  Print the usage text (--help) to out.
void options_usage (const options_t *options, FILE *out);

//  Print the version line (--version) to out.
void options_version (const options_t *options, FILE *out);

//  True when output is to be coloured: --color=always, or auto on a terminal without NO_COLOR
//  (no-color.org) or TERM=dumb; never with --json.
bool options_color (const options_t *options);

#endif
