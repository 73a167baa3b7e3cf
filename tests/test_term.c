/*  test_term.c - unit tests for term.c's journal mode (--relay): notices, errors, debug lines
    and help text on stderr in sd-daemon(3)'s "<N>text" form, one line each, without prefix,
    colour or line breaks inside; chat lines neither printed nor in the transcript; a notice too
    long for a line cut and still one line; two threads writing at once never mixing lines; and
    the output as before once journal mode is off.

    No readline handler is installed here: term.c writes as in pipe mode when journal mode is
    off. Each test leaves journal mode, colour and debug off (s_reset).
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "limits.h"
#include "term.h"
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREAD_NOTICES 500 //  notices each of two threads writes at once
#define LOG_MAX_BYTES 4096 //  what a test reads back of a transcript

//  Setup and teardown of every test: journal mode, colour and debug off, no transcript.
static int
s_reset (void **state)
{
    (void) state;
    term_set_journal (false);
    term_set_color (false);
    term_set_debug (false);
    term_set_log (NULL);
    return 0;
}

//  Notices are "<6>", errors "<3>", debug lines "<7>" (only while debug is on), each one line
//  on stderr with no "-- " prefix; nothing reaches stdout.
static void
test_levels (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    assert_true (term_journal_on ());
    testlib_capture_start (capture);
    term_notice ("anna joined (%s)", "192.0.2.7:5557");
    term_error ("cannot listen on port %d", 5557);
    term_debug ("not shown: debug is off");
    term_set_debug (true);
    term_debug ("SUB connected to %s", "tcp://192.0.2.7:5557");
    term_flush ();
    testlib_capture_stop (capture);
    assert_string_equal (capture->out, "");
    testlib_assert_told (capture, "<6>anna joined (192.0.2.7:5557)\n"
                                  "<3>cannot listen on port 5557\n"
                                  "<7>SUB connected to tcp://192.0.2.7:5557\n");
    free (capture);
}

//  A chat line is not printed at all, coloured or not, and help text is one notice per line.
static void
test_lines_and_text (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    unsigned long mark = term_lines_written ();
    testlib_capture_start (capture);
    term_line ("12:00 anna> hemligt");
    term_set_color (true);
    term_line ("\033[1m12:00 anna>\033[0m hemligt");
    term_text ("Commands:\n  \\quit  leave\n");
    term_flush ();
    testlib_capture_stop (capture);
    assert_string_equal (capture->out, "");
    testlib_assert_told (capture, "<6>Commands:\n<6>  \\quit  leave\n");
    assert_int_equal (term_lines_written (), mark); //  nothing shown
    free (capture);
}

//  Colour on: no colour code reaches the journal; a line break inside a notice is a space, so
//  it stays one entry.
static void
test_plain_one_line (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    term_set_color (true);
    testlib_capture_start (capture);
    term_notice ("\033[1m%s\033[0m joined", "anna");
    term_error ("two\nlines\r");
    testlib_capture_stop (capture);
    testlib_assert_told (capture, "<6>anna joined\n<3>two lines \n");
    testlib_assert_inert (capture->err);
    free (capture);
}

//  A notice longer than a line is cut to LINE_MAX_BYTES - 1 bytes and is still one entry.
static void
test_long_notice (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    char *text = malloc (2 * LINE_MAX_BYTES);
    assert_non_null (capture);
    assert_non_null (text);
    memset (text, 'x', 2 * LINE_MAX_BYTES - 1);
    text[2 * LINE_MAX_BYTES - 1] = 0;
    term_set_journal (true);
    testlib_capture_start (capture);
    term_notice ("%s", text);
    testlib_capture_stop (capture);
    size_t told = strlen (capture->err);
    assert_int_equal (told, 3 + LINE_MAX_BYTES - 1 + 1);
    assert_memory_equal (capture->err, "<6>xxx", 6);
    assert_int_equal (capture->err[told - 1], '\n');
    assert_ptr_equal (strchr (capture->err, '\n'), capture->err + told - 1); //  one line
    free (text);
    free (capture);
}

//  Write THREAD_NOTICES notices naming the thread (arg: "a" or "b").
static void *
s_write_notices (void *arg)
{
    for (int i = 0; i < THREAD_NOTICES; i++)
        term_notice ("thread %s notice %d", (const char *) arg, i);
    return NULL;
}

//  Two threads writing at once: every entry whole, on a line of its own, each thread's in order.
static void
test_threads (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    pthread_t a, b;
    testlib_capture_start (capture);
    assert_int_equal (pthread_create (&a, NULL, s_write_notices, "a"), 0);
    assert_int_equal (pthread_create (&b, NULL, s_write_notices, "b"), 0);
    pthread_join (a, NULL);
    pthread_join (b, NULL);
    testlib_capture_stop (capture);
    int next[2] = {0, 0}, lines = 0;
    for (char *line = capture->err; *line; lines++) {
        char *end = strchr (line, '\n');
        assert_non_null (end);
        *end = 0;
        char which;
        int number, used = 0;
        assert_int_equal (sscanf (line, "<6>thread %c notice %d%n", &which, &number, &used), 2);
        assert_int_equal ((size_t) used, strlen (line));
        assert_true (which == 'a' || which == 'b');
        assert_int_equal (number, next[which - 'a']++);
        line = end + 1;
    }
    assert_int_equal (lines, 2 * THREAD_NOTICES);
    free (capture);
}

//  Read the transcript at path into text (LOG_MAX_BYTES).
static void
s_read_log (const char *path, char *text)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    size_t size = fread (text, 1, LOG_MAX_BYTES - 1, file);
    text[size] = 0;
    fclose (file);
}

//  With --log, the transcript keeps the notices as before ("-- ..." after the time), never a
//  chat line.
static void
test_transcript (void **state)
{
    (void) state;
    char path[] = "/tmp/test_term_XXXXXX", text[LOG_MAX_BYTES];
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    close (fd);
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    assert_int_equal (term_set_log (path), 0);
    testlib_capture_start (capture);
    term_notice ("relay listening on port %d", 5557);
    term_line ("12:00 anna> hemligt");
    testlib_capture_stop (capture);
    assert_int_equal (term_set_log (NULL), 0);
    s_read_log (path, text);
    unlink (path);
    testlib_assert_told (capture, "<6>relay listening on port 5557\n");
    assert_non_null (strstr (text, " -- relay listening on port 5557\n"));
    assert_null (strstr (text, "hemligt"));
    assert_int_equal (strchr (text, '\n') - text + 1, strlen (text)); //  one line
    free (capture);
}

//  Journal mode off again: notices "-- " on stderr and chat lines on stdout, as before.
static void
test_off_again (void **state)
{
    (void) state;
    testlib_capture_t *capture = calloc (1, sizeof *capture);
    assert_non_null (capture);
    term_set_journal (true);
    term_set_journal (false);
    assert_false (term_journal_on ());
    testlib_capture_start (capture);
    term_notice ("anna joined");
    term_error ("oops");
    term_line ("12:00 anna> hej");
    term_flush ();
    testlib_capture_stop (capture);
    assert_string_equal (capture->out, "12:00 anna> hej\n");
    testlib_assert_told (capture, "-- anna joined\n!! oops\n");
    free (capture);
}

//  Run the term tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_levels, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_lines_and_text, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_plain_one_line, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_long_notice, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_threads, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_transcript, s_reset, s_reset),
        cmocka_unit_test_setup_teardown (test_off_again, s_reset, s_reset),
    };
    return cmocka_run_group_tests_name ("term", tests, NULL, NULL);
}
