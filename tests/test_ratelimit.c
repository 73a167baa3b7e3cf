/*  test_ratelimit.c - unit tests for ratelimit.c: so many events a window, the window starting
    at the first event allowed, and the count of those held back.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

//  Five a second: the sixth in the same second is held, the next second allows five again.
static void
test_per_second (void **state)
{
    (void) state;
    ratelimit_t limit = RATELIMIT (5, 1000);
    int64_t start = 123456;
    for (int i = 0; i < 5; i++)
        assert_true (ratelimit_allow (&limit, start + i));
    assert_false (ratelimit_allow (&limit, start + 999));
    assert_false (ratelimit_allow (&limit, start + 500));
    assert_int_equal (ratelimit_take_held (&limit), 2);
    assert_int_equal (ratelimit_take_held (&limit), 0);
    for (int i = 0; i < 5; i++)
        assert_true (ratelimit_allow (&limit, start + 1000 + i));
    assert_false (ratelimit_allow (&limit, start + 1999));
}

//  Once a minute: the window starts at the event allowed, not at a fixed tick, and refusals do
//  not move it; a clock that starts at 0 is no special case.
static void
test_once_a_minute (void **state)
{
    (void) state;
    ratelimit_t limit = RATELIMIT (1, 60000);
    assert_true (ratelimit_allow (&limit, 0));
    assert_false (ratelimit_allow (&limit, 59999));
    assert_true (ratelimit_allow (&limit, 60000));
    assert_false (ratelimit_allow (&limit, 61000));
    assert_false (ratelimit_allow (&limit, 119999));
    assert_true (ratelimit_allow (&limit, 200000));
    assert_int_equal (ratelimit_take_held (&limit), 3);
}

//  None allowed at all: every event is held.
static void
test_zero (void **state)
{
    (void) state;
    ratelimit_t limit = RATELIMIT (0, 1000);
    assert_false (ratelimit_allow (&limit, 5));
    assert_false (ratelimit_allow (&limit, 5000));
    assert_int_equal (ratelimit_take_held (&limit), 2);
}

//  Run the rate limit tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_per_second),
        cmocka_unit_test (test_once_a_minute),
        cmocka_unit_test (test_zero),
    };
    return cmocka_run_group_tests_name ("ratelimit", tests, NULL, NULL);
}
