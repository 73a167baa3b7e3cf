/*  test_wire.c - unit tests for wire.c: frame 1 ("kanal> text"), frame 2 (metadata) in
    version 1 (unsigned, older chats) and version 2 (with the sender's key), and a line's proof.

    Frames are decoded from heap blocks of exactly their size, so ASan reports any read past the
    end; the hostile loop feeds the decoders pseudo-random buffers.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "limits.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X8 "xxxxxxxx"
#define X32 X8 X8 X8 X8
#define X64 X32 X32
#define AA8 "\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5" // 8 times å
#define AA32 AA8 AA8 AA8 AA8
#define HOSTILE_RUNS 10000
#define HOSTILE_MAX_BYTES 200

//  A heap copy of exactly size bytes of data; the caller frees it.
static void *
s_copy (const void *data, size_t size)
{
    void *copy = malloc (size ? size : 1);
    assert_non_null (copy);
    if (size)
        memcpy (copy, data, size);
    return copy;
}

//  Decode frame 1 from an exact-size heap copy of frame. The decoded text is copied into
//  text (textsize bytes) and NUL-terminated, since the copy is freed before returning.
static wire_error_t
s_decode_line (const char *frame, size_t size, wire_line_t *line, char *text, size_t textsize)
{
    char *copy = s_copy (frame, size);
    wire_error_t error = wire_decode_line (copy, size, line);
    if (error == WIRE_OK) {
        assert_true (line->text >= copy && line->text + line->text_size <= copy + size);
        assert_true (line->text_size < textsize);
        memcpy (text, line->text, line->text_size);
        text[line->text_size] = 0;
        line->text = text;
    }
    free (copy);
    return error;
}

//  Frame 1 encodes and decodes back to the same channel and text, byte for byte.
static void
test_line_round_trip (void **state)
{
    (void) state;
    static const char *channels[] = {"buddy", "bud", "\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1",
                                     "a",     X32,   AA32};
    static const char *texts[] = {"hej",
                                  "",
                                  "hej \xF0\x9F\x98\x80 \xC3\xA5\xC3\xA4\xC3\xB6",
                                  "a> b",
                                  " leading space",
                                  "  two",
                                  "bud> nested"};
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++)
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            char frame[FRAME_MAX_BYTES];
            size_t text_size = strlen (texts[t]);
            int size = wire_encode_line (frame, sizeof frame, channels[c], texts[t], text_size);
            size_t channel_size = strlen (channels[c]);
            assert_int_equal (size, channel_size + 2 + text_size);
            assert_memory_equal (frame, channels[c], channel_size);
            assert_memory_equal (frame + channel_size, "> ", 2);
            assert_memory_equal (frame + channel_size + 2, texts[t], text_size);

            wire_line_t line;
            char text[FRAME_MAX_BYTES];
            wire_error_t error = s_decode_line (frame, (size_t) size, &line, text, sizeof text);
            if (error != WIRE_OK)
                fail_msg ("[%s] \"%s\": %s", channels[c], texts[t], wire_strerror (error));
            assert_string_equal (line.channel, channels[c]);
            assert_int_equal (line.text_size, text_size);
            assert_string_equal (text, texts[t]);
        }
}

//  wire_decode_line on frames as they arrive: exact channels, the space, and each refusal.
static void
test_line_decode (void **state)
{
    (void) state;
    static const struct {
        const char *frame;   //  the received frame
        size_t size;         //  its size, 0 for strlen
        wire_error_t error;  //  expected result
        const char *channel; //  expected channel, when WIRE_OK
        const char *text;    //  expected text, when WIRE_OK
    } rows[] = {
        {"buddy> hej", 0, WIRE_OK, "buddy", "hej"},
        {"bud> x", 0, WIRE_OK, "bud", "x"},
        {"buddy> x", 0, WIRE_OK, "buddy", "x"},
        {"buddy>hej", 0, WIRE_OK, "buddy", "hej"},
        {"buddy>  hej", 0, WIRE_OK, "buddy", " hej"},
        {"buddy> ", 0, WIRE_OK, "buddy", ""},
        {"buddy>", 0, WIRE_OK, "buddy", ""},
        {"buddy> a>b", 0, WIRE_OK, "buddy", "a>b"},
        {"buddy>> x", 0, WIRE_OK, "buddy", "> x"},
        {"buddy> \x1b[2J", 0, WIRE_OK, "buddy", "\x1b[2J"},
        {"\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1> hej", 0, WIRE_OK, "\xC3\xA5\xC3\xA4\xC3\xB6-kanal_1",
         "hej"},
        {"", 0, WIRE_NO_SEPARATOR, NULL, NULL},
        {"hej", 0, WIRE_NO_SEPARATOR, NULL, NULL},
        {"buddy: hej", 0, WIRE_NO_SEPARATOR, NULL, NULL},
        {"bad chan> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {"> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {">", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {" buddy> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {"#news> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {"bud\0dy> x", 9, WIRE_BAD_CHANNEL, NULL, NULL},
        {"\xC0\x80> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {"\xE2\x80\xAE> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {X32 "x> x", 0, WIRE_BAD_CHANNEL, NULL, NULL},
        {CONTROL_PREFIX, 0, WIRE_CONTROL, NULL, NULL},
        {CONTROL_PREFIX "ping", 0, WIRE_CONTROL, NULL, NULL},
        {CONTROL_PREFIX "buddy> x", 0, WIRE_CONTROL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t size = rows[i].size ? rows[i].size : strlen (rows[i].frame);
        wire_line_t line;
        char text[FRAME_MAX_BYTES];
        wire_error_t error = s_decode_line (rows[i].frame, size, &line, text, sizeof text);
        if (error != rows[i].error)
            fail_msg ("row %zu \"%s\": %s, want %s", i, rows[i].frame, wire_strerror (error),
                      wire_strerror (rows[i].error));
        if (error != WIRE_OK)
            continue;
        assert_string_equal (line.channel, rows[i].channel);
        assert_string_equal (text, rows[i].text);
        assert_int_equal (line.text_size, strlen (rows[i].text));
    }
}

//  The text limit: TEXT_MAX_BYTES passes, one byte more is WIRE_TOO_LONG, with or without space.
static void
test_line_text_limit (void **state)
{
    (void) state;
    static const struct {
        const char *head;   //  channel and separator
        size_t text_size;   //  bytes of text after it
        wire_error_t error; //  expected result
    } rows[] = {
        {"buddy> ", TEXT_MAX_BYTES, WIRE_OK},
        {"buddy>", TEXT_MAX_BYTES, WIRE_OK},
        {"buddy> ", TEXT_MAX_BYTES + 1, WIRE_TOO_LONG},
        {"buddy>", TEXT_MAX_BYTES + 1, WIRE_TOO_LONG},
        {"buddy> ", 4 * TEXT_MAX_BYTES, WIRE_TOO_LONG},
        //  The space is not part of the text: 1 + TEXT_MAX_BYTES bytes after '>' still fit
        {"buddy>  ", TEXT_MAX_BYTES - 1, WIRE_OK},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t head_size = strlen (rows[i].head);
        size_t size = head_size + rows[i].text_size;
        char *frame = malloc (size);
        assert_non_null (frame);
        memcpy (frame, rows[i].head, head_size);
        memset (frame + head_size, 'x', rows[i].text_size);
        wire_line_t line;
        wire_error_t error = wire_decode_line (frame, size, &line);
        if (error != rows[i].error)
            fail_msg ("row %zu: %s, want %s", i, wire_strerror (error),
                      wire_strerror (rows[i].error));
        if (error == WIRE_OK) {
            assert_string_equal (line.channel, "buddy");
            assert_true (line.text_size <= TEXT_MAX_BYTES);
            assert_ptr_equal (line.text + line.text_size, frame + size);
        }
        free (frame);
    }
}

//  Where '>' may be: within the longest channel name (NAME_MAX_BYTES), never further.
static void
test_line_separator_position (void **state)
{
    (void) state;
    static const struct {
        const char *frame;  //  the received frame
        wire_error_t error; //  expected result
    } rows[] = {
        {AA32 "> x", WIRE_OK},                  //  '>' at byte 64: a 64-byte channel
        {X64 "> x", WIRE_BAD_CHANNEL},          //  '>' at byte 64, but 64 characters
        {X64 "x> x", WIRE_NO_SEPARATOR},        //  '>' at byte 65
        {AA32 "x> x", WIRE_NO_SEPARATOR},       //  '>' at byte 65
        {X64 X64 X64 "> x", WIRE_NO_SEPARATOR}, //  '>' far away
        {X64 "                > x", WIRE_NO_SEPARATOR},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        wire_line_t line;
        char text[FRAME_MAX_BYTES];
        wire_error_t error =
            s_decode_line (rows[i].frame, strlen (rows[i].frame), &line, text, sizeof text);
        if (error != rows[i].error)
            fail_msg ("row %zu: %s, want %s", i, wire_strerror (error),
                      wire_strerror (rows[i].error));
        if (error == WIRE_OK) {
            assert_string_equal (line.channel, AA32);
            assert_string_equal (text, "x");
        }
    }
}

//  wire_encode_line refuses a bad channel, too long a text, and too small a buffer.
static void
test_line_encode_refuses (void **state)
{
    (void) state;
    static const char *bad_channels[] = {"",     "bad chan", "x>y",      X32 "x",
                                         "~ctl", "#news",    "\xC0\x80", "a\x1b"};
    char frame[FRAME_MAX_BYTES + 1];
    for (size_t i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++)
        if (wire_encode_line (frame, sizeof frame, bad_channels[i], "x", 1) != -1)
            fail_msg ("channel \"%s\" accepted", bad_channels[i]);

    static char text[TEXT_MAX_BYTES + 1];
    memset (text, 'x', sizeof text);
    assert_int_equal (wire_encode_line (frame, sizeof frame, "buddy", text, TEXT_MAX_BYTES + 1),
                      -1);
    assert_int_equal (wire_encode_line (frame, FRAME_MAX_BYTES, AA32, text, TEXT_MAX_BYTES),
                      FRAME_MAX_BYTES);

    //  "buddy> hej" is 10 bytes: 10 fit exactly (no NUL is written), 9 and 0 do not
    static const struct {
        size_t outsize; //  buffer size
        int result;     //  expected result
    } sizes[] = {{10, 10}, {9, -1}, {1, -1}, {0, -1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *out = malloc (sizes[i].outsize ? sizes[i].outsize : 1);
        assert_non_null (out);
        int result = wire_encode_line (out, sizes[i].outsize, "buddy", "hej", 3);
        if (result != sizes[i].result)
            fail_msg ("outsize %zu: %d, want %d", sizes[i].outsize, result, sizes[i].result);
        if (result > 0)
            assert_memory_equal (out, "buddy> hej", 10);
        free (out);
    }
}

//  Fill meta with the given fields; the key and session (written from version 2) follow from
//  sender_seed too.
static void
s_meta (wire_meta_t *meta, uint8_t version, uint8_t sender_seed, uint64_t seq, uint64_t sent_ms,
        const char *nick)
{
    memset (meta, 0, sizeof *meta);
    meta->version = version;
    for (size_t i = 0; i < WIRE_SENDER_BYTES; i++)
        meta->sender[i] = (uint8_t) (sender_seed + i * 17);
    meta->seq = seq;
    meta->sent_ms = sent_ms;
    snprintf (meta->nick, sizeof meta->nick, "%s", nick);
    meta->keyed = version >= WIRE_VERSION;
    for (size_t i = 0; i < WIRE_PUBLIC_BYTES; i++)
        meta->public_key[i] = (uint8_t) (sender_seed ^ (0xA0 + i));
    for (size_t i = 0; i < WIRE_SESSION_BYTES; i++)
        meta->session[i] = (uint8_t) (0x5A + sender_seed + i * 3);
}

//  The size of frame 2 with a nick of nick_size bytes in version: the key follows from 2.
static size_t
s_meta_size (uint8_t version, size_t nick_size)
{
    return WIRE_META_FIXED_BYTES + nick_size + (version >= WIRE_VERSION ? WIRE_META_KEY_BYTES : 0);
}

//  The versions a frame 2 is tried in: unsigned (older chats), ours, and a later one.
static const uint8_t s_versions[] = {WIRE_VERSION_UNSIGNED, WIRE_VERSION, 255};
#define VERSIONS (sizeof s_versions / sizeof s_versions[0])

//  Frame 2 encodes and decodes back to every field, in each version; from version 2 with the
//  key and session, and nothing of them before.
static void
test_meta_round_trip (void **state)
{
    (void) state;
    static const struct {
        uint8_t sender_seed; //  first sender byte; the others follow from it
        uint64_t seq;        //  sequence number
        uint64_t sent_ms;    //  send time
        const char *nick;    //  nick
    } rows[] = {
        {0x00, 1, 1700000000123ULL, "bertil"},
        {0xFF, UINT64_MAX, UINT64_MAX, "b"},
        {0x80, UINT64_MAX - 1, 0, "bertil.b"},
        {0x01, 0x0102030405060708ULL, 0x8070605040302010ULL, AA32},
        {0xAA, 42, 42, X32},
        {0x55, 0, 1, "\xC3\x85sa_\xC3\xB6-1"},
    };
    for (size_t v = 0; v < VERSIONS; v++)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            wire_meta_t meta, decoded;
            s_meta (&meta, s_versions[v], rows[i].sender_seed, rows[i].seq, rows[i].sent_ms,
                    rows[i].nick);
            meta.keyed = true; //  the version decides what is written, not this
            uint8_t frame[WIRE_META_MAX_BYTES];
            int size = wire_encode_meta (frame, sizeof frame, &meta);
            if (size != (int) s_meta_size (s_versions[v], strlen (rows[i].nick)))
                fail_msg ("version %u row %zu: encoded %d bytes", s_versions[v], i, size);
            uint8_t *copy = s_copy (frame, (size_t) size);
            memset (&decoded, 0xEE, sizeof decoded);
            wire_error_t error = wire_decode_meta (copy, (size_t) size, &decoded);
            free (copy);
            if (error != WIRE_OK)
                fail_msg ("version %u row %zu: %s", s_versions[v], i, wire_strerror (error));
            assert_int_equal (decoded.version, s_versions[v]);
            assert_memory_equal (decoded.sender, meta.sender, WIRE_SENDER_BYTES);
            assert_true (decoded.seq == rows[i].seq);
            assert_true (decoded.sent_ms == rows[i].sent_ms);
            assert_string_equal (decoded.nick, rows[i].nick);
            assert_int_equal (decoded.size, size);
            assert_int_equal (decoded.keyed, s_versions[v] >= WIRE_VERSION);
            if (decoded.keyed) {
                assert_memory_equal (decoded.public_key, meta.public_key, WIRE_PUBLIC_BYTES);
                assert_memory_equal (decoded.session, meta.session, WIRE_SESSION_BYTES);
            }
        }
}

//  Frame 2 byte for byte as wire.c lays it out: big-endian numbers, then the nick; in version
//  2 the key right after the nick (at 34 + n) and the session after it (at 66 + n).
static void
test_meta_layout (void **state)
{
    (void) state;
    for (size_t v = 0; v < 2; v++) {
        wire_meta_t meta;
        s_meta (&meta, s_versions[v], 0x10, 0x0102030405060708ULL, 0x1112131415161718ULL, "bo");
        uint8_t frame[WIRE_META_MAX_BYTES];
        int size = wire_encode_meta (frame, sizeof frame, &meta);
        assert_int_equal (frame[0], s_versions[v]);
        assert_memory_equal (frame + 1, meta.sender, WIRE_SENDER_BYTES);
        assert_memory_equal (frame + 17, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
        assert_memory_equal (frame + 25, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
        assert_int_equal (frame[33], 2);
        assert_memory_equal (frame + WIRE_META_FIXED_BYTES, "bo", 2);
        if (s_versions[v] == WIRE_VERSION_UNSIGNED) {
            assert_int_equal (size, WIRE_META_FIXED_BYTES + 2);
            continue;
        }
        assert_int_equal (size, 34 + 2 + 32 + 16);
        assert_memory_equal (frame + 34 + 2, meta.public_key, WIRE_PUBLIC_BYTES);
        assert_memory_equal (frame + 66 + 2, meta.session, WIRE_SESSION_BYTES);
        wire_meta_t decoded;
        assert_int_equal (wire_decode_meta (frame, (size_t) size, &decoded), WIRE_OK);
        assert_int_equal (decoded.size, 34 + 2 + 48);
    }
}

//  Every truncation of a good frame 2 is refused, never read past: in version 2 also one that
//  has the whole nick but not all of the key and session after it.
static void
test_meta_truncated (void **state)
{
    (void) state;
    static const char *nicks[] = {"b", "bertil", AA32};
    for (size_t v = 0; v < VERSIONS; v++)
        for (size_t n = 0; n < sizeof nicks / sizeof nicks[0]; n++) {
            wire_meta_t meta, decoded;
            s_meta (&meta, s_versions[v], 0x42, 7, 8, nicks[n]);
            uint8_t frame[WIRE_META_MAX_BYTES];
            int size = wire_encode_meta (frame, sizeof frame, &meta);
            assert_true (size > 0);
            for (size_t length = 0; length < (size_t) size; length++) {
                uint8_t *copy = s_copy (frame, length);
                wire_error_t error = wire_decode_meta (copy, length, &decoded);
                free (copy);
                if (error != WIRE_BAD_META)
                    fail_msg ("version %u nick \"%s\" cut to %zu bytes: %s", s_versions[v],
                              nicks[n], length, wire_strerror (error));
            }
        }
}

//  A version 1 reader's view of a version 2 frame: its first 34 + n bytes are a version 1
//  frame of the same fields (the version byte apart), and what follows the nick is ignored.
static void
test_meta_v1_reader (void **state)
{
    (void) state;
    static const char *nicks[] = {"b", "bertil.b", AA32};
    for (size_t n = 0; n < sizeof nicks / sizeof nicks[0]; n++) {
        wire_meta_t meta, old, keyed, seen;
        s_meta (&meta, WIRE_VERSION, 0x21, 0x0A0B0C0D0E0F1011ULL, 1700000000999ULL, nicks[n]);
        uint8_t frame[WIRE_META_MAX_BYTES], v1[WIRE_META_MAX_BYTES];
        int size = wire_encode_meta (frame, sizeof frame, &meta);
        meta.version = WIRE_VERSION_UNSIGNED;
        int v1_size = wire_encode_meta (v1, sizeof v1, &meta);
        size_t head = WIRE_META_FIXED_BYTES + strlen (nicks[n]);
        assert_int_equal (v1_size, head);
        assert_int_equal (size, head + WIRE_META_KEY_BYTES);
        assert_memory_equal (frame + 1, v1 + 1, head - 1);
        assert_int_equal (wire_decode_meta (v1, (size_t) v1_size, &old), WIRE_OK);
        assert_int_equal (wire_decode_meta (frame, (size_t) size, &keyed), WIRE_OK);
        //  Read as version 1 reads it (the version byte alone tells it what follows)
        frame[0] = WIRE_VERSION_UNSIGNED;
        assert_int_equal (wire_decode_meta (frame, (size_t) size, &seen), WIRE_OK);
        const wire_meta_t *views[] = {&keyed, &seen};
        for (size_t i = 0; i < 2; i++) {
            assert_memory_equal (views[i]->sender, old.sender, WIRE_SENDER_BYTES);
            assert_true (views[i]->seq == old.seq && views[i]->sent_ms == old.sent_ms);
            assert_string_equal (views[i]->nick, old.nick);
        }
        assert_false (seen.keyed);
        assert_int_equal (seen.size, head);
        assert_true (keyed.keyed);
        assert_int_equal (keyed.size, size);
    }
}

//  Build a frame 2 by hand: version, a nick length byte, nick bytes and trailing bytes.
static size_t
s_meta_frame (uint8_t *out, uint8_t version, uint8_t nick_length, const char *nick,
              size_t nick_size, size_t trailing)
{
    memset (out, 0x33, WIRE_META_FIXED_BYTES);
    out[0] = version;
    out[WIRE_META_FIXED_BYTES - 1] = nick_length;
    memcpy (out + WIRE_META_FIXED_BYTES, nick, nick_size);
    memset (out + WIRE_META_FIXED_BYTES + nick_size, 0xEE, trailing);
    return WIRE_META_FIXED_BYTES + nick_size + trailing;
}

//  wire_decode_meta on hand-made frames: bad lengths, versions, nicks, and later versions.
static void
test_meta_decode (void **state)
{
    (void) state;
    static const struct {
        uint8_t version;     //  version byte
        int nick_length;     //  nick length byte, -1 for the nick's real size
        const char *nick;    //  nick bytes present
        size_t trailing;     //  bytes after the nick
        wire_error_t error;  //  expected result
        const char *decoded; //  expected nick, when WIRE_OK
        size_t size;         //  expected meta.size, when WIRE_OK
    } rows[] = {
        {1, -1, "bertil", 0, WIRE_OK, "bertil", 40},
        {1, -1, "bertil.b", 0, WIRE_OK, "bertil.b", 42},
        {1, -1, AA32, 0, WIRE_OK, AA32, 98},
        {1, 3, "bertil", 0, WIRE_OK, "ber", 37},      //  the rest is reserved and ignored
        {1, -1, "bertil", 40, WIRE_OK, "bertil", 40}, //  version 1 ignores what follows
        //  From version 2 the key and session (48 bytes) follow the nick; a proof may follow them
        {2, -1, "bertil", 48, WIRE_OK, "bertil", 88},
        {2, -1, "bertil", 200, WIRE_OK, "bertil", 88},
        {2, 3, "bertil", 48, WIRE_OK, "ber", 85},
        {2, -1, AA32, 48, WIRE_OK, AA32, WIRE_META_MAX_BYTES},
        {3, -1, "bertil", 48, WIRE_OK, "bertil", 88}, //  a later version with the key
        {255, -1, "bertil", 200, WIRE_OK, "bertil", 88},
        {2, -1, "bertil", 0, WIRE_BAD_META, NULL, 0}, //  no room for the key
        {2, -1, "bertil", 40, WIRE_BAD_META, NULL, 0},
        {2, -1, "bertil", 47, WIRE_BAD_META, NULL, 0},
        {255, -1, "bertil", 47, WIRE_BAD_META, NULL, 0},
        {1, 7, "bertil", 0, WIRE_BAD_META, NULL, 0},
        {1, 255, "bertil", 0, WIRE_BAD_META, NULL, 0},
        {1, 255, "", 0, WIRE_BAD_META, NULL, 0},
        {2, 255, "bertil", 48, WIRE_BAD_META, NULL, 0},
        {0, -1, "bertil", 0, WIRE_BAD_META, NULL, 0},
        {0, -1, "bertil", 10, WIRE_BAD_META, NULL, 0},
        {0, -1, "bertil", 48, WIRE_BAD_META, NULL, 0},
        {1, -1, "a b", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, "x>y", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, "", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, "", 5, WIRE_BAD_NICK, NULL, 0},
        {2, -1, "", 48, WIRE_BAD_NICK, NULL, 0},
        {2, -1, "a b", 48, WIRE_BAD_NICK, NULL, 0},
        {1, -1, "\x1b[2J", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, "\xC3", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, X32 "x", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, X64 "x", 0, WIRE_BAD_NICK, NULL, 0},
        {1, -1, AA32 "x", 0, WIRE_BAD_NICK, NULL, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t frame[WIRE_META_FIXED_BYTES + 256 + 256];
        size_t nick_size = strlen (rows[i].nick);
        uint8_t nick_length =
            (uint8_t) (rows[i].nick_length < 0 ? (int) nick_size : rows[i].nick_length);
        size_t size = s_meta_frame (frame, rows[i].version, nick_length, rows[i].nick, nick_size,
                                    rows[i].trailing);
        uint8_t *copy = s_copy (frame, size);
        wire_meta_t meta;
        wire_error_t error = wire_decode_meta (copy, size, &meta);
        free (copy);
        if (error != rows[i].error)
            fail_msg ("row %zu: %s, want %s", i, wire_strerror (error),
                      wire_strerror (rows[i].error));
        if (error != WIRE_OK)
            continue;
        assert_int_equal (meta.version, rows[i].version);
        assert_string_equal (meta.nick, rows[i].decoded);
        assert_int_equal (meta.size, rows[i].size);
        assert_int_equal (meta.keyed, rows[i].version >= WIRE_VERSION);
        if (!meta.keyed)
            continue;
        //  The key and session are the 48 bytes after the nick: here its own bytes and 0xEE
        uint8_t after[WIRE_META_KEY_BYTES];
        memcpy (after, frame + WIRE_META_FIXED_BYTES + nick_length, sizeof after);
        assert_memory_equal (meta.public_key, after, WIRE_PUBLIC_BYTES);
        assert_memory_equal (meta.session, after + WIRE_PUBLIC_BYTES, WIRE_SESSION_BYTES);
    }
}

//  wire_encode_meta refuses a bad nick and too small a buffer, in each version.
static void
test_meta_encode_refuses (void **state)
{
    (void) state;
    static const char *bad_nicks[] = {"", "a b", "x>y", X32 "x", "\x1b"};
    uint8_t frame[WIRE_META_MAX_BYTES];
    wire_meta_t meta;
    for (size_t v = 0; v < VERSIONS; v++) {
        for (size_t i = 0; i < sizeof bad_nicks / sizeof bad_nicks[0]; i++) {
            s_meta (&meta, s_versions[v], 0, 1, 1, bad_nicks[i]);
            if (wire_encode_meta (frame, sizeof frame, &meta) != -1)
                fail_msg ("version %u nick \"%s\" accepted", s_versions[v], bad_nicks[i]);
        }
        s_meta (&meta, s_versions[v], 0, 1, 1, "bertil");
        size_t size = s_meta_size (s_versions[v], 6);
        for (size_t outsize = 0; outsize <= size; outsize++) {
            uint8_t *out = malloc (outsize ? outsize : 1);
            assert_non_null (out);
            int result = wire_encode_meta (out, outsize, &meta);
            free (out);
            assert_int_equal (result, outsize == size ? (int) size : -1);
        }
    }
}

//  wire_path_levels against trees drawn by hand: pairs go up as a node, the last one, alone,
//  as it is. count 5: 0-1 2-3 4 | 01-23 4 | 0123-4, so lines 0-3 climb 3 levels and line 4 one.
static void
test_path_levels (void **state)
{
    (void) state;
    static const struct {
        size_t count;     //  lines in the batch
        size_t levels[9]; //  each line's path
    } rows[] = {
        {1, {0}},
        {2, {1, 1}},
        {3, {2, 2, 1}},
        {4, {2, 2, 2, 2}},
        {5, {3, 3, 3, 3, 1}},
        {6, {3, 3, 3, 3, 2, 2}},
        {7, {3, 3, 3, 3, 3, 3, 2}},
        {8, {3, 3, 3, 3, 3, 3, 3, 3}},
        {9, {4, 4, 4, 4, 4, 4, 4, 4, 1}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (size_t index = 0; index < rows[i].count; index++)
            if (wire_path_levels (index, rows[i].count) != rows[i].levels[index])
                fail_msg ("count %zu index %zu: %zu levels, want %zu", rows[i].count, index,
                          wire_path_levels (index, rows[i].count), rows[i].levels[index]);
    //  The biggest batches: a full tree is WIRE_PATH_MAX high; in 255 the last line is alone
    //  at the bottom and pairs above it
    for (size_t index = 0; index < WIRE_BATCH_LINES_MAX; index++)
        assert_int_equal (wire_path_levels (index, WIRE_BATCH_LINES_MAX), WIRE_PATH_MAX);
    assert_int_equal (wire_path_levels (254, 255), 7);
    assert_int_equal (wire_path_levels (0, 255), 8);
}

//  A proof for line index of a batch of count lines from first_seq: its signature and path
//  bytes follow from seed.
static void
s_proof (wire_proof_t *proof, uint64_t first_seq, uint16_t count, size_t index, uint8_t seed)
{
    memset (proof, 0, sizeof *proof);
    proof->first_seq = first_seq;
    proof->count = count;
    for (size_t i = 0; i < WIRE_SIGNATURE_BYTES; i++)
        proof->signature[i] = (uint8_t) (seed + i);
    proof->levels = wire_path_levels (index, count);
    if (proof->levels > WIRE_PATH_MAX)
        proof->levels = WIRE_PATH_MAX; //  a count too big for a batch, to be refused
    for (size_t level = 0; level < proof->levels; level++)
        memset (proof->path[level], seed ^ (int) level, WIRE_HASH_BYTES);
}

//  A line's metadata (version 2, nick "bo", seq) with a proof: encoded into out, both sizes.
static size_t
s_line_meta (uint8_t out[WIRE_LINE_META_MAX_BYTES], uint64_t seq, const wire_proof_t *proof,
             size_t *meta_size)
{
    wire_meta_t meta;
    s_meta (&meta, WIRE_VERSION, 0x77, seq, 1700000000000ULL, "bo");
    int size = wire_encode_meta (out, WIRE_LINE_META_MAX_BYTES, &meta);
    assert_int_equal (size, s_meta_size (WIRE_VERSION, 2));
    *meta_size = (size_t) size;
    int total = wire_encode_proof (out, WIRE_LINE_META_MAX_BYTES, (size_t) size, proof);
    assert_true (total > size);
    return (size_t) total;
}

//  A proof encodes after the metadata, laid out as wire.c says, and decodes back, for lines
//  first, in the middle and last of batches of many sizes.
static void
test_proof_round_trip (void **state)
{
    (void) state;
    static const uint16_t counts[] = {1, 2, 3, 5, 8, 9, 100, 255, WIRE_BATCH_LINES_MAX};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t indexes[] = {0, counts[c] / 2, counts[c] - 1u};
        for (size_t i = 0; i < 3; i++) {
            uint64_t first_seq = 0x0102030405060708ULL, seq = first_seq + indexes[i];
            wire_proof_t proof, decoded;
            s_proof (&proof, first_seq, counts[c], indexes[i], (uint8_t) (c * 16 + i));
            uint8_t frame[WIRE_LINE_META_MAX_BYTES];
            size_t meta_size, size = s_line_meta (frame, seq, &proof, &meta_size);
            assert_int_equal (size, meta_size + 8 + 2 + 64 + proof.levels * WIRE_HASH_BYTES);
            assert_memory_equal (frame + meta_size, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
            assert_int_equal (frame[meta_size + 8], counts[c] >> 8);
            assert_int_equal (frame[meta_size + 9], counts[c] & 0xFF);
            assert_memory_equal (frame + meta_size + 10, proof.signature, WIRE_SIGNATURE_BYTES);
            assert_memory_equal (frame + meta_size + WIRE_PROOF_FIXED_BYTES, proof.path,
                                 proof.levels * WIRE_HASH_BYTES);

            uint8_t *copy = s_copy (frame, size);
            wire_meta_t meta;
            assert_int_equal (wire_decode_meta (copy, size, &meta), WIRE_OK);
            assert_int_equal (meta.size, meta_size);
            memset (&decoded, 0xEE, sizeof decoded);
            wire_error_t error = wire_decode_proof (copy, size, meta.size, meta.seq, &decoded);
            free (copy);
            if (error != WIRE_OK)
                fail_msg ("count %u index %zu: %s", counts[c], indexes[i], wire_strerror (error));
            assert_true (decoded.first_seq == first_seq);
            assert_int_equal (decoded.count, counts[c]);
            assert_int_equal (decoded.levels, proof.levels);
            assert_memory_equal (decoded.signature, proof.signature, WIRE_SIGNATURE_BYTES);
            assert_memory_equal (decoded.path, proof.path, proof.levels * WIRE_HASH_BYTES);
        }
    }
}

//  wire_decode_proof refuses a proof that is missing, short or long, has no lines or too
//  many, or whose batch the line's seq is not in; wire_encode_proof too long a path or too
//  small a buffer.
static void
test_proof_refused (void **state)
{
    (void) state;
    //  The good one: line 4 of 5 from seq 10, so seq 14, one level
    static const struct {
        const char *what;   //  what is wrong
        uint64_t first_seq; //  the proof's first seq
        uint16_t count;     //  its count
        size_t index;       //  the line whose path it carries
        uint64_t seq;       //  the seq it is decoded for
        int size_change;    //  bytes added to (or cut from) the frame
        wire_error_t error; //  expected result
    } rows[] = {
        {"good", 10, 5, 4, 14, 0, WIRE_OK},
        {"count 0", 10, 0, 0, 10, 0, WIRE_BAD_META},
        {"count past the most", 10, WIRE_BATCH_LINES_MAX + 1, 0, 10, 0, WIRE_BAD_META},
        {"count 65535", 10, 65535, 0, 10, 0, WIRE_BAD_META},
        {"seq before the batch", 10, 5, 0, 9, 0, WIRE_BAD_META},
        {"seq after the batch", 10, 5, 4, 15, 0, WIRE_BAD_META},
        {"seq far after", 10, 5, 4, UINT64_MAX, 0, WIRE_BAD_META},
        {"first seq 0", 0, 5, 4, 4, 0, WIRE_BAD_META},
        {"one byte short", 10, 5, 4, 14, -1, WIRE_BAD_META},
        {"one byte more", 10, 5, 4, 14, 1, WIRE_BAD_META},
        {"a hash short", 10, 5, 4, 14, -WIRE_HASH_BYTES, WIRE_BAD_META},
        {"a hash more", 10, 5, 4, 14, WIRE_HASH_BYTES, WIRE_BAD_META},
        {"another line's path", 10, 5, 0, 14, 0, WIRE_BAD_META},
        {"no path at all", 10, 5, 4, 14, -WIRE_HASH_BYTES - WIRE_SIGNATURE_BYTES, WIRE_BAD_META},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        wire_proof_t proof, decoded;
        s_proof (&proof, rows[i].first_seq, rows[i].count, rows[i].index, 0x3C);
        uint8_t frame[WIRE_LINE_META_MAX_BYTES + WIRE_HASH_BYTES] = {0};
        size_t meta_size, size = s_line_meta (frame, rows[i].seq, &proof, &meta_size);
        size = (size_t) ((long) size + rows[i].size_change);
        uint8_t *copy = s_copy (frame, size);
        wire_error_t error = wire_decode_proof (copy, size, meta_size, rows[i].seq, &decoded);
        free (copy);
        if (error != rows[i].error)
            fail_msg ("%s: %s, want %s", rows[i].what, wire_strerror (error),
                      wire_strerror (rows[i].error));
    }
    //  Nothing after the metadata, or less than the fixed part, or metadata past the frame
    uint8_t frame[WIRE_LINE_META_MAX_BYTES];
    wire_proof_t proof, decoded;
    s_proof (&proof, 10, 5, 4, 0x3C);
    size_t meta_size, size = s_line_meta (frame, 14, &proof, &meta_size);
    for (size_t cut = meta_size; cut < meta_size + WIRE_PROOF_FIXED_BYTES; cut++) {
        uint8_t *copy = s_copy (frame, cut);
        assert_int_equal (wire_decode_proof (copy, cut, meta_size, 14, &decoded), WIRE_BAD_META);
        free (copy);
    }
    assert_int_equal (wire_decode_proof (frame, size, size + 1, 14, &decoded), WIRE_BAD_META);

    //  The encoder: a path longer than a tree can be, and each buffer too small by a byte
    uint8_t out[WIRE_LINE_META_MAX_BYTES + WIRE_HASH_BYTES];
    proof.levels = WIRE_PATH_MAX + 1;
    assert_int_equal (wire_encode_proof (out, sizeof out, meta_size, &proof), -1);
    proof.levels = 1;
    assert_int_equal (wire_encode_proof (out, size, meta_size, &proof), size);
    assert_int_equal (wire_encode_proof (out, size - 1, meta_size, &proof), -1);
    assert_int_equal (wire_encode_proof (out, 0, meta_size, &proof), -1);
    proof.levels = WIRE_PATH_MAX;
    assert_int_equal (wire_encode_proof (out, meta_size + WIRE_PROOF_MAX_BYTES, meta_size, &proof),
                      meta_size + WIRE_PROOF_MAX_BYTES);
    assert_int_equal (
        wire_encode_proof (out, meta_size + WIRE_PROOF_MAX_BYTES - 1, meta_size, &proof), -1);
}

//  wire_strerror has a description for every code, and one for a code it does not know.
static void
test_strerror (void **state)
{
    (void) state;
    static const wire_error_t codes[] = {WIRE_OK,       WIRE_NO_SEPARATOR, WIRE_BAD_CHANNEL,
                                         WIRE_TOO_LONG, WIRE_CONTROL,      WIRE_BAD_META,
                                         WIRE_BAD_NICK};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *text = wire_strerror (codes[i]);
        assert_non_null (text);
        assert_true (strlen (text) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal (text, wire_strerror (codes[j]));
    }
    assert_non_null (wire_strerror ((wire_error_t) 99));
}

//  A pseudo-random byte: often one that means something to the decoders.
static uint8_t
s_random_byte (void)
{
    static const uint8_t meaningful[] = {'>', ' ',  '~',  'a',  'z',  '_',  '-',
                                         '.', 0xC3, 0xA5, 0x80, 0x00, 0x01, 0x1B};
    if (rand () % 2)
        return (uint8_t) (rand () & 0xFF);
    return meaningful[(size_t) rand () % sizeof meaningful];
}

//  The proof after a hostile frame's metadata (meta), for a seq in or near its batch: what
//  decodes fits the frame exactly and the seq is inside the batch.
static void
s_hostile_proof (const uint8_t *frame, size_t size, const wire_meta_t *meta)
{
    wire_proof_t proof;
    uint64_t seqs[] = {meta->seq, (uint64_t) rand () % 8};
    for (size_t i = 0; i < 2; i++) {
        if (wire_decode_proof (frame, size, meta->size, seqs[i], &proof) != WIRE_OK)
            continue;
        assert_in_range (proof.count, 1, WIRE_BATCH_LINES_MAX);
        assert_true (proof.first_seq >= 1 && seqs[i] >= proof.first_seq);
        assert_true (seqs[i] - proof.first_seq < proof.count);
        assert_int_equal (proof.levels,
                          wire_path_levels ((size_t) (seqs[i] - proof.first_seq), proof.count));
        assert_int_equal (size,
                          meta->size + WIRE_PROOF_FIXED_BYTES + proof.levels * WIRE_HASH_BYTES);
    }
}

//  Pseudo-random buffers of 0..HOSTILE_MAX_BYTES through the decoders (the proof's too): no
//  crash, no read past the end, and what they accept is consistent.
static void
test_hostile (void **state)
{
    (void) state;
    srand (1);
    for (int run = 0; run < HOSTILE_RUNS; run++) {
        size_t size = (size_t) rand () % (HOSTILE_MAX_BYTES + 1);
        uint8_t bytes[HOSTILE_MAX_BYTES];
        for (size_t i = 0; i < size; i++)
            bytes[i] = s_random_byte ();
        //  Now and then a plausible head, so the decoders get past their first checks
        if (run % 4 == 1 && size > 8)
            memcpy (bytes, "buddy> ", 7);
        if (run % 4 >= 2 && size > WIRE_META_FIXED_BYTES) {
            bytes[0] = run % 4 == 2 ? WIRE_VERSION_UNSIGNED : WIRE_VERSION;
            bytes[WIRE_META_FIXED_BYTES - 1] = (uint8_t) (rand () % 8);
        }
        uint8_t *frame = s_copy (bytes, size);

        wire_line_t line;
        wire_error_t error = wire_decode_line (frame, size, &line);
        if (error == WIRE_OK) {
            assert_true (wire_channel_valid (line.channel, strlen (line.channel)));
            assert_true (line.text_size <= TEXT_MAX_BYTES);
            assert_true ((const uint8_t *) line.text >= frame);
            assert_true ((const uint8_t *) line.text + line.text_size == frame + size);
        } else
            assert_in_range (error, WIRE_NO_SEPARATOR, WIRE_BAD_NICK);

        wire_meta_t meta;
        error = wire_decode_meta (frame, size, &meta);
        if (error == WIRE_OK) {
            assert_true (meta.version >= 1);
            assert_true (wire_nick_valid (meta.nick, strlen (meta.nick)));
            assert_int_equal (meta.keyed, meta.version >= WIRE_VERSION);
            assert_int_equal (meta.size, s_meta_size (meta.version, strlen (meta.nick)));
            assert_true (meta.size <= size);
            s_hostile_proof (frame, size, &meta);
        } else
            assert_true (error == WIRE_BAD_META || error == WIRE_BAD_NICK);
        //  The proof decoder, wherever the metadata is said to end
        wire_proof_t proof;
        if (wire_decode_proof (frame, size, (size_t) rand () % (size + 2), 1, &proof) == WIRE_OK)
            assert_true (proof.first_seq == 1 && proof.levels <= WIRE_PATH_MAX);
        free (frame);
    }
}

//  Run the wire tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_line_round_trip),
        cmocka_unit_test (test_line_decode),
        cmocka_unit_test (test_line_text_limit),
        cmocka_unit_test (test_line_separator_position),
        cmocka_unit_test (test_line_encode_refuses),
        cmocka_unit_test (test_meta_round_trip),
        cmocka_unit_test (test_meta_layout),
        cmocka_unit_test (test_meta_truncated),
        cmocka_unit_test (test_meta_v1_reader),
        cmocka_unit_test (test_meta_decode),
        cmocka_unit_test (test_meta_encode_refuses),
        cmocka_unit_test (test_path_levels),
        cmocka_unit_test (test_proof_round_trip),
        cmocka_unit_test (test_proof_refused),
        cmocka_unit_test (test_strerror),
        cmocka_unit_test (test_hostile),
    };
    return cmocka_run_group_tests_name ("wire", tests, NULL, NULL);
}
