/*  test_known.c - unit tests for known.c: a new nick's key remembered, the same key again,
    another key told as changed once per key, \trust replacing it; the file: one 0600 line per
    nick appended, rewritten whole on \trust, read back on the next start with its garbage
    skipped; the bound of KNOWN_MAX nicks; nicks that cannot be remembered; and two threads at
    once (TSan judges).

    Each test has a directory of its own under /tmp, removed after it.
*/
#define _GNU_SOURCE //  nftw's FTW_DEPTH and FTW_PHYS

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "known.h"
#include "testlib.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_BYTES 512                      //  a path in the test's directory
#define FILE_BYTES 8192                     //  a known-peers file as read back, at most
#define HEX_BYTES (2 * KNOWN_KEY_BYTES + 1) //  a key in hex, and a NUL
#define THREAD_NICKS 200                    //  nicks each thread of test_threads checks

//  The test's directory and its known-peers file
typedef struct {
    char root[PATH_BYTES]; //  /tmp/chat-known.XXXXXX
    char path[PATH_BYTES]; //  root/known-peers
} fixture_t;

//  Setup: a fresh directory.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    memcpy (fixture->root, "/tmp/chat-known.XXXXXX", sizeof "/tmp/chat-known.XXXXXX");
    if (!mkdtemp (fixture->root)) {
        free (fixture);
        return -1;
    }
    int size = snprintf (fixture->path, sizeof fixture->path, "%s/known-peers", fixture->root);
    if (size < 0 || (size_t) size >= sizeof fixture->path) {
        rmdir (fixture->root);
        free (fixture);
        return -1;
    }
    *state = fixture;
    return 0;
}

//  Remove one file or directory of the tree nftw walks.
static int
s_remove (const char *path, const struct stat *info, int flag, struct FTW *walk)
{
    (void) info, (void) flag, (void) walk;
    return remove (path);
}

//  Teardown: remove the test's directory and all in it.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    nftw (fixture->root, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (fixture);
    return 0;
}

//  A key made of one byte: every byte of it is fill.
static void
s_key (uint8_t key[KNOWN_KEY_BYTES], uint8_t fill)
{
    memset (key, fill, KNOWN_KEY_BYTES);
}

//  Read the file at path into text (FILE_BYTES, NUL-terminated).
static void
s_read (const char *path, char text[FILE_BYTES])
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    size_t size = fread (text, 1, FILE_BYTES - 1, file);
    text[size] = 0;
    fclose (file);
}

//  Write text into the file at path, mode 0600.
static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    assert_int_equal (fputs (text, file) >= 0, 1);
    assert_int_equal (fclose (file), 0);
    assert_int_equal (chmod (path, 0600), 0);
}

//  The line "NICK <hex of a key of fill>\n" into line (FILE_BYTES).
static void
s_line (char *line, const char *nick, uint8_t fill)
{
    uint8_t key[KNOWN_KEY_BYTES];
    char hex[HEX_BYTES];
    s_key (key, fill);
    testlib_hex (key, sizeof key, hex);
    int size = snprintf (line, FILE_BYTES, "%s %s\n", nick, hex);
    assert_true (size > 0 && size < FILE_BYTES);
}

//  Assert what known_check says of nick with a key of fill, and what it sets first_time to.
static void
s_assert_check (known_t *known, const char *nick, uint8_t fill, known_verdict_t verdict,
                bool first_time)
{
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, fill);
    bool first = !first_time;
    known_verdict_t got = known_check (known, nick, key, &first);
    if (got != verdict || first != first_time)
        fail_msg ("%s with key %02x: verdict %d and first_time %d, expected %d and %d", nick, fill,
                  got, first, verdict, first_time);
}

//  Assert that nick's remembered key is one of fill (or that there is none, when fill is 0).
static void
s_assert_lookup (known_t *known, const char *nick, uint8_t fill)
{
    uint8_t key[KNOWN_KEY_BYTES], expected[KNOWN_KEY_BYTES];
    s_key (expected, fill);
    bool found = known_lookup (known, nick, key);
    if (found != (fill != 0))
        fail_msg ("%s: lookup %s", nick, found ? "found one" : "found none");
    if (found)
        assert_memory_equal (key, expected, sizeof key);
}

