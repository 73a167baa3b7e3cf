/*  channels.c - the channel table (see channels.h).
 */
#include "channels.h"
#include "i18n.h"
#include "text.h"
#include "wire.h"

#include <czmq.h>
#include <pthread.h>

//  One known channel
typedef struct {
    char name[NAME_MAX_BYTES + 1]; //  channel name
    bool muted;                    //  silenced with \disconnect KANAL
    bool named;                    //  the user named it (\channel, \disconnect, --channel)
} channel_t;

struct _channels_t {
    pthread_mutex_t lock;             //  the channel lock: guards everything below
    char current[NAME_MAX_BYTES + 1]; //  the channel the user writes to
    channel_t channels[CHANNELS_MAX]; //  known channels, in the order first met
    size_t size;                      //  how many of them are used
};

//  How s_lookup may add a channel it does not know
typedef enum {
    LOOKUP_FIND, //  never add
    LOOKUP_SEEN, //  add a channel seen on the network, while there is room
    LOOKUP_USER  //  add a channel the user named; when full, forget one only seen to make room
} lookup_t;

//  Find channel name, or add it as mode allows. Lock held. Channels the user named always win
//  over channels only seen, so a peer flooding channel names cannot lock the user out.
static channel_t *
s_lookup (channels_t *self, const char *name, lookup_t mode)
{
    for (size_t i = 0; i < self->size; i++)
        if (streq (self->channels[i].name, name))
            return &self->channels[i];
    channel_t *channel = NULL;
    if (mode != LOOKUP_FIND && self->size < CHANNELS_MAX)
        channel = &self->channels[self->size++];
    else if (mode == LOOKUP_USER)
        for (size_t i = 0; i < self->size && !channel; i++)
            if (!self->channels[i].muted && !self->channels[i].named &&
                !streq (self->channels[i].name, self->current))
                channel = &self->channels[i];
    if (channel) {
        text_copy (channel->name, sizeof channel->name, name);
        channel->muted = false;
        channel->named = mode == LOOKUP_USER;
    }
    return channel;
}

channels_t *
channels_new (const char *current)
{
    if (!wire_channel_valid (current, strlen (current)))
        return NULL;
    channels_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    text_copy (self->current, sizeof self->current, current);
    s_lookup (self, current, LOOKUP_USER);
    return self;
}

void
channels_destroy (channels_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy (&(*self_p)->lock);
    freen (*self_p);
}

void
channels_current (channels_t *self, char *out, size_t outsize)
{
    pthread_mutex_lock (&self->lock);
    text_copy (out, outsize, self->current);
    pthread_mutex_unlock (&self->lock);
}

int
channels_switch (channels_t *self, const char *name)
{
    if (!wire_channel_valid (name, strlen (name)))
        return -1;
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_USER);
    if (channel) {
        channel->muted = false;
        channel->named = true;
        text_copy (self->current, sizeof self->current, name);
    }
    pthread_mutex_unlock (&self->lock);
    return channel ? 0 : -1;
}

int
channels_mute (channels_t *self, const char *name)
{
    if (!wire_channel_valid (name, strlen (name)))
        return -1;
    int result = -1;
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_USER);
    if (channel) {
        channel->named = true;
        result = channel->muted ? 1 : 0;
        channel->muted = true;
    }
    pthread_mutex_unlock (&self->lock);
    return result;
}

bool
channels_accept (channels_t *self, const char *name)
{
    pthread_mutex_lock (&self->lock);
    channel_t *channel = s_lookup (self, name, LOOKUP_SEEN);
    bool accepted = !channel || !channel->muted;
    pthread_mutex_unlock (&self->lock);
    return accepted;
}

size_t
channels_names (channels_t *self, char (*names)[NAME_MAX_BYTES + 1], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && count < max; i++, count++)
        text_copy (names[count], sizeof names[count], self->channels[i].name);
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
channels_describe (channels_t *self, char *out, size_t outsize)
{
    size_t used = 0, count = 0;
    if (outsize)
        out[0] = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++) {
        const channel_t *channel = &self->channels[i];
        bool current = streq (channel->name, self->current);
        const char *state = current && channel->muted ? _ ("you write here, silenced")
                            : current                 ? _ ("you write here")
                            : channel->muted          ? _ ("silenced")
                                                      : _ ("listening");
        if (text_append (out, outsize, &used, " %s %s (%s)\n", current ? "*" : " ", channel->name,
                         state))
            break;
        count++;
    }
    pthread_mutex_unlock (&self->lock);
    return count;
}
