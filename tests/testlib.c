/*  testlib.c - what the unit tests share (testlib.h): output captured into removed temporary
    files, redirections that keep sanitizer reports on the terminal, hex, metadata, free ports,
    and bounded waits on ZeroMQ sockets. Fails the calling cmocka test on any error.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"
#include "control.h"
#include "publisher.h"
#include "roomlock.h"
#include "signing.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  Where ASan, UBSan and TSan write their reports: in a sanitizer build, set so that a report
//  reaches the terminal, not a redirected stderr's file (NULL in other builds)
extern void __sanitizer_set_report_fd (void *fd) __attribute__ ((weak));

//  Send sanitizer reports to fd, in a sanitizer build.
static void
s_sanitizer_reports_to (int fd)
{
    if (__sanitizer_set_report_fd)
        __sanitizer_set_report_fd ((void *) (intptr_t) fd);
}

int
testlib_redirect (int fd, int to)
{
    fflush (stdout);
    fflush (stderr);
    int saved = dup (fd);
    assert_true (saved >= 0);
    if (fd == STDERR_FILENO)
        s_sanitizer_reports_to (saved);
    assert_true (dup2 (to, fd) == fd);
    return saved;
}

void
testlib_restore (int fd, int saved)
{
    fflush (stdout);
    fflush (stderr);
    dup2 (saved, fd);
    if (fd == STDERR_FILENO)
        s_sanitizer_reports_to (STDERR_FILENO);
    close (saved);
}

//  The real stdout and stderr while a capture runs, -1 when none does: the process has one of
//  each, so they are testlib's to keep, not a capture's
static int s_real_out = -1;
static int s_real_err = -1;

//  Give stdout and stderr back, if a capture has them.
static void
s_give_back (void)
{
    if (s_real_out < 0)
        return;
    testlib_restore (STDOUT_FILENO, s_real_out);
    testlib_restore (STDERR_FILENO, s_real_err);
    s_real_out = s_real_err = -1;
}

//  fail_msg, with stdout and stderr given back first, so that its message reaches the terminal
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        s_give_back ();                                                                            \
        fail_msg (__VA_ARGS__);                                                                    \
    } while (0)

//  A new temporary file, open for reading and writing, and removed at once: none is left
//  behind whatever happens to the test. Returns its descriptor.
static int
s_temporary_file (void)
{
    char path[] = "/tmp/testlib-XXXXXX";
    int file = mkstemp (path);
    assert_true (file >= 0);
    unlink (path);
    return file;
}

void
testlib_capture_start (testlib_capture_t *capture)
{
    s_give_back ();
    if (capture->running)
        FAIL ("a capture started twice");
    capture->out_file = s_temporary_file ();
    capture->err_file = s_temporary_file ();
    capture->before = time (NULL);
    //  No fail_msg of the caller's from here to testlib_capture_stop: it would land in the file
    s_real_out = testlib_redirect (STDOUT_FILENO, capture->out_file);
    s_real_err = testlib_redirect (STDERR_FILENO, capture->err_file);
    capture->running = true;
}

//  Read what file (a capture's) holds from its start into out (TESTLIB_OUTPUT_MAX_BYTES).
//  Returns the bytes read, or -1.
static ssize_t
s_read_back (int file, char *out)
{
    ssize_t size = pread (file, out, TESTLIB_OUTPUT_MAX_BYTES - 1, 0);
    out[size > 0 ? size : 0] = 0;
    return size;
}

//  True when a read back of size bytes is all its file held: no error, and the buffer not full.
static bool
s_read_whole (ssize_t size)
{
    return size >= 0 && (size_t) size < TESTLIB_OUTPUT_MAX_BYTES - 1;
}

void
testlib_capture_stop (testlib_capture_t *capture)
{
    if (!capture->running)
        return;
    fflush (stderr);
    capture->after = time (NULL);
    //  What the code under test wrote itself, before stdio's buffer is flushed here
    off_t written = lseek (capture->out_file, 0, SEEK_CUR);
    s_give_back ();
    capture->running = false;
    capture->out_written = written > 0 ? (size_t) written : 0;
    ssize_t out_size = s_read_back (capture->out_file, capture->out);
    ssize_t err_size = s_read_back (capture->err_file, capture->err);
    close (capture->out_file);
    close (capture->err_file);
    if (!s_read_whole (out_size) || !s_read_whole (err_size))
        FAIL ("a capture read %zd bytes of stdout and %zd of stderr, at most %d each", out_size,
              err_size, TESTLIB_OUTPUT_MAX_BYTES - 2);
}

const char *
testlib_capture_read (testlib_capture_t *capture, int fd)
{
    bool is_out = fd == STDOUT_FILENO;
    char *out = is_out ? capture->out : capture->err;
    ssize_t size = 0;
    if (capture->running && (is_out || fd == STDERR_FILENO))
        size = s_read_back (is_out ? capture->out_file : capture->err_file, out);
    if (!s_read_whole (size) || (!is_out && fd != STDERR_FILENO)) {
        testlib_capture_stop (capture);
        FAIL ("fd %d: %zd bytes read of what it got, at most %d", fd, size,
              TESTLIB_OUTPUT_MAX_BYTES - 2);
    }
    return out;
}

void
testlib_clock (time_t when, char clock[6])
{
    struct tm local;
    assert_non_null (localtime_r (&when, &local));
    assert_int_equal (strftime (clock, 6, "%H:%M", &local), 5);
}

//  Write the lines the user should see into out: each line of tails (separated by '\n'; ""
//  for none) after the clock of when and a space, each ending in '\n'.
static void
s_expected_lines (char *out, size_t outsize, const char *tails, time_t when)
{
    char clock[6];
    testlib_clock (when, clock);
    size_t used = 0;
    out[0] = 0;
    for (const char *tail = tails; *tail;) {
        size_t length = strcspn (tail, "\n");
        int size = snprintf (out + used, outsize - used, "%s %.*s\n", clock, (int) length, tail);
        assert_true (size > 0 && (size_t) size < outsize - used);
        used += (size_t) size;
        tail += length + (tail[length] ? 1 : 0);
    }
}

void
testlib_assert_shown (const testlib_capture_t *capture, const char *tails)
{
    static char early[TESTLIB_OUTPUT_MAX_BYTES], late[TESTLIB_OUTPUT_MAX_BYTES];
    s_expected_lines (early, sizeof early, tails, capture->before);
    s_expected_lines (late, sizeof late, tails, capture->after);
    if (strcmp (capture->out, early) != 0 && strcmp (capture->out, late) != 0)
        FAIL ("stdout got\n\"%s\"\nexpected\n\"%s\"", capture->out, early);
}

void
testlib_assert_told (const testlib_capture_t *capture, const char *expected)
{
    if (strcmp (capture->err, expected) != 0)
        FAIL ("stderr got\n\"%s\"\nexpected\n\"%s\"", capture->err, expected);
}

void
testlib_assert_inert (const char *text)
{
    for (const unsigned char *c = (const unsigned char *) text; *c; c++)
        if ((*c < 0x20 && *c != '\n') || *c == 0x7f)
            FAIL ("byte 0x%02x at offset %td reached the terminal raw", *c,
                  (const char *) c - text);
}

void
testlib_hex (const uint8_t *bytes, size_t size, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < size; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    out[2 * size] = 0;
}

const identity_t *
testlib_identity (int n)
{
    static identity_t *identities[TESTLIB_IDENTITIES];
    assert_true (n >= 0 && n < TESTLIB_IDENTITIES);
    if (!identities[n]) {
        char error[IDENTITY_ERROR_MAX_BYTES];
        identities[n] = identity_open (NULL, "test", true, error, sizeof error);
        assert_non_null (identities[n]);
    }
    return identities[n];
}

size_t
testlib_meta (uint8_t meta[WIRE_META_MAX_BYTES], const identity_t *who, const char *nick,
              uint64_t seq, uint64_t sent_ms)
{
    wire_meta_t decoded = {.version = WIRE_VERSION, .seq = seq, .sent_ms = sent_ms};
    memcpy (decoded.sender, identity_sender (who), WIRE_SENDER_BYTES);
    memcpy (decoded.public_key, identity_public (who), WIRE_PUBLIC_BYTES);
    memcpy (decoded.session, identity_session (who), WIRE_SESSION_BYTES);
    assert_true (strlen (nick) < sizeof decoded.nick);
    strcpy (decoded.nick, nick);
    int size = wire_encode_meta (meta, WIRE_META_MAX_BYTES, &decoded);
    assert_true (size > 0);
    return (size_t) size;
}

size_t
testlib_line_meta (uint8_t out[WIRE_LINE_META_MAX_BYTES], const identity_t *who, const char *nick,
                   uint64_t seq, uint64_t sent_ms, const char *line)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    size_t meta_size = testlib_meta (meta, who, nick, seq, sent_ms);
    signing_line_t one = {(const uint8_t *) line, strlen (line)};
    static signing_batch_t batch;
    assert_int_equal (signing_batch_build (&batch, meta, meta_size, seq, &one, 1), 0);
    signing_batch_sign (&batch, who);
    int size = signing_line_meta (&batch, 0, out, WIRE_LINE_META_MAX_BYTES);
    assert_true (size > 0);
    return (size_t) size;
}

void
testlib_batch (testlib_batch_t *batch, const identity_t *who, const char *nick, uint64_t first_seq,
               uint64_t sent_ms, const char *const *lines, size_t count)
{
    static signing_batch_t tree;
    signing_line_t each[WIRE_BATCH_LINES_MAX];
    assert_true (count <= WIRE_BATCH_LINES_MAX);
    for (size_t i = 0; i < count; i++)
        each[i] = (signing_line_t){(const uint8_t *) lines[i], strlen (lines[i])};
    size_t meta_size = testlib_meta (batch->meta, who, nick, first_seq, sent_ms);
    int body_size = signing_encode_body (batch->body, sizeof batch->body, each, count);
    assert_true (body_size > 0);
    assert_int_equal (signing_batch_build (&tree, batch->meta, meta_size, first_seq, each, count),
                      0);
    signing_batch_sign (&tree, who);
    memcpy (batch->signature, tree.signature, WIRE_SIGNATURE_BYTES);
    batch->frames[0] = CONTROL_LINES;
    batch->sizes[0] = strlen (CONTROL_LINES);
    batch->frames[1] = batch->meta;
    batch->sizes[1] = meta_size;
    batch->frames[2] = batch->body;
    batch->sizes[2] = (size_t) body_size;
    batch->frames[3] = batch->signature;
    batch->sizes[3] = WIRE_SIGNATURE_BYTES;
}

void
testlib_sign (const identity_t *who, const void **frames, size_t *sizes, size_t count,
              uint8_t signature[WIRE_SIGNATURE_BYTES])
{
    signing_sign_frames (who, frames, sizes, count, signature);
    frames[count] = signature;
    sizes[count] = WIRE_SIGNATURE_BYTES;
}

size_t
testlib_meta_v1 (uint8_t meta[WIRE_META_MAX_BYTES], const uint8_t id[WIRE_SENDER_BYTES],
                 const char *nick, uint64_t seq, uint64_t sent_ms)
{
    wire_meta_t decoded = {.version = WIRE_VERSION_UNSIGNED, .seq = seq, .sent_ms = sent_ms};
    memcpy (decoded.sender, id, WIRE_SENDER_BYTES);
    assert_true (strlen (nick) < sizeof decoded.nick);
    strcpy (decoded.nick, nick);
    int size = wire_encode_meta (meta, WIRE_META_MAX_BYTES, &decoded);
    assert_true (size > 0);
    return (size_t) size;
}

//  Wait (bounded) until events, a monitor's socket, tells that the listener on port closed.
static void
s_wait_closed (zsock_t *events, int port)
{
    if (!testlib_readable (events, TESTLIB_WAIT_MS))
        FAIL ("port %d was not closed within %d ms", port, TESTLIB_WAIT_MS);
    uint8_t event[6]; //  the event's id (16 bits) and value (32 bits); its endpoint follows
    assert_int_equal (zmq_recv (zsock_resolve (events), event, sizeof event, ZMQ_DONTWAIT),
                      sizeof event);
    uint16_t id;
    memcpy (&id, event, sizeof id);
    assert_int_equal (id, ZMQ_EVENT_CLOSED);
}

int
testlib_free_port (void)
{
    static int probes = 0;
    char events_endpoint[64];
    assert_true (snprintf (events_endpoint, sizeof events_endpoint, "inproc://testlib-probe-%d",
                           ++probes) > 0);
    zsock_t *probe = zsock_new (ZMQ_PUB);
    zsock_t *events = zsock_new (ZMQ_PAIR);
    assert_true (probe && events);
    int port = zsock_bind (probe, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    assert_int_equal (zmq_socket_monitor (zsock_resolve (probe), events_endpoint, ZMQ_EVENT_CLOSED),
                      0);
    assert_int_equal (zsock_connect (events, "%s", events_endpoint), 0);
    assert_int_equal (zsock_unbind (probe, "tcp://127.0.0.1:%d", port), 0);
    s_wait_closed (events, port);
    zmq_socket_monitor (zsock_resolve (probe), NULL, 0);
    zsock_destroy (&events);
    zsock_destroy (&probe);
    return port;
}

publisher_t *
testlib_publisher_new (roomlock_t *lock, const identity_t *who, const char *nick, bool plain,
                       int *port)
{
    for (int try = 0; try < TESTLIB_PORT_TRIES; try++) {
        *port = testlib_free_port ();
        publisher_t *publisher = publisher_new (*port, lock, who, nick, plain);
        if (publisher)
            return publisher;
    }
    FAIL ("no publisher on a free port in %d tries", TESTLIB_PORT_TRIES);
    return NULL;
}

bool
testlib_readable (void *socket, int timeout_ms)
{
    assert_non_null (socket);
    zmq_pollitem_t item = {zsock_resolve (socket), 0, ZMQ_POLLIN, 0};
    int ready = zmq_poll (&item, 1, timeout_ms);
    assert_true (ready >= 0);
    return ready == 1;
}

void
testlib_wait_readable (void *socket, int timeout_ms)
{
    if (!testlib_readable (socket, timeout_ms))
        FAIL ("nothing to read within %d ms", timeout_ms);
}

size_t
testlib_seal (uint8_t sealed[TESTLIB_SEALED_MAX_BYTES], const identity_t *who,
              const uint8_t to_public[IDENTITY_PUBLIC_BYTES], const void *text, size_t size)
{
    uint8_t secret[crypto_box_SECRETKEYBYTES], box[crypto_box_PUBLICKEYBYTES];
    assert_true (size <= TESTLIB_SEALED_MAX_BYTES - crypto_box_NONCEBYTES - crypto_box_MACBYTES);
    assert_int_equal (identity_box_secret (who, secret), 0);
    assert_int_equal (identity_box_public (to_public, box), 0);
    randombytes_buf (sealed, crypto_box_NONCEBYTES);
    assert_int_equal (
        crypto_box_easy (sealed + crypto_box_NONCEBYTES, text, size, sealed, box, secret), 0);
    sodium_memzero (secret, sizeof secret);
    return crypto_box_NONCEBYTES + crypto_box_MACBYTES + size;
}

int
testlib_open (const identity_t *who, const uint8_t from_public[IDENTITY_PUBLIC_BYTES],
              const void *sealed, size_t sealed_size, uint8_t *text)
{
    uint8_t secret[crypto_box_SECRETKEYBYTES], box[crypto_box_PUBLICKEYBYTES];
    const uint8_t *bytes = sealed;
    if (sealed_size < crypto_box_NONCEBYTES + crypto_box_MACBYTES ||
        identity_box_public (from_public, box))
        return -1;
    assert_int_equal (identity_box_secret (who, secret), 0);
    int status = crypto_box_open_easy (text, bytes + crypto_box_NONCEBYTES,
                                       sealed_size - crypto_box_NONCEBYTES, bytes, box, secret);
    sodium_memzero (secret, sizeof secret);
    return status ? -1 : (int) (sealed_size - crypto_box_NONCEBYTES - crypto_box_MACBYTES);
}

//  The milliseconds left until deadline_ms (zclock_mono), 0 when it has passed.
static int
s_left_ms (int64_t deadline_ms)
{
    int64_t left = deadline_ms - zclock_mono ();
    return left > 0 ? (int) left : 0;
}

void
testlib_wait_subscriptions (void *socket, size_t count, size_t topic_size)
{
    socket = zsock_resolve (socket);
    int64_t deadline_ms = zclock_mono () + TESTLIB_WAIT_MS;
    for (size_t seen = 0; seen < count; seen++) {
        if (!testlib_readable (socket, s_left_ms (deadline_ms)))
            FAIL ("%zu of %zu subscriptions came within %d ms", seen, count, TESTLIB_WAIT_MS);
        uint8_t data[CONTROL_REQUEST_MAX_BYTES];
        int size = zmq_recv (socket, data, sizeof data, ZMQ_DONTWAIT);
        if (size < 1 || data[0] != 1)
            FAIL ("message %zu of the %zu subscriptions waited for is none (%d bytes)", seen + 1,
                  count, size);
        if (topic_size && (size_t) size != 1 + topic_size)
            FAIL ("subscription %zu of %zu has %d bytes of topic, expected %zu", seen + 1, count,
                  size - 1, topic_size);
    }
}

void
testlib_xpub_and_sub (zsock_t **xpub, zsock_t **sub)
{
    static int endpoints = 0;
    char endpoint[64];
    assert_true (snprintf (endpoint, sizeof endpoint, "inproc://testlib-xpub-%d", ++endpoints) > 0);
    *xpub = zsock_new (ZMQ_XPUB);
    assert_non_null (*xpub);
    zsock_set_xpub_verboser (*xpub, 1);
    assert_int_equal (zsock_bind (*xpub, "%s", endpoint), 0);
    *sub = zsock_new (ZMQ_SUB);
    assert_non_null (*sub);
    assert_int_equal (zsock_connect (*sub, "%s", endpoint), 0);
}

int
testlib_upstream (void *xpub, char *topic, size_t size, int64_t deadline_ms)
{
    void *socket = zsock_resolve (xpub);
    if (!testlib_readable (socket, s_left_ms (deadline_ms)))
        FAIL ("nothing came upstream within %d ms", TESTLIB_WAIT_MS);
    char message[CONTROL_REQUEST_MAX_BYTES + 1];
    int received = zmq_recv (socket, message, sizeof message, ZMQ_DONTWAIT);
    assert_true (received >= 1 && (size_t) received <= sizeof message);
    assert_true (message[0] == 0 || message[0] == 1);
    assert_true ((size_t) received <= size);
    memcpy (topic, message + 1, (size_t) received - 1);
    topic[received - 1] = 0;
    return message[0];
}

void
testlib_assert_upstream (void *xpub, const char *expected)
{
    int64_t deadline_ms = zclock_mono () + TESTLIB_WAIT_MS;
    char topic[CONTROL_REQUEST_MAX_BYTES + 1];
    assert_int_equal (testlib_upstream (xpub, topic, sizeof topic, deadline_ms), 1);
    if (strcmp (topic, expected) != 0)
        FAIL ("upstream came \"%s\", expected \"%s\"", topic, expected);
    assert_int_equal (testlib_upstream (xpub, topic, sizeof topic, deadline_ms), 0);
    assert_string_equal (topic, expected);
}

void
testlib_assert_nothing_upstream (void *sub, void *xpub)
{
    void *socket = zsock_resolve (sub);
    zmq_setsockopt (socket, ZMQ_SUBSCRIBE, TESTLIB_SENTINEL, strlen (TESTLIB_SENTINEL));
    zmq_setsockopt (socket, ZMQ_UNSUBSCRIBE, TESTLIB_SENTINEL, strlen (TESTLIB_SENTINEL));
    testlib_assert_upstream (xpub, TESTLIB_SENTINEL);
}

zframe_t *
testlib_frame (zmsg_t *message, size_t index)
{
    zframe_t *frame = zmsg_first (message);
    for (size_t i = 0; i < index && frame; i++)
        frame = zmsg_next (message);
    assert_non_null (frame);
    return frame;
}

void
testlib_assert_frame (zmsg_t *message, size_t index, const void *data, size_t size)
{
    zframe_t *frame = testlib_frame (message, index);
    if (zframe_size (frame) != size)
        FAIL ("frame %zu has %zu bytes, expected %zu", index, zframe_size (frame), size);
    assert_memory_equal (zframe_data (frame), data, size);
}
