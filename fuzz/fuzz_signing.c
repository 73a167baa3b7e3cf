/*  fuzz_signing.c - libFuzzer target: signed batches of chat lines and their proofs
    (signing.h), as received and as signed.

    The input is three frames separated by FRAME_SEPARATOR, "\xFF||\xFF" (the last takes the
    rest): a line's metadata with its proof, a batch's body, and changes. Each is copied into a
    heap block of exactly its size, so ASan sees a read past its end.

    As received: the metadata and its proof decode within their limits and encode back to the
    same bytes; signing_line_verify of it with the body's first line (or the body whole, when it
    does not decode) gives the same verdict with a cache as without, twice (the second time from
    the cache, if it verified); the body decodes into lines that encode back to it.

    As signed: the body's lines, under the metadata's nick, seq and time but with the fuzzer's
    own key, are built into a batch and signed; a receiver's tree of them verifies, and each
    line tried (the first, the last, and one the changes pick) verifies alone with its proof,
    without a cache and with one. Then the changes, up to CHANGES_MAX of 3 bytes each: a
    position (2 bytes, big-endian, modulo the size) in the line's metadata and proof followed by
    the line, and a byte XORed there, or, when it is 0, the byte there cut out. Whatever they
    change, the line must no longer verify, without a cache and with the one the good lines
    primed.

    Invariants trap (see fuzz_check.h); the identity is a throwaway one made for the run.
*/
#include "identity.h"
#include "signing.h"
#include "wire.h"

#include "fuzz_check.h"
#include "fuzz_twin.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES_MAX 3                 // metadata and proof, body, changes
#define FRAME_SEPARATOR "\xFF||\xFF" // between them
#define CHANGES_MAX 8                // changes applied at most
#define CHANGE_BYTES 3               // position (2) and byte (1)
#define LINE_FRAME_MAX_BYTES 0xFFFF  // a line of a batch at most: its size takes 2 bytes
#define SIGNED_MAX_BYTES (WIRE_LINE_META_MAX_BYTES + LINE_FRAME_MAX_BYTES) // metadata + line

//  True when the line (line_size bytes) passed on with its metadata and proof (meta_size
//  bytes), each copied into a heap block of its own, verifies, with cache or without (NULL).
static bool
s_verifies (const uint8_t *meta, size_t meta_size, const uint8_t *line, size_t line_size,
            signing_cache_t *cache)
{
    uint8_t *meta_copy = malloc (meta_size ? meta_size : 1);
    uint8_t *line_copy = malloc (line_size ? line_size : 1);
    FUZZ_CHECK (meta_copy && line_copy);
    memcpy (meta_copy, meta, meta_size);
    memcpy (line_copy, line, line_size);
    wire_meta_t decoded;
    bool verified =
        wire_decode_meta (meta_copy, meta_size, &decoded) == WIRE_OK &&
        signing_line_verify (&decoded, meta_copy, meta_size, line_copy, line_size, cache);
    free (meta_copy);
    free (line_copy);
    return verified;
}

//  The input's metadata with its proof (meta_frame) and the body's lines (count; when none,
//  line is the body whole) as received: decoded, checked, and verified the same with a cache
//  and without.
static void
s_received (const fuzz_frame_t *meta_frame, const fuzz_frame_t *body, const signing_line_t *line)
{
    fuzz_check_body (body->data, body->size);
    wire_meta_t meta;
    if (wire_decode_meta (meta_frame->data, meta_frame->size, &meta) != WIRE_OK)
        return;
    FUZZ_CHECK (meta.keyed == (meta.version >= WIRE_VERSION));
    if (meta.keyed)
        fuzz_check_proof (meta_frame->data, meta_frame->size, &meta);
    signing_cache_t cache = {0};
    bool cold = signing_line_verify (&meta, meta_frame->data, meta_frame->size, line->data,
                                     line->size, NULL);
    FUZZ_CHECK (!cold || signing_meta_valid (&meta));
    for (int i = 0; i < 2; i++)
        FUZZ_CHECK (signing_line_verify (&meta, meta_frame->data, meta_frame->size, line->data,
                                         line->size, &cache) == cold);
}

//  Apply the changes to signed (meta_size bytes of metadata and proof, then the line; size in
//  all), each at its position modulo the size: XOR its byte, or cut the byte out when it is 0.
static void
s_change (uint8_t *signed_bytes, size_t *meta_size, size_t *size, const fuzz_frame_t *changes)
{
    for (size_t i = 0; i + CHANGE_BYTES <= changes->size && i < CHANGES_MAX * CHANGE_BYTES;
         i += CHANGE_BYTES) {
        size_t at = ((size_t) changes->data[i] << 8 | changes->data[i + 1]) % *size;
        uint8_t mask = changes->data[i + 2];
        if (mask) {
            signed_bytes[at] ^= mask;
            continue;
        }
        if (*size <= 2 || (at >= *meta_size && *size - *meta_size <= 1) ||
            (at < *meta_size && *meta_size <= 1))
            continue; //  each frame keeps a byte
        memmove (signed_bytes + at, signed_bytes + at + 1, *size - at - 1);
        (*size)--;
        if (at < *meta_size)
            (*meta_size)--;
    }
}

