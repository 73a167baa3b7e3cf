/*  test_identity.c - unit tests for identity.c: the key file made with mode 0600 in 0700
    directories and the same key loaded next time (with a new session and sender id); a file
    others may read or write, a corrupt one and one that is not a file refused with a line that
    names it, and never changed; a second open of a file in use gives a throwaway key; a
    throwaway key touches no file; where the default directory is; and what is made of a key:
    signatures, sender ids, fingerprints and crypto_box keys.

    Every test has a directory of its own under /tmp, with XDG_DATA_HOME and HOME in it, so no
    user's own keys are ever touched. Runs in the C locale, so every line is the English one.
*/
#define _GNU_SOURCE //  nftw's FTW_DEPTH and FTW_PHYS

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "identity.h"
#include "testlib.h"

#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_BYTES 512         //  a path in the test's directory
#define FILE_BYTES 8192        //  a key file as read back, at most
#define KEY_FILE_BYTES 159     //  a good key file: its three lines
#define HEX_BYTES (2 * 32 + 1) //  a key in hex, and a NUL

//  The test's directory and the paths in it
typedef struct {
    char root[PATH_BYTES]; //  /tmp/chat-identity.XXXXXX
    char data[PATH_BYTES]; //  root/data: $XDG_DATA_HOME
    char dir[PATH_BYTES];  //  root/data/chatt: the key files' directory
    char anna[PATH_BYTES]; //  dir/anna.key
} fixture_t;

//  Write the path root/tail into out (PATH_BYTES).
static void
s_path (char *out, const char *root, const char *tail)
{
    int size = snprintf (out, PATH_BYTES, "%s/%s", root, tail);
    assert_true (size > 0 && size < PATH_BYTES);
}

//  Setup: a fresh directory, XDG_DATA_HOME and HOME in it.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    memcpy (fixture->root, "/tmp/chat-identity.XXXXXX", sizeof "/tmp/chat-identity.XXXXXX");
    if (!mkdtemp (fixture->root)) {
        free (fixture);
        return -1;
    }
    s_path (fixture->data, fixture->root, "data");
    s_path (fixture->dir, fixture->data, "chatt");
    s_path (fixture->anna, fixture->dir, "anna.key");
    setenv ("XDG_DATA_HOME", fixture->data, 1);
    setenv ("HOME", fixture->root, 1);
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
    chmod (fixture->root, 0700);
    nftw (fixture->root, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (fixture);
    return 0;
}

//  Read the file at path into text (FILE_BYTES, NUL-terminated). Returns its size.
static size_t
s_read (const char *path, char text[FILE_BYTES])
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    size_t size = fread (text, 1, FILE_BYTES - 1, file);
    text[size] = 0;
    fclose (file);
    return size;
}

//  Write size bytes of text into a new file at path with mode.
static void
s_write (const char *path, const char *text, size_t size, mode_t mode)
{
    unlink (path);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, mode);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, text, size), (ssize_t) size);
    assert_int_equal (fchmod (fd, mode), 0); //  whatever the umask says
    close (fd);
}

//  The permission bits of path.
static mode_t
s_mode (const char *path)
{
    struct stat info;
    assert_int_equal (stat (path, &info), 0);
    return info.st_mode & 07777;
}

//  Open the identity of nick (path NULL) or of the file at path; fails unless it opens, with
//  origin.
static identity_t *
s_open (const char *path, const char *nick, identity_origin_t origin)
{
    char error[IDENTITY_ERROR_MAX_BYTES] = "";
    identity_t *identity = identity_open (path, nick, false, error, sizeof error);
    if (!identity)
        fail_msg ("identity_open failed: %s", error);
    assert_int_equal (identity_origin (identity), origin);
    assert_string_equal (error, "");
    return identity;
}

