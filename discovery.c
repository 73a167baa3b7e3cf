/*  discovery.c - LAN discovery with czmq's zbeacon.

    A beacon is "CHAT", a version, the port (2 bytes, big-endian) and the sender id: 23 bytes
    for version 1, an open room. Version 2 adds one byte of flags (bit 0: the room is locked),
    so an open chat and a locked one never try to connect to each other; it carries nothing
    derived from the key, so a beacon gives no way to test passphrases. zbeacon drops beacons
    identical to our own, and we drop any with our id.
*/
#include "i18n.h"
#include "discovery.h"
#include "term.h"
#include "text.h"

#define BEACON_MAGIC "CHAT"                                       // prefix of every beacon
#define BEACON_MAGIC_BYTES 4                                      // its length
#define BEACON_BYTES (BEACON_MAGIC_BYTES + 3 + WIRE_SENDER_BYTES) // version 1
#define BEACON_LOCKED 0x01                                        // flag: the room is locked
#define BEACON_INTERVAL_MS 1000                                   // one beacon a second

struct _discovery_t {
    zactor_t *beacon;              //  czmq's zbeacon actor
    uint8_t id[WIRE_SENDER_BYTES]; //  our sender id
    bool locked;                   //  our room is locked
};

discovery_t *
discovery_start (int port, const uint8_t id[WIRE_SENDER_BYTES], bool locked)
{
    discovery_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    memcpy (self->id, id, WIRE_SENDER_BYTES);
    self->locked = locked;
    self->beacon = zactor_new (zbeacon, NULL);
    if (!self->beacon) {
        discovery_destroy (&self);
        return NULL;
    }
    zsock_send (self->beacon, "si", "CONFIGURE", BEACON_PORT);
    char *hostname = zstr_recv (self->beacon);
    if (!hostname || !*hostname) {
        term_notice (_ ("no network to find other chats on (LAN discovery is off); \\connect "
                        "works"));
        zstr_free (&hostname);
        discovery_destroy (&self);
        return NULL;
    }
    zstr_free (&hostname);
    uint8_t beacon[BEACON_BYTES + 1];
    memcpy (beacon, BEACON_MAGIC, BEACON_MAGIC_BYTES);
    beacon[4] = locked ? 2 : 1;
    beacon[5] = (uint8_t) (port >> 8), beacon[6] = (uint8_t) (port & 0xFF);
    memcpy (beacon + 7, id, WIRE_SENDER_BYTES);
    beacon[BEACON_BYTES] = BEACON_LOCKED;
    zsock_send (self->beacon, "sbi", "PUBLISH", beacon, BEACON_BYTES + (locked ? 1 : 0),
                BEACON_INTERVAL_MS);
    zsock_send (self->beacon, "sb", "SUBSCRIBE", BEACON_MAGIC, (size_t) BEACON_MAGIC_BYTES);
    return self;
}

void
discovery_destroy (discovery_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zactor_destroy (&(*self_p)->beacon);
    freen (*self_p);
}

void *
discovery_socket (discovery_t *self)
{
    return zactor_resolve (self->beacon);
}

//  True when beacon (size bytes) is a chat's, in a room as locked as ours: version 1 is an open
//  room; version 2 says in its flags whether it is locked.
static bool
s_ours (discovery_t *self, const uint8_t *beacon, size_t size)
{
    if (size < BEACON_BYTES || memcmp (beacon, BEACON_MAGIC, BEACON_MAGIC_BYTES) != 0)
        return false;
    bool v1 = size == BEACON_BYTES && beacon[4] == 1;
    bool v2 = size >= BEACON_BYTES + 1 && beacon[4] == 2;
    bool locked = v2 && (beacon[BEACON_BYTES] & BEACON_LOCKED);
    return (v1 || v2) && locked == self->locked;
}

int
discovery_read (discovery_t *self, char *ip, size_t ip_size, int *port,
                uint8_t id[WIRE_SENDER_BYTES])
{
    zmsg_t *msg = zmsg_recv (self->beacon);
    char *sender = msg ? zmsg_popstr (msg) : NULL;
    zframe_t *data = msg ? zmsg_pop (msg) : NULL;
    int rc = -1;
    if (sender && data && s_ours (self, zframe_data (data), zframe_size (data))) {
        const uint8_t *beacon = zframe_data (data);
        *port = beacon[5] << 8 | beacon[6];
        memcpy (id, beacon + 7, WIRE_SENDER_BYTES);
        if (*port > 0 && memcmp (id, self->id, WIRE_SENDER_BYTES) != 0 &&
            text_copy (ip, ip_size, sender) == 0)
            rc = 0;
    }
    zframe_destroy (&data);
    zstr_free (&sender);
    zmsg_destroy (&msg);
    return rc;
}