//  The first key of a nick is new and remembered, the same again is the same; other nicks are
//  apart. In memory only.
static void
test_new_then_same (void **state)
{
    (void) state;
    known_t *known = known_new (NULL);
    assert_non_null (known);
    s_assert_lookup (known, "anna", 0);
    s_assert_check (known, "anna", 0x11, KNOWN_NEW, false);
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    s_assert_lookup (known, "anna", 0x11);
    s_assert_check (known, "bo", 0x11, KNOWN_NEW, false);   //  the same key, another nick
    s_assert_check (known, "Anna", 0x22, KNOWN_NEW, false); //  nicks are bytes, case counts
    s_assert_lookup (known, "anna", 0x11);
    s_assert_lookup (known, "cy", 0);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x11);
    assert_int_equal (known_check (known, "anna", key, NULL), KNOWN_SAME); //  NULL first_time
    known_destroy (&known);
    assert_null (known);
    known_destroy (&known);
    known_destroy (NULL);
}

//  Another key than the remembered one is changed, first_time true once per key and then
//  false; the remembered key stays the same.
static void
test_changed (void **state)
{
    (void) state;
    known_t *known = known_new (NULL);
    assert_non_null (known);
    s_assert_check (known, "anna", 0x11, KNOWN_NEW, false);
    s_assert_check (known, "anna", 0x22, KNOWN_CHANGED, true);
    s_assert_check (known, "anna", 0x22, KNOWN_CHANGED, false);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, true); //  another key: told too
    s_assert_check (known, "anna", 0x22, KNOWN_CHANGED, false);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, false);
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    s_assert_lookup (known, "anna", 0x11);
    s_assert_check (known, "bo", 0x44, KNOWN_NEW, false);
    s_assert_check (known, "bo", 0x22, KNOWN_CHANGED, true); //  per nick and key
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x55);
    assert_int_equal (known_check (known, "bo", key, NULL), KNOWN_CHANGED);
    s_assert_check (known, "bo", 0x55, KNOWN_CHANGED, false); //  told then, without first_time
    known_destroy (&known);
}

//  \trust makes a key the remembered one; a key told as changed before is told again after.
static void
test_trust (void **state)
{
    (void) state;
    known_t *known = known_new (NULL);
    assert_non_null (known);
    s_assert_check (known, "anna", 0x11, KNOWN_NEW, false);
    s_assert_check (known, "anna", 0x22, KNOWN_CHANGED, true);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, true);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x22);
    assert_int_equal (known_trust (known, "anna", key), 0);
    s_assert_lookup (known, "anna", 0x22);
    s_assert_check (known, "anna", 0x22, KNOWN_SAME, false);
    s_assert_check (known, "anna", 0x11, KNOWN_CHANGED, true);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, true);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, false);
    //  A nick never seen can be trusted too: remembered at once
    s_key (key, 0x44);
    assert_int_equal (known_trust (known, "bo", key), 0);
    s_assert_check (known, "bo", 0x44, KNOWN_SAME, false);
    known_destroy (&known);
}

//  Lines of the file: one per new nick, appended, mode 0600; \trust rewrites it whole,
//  leaving no temporary file; the next start reads every nick back.
static void
test_file (void **state)
{
    fixture_t *fixture = *state;
    known_t *known = known_new (fixture->path); //  no file yet: empty
    assert_non_null (known);
    s_assert_check (known, "anna", 0x11, KNOWN_NEW, false);
    s_assert_check (known, "bo", 0x22, KNOWN_NEW, false);
    s_assert_check (known, "anna", 0x33, KNOWN_CHANGED, true); //  not written
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    struct stat info;
    assert_int_equal (stat (fixture->path, &info), 0);
    assert_int_equal (info.st_mode & 07777, 0600);
    char text[FILE_BYTES], anna[FILE_BYTES], bo[FILE_BYTES], expected[2 * FILE_BYTES];
    s_line (anna, "anna", 0x11);
    s_line (bo, "bo", 0x22);
    assert_true (snprintf (expected, sizeof expected, "%s%s", anna, bo) > 0);
    s_read (fixture->path, text);
    assert_string_equal (text, expected);
    known_destroy (&known);
    known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    s_assert_check (known, "bo", 0x22, KNOWN_SAME, false);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x33);
    assert_int_equal (known_trust (known, "anna", key), 0);
    s_line (anna, "anna", 0x33);
    assert_true (snprintf (expected, sizeof expected, "%s%s", anna, bo) > 0);
    s_read (fixture->path, text);
    assert_string_equal (text, expected);
    assert_int_equal (stat (fixture->path, &info), 0);
    assert_int_equal (info.st_mode & 07777, 0600);
    DIR *dir = opendir (fixture->root);
    assert_non_null (dir);
    int files = 0;
    for (struct dirent *entry; (entry = readdir (dir));)
        files += entry->d_name[0] != '.';
    closedir (dir);
    assert_int_equal (files, 1); //  the temporary file is gone
    known_destroy (&known);
    known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_check (known, "anna", 0x33, KNOWN_SAME, false);
    s_assert_check (known, "bo", 0x22, KNOWN_SAME, false);
    s_assert_check (known, "anna", 0x11, KNOWN_CHANGED, true);
    known_destroy (&known);
}

