/*  discovery.c - LAN discovery with czmq's zbeacon.

    A beacon is 23 bytes: "CHAT", version 1, the port (2 bytes, big-endian), the sender id.
    zbeacon drops beacons identical to our own, and we drop any with our id.
*/
#include "discovery.h"
#include "term.h"

#define BEACON_MAGIC "CHAT\x01" // prefix and version of every beacon
#define BEACON_MAGIC_BYTES 5    // its length
#define BEACON_BYTES (BEACON_MAGIC_BYTES + 2 + WIRE_SENDER_BYTES)
#define BEACON_INTERVAL_MS 1000 // one beacon a second

struct _discovery_t {
    zactor_t *beacon;              //  czmq's zbeacon actor
    uint8_t id[WIRE_SENDER_BYTES]; //  our sender id
};

discovery_t *
discovery_start (int port, const uint8_t id[WIRE_SENDER_BYTES])
{
    discovery_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    memcpy (self->id, id, WIRE_SENDER_BYTES);
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
    uint8_t beacon[BEACON_BYTES];
    memcpy (beacon, BEACON_MAGIC, BEACON_MAGIC_BYTES);
    beacon[5] = (uint8_t) (port >> 8), beacon[6] = (uint8_t) (port & 0xFF);
    memcpy (beacon + 7, id, WIRE_SENDER_BYTES);
    zsock_send (self->beacon, "sbi", "PUBLISH", beacon, sizeof beacon, BEACON_INTERVAL_MS);
    zsock_send (self->beacon, "sb", "SUBSCRIBE", BEACON_MAGIC, (size_t) BEACON_MAGIC_BYTES);
    return self;
}

void
discovery_destroy (discovery_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zactor_destroy (&(*self_p)->beacon);
    free (*self_p);
    *self_p = NULL;
}

void *
discovery_socket (discovery_t *self)
{
    return zactor_resolve (self->beacon);
}

int
discovery_read (discovery_t *self, char *ip, size_t ip_size, int *port,
                uint8_t id[WIRE_SENDER_BYTES])
{
    zmsg_t *msg = zmsg_recv (self->beacon);
    char *sender = msg ? zmsg_popstr (msg) : NULL;
    zframe_t *data = msg ? zmsg_pop (msg) : NULL;
    int rc = -1;
    if (sender && data && zframe_size (data) == BEACON_BYTES &&
        memcmp (zframe_data (data), BEACON_MAGIC, BEACON_MAGIC_BYTES) == 0) {
        const uint8_t *beacon = zframe_data (data);
        *port = beacon[5] << 8 | beacon[6];
        memcpy (id, beacon + 7, WIRE_SENDER_BYTES);
        int written = snprintf (ip, ip_size, "%s", sender);
        if (*port > 0 && memcmp (id, self->id, WIRE_SENDER_BYTES) != 0 && written > 0 &&
            (size_t) written < ip_size)
            rc = 0;
    }
    zframe_destroy (&data);
    zstr_free (&sender);
    zmsg_destroy (&msg);
    return rc;
}
