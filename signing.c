/*  signing.c - protocol version 2: every message is signed by its author (see signing.h).

    The hashes are BLAKE2b-256 (crypto_generichash), each with a domain byte or context so that
    no hash of one kind can pass for another: a leaf is H(0x00 | seq | line), a node
    H(0x01 | left | right); a batch's signature is of "chatt lines 2" | H(metadata | count |
    root), a message's of "chatt frames 2" | H(size | frame | size | frame ...).
*/
#include "signing.h"

#include <sodium.h>
#include <string.h>

#define S_CONTEXT_BYTES 16
static const uint8_t s_lines_context[S_CONTEXT_BYTES] = "chatt lines 2";
static const uint8_t s_frames_context[S_CONTEXT_BYTES] = "chatt frames 2";

//  Store value big-endian in size bytes.
static void
s_put_be (uint8_t *out, uint64_t value, size_t size)
{
    for (size_t i = size; i > 0; i--, value >>= 8)
        out[i - 1] = (uint8_t) (value & 0xFF);
}

bool
signing_meta_valid (const wire_meta_t *meta)
{
    if (!meta->keyed)
        return false;
    uint8_t sender[WIRE_SENDER_BYTES];
    identity_derive_sender (meta->public_key, meta->session, sender);
    return sodium_memcmp (sender, meta->sender, WIRE_SENDER_BYTES) == 0;
}

//  What a signature of frames signs: the context and the hash of the frames.
static void
s_frames_statement (const void *const *frames, const size_t *sizes, size_t count,
                    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES])
{
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, WIRE_HASH_BYTES);
    for (size_t i = 0; i < count; i++) {
        uint8_t size[4];
        s_put_be (size, sizes[i], 4);
        crypto_generichash_update (&state, size, sizeof size);
        crypto_generichash_update (&state, frames[i], sizes[i]);
    }
    memcpy (statement, s_frames_context, S_CONTEXT_BYTES);
    crypto_generichash_final (&state, statement + S_CONTEXT_BYTES, WIRE_HASH_BYTES);
}

void
signing_sign_frames (const identity_t *identity, const void *const *frames, const size_t *sizes,
                     size_t count, uint8_t signature[WIRE_SIGNATURE_BYTES])
{
    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES];
    s_frames_statement (frames, sizes, count, statement);
    identity_sign (identity, statement, sizeof statement, signature);
}

bool
signing_verify_frames (const wire_meta_t *meta, const void *const *frames, const size_t *sizes,
                       size_t count, const void *signature, size_t signature_size)
{
    if (signature_size != WIRE_SIGNATURE_BYTES || !signing_meta_valid (meta))
        return false;
    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES];
    s_frames_statement (frames, sizes, count, statement);
    return identity_verify (meta->public_key, statement, sizeof statement, signature);
}

int
signing_encode_body (uint8_t *out, size_t outsize, const signing_line_t *lines, size_t count)
{
    size_t size = 0;
    for (size_t i = 0; i < count; i++) {
        if (lines[i].size == 0 || lines[i].size > 0xFFFF || outsize - size < 2 + lines[i].size)
            return -1;
        s_put_be (out + size, lines[i].size, 2);
        memcpy (out + size + 2, lines[i].data, lines[i].size);
        size += 2 + lines[i].size;
    }
    return (int) size;
}

int
signing_decode_body (const void *body, size_t size, signing_line_t *lines, size_t max)
{
    const uint8_t *at = body;
    size_t count = 0;
    while (size > 0) {
        if (size < 2 || count == max)
            return -1;
        size_t line_size = ((size_t) at[0] << 8) | at[1];
        if (line_size == 0 || line_size > size - 2)
            return -1;
        lines[count++] = (signing_line_t){at + 2, line_size};
        at += 2 + line_size;
        size -= 2 + line_size;
    }
    return (int) count;
}

