/*  presence.h - who is here: our heartbeat every BEAT_INTERVAL_MS and our goodbye, and what
    the heartbeats and goodbyes of others mean (joined, renamed, left, who they hear).

    A heartbeat says where its sender listens, the channel it writes to, the seq of its last
    line, and the members it hears with their addresses; whoever hears it connects to those it
    does not hear yet, so joining one member of a room connects you to all of them (the mesh).

    presence_t is our side (main thread, with the publisher); presence_inbox_t hears the others
    (subscriber thread), keeping the room (room.h) and each sender's stream (streams.h) up to
    date and adding the peers the mesh needs (peers.h wakes the subscriber thread for them).
*/
#ifndef PRESENCE_H_INCLUDED
#define PRESENCE_H_INCLUDED

#include "channels.h"
#include "known.h"
#include "peers.h"
#include "publisher.h"
#include "repair.h"
#include "room.h"
#include "routes.h"
#include "streams.h"

#include <stddef.h>
#include <stdint.h>

#define BEAT_FULL_EVERY 10    // a heartbeat lists the members at least every tenth time
#define BEAT_SOON_MS 200      // a heartbeat asked for soon goes this long after the last, at least,
#define BEAT_SOON_SHARE 10    // ... and a tenth of the interval (a room forming: see presence.c)
#define BEAT_WINDOW 24        // members one heartbeat of ours lists at most (a reader takes 64)
#define BEAT_TO_AGAIN_MS 1000 // ... and a second one this long after its first,
#define BEAT_TO_AGAIN_ROOM_MAX 100 // ... in a room of this many at most
#define BEAT_TO_PER_S ROOM_MAX     // heartbeats to one new listener each, a second at most

typedef struct _presence_t presence_t;

//  Create our side: heartbeats through publisher, naming the channel we write to (channels)
//  and the members we hear (room); none owned. Returns NULL if out of memory.
presence_t *presence_new (publisher_t *publisher, channels_t *channels, room_t *room);

//  Destroy it; sets *self_p to NULL. Safe twice.
void presence_destroy (presence_t **self_p);

//  Announce where our SUB socket accepts connections (0: nowhere) in our heartbeats.
void presence_set_back_port (presence_t *self, int back_port);

//  Say in our heartbeats that we are a relay (chat --relay).
void presence_set_relay (presence_t *self, bool relay);

//  Send our heartbeat if it is due at now_ms; first dial the back ports of members that do
//  not hear us (room_back_links). Send the second heartbeats to new listeners that are due
//  (presence_beat_to). Returns when the next of either is due.
int64_t presence_beat (presence_t *self, int64_t now_ms);

//  Make the next heartbeat due at once (a new nick, a new listener).
void presence_beat_soon (presence_t *self);

//  Send a heartbeat, with a window of the members listed, to the new listener to alone, on its
//  private topic (it said "~hello ID", PROTOKOLL.md 21.6), at now_ms, and a second one
//  BEAT_TO_AGAIN_MS later (with who we heard meanwhile). Returns 0, or -1 when BEAT_TO_PER_S
//  went out this second already or it was dropped: then beat soon to all.
int presence_beat_to (presence_t *self, const uint8_t to[WIRE_SENDER_BYTES], int64_t now_ms);

//  Say goodbye: the others say "left" at once rather than after MEMBER_GONE_MS.
void presence_bye (presence_t *self);

typedef struct _presence_inbox_t presence_inbox_t;

//  Create the side that hears the others, on the shared room and peers and the subscriber
//  thread's streams and repairs (none owned); self_id is ours. Returns NULL if out of memory.
presence_inbox_t *presence_inbox_new (room_t *room, peers_t *peers, streams_t *streams,
                                      repair_t *repair, routes_t *routes,
                                      const uint8_t self_id[WIRE_SENDER_BYTES]);

//  Destroy it; sets *self_p to NULL. Safe twice.
void presence_inbox_destroy (presence_inbox_t **self_p);

//  A control message from address (the sender's IP) at now_ms: its topic, its decoded
//  metadata, and its body (NULL if it has none); forwarder is the member that forwarded it
//  (NULL: heard directly). A heartbeat or a goodbye is acted on and told; anything else is
//  ignored.
void presence_inbox_receive (presence_inbox_t *self, const void *topic, size_t topic_size,
                             const wire_meta_t *meta, const void *body, size_t body_size,
                             const char *address, const uint8_t *forwarder, int64_t now_ms);

//  Check the keys heard against known (not owned): a member whose key is not the one first
//  seen for its nick is shown apart and warned of (presence_key_changed).
void presence_inbox_set_known (presence_inbox_t *self, known_t *known);

//  True when the key of meta (signed, version 2) is not the one known (may be NULL) has for
//  its nick; the first time in this run, the user is warned in one line.
bool presence_key_changed (known_t *known, const wire_meta_t *meta);

//  Tell the user about members gone silent for good at now_ms (crashed, or cut off).
void presence_inbox_expire (presence_inbox_t *self, int64_t now_ms);

#endif
