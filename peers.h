/*  peers.h - the peers we listen to: their addresses, what the user asked for, and what the
    network says about them.

    Shared by the main thread (\connect and \disconnect change the list) and the subscriber
    thread (which carries the changes out on its SUB socket and reports connection states).
    Every function takes the peer lock itself; never call one while holding the terminal lock's
    inner locks (see term.h for the lock order).
*/
#ifndef PEERS_H_INCLUDED
#define PEERS_H_INCLUDED

#include "chat.h"

#include <stdbool.h>
#include <stddef.h>

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

//  Add a peer and queue its connection. Returns 0, 1 if it is already in the list, -1 if the
//  list is full.
int peers_add (peers_t *self, const char *endpoint, const char *label);

//  Remove a peer and queue its disconnection. Returns 0, or -1 if it is not in the list.
int peers_remove (peers_t *self, const char *endpoint);

//  Take the oldest queued change: copies its endpoint, sets *connect (true: connect, false:
//  disconnect). Returns false when none is queued. Subscriber thread.
bool peers_next_change (peers_t *self, char *endpoint, size_t size, bool *connect);

//  Record a new state for endpoint and copy its label into label. Returns the previous state,
//  or PEER_GONE if the endpoint is not in the list. Subscriber thread.
peer_state_t peers_set_state (peers_t *self, const char *endpoint, peer_state_t state,
                              char *label, size_t label_size);

//  Number of peers in the list.
size_t peers_size (peers_t *self);

//  Copy "label (state)" of each peer, one per line, into out. Returns the number of peers.
size_t peers_describe (peers_t *self, char *out, size_t outsize);

#endif
