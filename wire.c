/*  wire.c - the chat wire format: encoding and decoding of the two frames of a message.

    Frame 1: "<kanal>> <text>", exactly the course's format, UTF-8.
    Frame 2: version (1 byte), sender id (16), seq (8, big-endian), time in ms (8, big-endian),
             nick length (1), nick (1..64 bytes); from version 2 the sender's public key (32)
             and session (16). A reader of version 1 ignores what follows the nick, so it still
             reads a version 2 frame.
    A line's proof (version 2), after its metadata: first seq (8), count (2), signature (64),
    then one 32-byte hash per level of its path (wire_path_levels).
*/
#include "i18n.h"
#include "wire.h"
#include "text.h"

#include <string.h>

bool
wire_channel_valid (const char *s, size_t size)
{
    return text_name_valid (s, size, NULL);
}

bool
wire_topic_start (unsigned char byte)
{
    //  Names are ASCII letters, digits, '-' and '_', and Latin letters (two bytes of UTF-8,
    //  lead bytes 0xC2-0xDF); control topics start with '~'
    return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
           (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' ||
           (byte >= 0xC2 && byte <= 0xDF) || byte == (unsigned char) CONTROL_PREFIX[0];
}

bool
wire_nick_valid (const char *s, size_t size)
{
    return text_name_valid (s, size, ".");
}

int
wire_encode_line (char *out, size_t outsize, const char *channel, const char *text,
                  size_t text_size)
{
    size_t channel_size = strlen (channel);
    if (!wire_channel_valid (channel, channel_size) || text_size > TEXT_MAX_BYTES)
        return -1;
    size_t size = channel_size + 2 + text_size;
    if (size > outsize)
        return -1;
    memcpy (out, channel, channel_size);
    memcpy (out + channel_size, "> ", 2);
    memcpy (out + channel_size + 2, text, text_size);
    return (int) size;
}

wire_error_t
wire_decode_line (const void *frame, size_t size, wire_line_t *line)
{
    const char *data = frame;
    if (size >= strlen (CONTROL_PREFIX) &&
        memcmp (data, CONTROL_PREFIX, strlen (CONTROL_PREFIX)) == 0)
        return WIRE_CONTROL;
    //  The channel name ends at the first '>' within the longest possible name
    size_t limit = size < NAME_MAX_BYTES + 1 ? size : NAME_MAX_BYTES + 1;
    const char *mark = memchr (data, '>', limit);
    if (!mark)
        return WIRE_NO_SEPARATOR;
    size_t channel_size = (size_t) (mark - data);
    if (!wire_channel_valid (data, channel_size))
        return WIRE_BAD_CHANNEL;
    size_t rest = size - channel_size - 1;
    const char *text = mark + 1;
    //  The course always writes one space after '>'; a missing one is forgiven
    if (rest > 0 && *text == ' ')
        text++, rest--;
    if (rest > TEXT_MAX_BYTES)
        return WIRE_TOO_LONG;
    memcpy (line->channel, data, channel_size);
    line->channel[channel_size] = 0;
    line->text = text;
    line->text_size = rest;
    return WIRE_OK;
}

//  Store value big-endian in 8 bytes.
static void
s_put_u64 (uint8_t *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--, value >>= 8)
        out[i] = (uint8_t) (value & 0xFF);
}

//  Read a big-endian 8-byte value.
static uint64_t
s_get_u64 (const uint8_t *in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | in[i];
    return value;
}

//  Store value big-endian in 2 bytes.
static void
s_put_u16 (uint8_t *out, uint16_t value)
{
    out[0] = (uint8_t) (value >> 8);
    out[1] = (uint8_t) (value & 0xFF);
}

int
wire_encode_meta (uint8_t *out, size_t outsize, const wire_meta_t *meta)
{
    size_t nick_size = strlen (meta->nick);
    if (!wire_nick_valid (meta->nick, nick_size))
        return -1;
    size_t size = WIRE_META_FIXED_BYTES + nick_size;
    bool keyed = meta->version >= WIRE_VERSION;
    if (size + (keyed ? WIRE_META_KEY_BYTES : 0) > outsize)
        return -1;
    if (keyed) {
        memcpy (out + size, meta->public_key, WIRE_PUBLIC_BYTES);
        memcpy (out + size + WIRE_PUBLIC_BYTES, meta->session, WIRE_SESSION_BYTES);
        size += WIRE_META_KEY_BYTES;
    }
    out[0] = meta->version;
    memcpy (out + 1, meta->sender, WIRE_SENDER_BYTES);
    s_put_u64 (out + 17, meta->seq);
    s_put_u64 (out + 25, meta->sent_ms);
    out[33] = (uint8_t) nick_size;
    memcpy (out + WIRE_META_FIXED_BYTES, meta->nick, nick_size);
    return (int) size;
}