//  Lines the loader cannot read are skipped, the rest are read: of two lines for a nick the
//  first counts; a last line without a newline counts, and the next line appended goes on a
//  line of its own.
static void
test_garbage (void **state)
{
    fixture_t *fixture = *state;
    char text[FILE_BYTES], line[FILE_BYTES], hex[HEX_BYTES];
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x11);
    testlib_hex (key, sizeof key, hex);
    size_t used = 0;
    static const char *garbage[] = {
        "garbage\n",     "\n",
        " \n",           "anna\n",
        "anna \n",       "anna zz\n",
        "a b %s\n",      "%s\n",
        " %s\n",         "anna  %s\n",
        "anna %s \n",    "anna %s0\n",
        "anna %.63s\n",  "anna\t%s\n",
        "x\x1b[2J %s\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa %s\n", //  33 characters: too long
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        int size = snprintf (text + used, sizeof text - used, garbage[i], hex);
#pragma GCC diagnostic pop
        assert_true (size > 0 && (size_t) size < sizeof text - used);
        used += (size_t) size;
    }
    static char long_line[1000];
    memset (long_line, 'b', sizeof long_line - 2);
    long_line[sizeof long_line - 2] = '\n'; //  longer than any line: skipped, all of it
    assert_true (used + sizeof long_line < sizeof text);
    memcpy (text + used, long_line, sizeof long_line);
    used += strlen (long_line);
    s_line (line, "bo", 0x22);
    memcpy (text + used, line, strlen (line) + 1);
    used += strlen (line);
    s_line (line, "bo", 0x33); //  a second line for bo: the first counts
    memcpy (text + used, line, strlen (line) + 1);
    used += strlen (line);
    s_line (line, "ANNA", 0xAB); //  uppercase hex is not ours
    for (char *c = line + 5; *c != '\n'; c++)
        *c = (char) toupper ((unsigned char) *c);
    memcpy (text + used, line, strlen (line) + 1);
    used += strlen (line);
    s_line (line, "cy", 0x55);
    line[strlen (line) - 1] = 0; //  the last line, without its newline
    memcpy (text + used, line, strlen (line) + 1);
    s_write (fixture->path, text);
    known_t *known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_lookup (known, "anna", 0);
    s_assert_lookup (known, "ANNA", 0);
    s_assert_lookup (known, "bo", 0x22);
    s_assert_lookup (known, "cy", 0x55);
    s_assert_lookup (known, "b", 0);
    s_assert_check (known, "dan", 0x66, KNOWN_NEW, false);
    known_destroy (&known);
    known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_lookup (known, "cy", 0x55);
    s_assert_lookup (known, "dan", 0x66);
    known_destroy (&known);
}

//  KNOWN_MAX nicks are remembered, no more: one more is new every time and never kept, nor
//  can it be trusted; those remembered stay.
static void
test_full (void **state)
{
    fixture_t *fixture = *state;
    known_t *known = known_new (fixture->path);
    assert_non_null (known);
    char nick[16];
    for (int i = 0; i <= KNOWN_MAX; i++) {
        assert_true (snprintf (nick, sizeof nick, "n%d", i) < (int) sizeof nick);
        s_assert_check (known, nick, (uint8_t) (i % 250 + 1), KNOWN_NEW, false);
    }
    s_assert_check (known, nick, 0x01, KNOWN_NEW, false); //  n1024 again
    s_assert_lookup (known, nick, 0);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x01);
    assert_int_equal (known_trust (known, nick, key), -1);
    s_assert_lookup (known, nick, 0);
    s_assert_check (known, "n0", 0x01, KNOWN_SAME, false);
    s_assert_check (known, "n1023", 1023 % 250 + 1, KNOWN_SAME, false);
    known_destroy (&known);
    //  The file has the first KNOWN_MAX
    known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_lookup (known, "n1023", 1023 % 250 + 1);
    s_assert_lookup (known, "n1024", 0);
    known_destroy (&known);
}

