/*  test_resend.c - unit tests for resend.c: lines served by seq in order, from the middle, from
    before the oldest (a gap) and past the newest, looking without serving, the line and byte
    bounds dropping the oldest, and a frame too large for the ring.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "resend.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A line of this size makes the byte bound, not the line bound, the one that counts
#define BIG_LINE_BYTES 4000

//  What the callback saw: the seqs served, in order, and whether each came intact.
typedef struct {
    uint64_t *seqs; //  seqs served, RESEND_LINES_MAX at most
    size_t count;   //  lines served
    size_t broken;  //  lines whose frames were not what was kept
} served_t;

//  Setup: an empty ring.
static int
s_setup (void **state)
{
    *state = resend_new ();
    return *state ? 0 : -1;
}

//  Teardown: destroy it, twice.
static int
s_teardown (void **state)
{
    resend_t *resend = *state;
    resend_destroy (&resend);
    resend_destroy (&resend); //  safe twice
    return resend ? -1 : 0;
}

//  The byte line of seq carries at offset i.
static uint8_t
s_line_byte (uint64_t seq, size_t i)
{
    return (uint8_t) (seq * 31 + i);
}

//  Keep line seq: a line of line_size bytes made from seq, and its seq as the metadata frame.
static int
s_add (resend_t *resend, uint64_t seq, size_t line_size)
{
    uint8_t *line = malloc (line_size ? line_size : 1);
    assert_non_null (line);
    for (size_t i = 0; i < line_size; i++)
        line[i] = s_line_byte (seq, i);
    int rc = resend_add (resend, seq, line, line_size, &seq, sizeof seq);
    free (line);
    return rc;
}

//  Keep lines first..last, each of line_size bytes; each must be taken.
static void
s_add_range (resend_t *resend, uint64_t first, uint64_t last, size_t line_size)
{
    for (uint64_t seq = first; seq <= last; seq++)
        assert_int_equal (s_add (resend, seq, line_size), 0);
}

//  resend_fn: note the seq of the line served and check its frames against it.
static void
s_collect (const void *line, size_t line_size, const void *meta, size_t meta_size, void *arg)
{
    served_t *served = arg;
    uint64_t seq = 0;
    bool intact = meta_size == sizeof seq;
    if (intact)
        memcpy (&seq, meta, sizeof seq);
    for (size_t i = 0; intact && i < line_size; i++)
        intact = ((const uint8_t *) line)[i] == s_line_byte (seq, i);
    if (!intact)
        served->broken++;
    if (served->count < RESEND_LINES_MAX)
        served->seqs[served->count] = seq;
    served->count++;
}

//  Serve from seq from; assert it returns first and serves first, first + 1, ... newest, each
//  intact and once (none at all when first is 0).
static void
s_assert_serve (resend_t *resend, uint64_t from, uint64_t first, uint64_t newest)
{
    static uint64_t seqs[RESEND_LINES_MAX]; //  not on the stack, nor leaked when a test fails
    served_t served = {.seqs = seqs};
    uint64_t returned = resend_serve (resend, from, s_collect, &served);
    if (returned != first)
        fail_msg ("from %llu: returned %llu, expected %llu", (unsigned long long) from,
                  (unsigned long long) returned, (unsigned long long) first);
    size_t expected = first ? (size_t) (newest - first + 1) : 0;
    if (served.count != expected)
        fail_msg ("from %llu: served %zu lines, expected %zu", (unsigned long long) from,
                  served.count, expected);
    assert_int_equal (served.broken, 0);
    for (size_t i = 0; i < served.count; i++)
        if (served.seqs[i] != first + i)
            fail_msg ("from %llu: line %zu served is seq %llu, expected %llu",
                      (unsigned long long) from, i, (unsigned long long) served.seqs[i],
                      (unsigned long long) (first + i));
}

//  A row of requests: served from seq from, the first seq returned (0: none held).
typedef struct {
    uint64_t from;  //  asked from
    uint64_t first; //  what resend_serve must return, and the first line it must serve
} serve_row_t;

//  Run rows against a ring whose newest line is newest.
static void
s_assert_rows (resend_t *resend, const serve_row_t *rows, size_t count, uint64_t newest)
{
    for (size_t i = 0; i < count; i++)
        s_assert_serve (resend, rows[i].from, rows[i].first, newest);
}

//  An empty ring holds nothing, from any seq.
static void
test_empty (void **state)
{
    resend_t *resend = *state;
    const serve_row_t rows[] = {
        {0, 0},          //  from the very start
        {1, 0},          //  from the first seq a sender uses
        {UINT64_MAX, 0}, //  from the far end
    };
    s_assert_rows (resend, rows, sizeof rows / sizeof rows[0], 0);
    assert_int_equal (resend_serve (resend, 1, NULL, NULL), 0);
}

//  Lines come back in the order kept, with their frames as given.
static void
test_ring_order (void **state)
{
    resend_t *resend = *state;
    s_add_range (resend, 1, 5, 10);
    s_assert_serve (resend, 1, 1, 5);
    //  Frames of other sizes, the empty line among them
    assert_int_equal (s_add (resend, 6, 0), 0);
    assert_int_equal (s_add (resend, 7, 1), 0);
    assert_int_equal (s_add (resend, 8, 300), 0);
    s_assert_serve (resend, 1, 1, 8);
}

//  Serving from the middle, before the oldest (the lines between are gone) and past the newest.
static void
test_serve_from (void **state)
{
    resend_t *resend = *state;
    s_add_range (resend, 101, 110, 20);
    const serve_row_t rows[] = {
        {101, 101},      //  from the oldest: all
        {105, 105},      //  from the middle: that seq on
        {110, 110},      //  from the newest: just it
        {100, 101},      //  just before the oldest: 100 is gone
        {1, 101},        //  long before: 1..100 are gone
        {0, 101},        //  from 0 likewise
        {111, 0},        //  the next seq, not sent yet: nothing
        {1000, 0},       //  far ahead: nothing
        {UINT64_MAX, 0}, //  the far end: nothing (no overflow in the distance)
    };
    s_assert_rows (resend, rows, sizeof rows / sizeof rows[0], 110);
}

//  The same once the ring has wrapped: the oldest no longer sits at the start of the array.
static void
test_serve_from_wrapped (void **state)
{
    resend_t *resend = *state;
    uint64_t newest = RESEND_LINES_MAX + 1234;
    s_add_range (resend, 1, newest, 1);
    uint64_t oldest = newest - RESEND_LINES_MAX + 1;
    const serve_row_t rows[] = {
        {oldest, oldest},               //  from the oldest: all
        {oldest - 1, oldest},           //  just before: gone
        {1, oldest},                    //  the first line ever: long gone
        {newest - 1300, newest - 1300}, //  before the wrap point in the array
        {newest - 5, newest - 5},       //  after it
        {newest, newest},               //  the newest alone
        {newest + 1, 0},                //  past it
    };
    s_assert_rows (resend, rows, sizeof rows / sizeof rows[0], newest);
}

//  Without a callback resend_serve only looks: the same answer, and every line still held.
static void
test_look_only (void **state)
{
    resend_t *resend = *state;
    s_add_range (resend, 41, 60, 8);
    const serve_row_t rows[] = {
        {50, 50}, //  from the middle
        {3, 41},  //  before the oldest
        {61, 0},  //  past the newest
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal (resend_serve (resend, rows[i].from, NULL, NULL), rows[i].first);
    s_assert_rows (resend, rows, sizeof rows / sizeof rows[0], 60);
}

//  At RESEND_LINES_MAX lines the oldest goes for each new one.
static void
test_line_bound (void **state)
{
    resend_t *resend = *state;
    s_add_range (resend, 1, RESEND_LINES_MAX, 3);
    s_assert_serve (resend, 1, 1, RESEND_LINES_MAX); //  full, none dropped yet
    s_add_range (resend, RESEND_LINES_MAX + 1, RESEND_LINES_MAX + 5, 3);
    s_assert_serve (resend, 1, 6, RESEND_LINES_MAX + 5); //  1..5 dropped
    s_assert_serve (resend, 6, 6, RESEND_LINES_MAX + 5);
}

//  Past RESEND_BYTES_MAX bytes of frames the oldest go, as many as make room; exactly
//  RESEND_BYTES_MAX may be held.
static void
test_byte_bound (void **state)
{
    resend_t *resend = *state;
    const size_t line_bytes = BIG_LINE_BYTES + sizeof (uint64_t);
    const uint64_t fit = RESEND_BYTES_MAX / line_bytes; //  lines that fit in the bytes
    const size_t slack = RESEND_BYTES_MAX - fit * line_bytes;
    assert_true (fit < RESEND_LINES_MAX); //  else this tests the line bound
    assert_true (slack >= sizeof (uint64_t));
    s_add_range (resend, 1, fit, BIG_LINE_BYTES);
    s_assert_serve (resend, 1, 1, fit); //  all fit
    //  The rest of the room, to the byte: nothing goes
    assert_int_equal (s_add (resend, fit + 1, slack - sizeof (uint64_t)), 0);
    s_assert_serve (resend, 1, 1, fit + 1);
    //  Full to the byte: one out for one as large in, and it is full to the byte again
    assert_int_equal (s_add (resend, fit + 2, BIG_LINE_BYTES), 0);
    s_assert_serve (resend, 1, 2, fit + 2);
    //  A line twice as large takes the room of two
    assert_int_equal (s_add (resend, fit + 3, BIG_LINE_BYTES + line_bytes), 0);
    s_assert_serve (resend, 1, 4, fit + 3);
}

//  A row of lines to keep: its frames' sizes and what resend_add must return.
typedef struct {
    size_t line_size; //  frame 1
    size_t meta_size; //  frame 2
    int rc;           //  0: kept, -1: refused
} size_row_t;

//  A line whose frames exceed RESEND_BYTES_MAX is refused, and the ring stays as it was; one of
//  exactly that many bytes is kept, alone.
static void
test_too_large (void **state)
{
    resend_t *resend = *state;
    const size_row_t rows[] = {
        {RESEND_BYTES_MAX + 1, 0, -1}, //  the line alone too large
        {RESEND_BYTES_MAX, 1, -1},     //  with its metadata, one byte too many
        {1, RESEND_BYTES_MAX, -1},     //  the metadata too large
        {RESEND_BYTES_MAX / 2 + 1, RESEND_BYTES_MAX / 2, -1}, //  each under, both over
    };
    uint8_t *frame = calloc (1, RESEND_BYTES_MAX + 1);
    assert_non_null (frame);
    s_add_range (resend, 1, 3, 10);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int rc = resend_add (resend, 4, frame, rows[i].line_size, frame, rows[i].meta_size);
        if (rc != rows[i].rc)
            fail_msg ("row %zu: resend_add returned %d, expected %d", i, rc, rows[i].rc);
    }
    s_assert_serve (resend, 1, 1, 3); //  nothing dropped for them
    free (frame);
    //  Exactly the bound: kept, and everything else goes to make room
    assert_int_equal (s_add (resend, 4, RESEND_BYTES_MAX - sizeof (uint64_t)), 0);
    s_assert_serve (resend, 1, 4, 4);
    assert_int_equal (s_add (resend, 5, 1), 0); //  and it goes for the next
    s_assert_serve (resend, 1, 5, 5);
}

//  Destroying a full ring frees every line (ASan's leak check tells), and is safe twice.
static void
test_destroy_full (void **state)
{
    (void) state;
    resend_t *resend = resend_new ();
    assert_non_null (resend);
    s_add_range (resend, 1, RESEND_LINES_MAX + 10, 100);
    resend_destroy (&resend);
    assert_null (resend);
    resend_destroy (&resend);
    assert_null (resend);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_empty, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_ring_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_serve_from, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_serve_from_wrapped, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_look_only, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_line_bound, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_byte_bound, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_too_large, s_setup, s_teardown),
        cmocka_unit_test (test_destroy_full),
    };
    return cmocka_run_group_tests_name ("resend", tests, NULL, NULL);
}