//  The leaf of line seq: H(0x00 | seq | line).
static void
s_leaf (uint64_t seq, const void *line, size_t line_size, uint8_t out[WIRE_HASH_BYTES])
{
    uint8_t head[9] = {0x00};
    s_put_be (head + 1, seq, 8);
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, WIRE_HASH_BYTES);
    crypto_generichash_update (&state, head, sizeof head);
    crypto_generichash_update (&state, line, line_size);
    crypto_generichash_final (&state, out, WIRE_HASH_BYTES);
}

//  A node from its two children: H(0x01 | left | right).
static void
s_node (const uint8_t *left, const uint8_t *right, uint8_t out[WIRE_HASH_BYTES])
{
    uint8_t both[1 + 2 * WIRE_HASH_BYTES] = {0x01};
    memcpy (both + 1, left, WIRE_HASH_BYTES);
    memcpy (both + 1 + WIRE_HASH_BYTES, right, WIRE_HASH_BYTES);
    crypto_generichash (out, WIRE_HASH_BYTES, both, sizeof both, NULL, 0);
}

//  What a batch's signature signs: the context and H(metadata with seq first | count | root).
static void
s_batch_statement (const uint8_t *meta, size_t meta_size, size_t count,
                   const uint8_t root[WIRE_HASH_BYTES],
                   uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES])
{
    uint8_t count_bytes[2];
    s_put_be (count_bytes, count, 2);
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, WIRE_HASH_BYTES);
    crypto_generichash_update (&state, meta, meta_size);
    crypto_generichash_update (&state, count_bytes, sizeof count_bytes);
    crypto_generichash_update (&state, root, WIRE_HASH_BYTES);
    memcpy (statement, s_lines_context, S_CONTEXT_BYTES);
    crypto_generichash_final (&state, statement + S_CONTEXT_BYTES, WIRE_HASH_BYTES);
}

int
signing_batch_build (signing_batch_t *batch, const void *meta, size_t meta_size, uint64_t first_seq,
                     const signing_line_t *lines, size_t count)
{
    if (count < 1 || count > WIRE_BATCH_LINES_MAX || meta_size > sizeof batch->meta ||
        meta_size < WIRE_META_FIXED_BYTES || first_seq < 1 || first_seq > UINT64_MAX - count)
        return -1;
    memcpy (batch->meta, meta, meta_size);
    batch->meta_size = meta_size;
    batch->first_seq = first_seq;
    batch->count = count;
    for (size_t i = 0; i < count; i++)
        s_leaf (first_seq + i, lines[i].data, lines[i].size, batch->nodes[i]);
    //  Level by level: pairs make a node above; the last one, alone, goes up as it is
    size_t start = 0, nodes = count, level = 0;
    batch->level_start[0] = 0;
    while (nodes > 1) {
        size_t above = start + nodes;
        for (size_t j = 0; j < nodes; j += 2)
            if (j + 1 < nodes)
                s_node (batch->nodes[start + j], batch->nodes[start + j + 1],
                        batch->nodes[above + j / 2]);
            else
                memcpy (batch->nodes[above + j / 2], batch->nodes[start + j], WIRE_HASH_BYTES);
        start = above;
        nodes = (nodes + 1) / 2;
        batch->level_start[++level] = start;
    }
    batch->levels = level + 1;
    return 0;
}

//  The root of a built batch.
static const uint8_t *
s_root (const signing_batch_t *batch)
{
    return batch->nodes[batch->level_start[batch->levels - 1]];
}

void
signing_batch_sign (signing_batch_t *batch, const identity_t *identity)
{
    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES];
    s_batch_statement (batch->meta, batch->meta_size, batch->count, s_root (batch), statement);
    identity_sign (identity, statement, sizeof statement, batch->signature);
}

