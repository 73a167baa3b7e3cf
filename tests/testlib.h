/*  testlib.h - what the unit tests share: stdout and stderr captured into files around a call
    and read back (and while it runs), what the user saw asserted, a descriptor swapped for
    another for a while, ids in hex, a metadata frame, a private text sealed and opened, a free TCP
   port and a publisher on one, bounded waits for a ZeroMQ socket, the subscriptions a publisher
   gets and the ones a SUB sends upstream, and the frames of a received message.

    Every function here fails the cmocka test that calls it (fail_msg, assert_*) rather than
    return an error, and each wait is bounded, by its caller's timeout or TESTLIB_WAIT_MS.
    cmocka prints a fail_msg at once, on stderr: during a capture it would land in the file, so
    a test gives stdout and stderr back before it calls fail_msg (testlib_capture_stop), as
    testlib does before its own. Main thread only.
*/
#ifndef TESTLIB_H_INCLUDED
#define TESTLIB_H_INCLUDED

#include "identity.h"
#include "limits.h"
#include "wire.h"

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TESTLIB_WAIT_MS 5000           //  the longest a wait of testlib's own takes
#define TESTLIB_OUTPUT_MAX_BYTES 65536 //  what one capture of stdout or stderr holds
#define TESTLIB_PORT_TRIES 10          //  free ports tried for a publisher before giving up
#define TESTLIB_SENTINEL "~sentinel"   //  a subscription that marks "nothing before this"

//  publisher.h's and roomlock.h's, by their tags: a test may have a publisher_t of its own
struct _publisher_t;
struct _roomlock_t;

//  stdout and stderr sent into temporary files, and what they got. All zeros is a capture
//  that does not run; the process has one stdout and one stderr, so one runs at a time.
typedef struct {
    char out[TESTLIB_OUTPUT_MAX_BYTES]; //  stdout during the last capture (or read so far)
    char err[TESTLIB_OUTPUT_MAX_BYTES]; //  stderr during the last capture (or read so far)
    size_t out_written; //  bytes of out written before the capture's stop flushed stdio
    time_t before;      //  the wall clock when the last capture started
    time_t after;       //  ... and when it stopped
    bool running;       //  started and not stopped yet
    int out_file;       //  where stdout goes while it runs: a file removed already
    int err_file;       //  where stderr goes while it runs: a file removed already
} testlib_capture_t;

//  Flush stdio and make fd (stdin, stdout or stderr) a copy of to; sanitizer reports still
//  reach the real stderr. Returns a copy of the real fd, for testlib_restore.
int testlib_redirect (int fd, int to);

//  Flush stdio and make fd what it was before testlib_redirect returned saved; closes saved.
void testlib_restore (int fd, int saved);

//  Send what stdout and stderr get from now on into temporary files; notes the wall clock.
//  Gives them back first if a capture left running (by a test that failed) still has them.
void testlib_capture_start (testlib_capture_t *capture);

//  Put stdout and stderr back, and read what they got into capture->out and capture->err
//  (and how much of stdout was written before the flush here into capture->out_written);
//  fails if either is too big for them. Nothing when the capture does not run.
void testlib_capture_stop (testlib_capture_t *capture);

//  Read what fd (STDOUT_FILENO or STDERR_FILENO) got so far in the running capture into
//  capture->out or capture->err, without stopping it. Returns that buffer.
const char *testlib_capture_read (testlib_capture_t *capture, int fd);

//  Write "HH:MM" of when, local time, into clock.
void testlib_clock (time_t when, char clock[6]);

//  Assert that stdout got exactly the lines tails (separated by '\n'; "" for none), each
//  after the clock of the capture's minute (when it started or, if the minute turned, when
//  it stopped) and a space, each ending in '\n'.
void testlib_assert_shown (const testlib_capture_t *capture, const char *tails);

//  Assert that stderr got exactly expected.
void testlib_assert_told (const testlib_capture_t *capture, const char *expected);

//  Assert that text holds no control byte but newlines: nothing a terminal would act on.
void testlib_assert_inert (const char *text);

//  Write size bytes as 2 * size lowercase hex digits and a NUL into out, independently of
//  the code under test; out holds 2 * size + 1 bytes.
void testlib_hex (const uint8_t *bytes, size_t size, char *out);

#define TESTLIB_IDENTITIES 8 // throwaway identities a test program can use

//  Throwaway identity n (0..TESTLIB_IDENTITIES - 1), the same for the whole test program:
//  a sender whose messages verify. Its sender id is identity_sender().
const identity_t *testlib_identity (int n);

//  Encode the metadata (version 2, signed) of who with nick, seq and send time sent_ms into
//  meta. Returns its size.
size_t testlib_meta (uint8_t meta[WIRE_META_MAX_BYTES], const identity_t *who, const char *nick,
                     uint64_t seq, uint64_t sent_ms);

//  ... and the metadata of version 1 (unsigned, an older chat) of sender id.
size_t testlib_meta_v1 (uint8_t meta[WIRE_META_MAX_BYTES], const uint8_t id[WIRE_SENDER_BYTES],
                        const char *nick, uint64_t seq, uint64_t sent_ms);

