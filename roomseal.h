/*  roomseal.h - a locked room's lines, sealed end to end with the room's content key, so that a
    relay (chat --relay) can check who wrote a line and pass it on without reading it.

    The content key is derived from the Argon2id seed of the passphrase (roomlock.h) with
    libsodium's crypto_kdf_derive_from_key, context ROOMSEAL_CONTEXT and subkey id
    ROOMSEAL_SUBKEY_ID: a BLAKE2b of its own, so it tells nothing of the room's CURVE key pair
    (crypto_box_seed_keypair of the same seed) and that tells nothing of it.

    A sealed line replaces frame 1 ("kanal> text") in a batch of lines and wherever a line is
    kept or passed on; the author signs the sealed bytes (signing.h), so anyone can check the
    signature and only the room can read the line:

        ROOMSEAL_MARKER (2) | nonce (24, random) | crypto_secretbox_easy (key, nonce,
                                                   seq (8, big-endian) | sender (16) | line)

    The marker starts with '~', which no line frame can start with (a channel name never holds
    it, wire.h), so every reader of any version takes a sealed line for control traffic, never
    for text; its second byte, 0x01, is the seal's version. seq and sender inside must be the
    ones of the signed metadata: a sealed line moved to another seq or sender does not open.

    Pure functions on a key that is not changed after roomseal_new: safe from any thread.
*/
#ifndef ROOMSEAL_H_INCLUDED
#define ROOMSEAL_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMSEAL_SEED_BYTES 32      // the Argon2id seed (crypto_kdf_KEYBYTES)
#define ROOMSEAL_KEY_BYTES 32       // the content key (crypto_secretbox_KEYBYTES)
#define ROOMSEAL_CONTEXT "chatroom" // crypto_kdf context, exactly 8 bytes
#define ROOMSEAL_SUBKEY_ID 1        // crypto_kdf subkey id of the content key
#define ROOMSEAL_MARKER "~\x01"     // a sealed line's first bytes: '~', seal version 1
#define ROOMSEAL_MARKER_BYTES 2
#define ROOMSEAL_NONCE_BYTES 24                          // crypto_secretbox_NONCEBYTES
#define ROOMSEAL_MAC_BYTES 16                            // crypto_secretbox_MACBYTES
#define ROOMSEAL_SENDER_BYTES 16                         // WIRE_SENDER_BYTES
#define ROOMSEAL_INNER_BYTES (8 + ROOMSEAL_SENDER_BYTES) // seq and sender, inside the box
#define ROOMSEAL_LINE_MAX_BYTES FRAME_MAX_BYTES          // the longest line frame sealed
#define ROOMSEAL_OVERHEAD_BYTES                                                                    \
    (ROOMSEAL_MARKER_BYTES + ROOMSEAL_NONCE_BYTES + ROOMSEAL_MAC_BYTES + ROOMSEAL_INNER_BYTES)
#define ROOMSEAL_SEALED_MAX_BYTES (ROOMSEAL_OVERHEAD_BYTES + ROOMSEAL_LINE_MAX_BYTES)

typedef struct _roomseal_t roomseal_t;

//  Why a sealed line did not open
typedef enum {
    ROOMSEAL_OK = 0,
    ROOMSEAL_NOT_SEALED, //  it does not start with ROOMSEAL_MARKER: a plain line (or another
                         //  seal version)
    ROOMSEAL_BAD_SIZE,   //  shorter than a sealed empty line, or longer than the longest
    ROOMSEAL_FORGED,     //  the box does not open: another room's key, or changed on the way
    ROOMSEAL_MISMATCH,   //  it opens, but its seq or sender is not the metadata's: moved
    ROOMSEAL_NO_ROOM     //  the caller's buffer is too small for the line
} roomseal_error_t;

//  Derive the content key from seed (the Argon2id seed of the passphrase). Returns NULL if
//  out of memory or libsodium cannot start.
roomseal_t *roomseal_new (const uint8_t seed[ROOMSEAL_SEED_BYTES]);

//  Destroy it, wiping the key; sets *self_p to NULL. Safe twice.
void roomseal_destroy (roomseal_t **self_p);

//  Seal line (line_size bytes, 1..ROOMSEAL_LINE_MAX_BYTES: frame 1, "kanal> text"), our chat
//  line seq (> 0) from sender, into out with a fresh random nonce. Returns the sealed size
//  (line_size + ROOMSEAL_OVERHEAD_BYTES), or -1 if a size is out of bounds or seq is 0.
int roomseal_seal (const roomseal_t *self, uint64_t seq,
                   const uint8_t sender[ROOMSEAL_SENDER_BYTES], const void *line, size_t line_size,
                   uint8_t *out, size_t outsize);

//  Open sealed (sealed_size bytes, from the network), which the signed metadata says is line
//  seq from sender: writes the line into out (outsize bytes, not NUL-terminated) and its size
//  into *line_size. Returns ROOMSEAL_OK, or why not (then out and *line_size are untouched).
roomseal_error_t roomseal_open (const roomseal_t *self, uint64_t seq,
                                const uint8_t sender[ROOMSEAL_SENDER_BYTES], const void *sealed,
                                size_t sealed_size, void *out, size_t outsize, size_t *line_size);

//  True when frame (size bytes) starts with ROOMSEAL_MARKER: a sealed line, to open, not read.
bool roomseal_is_sealed (const void *frame, size_t size);

//  A short English description of error, for gettext.
const char *roomseal_strerror (roomseal_error_t error);

//  Read frame (size bytes: frame 1 of the line of seq by sender, whose signature holds) into
//  line. An open room's (locked false) is plain, "kanal> text". A locked room's must be sealed:
//  it is opened with content into opened (opened_size bytes, FRAME_MAX_BYTES is enough), and
//  line points into it; without content (a relay) it stays unread: *unread is set, and line is
//  the channel "~", which no member reads, with no text. Returns NULL, or why the line is
//  refused (an English reason for gettext).
const char *roomseal_read_line (const roomseal_t *content, bool locked, uint64_t seq,
                                const uint8_t sender[ROOMSEAL_SENDER_BYTES], const void *frame,
                                size_t size, wire_line_t *line, char *opened, size_t opened_size,
                                bool *unread);

#endif
