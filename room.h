/*  room.h - who is in the room: the members we hear, from their heartbeats, and their state.

    The subscriber thread updates it from heartbeats and goodbyes and asks it who has gone
    silent; the main thread reads it for heartbeats of its own (the members it lists) and for
    \who. Every function takes the room lock itself (subscriber.h has the lock order).
*/
#ifndef ROOM_H_INCLUDED
#define ROOM_H_INCLUDED

#include "limits.h"
#include "control.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOM_MAX 256               // members remembered at most
#define BEAT_INTERVAL_MS 1000      // a heartbeat every second, in a room of up to BEAT_ROOM_SMALL
#define BEAT_ROOM_SMALL 20         // ... members; a bigger room beats every BEAT_PER_MEMBER_MS per
#define BEAT_PER_MEMBER_MS 200     // ... member (each member hears about 5 heartbeats a second)
#define BEAT_INTERVAL_MAX_MS 20000 // ... but at least this often (a vanished machine: keepalive.h)
#define MEMBER_SILENT_MS 2500      // no heartbeat for this long (at 1 s a beat): "silent"
#define MEMBER_GONE_MS                                                                             \
    4000                   // ... for this long: gone ("left", after a crash); a member
                           // whose connection broke is gone this long after its last beat,
                           // whatever its interval
#define BACK_AFTER_MS 3000 // a member that does not hear us this long is dialled back

typedef struct _room_t room_t;

//  What a heartbeat or goodbye means to the user
typedef enum {
    ROOM_NEWS_NONE,    //  nothing new
    ROOM_NEWS_JOINED,  //  a member we did not hear before: "anna joined"
    ROOM_NEWS_RENAMED, //  a member with a new nick
    ROOM_NEWS_LEFT,    //  a member said goodbye or went silent for good: "anna left"
    ROOM_NEWS_TWICE    //  a member we hear at another address already: a second connection
} room_news_t;

//  Create an empty room. Returns NULL if out of memory.
room_t *room_new (void);

//  Destroy the room; sets *self_p to NULL. Safe twice.
void room_destroy (room_t **self_p);

//  A heartbeat from id (nick, sent from address ip, listening on beat->port) at now_ms.
//  Copies the member's display name ("anna", or "anna#3f2a" when two share the nick) into
//  name; for ROOM_NEWS_RENAMED, the name it had before into previous (which may be NULL).
//  Returns what to tell the user.
room_news_t room_heard (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick,
                        const char *ip, const control_beat_t *beat, int64_t now_ms, char *name,
                        size_t name_size, char *previous, size_t previous_size);

//  A heartbeat from id (nick) forwarded by forwarder (routes.h), at now_ms: a member heard
//  only that way is shown "via NAME", at address (where forwarder reaches it; "" if not
//  known). A member heard directly of late keeps its address and how we hear it. Copies its
//  display name into name. Returns ROOM_NEWS_JOINED for a new member, else ROOM_NEWS_NONE.
room_news_t room_heard_via (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick,
                            const uint8_t forwarder[WIRE_SENDER_BYTES], const char *address,
                            const control_beat_t *beat, int64_t now_ms, char *name,
                            size_t name_size);

//  How often a member of a room of size members beats: BEAT_INTERVAL_MS up to BEAT_ROOM_SMALL
//  members, then BEAT_PER_MEMBER_MS per member, at most BEAT_INTERVAL_MAX_MS.
int room_interval_ms (size_t members);

//  ms scaled to a member that beats every every_ms (0: BEAT_INTERVAL_MS): the timeouts
//  above are for 1 s; a member that beats every 5 s is silent after 12.5 s.
int64_t room_scaled_ms (int64_t ms, int every_ms);

//  True when every member says the digest of its list in its heartbeats (so it reads ours,
//  and a heartbeat interval other than 1 s): only then do we send heartbeats without the
//  list, and beat less often than every second (PROTOKOLL.md 21).
bool room_all_read_digests (room_t *self);

//  The digest of the members we hear directly (BLAKE2b-128 of their sorted ids): what our
//  heartbeat says, so that listeners know our list has not changed.
void room_digest (room_t *self, uint8_t digest[CONTROL_DIGEST_BYTES]);

//  The digest of the list member id's heartbeats last carried: remember it (store), or say
//  whether it is the one remembered (returns false for a member or digest not known).
bool room_list_digest (room_t *self, const uint8_t id[WIRE_SENDER_BYTES],
                       const uint8_t digest[CONTROL_DIGEST_BYTES], bool store);

//  What member id's latest heartbeat says of us: it lists us (it hears us; once listed, it
//  stays so), it carries our link (it dialled our back port).
void room_set_links (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], bool lists_us,
                     bool carries_us);

