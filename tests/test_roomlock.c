/*  test_roomlock.c - unit tests for roomlock.c: an open room does nothing; a locked one derives
    the protocol's test vector, bounds the passphrase, reads "-" from stdin without reading
    ahead, and as the ZAP handler admits only the room's key, answering each request with six
    frames; the lines that tell of a refusal, once a minute at most; and a real CURVE handshake
    over TCP, where a member is admitted and a stranger that knows only the public key is not.
    A relay of the locked room: keys read and written as text, its lock without the passphrase
    (no content key), whom each ZAP handler admits, and both hops over TCP: the relay's SUB to a
    member's XPUB, a member's SUB to the relay's XPUB (and on to a member's, with the room's key
    again), each with a stranger refused.

    The ZAP handler binds inproc://zeromq.zap.01 in czmq's context, which only one socket may
    bind at a time, and libzmq frees it only after a closed socket reaches its reaper thread:
    so every test that serves waits for it to be free first (s_wait_zap_free), and all run in
    one process. Lines in pipe mode go to stderr, which s_answer captures.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "roomlock.h"
#include "testlib.h"

#include <czmq.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 5000  //  the longest any bounded wait here may take
#define SOCKETS_MAX 4 //  sockets one test makes, besides the XPUB
//  The protocol's test vector (PROTOKOLL.md): "korv med bröd", its key and fingerprint
#define PASSPHRASE "korv med br\303\266d"
#define PUBLIC_KEY_HEX "0e88fd0669c8237585d7c7f84d22f5ba49f46234560e3637fc536f0923c79456"
#define SECRET_KEY_HEX "008cc2cc573767d6aae46799696fcf40718769b0aa42c26a1b19bd55f6ce5fb3"
#define FINGERPRINT "4a53-82bf"
//  The public key in Z85 (zmq_z85_encode of its 32 bytes)
#define PUBLIC_KEY_Z85 "4V75/x#?JwH1Bxuo^onwn+uEGrT}2D@8mIubGD3H"
#define REFUSED_LINE "-- refused 127.0.0.1: it does not have the room's key\n"

//  What one test makes, destroyed by s_teardown whatever happened.
typedef struct {
    roomlock_t *lock;              //  the lock under test
    zsock_t *xpub;                 //  the XPUB it serves, or NULL
    zsock_t *sockets[SOCKETS_MAX]; //  other sockets, or NULL
    testlib_capture_t capture;     //  what the lock printed when last captured
} fixture_t;

static roomlock_t *s_vector; //  locked with PASSPHRASE by the group setup; read only

//  Group setup: derive the test vector's lock once, for the tests that only read it.
static int
s_group_setup (void **state)
{
    (void) state;
    const char *why = NULL;
    s_vector = roomlock_new ();
    return s_vector && roomlock_lock (s_vector, PASSPHRASE, &why) == 0 ? 0 : -1;
}

//  Group teardown: destroy the shared lock and czmq's context.
static int
s_group_teardown (void **state)
{
    (void) state;
    roomlock_destroy (&s_vector);
    zsys_shutdown ();
    return 0;
}

//  Setup: an empty fixture.
static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture)
        return -1;
    *state = fixture;
    return 0;
}

//  Teardown: destroy the lock (twice: safe) and every socket.
static int
s_teardown (void **state)
{
    fixture_t *fixture = *state;
    roomlock_destroy (&fixture->lock);
    roomlock_destroy (&fixture->lock);
    for (size_t i = 0; i < SOCKETS_MAX; i++)
        zsock_destroy (&fixture->sockets[i]);
    zsock_destroy (&fixture->xpub);
    free (fixture);
    return 0;
}

//  A new lock locked with passphrase; fails the test unless it locks.
static roomlock_t *
s_locked (const char *passphrase)
{
    roomlock_t *lock = roomlock_new ();
    assert_non_null (lock);
    const char *why = NULL;
    int status = roomlock_lock (lock, passphrase, &why);
    if (status != 0)
        fail_msg ("roomlock_lock: status %d: %s", status, why ? why : "(no reason)");
    return lock;
}

//  Fail unless key is the 32 bytes written in hex.
static void
s_assert_key (const uint8_t *key, const char *hex)
{
    assert_non_null (key);
    char shown[2 * ROOMLOCK_KEY_BYTES + 1];
    testlib_hex (key, ROOMLOCK_KEY_BYTES, shown);
    assert_string_equal (shown, hex);
}

//  Wait, bounded, until the ZAP endpoint is free to bind again: a socket closed a moment ago
//  may still hold it, until libzmq's reaper thread has seen it closed, and there is nothing to
//  poll for that. Probes with a socket that unbinds again, which frees the endpoint at once.
static void
s_wait_zap_free (void)
{
    zsock_t *probe = zsock_new (ZMQ_REP);
    assert_non_null (probe);
    int64_t deadline = zclock_mono () + WAIT_MS;
    while (zsock_bind (probe, ROOMLOCK_ZAP_ENDPOINT) != 0 && zclock_mono () < deadline)
        zmq_poll (NULL, 0, 1);
    int unbound = zsock_unbind (probe, ROOMLOCK_ZAP_ENDPOINT);
    zsock_destroy (&probe);
    if (unbound != 0)
        fail_msg ("%s still bound after %d ms", ROOMLOCK_ZAP_ENDPOINT, WAIT_MS);
}

//  Lock fixture's lock with passphrase, make its XPUB, and serve it.
static void
s_serve (fixture_t *fixture, const char *passphrase)
{
    fixture->lock = s_locked (passphrase);
    fixture->xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->xpub);
    s_wait_zap_free ();
    assert_int_equal (roomlock_serve (fixture->lock, fixture->xpub), 0);
    assert_non_null (roomlock_zap (fixture->lock));
    assert_int_equal (zsock_mechanism (fixture->xpub), ZMQ_CURVE);
    assert_int_equal (zsock_curve_server (fixture->xpub), 1);
}

//  Wait, bounded, for a ZAP request and let the fixture's lock answer it, with what it prints
//  captured into fixture->capture.
static void
s_answer (fixture_t *fixture)
{
    testlib_wait_readable (roomlock_zap (fixture->lock), WAIT_MS);
    testlib_capture_start (&fixture->capture);
    roomlock_answer (fixture->lock);
    testlib_capture_stop (&fixture->capture);
}

//  The key a ZAP request presents
typedef enum {
    KEY_ROOM,  //  the room's public key
    KEY_OTHER, //  another 32 bytes
    KEY_SHORT, //  the room's key without its last byte
    KEY_LONG,  //  the room's key and one byte more
    KEY_EMPTY, //  an empty frame
} zap_key_t;

//  A ZAP request, as libzmq sends one (RFC 27), and the status of the answer
typedef struct {
    const char *version;   //  frame 1
    const char *id;        //  frame 2, the request id
    const char *address;   //  frame 4
    const char *mechanism; //  frame 6
    zap_key_t key;         //  frame 7, the credentials
    size_t frames;         //  how many of the 7 frames are sent
    const char *status;    //  of the answer: "200" or "400"
} zap_row_t;

//  Send row's request to lock's ZAP handler from a new REQ socket in slot, let lock answer it
//  (capturing what it prints into fixture->capture), and return the reply.
static zmsg_t *
s_ask (fixture_t *fixture, size_t slot, const zap_row_t *row)
{
    const uint8_t *room_key = roomlock_public_key (fixture->lock);
    uint8_t key[ROOMLOCK_KEY_BYTES + 1];
    memcpy (key, room_key, ROOMLOCK_KEY_BYTES);
    key[ROOMLOCK_KEY_BYTES] = 0x42;
    if (row->key == KEY_OTHER)
        key[7] ^= 0x01;
    static const size_t key_sizes[] = {ROOMLOCK_KEY_BYTES, ROOMLOCK_KEY_BYTES,
                                       ROOMLOCK_KEY_BYTES - 1, ROOMLOCK_KEY_BYTES + 1, 0};
    zsock_t *req = fixture->sockets[slot] = zsock_new (ZMQ_REQ);
    assert_non_null (req);
    assert_int_equal (zsock_connect (req, ROOMLOCK_ZAP_ENDPOINT), 0);
    const char *strings[] = {row->version, row->id, "", row->address, "", row->mechanism};
    zmsg_t *request = zmsg_new ();
    for (size_t i = 0; i < row->frames && i < 6; i++)
        assert_int_equal (zmsg_addstr (request, strings[i]), 0);
    if (row->frames == 7)
        assert_int_equal (zmsg_addmem (request, key, key_sizes[row->key]), 0);
    assert_int_equal (zmsg_send (&request, req), 0);
    s_answer (fixture);
    testlib_wait_readable (req, WAIT_MS);
    zmsg_t *reply = zmsg_recv (req);
    assert_non_null (reply);
    zsock_destroy (&fixture->sockets[slot]);
    return reply;
}

//  Fail unless reply is the six frames of an answer to request id with status.
static void
s_assert_reply (zmsg_t *reply, const char *id, const char *status, size_t row)
{
    const char *expected[] = {
        "1.0", id, status, streq (status, "200") ? "OK" : "not the room's key", "", ""};
    if (zmsg_size (reply) != 6)
        fail_msg ("row %zu: %zu frames in the reply, not 6", row, zmsg_size (reply));
    zframe_t *frame = zmsg_first (reply);
    for (size_t i = 0; i < 6; i++, frame = zmsg_next (reply))
        if (!zframe_streq (frame, expected[i])) {
            char *got = zframe_strdup (frame);
            fail_msg ("row %zu: frame %zu is \"%s\", expected \"%s\"", row, i + 1, got,
                      expected[i]);
        }
}

//  An open room: not locked, no key, no fingerprint, no ZAP handler; serving, answering and
//  joining change nothing, and destroying it twice is safe.
static void
test_open_room (void **state)
{
    fixture_t *fixture = *state;
    roomlock_t *lock = fixture->lock = roomlock_new ();
    assert_non_null (lock);
    assert_false (roomlock_locked (lock));
    assert_null (roomlock_public_key (lock));
    char fingerprint[64] = "untouched";
    assert_int_equal (roomlock_fingerprint (lock, fingerprint, sizeof fingerprint), -1);
    assert_null (roomlock_zap (lock));
    fixture->xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->xpub);
    assert_int_equal (roomlock_serve (lock, fixture->xpub), 0);
    assert_null (roomlock_zap (lock));
    assert_int_equal (zsock_mechanism (fixture->xpub), ZMQ_NULL);
    assert_int_equal (zsock_curve_server (fixture->xpub), 0);
    roomlock_answer (lock); //  no handler: returns at once
    zsock_t *sub = fixture->sockets[0] = zsock_new (ZMQ_SUB);
    assert_non_null (sub);
    roomlock_join (lock, zsock_resolve (sub));
    assert_int_equal (zsock_mechanism (sub), ZMQ_NULL);
    //  It never bound the ZAP endpoint: another socket can
    s_wait_zap_free ();
    roomlock_destroy (&fixture->lock);
    assert_null (fixture->lock);
    roomlock_destroy (&fixture->lock);
    assert_null (fixture->lock);
    roomlock_destroy (NULL);
}

//  The protocol's test vector: "korv med bröd" (14 bytes of UTF-8) gives its public key and
//  fingerprint, and the same passphrase always gives the same key.
static void
test_vector (void **state)
{
    fixture_t *fixture = *state;
    assert_int_equal (strlen (PASSPHRASE), 14);
    assert_true (roomlock_locked (s_vector));
    s_assert_key (roomlock_public_key (s_vector), PUBLIC_KEY_HEX);
    char fingerprint[ROOMLOCK_FINGERPRINT_BYTES];
    assert_int_equal (roomlock_fingerprint (s_vector, fingerprint, sizeof fingerprint), 0);
    assert_string_equal (fingerprint, FINGERPRINT);
    fixture->lock = s_locked (PASSPHRASE);
    s_assert_key (roomlock_public_key (fixture->lock), PUBLIC_KEY_HEX);
}

//  A passphrase and what locking with it gives
typedef struct {
    const char *passphrase; //  NULL: one of size bytes
    size_t size;
    int status;      //  0, or the exit status
    const char *why; //  part of the reason, when status is not 0
} passphrase_row_t;

//  A passphrase of 1 to 1024 bytes locks the room, each with a key of its own; none, or one too
//  long, does not, with status 2 and the reason, and leaves the room open.
static void
test_passphrases (void **state)
{
    (void) state;
    static const passphrase_row_t rows[] = {
        {"", 0, 2, "no passphrase given"},
        {NULL, ROOMLOCK_PASSPHRASE_MAX_BYTES + 1, 2, "too long"},
        {NULL, 4 * ROOMLOCK_PASSPHRASE_MAX_BYTES, 2, "too long"},
        {NULL, ROOMLOCK_PASSPHRASE_MAX_BYTES, 0, NULL},
        {"x", 1, 0, NULL},
        {PASSPHRASE " ", 15, 0, NULL}, //  one space more than the vector
        {"korv med brod", 13, 0, NULL},
    };
    uint8_t seen[sizeof rows / sizeof rows[0]][ROOMLOCK_KEY_BYTES];
    size_t seen_count = 0;
    memcpy (seen[seen_count++], roomlock_public_key (s_vector), ROOMLOCK_KEY_BYTES);
    char fingerprint[ROOMLOCK_FINGERPRINT_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const passphrase_row_t *row = &rows[i];
        char *made = NULL;
        const char *passphrase = row->passphrase;
        if (!passphrase) {
            made = malloc (row->size + 1);
            assert_non_null (made);
            memset (made, 'p', row->size);
            made[row->size] = 0;
            passphrase = made;
        }
        roomlock_t *lock = roomlock_new ();
        assert_non_null (lock);
        const char *why = NULL;
        int status = roomlock_lock (lock, passphrase, &why);
        free (made);
        bool locked = roomlock_locked (lock);
        const uint8_t *key = roomlock_public_key (lock);
        bool unique = true;
        for (size_t j = 0; key && j < seen_count; j++)
            unique = unique && memcmp (seen[j], key, ROOMLOCK_KEY_BYTES) != 0;
        if (key)
            memcpy (seen[seen_count++], key, ROOMLOCK_KEY_BYTES);
        int fingerprinted = roomlock_fingerprint (lock, fingerprint, sizeof fingerprint);
        roomlock_destroy (&lock);
        if (status != row->status)
            fail_msg ("row %zu (%zu bytes): status %d, expected %d", i, row->size, status,
                      row->status);
        if (row->status) {
            assert_non_null (why);
            assert_non_null (strstr (why, row->why));
        }
        assert_int_equal (locked, row->status == 0);
        assert_int_equal (key != NULL, row->status == 0);
        assert_int_equal (fingerprinted, row->status == 0 ? 0 : -1);
        if (!unique)
            fail_msg ("row %zu: the key of another passphrase", i);
    }
}

//  The fingerprint needs ROOMLOCK_FINGERPRINT_BYTES: in less, -1.
static void
test_fingerprint_size (void **state)
{
    (void) state;
    static const struct {
        size_t size; //  of out
        int rc;
    } rows[] = {{0, -1},
                {1, -1},
                {5, -1},
                {ROOMLOCK_FINGERPRINT_BYTES - 1, -1},
                {ROOMLOCK_FINGERPRINT_BYTES, 0},
                {64, 0}};
    char out[64];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int rc = roomlock_fingerprint (s_vector, out, rows[i].size);
        if (rc != rows[i].rc)
            fail_msg ("%zu bytes: returned %d, expected %d", rows[i].size, rc, rows[i].rc);
        if (rc == 0)
            assert_string_equal (out, FINGERPRINT);
    }
}

//  What stdin holds when the passphrase is "-", and what locking with it gives
typedef struct {
    const char *input; //  all of stdin
    int status;        //  0, or the exit status
    const char *left;  //  what is still to be read on stdin after
} ask_row_t;

//  Lock a new lock with "-" while stdin is a pipe holding input. Returns the status; copies what
//  was left on stdin into left (64 bytes) and the key (or zeros) into key.
static int
s_lock_from_stdin (const char *input, char *left, uint8_t *key)
{
    int pipe_fds[2];
    assert_int_equal (pipe (pipe_fds), 0);
    assert_int_equal (write (pipe_fds[1], input, strlen (input)), (ssize_t) strlen (input));
    close (pipe_fds[1]);
    int saved = testlib_redirect (STDIN_FILENO, pipe_fds[0]);
    close (pipe_fds[0]);
    roomlock_t *lock = roomlock_new ();
    const char *why = NULL;
    int status = lock ? roomlock_lock (lock, "-", &why) : -1;
    ssize_t size = read (STDIN_FILENO, left, 63); //  the pipe's writer is closed: never blocks
    left[size > 0 ? size : 0] = 0;
    testlib_restore (STDIN_FILENO, saved);
    memset (key, 0, ROOMLOCK_KEY_BYTES);
    if (lock && roomlock_public_key (lock))
        memcpy (key, roomlock_public_key (lock), ROOMLOCK_KEY_BYTES);
    roomlock_destroy (&lock);
    return status;
}

//  "-" without a terminal takes the first line of stdin, without its newline (or CR LF), and
//  reads no further: the lines after it are chat lines. An empty line or none is no passphrase.
static void
test_ask_stdin (void **state)
{
    (void) state;
    FILE *tty = fopen ("/dev/tty", "r+");
    if (tty) { //  it would ask on the terminal, and wait for someone to type
        fclose (tty);
        skip ();
    }
    static const ask_row_t rows[] = {
        {PASSPHRASE "\nhej alla\n", 0, "hej alla\n"},
        {PASSPHRASE "\r\nhej\n", 0, "hej\n"},
        {PASSPHRASE, 0, ""},
        {"\nhej\n", 2, "hej\n"},
        {"", 2, ""},
    };
    char left[64];
    uint8_t key[ROOMLOCK_KEY_BYTES];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int status = s_lock_from_stdin (rows[i].input, left, key);
        if (status != rows[i].status)
            fail_msg ("row %zu: status %d, expected %d", i, status, rows[i].status);
        assert_string_equal (left, rows[i].left);
        if (status == 0)
            s_assert_key (key, PUBLIC_KEY_HEX);
    }
}

//  Another socket on the ZAP endpoint: roomlock_serve returns -1 and leaves the XPUB as it was;
//  destroying the lock frees what it made.
static void
test_serve_conflict (void **state)
{
    fixture_t *fixture = *state;
    fixture->lock = s_locked (PASSPHRASE);
    fixture->xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->xpub);
    s_wait_zap_free ();
    zsock_t *other = fixture->sockets[0] = zsock_new (ZMQ_REP);
    assert_non_null (other);
    assert_int_equal (zsock_bind (other, ROOMLOCK_ZAP_ENDPOINT), 0);
    assert_int_equal (roomlock_serve (fixture->lock, fixture->xpub), -1);
    assert_null (roomlock_zap (fixture->lock)); //  nothing half made is kept
    assert_int_equal (zsock_curve_server (fixture->xpub), 0);
    assert_int_equal (zsock_mechanism (fixture->xpub), ZMQ_NULL);
    assert_int_equal (zsock_unbind (other, ROOMLOCK_ZAP_ENDPOINT), 0);
    roomlock_destroy (&fixture->lock);
    assert_null (fixture->lock);
}

//  A lock serves one XPUB socket: asking it to serve a second is refused, and the first goes on.
static void
test_serve_twice (void **state)
{
    fixture_t *fixture = *state;
    s_serve (fixture, PASSPHRASE);
    void *zap = roomlock_zap (fixture->lock);
    assert_non_null (zap);
    zsock_t *second = zsock_new (ZMQ_XPUB);
    assert_non_null (second);
    assert_int_equal (roomlock_serve (fixture->lock, second), -1);
    assert_ptr_equal (roomlock_zap (fixture->lock), zap);
    assert_int_equal (zsock_curve_server (second), 0);
    zsock_destroy (&second);
}

//  The ZAP handler admits a CURVE client presenting the room's public key and refuses every
//  other request, answering each with six frames and the request's id; a malformed request is
//  refused, not trusted. The first refusal prints one line, the rest within a minute none.
static void
test_zap_answers (void **state)
{
    fixture_t *fixture = *state;
    static const zap_row_t rows[] = {
        {"1.0", "42", "127.0.0.1", "CURVE", KEY_ROOM, 7, "200"},
        {"1.0", "42", "127.0.0.1", "CURVE", KEY_OTHER, 7, "400"},
        {"1.0", "7", "127.0.0.1", "NULL", KEY_ROOM, 6, "400"}, //  NULL sends no key
        {"1.0", "8", "127.0.0.1", "NULL", KEY_ROOM, 7, "400"},
        {"1.0", "9", "127.0.0.1", "PLAIN", KEY_ROOM, 7, "400"},
        {"1.0", "10", "127.0.0.1", "curve", KEY_ROOM, 7, "400"},
        {"1.0", "11", "127.0.0.1", "CURVE", KEY_SHORT, 7, "400"},
        {"1.0", "12", "127.0.0.1", "CURVE", KEY_LONG, 7, "400"},
        {"1.0", "13", "127.0.0.1", "CURVE", KEY_EMPTY, 7, "400"},
        {"1.0", "14", "127.0.0.1", "CURVE", KEY_ROOM, 6, "400"}, //  no key at all
        {"2.0", "15", "127.0.0.1", "CURVE", KEY_ROOM, 7, "400"},
        {"1.0", "16", "127.0.0.1", "CURVE", KEY_ROOM, 2, "400"}, //  cut short
        {"1.0", "", "127.0.0.1", "CURVE", KEY_ROOM, 1, "400"},   //  no id: an empty one
        {"1.0", "a longer request id", "::ffff:192.0.2.7", "CURVE", KEY_ROOM, 7, "200"},
    };
    s_serve (fixture, PASSPHRASE);
    const char *printed = fixture->capture.err;
    bool told = false;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        zmsg_t *reply = s_ask (fixture, 0, &rows[i]);
        s_assert_reply (reply, rows[i].id, rows[i].status, i);
        zmsg_destroy (&reply);
        const char *expected = streq (rows[i].status, "400") && !told ? REFUSED_LINE : "";
        if (strcmp (printed, expected) != 0)
            fail_msg ("row %zu: printed \"%s\", expected \"%s\"", i, printed, expected);
        told = told || *expected;
    }
}

//  A refusal and the line it prints
typedef struct {
    const char *address; //  the ZAP request's, as libzmq gives it
    const char *line;    //  printed on stderr in pipe mode
} refusal_row_t;

//  A refusal names the client's address, without "::ffff:", made safe; then nothing more is
//  told for a minute, of a refusal by ZAP or by the XPUB's handshake.
static void
test_refusal_told_once (void **state)
{
    fixture_t *fixture = *state;
    static const refusal_row_t rows[] = {
        {"127.0.0.1", REFUSED_LINE},
        {"::ffff:192.0.2.7", "-- refused 192.0.2.7: it does not have the room's key\n"},
        {"2001:db8::7", "-- refused 2001:db8::7: it does not have the room's key\n"},
        {"\x1b[2J\r", "-- refused ^[[2J^M: it does not have the room's key\n"},
    };
    const char *printed = fixture->capture.err;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        s_serve (fixture, i % 2 ? "ett annat rum" : PASSPHRASE);
        const zap_row_t refused = {"1.0", "1", rows[i].address, "CURVE", KEY_OTHER, 7, "400"};
        const zap_row_t admitted = {"1.0", "2", rows[i].address, "CURVE", KEY_ROOM, 7, "200"};
        zmsg_t *reply = s_ask (fixture, 0, &refused);
        s_assert_reply (reply, "1", "400", i);
        zmsg_destroy (&reply);
        assert_string_equal (printed, rows[i].line);
        //  Within the minute: another refusal, an admission and a failed handshake print nothing
        reply = s_ask (fixture, 0, &refused);
        s_assert_reply (reply, "1", "400", i);
        zmsg_destroy (&reply);
        assert_string_equal (printed, "");
        reply = s_ask (fixture, 0, &admitted);
        s_assert_reply (reply, "2", "200", i);
        zmsg_destroy (&reply);
        assert_string_equal (printed, "");
        testlib_capture_start (&fixture->capture);
        roomlock_publisher_refused (fixture->lock, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
        testlib_capture_stop (&fixture->capture);
        assert_string_equal (printed, "");
        roomlock_destroy (&fixture->lock);
        zsock_destroy (&fixture->xpub);
    }
}

//  A failed handshake the XPUB saw, and the line it prints
typedef struct {
    bool locked;
    uint16_t id;    //  monitor event
    uint32_t value; //  its detail
    const char *line;
} publisher_row_t;

//  A handshake that failed because of the lock is told in one line, once a minute at most; any
//  other failure is not the lock's to tell.
static void
test_publisher_refused (void **state)
{
    fixture_t *fixture = *state;
    static const publisher_row_t rows[] = {
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
         "-- refused a chat without the room's key (not told again for a minute)\n"},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
         "-- refused a chat with another key (not told again for a minute)\n"},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
         "-- a chat of a locked room tried to listen to us: it needs us to have the key too "
         "(--key)\n"},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, ""},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND, ""},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0, ""},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400, ""},
    };
    const char *printed = fixture->capture.err;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fixture->lock = rows[i].locked ? s_locked (PASSPHRASE) : roomlock_new ();
        assert_non_null (fixture->lock);
        testlib_capture_start (&fixture->capture);
        roomlock_publisher_refused (fixture->lock, rows[i].id, rows[i].value);
        testlib_capture_stop (&fixture->capture);
        if (strcmp (printed, rows[i].line) != 0)
            fail_msg ("row %zu: printed \"%s\", expected \"%s\"", i, printed, rows[i].line);
        //  The same again within the minute: nothing
        testlib_capture_start (&fixture->capture);
        roomlock_publisher_refused (fixture->lock, rows[i].id, rows[i].value);
        testlib_capture_stop (&fixture->capture);
        assert_string_equal (printed, "");
        roomlock_destroy (&fixture->lock);
    }
}

//  A failed handshake of our SUB, and the line it prints
typedef struct {
    bool locked;
    uint16_t id;    //  monitor event
    uint32_t value; //  its detail
    const char *line;
} report_row_t;

//  The lines of test_report_refused
#define OTHER_KEY                                                                                  \
    "!! 192.0.2.7:5557 does not accept our key (it has another passphrase, or none); not "         \
    "connecting to it\n"
#define LOCKED_ROOM                                                                                \
    "!! 192.0.2.7:5557 refused us: it is a locked room (start with --key to join it), or not a "   \
    "chat; not connecting to it\n"
#define NOT_A_CHAT "!! 192.0.2.7:5557 is not a chat (the handshake failed); not connecting to it\n"

//  Our SUB's failed handshake is told in one line that says why, each time.
static void
test_report_refused (void **state)
{
    fixture_t *fixture = *state;
    static const report_row_t rows[] = {
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
         OTHER_KEY},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0, OTHER_KEY},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400, OTHER_KEY},
        {true, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
         NOT_A_CHAT},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
         LOCKED_ROOM},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0, LOCKED_ROOM},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400, NOT_A_CHAT},
        {false, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
         NOT_A_CHAT},
    };
    fixture->lock = roomlock_new ();
    assert_non_null (fixture->lock);
    const char *printed = fixture->capture.err;
    for (int round = 0; round < 2; round++) //  told every time: no rate limit
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            testlib_capture_start (&fixture->capture);
            roomlock_report_refused (rows[i].locked ? s_vector : fixture->lock, "192.0.2.7:5557",
                                     rows[i].id, rows[i].value);
            testlib_capture_stop (&fixture->capture);
            if (strcmp (printed, rows[i].line) != 0)
                fail_msg ("row %zu: printed \"%s\", expected \"%s\"", i, printed, rows[i].line);
        }
}

//  Over TCP, as chat does it: a member of the room (roomlock_join) is admitted by the ZAP
//  handler and reads what the XPUB sends; a client that knows the room's public key but has
//  another key pair gets as far as ZAP and is refused, with the line that says so.
static void
test_handshake (void **state)
{
    fixture_t *fixture = *state;
    if (!zsys_has_curve ())
        skip ();
    s_serve (fixture, PASSPHRASE);
    zsock_set_ipv6 (fixture->xpub, 1); //  as publisher.c: libzmq then gives "::ffff:127.0.0.1"
    int port = zsock_bind (fixture->xpub, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    const char *printed = fixture->capture.err;
    //  A member
    zsock_t *member = fixture->sockets[0] = zsock_new (ZMQ_SUB);
    assert_non_null (member);
    roomlock_join (fixture->lock, zsock_resolve (member));
    assert_int_equal (zsock_mechanism (member), ZMQ_CURVE);
    zsock_set_subscribe (member, "");
    assert_int_equal (zsock_connect (member, "tcp://127.0.0.1:%d", port), 0);
    s_answer (fixture);
    assert_string_equal (printed, "");
    testlib_wait_readable (fixture->xpub, WAIT_MS); //  its subscription: it is in
    zframe_t *subscription = zframe_recv (fixture->xpub);
    assert_non_null (subscription);
    assert_int_equal (zframe_size (subscription), 1);
    assert_int_equal (zframe_data (subscription)[0], 1);
    zframe_destroy (&subscription);
    assert_int_equal (zstr_send (fixture->xpub, "buddy> hej"), 0);
    testlib_wait_readable (member, WAIT_MS);
    char *line = zstr_recv (member);
    assert_non_null (line);
    assert_string_equal (line, "buddy> hej");
    zstr_free (&line);
    //  A stranger with the room's public key, but not its secret one
    uint8_t public_key[crypto_box_PUBLICKEYBYTES], secret_key[crypto_box_SECRETKEYBYTES];
    assert_int_equal (crypto_box_keypair (public_key, secret_key), 0);
    zsock_t *stranger = fixture->sockets[1] = zsock_new (ZMQ_SUB);
    assert_non_null (stranger);
    zsock_set_curve_serverkey_bin (stranger, roomlock_public_key (fixture->lock));
    zsock_set_curve_publickey_bin (stranger, public_key);
    zsock_set_curve_secretkey_bin (stranger, secret_key);
    zsock_set_subscribe (stranger, "");
    assert_int_equal (zsock_connect (stranger, "tcp://127.0.0.1:%d", port), 0);
    s_answer (fixture);
    assert_string_equal (printed, REFUSED_LINE);
    assert_false (testlib_readable (fixture->xpub, 0)); //  no subscription of its
}

//  Destroying a lock that serves closes its ZAP handler: another can serve after it.
static void
test_destroy (void **state)
{
    fixture_t *fixture = *state;
    for (int round = 0; round < 3; round++) {
        s_serve (fixture, PASSPHRASE);
        roomlock_destroy (&fixture->lock);
        assert_null (fixture->lock);
        roomlock_destroy (&fixture->lock);
        assert_null (fixture->lock);
        zsock_destroy (&fixture->xpub);
    }
}

//  A key as text, and what reading it gives
typedef struct {
    const char *text;
    int rc;          //  0 when it reads
    const char *hex; //  ... into this key
} key_text_row_t;

//  A key reads from 64 hex digits (either case) or 40 Z85 characters, nothing else; it writes
//  as 64 lowercase hex digits, in ROOMLOCK_KEY_HEX_BYTES and not one byte less.
static void
test_key_text (void **state)
{
    (void) state;
    static const key_text_row_t rows[] = {
        {PUBLIC_KEY_HEX, 0, PUBLIC_KEY_HEX},
        {"0E88FD0669C8237585D7C7F84D22F5BA49F46234560E3637FC536F0923C79456", 0, PUBLIC_KEY_HEX},
        {PUBLIC_KEY_Z85, 0, PUBLIC_KEY_HEX},
        {"", -1, NULL},
        {"0e88fd0669c8237585d7c7f84d22f5ba49f46234560e3637fc536f0923c7945", -1, NULL},
        {"0e88fd0669c8237585d7c7f84d22f5ba49f46234560e3637fc536f0923c794567", -1, NULL},
        {"0e88fd0669c8237585d7c7f84d22f5ba49f46234560e3637fc536f0923c7945g", -1, NULL},
        {" e88fd0669c8237585d7c7f84d22f5ba49f46234560e3637fc536f0923c79456", -1, NULL},
        {"0000000000000000000000000000000000000000000000000000000000000000", -1, NULL},
        {"4V75/x#?JwH1Bxuo^onwn+uEGrT}2D@8mIubGD3", -1, NULL},   //  39 characters
        {"4V75/x#?JwH1Bxuo^onwn+uEGrT}2D@8mIubGD3\"", -1, NULL}, //  '"' is not Z85
        {"0000000000000000000000000000000000000000", -1, NULL},  //  Z85 of zeros
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t key[ROOMLOCK_KEY_BYTES] = {0x42};
        int rc = roomlock_key_parse (rows[i].text, key);
        if (rc != rows[i].rc)
            fail_msg ("row %zu (\"%s\"): returned %d, expected %d", i, rows[i].text, rc,
                      rows[i].rc);
        if (rc == 0)
            s_assert_key (key, rows[i].hex);
        else
            assert_int_equal (key[0], 0x42); //  untouched
    }
    uint8_t key[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_key_parse (NULL, key), -1);
    char text[ROOMLOCK_KEY_HEX_BYTES];
    assert_int_equal (roomlock_key_format (roomlock_public_key (s_vector), text, sizeof text), 0);
    assert_string_equal (text, PUBLIC_KEY_HEX);
    assert_int_equal (roomlock_key_format (key, text, sizeof text - 1), -1);
}

//  A relay's lock: locked without a passphrase, with the room's public key (and fingerprint)
//  but no content key; its own key is its identity's, turned into Curve25519. It admits no
//  relays itself; a member admits up to ROOMLOCK_RELAYS_MAX, each once; an open room none.
static void
test_relay_lock (void **state)
{
    fixture_t *fixture = *state;
    const identity_t *identity = testlib_identity (0);
    uint8_t relay_key[ROOMLOCK_KEY_BYTES], expected[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_relay_key (identity, relay_key), 0);
    assert_int_equal (crypto_sign_ed25519_pk_to_curve25519 (expected, identity_public (identity)),
                      0);
    assert_memory_equal (relay_key, expected, ROOMLOCK_KEY_BYTES);
    roomlock_t *relay = fixture->lock = roomlock_new ();
    assert_non_null (relay);
    static const uint8_t zeros[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_lock_relay (relay, zeros, identity), -1);
    assert_false (roomlock_locked (relay));
    assert_int_equal (roomlock_lock_relay (relay, roomlock_public_key (s_vector), identity), 0);
    assert_true (roomlock_locked (relay));
    assert_true (roomlock_relay (relay));
    assert_null (roomlock_content (relay));
    s_assert_key (roomlock_public_key (relay), PUBLIC_KEY_HEX);
    char fingerprint[ROOMLOCK_FINGERPRINT_BYTES];
    assert_int_equal (roomlock_fingerprint (relay, fingerprint, sizeof fingerprint), 0);
    assert_string_equal (fingerprint, FINGERPRINT);
    assert_int_equal (roomlock_lock_relay (relay, roomlock_public_key (s_vector), identity), -1);
    assert_int_equal (roomlock_admit_relay (relay, relay_key), -1);
    //  A member, and an open room
    assert_false (roomlock_relay (s_vector));
    assert_non_null (roomlock_content (s_vector));
    roomlock_t *open = roomlock_new ();
    assert_non_null (open);
    assert_int_equal (roomlock_admit_relay (open, relay_key), -1);
    assert_false (roomlock_relay (open));
    roomlock_destroy (&open);
    roomlock_t *member = s_locked (PASSPHRASE);
    assert_int_equal (roomlock_admit_relay (member, zeros), -1);
    for (int i = 0; i < ROOMLOCK_RELAYS_MAX; i++) {
        assert_int_equal (roomlock_relay_key (testlib_identity (i), relay_key), 0);
        assert_int_equal (roomlock_admit_relay (member, relay_key), 0);
        assert_int_equal (roomlock_admit_relay (member, relay_key), 0); //  once is enough
    }
    assert_int_equal (roomlock_relay_key (testlib_identity (ROOMLOCK_RELAYS_MAX), relay_key), 0);
    assert_int_equal (roomlock_admit_relay (member, relay_key), -1);
    roomlock_destroy (&member);
}

//  Present key to lock's ZAP handler (serving a new XPUB); returns the status it answered.
static bool
s_zap_admits (fixture_t *fixture, const uint8_t key[ROOMLOCK_KEY_BYTES])
{
    zsock_t *req = fixture->sockets[0] = zsock_new (ZMQ_REQ);
    assert_non_null (req);
    assert_int_equal (zsock_connect (req, ROOMLOCK_ZAP_ENDPOINT), 0);
    zmsg_t *request = zmsg_new ();
    const char *strings[] = {"1.0", "1", "", "127.0.0.1", "", "CURVE"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal (zmsg_addstr (request, strings[i]), 0);
    assert_int_equal (zmsg_addmem (request, key, ROOMLOCK_KEY_BYTES), 0);
    assert_int_equal (zmsg_send (&request, req), 0);
    s_answer (fixture);
    testlib_wait_readable (req, WAIT_MS);
    zmsg_t *reply = zmsg_recv (req);
    assert_non_null (reply);
    zframe_t *status = testlib_frame (reply, 2);
    bool admitted = zframe_streq (status, "200");
    zmsg_destroy (&reply);
    zsock_destroy (&fixture->sockets[0]);
    return admitted;
}

//  A member's ZAP handler admits the room's key and, once admitted, the relay's; the relay's
//  admits the room's key only (members), not its own nor another relay's.
static void
test_relay_zap (void **state)
{
    fixture_t *fixture = *state;
    uint8_t relay_key[ROOMLOCK_KEY_BYTES], other_key[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_relay_key (testlib_identity (0), relay_key), 0);
    assert_int_equal (roomlock_relay_key (testlib_identity (1), other_key), 0);
    s_serve (fixture, PASSPHRASE);
    const uint8_t *room_key = roomlock_public_key (fixture->lock);
    assert_true (s_zap_admits (fixture, room_key));
    assert_false (s_zap_admits (fixture, relay_key));
    assert_int_equal (roomlock_admit_relay (fixture->lock, relay_key), 0);
    assert_true (s_zap_admits (fixture, relay_key));
    assert_false (s_zap_admits (fixture, other_key));
    assert_true (s_zap_admits (fixture, room_key));
    roomlock_destroy (&fixture->lock);
    zsock_destroy (&fixture->xpub);
    //  The relay
    fixture->lock = roomlock_new ();
    assert_non_null (fixture->lock);
    assert_int_equal (
        roomlock_lock_relay (fixture->lock, roomlock_public_key (s_vector), testlib_identity (0)),
        0);
    fixture->xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (fixture->xpub);
    s_wait_zap_free ();
    assert_int_equal (roomlock_serve (fixture->lock, fixture->xpub), 0);
    assert_int_equal (zsock_curve_server (fixture->xpub), 1);
    assert_true (s_zap_admits (fixture, roomlock_public_key (s_vector)));
    assert_false (s_zap_admits (fixture, relay_key));
    assert_false (s_zap_admits (fixture, other_key));
}

//  A raw SUB socket in context (not czmq's, whose ZAP handler the test's lock is), subscribed
//  to everything, closing at once.
static void *
s_sub (void *context)
{
    void *sub = zmq_socket (context, ZMQ_SUB);
    assert_non_null (sub);
    int zero = 0;
    assert_int_equal (zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero), 0);
    assert_int_equal (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0), 0);
    return sub;
}

//  Wait for one subscription on xpub (a member's SUB got in); fail if none comes.
static void
s_assert_subscribed (void *xpub)
{
    testlib_wait_readable (xpub, WAIT_MS);
    uint8_t subscription[8];
    assert_int_equal (zmq_recv (zsock_resolve (xpub), subscription, sizeof subscription, 0), 1);
    assert_int_equal (subscription[0], 1);
}

//  Send line on xpub and fail unless sub reads it.
static void
s_assert_carried (void *xpub, void *sub, const char *line)
{
    assert_int_equal (zmq_send (zsock_resolve (xpub), line, strlen (line), 0), (int) strlen (line));
    testlib_wait_readable (sub, WAIT_MS);
    char got[64] = "";
    int size = zmq_recv (sub, got, sizeof got - 1, 0);
    assert_int_equal (size, (int) strlen (line));
    assert_string_equal (got, line);
}

//  The relay's SUB connects to a member's XPUB, as any member's would: the member, told the
//  relay's key, admits it, and it reads what the member sends; a relay with another identity,
//  not admitted, is refused, with the line that says so.
static void
test_relay_hop_to_member (void **state)
{
    fixture_t *fixture = *state;
    if (!zsys_has_curve ())
        skip ();
    uint8_t relay_key[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_relay_key (testlib_identity (0), relay_key), 0);
    s_serve (fixture, PASSPHRASE);
    assert_int_equal (roomlock_admit_relay (fixture->lock, relay_key), 0);
    int port = zsock_bind (fixture->xpub, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    char endpoint[64];
    assert_true (snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port) > 0);
    roomlock_t *relay = roomlock_new (), *stranger = roomlock_new ();
    assert_int_equal (
        roomlock_lock_relay (relay, roomlock_public_key (s_vector), testlib_identity (0)), 0);
    assert_int_equal (
        roomlock_lock_relay (stranger, roomlock_public_key (s_vector), testlib_identity (1)), 0);
    void *context = zmq_ctx_new ();
    void *relay_sub = s_sub (context), *stranger_sub = s_sub (context);
    roomlock_join (relay, relay_sub);
    assert_int_equal (zsock_mechanism (relay_sub), ZMQ_CURVE);
    assert_int_equal (zmq_connect (relay_sub, endpoint), 0);
    const char *printed = fixture->capture.err;
    s_answer (fixture);
    assert_string_equal (printed, "");
    s_assert_subscribed (fixture->xpub);
    s_assert_carried (fixture->xpub, relay_sub, "~lines sealed");
    roomlock_join (stranger, stranger_sub);
    assert_int_equal (zmq_connect (stranger_sub, endpoint), 0);
    s_answer (fixture);
    assert_string_equal (printed, REFUSED_LINE);
    assert_false (testlib_readable (fixture->xpub, 0));
    zmq_close (relay_sub);
    zmq_close (stranger_sub);
    zmq_ctx_term (context);
    roomlock_destroy (&relay);
    roomlock_destroy (&stranger);
}

//  A member's SUB connects to the relay's XPUB with roomlock_join_relay (the relay's key for
//  that connection alone) and to another member's after it with the room's key again, and
//  reads both; the relay admits it, but not a stranger who knows the relay's key, nor a relay
//  not admitted.
static void
test_member_hop_to_relay (void **state)
{
    fixture_t *fixture = *state;
    if (!zsys_has_curve ())
        skip ();
    uint8_t relay_key[ROOMLOCK_KEY_BYTES], room_secret[ROOMLOCK_KEY_BYTES];
    assert_int_equal (roomlock_relay_key (testlib_identity (0), relay_key), 0);
    assert_int_equal (
        sodium_hex2bin (room_secret, sizeof room_secret, SECRET_KEY_HEX, 64, NULL, NULL, NULL), 0);
    //  The relay serves, in czmq's context; the other member in a context of its own
    fixture->lock = roomlock_new ();
    assert_int_equal (
        roomlock_lock_relay (fixture->lock, roomlock_public_key (s_vector), testlib_identity (0)),
        0);
    fixture->xpub = zsock_new (ZMQ_XPUB);
    s_wait_zap_free ();
    assert_int_equal (roomlock_serve (fixture->lock, fixture->xpub), 0);
    int relay_port = zsock_bind (fixture->xpub, "tcp://127.0.0.1:*");
    void *context = zmq_ctx_new ();
    void *other = zmq_socket (context, ZMQ_XPUB);
    zsock_set_curve_server (other, 1);
    zsock_set_curve_secretkey_bin (other, room_secret);
    zsock_set_linger (other, 0);
    assert_int_equal (zmq_bind (other, "tcp://127.0.0.1:*"), 0);
    char relay_endpoint[64], other_endpoint[64];
    size_t size = sizeof other_endpoint;
    assert_int_equal (zmq_getsockopt (other, ZMQ_LAST_ENDPOINT, other_endpoint, &size), 0);
    assert_true (
        snprintf (relay_endpoint, sizeof relay_endpoint, "tcp://127.0.0.1:%d", relay_port) > 0);
    //  The member
    roomlock_t *member = s_locked (PASSPHRASE);
    void *sub = s_sub (context), *stranger = s_sub (context);
    roomlock_join (member, sub);
    assert_int_equal (roomlock_join_relay (member, sub, relay_endpoint, relay_key), -1);
    assert_int_equal (errno, EINVAL); //  not admitted yet
    assert_int_equal (roomlock_admit_relay (member, relay_key), 0);
    assert_int_equal (roomlock_join_relay (member, sub, relay_endpoint, relay_key), 0);
    assert_int_equal (zmq_connect (sub, other_endpoint), 0);
    const char *printed = fixture->capture.err;
    s_answer (fixture);
    assert_string_equal (printed, "");
    s_assert_subscribed (fixture->xpub);
    s_assert_subscribed (other);
    s_assert_carried (fixture->xpub, sub, "~lines via the relay");
    s_assert_carried (other, sub, "~lines direct");
    //  A stranger with a key pair of its own, who knows the relay's key
    uint8_t public_key[ROOMLOCK_KEY_BYTES], secret_key[ROOMLOCK_KEY_BYTES];
    assert_int_equal (crypto_box_keypair (public_key, secret_key), 0);
    zsock_set_curve_serverkey_bin (stranger, relay_key);
    zsock_set_curve_publickey_bin (stranger, public_key);
    zsock_set_curve_secretkey_bin (stranger, secret_key);
    assert_int_equal (zmq_connect (stranger, relay_endpoint), 0);
    s_answer (fixture);
    assert_string_equal (printed, REFUSED_LINE);
    assert_false (testlib_readable (fixture->xpub, 0));
    //  Without roomlock_join_relay the member's SUB expects the room's key, which the relay
    //  does not have: the handshake fails before ZAP is asked
    void *plain = s_sub (context);
    roomlock_join (member, plain);
    assert_int_equal (zmq_connect (plain, relay_endpoint), 0);
    assert_false (testlib_readable (roomlock_zap (fixture->lock), 300));
    assert_false (testlib_readable (fixture->xpub, 0));
    zmq_close (plain);
    //  A relay cannot join a relay
    assert_int_equal (roomlock_join_relay (fixture->lock, stranger, relay_endpoint, relay_key), -1);
    zmq_close (sub);
    zmq_close (stranger);
    zmq_close (other);
    zmq_ctx_term (context);
    roomlock_destroy (&member);
}

//  Run the room lock tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_open_room, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_vector, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_passphrases, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fingerprint_size, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_ask_stdin, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_serve_conflict, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_serve_twice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_zap_answers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refusal_told_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_publisher_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_report_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_handshake, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_destroy, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_key_text, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_relay_lock, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_relay_zap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_relay_hop_to_member, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_member_hop_to_relay, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("roomlock", tests, s_group_setup, s_group_teardown);
}