//  Line index of a signed batch, passed on alone: it verifies, with cache (which it primes) and
//  without; changed as the input says (if that changes it), it does not.
static void
s_check_line (const signing_batch_t *batch, size_t index, const signing_line_t *line,
              signing_cache_t *cache, const fuzz_frame_t *changes)
{
    static uint8_t good[SIGNED_MAX_BYTES], changed[SIGNED_MAX_BYTES];
    int meta_size = signing_line_meta (batch, index, good, WIRE_LINE_META_MAX_BYTES);
    FUZZ_CHECK (meta_size > 0);
    memcpy (good + meta_size, line->data, line->size);
    size_t size = (size_t) meta_size + line->size;
    FUZZ_CHECK (s_verifies (good, (size_t) meta_size, line->data, line->size, NULL));
    FUZZ_CHECK (s_verifies (good, (size_t) meta_size, line->data, line->size, cache));

    memcpy (changed, good, size);
    size_t changed_meta_size = (size_t) meta_size, changed_size = size;
    s_change (changed, &changed_meta_size, &changed_size, changes);
    if (changed_size == size && changed_meta_size == (size_t) meta_size &&
        memcmp (changed, good, size) == 0)
        return; //  the changes undid each other, or there were none
    const uint8_t *changed_line = changed + changed_meta_size;
    size_t changed_line_size = changed_size - changed_meta_size;
    FUZZ_CHECK (!s_verifies (changed, changed_meta_size, changed_line, changed_line_size, NULL));
    FUZZ_CHECK (!s_verifies (changed, changed_meta_size, changed_line, changed_line_size, cache));
}

//  The lines (count, 1..WIRE_BATCH_LINES_MAX) signed by us under the fields of meta_frame (when
//  it decodes), and checked whole and line by line.
static void
s_signed (const fuzz_frame_t *meta_frame, const signing_line_t *lines, size_t count,
          const fuzz_frame_t *changes)
{
    static signing_batch_t batch, received;
    wire_meta_t meta;
    if (wire_decode_meta (meta_frame->data, meta_frame->size, &meta) != WIRE_OK)
        return;
    const identity_t *who = fuzz_twin_identity ();
    meta.version = WIRE_VERSION;
    memcpy (meta.sender, identity_sender (who), WIRE_SENDER_BYTES);
    memcpy (meta.public_key, identity_public (who), WIRE_PUBLIC_BYTES);
    memcpy (meta.session, identity_session (who), WIRE_SESSION_BYTES);
    if (meta.seq == 0 || meta.seq > UINT64_MAX - count)
        meta.seq = 1; //  a seq no batch can start at: the lines still get signed
    uint8_t frame[WIRE_META_MAX_BYTES];
    int size = wire_encode_meta (frame, sizeof frame, &meta);
    FUZZ_CHECK (size > 0);
    FUZZ_CHECK (signing_batch_build (&batch, frame, (size_t) size, meta.seq, lines, count) == 0);
    signing_batch_sign (&batch, who);
    FUZZ_CHECK (signing_batch_build (&received, frame, (size_t) size, meta.seq, lines, count) == 0);
    FUZZ_CHECK (
        signing_batch_verify (&received, meta.public_key, batch.signature, WIRE_SIGNATURE_BYTES));
    size_t picked = changes->size > 0 ? changes->data[0] % count : count / 2;
    const size_t tried[] = {0, count - 1, picked};
    signing_cache_t cache = {0};
    for (size_t i = 0; i < sizeof tried / sizeof tried[0]; i++)
        s_check_line (&batch, tried[i], &lines[tried[i]], &cache, changes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    fuzz_frame_t frames[FRAMES_MAX] = {0};
    size_t count = fuzz_split (data, size, FRAME_SEPARATOR, FRAMES_MAX, frames);
    for (size_t i = count; i < FRAMES_MAX; i++) {
        frames[i].data = malloc (1); //  a missing frame is an empty one
        FUZZ_CHECK (frames[i].data != NULL);
    }
    int lines_count =
        signing_decode_body (frames[1].data, frames[1].size, lines, WIRE_BATCH_LINES_MAX);
    signing_line_t whole = {frames[1].data, frames[1].size};
    s_received (&frames[0], &frames[1], lines_count > 0 ? &lines[0] : &whole);
    if (lines_count > 0)
        s_signed (&frames[0], lines, (size_t) lines_count, &frames[2]);
    for (size_t i = 0; i < FRAMES_MAX; i++)
        free (frames[i].data);
    return 0;
}
