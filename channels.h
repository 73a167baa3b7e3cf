/*  channels.h - the channel table, the subscriber thread, and how incoming lines are shown.

    The table says which channel the user writes to and which channels are silenced; it is
    shared by the main thread (\channel, \disconnect KANAL) and the subscriber thread (every
    incoming line is filtered through it), behind the channel lock that each function takes.

    The subscriber thread is detached. It creates its own ZeroMQ context and SUB socket,
    connects to the peers in peers_t, filters by channel and prints what it receives. The main
    thread wakes it through a pipe it polls next to its sockets.
*/
#ifndef CHANNELS_H_INCLUDED
#define CHANNELS_H_INCLUDED

#include "backlog.h"
#include "limits.h"
#include "peers.h"
#include "room.h"
#include "roomkey.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct _channels_t channels_t;

//  Create a table writing to channel current. Returns NULL if the name is not valid.
channels_t *channels_new (const char *current);

//  Destroy the table; sets *self_p to NULL. Safe twice.
void channels_destroy (channels_t **self_p);

//  Copy the channel the user writes to into out.
void channels_current (channels_t *self, char *out, size_t outsize);

//  Write to channel name from now on, and listen to it. Returns 0, or -1 if the name is not
//  valid or the table is full of channels the user named (channels only seen make room).
int channels_switch (channels_t *self, const char *name);

//  Stop listening to channel name. Returns 0, 1 if it was silenced already, -1 if the name is
//  not valid or the table is full of channels the user named.
int channels_mute (channels_t *self, const char *name);

//  True when a line on channel name is to be shown (every channel is, except those silenced).
//  Remembers the channel as seen, while there is room.
bool channels_accept (channels_t *self, const char *name);

//  Copy the names of the known channels (at most max) into names. Returns the count.
size_t channels_names (channels_t *self, char (*names)[NAME_MAX_BYTES + 1], size_t max);

//  Write one line per known channel into out ("* buddy (you write here)"). Returns the count.
size_t channels_describe (channels_t *self, char *out, size_t outsize);

//  Format an incoming line for the screen: "12:03 [kanal] <nick> text", or "12:03 [kanal] *
//  nick dances" for "/me dances", or "12:03 (private) <nick> text" when channel is NULL, every
//  part made safe; with color, the time dimmed and the
//  nick in its colour. sender is the nick, or the peer's address for a plain peer. Returns 0,
//  -1 if cut.
int channels_format (char *out, size_t outsize, time_t when, const char *channel,
                     const char *sender, const char *text, size_t text_size, bool color);

//  The colour of a nick: an SGR number ("31"..."96"), the same for the same nick everywhere.
const char *channels_nick_color (const char *nick);

typedef struct _channels_listener_t channels_listener_t;

//  Start the subscriber thread. It keeps room up to date from heartbeats, and backlog from the
//  lines it shows; it asks the first member it hears for history_lines lines of history per
//  channel (0: none). key is the room's key when it is locked (NULL: open); it must outlive the
//  thread. self_id is this process's sender id: lines carrying it are our own and
//  are not shown. port is where our PUB socket listens: the thread's subscriptions tell every
//  publisher it connects to, so they connect back. Returns NULL (after one error line) if the
//  thread could not start.
channels_listener_t *channels_listener_start (channels_t *channels, peers_t *peers, room_t *room,
                                              backlog_t *backlog, size_t history_lines,
                                              const roomkey_t *key,
                                              const uint8_t self_id[WIRE_SENDER_BYTES], int port);

//  Wake the subscriber thread so it carries out queued peer changes. Main thread.
void channels_listener_wake (channels_listener_t *self);

//  Stop the subscriber thread and wait (bounded) until it has closed its socket and context;
//  sets *self_p to NULL. Main thread.
void channels_listener_stop (channels_listener_t **self_p);

#endif
