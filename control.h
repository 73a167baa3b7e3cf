/*  control.h - control traffic: heartbeats, goodbyes, and the subscription that says where a
    listener can be reached. Pure encoding and decoding, safe from any thread.

    Control messages travel on topics that start with CONTROL_PREFIX ("~"), which no channel
    name can start with, so the course's peers (subscribed to a channel name) never see them.
    A control message has three frames: the topic ("~beat" or "~bye"), the metadata frame of
    wire.h (seq 0), and a text body of "key value" lines. PROTOKOLL.md specifies them.
*/
#ifndef CONTROL_H_INCLUDED
#define CONTROL_H_INCLUDED

#include "chat.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_BEAT CONTROL_PREFIX "beat"      // "here I am", every BEAT_INTERVAL_MS
#define CONTROL_BYE CONTROL_PREFIX "bye"        // "I am leaving", at a clean quit
#define CONTROL_LISTEN CONTROL_PREFIX "listen " // subscription: "I listen to you from PORT"
#define CONTROL_PEERS_MAX 64                    // members one heartbeat lists at most
#define CONTROL_BODY_MAX_BYTES 8192             // longest control body

//  A member of the room as a heartbeat lists it
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];    //  its sender id
    char address[ENDPOINT_MAX_BYTES]; //  "host:port" where the sender of the beat reaches it
} control_peer_t;

//  The body of a heartbeat
typedef struct {
    int port;                                //  where the sender listens (its XPUB port)
    char channel[NAME_MAX_BYTES + 1];        //  the channel it writes to
    control_peer_t peers[CONTROL_PEERS_MAX]; //  the members it hears
    size_t peer_count;                       //  how many
} control_beat_t;

//  Write a heartbeat body into out. Returns its size, or -1 if out is too small.
int control_encode_beat (char *out, size_t outsize, const control_beat_t *beat);

//  Decode a heartbeat body; unknown lines are ignored, bad ones refuse the whole body. Returns
//  0, or -1 if it is malformed (no valid port, a bad channel, a bad peer line, too long).
int control_decode_beat (const void *body, size_t size, control_beat_t *beat);

//  Write the subscription topic "~listen PORT" into out. Returns its size, or -1.
int control_encode_listen (char *out, size_t outsize, int port);

//  Decode a subscription topic (without its leading 0x01/0x00 byte) as "~listen PORT".
//  Returns the port, or -1 if it is not one.
int control_decode_listen (const void *topic, size_t size);

#endif
