/*  test_roomseal.c - unit tests for roomseal.c: the content key of the protocol's test vector
    (computed independently, with Python's hashlib, from PROTOKOLL.md's seed), the sealed line
    of PROTOKOLL.md's example opened by hand and by roomseal_open, lines of every size sealed
    and opened again, each with a nonce of its own, the bounds, every way a sealed line is
    refused (changed bytes, another key, another seq or sender, sizes, a plain line, another
    seal version), and a batch of sealed lines that anyone can verify and only the room opens.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "identity.h"
#include "roomlock.h"
#include "roomseal.h"
#include "signing.h"
#include "testlib.h"
#include "wire.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The protocol's test vector (PROTOKOLL.md 15.1): "korv med bröd", its Argon2id seed
#define PASSPHRASE "korv med br\303\266d"
#define SEED_HEX "34fb96cb72afc9d78bd552534b5600c92390bcfc75da9cd0c109ee3cdf7a5b88"
//  ... its content key: hashlib.blake2b(b"", digest_size=32, key=seed, salt=(1).to_bytes(8,
//  "little") + bytes(8), person=b"chatroom" + bytes(8)), which is crypto_kdf_derive_from_key
#define CONTENT_KEY_HEX "a340938ef6e56bfdffaa13327a7556e26fed7d1265c8aa76b3a40592be827b19"
//  ... and the example of PROTOKOLL.md: "buddy> hej", seq 1, from sender 00 11 22 ... ff
#define EXAMPLE_LINE "buddy> hej"
#define EXAMPLE_SEQ 1
#define EXAMPLE_SEALED_HEX                                                                         \
    "7e01"                                                                                         \
    "04c685ab3578b7128f434e0e1a6ea3d4e958fdce6700c4f7"                                             \
    "1124e91b082ded7e5e7ead9008451291750bae68abb1419157ddfac73ad5c23aeb2f8febed054176400453748063" \
    "676e3b19"

static roomseal_t *s_seal;           //  the test vector's content key, by roomseal_new
static roomseal_t *s_other;          //  another room's
static uint8_t s_key[32];            //  the content key, from CONTENT_KEY_HEX
static uint8_t s_sender[16];         //  the example's sender: 00 11 22 ... ff
static uint8_t s_example[128];       //  the example's sealed line
static size_t s_example_size;        //  ... its size
static char s_long[FRAME_MAX_BYTES]; //  the longest line: "buddy> " and text

//  Read hex into out (size bytes at most); fails the test if it is not hex. Returns the size.
static size_t
s_from_hex (const char *hex, uint8_t *out, size_t size)
{
    size_t used = 0;
    assert_int_equal (sodium_hex2bin (out, size, hex, strlen (hex), NULL, &used, NULL), 0);
    return used;
}

//  Group setup: the keys and lines every test reads.
static int
s_group_setup (void **state)
{
    (void) state;
    uint8_t seed[ROOMSEAL_SEED_BYTES], other[ROOMSEAL_SEED_BYTES];
    if (sodium_init () < 0)
        return -1;
    s_from_hex (SEED_HEX, seed, sizeof seed);
    memcpy (other, seed, sizeof other);
    other[0] ^= 1;
    s_from_hex (CONTENT_KEY_HEX, s_key, sizeof s_key);
    for (size_t i = 0; i < sizeof s_sender; i++)
        s_sender[i] = (uint8_t) (0x11 * i);
    s_example_size = s_from_hex (EXAMPLE_SEALED_HEX, s_example, sizeof s_example);
    memcpy (s_long, "buddy> ", 7);
    memset (s_long + 7, 'x', sizeof s_long - 7);
    s_seal = roomseal_new (seed);
    s_other = roomseal_new (other);
    return s_seal && s_other ? 0 : -1;
}

//  Group teardown: destroy the keys (twice: safe).
static int
s_group_teardown (void **state)
{
    (void) state;
    roomseal_destroy (&s_seal);
    roomseal_destroy (&s_seal);
    roomseal_destroy (&s_other);
    roomseal_destroy (NULL);
    return 0;
}

//  Open sealed by hand, with crypto_secretbox_open_easy and the vector's key, following
//  PROTOKOLL.md: marker, nonce, box. Returns the plaintext's size, or -1.
static int
s_open_by_hand (const uint8_t *sealed, size_t size, uint8_t *plain)
{
    if (size < 2 + 24 + 16 || sealed[0] != '~' || sealed[1] != 0x01)
        return -1;
    if (crypto_secretbox_open_easy (plain, sealed + 26, size - 26, sealed + 2, s_key) != 0)
        return -1;
    return (int) (size - 26 - 16);
}

//  The example of PROTOKOLL.md opens by hand with the content key computed outside libsodium
//  (so the derivation is crypto_kdf's as documented) into seq 1, the sender and the line; and
//  roomseal_open of the test vector's key opens it too, and so does the room's lock.
static void
test_vector (void **state)
{
    (void) state;
    assert_int_equal (s_example_size, ROOMSEAL_OVERHEAD_BYTES + strlen (EXAMPLE_LINE));
    uint8_t plain[128];
    int size = s_open_by_hand (s_example, s_example_size, plain);
    assert_int_equal (size, 8 + 16 + strlen (EXAMPLE_LINE));
    static const uint8_t seq_be[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    assert_memory_equal (plain, seq_be, 8);
    assert_memory_equal (plain + 8, s_sender, 16);
    assert_memory_equal (plain + 24, EXAMPLE_LINE, strlen (EXAMPLE_LINE));
    char line[ROOMSEAL_LINE_MAX_BYTES];
    size_t line_size = 0;
    assert_int_equal (roomseal_open (s_seal, EXAMPLE_SEQ, s_sender, s_example, s_example_size, line,
                                     sizeof line, &line_size),
                      ROOMSEAL_OK);
    assert_int_equal (line_size, strlen (EXAMPLE_LINE));
    assert_memory_equal (line, EXAMPLE_LINE, line_size);
    //  The lock derives the same content key from the passphrase
    roomlock_t *lock = roomlock_new ();
    assert_non_null (lock);
    assert_null (roomlock_content (lock)); //  an open room has none
    const char *why = NULL;
    assert_int_equal (roomlock_lock (lock, PASSPHRASE, &why), 0);
    line_size = 0;
    assert_int_equal (roomseal_open (roomlock_content (lock), EXAMPLE_SEQ, s_sender, s_example,
                                     s_example_size, line, sizeof line, &line_size),
                      ROOMSEAL_OK);
    assert_int_equal (line_size, strlen (EXAMPLE_LINE));
    roomlock_destroy (&lock);
}

//  Lines of every size seal into the layout (marker, nonce, box of seq, sender and line), open
//  by hand and with roomseal_open into the same line, and sealing one twice gives two nonces.
static void
test_round_trip (void **state)
{
    (void) state;
    static const size_t sizes[] = {1, 2, 10, 100, 4096, FRAME_MAX_BYTES - 1, FRAME_MAX_BYTES};
    static const uint64_t seqs[] = {1, 2, 255, 256, 1u << 31, UINT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t seq = seqs[i % (sizeof seqs / sizeof seqs[0])];
        uint8_t sealed[2][ROOMSEAL_SEALED_MAX_BYTES];
        for (int copy = 0; copy < 2; copy++) {
            int size = roomseal_seal (s_seal, seq, s_sender, s_long, sizes[i], sealed[copy],
                                      sizeof sealed[copy]);
            assert_int_equal (size, (int) (ROOMSEAL_OVERHEAD_BYTES + sizes[i]));
            assert_true (roomseal_is_sealed (sealed[copy], (size_t) size));
        }
        //  Each seal has a nonce of its own
        assert_memory_not_equal (sealed[0] + 2, sealed[1] + 2, ROOMSEAL_NONCE_BYTES);
        uint8_t plain[ROOMSEAL_SEALED_MAX_BYTES];
        size_t total = ROOMSEAL_OVERHEAD_BYTES + sizes[i];
        assert_int_equal (s_open_by_hand (sealed[0], total, plain), (int) (24 + sizes[i]));
        for (size_t b = 0; b < 8; b++)
            assert_int_equal (plain[b], (uint8_t) (seq >> (56 - 8 * b)));
        assert_memory_equal (plain + 24, s_long, sizes[i]);
        char line[ROOMSEAL_LINE_MAX_BYTES];
        size_t line_size = 0;
        for (int copy = 0; copy < 2; copy++) {
            assert_int_equal (roomseal_open (s_seal, seq, s_sender, sealed[copy], total, line,
                                             sizes[i], &line_size),
                              ROOMSEAL_OK);
            assert_int_equal (line_size, sizes[i]);
            assert_memory_equal (line, s_long, sizes[i]);
        }
    }
}

//  Sealing refuses seq 0, an empty line, one longer than the longest, and an out too small
//  by one byte; exactly enough room seals.
static void
test_seal_bounds (void **state)
{
    (void) state;
    static const struct {
        uint64_t seq;
        size_t line_size;
        size_t outsize;
        int rc; //  the size, or -1
    } rows[] = {
        {0, 10, ROOMSEAL_SEALED_MAX_BYTES, -1},
        {1, 0, ROOMSEAL_SEALED_MAX_BYTES, -1},
        {1, FRAME_MAX_BYTES + 1, ROOMSEAL_SEALED_MAX_BYTES + 1, -1},
        {1, 10, ROOMSEAL_OVERHEAD_BYTES + 9, -1},
        {1, 10, 0, -1},
        {1, 10, ROOMSEAL_OVERHEAD_BYTES + 10, ROOMSEAL_OVERHEAD_BYTES + 10},
        {1, FRAME_MAX_BYTES, ROOMSEAL_SEALED_MAX_BYTES, ROOMSEAL_SEALED_MAX_BYTES},
    };
    static char line[FRAME_MAX_BYTES + 1];
    memset (line, 'y', sizeof line);
    uint8_t out[ROOMSEAL_SEALED_MAX_BYTES + 1];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int rc = roomseal_seal (s_seal, rows[i].seq, s_sender, line, rows[i].line_size, out,
                                rows[i].outsize);
        if (rc != rows[i].rc)
            fail_msg ("row %zu: returned %d, expected %d", i, rc, rows[i].rc);
    }
}

//  How test_open_refuses spoils the example
typedef enum {
    SPOIL_NONE,    //  as it is
    SPOIL_BYTE,    //  one bit flipped at offset
    SPOIL_CUT,     //  its first size bytes only
    SPOIL_LONGER,  //  one byte more at the end
    SPOIL_VERSION, //  seal version 2
    SPOIL_KEY,     //  opened with another room's key
    SPOIL_SEQ,     //  opened as another seq
    SPOIL_SENDER,  //  opened as from another sender
    SPOIL_PLAIN,   //  the plain line itself
    SPOIL_HUGE,    //  a sealed line longer than the longest
    SPOIL_NULL,    //  NULL, size 0
} spoil_t;

//  A spoiled sealed line and what opening it gives
typedef struct {
    spoil_t spoil;
    size_t at;      //  SPOIL_BYTE: the offset; SPOIL_CUT: the size kept
    size_t outsize; //  the caller's buffer
    roomseal_error_t error;
} open_row_t;

//  Spoil the example as row says into sealed; returns its size.
static size_t
s_spoil (const open_row_t *row, uint8_t *sealed, size_t room)
{
    size_t size = s_example_size;
    memcpy (sealed, s_example, size);
    if (row->spoil == SPOIL_BYTE)
        sealed[row->at] ^= 0x04;
    else if (row->spoil == SPOIL_CUT)
        size = row->at;
    else if (row->spoil == SPOIL_LONGER)
        sealed[size++] = 0;
    else if (row->spoil == SPOIL_VERSION)
        sealed[1] = 0x02;
    else if (row->spoil == SPOIL_PLAIN)
        size = strlen (EXAMPLE_LINE), memcpy (sealed, EXAMPLE_LINE, size);
    else if (row->spoil == SPOIL_HUGE)
        size = room, memset (sealed + 2, 0, room - 2);
    return size;
}

//  Every spoiled sealed line is refused with its reason, leaving the caller's line and size as
//  they were; nothing is trusted, asserted or read past the end.
static void
test_open_refuses (void **state)
{
    (void) state;
    const size_t full = ROOMSEAL_LINE_MAX_BYTES, last = 2 + 24 + 16 + 24 + 9;
    const open_row_t rows[] = {
        {SPOIL_NONE, 0, full, ROOMSEAL_OK},
        {SPOIL_NONE, 0, strlen (EXAMPLE_LINE), ROOMSEAL_OK},
        {SPOIL_NONE, 0, strlen (EXAMPLE_LINE) - 1, ROOMSEAL_NO_ROOM},
        {SPOIL_NONE, 0, 0, ROOMSEAL_NO_ROOM},
        {SPOIL_BYTE, 0, full, ROOMSEAL_NOT_SEALED}, //  the marker
        {SPOIL_BYTE, 2, full, ROOMSEAL_FORGED},     //  the nonce
        {SPOIL_BYTE, 25, full, ROOMSEAL_FORGED},
        {SPOIL_BYTE, 26, full, ROOMSEAL_FORGED}, //  the MAC
        {SPOIL_BYTE, 42, full, ROOMSEAL_FORGED}, //  the seq inside
        {SPOIL_BYTE, last, full, ROOMSEAL_FORGED},
        {SPOIL_CUT, 0, full, ROOMSEAL_NOT_SEALED},
        {SPOIL_CUT, 1, full, ROOMSEAL_NOT_SEALED},
        {SPOIL_CUT, 2, full, ROOMSEAL_BAD_SIZE},
        {SPOIL_CUT, 26, full, ROOMSEAL_BAD_SIZE},
        {SPOIL_CUT, ROOMSEAL_OVERHEAD_BYTES, full, ROOMSEAL_BAD_SIZE}, //  an empty line
        {SPOIL_CUT, ROOMSEAL_OVERHEAD_BYTES + 1, full, ROOMSEAL_FORGED},
        {SPOIL_LONGER, 0, full, ROOMSEAL_FORGED},
        {SPOIL_VERSION, 0, full, ROOMSEAL_NOT_SEALED},
        {SPOIL_KEY, 0, full, ROOMSEAL_FORGED},
        {SPOIL_SEQ, 0, full, ROOMSEAL_MISMATCH},
        {SPOIL_SENDER, 0, full, ROOMSEAL_MISMATCH},
        {SPOIL_PLAIN, 0, full, ROOMSEAL_NOT_SEALED},
        {SPOIL_HUGE, 0, full, ROOMSEAL_BAD_SIZE},
        {SPOIL_NULL, 0, full, ROOMSEAL_NOT_SEALED},
    };
    static uint8_t sealed[ROOMSEAL_SEALED_MAX_BYTES + 1];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const open_row_t *row = &rows[i];
        size_t size = s_spoil (row, sealed, sizeof sealed);
        uint8_t sender[16];
        memcpy (sender, s_sender, sizeof sender);
        sender[15] ^= row->spoil == SPOIL_SENDER;
        uint64_t seq = EXAMPLE_SEQ + (row->spoil == SPOIL_SEQ);
        const roomseal_t *key = row->spoil == SPOIL_KEY ? s_other : s_seal;
        char line[ROOMSEAL_LINE_MAX_BYTES] = "untouched";
        size_t line_size = 42;
        roomseal_error_t error =
            roomseal_open (key, seq, sender, row->spoil == SPOIL_NULL ? NULL : sealed,
                           row->spoil == SPOIL_NULL ? 0 : size, line, row->outsize, &line_size);
        if (error != row->error)
            fail_msg ("row %zu: %s, expected %s", i, roomseal_strerror (error),
                      roomseal_strerror (row->error));
        if (error == ROOMSEAL_OK) {
            assert_int_equal (line_size, strlen (EXAMPLE_LINE));
            assert_memory_equal (line, EXAMPLE_LINE, line_size);
        } else {
            assert_int_equal (line_size, 42);
            assert_string_equal (line, "untouched");
        }
    }
}

//  No plain line frame looks sealed: every byte a channel may start with differs from the
//  marker's '~', and every reader of frame 1 takes a sealed line for control traffic, never
//  for text. Each error has a description of its own.
static void
test_marker (void **state)
{
    (void) state;
    for (unsigned byte = 0; byte < 256; byte++) {
        char frame[] = {(char) byte, 'a', '>', ' ', 'x'};
        if (wire_decode_line (frame, sizeof frame, &(wire_line_t){0}) == WIRE_OK)
            assert_false (roomseal_is_sealed (frame, sizeof frame));
    }
    wire_line_t line;
    assert_int_equal (wire_decode_line (s_example, s_example_size, &line), WIRE_CONTROL);
    assert_false (roomseal_is_sealed (EXAMPLE_LINE, strlen (EXAMPLE_LINE)));
    assert_false (roomseal_is_sealed ("~", 1));
    assert_false (roomseal_is_sealed ("~lines", 6));
    assert_true (roomseal_is_sealed (ROOMSEAL_MARKER, ROOMSEAL_MARKER_BYTES));
    const char *seen[ROOMSEAL_NO_ROOM + 1];
    for (int error = ROOMSEAL_OK; error <= ROOMSEAL_NO_ROOM; error++) {
        seen[error] = roomseal_strerror ((roomseal_error_t) error);
        assert_true (*seen[error]);
        for (int before = ROOMSEAL_OK; before < error; before++)
            assert_string_not_equal (seen[before], seen[error]);
    }
    assert_string_equal (roomseal_strerror ((roomseal_error_t) 99), "unknown error");
}

//  A batch of sealed lines, signed as publisher.c signs one: a relay, without the key, checks
//  each line's proof (the tree's leaves are the sealed bytes); a member opens each with the
//  seq and sender of the signed metadata, and a line moved to another seq no longer verifies.
static void
test_batch (void **state)
{
    (void) state;
    const identity_t *anna = testlib_identity (0);
    const uint8_t *sender = identity_sender (anna);
    static const char *const lines[] = {"buddy> hej", "buddy> hur mår ni?", "kurs> labb 3"};
    enum { COUNT = sizeof lines / sizeof lines[0], FIRST = 7 };
    static uint8_t sealed[COUNT][ROOMSEAL_SEALED_MAX_BYTES];
    signing_line_t batch_lines[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        int size = roomseal_seal (s_seal, FIRST + i, sender, lines[i], strlen (lines[i]), sealed[i],
                                  sizeof sealed[i]);
        assert_true (size > 0);
        batch_lines[i] = (signing_line_t){sealed[i], (size_t) size};
    }
    uint8_t meta[WIRE_META_MAX_BYTES];
    size_t meta_size = testlib_meta (meta, anna, "anna", FIRST, 1700000000000);
    static signing_batch_t batch;
    assert_int_equal (signing_batch_build (&batch, meta, meta_size, FIRST, batch_lines, COUNT), 0);
    signing_batch_sign (&batch, anna);
    for (size_t i = 0; i < COUNT; i++) {
        uint8_t line_meta[WIRE_LINE_META_MAX_BYTES];
        int size = signing_line_meta (&batch, i, line_meta, sizeof line_meta);
        assert_true (size > 0);
        wire_meta_t decoded;
        assert_int_equal (wire_decode_meta (line_meta, (size_t) size, &decoded), WIRE_OK);
        //  The relay: verifies without the key
        assert_true (signing_line_verify (&decoded, line_meta, (size_t) size, sealed[i],
                                          batch_lines[i].size, NULL));
        //  A member: opens with the metadata's seq and sender
        char line[ROOMSEAL_LINE_MAX_BYTES];
        size_t line_size = 0;
        assert_int_equal (roomseal_open (s_seal, decoded.seq, decoded.sender, sealed[i],
                                         batch_lines[i].size, line, sizeof line, &line_size),
                          ROOMSEAL_OK);
        assert_int_equal (line_size, strlen (lines[i]));
        assert_memory_equal (line, lines[i], line_size);
        //  Another line's sealed bytes under this line's proof: the signature fails
        size_t other = (i + 1) % COUNT;
        assert_false (signing_line_verify (&decoded, line_meta, (size_t) size, sealed[other],
                                           batch_lines[other].size, NULL));
        //  ... and opened as this line, the seq inside says where it belongs
        assert_int_equal (roomseal_open (s_seal, decoded.seq, decoded.sender, sealed[other],
                                         batch_lines[other].size, line, sizeof line, &line_size),
                          ROOMSEAL_MISMATCH);
    }
}

//  Run the room seal tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_vector),      cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_seal_bounds), cmocka_unit_test (test_open_refuses),
        cmocka_unit_test (test_marker),      cmocka_unit_test (test_batch),
    };
    return cmocka_run_group_tests_name ("roomseal", tests, s_group_setup, s_group_teardown);
}
