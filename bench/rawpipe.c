/*  rawpipe.c - baseline 1: the smallest honest line pipe over raw libzmq PUB/SUB.

    Usage:  rawpipe send PORT       bind 127.0.0.1:PORT, send each stdin line as one frame
            rawpipe recv PORT       connect to 127.0.0.1:PORT, print each frame as one line

    One frame per line, no newline on the wire, high-water marks unlimited (0) on both sides so
    nothing is dropped, nothing else: no metadata, no validation, no sanitising, one thread.
    The sender binds an XPUB rather than a PUB only to learn when the subscriber has arrived
    (it prints "subscribed" on stderr and starts reading stdin then); after that an XPUB sends
    exactly like a PUB. The receiver writes through stdio and flushes when no frame is waiting,
    so a burst costs one write(2) per 4 KiB and a single line is printed at once.
    This is the practical limit the benchmark holds chat against; see bench/README.md.
*/
#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINE_MAX_BYTES 65536    // longest line sent; longer ones are cut into several frames
#define LINGER_MS 10000         // at end of input, wait at most this long for unsent lines
#define SUBSCRIBE_WAIT_MS 30000 // the sender gives up if nobody subscribes within this

//  Parse a port argument or exit.
static int
s_port (const char *text)
{
    char *end;
    long port = strtol (text, &end, 10);
    if (*end || port < 1 || port > 65535)
        errx (2, "bad port: %s", text);
    return (int) port;
}

//  Sender: wait for one subscriber, then one frame per stdin line until end of input.
static int
s_send (void *context, int port)
{
    void *pub = zmq_socket (context, ZMQ_XPUB);
    int zero = 0, linger = LINGER_MS, wait = SUBSCRIBE_WAIT_MS;
    zmq_setsockopt (pub, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt (pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (pub, ZMQ_RCVTIMEO, &wait, sizeof wait);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (zmq_bind (pub, endpoint) != 0)
        errx (1, "bind %s: %s", endpoint, zmq_strerror (errno));
    //  The first message an XPUB receives is a subscription: the slow joiner has joined
    char subscription[256];
    if (zmq_recv (pub, subscription, sizeof subscription, 0) < 0)
        errx (1, "nobody subscribed within %d ms", SUBSCRIBE_WAIT_MS);
    fprintf (stderr, "subscribed\n");
    static char line[LINE_MAX_BYTES];
    while (fgets (line, sizeof line, stdin)) {
        size_t size = strlen (line);
        if (size > 0 && line[size - 1] == '\n')
            size--;
        if (zmq_send (pub, line, size, 0) < 0)
            errx (1, "send: %s", zmq_strerror (errno));
    }
    zmq_close (pub); //  lingers until every line is out, LINGER_MS at most
    return 0;
}

//  Receiver: one line per frame, flushed whenever no frame is waiting. Runs until killed.
static int
s_recv (void *context, int port)
{
    void *sub = zmq_socket (context, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (zmq_connect (sub, endpoint) != 0)
        errx (1, "connect %s: %s", endpoint, zmq_strerror (errno));
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (true) {
        if (zmq_msg_recv (&msg, sub, ZMQ_DONTWAIT) < 0) {
            if (errno != EAGAIN)
                break;
            fflush (stdout);
            if (zmq_msg_recv (&msg, sub, 0) < 0)
                break;
        }
        fwrite (zmq_msg_data (&msg), 1, zmq_msg_size (&msg), stdout);
        putchar ('\n');
    }
    zmq_msg_close (&msg);
    return 1;
}

int
main (int argc, char **argv)
{
    if (argc != 3 || (strcmp (argv[1], "send") && strcmp (argv[1], "recv")))
        errx (2, "usage: rawpipe send|recv PORT");
    void *context = zmq_ctx_new ();
    int status = strcmp (argv[1], "send") == 0 ? s_send (context, s_port (argv[2]))
                                               : s_recv (context, s_port (argv[2]));
    zmq_ctx_term (context);
    return status;
}