//  Assert that opening the file at path fails with a line naming it and holding what.
static void
s_assert_refused (const char *path, const char *what, const char *row)
{
    char error[IDENTITY_ERROR_MAX_BYTES] = "";
    identity_t *identity = identity_open (path, "anna", false, error, sizeof error);
    if (identity)
        fail_msg ("%s: opened, origin %d", row, identity_origin (identity));
    if (!strstr (error, path) || !strstr (error, what))
        fail_msg ("%s: the line \"%s\" lacks \"%s\" or the path", row, error, what);
    assert_null (strchr (error, '\n'));
}

//  The first start makes a 0700 directory and a 0600 file of three lines holding the public
//  key; the next loads the same key, with a new session and so a new sender id.
static void
test_create_and_load (void **state)
{
    fixture_t *fixture = *state;
    identity_t *first = s_open (NULL, "anna", IDENTITY_CREATED);
    assert_string_equal (identity_path (first), fixture->anna);
    assert_string_equal (identity_dir (first), fixture->dir);
    assert_int_equal (s_mode (fixture->data), 0700);
    assert_int_equal (s_mode (fixture->dir), 0700);
    assert_int_equal (s_mode (fixture->anna), 0600);
    char text[FILE_BYTES], hex[HEX_BYTES], expected[FILE_BYTES];
    assert_int_equal (s_read (fixture->anna, text), KEY_FILE_BYTES);
    testlib_hex (identity_public (first), IDENTITY_PUBLIC_BYTES, hex);
    assert_true (snprintf (expected, sizeof expected, "chatt identity 1\npublic %s\nseed ", hex) >
                 0);
    assert_memory_equal (text, expected, strlen (expected));
    assert_int_equal (text[KEY_FILE_BYTES - 1], '\n');
    uint8_t public[IDENTITY_PUBLIC_BYTES], session[IDENTITY_SESSION_BYTES];
    uint8_t sender[IDENTITY_SENDER_BYTES];
    memcpy (public, identity_public (first), sizeof public);
    memcpy (session, identity_session (first), sizeof session);
    memcpy (sender, identity_sender (first), sizeof sender);
    identity_destroy (&first);
    assert_null (first);
    identity_t *second = s_open (NULL, "anna", IDENTITY_LOADED);
    assert_memory_equal (identity_public (second), public, sizeof public);
    assert_memory_not_equal (identity_session (second), session, sizeof session);
    assert_memory_not_equal (identity_sender (second), sender, sizeof sender);
    identity_derive_sender (public, identity_session (second), sender);
    assert_memory_equal (identity_sender (second), sender, sizeof sender);
    char after[FILE_BYTES];
    s_read (fixture->anna, after);
    assert_string_equal (after, text); //  loading writes nothing
    identity_destroy (&second);
    identity_destroy (&second); //  safe twice
    identity_destroy (NULL);
}

//  A key file group or others may read, write or run is refused with the way out, and left
//  as it was.
static void
test_mode_refused (void **state)
{
    fixture_t *fixture = *state;
    static const mode_t modes[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601, 0666};
    identity_t *identity = s_open (NULL, "anna", IDENTITY_CREATED);
    identity_destroy (&identity);
    char text[FILE_BYTES], after[FILE_BYTES], way_out[PATH_BYTES + 16];
    s_read (fixture->anna, text);
    assert_true (snprintf (way_out, sizeof way_out, "chmod 600 %s", fixture->anna) > 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal (chmod (fixture->anna, modes[i]), 0);
        char row[32];
        assert_true (snprintf (row, sizeof row, "mode %o", (unsigned) modes[i]) > 0);
        s_assert_refused (fixture->anna, way_out, row);
        assert_int_equal (s_mode (fixture->anna), modes[i]);
        s_read (fixture->anna, after);
        assert_string_equal (after, text);
    }
    assert_int_equal (chmod (fixture->anna, 0400), 0); //  read-only for its owner is fine
    identity = s_open (NULL, "anna", IDENTITY_LOADED);
    identity_destroy (&identity);
}

