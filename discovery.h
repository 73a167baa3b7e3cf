/*  discovery.h - LAN discovery: czmq's zbeacon broadcasts our port and sender id on UDP
    BEACON_PORT every second, and hears the beacons of other chats. Main thread only.
*/
#ifndef DISCOVERY_H_INCLUDED
#define DISCOVERY_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <czmq.h>

typedef struct _discovery_t discovery_t;

//  Start broadcasting port, id and whether the room is locked, and listening for other chats
//  (only those as locked as we are: an open chat never tries a locked one). Where no interface can
//  broadcast, prints one line and returns NULL; NULL also if the beacon cannot start.
discovery_t *discovery_start (int port, const uint8_t id[WIRE_SENDER_BYTES], bool locked);

//  Stop; sets *self_p to NULL. Safe twice.
void discovery_destroy (discovery_t **self_p);

//  The socket to poll for beacons.
void *discovery_socket (discovery_t *self);

//  Read one beacon. Returns 0 and fills ip (the sender's address), port and id for a chat
//  other than us in a room as locked as ours, or -1 for our own beacon, one of a room locked
//  differently, or one that is not a chat's.
int discovery_read (discovery_t *self, char *ip, size_t ip_size, int *port,
                    uint8_t id[WIRE_SENDER_BYTES]);

#endif
