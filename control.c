/*  control.c - control traffic: heartbeats, goodbyes, and "~listen PORT" subscriptions.

    A heartbeat body is text, one "key value" per line, so it reads well in a capture:
        port 5557
        channel buddy
        peer 3f2a...(32 hex digits) 192.0.2.7:5558
    Readers ignore keys they do not know, so later versions can add some.
*/
#include "control.h"
#include "address.h"
#include "text.h"

#include <czmq.h>
#include <stdio.h>
#include <string.h>

//  Write id as 32 lowercase hex digits plus NUL into out.
static void
s_hex (const uint8_t id[WIRE_SENDER_BYTES], char out[2 * WIRE_SENDER_BYTES + 1])
{
    for (int i = 0; i < WIRE_SENDER_BYTES; i++)
        snprintf (out + 2 * i, 3, "%02x", id[i]);
}

//  Read 32 hex digits into id. Returns 0, or -1 if s is not exactly that.
static int
s_unhex (const char *s, size_t size, uint8_t id[WIRE_SENDER_BYTES])
{
    if (size != 2 * WIRE_SENDER_BYTES)
        return -1;
    for (int i = 0; i < WIRE_SENDER_BYTES; i++) {
        unsigned value = 0;
        for (int j = 0; j < 2; j++) {
            char c = s[2 * i + j];
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return -1;
            value = value * 16 + (unsigned) digit;
        }
        id[i] = (uint8_t) value;
    }
    return 0;
}

int
control_encode_beat (char *out, size_t outsize, const control_beat_t *beat)
{
    size_t used = 0;
    if (outsize)
        out[0] = 0;
    if (text_append (out, outsize, &used, "port %d\nchannel %s\n", beat->port, beat->channel))
        return -1;
    for (size_t i = 0; i < beat->peer_count && i < CONTROL_PEERS_MAX; i++) {
        char hex[2 * WIRE_SENDER_BYTES + 1];
        s_hex (beat->peers[i].id, hex);
        if (text_append (out, outsize, &used, "peer %s %s\n", hex, beat->peers[i].address))
            return -1;
    }
    return (int) used;
}

//  True when address is "host:port" or "[v6]:port" with a numeric host and a valid port.
static bool
s_address_valid (const char *address)
{
    char host[HOST_MAX_BYTES];
    int port;
    const char *why;
    size_t size = strlen (address);
    return size > 0 && size < ENDPOINT_MAX_BYTES && strchr (address, ':') &&
           strspn (address, "0123456789abcdefABCDEF.:[]") == size &&
           address_parse (address, host, sizeof host, &port, &why) == 0;
}

int
control_decode_beat (const void *body, size_t size, control_beat_t *beat)
{
    memset (beat, 0, sizeof *beat);
    beat->port = -1;
    if (size > CONTROL_BODY_MAX_BYTES)
        return -1;
    const char *line = body, *end = line + size;
    while (line < end) {
        const char *newline = memchr (line, '\n', (size_t) (end - line));
        size_t length = newline ? (size_t) (newline - line) : (size_t) (end - line);
        char text[256];
        if (length >= sizeof text)
            return -1;
        memcpy (text, line, length);
        text[length] = 0;
        char *value = strchr (text, ' ');
        if (value)
            *value++ = 0;
        if (value && streq (text, "port"))
            beat->port = address_port_parse (value);
        else if (value && streq (text, "channel")) {
            if (!wire_channel_valid (value, strlen (value)))
                return -1;
            snprintf (beat->channel, sizeof beat->channel, "%s", value);
        } else if (value && streq (text, "peer") && beat->peer_count < CONTROL_PEERS_MAX) {
            char *address = strchr (value, ' ');
            control_peer_t *peer = &beat->peers[beat->peer_count];
            if (!address || s_unhex (value, (size_t) (address - value), peer->id) ||
                !s_address_valid (address + 1))
                return -1;
            snprintf (peer->address, sizeof peer->address, "%s", address + 1);
            beat->peer_count++;
        }
        line += length + 1;
    }
    return beat->port > 0 ? 0 : -1;
}

int
control_encode_listen (char *out, size_t outsize, int port)
{
    int size = snprintf (out, outsize, "%s%d", CONTROL_LISTEN, port);
    return size < 0 || (size_t) size >= outsize ? -1 : size;
}

int
control_decode_listen (const void *topic, size_t size)
{
    size_t prefix = strlen (CONTROL_LISTEN);
    char port[8];
    if (size <= prefix || size - prefix >= sizeof port || memcmp (topic, CONTROL_LISTEN, prefix))
        return -1;
    memcpy (port, (const char *) topic + prefix, size - prefix);
    port[size - prefix] = 0;
    return address_port_parse (port);
}
