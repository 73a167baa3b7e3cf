/*  roomseal.c - a locked room's lines, sealed end to end (see roomseal.h).
 */
#include "roomseal.h"
#include "i18n.h"
#include "wire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ROOMSEAL_SEED_BYTES == crypto_kdf_KEYBYTES, "the seed is a kdf key");
_Static_assert(ROOMSEAL_KEY_BYTES == crypto_secretbox_KEYBYTES, "a secretbox key");
_Static_assert(ROOMSEAL_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "a secretbox nonce");
_Static_assert(ROOMSEAL_MAC_BYTES == crypto_secretbox_MACBYTES, "a secretbox MAC");
_Static_assert(sizeof ROOMSEAL_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "a kdf context");
_Static_assert(ROOMSEAL_SENDER_BYTES == WIRE_SENDER_BYTES, "a sender id");
_Static_assert(sizeof ROOMSEAL_MARKER - 1 == ROOMSEAL_MARKER_BYTES, "the marker");
_Static_assert(ROOMSEAL_SEALED_MAX_BYTES <= 0xFFFF, "a sealed line fits a batch's size field");

//  Where the parts of a sealed line begin
#define S_NONCE_AT ROOMSEAL_MARKER_BYTES
#define S_BOX_AT (ROOMSEAL_MARKER_BYTES + ROOMSEAL_NONCE_BYTES)
#define S_PLAIN_MAX_BYTES (ROOMSEAL_INNER_BYTES + ROOMSEAL_LINE_MAX_BYTES)

struct _roomseal_t {
    uint8_t key[ROOMSEAL_KEY_BYTES]; //  the content key
};

roomseal_t *
roomseal_new (const uint8_t seed[ROOMSEAL_SEED_BYTES])
{
    if (sodium_init () < 0)
        return NULL;
    roomseal_t *self = calloc (1, sizeof *self);
    if (self && crypto_kdf_derive_from_key (self->key, sizeof self->key, ROOMSEAL_SUBKEY_ID,
                                            ROOMSEAL_CONTEXT, seed) != 0)
        roomseal_destroy (&self);
    return self;
}

void
roomseal_destroy (roomseal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sodium_memzero (*self_p, sizeof **self_p);
    free (*self_p);
    *self_p = NULL;
}

//  Write seq big-endian and sender: what the box holds before the line.
static void
s_inner (uint8_t inner[ROOMSEAL_INNER_BYTES], uint64_t seq,
         const uint8_t sender[ROOMSEAL_SENDER_BYTES])
{
    for (size_t i = 8; i > 0; i--, seq >>= 8)
        inner[i - 1] = (uint8_t) (seq & 0xFF);
    memcpy (inner + 8, sender, ROOMSEAL_SENDER_BYTES);
}

int
roomseal_seal (const roomseal_t *self, uint64_t seq, const uint8_t sender[ROOMSEAL_SENDER_BYTES],
               const void *line, size_t line_size, uint8_t *out, size_t outsize)
{
    if (seq == 0 || line_size == 0 || line_size > ROOMSEAL_LINE_MAX_BYTES ||
        outsize < ROOMSEAL_OVERHEAD_BYTES + line_size)
        return -1;
    uint8_t plain[S_PLAIN_MAX_BYTES];
    s_inner (plain, seq, sender);
    memcpy (plain + ROOMSEAL_INNER_BYTES, line, line_size);
    memcpy (out, ROOMSEAL_MARKER, ROOMSEAL_MARKER_BYTES);
    randombytes_buf (out + S_NONCE_AT, ROOMSEAL_NONCE_BYTES);
    int rc = crypto_secretbox_easy (out + S_BOX_AT, plain, ROOMSEAL_INNER_BYTES + line_size,
                                    out + S_NONCE_AT, self->key);
    sodium_memzero (plain, ROOMSEAL_INNER_BYTES + line_size);
    return rc == 0 ? (int) (ROOMSEAL_OVERHEAD_BYTES + line_size) : -1;
}