//  The metadata with its proof of one chat line (frame 1: line, line_size) that who sent
//  alone, as seq: what a resent line or history carries. Returns its size.
size_t testlib_line_meta (uint8_t out[WIRE_LINE_META_MAX_BYTES], const identity_t *who,
                          const char *nick, uint64_t seq, uint64_t sent_ms, const char *line);

//  The frames of a batch ("~lines", meta, body, signature) of count lines (each frame 1,
//  "kanal> text") by who from first_seq; frames[] and sizes[] point into batch.
typedef struct {
    uint8_t meta[WIRE_META_MAX_BYTES];       //  frame 2
    uint8_t body[32 * 1024];                 //  frame 3
    uint8_t signature[WIRE_SIGNATURE_BYTES]; //  frame 4
    const void *frames[4];                   //  the four frames
    size_t sizes[4];                         //  their sizes
} testlib_batch_t;
void testlib_batch (testlib_batch_t *batch, const identity_t *who, const char *nick,
                    uint64_t first_seq, uint64_t sent_ms, const char *const *lines, size_t count);

//  Sign a message of count frames (a signed message's frames before its signature) by who:
//  frames[count] and sizes[count] get the signature, kept in signature.
void testlib_sign (const identity_t *who, const void **frames, size_t *sizes, size_t count,
                   uint8_t signature[WIRE_SIGNATURE_BYTES]);

#define TESTLIB_SEALED_MAX_BYTES (24 + 16 + 2 * TEXT_MAX_BYTES) // a sealed text, too long too

//  Seal size bytes of text from who to the holder of to_public (an Ed25519 public key), as
//  private.c does: a random 24-byte nonce, then crypto_box_easy with to's X25519 key and
//  who's X25519 secret, into sealed (TESTLIB_SEALED_MAX_BYTES). Returns its size.
size_t testlib_seal (uint8_t sealed[TESTLIB_SEALED_MAX_BYTES], const identity_t *who,
                     const uint8_t to_public[IDENTITY_PUBLIC_BYTES], const void *text, size_t size);

//  Open what from_public sealed to who (sealed_size bytes) into text (sealed_size bytes at
//  least). Returns the text's size, or -1 if it does not open.
int testlib_open (const identity_t *who, const uint8_t from_public[IDENTITY_PUBLIC_BYTES],
                  const void *sealed, size_t sealed_size, uint8_t *text);

//  A TCP port on 127.0.0.1 nobody listens on now: a probe bound to a free one, unbound and
//  seen closed by its monitor (libzmq closes a listener later, in its I/O thread).
int testlib_free_port (void);

//  publisher_new on a free port (never 0, which means 5557 and up), TESTLIB_PORT_TRIES times
//  at most, as another process may take the port between the probe and the bind. Sets *port.
struct _publisher_t *testlib_publisher_new (struct _roomlock_t *lock, const identity_t *who,
                                            const char *nick, bool plain, int *port);

//  True when socket (a zsock_t or a libzmq socket) has something to read within timeout_ms.
bool testlib_readable (void *socket, int timeout_ms);

//  Wait until socket (a zsock_t or a libzmq socket) has something to read, timeout_ms at
//  most; fails otherwise.
void testlib_wait_readable (void *socket, int timeout_ms);

//  Read count messages off the XPUB socket (libzmq's), TESTLIB_WAIT_MS at most for all: then
//  the listeners' filters are in place. Fails on any but a subscription, and on one whose
//  topic is not topic_size bytes unless topic_size is 0.
void testlib_wait_subscriptions (void *socket, size_t count, size_t topic_size);

//  A test XPUB into *xpub, told every subscription and unsubscription (verboser, as
//  publisher.c's), bound to an inproc endpoint of its own in czmq's context; and a SUB into
//  *sub, connected to it, subscribed to nothing yet. The caller destroys both.
void testlib_xpub_and_sub (zsock_t **xpub, zsock_t **sub);

//  Receive one message a SUB sent upstream on the XPUB xpub (a zsock_t or a libzmq socket),
//  until deadline_ms (zclock_mono) at most: its topic, NUL-terminated, into topic (size
//  bytes). Returns 1 for a subscription, 0 for an unsubscription; fails if none comes.
int testlib_upstream (void *xpub, char *topic, size_t size, int64_t deadline_ms);

//  Assert that the next thing upstream on xpub is the subscription expected, then at once its
//  unsubscription (so it never matches a message), TESTLIB_WAIT_MS at most.
void testlib_assert_upstream (void *xpub, const char *expected);

//  Assert that sub sent nothing upstream to xpub since the last thing looked at: the test's
//  own TESTLIB_SENTINEL, subscribed and unsubscribed on sub now, is the next to arrive.
void testlib_assert_nothing_upstream (void *sub, void *xpub);

//  Frame index of message; fails if it has none.
zframe_t *testlib_frame (zmsg_t *message, size_t index);

//  Assert frame index of message is exactly size bytes of data.
void testlib_assert_frame (zmsg_t *message, size_t index, const void *data, size_t size);

#endif
