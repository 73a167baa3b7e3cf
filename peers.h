/*  peers.h - the peers we listen to: their addresses, what the user asked for, and what the
    network says about them.

    Shared by the main thread (\connect and \disconnect change the list) and the subscriber
    thread (which carries the changes out on its SUB socket and reports connection states).
    Every function takes the peer lock itself (subscriber.h has the threads and the lock order).
*/
#ifndef PEERS_H_INCLUDED
#define PEERS_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEERS_MAX 256 // peers one chat listens to at most

//  What the subscriber thread knows about a peer's connection
typedef enum {
    PEER_CONNECTING,  //  asked for, no answer yet
    PEER_CONNECTED,   //  the ZeroMQ handshake succeeded
    PEER_UNREACHABLE, //  nothing listens there (yet); libzmq keeps retrying
    PEER_LOST,        //  was connected, the connection broke; libzmq keeps retrying
    PEER_GONE         //  not in the list (anymore)
} peer_state_t;

typedef struct _peers_t peers_t;

//  Create an empty peer list. Returns NULL if out of memory.
peers_t *peers_new (void);

//  Destroy the list; sets *self_p to NULL. Safe twice.
void peers_destroy (peers_t **self_p);

//  Where a peer's address came from: one the user named is retried for ever; one the room
//  found is quiet (no notices) and given up when it does not answer as a chat.
typedef enum {
    PEER_TYPED,    //  the user named it (\connect, -c)
    PEER_LISTENER, //  a chat there listens to us (its ~listen): we listen back
    PEER_FOUND,    //  a beacon on the LAN, or the default port on this machine, names it
    PEER_NAMED     //  a member's heartbeat names it
} peer_origin_t;

#define PEER_QUIET_TRIES 5         // a quiet peer refusing this many attempts is given up
#define PEER_QUIET_ANSWER_MS 10000 // ... as is one with no handshake this long after added
#define PEER_VERIFY_MS                                                                             \
    50000                              // a named peer sends a heartbeat within this of connecting
                                       // (2.5 beats at BEAT_INTERVAL_MAX_MS: in a big room a
                                       // heartbeat asked for may be lost, the next is 20 s on)
#define PEER_FORGET_MS 150000          // a quiet peer lost this long (a crash) is forgotten
#define PEER_PARK_AFTER_MS 30000       // ... lost this long, it is dialled by us, not libzmq: ...
#define PEER_PARK_RETRY_MS 15000       // ... once every this long
#define PEERS_PENDING_MAX 32           // found or named peers not yet verified, at once, at most
#define PEERS_PENDING_PER_SOURCE_MAX 8 // ... of them named by one heartbeat sender or beacon host
#define PEERS_GONE_MAX 256             // endpoints remembered as removed, at most

//  Add a peer and queue its connection: a typed one (quiet false), or one that listens to us
//  (quiet true, as peers_add_found with PEER_LISTENER at the monotonic clock's now). Returns
//  as peers_add_found.
int peers_add (peers_t *self, const char *endpoint, const char *label, bool quiet);

//  Add a peer of origin at now_ms and queue its connection. Every origin but PEER_TYPED makes a
//  quiet peer: no notices about its connection; given up (removed, and remembered so) after
//  PEER_QUIET_TRIES refused attempts or PEER_QUIET_ANSWER_MS without a handshake; retried by
//  libzmq (back-off to SUBSCRIBER_RECONNECT_IVL_MAX_MS) for PEER_PARK_AFTER_MS after its
//  connection broke, then dialled once every PEER_PARK_RETRY_MS (at once when it is added
//  again: someone says it is there), and forgotten PEER_FORGET_MS after it broke unless it is
//  back; removed at once when its member says goodbye (peers_bye). A peer found or named for member
//  id (NULL: none said) must send a heartbeat as that member within PEER_VERIFY_MS of its handshake
//  (peers_heard), or it is dropped. Until then it is pending: at most PEERS_PENDING_MAX at once,
//  and PEERS_PENDING_PER_SOURCE_MAX per source (who named it: the heartbeat's sender "ip:port", the
//  beacon's ip). A quiet peer removed before is refused: what the user disconnected (or what proved
//  not to be a chat) stays away until the user connects to it again; one given up or gone comes
//  back only when it listens to us (PEER_LISTENER) or, if it had left or was forgotten, when a
//  heartbeat comes from it. Returns 0, 1 if it is already in the list (a typed one is no longer
//  quiet), 2 if refused, 3 if too many are pending, -1 if the list is full.
int peers_add_found (peers_t *self, const char *endpoint, const char *label, peer_origin_t origin,
                     const uint8_t *id, const char *source, int64_t now_ms);

//  Remove the peer whose label is label (see peers_remove); with quiet_only, only a quiet one
//  (one the room found, not one the user named). Returns 0, or -1 if none has it.
int peers_remove_label (peers_t *self, const char *label, bool quiet_only);

//  Remove a peer and queue its disconnection. Returns 0, or -1 if it is not in the list.
int peers_remove (peers_t *self, const char *endpoint);

//  A file descriptor that is readable while changes are queued: the subscriber thread polls it,
//  so a change made in any thread wakes it. Owned by the list.
int peers_news_fd (peers_t *self);

