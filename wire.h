/*  wire.h - the chat wire format: encoding and decoding of the two frames of a message.

    Frame 1 is what the course's Python solution sends: "<kanal>> <text>". Frame 2 (optional)
    is our metadata. PROTOKOLL.md is the specification; this is its only implementation.
    Pure functions, no state, safe from any thread; decoders never trust their input.
*/
#ifndef WIRE_H_INCLUDED
#define WIRE_H_INCLUDED

#include "limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1
#define WIRE_SENDER_BYTES 16
#define WIRE_META_FIXED_BYTES 34 // version, sender, seq, time, nick length
#define WIRE_META_MAX_BYTES (WIRE_META_FIXED_BYTES + NAME_MAX_BYTES)

//  Why a frame was refused
typedef enum {
    WIRE_OK = 0,
    WIRE_NO_SEPARATOR, //  frame 1 has no "> " after a channel name
    WIRE_BAD_CHANNEL,  //  the channel name breaks the naming rules
    WIRE_TOO_LONG,     //  the text is longer than TEXT_MAX_BYTES
    WIRE_CONTROL,      //  the topic is control traffic, not a chat line
    WIRE_BAD_META,     //  frame 2 is truncated or has a bad version
    WIRE_BAD_NICK      //  frame 2 carries a nick that breaks the naming rules
} wire_error_t;

//  Frame 1, decoded. text points into the decoded frame and is not NUL-terminated.
typedef struct {
    char channel[NAME_MAX_BYTES + 1]; //  channel name, NUL-terminated
    const char *text;                 //  message text, inside the frame
    size_t text_size;                 //  its length in bytes
} wire_line_t;

//  Frame 2, decoded or to encode.
typedef struct {
    uint8_t version;                   //  WIRE_VERSION when sent; readers accept any >= 1
    uint8_t sender[WIRE_SENDER_BYTES]; //  random id of the sending process
    uint64_t seq;                      //  per-sender sequence number, from 1
    uint64_t sent_ms;                  //  send time, milliseconds since the Unix epoch
    char nick[NAME_MAX_BYTES + 1];     //  sender's nick, NUL-terminated
} wire_meta_t;

//  Write frame 1 for channel and text into out. Returns its size, or -1 if the channel is not
//  valid, the text is too long, or out is too small.
int wire_encode_line (char *out, size_t outsize, const char *channel, const char *text,
                      size_t text_size);

//  Decode frame 1. Returns WIRE_OK and fills line, or the reason it was refused.
wire_error_t wire_decode_line (const void *frame, size_t size, wire_line_t *line);

//  Write frame 2 into out. Returns its size, or -1 if the nick is not valid or out too small.
int wire_encode_meta (uint8_t *out, size_t outsize, const wire_meta_t *meta);

//  Decode frame 2. Returns WIRE_OK and fills meta, or the reason it was refused.
wire_error_t wire_decode_meta (const void *frame, size_t size, wire_meta_t *meta);

//  True when s is a valid channel name.
bool wire_channel_valid (const char *s, size_t size);

//  True when s is a valid nick (a channel name's characters plus '.').
bool wire_nick_valid (const char *s, size_t size);

//  True when a public topic (a channel line, or control traffic) may start with byte: what a
//  chat subscribes to instead of everything, so private topics ("!...") are not among it.
bool wire_topic_start (unsigned char byte);

//  A short English description of error, for gettext.
const char *wire_strerror (wire_error_t error);

#endif