//  The members that do not hear us BACK_AFTER_MS after we first heard them, and that accept
//  connections on a back port: copies the endpoints to dial ("tcp://IP:BACKPORT") and their
//  ids (at most max), and marks them dialled, so each is returned once. Returns the count.
//  Main thread.
size_t room_back_links (room_t *self, int64_t now_ms, char (*endpoints)[ENDPOINT_MAX_BYTES],
                        uint8_t (*ids)[WIRE_SENDER_BYTES], size_t max);

//  A chat at address ("ip:port", its XPUB's) subscribed on our XPUB: it hears us, so it is
//  never dialled back at its back port. Main thread.
void room_set_listening (room_t *self, const char *address);

//  Copy the ids of the members whose back port we dialled (at most max). Returns the count.
size_t room_carried (room_t *self, uint8_t (*ids)[WIRE_SENDER_BYTES], size_t max);

//  The key id's heartbeats are signed with; changed: not the one first seen for its nick, so
//  its name is shown "anna?3f2a" (known.h).
void room_set_key (room_t *self, const uint8_t id[WIRE_SENDER_BYTES],
                   const uint8_t public_key[WIRE_PUBLIC_BYTES], bool changed);

//  Copy member id's key into public_key (and whether it changed, when changed is not NULL).
//  Returns false when it is not a member or its key is not known.
bool room_key (room_t *self, const uint8_t id[WIRE_SENDER_BYTES],
               uint8_t public_key[WIRE_PUBLIC_BYTES], bool *changed);

//  A goodbye from id. Copies the display name. Returns ROOM_NEWS_LEFT, or ROOM_NEWS_NONE for
//  a member we did not know.
room_news_t room_bye (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], char *name,
                      size_t name_size);

//  Tell the room our own nick (at start and after \nick): a member with the same nick is then
//  shown with its id ("anna#3f2a"), so that its lines never look like our own. Main thread.
void room_set_own_nick (room_t *self, const char *nick);

//  Remove one member not heard for MEMBER_GONE_MS (scaled to its interval) before now_ms;
//  copies its display name and address, and how long it was silent (whole seconds) into
//  *silent_s unless NULL. Returns false when there is none.
bool room_expire (room_t *self, int64_t now_ms, char *name, size_t name_size, char *address,
                  size_t address_size, int *silent_s);

//  True when id is a member.
bool room_knows (room_t *self, const uint8_t id[WIRE_SENDER_BYTES]);

//  A chat line from id with nick: copies the name to show it under ("anna", or "anna#3f2a"
//  when another member or we ourselves have that nick) into name. (Which lines are new is for
//  streams.h to say.)
void room_line (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick, char *name,
                size_t name_size);

//  Find the member a user means by name: a nick, or a display name "anna#3f2a". Copies its id
//  and display name. Returns 0, -1 when nobody has that name, 1 when several do.
int room_find (room_t *self, const char *name, uint8_t id[WIRE_SENDER_BYTES], char *display,
               size_t display_size);

//  Copy the display name of member id into name; "?" followed by its id's first hex digits for
//  a sender who is not (or no longer) a member.
void room_name_of (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], char *name, size_t name_size);

//  Fill peers (at most max) with the members we hear directly and where we reach them.
//  Returns the count.
size_t room_list (room_t *self, control_peer_t *peers, size_t max);

//  room_list starting at the member in place first (modulo the room's size): a heartbeat
//  naming a different window each time names every member of a big room in a few beats.
size_t room_list_from (room_t *self, size_t first, control_peer_t *peers, size_t max);

//  Copy the display names of the members (at most max, each NAME_MAX_BYTES + 8 bytes) into
//  names. Returns the count.
size_t room_names (room_t *self, char (*names)[NAME_MAX_BYTES + 8], size_t max);

//  Number of members.
size_t room_size (room_t *self);

//  Mark the member reached at address as reconnecting (its connection broke) or not.
void room_set_reconnecting (room_t *self, const char *address, bool reconnecting);

//  Mark member id as a --plain chat (its heartbeat came from a connection without X-Chatt,
//  PROTOKOLL.md 5: its lines come in the course's one frame) or not. Nothing if unknown.
void room_set_plain (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], bool plain);

//  True when a member we hear directly is a --plain chat.
bool room_any_plain (room_t *self);

//  True when room_set_plain changed a member since the last call.
bool room_take_plain_news (room_t *self);

#define ROOM_DESCRIBE_LINE_MAX_BYTES 768 // a line of \who at most: name, address, channel, state

//  Write one line per member for \who, sorted by display name without regard to case (who.h;
//  the same name by id): name, address, channel, state, each line at most
//  ROOM_DESCRIBE_LINE_MAX_BYTES. Returns the count (fewer than the members if out is full).
size_t room_describe (room_t *self, int64_t now_ms, char *out, size_t outsize);

//  room_describe of the members whose display name matches pattern (who_match: NULL or ""
//  is all). Copies how many match into *matched and the room's size into *total (either may
//  be NULL). Returns the lines written.
size_t room_describe_matching (room_t *self, const char *pattern, int64_t now_ms, char *out,
                               size_t outsize, size_t *matched, size_t *total);

#endif