//  Take the oldest queued change: copies its endpoint, sets *connect (true: connect, false:
//  disconnect). Returns false when none is queued. Subscriber thread.
bool peers_next_change (peers_t *self, char *endpoint, size_t size, bool *connect);

//  What the subscriber thread's socket monitor saw happen to a peer's connection
typedef enum {
    PEER_EVENT_HANDSHAKE_OK,    //  the ZeroMQ handshake succeeded
    PEER_EVENT_ATTEMPT,         //  libzmq is (re)connecting
    PEER_EVENT_REFUSED,         //  a connection attempt failed; libzmq will retry
    PEER_EVENT_DISCONNECTED,    //  an established connection broke
    PEER_EVENT_HANDSHAKE_FAILED //  something answers, but does not speak chat's ZeroMQ
} peer_event_t;

//  What the user should be told after an event
typedef enum {
    PEER_NEWS_NONE,        //  nothing new
    PEER_NEWS_CONNECTED,   //  "connected to X"
    PEER_NEWS_UNREACHABLE, //  "X does not answer, retrying"
    PEER_NEWS_LOST,        //  "lost the connection to X, retrying"
    PEER_NEWS_NOT_A_CHAT,  //  "X is not a chat": removed from the list
    PEER_NEWS_GIVEN_UP     //  a quiet peer refused PEER_QUIET_TRIES attempts: removed
} peer_news_t;

#define PEER_CUT_OFF_MS 1500 // a lost peer libzmq does not retry within this was cut off

//  Apply an event to endpoint's state at time now_ms; copies its label into label. Returns
//  what to tell the user (PEER_NEWS_NONE for an endpoint not in the list, and for a quiet
//  peer's connection; the caller still sees *state_news, the news before quieting, if given).
//  Subscriber thread.
peer_news_t peers_event (peers_t *self, const char *endpoint, peer_event_t event, int64_t now_ms,
                         char *label, size_t label_size, peer_news_t *state_news);

//  Find a peer lost more than PEER_CUT_OFF_MS before now_ms with no reconnection attempt since:
//  libzmq cut it off for a protocol error (such as a message over ZMQ_MAXMSGSIZE) and will not
//  retry. Removes it from the list and copies its label. Returns false if there is none.
//  Subscriber thread.
bool peers_take_cut_off (peers_t *self, int64_t now_ms, char *label, size_t label_size);

//  True while some lost peer awaits its first reconnection attempt. Subscriber thread.
bool peers_awaiting_retry (peers_t *self);

//  Why a quiet peer was removed
typedef enum {
    PEER_GONE_UNANSWERED, //  no handshake within PEER_QUIET_ANSWER_MS (or PEER_QUIET_TRIES)
    PEER_GONE_UNVERIFIED, //  no heartbeat within PEER_VERIFY_MS of its handshake
    PEER_GONE_WRONG,      //  the heartbeat from it is not the member it was named for
    PEER_GONE_FORGOTTEN,  //  lost PEER_FORGET_MS ago (or silent), not back since
    PEER_GONE_LEFT        //  its member said goodbye
} peer_gone_t;

//  Park the quiet peers lost for long and dial the parked ones due, at now_ms; then find a
//  quiet peer due for removal (unanswered, unverified, forgotten), remove it and queue its
//  disconnection; copies its label and why. Returns false if there is none. Subscriber thread.
bool peers_take_dropped (peers_t *self, int64_t now_ms, char *label, size_t label_size,
                         peer_gone_t *why);

//  When peers_take_dropped has something to do next (monotonic ms), or 0 if never.
int64_t peers_due_ms (peers_t *self);

//  A heartbeat from member id came from label ("ip:port", where its sender listens): the
//  quiet peer there is id's (peers_bye), and no longer silent; named for id, it is verified,
//  named for another member, it is dropped (returns -1). An address there that had left or
//  been forgotten may be added again. Returns 0.
int peers_heard (peers_t *self, const char *label, const uint8_t id[WIRE_SENDER_BYTES]);

//  True when a peer the user named or a beacon found has sent no heartbeat since it last
//  connected: it may be a course peer or a plain ZeroMQ tool, whose lines come in the course's
//  one frame (a chat's come in signed batches).
bool peers_any_unproven (peers_t *self);

//  True when a peer the user named or a beacon found has sent its first heartbeat since the
//  last call (it proved a chat).
bool peers_take_proven (peers_t *self);

//  Member id said goodbye: remove the quiet peer whose heartbeats came as id (a typed one
//  stays). Returns 0, or -1 if there is none.
int peers_bye (peers_t *self, const uint8_t id[WIRE_SENDER_BYTES]);

//  The member heard at label went silent at now_ms (no heartbeat for MEMBER_GONE_MS): a quiet
//  peer there whose connection did not break is forgotten PEER_FORGET_MS later unless heard.
void peers_silent (peers_t *self, const char *label, int64_t now_ms);

//  Copy the labels ("host:port") of the peers (at most max) into labels. Returns the count.
size_t peers_labels (peers_t *self, char (*labels)[ENDPOINT_MAX_BYTES], size_t max);

//  Number of peers in the list.
size_t peers_size (peers_t *self);

//  Copy "label (state)" of each peer, one per line, into out. Returns the number of peers.
size_t peers_describe (peers_t *self, char *out, size_t outsize);

#endif
