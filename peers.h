/*  peers.h - the peers we listen to: their addresses, what the user asked for, and what the
    network says about them.

    Shared by the main thread (\connect and \disconnect change the list) and the subscriber
    thread (which carries the changes out on its SUB socket and reports connection states).
    Every function takes the peer lock itself (subscriber.h has the threads and the lock order).
*/
#ifndef PEERS_H_INCLUDED
#define PEERS_H_INCLUDED

#include "limits.h"

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

//  Add a peer and queue its connection. A quiet peer (found by the room itself, not named by
//  the user) gets no notices about its connection, and is refused if it was removed before:
//  what the user disconnected (or what proved not to be a chat) stays away until the user
//  connects to it again. Returns 0, 1 if it is already in the list, 2 if refused, -1 if the
//  list is full.
int peers_add (peers_t *self, const char *endpoint, const char *label, bool quiet);

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
    PEER_NEWS_NOT_A_CHAT   //  "X is not a chat": removed from the list
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

//  Copy the labels ("host:port") of the peers (at most max) into labels. Returns the count.
size_t peers_labels (peers_t *self, char (*labels)[ENDPOINT_MAX_BYTES], size_t max);

//  Number of peers in the list.
size_t peers_size (peers_t *self);

//  Copy "label (state)" of each peer, one per line, into out. Returns the number of peers.
size_t peers_describe (peers_t *self, char *out, size_t outsize);

#endif