wire_error_t
wire_decode_meta (const void *frame, size_t size, wire_meta_t *meta)
{
    const uint8_t *data = frame;
    if (size < WIRE_META_FIXED_BYTES || data[0] < 1)
        return WIRE_BAD_META;
    size_t nick_size = data[33];
    if (WIRE_META_FIXED_BYTES + nick_size > size)
        return WIRE_BAD_META;
    if (!wire_nick_valid ((const char *) data + WIRE_META_FIXED_BYTES, nick_size))
        return WIRE_BAD_NICK;
    meta->version = data[0];
    memcpy (meta->sender, data + 1, WIRE_SENDER_BYTES);
    meta->seq = s_get_u64 (data + 17);
    meta->sent_ms = s_get_u64 (data + 25);
    memcpy (meta->nick, data + WIRE_META_FIXED_BYTES, nick_size);
    meta->nick[nick_size] = 0;
    meta->size = WIRE_META_FIXED_BYTES + nick_size;
    meta->keyed = false;
    if (meta->version < WIRE_VERSION)
        return WIRE_OK;
    //  Version 2 and later carry the key; without it the frame is broken
    if (meta->size + WIRE_META_KEY_BYTES > size)
        return WIRE_BAD_META;
    memcpy (meta->public_key, data + meta->size, WIRE_PUBLIC_BYTES);
    memcpy (meta->session, data + meta->size + WIRE_PUBLIC_BYTES, WIRE_SESSION_BYTES);
    meta->size += WIRE_META_KEY_BYTES;
    meta->keyed = true;
    return WIRE_OK;
}

size_t
wire_path_levels (size_t index, size_t count)
{
    size_t levels = 0;
    for (size_t nodes = count; nodes > 1; nodes = (nodes + 1) / 2, index /= 2)
        if ((index ^ 1) < nodes)
            levels++;
    return levels;
}

int
wire_encode_proof (uint8_t *out, size_t outsize, size_t meta_size, const wire_proof_t *proof)
{
    size_t size = meta_size + WIRE_PROOF_FIXED_BYTES + proof->levels * WIRE_HASH_BYTES;
    if (proof->levels > WIRE_PATH_MAX || size > outsize)
        return -1;
    uint8_t *at = out + meta_size;
    s_put_u64 (at, proof->first_seq);
    s_put_u16 (at + 8, proof->count);
    memcpy (at + 10, proof->signature, WIRE_SIGNATURE_BYTES);
    memcpy (at + WIRE_PROOF_FIXED_BYTES, proof->path, proof->levels * WIRE_HASH_BYTES);
    return (int) size;
}

wire_error_t
wire_decode_proof (const void *frame, size_t size, size_t meta_size, uint64_t seq,
                   wire_proof_t *proof)
{
    if (meta_size > size || size - meta_size < WIRE_PROOF_FIXED_BYTES)
        return WIRE_BAD_META;
    const uint8_t *at = (const uint8_t *) frame + meta_size;
    proof->first_seq = s_get_u64 (at);
    proof->count = (uint16_t) ((at[8] << 8) | at[9]);
    //  The line must be inside its batch
    if (proof->count < 1 || proof->count > WIRE_BATCH_LINES_MAX || proof->first_seq < 1 ||
        seq < proof->first_seq || seq - proof->first_seq >= proof->count)
        return WIRE_BAD_META;
    proof->levels = wire_path_levels ((size_t) (seq - proof->first_seq), proof->count);
    if (size - meta_size != WIRE_PROOF_FIXED_BYTES + proof->levels * WIRE_HASH_BYTES)
        return WIRE_BAD_META;
    memcpy (proof->signature, at + 10, WIRE_SIGNATURE_BYTES);
    memcpy (proof->path, at + WIRE_PROOF_FIXED_BYTES, proof->levels * WIRE_HASH_BYTES);
    return WIRE_OK;
}

const char *
wire_strerror (wire_error_t error)
{
    switch (error) {
    case WIRE_OK:
        return N_ ("ok");
    case WIRE_NO_SEPARATOR:
        return N_ ("no \"channel> \" at the start");
    case WIRE_BAD_CHANNEL:
        return N_ ("invalid channel name");
    case WIRE_TOO_LONG:
        return N_ ("message too long");
    case WIRE_CONTROL:
        return N_ ("control message");
    case WIRE_BAD_META:
        return N_ ("broken metadata frame");
    case WIRE_BAD_NICK:
        return N_ ("invalid nick in metadata");
    }
    return N_ ("unknown error");
}
