/*  test_backlog.c - unit tests for backlog.c: lines kept and served in time order, duplicates,
    the three bounds (lines per channel, channels, bytes), malformed frames, and the lock.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "backlog.h"
#include "limits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0x3f, 0x2a, 1};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x10, 0x20, 3};

#define SERVED_MAX 2048 // lines a test's serve records at most
#define SHOWN_BYTES 40  // bytes of frame 1 recorded per line

//  One line as served
typedef struct {
    char line[SHOWN_BYTES + 1]; //  the start of frame 1, NUL-terminated
    size_t line_size;           //  frame 1's full size
    size_t meta_size;           //  frame 2's size
    wire_meta_t meta;           //  frame 2, decoded
} served_t;

//  What a test's serve recorded
typedef struct {
    served_t lines[SERVED_MAX]; //  the lines, in the order served
    size_t count;               //  how many were served (recorded up to SERVED_MAX)
} record_t;

//  Setup: a backlog keeping *state lines per channel (BACKLOG_LINES_DEFAULT without one).
static int
s_setup (void **state)
{
    size_t lines = *state ? *(const size_t *) *state : BACKLOG_LINES_DEFAULT;
    *state = backlog_new (lines);
    return *state ? 0 : -1;
}

//  Teardown: destroy it, twice.
static int
s_teardown (void **state)
{
    backlog_t *backlog = *state;
    backlog_destroy (&backlog);
    backlog_destroy (&backlog);
    return backlog ? -1 : 0;
}

//  The size of the frame 2 s_add_extra writes for sender in version, without extra bytes.
static size_t
s_meta_size (uint8_t version, const uint8_t *sender)
{
    size_t nick_size = strlen (sender == ANNA ? "anna" : "bertil");
    return WIRE_META_FIXED_BYTES + nick_size + (version >= WIRE_VERSION ? WIRE_META_KEY_BYTES : 0);
}

//  Add the line "channel> text" from sender with seq and sent_ms, with a valid frame 2 of
//  version (from 2 with a key and session, which the backlog does not check) carrying extra
//  bytes after it (reserved ones, or a proof). Returns what backlog_add returns.
static int
s_add_extra (backlog_t *backlog, uint8_t version, const char *channel, const char *text,
             const uint8_t *sender, uint64_t seq, uint64_t sent_ms, size_t extra)
{
    char line[FRAME_MAX_BYTES];
    int line_size = wire_encode_line (line, sizeof line, channel, text, strlen (text));
    assert_true (line_size > 0);
    wire_meta_t meta = {.version = version, .seq = seq, .sent_ms = sent_ms};
    memcpy (meta.sender, sender, WIRE_SENDER_BYTES);
    snprintf (meta.nick, sizeof meta.nick, "%s", sender == ANNA ? "anna" : "bertil");
    uint8_t frame[WIRE_META_MAX_BYTES + 16] = {0};
    int meta_size = wire_encode_meta (frame, sizeof frame, &meta);
    assert_int_equal (meta_size, s_meta_size (version, sender));
    assert_true ((size_t) meta_size + extra <= sizeof frame);
    return backlog_add (backlog, line, (size_t) line_size, frame, (size_t) meta_size + extra);
}

//  Add the line "channel> text" from sender with seq and sent_ms, in the version we send.
static int
s_add (backlog_t *backlog, const char *channel, const char *text, const uint8_t *sender,
       uint64_t seq, uint64_t sent_ms)
{
    return s_add_extra (backlog, WIRE_VERSION, channel, text, sender, seq, sent_ms, 0);
}

//  Serve callback: record the line in the record_t at arg.
static void
s_record (const void *line, size_t line_size, const void *meta, size_t meta_size, void *arg)
{
    record_t *record = arg;
    if (record->count < SERVED_MAX) {
        served_t *served = &record->lines[record->count];
        size_t shown = line_size < SHOWN_BYTES ? line_size : SHOWN_BYTES;
        memcpy (served->line, line, shown);
        served->line[shown] = 0;
        served->line_size = line_size;
        served->meta_size = meta_size;
        if (wire_decode_meta (meta, meta_size, &served->meta) != WIRE_OK)
            served->meta.seq = 0;
    }
    record->count++;
}

//  Serve the last lines_per_channel lines of each channel into a new record. Checks that the
//  count returned is the count served. The caller frees the record.
static record_t *
s_serve (backlog_t *backlog, size_t lines_per_channel)
{
    record_t *record = calloc (1, sizeof *record);
    assert_non_null (record);
    size_t served = backlog_serve (backlog, lines_per_channel, s_record, record);
    assert_int_equal (served, record->count);
    return record;
}

//  Check that record holds exactly the lines expected, in that order.
static void
s_expect (const record_t *record, const char *const *expected, size_t count)
{
    assert_int_equal (record->count, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal (record->lines[i].line, expected[i]);
}

//  Lines are kept and served oldest first, both frames as they were added: those of version 2
//  (key and session after the nick) and of version 1 (an older chat's) alike.
static void
test_kept_and_served (void **state)
{
    backlog_t *backlog = *state;
    assert_int_equal (s_add (backlog, "buddy", "ett", ANNA, 1, 1000), 0);
    assert_int_equal (s_add (backlog, "buddy", "två", BERTIL, 1, 2000), 0);
    assert_int_equal (s_add_extra (backlog, WIRE_VERSION, "buddy", "tre", ANNA, 2, 3000, 5), 0);
    assert_int_equal (
        s_add_extra (backlog, WIRE_VERSION_UNSIGNED, "buddy", "fyra", BERTIL, 2, 4000, 3), 0);
    assert_int_equal (backlog_size (backlog), 4);
    record_t *record = s_serve (backlog, BACKLOG_LINES_DEFAULT);
    const char *expected[] = {"buddy> ett", "buddy> två", "buddy> tre", "buddy> fyra"};
    s_expect (record, expected, 4);
    assert_int_equal (record->lines[0].line_size, strlen ("buddy> ett"));
    assert_int_equal (record->lines[0].meta_size,
                      WIRE_META_FIXED_BYTES + strlen ("anna") + WIRE_META_KEY_BYTES);
    assert_memory_equal (record->lines[0].meta.sender, ANNA, WIRE_SENDER_BYTES);
    assert_true (record->lines[0].meta.keyed);
    assert_int_equal (record->lines[1].meta.seq, 1);
    assert_string_equal (record->lines[1].meta.nick, "bertil");
    //  Bytes after the key (where a line's proof goes) travel on
    assert_int_equal (record->lines[2].meta_size,
                      WIRE_META_FIXED_BYTES + strlen ("anna") + WIRE_META_KEY_BYTES + 5);
    assert_int_equal (record->lines[2].meta.sent_ms, 3000);
    //  ... and reserved bytes after the nick of version 1
    assert_int_equal (record->lines[3].meta_size, WIRE_META_FIXED_BYTES + strlen ("bertil") + 3);
    assert_int_equal (record->lines[3].meta.version, WIRE_VERSION_UNSIGNED);
    assert_false (record->lines[3].meta.keyed);
    assert_int_equal (record->lines[3].meta.seq, 2);
    free (record);
    assert_int_equal (backlog_serve (backlog, BACKLOG_LINES_DEFAULT, NULL, NULL), 4);
}

//  One line added, and what backlog_add must return for it
typedef struct {
    const uint8_t *sender; //  ANNA or BERTIL
    uint64_t seq;          //  its seq
    uint64_t sent_ms;      //  its send time
    int expected;          //  0 kept, 1 duplicate
} add_case_t;

//  Add the lines of cases to channel in turn, checking each result.
static void
s_add_cases (backlog_t *backlog, const char *channel, const add_case_t *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char text[32];
        snprintf (text, sizeof text, "line %zu", i);
        int rc = s_add (backlog, channel, text, cases[i].sender, cases[i].seq, cases[i].sent_ms);
        if (rc != cases[i].expected)
            fail_msg ("%s case %zu: seq %llu returned %d, not %d", channel, i,
                      (unsigned long long) cases[i].seq, rc, cases[i].expected);
    }
}

//  The same sender and seq a second time is a duplicate, wherever the first one is.
static void
test_duplicates (void **state)
{
    backlog_t *backlog = *state;
    const add_case_t cases[] = {
        {ANNA, 1, 1000, 0},   {ANNA, 2, 2000, 0}, {BERTIL, 2, 2500, 0}, //  same seq, other
        {ANNA, 3, 3000, 0},   {ANNA, 3, 3000, 1},                       //  the newest again
        {ANNA, 1, 1000, 1},                                             //  the oldest again
        {ANNA, 2, 9000, 1},                                             //  in the middle, later
        {BERTIL, 2, 2500, 1}, {ANNA, 4, 4000, 0}, {BERTIL, 1, 500, 0},  //  older, first
        {BERTIL, 1, 500, 1},
    };
    s_add_cases (backlog, "buddy", cases, sizeof cases / sizeof cases[0]);
    assert_int_equal (backlog_size (backlog), 6);
}

//  A sender's lines out of seq order in a channel (its clock went back; two lines of one
//  millisecond heard in reverse) do not hide duplicates.
static void
test_duplicates_out_of_order (void **state)
{
    backlog_t *backlog = *state;
    const add_case_t clock_back[] = {
        {ANNA, 5, 5000, 0}, {ANNA, 6, 4000, 0}, {ANNA, 7, 6000, 0},
        {ANNA, 6, 4000, 1}, {ANNA, 5, 5000, 1}, {ANNA, 8, 3000, 0},
    };
    s_add_cases (backlog, "klocka", clock_back, sizeof clock_back / sizeof clock_back[0]);
    const add_case_t same_ms[] = {
        {ANNA, 2, 1000, 0},
        {ANNA, 1, 1000, 0}, //  after seq 2: same time, added later
        {ANNA, 2, 1000, 1},
    };
    s_add_cases (backlog, "samma", same_ms, sizeof same_ms / sizeof same_ms[0]);
    assert_int_equal (backlog_size (backlog), 6);
}

//  A full channel drops its oldest line; a line older than all of a full channel is not kept.
static void
test_lines_per_channel (void **state)
{
    backlog_t *backlog = *state;
    for (uint64_t seq = 1; seq <= 5; seq++) {
        char text[16];
        snprintf (text, sizeof text, "%llu", (unsigned long long) seq);
        assert_int_equal (s_add (backlog, "buddy", text, ANNA, seq, seq * 1000), 0);
    }
    assert_int_equal (backlog_size (backlog), 3);
    assert_int_equal (s_add (backlog, "buddy", "gammal", BERTIL, 1, 500), 0);
    assert_int_equal (backlog_size (backlog), 3);
    //  Same time as the oldest: it goes after it, and the oldest goes
    assert_int_equal (s_add (backlog, "buddy", "3b", BERTIL, 2, 3000), 0);
    record_t *record = s_serve (backlog, BACKLOG_LINES_MAX);
    const char *expected[] = {"buddy> 3b", "buddy> 4", "buddy> 5"};
    s_expect (record, expected, 3);
    free (record);
}

//  Serving fewer lines than kept serves the last ones of each channel, merged.
static void
test_serve_fewer (void **state)
{
    backlog_t *backlog = *state;
    for (uint64_t i = 1; i <= 5; i++) {
        char text[16];
        snprintf (text, sizeof text, "a%llu", (unsigned long long) i);
        assert_int_equal (s_add (backlog, "a", text, ANNA, i, i * 1000), 0);
        snprintf (text, sizeof text, "b%llu", (unsigned long long) i);
        assert_int_equal (s_add (backlog, "b", text, BERTIL, i, i * 1000 + 500), 0);
    }
    record_t *record = s_serve (backlog, 2);
    const char *expected[] = {"a> a4", "b> b4", "a> a5", "b> b5"};
    s_expect (record, expected, 4);
    free (record);
    record = s_serve (backlog, 1);
    const char *last[] = {"a> a5", "b> b5"};
    s_expect (record, last, 2);
    free (record);
    assert_int_equal (backlog_serve (backlog, 0, s_record, NULL), 0);
    assert_int_equal (backlog_serve (backlog, 100, NULL, NULL), 10);
}

//  One line of a table: its channel, text and send time
typedef struct {
    const char *channel; //  its channel
    const char *text;    //  its text
    uint64_t sent_ms;    //  its send time
} timed_line_t;

//  Channels added one after the other come out merged oldest first; equal times in the order
//  added.
static void
test_merged (void **state)
{
    backlog_t *backlog = *state;
    const timed_line_t lines[] = {
        {"z", "z1", 2000}, {"x", "x1", 1000}, {"x", "x2", 2000}, {"x", "x3", 5000},
        {"y", "y1", 1500}, {"y", "y2", 4000}, {"y", "y3", 4500}, {"z", "z2", 3000},
        {"y", "y4", 7000}, {"x", "x4", 7000}, {"z", "z3", 7000}, {"x", "x5", 7000},
        {"y", "y5", 7000},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_int_equal (
            s_add (backlog, lines[i].channel, lines[i].text, ANNA, i + 1, lines[i].sent_ms), 0);
    record_t *record = s_serve (backlog, BACKLOG_LINES_DEFAULT);
    const char *expected[] = {"x> x1", "y> y1", "z> z1", "x> x2", "z> z2", "y> y2", "y> y3",
                              "x> x3", "y> y4", "x> x4", "z> z3", "x> x5", "y> y5"};
    s_expect (record, expected, 13);
    free (record);
}

//  A line sent before lines kept goes in its place; equal times after those kept.
static void
test_older_inserted (void **state)
{
    backlog_t *backlog = *state;
    const timed_line_t lines[] = {
        {"buddy", "a", 100},  {"buddy", "c", 300},    {"buddy", "b", 200},
        {"buddy", "b2", 200}, {"buddy", "först", 50}, {"buddy", "d", 300},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_int_equal (
            s_add (backlog, lines[i].channel, lines[i].text, BERTIL, i + 1, lines[i].sent_ms), 0);
    record_t *record = s_serve (backlog, BACKLOG_LINES_DEFAULT);
    const char *expected[] = {"buddy> först", "buddy> a", "buddy> b",
                              "buddy> b2",    "buddy> c", "buddy> d"};
    s_expect (record, expected, 6);
    free (record);
}

//  Many long lines: the frames kept stay within BACKLOG_BYTES_MAX, the oldest go first.
static void
test_byte_bound (void **state)
{
    backlog_t *backlog = *state;
    const uint64_t added = 3000;
    char *text = malloc (4001);
    assert_non_null (text);
    memset (text, 'x', 4000);
    text[4000] = 0;
    size_t line_bytes = 0, line_size = 0;
    for (uint64_t seq = 1; seq <= added; seq++) {
        char channel[8];
        snprintf (channel, sizeof channel, "c%llu", (unsigned long long) (seq % 4));
        int written = snprintf (text, 4001, "%06llu", (unsigned long long) seq);
        text[written] = 'x';
        assert_int_equal (s_add (backlog, channel, text, ANNA, seq, seq), 0);
        line_size = strlen (channel) + 2 + 4000;
        line_bytes = line_size + s_meta_size (WIRE_VERSION, ANNA);
        assert_true (backlog_size (backlog) * line_bytes <= BACKLOG_BYTES_MAX);
    }
    free (text);
    size_t kept = backlog_size (backlog);
    assert_int_equal (kept, BACKLOG_BYTES_MAX / line_bytes);
    record_t *record = s_serve (backlog, BACKLOG_LINES_MAX);
    assert_int_equal (record->count, kept);
    assert_int_equal (record->lines[0].meta.seq, added - kept + 1);
    assert_int_equal (record->lines[kept - 1].meta.seq, added);
    assert_int_equal (record->lines[kept - 1].line_size, line_size);
    free (record);
}

//  True when record has a line in channel.
static bool
s_has_channel (const record_t *record, const char *channel)
{
    char prefix[NAME_MAX_BYTES + 3];
    snprintf (prefix, sizeof prefix, "%s> ", channel);
    for (size_t i = 0; i < record->count && i < SERVED_MAX; i++)
        if (strncmp (record->lines[i].line, prefix, strlen (prefix)) == 0)
            return true;
    return false;
}

//  At most CHANNELS_MAX channels: a new one drops the channel whose newest line is oldest.
static void
test_channel_bound (void **state)
{
    backlog_t *backlog = *state;
    char channel[16];
    for (uint64_t i = 0; i < CHANNELS_MAX; i++) {
        snprintf (channel, sizeof channel, "k%llu", (unsigned long long) i);
        assert_int_equal (s_add (backlog, channel, "hej", ANNA, i + 1, 1000 + i), 0);
    }
    assert_int_equal (backlog_size (backlog), CHANNELS_MAX);
    //  k0 has the oldest first line, but now a new one too
    assert_int_equal (s_add (backlog, "k0", "igen", ANNA, 1000, 5000), 0);
    assert_int_equal (s_add (backlog, "ny1", "hej", ANNA, 1001, 6000), 0);
    assert_int_equal (s_add (backlog, "ny2", "hej", ANNA, 1002, 6001), 0);
    assert_int_equal (backlog_size (backlog), CHANNELS_MAX + 1);
    record_t *record = s_serve (backlog, BACKLOG_LINES_MAX);
    assert_int_equal (record->count, CHANNELS_MAX + 1);
    assert_true (s_has_channel (record, "k0"));
    assert_false (s_has_channel (record, "k1"));
    assert_false (s_has_channel (record, "k2"));
    assert_true (s_has_channel (record, "k3"));
    assert_true (s_has_channel (record, "ny1"));
    assert_true (s_has_channel (record, "ny2"));
    free (record);
}

//  A pair of frames that must be refused
typedef struct {
    const char *what; //  what is wrong, for the failure message
    const char *line; //  frame 1, a string, or NULL
    size_t meta_size; //  frame 2's size: 0 for its whole size, (size_t) -1 for none
    uint64_t seq;     //  the seq frame 2 carries
    uint8_t version;  //  the version frame 2 carries
} bad_case_t;

//  Frames that do not decode, and seq 0, are refused and not kept.
static void
test_malformed (void **state)
{
    backlog_t *backlog = *state;
    static char too_long[FRAME_MAX_BYTES + 8];
    snprintf (too_long, sizeof too_long, "buddy> ");
    memset (too_long + 7, 'x', TEXT_MAX_BYTES + 1);
    const bad_case_t cases[] = {
        {"no separator", "buddy hej", 0, 1, 1},
        {"bad channel", "bad channel> hej", 0, 1, 1},
        {"empty channel", "> hej", 0, 1, 1},
        {"control", "~beat> x", 0, 1, 1},
        {"too long", too_long, 0, 1, 1},
        {"no frame 1", NULL, 0, 1, 1},
        {"truncated meta", "buddy> hej", 20, 1, 1},
        {"meta without nick", "buddy> hej", WIRE_META_FIXED_BYTES, 1, 1},
        {"empty meta", "buddy> hej", (size_t) -1, 1, 1},
        {"seq 0", "buddy> hej", 0, 0, 1},
        {"version 0", "buddy> hej", 0, 1, 0},
        {"version 2 without its key", "buddy> hej", WIRE_META_FIXED_BYTES + 4, 1, WIRE_VERSION},
        {"version 2 cut in its session", "buddy> hej",
         WIRE_META_FIXED_BYTES + 4 + WIRE_META_KEY_BYTES - 1, 1, WIRE_VERSION},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case_t *bad = &cases[i];
        wire_meta_t meta = {.version = bad->version, .seq = bad->seq, .sent_ms = 1000};
        memcpy (meta.sender, ANNA, WIRE_SENDER_BYTES);
        snprintf (meta.nick, sizeof meta.nick, "anna");
        uint8_t frame[WIRE_META_MAX_BYTES];
        int meta_size = wire_encode_meta (frame, sizeof frame, &meta);
        assert_true (meta_size > 0);
        size_t size = bad->meta_size == (size_t) -1 ? 0
                      : bad->meta_size              ? bad->meta_size
                                                    : (size_t) meta_size;
        int rc = backlog_add (backlog, bad->line, bad->line ? strlen (bad->line) : 0, frame, size);
        if (rc != -1)
            fail_msg ("%s: returned %d, not -1", bad->what, rc);
    }
    assert_int_equal (backlog_size (backlog), 0);
    assert_int_equal (backlog_add (backlog, "buddy> hej", 10, NULL, 0), -1);
    assert_int_equal (s_add (backlog, "buddy", "hej", ANNA, 1, 1000), 0);
    assert_int_equal (backlog_size (backlog), 1);
}

//  0 lines per channel keeps nothing; more than BACKLOG_LINES_MAX is refused.
static void
test_limits (void **state)
{
    (void) state;
    backlog_t *backlog = backlog_new (0);
    assert_non_null (backlog);
    assert_int_equal (s_add (backlog, "buddy", "hej", ANNA, 1, 1000), 0);
    assert_int_equal (s_add (backlog, "buddy", "hej", ANNA, 1, 1000), 0);
    assert_int_equal (backlog_add (backlog, "buddy hej", 9, "x", 1), -1);
    assert_int_equal (backlog_size (backlog), 0);
    assert_int_equal (backlog_serve (backlog, BACKLOG_LINES_MAX, s_record, NULL), 0);
    backlog_destroy (&backlog);
    assert_null (backlog);
    backlog_destroy (&backlog);
    backlog_destroy (NULL);
    assert_null (backlog_new (BACKLOG_LINES_MAX + 1));
    backlog = backlog_new (BACKLOG_LINES_MAX);
    assert_non_null (backlog);
    assert_int_equal (s_add (backlog, "buddy", "hej", ANNA, 1, 1000), 0);
    backlog_destroy (&backlog);
    assert_null (backlog);
}

#define THREAD_LINES 500 // lines each adding thread adds

//  Thread body: add THREAD_LINES lines from sender at arg to a channel of its own.
static void *
s_adder (void *arg)
{
    backlog_t *backlog = ((void **) arg)[0];
    const uint8_t *sender = ((void **) arg)[1];
    for (uint64_t seq = 1; seq <= THREAD_LINES; seq++)
        if (s_add (backlog, sender == ANNA ? "anna" : "bertil", "hej", sender, seq, seq) != 0)
            return arg;
    return NULL;
}

//  Two threads add while a third serves and counts: nothing is lost (TSan watches the lock).
static void
test_threads (void **state)
{
    backlog_t *backlog = *state;
    void *anna[] = {backlog, (void *) ANNA}, *bertil[] = {backlog, (void *) BERTIL};
    pthread_t first, second;
    assert_int_equal (pthread_create (&first, NULL, s_adder, anna), 0);
    assert_int_equal (pthread_create (&second, NULL, s_adder, bertil), 0);
    for (int i = 0; i < 20; i++) {
        size_t before = backlog_size (backlog);
        size_t served = backlog_serve (backlog, BACKLOG_LINES_MAX, NULL, NULL);
        assert_true (served >= before && served <= 2 * THREAD_LINES);
    }
    void *first_failed, *second_failed;
    pthread_join (first, &first_failed);
    pthread_join (second, &second_failed);
    assert_null (first_failed);
    assert_null (second_failed);
    assert_int_equal (backlog_size (backlog), 2 * THREAD_LINES);
}

int
main (void)
{
    static const size_t three = 3, ten = 10, five = 5, most = BACKLOG_LINES_MAX;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_kept_and_served, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_duplicates, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_duplicates_out_of_order, s_setup, s_teardown),
        cmocka_unit_test_prestate_setup_teardown (test_lines_per_channel, s_setup, s_teardown,
                                                  (void *) &three),
        cmocka_unit_test_prestate_setup_teardown (test_serve_fewer, s_setup, s_teardown,
                                                  (void *) &ten),
        cmocka_unit_test_setup_teardown (test_merged, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_older_inserted, s_setup, s_teardown),
        cmocka_unit_test_prestate_setup_teardown (test_byte_bound, s_setup, s_teardown,
                                                  (void *) &most),
        cmocka_unit_test_prestate_setup_teardown (test_channel_bound, s_setup, s_teardown,
                                                  (void *) &five),
        cmocka_unit_test_setup_teardown (test_malformed, s_setup, s_teardown),
        cmocka_unit_test (test_limits),
        cmocka_unit_test_prestate_setup_teardown (test_threads, s_setup, s_teardown,
                                                  (void *) &most),
    };
    return cmocka_run_group_tests_name ("backlog", tests, NULL, NULL);
}