//  A nick that could not be written as a line is never remembered: new every time.
static void
test_bad_nicks (void **state)
{
    fixture_t *fixture = *state;
    static const char *nicks[] = {"", "a b", "a\nb", "x\x1b[2J",
                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    known_t *known = known_new (fixture->path);
    assert_non_null (known);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x11);
    for (size_t i = 0; i < sizeof nicks / sizeof nicks[0]; i++) {
        s_assert_check (known, nicks[i], 0x11, KNOWN_NEW, false);
        s_assert_check (known, nicks[i], 0x22, KNOWN_NEW, false);
        s_assert_lookup (known, nicks[i], 0);
        assert_int_equal (known_trust (known, nicks[i], key), -1);
    }
    assert_int_equal (known_check (known, NULL, key, NULL), KNOWN_NEW);
    struct stat info;
    assert_int_equal (stat (fixture->path, &info), -1); //  nothing written
    known_destroy (&known);
}

//  A file that cannot be written: \trust says so, and memory has the key anyway; a new nick
//  is still remembered for this run.
static void
test_unwritable (void **state)
{
    fixture_t *fixture = *state;
    char path[PATH_BYTES];
    assert_true (snprintf (path, sizeof path, "%s/missing/known-peers", fixture->root) > 0);
    known_t *known = known_new (path);
    assert_non_null (known);
    s_assert_check (known, "anna", 0x11, KNOWN_NEW, false);
    s_assert_check (known, "anna", 0x11, KNOWN_SAME, false);
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, 0x22);
    assert_int_equal (known_trust (known, "anna", key), -1);
    s_assert_lookup (known, "anna", 0x22);
    known_destroy (&known);
}

//  What one thread of test_threads checks
typedef struct {
    known_t *known;
    char prefix; //  its nicks start with this
} worker_t;

//  Check THREAD_NICKS nicks of the worker's own and one shared nick, twice each.
static void *
s_worker (void *argument)
{
    worker_t *worker = argument;
    uint8_t key[KNOWN_KEY_BYTES];
    s_key (key, (uint8_t) worker->prefix);
    char nick[16];
    long wrong = 0;
    for (int i = 0; i < THREAD_NICKS; i++) {
        if (snprintf (nick, sizeof nick, "%c%d", worker->prefix, i) >= (int) sizeof nick)
            return (void *) -1L;
        wrong += known_check (worker->known, nick, key, NULL) != KNOWN_NEW;
        wrong += known_check (worker->known, nick, key, NULL) != KNOWN_SAME;
        known_check (worker->known, "shared", key, NULL);
        wrong += !known_lookup (worker->known, nick, key);
    }
    return (void *) wrong;
}

//  Two threads at once, as the main and the subscriber thread: each sees its own nicks as new
//  then the same, and the file has every line.
static void
test_threads (void **state)
{
    fixture_t *fixture = *state;
    known_t *known = known_new (fixture->path);
    assert_non_null (known);
    worker_t workers[2] = {{known, 'a'}, {known, 'b'}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal (pthread_create (&threads[i], NULL, s_worker, &workers[i]), 0);
    for (int i = 0; i < 2; i++) {
        void *wrong;
        assert_int_equal (pthread_join (threads[i], &wrong), 0);
        assert_null (wrong);
    }
    uint8_t key[KNOWN_KEY_BYTES];
    assert_true (known_lookup (known, "shared", key));
    known_destroy (&known);
    known = known_new (fixture->path);
    assert_non_null (known);
    s_assert_lookup (known, "a0", 'a');
    s_assert_lookup (known, "b199", 'b');
    assert_true (known_lookup (known, "shared", key));
    known_destroy (&known);
}

//  Run the known-peers tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_new_then_same, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_changed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_trust, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_file, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_garbage, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_nicks, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unwritable, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_threads, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("known", tests, NULL, NULL);
}
