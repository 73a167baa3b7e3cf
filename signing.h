/*  signing.h - protocol version 2: every message is signed by its author (PROTOKOLL.md §19).

    Two ways, both Ed25519 (libsodium) with the key the metadata frame carries, whose sender id
    must be derived from that key (identity.h):
    - a signed message (heartbeat, goodbye, a message for one peer): its last frame is the
      signature of a BLAKE2b-256 hash of all the frames before it;
    - a batch of chat lines: the lines are the leaves of a hash tree, and the author signs the
      batch's metadata with the tree's root, once for up to WIRE_BATCH_LINES_MAX lines. Each
      line can then be passed on alone, with its path up the tree (its proof, wire.h), and
      still prove who wrote it: resent lines and history keep their author's signature.

    Pure functions and caller-owned state; safe from any thread.
*/
#ifndef SIGNING_H_INCLUDED
#define SIGNING_H_INCLUDED

#include "identity.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGNING_BATCH_BYTES_MAX (32 * 1024) // a batch's body: what one message carries at most

//  One chat line of a batch: frame 1 as it travels, "kanal> text"
typedef struct {
    const uint8_t *data; //  its bytes
    size_t size;         //  how many
} signing_line_t;

//  A batch's tree, built by the sender or by a receiver checking it
typedef struct {
    uint8_t meta[WIRE_META_MAX_BYTES];                        //  the batch's metadata frame
    size_t meta_size;                                         //  its size
    uint64_t first_seq;                                       //  seq of its first line
    size_t count;                                             //  its lines
    uint8_t nodes[2 * WIRE_BATCH_LINES_MAX][WIRE_HASH_BYTES]; //  the tree, leaves first
    size_t level_start[WIRE_PATH_MAX + 2];                    //  where each level begins
    size_t levels;                                            //  levels, leaves included
    uint8_t signature[WIRE_SIGNATURE_BYTES];                  //  the author's, of the root
} signing_batch_t;

//  The last signature that verified, so the lines of one batch passed on together (history)
//  cost one verification
typedef struct {
    uint8_t public_key[WIRE_PUBLIC_BYTES];   //  whose
    uint8_t digest[WIRE_HASH_BYTES];         //  what it signed
    uint8_t signature[WIRE_SIGNATURE_BYTES]; //  the signature
    bool valid;                              //  set
} signing_cache_t;

//  True when meta is version 2 with a key, and its sender id is derived from it.
bool signing_meta_valid (const wire_meta_t *meta);

//  Sign a message of count frames into signature (its last frame).
void signing_sign_frames (const identity_t *identity, const void *const *frames,
                          const size_t *sizes, size_t count,
                          uint8_t signature[WIRE_SIGNATURE_BYTES]);

//  True when signature (signature_size bytes, the message's last frame) is meta's sender's
//  signature of the count frames before it, and meta is valid (signing_meta_valid).
bool signing_verify_frames (const wire_meta_t *meta, const void *const *frames, const size_t *sizes,
                            size_t count, const void *signature, size_t signature_size);

//  Write a batch's body: each line as a 2-byte big-endian size and its bytes. Returns the size,
//  or -1 if out is too small.
int signing_encode_body (uint8_t *out, size_t outsize, const signing_line_t *lines, size_t count);

//  Read a batch's body into lines (max at most). Returns the count, or -1 if it is malformed
//  (a size past the end, an empty line, more than max lines).
int signing_decode_body (const void *body, size_t size, signing_line_t *lines, size_t max);

//  Build the tree of a batch: its metadata frame (meta, meta_size; its seq is first_seq) and
//  count lines (1..WIRE_BATCH_LINES_MAX). Returns 0, or -1 if out of bounds.
int signing_batch_build (signing_batch_t *batch, const void *meta, size_t meta_size,
                         uint64_t first_seq, const signing_line_t *lines, size_t count);

//  Sign a built batch with identity (fills batch->signature).
void signing_batch_sign (signing_batch_t *batch, const identity_t *identity);

//  True when signature (signature_size bytes) is public_key's signature of the built batch;
//  it is then kept in batch->signature.
bool signing_batch_verify (signing_batch_t *batch, const uint8_t public_key[WIRE_PUBLIC_BYTES],
                           const void *signature, size_t signature_size);

//  Write line index's metadata with its proof (what a line kept or passed on carries) into out.
//  Returns its size, or -1.
int signing_line_meta (const signing_batch_t *batch, size_t index, uint8_t *out, size_t outsize);

//  True when a line passed on alone (frame 1, and its metadata with a proof: meta_frame,
//  decoded into meta) is meta's sender's: the path leads to a root its sender signed. cache
//  (may be NULL) spares verifying the same signature again.
bool signing_line_verify (const wire_meta_t *meta, const void *meta_frame, size_t meta_size,
                          const void *line, size_t line_size, signing_cache_t *cache);

#endif
