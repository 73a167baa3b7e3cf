/*  test_streams.c - unit tests for streams.c: each sender's lines in order and once, gaps found
    and repaired ("go back N"), lines reported lost when repair fails, history before we joined,
    and a bounded table of senders.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "streams.h"

#include <string.h>

static const uint8_t ANNA[WIRE_SENDER_BYTES] = {0x3f, 0x2a, 1};
static const uint8_t BERTIL[WIRE_SENDER_BYTES] = {0x10, 0x20, 3};
static const uint8_t CECILIA[WIRE_SENDER_BYTES] = {0x55, 0x66, 7};

//  A time well after 0, so no test leans on what 0 means to the table.
#define T0 1000000

//  Setup: an empty table.
static int
s_setup (void **state)
{
    *state = streams_new ();
    return *state ? 0 : -1;
}

//  Teardown: destroy it, twice.
static int
s_teardown (void **state)
{
    streams_t *streams = *state;
    streams_destroy (&streams);
    streams_destroy (&streams); //  safe twice
    assert_null (streams);
    return 0;
}

//  The id of the n-th made-up sender (for filling the table).
static void
s_id (uint8_t id[WIRE_SENDER_BYTES], int n)
{
    memset (id, 0, WIRE_SENDER_BYTES);
    id[0] = 0xee;
    id[1] = (uint8_t) n;
    id[2] = (uint8_t) (n >> 8);
}

//  Assert that next_due gives a repair of id from seq from, and it counts as asked.
static void
s_assert_ask (streams_t *streams, int64_t now_ms, const uint8_t id[WIRE_SENDER_BYTES],
              uint64_t from)
{
    streams_due_t due;
    memset (&due, 0xa5, sizeof due);
    assert_true (streams_next_due (streams, now_ms, &due));
    assert_memory_equal (due.id, id, WIRE_SENDER_BYTES);
    assert_int_equal (due.lost, 0);
    assert_int_equal (due.from, from);
}

//  Assert that nothing is due at now_ms.
static void
s_assert_nothing_due (streams_t *streams, int64_t now_ms)
{
    streams_due_t due;
    assert_false (streams_next_due (streams, now_ms, &due));
}

//  A row of lines: who sent which seq, and what must be done with it.
typedef struct {
    const uint8_t *id;         //  the sender
    uint64_t seq;              //  its seq
    streams_verdict_t verdict; //  what streams_line must say
} line_row_t;

//  Feed rows to streams_line at now_ms, checking each verdict.
static void
s_feed (streams_t *streams, const line_row_t *rows, size_t count, int64_t now_ms)
{
    for (size_t i = 0; i < count; i++) {
        streams_verdict_t verdict = streams_line (streams, rows[i].id, rows[i].seq, now_ms);
        if (verdict != rows[i].verdict)
            fail_msg ("row %zu (seq %llu): verdict %d, expected %d", i,
                      (unsigned long long) rows[i].seq, (int) verdict, (int) rows[i].verdict);
    }
}

//  In order from one sender: every line shows; any seq seen again is a duplicate.
static void
test_in_order_and_duplicates (void **state)
{
    streams_t *streams = *state;
    const line_row_t rows[] = {
        {ANNA, 1, STREAMS_SHOW},      //  the first line
        {ANNA, 2, STREAMS_SHOW},      //  the next
        {ANNA, 3, STREAMS_SHOW},      //  the next
        {ANNA, 3, STREAMS_DUPLICATE}, //  the same line again (another path)
        {ANNA, 1, STREAMS_DUPLICATE}, //  an older one again
        {ANNA, 4, STREAMS_SHOW},      //  the stream goes on
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0);
    assert_false (streams_repairing (streams));
    s_assert_nothing_due (streams, T0 + 10 * REPAIR_RETRY_MS);
}

//  The first line of a sender shows whatever its seq: what came before is not a gap.
static void
test_first_line_any_seq (void **state)
{
    streams_t *streams = *state;
    const line_row_t rows[] = {
        {ANNA, 41, STREAMS_SHOW},      //  joined late: 1..40 were before us
        {ANNA, 42, STREAMS_SHOW},      //  the next
        {ANNA, 40, STREAMS_DUPLICATE}, //  before its first: not to show live
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0);
    assert_false (streams_repairing (streams));
}

//  Each sender has its own order: lines of one never make another's ahead or duplicate.
static void
test_senders_apart (void **state)
{
    streams_t *streams = *state;
    const line_row_t rows[] = {
        {ANNA, 1, STREAMS_SHOW},         //  anna starts
        {BERTIL, 7, STREAMS_SHOW},       //  bertil starts elsewhere
        {ANNA, 2, STREAMS_SHOW},         //  anna goes on from her own 1
        {CECILIA, 1, STREAMS_SHOW},      //  cecilia's 1 is not anna's duplicate
        {BERTIL, 8, STREAMS_SHOW},       //  bertil goes on from his own 7
        {ANNA, 3, STREAMS_SHOW},         //  anna's 3 after bertil's 8 is not old
        {CECILIA, 1, STREAMS_DUPLICATE}, //  cecilia's own 1 again
        {BERTIL, 9, STREAMS_SHOW},       //  bertil next
        {CECILIA, 2, STREAMS_SHOW},      //  cecilia next
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0);
    assert_false (streams_repairing (streams));
}

//  A gap: the line ahead is dropped, a repair is asked from the first missing line, not again
//  before REPAIR_RETRY_MS; resends fill the gap in order and then the repair is over.
static void
test_gap_repaired (void **state)
{
    streams_t *streams = *state;
    const line_row_t before[] = {
        {ANNA, 1, STREAMS_SHOW},   //  in order
        {ANNA, 2, STREAMS_SHOW},   //  in order
        {ANNA, 5, STREAMS_AHEAD},  //  3 and 4 were lost on the way
        {BERTIL, 1, STREAMS_SHOW}, //  another sender is not held up
    };
    s_feed (streams, before, sizeof before / sizeof before[0], T0);
    assert_true (streams_repairing (streams));
    s_assert_ask (streams, T0, ANNA, 3);
    s_assert_nothing_due (streams, T0);                       //  asked already
    s_assert_nothing_due (streams, T0 + REPAIR_RETRY_MS - 1); //  not again too soon
    assert_true (streams_repairing (streams));                //  still waiting

    assert_int_equal (streams_line (streams, ANNA, 6, T0 + 10), STREAMS_AHEAD); //  live, ahead
    const line_row_t resent[] = {
        {ANNA, 3, STREAMS_SHOW}, //  the first missing one
        {ANNA, 4, STREAMS_SHOW}, //  the next
        {ANNA, 5, STREAMS_SHOW}, //  the one dropped as ahead
    };
    s_feed (streams, resent, sizeof resent / sizeof resent[0], T0 + 20);
    assert_true (streams_repairing (streams)); //  6 is known and not shown yet
    assert_int_equal (streams_line (streams, ANNA, 6, T0 + 30), STREAMS_SHOW);
    assert_false (streams_repairing (streams)); //  next is past the highest seq known
    s_assert_nothing_due (streams, T0 + 10 * REPAIR_RETRY_MS);

    const line_row_t after[] = {
        {ANNA, 5, STREAMS_DUPLICATE}, //  came ahead during the gap, resent already
        {ANNA, 6, STREAMS_DUPLICATE}, //  likewise
        {ANNA, 7, STREAMS_SHOW},      //  the live stream goes on
    };
    s_feed (streams, after, sizeof after / sizeof after[0], T0 + 40);
    assert_false (streams_repairing (streams));
}

//  With no progress, the repair is asked again every REPAIR_RETRY_MS, REPAIR_TRIES times;
//  then the missing lines are reported lost and the stream goes on after them.
static void
test_repair_gives_up (void **state)
{
    (void) state;
    const struct {
        bool heartbeat;  //  found by a heartbeat (tail loss), not by a line ahead
        uint64_t latest; //  the line ahead (dropped too), or the heartbeat's last seq
        uint64_t lost;   //  lines never shown: 2..latest
    } rows[] = {
        {false, 3, 2}, //  2 missing, 3 dropped as ahead: two never shown
        {false, 5, 4}, //  2..4 missing, 5 dropped as ahead
        {true, 2, 1},  //  heartbeat says 2 was sent: 2 missing
        {true, 10, 9}, //  heartbeat says 10: 2..10 missing
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        streams_t *streams = streams_new ();
        assert_non_null (streams);
        assert_int_equal (streams_line (streams, ANNA, 1, T0), STREAMS_SHOW);
        if (rows[i].heartbeat)
            streams_sent_up_to (streams, ANNA, rows[i].latest, T0);
        else
            assert_int_equal (streams_line (streams, ANNA, rows[i].latest, T0), STREAMS_AHEAD);
        int64_t now = T0;
        for (int tries = 0; tries < REPAIR_TRIES; tries++) {
            s_assert_ask (streams, now, ANNA, 2);                      //  asked (again)
            s_assert_nothing_due (streams, now + REPAIR_RETRY_MS - 1); //  not too soon
            now += REPAIR_RETRY_MS;
        }
        streams_due_t due;
        assert_true (streams_next_due (streams, now, &due));
        assert_memory_equal (due.id, ANNA, WIRE_SENDER_BYTES);
        if (due.lost != rows[i].lost)
            fail_msg ("row %zu: lost %llu, expected %llu", i, (unsigned long long) due.lost,
                      (unsigned long long) rows[i].lost);
        assert_false (streams_repairing (streams));
        s_assert_nothing_due (streams, now + 10 * REPAIR_RETRY_MS); //  reported once
        assert_int_equal (streams_line (streams, ANNA, rows[i].latest + 1, now), STREAMS_SHOW);
        assert_int_equal (streams_line (streams, ANNA, rows[i].latest, now), STREAMS_DUPLICATE);
        streams_destroy (&streams);
    }
}

//  A repair that keeps moving resets its tries: it is asked again but never reported lost.
static void
test_progress_resets_tries (void **state)
{
    streams_t *streams = *state;
    assert_int_equal (streams_line (streams, ANNA, 1, T0), STREAMS_SHOW);
    assert_int_equal (streams_line (streams, ANNA, 20, T0), STREAMS_AHEAD);
    int64_t now = T0;
    for (uint64_t seq = 2; seq < 20; seq++) {
        for (int tries = 1; tries < REPAIR_TRIES; tries++) {
            s_assert_ask (streams, now, ANNA, seq); //  asked from where it stands
            now += REPAIR_RETRY_MS;
        }
        assert_int_equal (streams_line (streams, ANNA, seq, now), STREAMS_SHOW); //  progress
        s_assert_nothing_due (streams, now + REPAIR_RETRY_MS - 1); //  quiet counts from it
        now += REPAIR_RETRY_MS;
    }
    assert_true (streams_repairing (streams));
    assert_int_equal (streams_line (streams, ANNA, 20, now), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
    s_assert_nothing_due (streams, now + 10 * REPAIR_RETRY_MS);
}

//  Two senders with gaps: each gets its own repair, once, then nothing more is due.
static void
test_two_repairs (void **state)
{
    streams_t *streams = *state;
    const line_row_t rows[] = {
        {ANNA, 1, STREAMS_SHOW},     //  anna starts
        {BERTIL, 10, STREAMS_SHOW},  //  bertil starts
        {ANNA, 4, STREAMS_AHEAD},    //  anna's 2, 3 missing
        {BERTIL, 12, STREAMS_AHEAD}, //  bertil's 11 missing
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0);
    streams_due_t due[2];
    assert_true (streams_next_due (streams, T0, &due[0]));
    assert_true (streams_next_due (streams, T0, &due[1]));
    s_assert_nothing_due (streams, T0);
    if (memcmp (due[0].id, ANNA, WIRE_SENDER_BYTES) != 0) {
        streams_due_t swap = due[0];
        due[0] = due[1], due[1] = swap;
    }
    assert_memory_equal (due[0].id, ANNA, WIRE_SENDER_BYTES);
    assert_int_equal (due[0].from, 2);
    assert_int_equal (due[0].lost, 0);
    assert_memory_equal (due[1].id, BERTIL, WIRE_SENDER_BYTES);
    assert_int_equal (due[1].from, 11);
    assert_int_equal (due[1].lost, 0);
    assert_int_equal (streams_line (streams, BERTIL, 11, T0 + 1), STREAMS_SHOW);
    assert_int_equal (streams_line (streams, BERTIL, 12, T0 + 1), STREAMS_SHOW);
    assert_true (streams_repairing (streams)); //  anna's gap is still open
    s_assert_ask (streams, T0 + REPAIR_RETRY_MS, ANNA, 2);
}

//  Heartbeats: a new sender's lines start after last_seq; a known sender's last_seq beyond
//  what was shown is a tail loss to repair; equal to it, nothing.
static void
test_sent_up_to (void **state)
{
    streams_t *streams = *state;
    streams_sent_up_to (streams, ANNA, 7, T0); //  new: 1..7 were before us
    assert_false (streams_repairing (streams));
    s_assert_nothing_due (streams, T0);
    assert_int_equal (streams_line (streams, ANNA, 8, T0), STREAMS_SHOW);
    assert_int_equal (streams_line (streams, ANNA, 7, T0), STREAMS_DUPLICATE);

    streams_sent_up_to (streams, BERTIL, 0, T0); //  new, sent nothing yet
    assert_int_equal (streams_line (streams, BERTIL, 1, T0), STREAMS_SHOW);
    assert_false (streams_repairing (streams));

    streams_sent_up_to (streams, ANNA, 8, T0 + 1); //  all shown
    streams_sent_up_to (streams, ANNA, 3, T0 + 1); //  an old heartbeat: nothing
    assert_false (streams_repairing (streams));
    s_assert_nothing_due (streams, T0 + 1);

    streams_sent_up_to (streams, ANNA, 10, T0 + 2); //  9 and 10 never came
    assert_true (streams_repairing (streams));
    s_assert_ask (streams, T0 + 2, ANNA, 9);
    assert_int_equal (streams_line (streams, ANNA, 9, T0 + 3), STREAMS_SHOW);
    assert_true (streams_repairing (streams)); //  10 still missing
    assert_int_equal (streams_line (streams, ANNA, 10, T0 + 3), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
    s_assert_nothing_due (streams, T0 + 10 * REPAIR_RETRY_MS);
}

//  History before the first live line shows once; at or after the first live seq it does not.
static void
test_history_after_live (void **state)
{
    streams_t *streams = *state;
    assert_int_equal (streams_line (streams, ANNA, 10, T0), STREAMS_SHOW);
    const struct {
        uint64_t seq; //  a history line of anna's
        bool show;    //  streams_history must say to show it
    } rows[] = {
        {7, true},   //  before the first live line
        {8, true},   //  the next
        {9, true},   //  the last before it
        {9, false},  //  shown as history already
        {8, false},  //  likewise
        {10, false}, //  the first live line
        {11, false}, //  after it: to come live
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (streams_history (streams, ANNA, rows[i].seq, T0 + 1) != rows[i].show)
            fail_msg ("row %zu: history seq %llu", i, (unsigned long long) rows[i].seq);
    assert_int_equal (streams_line (streams, ANNA, 11, T0 + 2), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
}

//  After a heartbeat, lines up to its last seq are history; lines after it are live.
static void
test_history_after_heartbeat (void **state)
{
    streams_t *streams = *state;
    streams_sent_up_to (streams, ANNA, 5, T0);
    assert_true (streams_history (streams, ANNA, 4, T0));  //  before we joined
    assert_true (streams_history (streams, ANNA, 5, T0));  //  the last before we joined
    assert_false (streams_history (streams, ANNA, 6, T0)); //  to come live
    assert_int_equal (streams_line (streams, ANNA, 6, T0), STREAMS_SHOW);
}

//  History before any live line: a live line history showed already is a duplicate, and
//  the live stream goes on after the history.
static void
test_history_then_live (void **state)
{
    streams_t *streams = *state;
    for (uint64_t seq = 1; seq <= 5; seq++)
        assert_true (streams_history (streams, ANNA, seq, T0));
    assert_false (streams_repairing (streams));
    const line_row_t rows[] = {
        {ANNA, 3, STREAMS_DUPLICATE}, //  first live line, shown as history
        {ANNA, 4, STREAMS_DUPLICATE}, //  likewise
        {ANNA, 5, STREAMS_DUPLICATE}, //  the last history line
        {ANNA, 6, STREAMS_SHOW},      //  the first not in history
        {ANNA, 7, STREAMS_SHOW},      //  and on
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0 + 1);
    assert_false (streams_repairing (streams));
    assert_false (streams_history (streams, ANNA, 6, T0 + 2)); //  live now, not history
}

//  History before any live line, then the first live line just after it: it shows.
static void
test_history_then_next_live (void **state)
{
    streams_t *streams = *state;
    assert_true (streams_history (streams, ANNA, 8, T0));
    assert_true (streams_history (streams, ANNA, 9, T0));
    assert_int_equal (streams_line (streams, ANNA, 10, T0), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
}

//  A live line after a gap past the history is ahead: the lines between are repaired.
static void
test_history_gap (void **state)
{
    streams_t *streams = *state;
    for (uint64_t seq = 1; seq <= 3; seq++)
        assert_true (streams_history (streams, ANNA, seq, T0));
    assert_int_equal (streams_line (streams, ANNA, 6, T0), STREAMS_AHEAD); //  4, 5 missing
    assert_true (streams_repairing (streams));
    s_assert_ask (streams, T0, ANNA, 4);
    const line_row_t rows[] = {
        {ANNA, 4, STREAMS_SHOW}, //  resent
        {ANNA, 5, STREAMS_SHOW}, //  resent
        {ANNA, 6, STREAMS_SHOW}, //  the one that was ahead
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0 + 1);
    assert_false (streams_repairing (streams));
}

//  History from a second peer holding older lines than the first: history comes in seq order
//  per sender from one peer, so lines at or below the highest shown are refused.
static void
test_history_older_from_another_peer (void **state)
{
    streams_t *streams = *state;
    assert_true (streams_history (streams, ANNA, 4, T0)); //  first peer's backlog: 4, 5
    assert_true (streams_history (streams, ANNA, 5, T0));
    assert_false (streams_history (streams, ANNA, 2, T0)); //  second peer's: 2..6; below 5
    assert_false (streams_history (streams, ANNA, 4, T0)); //  4 shown already
    assert_true (streams_history (streams, ANNA, 6, T0));  //  6 is new
}

//  The sender no longer holds lines before first_held: those from the next wanted up to it
//  are lost; the repair goes on from first_held.
//  History, then the first heartbeat: lines sent after the history and before we heard the
//  sender are ours to get (a repair), not lines from before we joined.
static void
test_history_then_beat (void **state)
{
    streams_t *streams = *state;
    assert_true (streams_history (streams, ANNA, 5, T0));
    streams_sent_up_to (streams, ANNA, 8, T0);
    assert_true (streams_repairing (streams));
    s_assert_ask (streams, T0, ANNA, 6);
    for (uint64_t seq = 6; seq <= 8; seq++)
        assert_int_equal (streams_line (streams, ANNA, seq, T0), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
    assert_false (streams_history (streams, ANNA, 7, T0)); //  shown live, not history
}

static void
test_gone (void **state)
{
    (void) state;
    const struct {
        uint64_t first_held; //  what the sender says it holds from
        uint64_t lost;       //  lines we wanted that are lost for it (gap: 3..10)
        bool repairing;      //  a repair still goes on
    } rows[] = {
        {2, 0, true},    //  holds everything missing: nothing lost
        {3, 0, true},    //  holds from the first missing: nothing lost
        {4, 1, true},    //  3 gone
        {6, 3, true},    //  3..5 gone, 6..10 to come
        {10, 7, true},   //  3..9 gone, only 10 to come
        {11, 8, false},  //  the whole gap gone
        {50, 47, false}, //  it sent up to 49 and holds none of them: 3..49 lost
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        streams_t *streams = streams_new ();
        assert_non_null (streams);
        assert_int_equal (streams_line (streams, ANNA, 1, T0), STREAMS_SHOW);
        assert_int_equal (streams_line (streams, ANNA, 2, T0), STREAMS_SHOW);
        assert_int_equal (streams_line (streams, ANNA, 10, T0), STREAMS_AHEAD);
        s_assert_ask (streams, T0, ANNA, 3);
        uint64_t lost = streams_gone (streams, ANNA, rows[i].first_held, T0 + 1);
        if (lost != rows[i].lost)
            fail_msg ("row %zu: first_held %llu: lost %llu, expected %llu", i,
                      (unsigned long long) rows[i].first_held, (unsigned long long) lost,
                      (unsigned long long) rows[i].lost);
        assert_int_equal (streams_repairing (streams), rows[i].repairing);
        if (rows[i].repairing) {
            uint64_t from = rows[i].first_held > 3 ? rows[i].first_held : 3;
            s_assert_ask (streams, T0 + 1 + REPAIR_RETRY_MS, ANNA, from); //  goes on from there
            for (uint64_t seq = from; seq <= 10; seq++)
                assert_int_equal (streams_line (streams, ANNA, seq, T0 + 2), STREAMS_SHOW);
            assert_false (streams_repairing (streams));
        } else
            assert_int_equal (streams_line (streams, ANNA, rows[i].first_held, T0 + 2),
                              STREAMS_SHOW);
        streams_destroy (&streams);
    }
}

//  Gone when nothing is being repaired, or from a sender not followed: nothing lost.
static void
test_gone_not_repairing (void **state)
{
    streams_t *streams = *state;
    assert_int_equal (streams_gone (streams, ANNA, 50, T0), 0); //  unknown sender
    assert_int_equal (streams_line (streams, ANNA, 1, T0), STREAMS_SHOW);
    assert_int_equal (streams_line (streams, ANNA, 2, T0), STREAMS_SHOW);
    assert_int_equal (streams_gone (streams, ANNA, 50, T0), 0);           //  known, no gap
    assert_int_equal (streams_line (streams, ANNA, 3, T0), STREAMS_SHOW); //  nothing skipped
    assert_false (streams_repairing (streams));
}

//  The table holds STREAMS_MAX senders; one more takes the place of the one heard least
//  recently, which starts afresh when heard again.
static void
test_full (void **state)
{
    streams_t *streams = *state;
    uint8_t id[WIRE_SENDER_BYTES];
    for (int n = 0; n < STREAMS_MAX; n++) {
        s_id (id, n);
        assert_int_equal (streams_line (streams, id, 1, T0 + n), STREAMS_SHOW);
    }
    for (int n = 0; n < STREAMS_MAX; n++) { //  all kept
        s_id (id, n);
        assert_int_equal (streams_line (streams, id, 1, T0 + 1000 + n), STREAMS_DUPLICATE);
    }
    s_id (id, 0);
    assert_int_equal (streams_line (streams, id, 2, T0 + 2000), STREAMS_SHOW);   //  0 heard anew
    assert_int_equal (streams_line (streams, ANNA, 5, T0 + 2001), STREAMS_SHOW); //  one more
    s_id (id, 0);
    assert_int_equal (streams_line (streams, id, 2, T0 + 2002), STREAMS_DUPLICATE); //  kept
    s_id (id, 2);
    assert_int_equal (streams_line (streams, id, 1, T0 + 2003), STREAMS_DUPLICATE); //  kept
    s_id (id, STREAMS_MAX - 1);
    assert_int_equal (streams_line (streams, id, 1, T0 + 2004), STREAMS_DUPLICATE);   //  kept
    assert_int_equal (streams_line (streams, ANNA, 5, T0 + 2005), STREAMS_DUPLICATE); //  kept
    s_id (id, 1); //  heard least recently: forgotten, so any seq starts it afresh
    assert_int_equal (streams_line (streams, id, 9, T0 + 2006), STREAMS_SHOW);
    assert_false (streams_repairing (streams));
}

//  A sender forgotten starts afresh; its repair ends with it; others are kept.
static void
test_forget (void **state)
{
    streams_t *streams = *state;
    const line_row_t rows[] = {
        {ANNA, 1, STREAMS_SHOW},    //  anna starts
        {BERTIL, 1, STREAMS_SHOW},  //  bertil starts
        {CECILIA, 1, STREAMS_SHOW}, //  cecilia starts
        {ANNA, 5, STREAMS_AHEAD},   //  anna's 2..4 missing
    };
    s_feed (streams, rows, sizeof rows / sizeof rows[0], T0);
    assert_true (streams_repairing (streams));
    streams_forget (streams, ANNA);
    assert_false (streams_repairing (streams)); //  no repair of one who left
    s_assert_nothing_due (streams, T0);
    streams_forget (streams, ANNA); //  twice: nothing
    const line_row_t after[] = {
        {BERTIL, 1, STREAMS_DUPLICATE},  //  bertil kept
        {CECILIA, 1, STREAMS_DUPLICATE}, //  cecilia kept
        {ANNA, 3, STREAMS_SHOW},         //  anna afresh: any seq
        {ANNA, 4, STREAMS_SHOW},         //  and on from it
        {CECILIA, 2, STREAMS_SHOW},      //  cecilia goes on
    };
    s_feed (streams, after, sizeof after / sizeof after[0], T0 + 1);
    assert_false (streams_repairing (streams));
}

//  A repair asked at time 0 is not asked again 1 ms later (0 is a time like any other).
static void
test_ask_at_time_zero (void **state)
{
    streams_t *streams = *state;
    assert_int_equal (streams_line (streams, ANNA, 1, 0), STREAMS_SHOW);
    assert_int_equal (streams_line (streams, ANNA, 3, 0), STREAMS_AHEAD);
    s_assert_ask (streams, 0, ANNA, 2);
    s_assert_nothing_due (streams, 1);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_in_order_and_duplicates, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_first_line_any_seq, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_senders_apart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap_repaired, s_setup, s_teardown),
        cmocka_unit_test (test_repair_gives_up),
        cmocka_unit_test_setup_teardown (test_progress_resets_tries, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_two_repairs, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_sent_up_to, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_after_live, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_after_heartbeat, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_then_live, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_then_next_live, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_gap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_older_from_another_peer, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_history_then_beat, s_setup, s_teardown),
        cmocka_unit_test (test_gone),
        cmocka_unit_test_setup_teardown (test_gone_not_repairing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_forget, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_ask_at_time_zero, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("streams", tests, NULL, NULL);
}