roomseal_error_t
roomseal_open (const roomseal_t *self, uint64_t seq, const uint8_t sender[ROOMSEAL_SENDER_BYTES],
               const void *sealed, size_t sealed_size, void *out, size_t outsize, size_t *line_size)
{
    if (!roomseal_is_sealed (sealed, sealed_size))
        return ROOMSEAL_NOT_SEALED;
    if (sealed_size <= ROOMSEAL_OVERHEAD_BYTES || sealed_size > ROOMSEAL_SEALED_MAX_BYTES)
        return ROOMSEAL_BAD_SIZE;
    const uint8_t *bytes = sealed;
    size_t plain_size = sealed_size - S_BOX_AT - ROOMSEAL_MAC_BYTES;
    uint8_t plain[S_PLAIN_MAX_BYTES], expected[ROOMSEAL_INNER_BYTES];
    if (crypto_secretbox_open_easy (plain, bytes + S_BOX_AT, sealed_size - S_BOX_AT,
                                    bytes + S_NONCE_AT, self->key) != 0)
        return ROOMSEAL_FORGED;
    s_inner (expected, seq, sender);
    roomseal_error_t error = ROOMSEAL_OK;
    if (sodium_memcmp (plain, expected, ROOMSEAL_INNER_BYTES) != 0)
        error = ROOMSEAL_MISMATCH;
    else if (outsize < plain_size - ROOMSEAL_INNER_BYTES)
        error = ROOMSEAL_NO_ROOM;
    else {
        *line_size = plain_size - ROOMSEAL_INNER_BYTES;
        memcpy (out, plain + ROOMSEAL_INNER_BYTES, *line_size);
    }
    sodium_memzero (plain, plain_size);
    return error;
}

bool
roomseal_is_sealed (const void *frame, size_t size)
{
    return frame && size >= ROOMSEAL_MARKER_BYTES &&
           memcmp (frame, ROOMSEAL_MARKER, ROOMSEAL_MARKER_BYTES) == 0;
}

const char *
roomseal_strerror (roomseal_error_t error)
{
    switch (error) {
    case ROOMSEAL_OK:
        return N_ ("ok");
    case ROOMSEAL_NOT_SEALED:
        return N_ ("a line that is not sealed, in a locked room");
    case ROOMSEAL_BAD_SIZE:
        return N_ ("a sealed line of a wrong size");
    case ROOMSEAL_FORGED:
        return N_ ("a sealed line that does not open with the room's key");
    case ROOMSEAL_MISMATCH:
        return N_ ("a sealed line moved from another place");
    case ROOMSEAL_NO_ROOM:
        return N_ ("a sealed line too long to open");
    }
    return N_ ("unknown error");
}

const char *
roomseal_read_line (const roomseal_t *content, bool locked, uint64_t seq,
                    const uint8_t sender[ROOMSEAL_SENDER_BYTES], const void *frame, size_t size,
                    wire_line_t *line, char *opened, size_t opened_size, bool *unread)
{
    *unread = false;
    if (!locked) {
        wire_error_t error = wire_decode_line (frame, size, line);
        return error == WIRE_OK ? NULL : wire_strerror (error);
    }
    if (!roomseal_is_sealed (frame, size))
        return N_ ("a line that is not sealed, in a locked room");
    if (!content) { //  the relay: it passes the line on and keeps it, unread
        line->channel[0] = '~';
        line->channel[1] = 0;
        line->text = "";
        line->text_size = 0;
        *unread = true;
        return NULL;
    }
    size_t line_size = 0;
    roomseal_error_t error =
        roomseal_open (content, seq, sender, frame, size, opened, opened_size, &line_size);
    if (error != ROOMSEAL_OK)
        return roomseal_strerror (error);
    return wire_decode_line (opened, line_size, line) == WIRE_OK ? NULL
                                                                 : N_ ("a malformed sealed line");
}
