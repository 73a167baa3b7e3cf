/*  test_signing.c - unit tests for signing.c: signed batches of chat lines (the tree, its
    signature, each line's proof passed on alone), signed messages of frames, a batch's body.

    The keys are testlib's throwaway identities. A receiver is played as inbox.c plays it: the
    metadata decoded from the frame as received, the tree built again from the lines and
    verified against the signature. Frames are checked from heap blocks of exactly their size,
    so ASan reports a read past the end. Every line is tried without a cache and with one that
    a good line primed, and both must agree: a cache may save work, never change a verdict.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "signing.h"
#include "testlib.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NICK "anna"
#define FIRST_SEQ 1000
#define SENT_MS 1700000000000ULL
#define TEXT_BYTES 32  // one test line, "buddy> line N", at most
#define SAMPLE_LINES 8 // batches up to this many lines are tried at every line; bigger ones
#define SAMPLED_MAX SAMPLE_LINES                                // ... at 5 of them
#define SEQ_AT 17                                               // where seq is in frame 2
#define KEY_AT(nick_size) (WIRE_META_FIXED_BYTES + (nick_size)) // the public key in frame 2

//  The batch sizes tried: one line, the smallest trees, an odd one, a full one, the biggest
static const size_t s_counts[] = {1, 2, 3, 5, 8, WIRE_BATCH_LINES_MAX};
#define COUNTS (sizeof s_counts / sizeof s_counts[0])

//  A batch as its sender has it: its lines, metadata frame, and tree built and signed
typedef struct {
    char texts[WIRE_BATCH_LINES_MAX][TEXT_BYTES]; //  the lines' bytes
    signing_line_t lines[WIRE_BATCH_LINES_MAX];   //  the lines, pointing into texts
    size_t count;                                 //  how many
    uint8_t meta[WIRE_META_MAX_BYTES];            //  frame 2 of the batch, seq FIRST_SEQ
    size_t meta_size;                             //  its size
    signing_batch_t batch;                        //  the tree, signed
} fixture_t;

//  One line passed on alone: its metadata with proof, and the line
typedef struct {
    uint8_t meta[WIRE_LINE_META_MAX_BYTES]; //  frame 2 and the proof
    size_t meta_size;                       //  their size
    uint8_t line[TEXT_BYTES];               //  frame 1
    size_t line_size;                       //  its size
} passed_t;

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

//  Build and sign a batch of count lines ("buddy> line N", from tag) by who into fixture.
static void
s_fixture (fixture_t *fixture, const identity_t *who, size_t count, const char *tag)
{
    assert_true (count >= 1 && count <= WIRE_BATCH_LINES_MAX);
    fixture->count = count;
    for (size_t i = 0; i < count; i++) {
        int size = snprintf (fixture->texts[i], TEXT_BYTES, "buddy> %s %zu", tag, i);
        assert_true (size > 0 && size < TEXT_BYTES);
        fixture->lines[i] = (signing_line_t){(const uint8_t *) fixture->texts[i], (size_t) size};
    }
    fixture->meta_size = testlib_meta (fixture->meta, who, NICK, FIRST_SEQ, SENT_MS);
    assert_int_equal (signing_batch_build (&fixture->batch, fixture->meta, fixture->meta_size,
                                           FIRST_SEQ, fixture->lines, count),
                      0);
    signing_batch_sign (&fixture->batch, who);
}

//  The lines of a batch of count that are tried: all of a small one, and of a big one the first
//  two, the middle, the last two. Returns how many are in indexes.
static size_t
s_sample (size_t count, size_t indexes[SAMPLED_MAX])
{
    if (count <= SAMPLE_LINES) {
        for (size_t i = 0; i < count; i++)
            indexes[i] = i;
        return count;
    }
    const size_t picked[] = {0, 1, count / 2, count - 2, count - 1};
    memcpy (indexes, picked, sizeof picked);
    return sizeof picked / sizeof picked[0];
}

//  True when a receiver takes the batch: meta (meta_size bytes) decodes whole as version 2 with
//  a valid sender id, and signature (signature_size bytes) is its sender's of the tree of lines.
static bool
s_receiver_takes (const void *meta, size_t meta_size, const signing_line_t *lines, size_t count,
                  const void *signature, size_t signature_size)
{
    static signing_batch_t received;
    uint8_t *meta_copy = s_copy (meta, meta_size);
    uint8_t *signature_copy = s_copy (signature, signature_size);
    wire_meta_t decoded;
    bool taken =
        wire_decode_meta (meta_copy, meta_size, &decoded) == WIRE_OK && decoded.keyed &&
        decoded.size == meta_size && decoded.seq > 0 && signing_meta_valid (&decoded) &&
        signing_batch_build (&received, meta_copy, meta_size, decoded.seq, lines, count) == 0 &&
        signing_batch_verify (&received, decoded.public_key, signature_copy, signature_size);
    free (meta_copy);
    free (signature_copy);
    return taken;
}

//  True when a receiver takes a line passed on alone (its frames copied, decoded as received),
//  using cache (or none when NULL).
static bool
s_line_taken (const passed_t *passed, signing_cache_t *cache)
{
    uint8_t *meta = s_copy (passed->meta, passed->meta_size);
    uint8_t *line = s_copy (passed->line, passed->line_size);
    wire_meta_t decoded;
    bool taken =
        wire_decode_meta (meta, passed->meta_size, &decoded) == WIRE_OK &&
        signing_line_verify (&decoded, meta, passed->meta_size, line, passed->line_size, cache);
    free (meta);
    free (line);
    return taken;
}

//  Whether a line passed on alone is taken, asserting that the verdict is the same without a
//  cache, with a new one, and with primed (a cache a good line has filled).
static bool
s_line_verdict (const passed_t *passed, signing_cache_t *primed)
{
    signing_cache_t fresh = {0};
    bool taken = s_line_taken (passed, NULL);
    if (s_line_taken (passed, &fresh) != taken || s_line_taken (passed, primed) != taken)
        fail_msg ("a cache changed the verdict on a line (%s without one)",
                  taken ? "taken" : "refused");
    return taken;
}

//  Line index of fixture as its sender passes it on: its metadata with proof, and the line.
static void
s_passed (const fixture_t *fixture, size_t index, passed_t *passed)
{
    int size = signing_line_meta (&fixture->batch, index, passed->meta, sizeof passed->meta);
    assert_true (size > 0);
    passed->meta_size = (size_t) size;
    passed->line_size = fixture->lines[index].size;
    memcpy (passed->line, fixture->lines[index].data, passed->line_size);
}

//  A signed batch of 1 to WIRE_BATCH_LINES_MAX lines verifies as a whole, and each of its lines
//  alone, with its proof: the metadata of the line's own seq and the path of its place.
static void
test_batch_verifies (void **state)
{
    (void) state;
    static fixture_t fixture;
    static signing_batch_t received;
    for (size_t c = 0; c < COUNTS; c++) {
        s_fixture (&fixture, testlib_identity (0), s_counts[c], "line");
        assert_true (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines,
                                       fixture.count, fixture.batch.signature,
                                       WIRE_SIGNATURE_BYTES));
        //  The receiver's tree gives each line the proof its sender's gives it
        assert_int_equal (signing_batch_build (&received, fixture.meta, fixture.meta_size,
                                               FIRST_SEQ, fixture.lines, fixture.count),
                          0);
        assert_true (signing_batch_verify (&received, identity_public (testlib_identity (0)),
                                           fixture.batch.signature, WIRE_SIGNATURE_BYTES));
        signing_cache_t primed = {0};
        for (size_t i = 0; i < fixture.count; i++) {
            passed_t passed, again;
            s_passed (&fixture, i, &passed);
            int size = signing_line_meta (&received, i, again.meta, sizeof again.meta);
            assert_int_equal (size, passed.meta_size);
            assert_memory_equal (again.meta, passed.meta, passed.meta_size);
            assert_int_equal (passed.meta_size,
                              fixture.meta_size + WIRE_PROOF_FIXED_BYTES +
                                  wire_path_levels (i, fixture.count) * WIRE_HASH_BYTES);
            wire_meta_t decoded;
            assert_int_equal (wire_decode_meta (passed.meta, passed.meta_size, &decoded), WIRE_OK);
            assert_true (decoded.seq == FIRST_SEQ + i);
            assert_string_equal (decoded.nick, NICK);
            if (!s_line_verdict (&passed, &primed))
                fail_msg ("batch of %zu: line %zu does not verify", fixture.count, i);
            assert_true (s_line_taken (&passed, &primed));
        }
    }
}

//  A batch changed anywhere is refused: a byte of a line, of the metadata or of the
//  signature, two lines swapped, a line dropped or added, a signature of the wrong size.
static void
test_batch_tampered (void **state)
{
    (void) state;
    static fixture_t fixture;
    static signing_line_t lines[WIRE_BATCH_LINES_MAX + 1];
    static uint8_t changed[TEXT_BYTES];
    for (size_t c = 0; c < COUNTS; c++) {
        s_fixture (&fixture, testlib_identity (0), s_counts[c], "line");
        const uint8_t *signature = fixture.batch.signature;
        size_t count = fixture.count, indexes[SAMPLED_MAX], sampled = s_sample (count, indexes);
        for (size_t s = 0; s < sampled; s++) {
            const signing_line_t *line = &fixture.lines[indexes[s]];
            for (size_t at = 0; at < line->size; at++) {
                memcpy (lines, fixture.lines, count * sizeof lines[0]);
                memcpy (changed, line->data, line->size);
                changed[at] ^= 0x01;
                lines[indexes[s]].data = changed;
                if (s_receiver_takes (fixture.meta, fixture.meta_size, lines, count, signature,
                                      WIRE_SIGNATURE_BYTES))
                    fail_msg ("batch of %zu: line %zu changed at %zu taken", count, indexes[s], at);
            }
        }
        for (size_t at = 0; at < fixture.meta_size; at++) {
            uint8_t meta[WIRE_META_MAX_BYTES];
            memcpy (meta, fixture.meta, fixture.meta_size);
            meta[at] ^= 0x01;
            if (s_receiver_takes (meta, fixture.meta_size, fixture.lines, count, signature,
                                  WIRE_SIGNATURE_BYTES))
                fail_msg ("batch of %zu: metadata changed at %zu taken", count, at);
        }
        for (size_t at = 0; at < WIRE_SIGNATURE_BYTES; at++) {
            uint8_t forged[WIRE_SIGNATURE_BYTES];
            memcpy (forged, signature, sizeof forged);
            forged[at] ^= 0x80;
            assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines, count,
                                            forged, sizeof forged));
        }
        uint8_t longer[WIRE_SIGNATURE_BYTES + 1] = {0};
        memcpy (longer, signature, WIRE_SIGNATURE_BYTES);
        assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines, count,
                                        longer, sizeof longer));
        assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines, count,
                                        signature, WIRE_SIGNATURE_BYTES - 1));
        assert_false (
            s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines, count, signature, 0));
        if (count > 1) {
            memcpy (lines, fixture.lines, count * sizeof lines[0]);
            lines[0] = fixture.lines[count - 1];
            lines[count - 1] = fixture.lines[0];
            assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, lines, count,
                                            signature, WIRE_SIGNATURE_BYTES));
            assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines,
                                            count - 1, signature, WIRE_SIGNATURE_BYTES));
        }
        if (count < WIRE_BATCH_LINES_MAX) {
            memcpy (lines, fixture.lines, count * sizeof lines[0]);
            lines[count] = fixture.lines[0];
            assert_false (s_receiver_takes (fixture.meta, fixture.meta_size, lines, count + 1,
                                            signature, WIRE_SIGNATURE_BYTES));
        }
    }
}

//  A line passed on alone and changed anywhere is refused: a byte of the line, of its metadata
//  (seq, nick, key ...) or of its proof (first seq, count, signature, each path hash), a byte
//  cut off or added, another line of the batch under its proof. The cache, primed by the good
//  line, does not let any of them through.
static void
test_line_tampered (void **state)
{
    (void) state;
    static fixture_t fixture;
    for (size_t c = 0; c < COUNTS; c++) {
        s_fixture (&fixture, testlib_identity (0), s_counts[c], "line");
        size_t count = fixture.count, indexes[SAMPLED_MAX], sampled = s_sample (count, indexes);
        for (size_t s = 0; s < sampled; s++) {
            passed_t good, passed;
            s_passed (&fixture, indexes[s], &good);
            signing_cache_t primed = {0};
            assert_true (s_line_taken (&good, &primed));
            for (size_t at = 0; at < good.meta_size; at++) {
                passed = good;
                passed.meta[at] ^= 0x01;
                if (s_line_verdict (&passed, &primed))
                    fail_msg ("batch of %zu: line %zu's metadata changed at %zu taken", count,
                              indexes[s], at);
            }
            for (size_t at = 0; at < good.line_size; at++) {
                passed = good;
                passed.line[at] ^= 0x01;
                if (s_line_verdict (&passed, &primed))
                    fail_msg ("batch of %zu: line %zu changed at %zu taken", count, indexes[s], at);
            }
            passed = good;
            passed.meta_size--;
            assert_false (s_line_verdict (&passed, &primed));
            passed = good;
            passed.meta[passed.meta_size++] = 0;
            assert_false (s_line_verdict (&passed, &primed));
            for (size_t other = 0; other<count; other += count> SAMPLE_LINES ? 37 : 1) {
                if (other == indexes[s])
                    continue;
                passed = good;
                passed.line_size = fixture.lines[other].size;
                memcpy (passed.line, fixture.lines[other].data, passed.line_size);
                assert_false (s_line_verdict (&passed, &primed));
            }
            //  Still good, with the cache it primed
            assert_true (s_line_verdict (&good, &primed));
        }
    }
}

//  Write seq into the seq field of the line metadata in passed.
static void
s_set_seq (passed_t *passed, uint64_t seq)
{
    for (size_t i = 0; i < 8; i++)
        passed->meta[SEQ_AT + i] = (uint8_t) (seq >> (56 - 8 * i));
}

//  A line's metadata with its seq field changed is refused: to another line's of its batch (with
//  this line's proof), to a seq outside the batch, to the batch's first seq.
static void
test_line_seq_changed (void **state)
{
    (void) state;
    static fixture_t fixture;
    for (size_t c = 0; c < COUNTS; c++) {
        s_fixture (&fixture, testlib_identity (0), s_counts[c], "line");
        size_t count = fixture.count, indexes[SAMPLED_MAX], sampled = s_sample (count, indexes);
        for (size_t s = 0; s < sampled; s++) {
            passed_t good, passed;
            s_passed (&fixture, indexes[s], &good);
            signing_cache_t primed = {0};
            assert_true (s_line_taken (&good, &primed));
            const uint64_t seqs[] = {FIRST_SEQ - 1,
                                     FIRST_SEQ,
                                     FIRST_SEQ + 1,
                                     FIRST_SEQ + count - 1,
                                     FIRST_SEQ + count,
                                     0,
                                     UINT64_MAX,
                                     FIRST_SEQ + indexes[s] + 1,
                                     FIRST_SEQ + indexes[s] - 1,
                                     FIRST_SEQ + indexes[s] + 2,
                                     (FIRST_SEQ + indexes[s]) ^ 1};
            for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
                if (seqs[i] == FIRST_SEQ + indexes[s])
                    continue;
                passed = good;
                s_set_seq (&passed, seqs[i]);
                if (s_line_verdict (&passed, &primed))
                    fail_msg ("batch of %zu: line %zu taken as seq %llu", count, indexes[s],
                              (unsigned long long) seqs[i]);
            }
        }
    }
}

//  signing_meta_valid: true only for version 2 whose sender id is derived from its key and
//  session; a line or batch under another identity's key is refused, whether the metadata is
//  consistent (its key, session and id) or not (another's key, our id).
static void
test_other_identity (void **state)
{
    (void) state;
    static fixture_t fixture;
    wire_meta_t meta;
    uint8_t frame[WIRE_META_MAX_BYTES];
    for (int n = 0; n < 3; n++) {
        size_t size = testlib_meta (frame, testlib_identity (n), NICK, 1, SENT_MS);
        assert_int_equal (wire_decode_meta (frame, size, &meta), WIRE_OK);
        assert_true (signing_meta_valid (&meta));
        wire_meta_t changed = meta;
        changed.sender[n] ^= 0x01;
        assert_false (signing_meta_valid (&changed));
        changed = meta;
        changed.session[WIRE_SESSION_BYTES - 1] ^= 0x01;
        assert_false (signing_meta_valid (&changed));
        changed = meta;
        changed.public_key[0] ^= 0x01;
        assert_false (signing_meta_valid (&changed));
        changed = meta;
        changed.keyed = false;
        assert_false (signing_meta_valid (&changed));
    }
    size_t size = testlib_meta_v1 (frame, identity_sender (testlib_identity (0)), NICK, 1, SENT_MS);
    assert_int_equal (wire_decode_meta (frame, size, &meta), WIRE_OK);
    assert_false (signing_meta_valid (&meta));

    const uint8_t *other_key = identity_public (testlib_identity (1));
    const uint8_t *other_session = identity_session (testlib_identity (1));
    const uint8_t *other_sender = identity_sender (testlib_identity (1));
    for (size_t c = 0; c < COUNTS; c++) {
        s_fixture (&fixture, testlib_identity (0), s_counts[c], "line");
        passed_t good, passed;
        s_passed (&fixture, fixture.count - 1, &good);
        signing_cache_t primed = {0};
        assert_true (s_line_taken (&good, &primed));
        //  Another's key, our id: the id is not derived from it
        passed = good;
        memcpy (passed.meta + KEY_AT (strlen (NICK)), other_key, WIRE_PUBLIC_BYTES);
        assert_int_equal (wire_decode_meta (passed.meta, passed.meta_size, &meta), WIRE_OK);
        assert_false (signing_meta_valid (&meta));
        assert_false (s_line_verdict (&passed, &primed));
        //  Another's key, session and id: consistent, but not who signed
        memcpy (passed.meta + KEY_AT (strlen (NICK)) + WIRE_PUBLIC_BYTES, other_session,
                WIRE_SESSION_BYTES);
        memcpy (passed.meta + 1, other_sender, WIRE_SENDER_BYTES);
        assert_int_equal (wire_decode_meta (passed.meta, passed.meta_size, &meta), WIRE_OK);
        assert_true (signing_meta_valid (&meta));
        assert_false (s_line_verdict (&passed, &primed));
        //  The same for the whole batch
        uint8_t other[WIRE_META_MAX_BYTES];
        memcpy (other, fixture.meta, fixture.meta_size);
        memcpy (other + 1, other_sender, WIRE_SENDER_BYTES);
        memcpy (other + KEY_AT (strlen (NICK)), other_key, WIRE_PUBLIC_BYTES);
        memcpy (other + KEY_AT (strlen (NICK)) + WIRE_PUBLIC_BYTES, other_session,
                WIRE_SESSION_BYTES);
        assert_false (s_receiver_takes (other, fixture.meta_size, fixture.lines, fixture.count,
                                        fixture.batch.signature, WIRE_SIGNATURE_BYTES));
        //  A batch the other one signed is its own, and verifies
        s_fixture (&fixture, testlib_identity (1), s_counts[c], "line");
        assert_true (s_receiver_takes (fixture.meta, fixture.meta_size, fixture.lines,
                                       fixture.count, fixture.batch.signature,
                                       WIRE_SIGNATURE_BYTES));
    }
}

//  Decode body (size bytes, from an exact heap copy) into lines (max at most); each line
//  decoded must lie inside the body, and then points into body itself. Returns what
//  signing_decode_body returns.
static int
s_decode_body (const void *body, size_t size, signing_line_t *lines, size_t max)
{
    uint8_t *copy = s_copy (body, size);
    int count = signing_decode_body (copy, size, lines, max);
    for (int i = 0; i < count; i++) {
        assert_true (lines[i].size > 0);
        assert_true (lines[i].data >= copy + 2 && lines[i].data + lines[i].size <= copy + size);
        lines[i].data = (const uint8_t *) body + (lines[i].data - copy); //  the copy goes
    }
    free (copy);
    return count;
}

//  A batch's body: each line as its 2-byte big-endian size and its bytes; encoded and decoded
//  back (up to a line of 65535 bytes), and refused by the encoder when it does not fit.
static void
test_body_round_trip (void **state)
{
    (void) state;
    static uint8_t big[0x10000], body[0x10000 + 512];
    memset (big, 'x', sizeof big);
    signing_line_t lines[] = {
        {(const uint8_t *) "a", 1}, {(const uint8_t *) "bud> hej", 8}, {big, 300}, {big, 0xFFFF}};
    const size_t count = sizeof lines / sizeof lines[0];
    size_t size = 0;
    for (size_t i = 0; i < count; i++)
        size += 2 + lines[i].size;
    assert_int_equal (signing_encode_body (body, sizeof body, lines, count), size);
    assert_memory_equal (body,
                         "\x00\x01"
                         "a\x00\x08"
                         "bud> hej\x01\x2c",
                         15);
    assert_memory_equal (body + 15 + 300, "\xFF\xFF", 2);
    signing_line_t decoded[8];
    assert_int_equal (s_decode_body (body, size, decoded, 8), count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal (decoded[i].size, lines[i].size);
        assert_memory_equal (decoded[i].data, lines[i].data, lines[i].size);
    }
    //  Nothing at all is a body of no lines
    assert_int_equal (signing_encode_body (body, sizeof body, lines, 0), 0);
    assert_int_equal (s_decode_body (body, 0, decoded, 8), 0);
    //  The first two lines need 3 + 10 bytes: each buffer smaller is refused, and exactly
    //  that is enough
    for (size_t outsize = 0; outsize <= 13; outsize++) {
        uint8_t *out = malloc (outsize ? outsize : 1);
        assert_non_null (out);
        assert_int_equal (signing_encode_body (out, outsize, lines, 2), outsize == 13 ? 13 : -1);
        assert_int_equal (signing_encode_body (out, outsize, lines, 1), outsize >= 3 ? 3 : -1);
        free (out);
    }
    //  A line too long for its 2-byte size
    signing_line_t too_long = {big, 0x10000};
    assert_int_equal (signing_encode_body (body, sizeof body, &too_long, 1), -1);
}

//  A malformed body is refused: a size past the end, a size cut, an empty line, more lines
//  than max.
static void
test_body_malformed (void **state)
{
    (void) state;
    static const struct {
        const char *what;  //  what is wrong with it
        const char *bytes; //  the body
        size_t size;       //  its size
        int expected;      //  what signing_decode_body returns, max 4
    } rows[] = {
        {"good",
         "\x00\x01"
         "a\x00\x02"
         "bc",
         7, 2},
        {"size past the end",
         "\x00\x05"
         "abcd",
         6, -1},
        {"size past the end, later",
         "\x00\x01"
         "a\x00\x03"
         "bc",
         7, -1},
        {"the biggest size, little after it",
         "\xFF\xFF"
         "abc",
         5, -1},
        {"one byte", "\x00", 1, -1},
        {"a size cut after a line",
         "\x00\x01"
         "a\x00",
         4, -1},
        {"an empty line", "\x00\x00", 2, -1},
        {"an empty line after one",
         "\x00\x01"
         "a\x00\x00",
         5, -1},
        {"an empty line before one",
         "\x00\x00\x00\x01"
         "a",
         5, -1},
        {"five lines",
         "\x00\x01"
         "a\x00\x01"
         "b\x00\x01"
         "c\x00\x01"
         "d\x00\x01"
         "e",
         15, -1},
        {"four lines",
         "\x00\x01"
         "a\x00\x01"
         "b\x00\x01"
         "c\x00\x01"
         "d",
         12, 4},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        signing_line_t lines[4];
        int count = s_decode_body (rows[i].bytes, rows[i].size, lines, 4);
        if (count != rows[i].expected)
            fail_msg ("%s: %d, want %d", rows[i].what, count, rows[i].expected);
    }
    //  The most lines a batch has, and one more
    static uint8_t body[3 * (WIRE_BATCH_LINES_MAX + 1)];
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    for (size_t i = 0; i <= WIRE_BATCH_LINES_MAX; i++)
        memcpy (body + 3 * i, "\x00\x01x", 3);
    assert_int_equal (s_decode_body (body, 3 * WIRE_BATCH_LINES_MAX, lines, WIRE_BATCH_LINES_MAX),
                      WIRE_BATCH_LINES_MAX);
    assert_int_equal (s_decode_body (body, sizeof body, lines, WIRE_BATCH_LINES_MAX), -1);
    assert_int_equal (s_decode_body (body, 3, lines, 0), -1);
}

#define FRAMES_MAX 5 // frames of a signed message in these tests, signature included

//  True when the message of count frames, its metadata frame at meta_at, with signature
//  (signature_size bytes) after them, is taken: each frame from an exact heap copy, the
//  metadata decoded from it.
static bool
s_frames_taken (const void *const *frames, const size_t *sizes, size_t count, size_t meta_at,
                const void *signature, size_t signature_size)
{
    void *copies[FRAMES_MAX];
    assert_true (count <= FRAMES_MAX && meta_at < count);
    for (size_t i = 0; i < count; i++)
        copies[i] = s_copy (frames[i], sizes[i]);
    void *signature_copy = s_copy (signature, signature_size);
    wire_meta_t meta;
    bool taken = wire_decode_meta (copies[meta_at], sizes[meta_at], &meta) == WIRE_OK &&
                 signing_verify_frames (&meta, (const void *const *) copies, sizes, count,
                                        signature_copy, signature_size);
    for (size_t i = 0; i < count; i++)
        free (copies[i]);
    free (signature_copy);
    return taken;
}

//  A signed message (a heartbeat here): signed, it verifies; a byte changed in any frame, a
//  frame added or missing, a byte moved from one frame to the next, a signature of the wrong
//  size, another identity's metadata or one of version 1, and it does not.
static void
test_frames (void **state)
{
    (void) state;
    uint8_t meta[WIRE_META_MAX_BYTES], other[WIRE_META_MAX_BYTES], old[WIRE_META_MAX_BYTES];
    uint8_t body[] = "port 5557\nchannel buddy\nseq 42\n";
    size_t meta_size = testlib_meta (meta, testlib_identity (0), NICK, 0, SENT_MS);
    const void *frames[FRAMES_MAX] = {CONTROL_BEAT, meta, body, "ab", "c"};
    size_t sizes[FRAMES_MAX] = {strlen (CONTROL_BEAT), meta_size, sizeof body - 1, 2, 1};
    uint8_t signature[WIRE_SIGNATURE_BYTES], longer[WIRE_SIGNATURE_BYTES + 1] = {0};
    signing_sign_frames (testlib_identity (0), frames, sizes, 3, signature);
    assert_true (s_frames_taken (frames, sizes, 3, 1, signature, sizeof signature));
    assert_false (s_frames_taken (frames, sizes, 4, 1, signature, sizeof signature));
    assert_false (s_frames_taken (frames, sizes, 2, 1, signature, sizeof signature));
    assert_false (s_frames_taken (frames, sizes, 3, 1, signature, sizeof signature - 1));
    assert_false (s_frames_taken (frames, sizes, 3, 1, signature, 0));
    memcpy (longer, signature, sizeof signature);
    assert_false (s_frames_taken (frames, sizes, 3, 1, longer, sizeof longer));
    for (size_t f = 0; f < 3; f++)
        for (size_t at = 0; at < sizes[f]; at++) {
            uint8_t changed[WIRE_META_MAX_BYTES + sizeof body];
            memcpy (changed, frames[f], sizes[f]);
            changed[at] ^= 0x01;
            const void *tampered[FRAMES_MAX] = {frames[0], frames[1], frames[2]};
            tampered[f] = changed;
            if (s_frames_taken (tampered, sizes, 3, 1, signature, sizeof signature))
                fail_msg ("frame %zu changed at %zu taken", f, at);
        }
    for (size_t at = 0; at < sizeof signature; at++) {
        uint8_t forged[WIRE_SIGNATURE_BYTES];
        memcpy (forged, signature, sizeof forged);
        forged[at] ^= 0x80;
        assert_false (s_frames_taken (frames, sizes, 3, 1, forged, sizeof forged));
    }
    //  The same bytes cut into frames elsewhere: "ab" "c" is not "a" "bc"
    uint8_t split[WIRE_SIGNATURE_BYTES];
    signing_sign_frames (testlib_identity (0), frames, sizes, 5, split);
    assert_true (s_frames_taken (frames, sizes, 5, 1, split, sizeof split));
    const void *moved[FRAMES_MAX] = {frames[0], frames[1], frames[2], "a", "bc"};
    size_t moved_sizes[FRAMES_MAX] = {sizes[0], sizes[1], sizes[2], 1, 2};
    assert_false (s_frames_taken (moved, moved_sizes, 5, 1, split, sizeof split));
    //  Another identity's metadata, valid in itself; ours in version 1
    const void *others[FRAMES_MAX] = {frames[0], other, frames[2]};
    size_t other_sizes[FRAMES_MAX] = {sizes[0], 0, sizes[2]};
    other_sizes[1] = testlib_meta (other, testlib_identity (1), NICK, 0, SENT_MS);
    assert_false (s_frames_taken (others, other_sizes, 3, 1, signature, sizeof signature));
    others[1] = old;
    other_sizes[1] =
        testlib_meta_v1 (old, identity_sender (testlib_identity (0)), NICK, 0, SENT_MS);
    signing_sign_frames (testlib_identity (0), others, other_sizes, 3, signature);
    assert_false (s_frames_taken (others, other_sizes, 3, 1, signature, sizeof signature));
}

//  The cache spares a verification, never changes one: lines of two batches, good and
//  tampered, in turn through one cache get the verdicts they get without it; a line of another
//  identity's batch, its signature bytes swapped in, is still refused.
static void
test_cache (void **state)
{
    (void) state;
    static fixture_t first, second, third;
    s_fixture (&first, testlib_identity (0), 5, "first");
    s_fixture (&second, testlib_identity (0), 8, "second");
    s_fixture (&third, testlib_identity (2), 5, "first");
    signing_cache_t cache = {0};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < 8; i++) {
            passed_t passed;
            if (i < 5) {
                s_passed (&first, i, &passed);
                assert_true (s_line_verdict (&passed, &cache));
                passed.meta[passed.meta_size - 1] ^= 0x01; //  the last hash of its path
                assert_false (s_line_verdict (&passed, &cache));
                s_passed (&third, i, &passed);
                assert_true (s_line_verdict (&passed, &cache));
            }
            s_passed (&second, i, &passed);
            assert_true (s_line_verdict (&passed, &cache));
            passed.line[passed.line_size - 1] ^= 0x01;
            assert_false (s_line_verdict (&passed, &cache));
        }
    //  The third batch's line with the first's signature in its proof: the cache holds the
    //  first's signature, but for another key and digest
    passed_t good, forged;
    s_passed (&first, 2, &good);
    assert_true (s_line_taken (&good, &cache));
    s_passed (&third, 2, &forged);
    size_t signature_at = third.meta_size + 8 + 2;
    memcpy (forged.meta + signature_at, good.meta + signature_at, WIRE_SIGNATURE_BYTES);
    assert_false (s_line_verdict (&forged, &cache));
}

//  signing_batch_build refuses no lines, too many, seq 0, a seq range past the end, metadata
//  too big; signing_line_meta a line outside the batch and too small a buffer.
static void
test_build_refuses (void **state)
{
    (void) state;
    static fixture_t fixture;
    static signing_batch_t batch;
    s_fixture (&fixture, testlib_identity (0), WIRE_BATCH_LINES_MAX, "line");
    static signing_line_t lines[WIRE_BATCH_LINES_MAX + 1];
    memcpy (lines, fixture.lines, sizeof fixture.lines);
    lines[WIRE_BATCH_LINES_MAX] = fixture.lines[0];
    const uint8_t *meta = fixture.meta;
    size_t size = fixture.meta_size;
    assert_int_equal (signing_batch_build (&batch, meta, size, FIRST_SEQ, lines, 0), -1);
    assert_int_equal (
        signing_batch_build (&batch, meta, size, FIRST_SEQ, lines, WIRE_BATCH_LINES_MAX + 1), -1);
    assert_int_equal (signing_batch_build (&batch, meta, size, 0, lines, 1), -1);
    assert_int_equal (signing_batch_build (&batch, meta, size, UINT64_MAX, lines, 1), -1);
    assert_int_equal (signing_batch_build (&batch, meta, size, UINT64_MAX - 1, lines, 1), 0);
    assert_int_equal (signing_batch_build (&batch, meta, size, UINT64_MAX - 2, lines, 2), 0);
    assert_int_equal (signing_batch_build (&batch, meta, size, UINT64_MAX - 2, lines, 3), -1);
    static uint8_t huge[WIRE_META_MAX_BYTES + 1];
    assert_int_equal (signing_batch_build (&batch, huge, sizeof huge, FIRST_SEQ, lines, 1), -1);

    uint8_t out[WIRE_LINE_META_MAX_BYTES];
    signing_batch_t *signed_batch = &fixture.batch;
    assert_int_equal (signing_line_meta (signed_batch, WIRE_BATCH_LINES_MAX, out, sizeof out), -1);
    size_t expected = size + WIRE_PROOF_FIXED_BYTES + WIRE_PATH_MAX * WIRE_HASH_BYTES;
    assert_int_equal (signing_line_meta (signed_batch, 0, out, expected), expected);
    assert_int_equal (signing_line_meta (signed_batch, 0, out, expected - 1), -1);
    assert_int_equal (signing_line_meta (signed_batch, 0, out, size - 1), -1);
    assert_int_equal (signing_line_meta (signed_batch, 0, out, 0), -1);
}

//  signing_batch_build refuses metadata shorter than frame 2's fixed part: signing_line_meta
//  writes each line's seq at bytes 17..24 of it.
static void
test_short_meta_refused (void **state)
{
    (void) state;
    static signing_batch_t batch;
    const uint8_t meta[10] = {WIRE_VERSION};
    const signing_line_t line = {(const uint8_t *) "buddy> hej", 10};
    assert_int_equal (signing_batch_build (&batch, meta, sizeof meta, 1, &line, 1), -1);
}

//  BLAKE2b-256 of the parts (count of them, each data and size) one after the other.
static void
s_hash (uint8_t out[WIRE_HASH_BYTES], const void *const *parts, const size_t *sizes, size_t count)
{
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, WIRE_HASH_BYTES);
    for (size_t i = 0; i < count; i++)
        crypto_generichash_update (&state, parts[i], sizes[i]);
    crypto_generichash_final (&state, out, WIRE_HASH_BYTES);
}

//  Write value big-endian into size bytes at out.
static void
s_big_endian (uint8_t *out, uint64_t value, size_t size)
{
    for (size_t i = size; i > 0; i--, value >>= 8)
        out[i - 1] = (uint8_t) value;
}

//  True when signature is who's Ed25519 signature of context (16 bytes, NUL-padded) and digest.
static bool
s_signs (const identity_t *who, const char *context, const uint8_t digest[WIRE_HASH_BYTES],
         const uint8_t signature[WIRE_SIGNATURE_BYTES])
{
    uint8_t statement[16 + WIRE_HASH_BYTES] = {0};
    memcpy (statement, context, strlen (context));
    memcpy (statement + 16, digest, WIRE_HASH_BYTES);
    return crypto_sign_verify_detached (signature, statement, sizeof statement,
                                        identity_public (who)) == 0;
}

//  The signatures are of what signing.c's header specifies, computed here apart from it with
//  libsodium, so another implementation can be written from it: a batch of 5 lines (the last
//  one alone goes up as it is) signs "chatt lines 2" | H(metadata | count (2) | root) with
//  leaves H(0x00 | seq (8) | line) and nodes H(0x01 | left | right); a message of frames signs
//  "chatt frames 2" | H(size (4) | frame ...). Numbers big-endian.
static void
test_statements (void **state)
{
    (void) state;
    static fixture_t fixture;
    const identity_t *who = testlib_identity (3);
    s_fixture (&fixture, who, 5, "spec");
    uint8_t leaves[5][WIRE_HASH_BYTES], nodes[3][WIRE_HASH_BYTES], root[WIRE_HASH_BYTES];
    for (size_t i = 0; i < 5; i++) {
        uint8_t head[9] = {0x00};
        s_big_endian (head + 1, FIRST_SEQ + i, 8);
        const void *parts[] = {head, fixture.lines[i].data};
        const size_t sizes[] = {sizeof head, fixture.lines[i].size};
        s_hash (leaves[i], parts, sizes, 2);
    }
    const uint8_t node_tag = 0x01;
    const void *pairs[3][3] = {{&node_tag, leaves[0], leaves[1]},
                               {&node_tag, leaves[2], leaves[3]},
                               {&node_tag, nodes[0], nodes[1]}};
    const size_t pair_sizes[] = {1, WIRE_HASH_BYTES, WIRE_HASH_BYTES};
    for (size_t i = 0; i < 3; i++)
        s_hash (nodes[i], pairs[i], pair_sizes, 3);
    const void *top[] = {&node_tag, nodes[2], leaves[4]}; //  leaf 4 went up alone twice
    s_hash (root, top, pair_sizes, 3);
    uint8_t count[2] = {0, 5}, digest[WIRE_HASH_BYTES];
    const void *statement[] = {fixture.meta, count, root};
    const size_t statement_sizes[] = {fixture.meta_size, 2, WIRE_HASH_BYTES};
    s_hash (digest, statement, statement_sizes, 3);
    assert_true (s_signs (who, "chatt lines 2", digest, fixture.batch.signature));

    uint8_t meta[WIRE_META_MAX_BYTES], signature[WIRE_SIGNATURE_BYTES];
    size_t meta_size = testlib_meta (meta, who, NICK, 0, SENT_MS);
    const void *frames[] = {CONTROL_BYE, meta};
    const size_t sizes[] = {strlen (CONTROL_BYE), meta_size};
    signing_sign_frames (who, frames, sizes, 2, signature);
    uint8_t first_size[4], second_size[4];
    s_big_endian (first_size, sizes[0], 4);
    s_big_endian (second_size, sizes[1], 4);
    const void *framed[] = {first_size, frames[0], second_size, frames[1]};
    const size_t framed_sizes[] = {4, sizes[0], 4, sizes[1]};
    s_hash (digest, framed, framed_sizes, 4);
    assert_true (s_signs (who, "chatt frames 2", digest, signature));
}

//  Run the signing tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_batch_verifies), cmocka_unit_test (test_batch_tampered),
        cmocka_unit_test (test_line_tampered),  cmocka_unit_test (test_line_seq_changed),
        cmocka_unit_test (test_other_identity), cmocka_unit_test (test_body_round_trip),
        cmocka_unit_test (test_body_malformed), cmocka_unit_test (test_frames),
        cmocka_unit_test (test_cache),          cmocka_unit_test (test_build_refuses),
        cmocka_unit_test (test_statements),     cmocka_unit_test (test_short_meta_refused),
    };
    return cmocka_run_group_tests_name ("signing", tests, NULL, NULL);
}