//  A key file, and what makes it corrupt: put_size bytes of put in place of cut bytes at
//  offset of a good one (put NULL: the digit at offset changed)
typedef struct {
    const char *what;
    size_t offset, cut;
    const char *put;
    size_t put_size;
} corrupt_row_t;

//  Every file that is not exactly a good one is refused as corrupt, naming it, and never
//  changed: a wrong header, bad hex, a public key not the seed's, a cut, anything more.
static void
test_corrupt (void **state)
{
    fixture_t *fixture = *state;
    static const corrupt_row_t rows[] = {
        {"another version", 15, 1, "2", 1},
        {"another header", 0, 5, "chat!", 5},
        {"no header", 0, 17, "", 0},
        {"another field name", 17, 7, "publik ", 7},
        {"uppercase hex in the public key", 24, 1, "A", 1},
        {"a letter past f in the seed", 100, 1, "g", 1},
        {"a space in the public key", 30, 1, " ", 1},
        {"a NUL in the seed", 120, 1, "", 1},
        {"a public key that is not the seed's", 24, 0, NULL, 0},
        {"a seed that is not the public key's", 157, 0, NULL, 0},
        {"a digit more in the seed", 157, 0, "0", 1},
        {"truncated in the seed", 130, 29, "", 0},
        {"truncated after the public key", 89, 70, "", 0},
        {"no final newline", 158, 1, "", 0},
        {"a fourth line", 159, 0, "extra 1\n", 8},
        {"an empty line more", 159, 0, "\n", 1},
        {"CRLF", 88, 0, "\r", 1},
        {"empty", 0, 159, "", 0},
    };
    identity_t *identity = s_open (NULL, "anna", IDENTITY_CREATED);
    identity_destroy (&identity);
    char good[FILE_BYTES], bad[FILE_BYTES], after[FILE_BYTES];
    assert_int_equal (s_read (fixture->anna, good), KEY_FILE_BYTES);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const corrupt_row_t *row = &rows[i];
        size_t size = KEY_FILE_BYTES - row->cut + row->put_size;
        memcpy (bad, good, row->offset);
        if (row->put)
            memcpy (bad + row->offset, row->put, row->put_size);
        memcpy (bad + row->offset + row->put_size, good + row->offset + row->cut,
                KEY_FILE_BYTES - row->offset - row->cut);
        if (!row->put)
            bad[row->offset] = good[row->offset] == '0' ? '1' : '0';
        s_write (fixture->anna, bad, size, 0600);
        s_assert_refused (fixture->anna, "is corrupt", row->what);
        int fd = open (fixture->anna, O_RDONLY);
        assert_true (fd >= 0);
        assert_int_equal (read (fd, after, sizeof after), (ssize_t) size);
        assert_memory_equal (after, bad, size);
        close (fd);
    }
    //  Too big to be one
    memset (bad, 'x', sizeof bad);
    memcpy (bad, good, KEY_FILE_BYTES);
    s_write (fixture->anna, bad, sizeof bad, 0600);
    s_assert_refused (fixture->anna, "is corrupt", "8 KiB");
    //  The good one, put back, loads
    s_write (fixture->anna, good, KEY_FILE_BYTES, 0600);
    identity = s_open (NULL, "anna", IDENTITY_LOADED);
    identity_destroy (&identity);
}

//  A directory where the key file should be is refused; so, unless we are root, is a file we
//  may not read, and a directory we may not create the file in.
static void
test_not_a_file (void **state)
{
    fixture_t *fixture = *state;
    char path[PATH_BYTES];
    s_path (path, fixture->root, "dir.key");
    assert_int_equal (mkdir (path, 0700), 0);
    s_assert_refused (path, "is not a regular file", "a directory");
    if (geteuid () == 0)
        return; //  root reads and writes anything
    s_path (path, fixture->root, "unreadable.key");
    s_write (path, "x", 1, 0200);
    s_assert_refused (path, "cannot read the key file", "unreadable");
    char locked_dir[PATH_BYTES];
    s_path (locked_dir, fixture->root, "locked");
    assert_int_equal (mkdir (locked_dir, 0500), 0);
    s_path (path, locked_dir, "anna.key");
    s_assert_refused (path, "cannot create the key file", "a directory we may not write in");
}

