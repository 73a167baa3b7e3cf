/*  banner.h - who we are, said once at start: our nick, channel and port, the addresses others
    reach us at, the key that signs what we send (when it is news) and the room's lock; with
    --json the same as one object.
*/
#ifndef BANNER_H_INCLUDED
#define BANNER_H_INCLUDED

#include "channels.h"
#include "identity.h"
#include "publisher.h"
#include "roomlock.h"

#include <stdbool.h>

//  What the banner tells of (none owned)
typedef struct {
    identity_t *identity;        //  our key pair
    const char *identity_option; //  --identity FILE, or NULL
    const char *nick;            //  the nick asked for (its key file is named after it)
    publisher_t *publisher;      //  our XPUB: port and nick
    channels_t *channels;        //  the channel we write to
    roomlock_t *lock;            //  the room's lock
    bool relay;                  //  we are a relay
    int back_port;               //  where our SUB accepts connections
} banner_t;

//  Print who we are and where others reach us.
void banner_print (const banner_t *self);

//  --json: who we are, as an object, after the banner ("key" is "" for a throwaway key).
void banner_json (const banner_t *self);

#endif
