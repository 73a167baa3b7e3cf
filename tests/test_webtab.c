/*  test_webtab.c - unit tests for webtab.c with /bin/sh and cat as the child: a line in comes
    back out, stderr is told apart, an over-long line is cut, end of input ends the child, a
    child that ignores it ends with SIGKILL, and nothing of ours leaks into the child.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "webtab.h"

#include <czmq.h>
#include <signal.h>

#define WAIT_MS 5000 // the longest a test waits for the child

//  What the child printed
typedef struct {
    char out[WEBTAB_LINE_MAX_BYTES + 64]; //  the last stdout line
    char first[64];                       //  the first one
    char err[256];                        //  the last stderr line
    int out_lines, err_lines;             //  how many of each
    bool cut;                             //  the last stdout line was cut
    bool first_cut;                       //  the first one was
    size_t first_size;                    //  its size
} seen_t;

//  webtab_line_fn: keep the line.
static void
s_seen (const char *line, size_t size, bool from_stdout, bool cut, void *arg)
{
    seen_t *seen = arg;
    if (from_stdout) {
        snprintf (seen->out, sizeof seen->out, "%s", line);
        if (seen->out_lines == 0) {
            snprintf (seen->first, sizeof seen->first, "%s", line);
            seen->first_cut = cut, seen->first_size = size;
        }
        seen->cut = cut;
        seen->out_lines++;
    } else {
        snprintf (seen->err, sizeof seen->err, "%s", line);
        seen->err_lines++;
    }
}

//  Read until count stdout lines have come, or the output closed, WAIT_MS at most. Returns
//  the last webtab_read result.
static int
s_read_until (webtab_t *tab, seen_t *seen, int count)
{
    int64_t deadline = zclock_mono () + WAIT_MS;
    int rc = 0;
    while (seen->out_lines < count && rc == 0 && zclock_mono () < deadline)
        rc = webtab_read (tab, 100, s_seen, seen);
    return rc;
}

//  cat: a line written comes back; end of input ends it, its output closes, it is reaped.
static void
test_echo (void **state)
{
    (void) state;
    char *argv[] = {"/bin/cat", NULL}, *envp[] = {NULL};
    webtab_t *tab = webtab_start (argv, envp);
    assert_non_null (tab);
    assert_true (webtab_pid (tab) > 0);
    assert_int_equal (webtab_write_line (tab, "hej <b>", 7), 0);
    seen_t seen = {0};
    s_read_until (tab, &seen, 1);
    assert_string_equal (seen.out, "hej <b>");
    webtab_close_input (tab);
    webtab_close_input (tab); //  twice is fine
    assert_int_equal (webtab_write_line (tab, "sen", 3), -1);
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (webtab_read (tab, 100, s_seen, &seen) == 0 && zclock_mono () < deadline) {
    }
    assert_int_equal (webtab_read (tab, 0, s_seen, &seen), -1);
    deadline = zclock_mono () + WAIT_MS;
    while (!webtab_reaped (tab) && zclock_mono () < deadline)
        zclock_sleep (10);
    assert_true (webtab_reaped (tab));
    webtab_destroy (&tab);
    assert_null (tab);
    webtab_destroy (&tab);
}

//  stderr is told apart from stdout; a last line without a newline still comes; the child
//  gets the environment it was given and none of our descriptors beyond 0-2.
static void
test_streams (void **state)
{
    (void) state;
    char *argv[] = {"/bin/sh", "-c",
                    "echo \"$GREETING\" >&2; ls /proc/self/fd | wc -l; printf tail", NULL};
    char *envp[] = {"GREETING=hej", NULL};
    webtab_t *tab = webtab_start (argv, envp);
    assert_non_null (tab);
    seen_t seen = {0};
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (webtab_read (tab, 100, s_seen, &seen) == 0 && zclock_mono () < deadline) {
    }
    assert_int_equal (seen.err_lines, 1);
    assert_string_equal (seen.err, "hej");
    assert_int_equal (seen.out_lines, 2);
    assert_string_equal (seen.first, "4"); //  ls's 0, 1, 2 and the directory it reads
    assert_string_equal (seen.out, "tail");
    webtab_destroy (&tab);
}

//  A line longer than WEBTAB_LINE_MAX_BYTES comes cut, flagged; the next one whole.
static void
test_long_line (void **state)
{
    (void) state;
    char *argv[] = {"/bin/sh", "-c", "head -c 20000 /dev/zero | tr '\\0' x; echo; echo next", NULL};
    char *envp[] = {NULL};
    webtab_t *tab = webtab_start (argv, envp);
    assert_non_null (tab);
    seen_t seen = {0};
    s_read_until (tab, &seen, 2);
    assert_true (seen.first_cut);
    assert_int_equal (seen.first_size, WEBTAB_LINE_MAX_BYTES);
    assert_false (seen.cut);
    assert_string_equal (seen.out, "next");
    webtab_destroy (&tab);
}

//  A child that ignores end of input and SIGTERM is ended by destroy (SIGKILL), reaped.
static void
test_stubborn (void **state)
{
    (void) state;
    char *argv[] = {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done", NULL};
    char *envp[] = {"PATH=/bin:/usr/bin", NULL};
    webtab_t *tab = webtab_start (argv, envp);
    assert_non_null (tab);
    seen_t seen = {0};
    s_read_until (tab, &seen, 1);
    assert_string_equal (seen.out, "ready");
    int pid = webtab_pid (tab);
    webtab_close_input (tab);
    webtab_signal (tab, SIGTERM);
    assert_false (webtab_reaped (tab));
    webtab_destroy (&tab);
    assert_int_equal (kill (pid, 0), -1); //  gone, and reaped: no such process
}

//  A program that does not exist: no tab.
static void
test_missing (void **state)
{
    (void) state;
    char *argv[] = {"/nonexistent/chat", NULL}, *envp[] = {NULL};
    assert_null (webtab_start (argv, envp));
}

int
main (void)
{
    signal (SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_echo),      cmocka_unit_test (test_streams),
        cmocka_unit_test (test_long_line), cmocka_unit_test (test_stubborn),
        cmocka_unit_test (test_missing),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
