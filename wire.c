/*  wire.c - the chat wire format: encoding and decoding of the two frames of a message.

    Frame 1: "<kanal>> <text>", exactly the course's format, UTF-8.
    Frame 2: version (1 byte), sender id (16), seq (8, big-endian), time in ms (8, big-endian),
             nick length (1), nick (1..64 bytes). Bytes after the nick are reserved for later
             versions and ignored, so a newer peer can add fields without breaking this one.
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

int
wire_encode_meta (uint8_t *out, size_t outsize, const wire_meta_t *meta)
{
    size_t nick_size = strlen (meta->nick);
    if (!wire_nick_valid (meta->nick, nick_size))
        return -1;
    size_t size = WIRE_META_FIXED_BYTES + nick_size;
    if (size > outsize)
        return -1;
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
