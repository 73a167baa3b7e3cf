/*  routes.h - which members we hear only through another: the authors listed in the
    heartbeats of members we hear directly that we do not hear ourselves, and the forwarder
    we ask for each ("~via FORWARDER AUTHOR", control.h).

    An author listed for VIA_AFTER_MS without being heard directly is asked of one forwarder:
    the lowest id among the members whose recent heartbeats list it, so each line crosses the
    missing link once. When the author is heard directly again, or no member lists it any
    more, the subscription goes. Subscriber thread only, like the SUB socket it subscribes on.
*/
#ifndef ROUTES_H_INCLUDED
#define ROUTES_H_INCLUDED

#include "control.h"
#include "room.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTES_MAX 256          // authors followed at most
#define ROUTES_CANDIDATES_MAX 8 // forwarders remembered per author
#define VIA_AFTER_MS 3000       // an author listed but not heard this long is asked of another
#define ROUTES_STALE_MS 2500    // a listing older than this no longer counts
#define ROUTES_DIRECT_MS 4000   // an author heard directly within this needs no forwarder
#define ROUTES_SILENT_MS                                                                           \
    5000 // a forwarder that passes on nothing this long is passed over
         // (the last three at 1 s a beat: room_scaled_ms scales them)

typedef struct _routes_t routes_t;

//  A subscription to change on the SUB socket
typedef struct {
    bool subscribe;                       //  subscribe (true) or unsubscribe
    uint8_t forwarder[WIRE_SENDER_BYTES]; //  who forwards
    uint8_t author[WIRE_SENDER_BYTES];    //  whose messages
} routes_change_t;

//  Create an empty table; self_id is ours (never routed). Returns NULL if out of memory.
routes_t *routes_new (const uint8_t self_id[WIRE_SENDER_BYTES]);

//  Destroy it; sets *self_p to NULL. Safe twice.
void routes_destroy (routes_t **self_p);

//  A heartbeat heard directly from member from at now_ms, listing beat->peers: from heard
//  directly, and a candidate forwarder for each author it lists.
void routes_heard (routes_t *self, const uint8_t from[WIRE_SENDER_BYTES],
                   const control_beat_t *beat, int64_t now_ms);

//  A heartbeat from from at now_ms that says its list is the one it sent last (its digest,
//  PROTOKOLL.md 21), beating every every_ms: as routes_heard with that list again.
void routes_relisted (routes_t *self, const uint8_t from[WIRE_SENDER_BYTES], int every_ms,
                      int64_t now_ms);

//  A heartbeat of author's (beating every every_ms) came forwarded at now_ms: the forwarder we
//  asked does forward (one that does not within ROUTES_SILENT_MS, an older chat, is passed
//  over for the next).
void routes_forwarded (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], int every_ms,
                       int64_t now_ms);

//  Member id left (a goodbye): neither an author nor a forwarder any more.
void routes_forget (routes_t *self, const uint8_t id[WIRE_SENDER_BYTES]);

//  The next subscription to change at now_ms (unsubscriptions ahead of the subscriptions that
//  replace them). Returns false when none is due.
bool routes_next_change (routes_t *self, int64_t now_ms, routes_change_t *change);

//  True when we ask forwarder (copied there) for author's messages now.
bool routes_forwarder (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES],
                       uint8_t forwarder[WIRE_SENDER_BYTES]);

//  Copy where the forwarder we ask for author reaches it ("" if none) into out.
void routes_address (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], char *out,
                     size_t outsize);

//  Carry out the changes due at now_ms on sub (the SUB socket): subscribe to "~via FORWARDER
//  AUTHOR" or unsubscribe from it; room names them in the view of the wire.
void routes_apply (routes_t *self, void *sub, room_t *room, int64_t now_ms);

//  Number of authors followed.
size_t routes_size (routes_t *self);

#endif
