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

#define WIRE_VERSION_UNSIGNED 1 // version 1: nothing signed (older chats, tools)
#define WIRE_VERSION 2          // what we send: the sender's key follows the nick
#define WIRE_SENDER_BYTES 16
#define WIRE_PUBLIC_BYTES 32     // an Ed25519 public key
#define WIRE_SESSION_BYTES 16    // random per run: the sender id is derived from key and session
#define WIRE_SIGNATURE_BYTES 64  // an Ed25519 signature
#define WIRE_HASH_BYTES 32       // a BLAKE2b-256 hash: a node of a batch's tree
#define WIRE_PATH_MAX 8          // levels of a batch's tree at most: 2^8 lines
#define WIRE_BATCH_LINES_MAX 256 // lines in one signed batch at most
#define WIRE_META_FIXED_BYTES 34 // version, sender, seq, time, nick length
#define WIRE_META_KEY_BYTES (WIRE_PUBLIC_BYTES + WIRE_SESSION_BYTES) // version 2, after the nick
#define WIRE_META_MAX_BYTES (WIRE_META_FIXED_BYTES + NAME_MAX_BYTES + WIRE_META_KEY_BYTES)
#define WIRE_PROOF_FIXED_BYTES (8 + 2 + WIRE_SIGNATURE_BYTES) // first seq, count, signature
#define WIRE_PROOF_MAX_BYTES (WIRE_PROOF_FIXED_BYTES + WIRE_PATH_MAX * WIRE_HASH_BYTES)
#define WIRE_LINE_META_MAX_BYTES (WIRE_META_MAX_BYTES + WIRE_PROOF_MAX_BYTES)

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
    uint8_t version;                       //  WIRE_VERSION when sent; readers accept any >= 1
    uint8_t sender[WIRE_SENDER_BYTES];     //  id of the sending process (version 2: derived from
                                           //  public_key and session, signing.h checks it)
    uint64_t seq;                          //  per-sender sequence number, from 1
    uint64_t sent_ms;                      //  send time, milliseconds since the Unix epoch
    char nick[NAME_MAX_BYTES + 1];         //  sender's nick, NUL-terminated
    bool keyed;                            //  version 2 or later: the two fields below are set
    uint8_t public_key[WIRE_PUBLIC_BYTES]; //  the sender's Ed25519 key
    uint8_t session[WIRE_SESSION_BYTES];   //  the sender's run
    size_t size;                           //  bytes decoded (34 + n, or 82 + n): a proof follows
} wire_meta_t;

//  A chat line's proof (version 2): the signature of the batch the line was sent in and the
//  line's path up its tree. It follows the metadata of a line kept or passed on.
typedef struct {
    uint64_t first_seq;                           //  the batch's first line
    uint16_t count;                               //  its lines, 1..WIRE_BATCH_LINES_MAX
    uint8_t signature[WIRE_SIGNATURE_BYTES];      //  the author's signature of the batch
    uint8_t path[WIRE_PATH_MAX][WIRE_HASH_BYTES]; //  the siblings up the tree, leaf first
    size_t levels;                                //  how many
} wire_proof_t;

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

//  Write proof after a metadata frame of meta_size bytes in out (outsize in all). Returns the
//  size of both, or -1.
int wire_encode_proof (uint8_t *out, size_t outsize, size_t meta_size, const wire_proof_t *proof);

//  Decode the proof of a line with seq after the metadata (meta_size bytes) in frame. Returns
//  WIRE_OK, or WIRE_BAD_META when it is missing, short or does not fit seq.
wire_error_t wire_decode_proof (const void *frame, size_t size, size_t meta_size, uint64_t seq,
                                wire_proof_t *proof);

//  The levels of the path of line index (from 0) in a batch of count lines: at each level
//  of the tree a node pairs with its neighbour, and the last one, left alone, goes up as it is.
size_t wire_path_levels (size_t index, size_t count);

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
