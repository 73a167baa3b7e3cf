/*  channels.h - the channel table: which channel the user writes to, and which are silenced.

    Listening is "all channels, minus the silenced ones", as the course exercise asks: the SUB
    socket subscribes to every channel (subscriber.h) and each line's channel, parsed exactly up
    to its '>', is checked against the table (channels_accept), so silencing "bud" never
    silences "buddy". Shared by the main thread (\channel, \disconnect KANAL) and the subscriber
    thread (every incoming line is filtered through it), behind the channel lock that each
    function takes (subscriber.h: threads and locks).
*/
#ifndef CHANNELS_H_INCLUDED
#define CHANNELS_H_INCLUDED

#include "limits.h"

#include <stdbool.h>
#include <stddef.h>

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

#endif