bool
signing_batch_verify (signing_batch_t *batch, const uint8_t public_key[WIRE_PUBLIC_BYTES],
                      const void *signature, size_t signature_size)
{
    if (signature_size != WIRE_SIGNATURE_BYTES)
        return false;
    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES];
    s_batch_statement (batch->meta, batch->meta_size, batch->count, s_root (batch), statement);
    memcpy (batch->signature, signature, WIRE_SIGNATURE_BYTES);
    return identity_verify (public_key, statement, sizeof statement, batch->signature);
}

int
signing_line_meta (const signing_batch_t *batch, size_t index, uint8_t *out, size_t outsize)
{
    if (index >= batch->count || batch->meta_size > outsize)
        return -1;
    wire_proof_t proof = {.first_seq = batch->first_seq, .count = (uint16_t) batch->count};
    memcpy (proof.signature, batch->signature, WIRE_SIGNATURE_BYTES);
    size_t at = index, nodes = batch->count;
    for (size_t level = 0; nodes > 1; level++, at /= 2, nodes = (nodes + 1) / 2)
        if ((at ^ 1) < nodes)
            memcpy (proof.path[proof.levels++], batch->nodes[batch->level_start[level] + (at ^ 1)],
                    WIRE_HASH_BYTES);
    memcpy (out, batch->meta, batch->meta_size);
    s_put_be (out + 17, batch->first_seq + index, 8); //  the line's own seq
    return wire_encode_proof (out, outsize, batch->meta_size, &proof);
}

//  The root a line's path leads to, from its leaf.
static void
s_climb (const wire_meta_t *meta, const wire_proof_t *proof, const void *line, size_t line_size,
         uint8_t root[WIRE_HASH_BYTES])
{
    s_leaf (meta->seq, line, line_size, root);
    size_t at = (size_t) (meta->seq - proof->first_seq), nodes = proof->count, used = 0;
    for (; nodes > 1; at /= 2, nodes = (nodes + 1) / 2) {
        if ((at ^ 1) >= nodes)
            continue; //  alone at this level: goes up as it is
        uint8_t parent[WIRE_HASH_BYTES];
        if (at & 1)
            s_node (proof->path[used++], root, parent);
        else
            s_node (root, proof->path[used++], parent);
        memcpy (root, parent, WIRE_HASH_BYTES);
    }
}

bool
signing_line_verify (const wire_meta_t *meta, const void *meta_frame, size_t meta_size,
                     const void *line, size_t line_size, signing_cache_t *cache)
{
    wire_proof_t proof;
    if (!signing_meta_valid (meta) ||
        wire_decode_proof (meta_frame, meta_size, meta->size, meta->seq, &proof) != WIRE_OK)
        return false;
    uint8_t root[WIRE_HASH_BYTES], batch_meta[WIRE_META_MAX_BYTES];
    s_climb (meta, &proof, line, line_size, root);
    //  The batch's metadata is the line's with the batch's first seq
    memcpy (batch_meta, meta_frame, meta->size);
    s_put_be (batch_meta + 17, proof.first_seq, 8);
    uint8_t statement[S_CONTEXT_BYTES + WIRE_HASH_BYTES];
    s_batch_statement (batch_meta, meta->size, proof.count, root, statement);
    const uint8_t *digest = statement + S_CONTEXT_BYTES;
    if (cache && cache->valid && memcmp (cache->digest, digest, WIRE_HASH_BYTES) == 0 &&
        memcmp (cache->public_key, meta->public_key, WIRE_PUBLIC_BYTES) == 0 &&
        memcmp (cache->signature, proof.signature, WIRE_SIGNATURE_BYTES) == 0)
        return true;
    if (!identity_verify (meta->public_key, statement, sizeof statement, proof.signature))
        return false;
    if (cache) {
        memcpy (cache->public_key, meta->public_key, WIRE_PUBLIC_BYTES);
        memcpy (cache->digest, digest, WIRE_HASH_BYTES);
        memcpy (cache->signature, proof.signature, WIRE_SIGNATURE_BYTES);
        cache->valid = true;
    }
    return true;
}
