/*  webcmd.h - the command line and environment of a browser tab's chat (web.h): our own
    binary with --json, the tab's nick and key file, the options the bridge was given (its -c
    contacts, channel, history, discovery), a contact among the other tabs, the tab's language,
    and the room's passphrase in the environment, where ps does not show it.

    Pure: it only fills a webcmd_t, so it is tested as it is. Any thread.
*/
#ifndef WEBCMD_H_INCLUDED
#define WEBCMD_H_INCLUDED

#include "options.h"

#include <stdbool.h>

#define WEBCMD_ARGS_MAX (24 + 2 * CONNECT_MAX) // words on a tab's command line at most
#define WEBCMD_ENVIRONMENT_MAX 256             // variables in its environment at most
#define WEBCMD_KEY_MAX_BYTES 1024              // a passphrase passed on, at most
#define WEBCMD_PATH_MAX_BYTES 4096             // a key file's path at most

//  What a tab's chat is started for
typedef struct {
    const options_t *options; //  the bridge's options
    const char *program;      //  our own binary
    const char *keys;         //  the directory of tabs' key files, "" for throwaway keys
    const char *nick;         //  the nick the tab asked for (the chat checks it)
    const char *tab;          //  the tab's id (webguard_tab_ok), or "" for a throwaway key
    int contact;              //  the port of another tab's chat on this machine, or 0
    int port;                 //  the port it is to listen on, or 0 for the first free one
    bool swedish;             //  the tab's page speaks Swedish
    char *const *environment; //  the bridge's environment
} webcmd_for_t;

//  A tab's command line and environment, and the words they point to
typedef struct {
    char *args[WEBCMD_ARGS_MAX];               //  the command line, NULL-terminated
    char *environment[WEBCMD_ENVIRONMENT_MAX]; //  the environment, NULL-terminated
    char nick[NAME_MAX_BYTES + 16];            //  --nick=NICK
    char identity[WEBCMD_PATH_MAX_BYTES + 16]; //  --identity=FILE
    char channel[NAME_MAX_BYTES + 16];         //  --channel=CHANNEL
    char history[32];                          //  --history=N
    char interface[INTERFACE_MAX_BYTES + 16];  //  --interface=NAME
    char contact[32];                          //  127.0.0.1:PORT
    char port[32];                             //  --port=PORT
    char language[2][32];                      //  LC_ALL=..., LANGUAGE=...
    char key[WEBCMD_KEY_MAX_BYTES + 10];       //  CHAT_KEY=...
} webcmd_t;

//  Fill self for what. Returns 0, or -1 when a word would be cut (a path or passphrase too
//  long): then nothing is to be started.
int webcmd_build (webcmd_t *self, const webcmd_for_t *what);

#endif