//  While a chat has the key file, a second open of it gets a throwaway key (flock is per open
//  file, so this works in one process), and when the first is done the file's key comes back.
static void
test_busy (void **state)
{
    fixture_t *fixture = *state;
    identity_t *first = s_open (NULL, "anna", IDENTITY_CREATED);
    for (int round = 0; round < 2; round++) {
        identity_t *second = s_open (NULL, "anna", IDENTITY_BUSY);
        assert_memory_not_equal (identity_public (second), identity_public (first),
                                 IDENTITY_PUBLIC_BYTES);
        assert_memory_not_equal (identity_sender (second), identity_sender (first),
                                 IDENTITY_SENDER_BYTES);
        assert_string_equal (identity_path (second), "");
        assert_string_equal (identity_dir (second), fixture->dir);
        //  Its key works like any other
        uint8_t signature[IDENTITY_SIGNATURE_BYTES];
        identity_sign (second, "hej", 3, signature);
        assert_true (identity_verify (identity_public (second), "hej", 3, signature));
        identity_destroy (&second);
    }
    uint8_t public[IDENTITY_PUBLIC_BYTES];
    memcpy (public, identity_public (first), sizeof public);
    identity_destroy (&first);
    identity_t *again = s_open (fixture->anna, NULL, IDENTITY_LOADED);
    assert_memory_equal (identity_public (again), public, sizeof public);
    identity_destroy (&again);
}

//  A throwaway key touches no file and needs no nick; each is another key. Without a home it
//  still works, with no directory.
static void
test_throwaway (void **state)
{
    fixture_t *fixture = *state;
    char error[IDENTITY_ERROR_MAX_BYTES] = "x";
    identity_t *one = identity_open (NULL, "anna", true, error, sizeof error);
    identity_t *other = identity_open (fixture->anna, NULL, true, error, sizeof error);
    assert_non_null (one);
    assert_non_null (other);
    assert_string_equal (error, "");
    assert_int_equal (identity_origin (one), IDENTITY_THROWAWAY);
    assert_string_equal (identity_path (one), "");
    assert_string_equal (identity_dir (one), fixture->dir);
    assert_memory_not_equal (identity_public (one), identity_public (other), IDENTITY_PUBLIC_BYTES);
    struct stat info;
    assert_int_equal (stat (fixture->data, &info), -1); //  nothing made
    identity_destroy (&one);
    identity_destroy (&other);
    unsetenv ("XDG_DATA_HOME");
    unsetenv ("HOME");
    one = identity_open (NULL, NULL, true, error, sizeof error);
    assert_non_null (one);
    assert_string_equal (identity_dir (one), "");
    identity_destroy (&one);
}

//  XDG_DATA_HOME and HOME, and the directory of the key files
typedef struct {
    const char *data; //  XDG_DATA_HOME: NULL unset; "=" the test's data directory
    bool home;        //  HOME is the test's directory (else unset)
    const char *tail; //  the key files' directory under the test's; NULL: none, an error
} default_row_t;

//  The key files live in $XDG_DATA_HOME/chatt when it is absolute, else in
//  $HOME/.local/share/chatt; with neither, the line says to set HOME or name a file.
static void
test_default_dir (void **state)
{
    fixture_t *fixture = *state;
    static const default_row_t rows[] = {
        {"=", true, "data/chatt"},        {NULL, true, ".local/share/chatt"},
        {"", true, ".local/share/chatt"}, {"relative/data", true, ".local/share/chatt"},
        {"=", false, "data/chatt"},       {NULL, false, NULL},
        {"relative/data", false, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const default_row_t *row = &rows[i];
        if (row->data)
            setenv ("XDG_DATA_HOME", streq (row->data, "=") ? fixture->data : row->data, 1);
        else
            unsetenv ("XDG_DATA_HOME");
        if (row->home)
            setenv ("HOME", fixture->root, 1);
        else
            unsetenv ("HOME");
        char error[IDENTITY_ERROR_MAX_BYTES] = "", dir[PATH_BYTES], path[PATH_BYTES];
        identity_t *identity = identity_open (NULL, "bo", false, error, sizeof error);
        if (!row->tail) {
            assert_null (identity);
            assert_non_null (strstr (error, "set HOME, or name a file with --identity FILE"));
            continue;
        }
        if (!identity)
            fail_msg ("row %zu: %s", i, error);
        s_path (dir, fixture->root, row->tail);
        s_path (path, dir, "bo.key");
        assert_string_equal (identity_dir (identity), dir);
        assert_string_equal (identity_path (identity), path);
        assert_int_equal (s_mode (path), 0600);
        identity_destroy (&identity);
    }
}

//  A path given (--identity) is used as it is, its directories made; the nick does not
//  matter then, and an empty path is refused.
static void
test_given_path (void **state)
{
    fixture_t *fixture = *state;
    char path[PATH_BYTES], dir[PATH_BYTES];
    s_path (dir, fixture->root, "keys/mine");
    s_path (path, dir, "work.key");
    identity_t *identity = s_open (path, ".not/a nick", IDENTITY_CREATED);
    assert_string_equal (identity_path (identity), path);
    assert_string_equal (identity_dir (identity), dir);
    assert_int_equal (s_mode (dir), 0700);
    assert_int_equal (s_mode (path), 0600);
    identity_destroy (&identity);
    identity = s_open (path, NULL, IDENTITY_LOADED);
    identity_destroy (&identity);
    //  A file in the current directory, and one in /
    assert_int_equal (chdir (fixture->root), 0);
    identity = s_open ("here.key", NULL, IDENTITY_CREATED);
    assert_string_equal (identity_dir (identity), ".");
    identity_destroy (&identity);
    char error[IDENTITY_ERROR_MAX_BYTES] = "";
    assert_null (identity_open ("", NULL, false, error, sizeof error));
    assert_non_null (strstr (error, "bad key file name"));
    assert_int_equal (chdir ("/"), 0);
}

//  A nick that would not name a file in the directory is refused, and nothing is made.
static void
test_bad_nick (void **state)
{
    fixture_t *fixture = *state;
    static const char *nicks[] = {"", "a/b", "../anna", ".hidden", ".", "..", NULL};
    for (size_t i = 0; i < sizeof nicks / sizeof nicks[0]; i++) {
        char error[IDENTITY_ERROR_MAX_BYTES] = "";
        assert_null (identity_open (NULL, nicks[i], false, error, sizeof error));
        assert_non_null (strstr (error, "cannot name a key file after the nick"));
    }
    struct stat info;
    assert_int_equal (stat (fixture->data, &info), -1);
    //  A cut error buffer is still a string, and nothing is written past it
    char cut[8 + 4];
    memset (cut, 'Z', sizeof cut);
    assert_null (identity_open (NULL, "a/b", false, cut, 8));
    assert_int_equal (strlen (cut), 7);
    assert_memory_equal (cut + 8, "ZZZZ", 4);
}

//  A signature verifies with its key and message only: a flipped byte anywhere fails.
static void
test_sign_verify (void **state)
{
    (void) state;
    char error[IDENTITY_ERROR_MAX_BYTES];
    identity_t *anna = identity_open (NULL, NULL, true, error, sizeof error);
    identity_t *bo = identity_open (NULL, NULL, true, error, sizeof error);
    assert_non_null (anna);
    assert_non_null (bo);
    uint8_t message[] = "anna> hej bo", signature[IDENTITY_SIGNATURE_BYTES];
    identity_sign (anna, message, sizeof message, signature);
    const uint8_t *public = identity_public (anna);
    assert_true (identity_verify (public, message, sizeof message, signature));
    assert_false (identity_verify (identity_public (bo), message, sizeof message, signature));
    assert_false (identity_verify (public, message, sizeof message - 1, signature));
    for (size_t i = 0; i < sizeof message; i++) {
        message[i] ^= 0x01;
        assert_false (identity_verify (public, message, sizeof message, signature));
        message[i] ^= 0x01;
    }
    for (size_t i = 0; i < sizeof signature; i++) {
        signature[i] ^= 0x80;
        assert_false (identity_verify (public, message, sizeof message, signature));
        signature[i] ^= 0x80;
    }
    identity_sign (anna, "", 0, signature); //  an empty message too
    assert_true (identity_verify (public, "", 0, signature));
    identity_destroy (&anna);
    identity_destroy (&bo);
}

//  The sender id is BLAKE2b-128 of public key and session, computed here independently: the
//  same inputs give the same id, and each byte of either changes it.
static void
test_derive_sender (void **state)
{
    (void) state;
    assert_true (sodium_init () >= 0);
    uint8_t public[IDENTITY_PUBLIC_BYTES], session[IDENTITY_SESSION_BYTES];
    uint8_t sender[IDENTITY_SENDER_BYTES], again[IDENTITY_SENDER_BYTES];
    uint8_t expected[IDENTITY_SENDER_BYTES];
    randombytes_buf (public, sizeof public);
    randombytes_buf (session, sizeof session);
    identity_derive_sender (public, session, sender);
    identity_derive_sender (public, session, again);
    assert_memory_equal (sender, again, sizeof sender);
    crypto_generichash_state hash;
    assert_int_equal (crypto_generichash_init (&hash, NULL, 0, sizeof expected), 0);
    assert_int_equal (crypto_generichash_update (&hash, public, sizeof public), 0);
    assert_int_equal (crypto_generichash_update (&hash, session, sizeof session), 0);
    assert_int_equal (crypto_generichash_final (&hash, expected, sizeof expected), 0);
    assert_memory_equal (sender, expected, sizeof sender);
    for (size_t i = 0; i < sizeof public; i++) {
        public[i] ^= 0x01;
        identity_derive_sender (public, session, again);
        assert_memory_not_equal (sender, again, sizeof sender);
        public[i] ^= 0x01;
    }
    for (size_t i = 0; i < sizeof session; i++) {
        session[i] ^= 0x01;
        identity_derive_sender (public, session, again);
        assert_memory_not_equal (sender, again, sizeof sender);
        session[i] ^= 0x01;
    }
}

//  The fingerprint is BLAKE2b-128 of the public key in 8 groups of 4 lowercase hex digits,
//  39 characters; the short one its first group; both cut to a small buffer, terminated.
static void
test_fingerprint (void **state)
{
    (void) state;
    assert_true (sodium_init () >= 0);
    uint8_t public[IDENTITY_PUBLIC_BYTES], hash[16];
    char fingerprint[IDENTITY_FINGERPRINT_BYTES], hex[33], expected[40];
    char short_one[IDENTITY_SHORT_BYTES], cut[10 + 4];
    for (int round = 0; round < 20; round++) {
        randombytes_buf (public, sizeof public);
        identity_fingerprint (public, fingerprint, sizeof fingerprint);
        assert_int_equal (strlen (fingerprint), 39);
        crypto_generichash (hash, sizeof hash, public, sizeof public, NULL, 0);
        testlib_hex (hash, sizeof hash, hex);
        for (int group = 0; group < 8; group++) {
            memcpy (expected + 5 * group, hex + 4 * group, 4);
            expected[5 * group + 4] = group < 7 ? ' ' : 0;
        }
        assert_string_equal (fingerprint, expected);
        identity_short (public, short_one, sizeof short_one);
        assert_int_equal (strlen (short_one), 4);
        assert_memory_equal (short_one, fingerprint, 4);
    }
    memset (cut, 'Z', sizeof cut);
    identity_fingerprint (public, cut, 10);
    assert_int_equal (strlen (cut), 9);
    assert_memory_equal (cut, fingerprint, 9);
    assert_memory_equal (cut + 10, "ZZZZ", 4);
    identity_short (public, cut, 3);
    assert_int_equal (strlen (cut), 2);
    assert_memory_equal (cut, fingerprint, 2);
    identity_short (public, cut, 1);
    assert_string_equal (cut, "");
}

//  crypto_box between two identities works with the X25519 keys made of their Ed25519 ones,
//  each way; a changed box or another's key does not open; a bad public key is refused.
static void
test_box (void **state)
{
    (void) state;
    char error[IDENTITY_ERROR_MAX_BYTES];
    identity_t *anna = identity_open (NULL, NULL, true, error, sizeof error);
    identity_t *bo = identity_open (NULL, NULL, true, error, sizeof error);
    assert_non_null (anna);
    assert_non_null (bo);
    uint8_t anna_secret[32], anna_public[32], bo_secret[32], bo_public[32];
    assert_int_equal (identity_box_secret (anna, anna_secret), 0);
    assert_int_equal (identity_box_secret (bo, bo_secret), 0);
    assert_int_equal (identity_box_public (identity_public (anna), anna_public), 0);
    assert_int_equal (identity_box_public (identity_public (bo), bo_public), 0);
    const uint8_t text[] = "bara till dig";
    uint8_t nonce[crypto_box_NONCEBYTES], box[crypto_box_MACBYTES + sizeof text];
    uint8_t opened[sizeof text];
    randombytes_buf (nonce, sizeof nonce);
    assert_int_equal (crypto_box_easy (box, text, sizeof text, nonce, bo_public, anna_secret), 0);
    assert_int_equal (crypto_box_open_easy (opened, box, sizeof box, nonce, anna_public, bo_secret),
                      0);
    assert_memory_equal (opened, text, sizeof text);
    //  ... and back
    assert_int_equal (crypto_box_easy (box, text, sizeof text, nonce, anna_public, bo_secret), 0);
    assert_int_equal (crypto_box_open_easy (opened, box, sizeof box, nonce, bo_public, anna_secret),
                      0);
    //  Not with a third's keys, and only unchanged
    identity_t *cy = identity_open (NULL, NULL, true, error, sizeof error);
    assert_non_null (cy);
    uint8_t cy_secret[32], cy_public[32];
    assert_int_equal (identity_box_secret (cy, cy_secret), 0);
    assert_int_equal (identity_box_public (identity_public (cy), cy_public), 0);
    assert_int_equal (crypto_box_open_easy (opened, box, sizeof box, nonce, bo_public, cy_secret),
                      -1);
    assert_int_equal (crypto_box_open_easy (opened, box, sizeof box, nonce, cy_public, anna_secret),
                      -1);
    identity_destroy (&cy);
    box[3] ^= 0x01;
    assert_int_equal (crypto_box_open_easy (opened, box, sizeof box, nonce, bo_public, anna_secret),
                      -1);
    //  A point of small order is no key
    uint8_t small[IDENTITY_PUBLIC_BYTES] = {1}, converted[32];
    memset (converted, 0xAA, sizeof converted);
    assert_int_equal (identity_box_public (small, converted), -1);
    static const uint8_t zeros[32];
    assert_memory_equal (converted, zeros, sizeof zeros);
    identity_destroy (&anna);
    identity_destroy (&bo);
}

//  Run the identity tests in the C locale; the exit code is the number that failed.
int
main (void)
{
    setlocale (LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_create_and_load, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_mode_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_corrupt, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_not_a_file, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_busy, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_throwaway, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_default_dir, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_given_path, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_nick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_sign_verify, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_derive_sender, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fingerprint, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_box, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("identity", tests, NULL, NULL);
}
