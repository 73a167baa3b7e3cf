/*  rawrtt.c - baseline 3: round trips over raw libzmq PUB/SUB, the latency chat is held against.

    Usage:  rawrtt echo PUB_PORT SUB_PORT               send back every frame heard
            rawrtt ping PUB_PORT SUB_PORT COUNT FILE    COUNT round trips, one at a time

    Each side binds a PUB on 127.0.0.1:PUB_PORT and connects a SUB to 127.0.0.1:SUB_PORT, so the
    shape is a chat peer's: one PUB out, one SUB in, two TCP connections on loopback. The pinger
    warms up until a probe comes back (PUB/SUB slow joiner, both ways), then sends COUNT frames
    of ~90 bytes, each only after the previous one came back, and writes each round trip in
    nanoseconds, one per line, to FILE ("lost" for a frame not back within LOST_MS).
    Nothing else: one thread per process, default socket options, no copies beyond libzmq's.
*/
#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define FRAME_BYTES 90     // size of one ping, like a benchmark line
#define WARM_WAIT_MS 10000 // the pinger gives up if no probe returns within this
#define PROBE_EVERY_MS 10  // a probe is sent this often while warming up
#define LOST_MS 2000       // a ping not back within this is counted as lost
#define COUNT_MAX 10000000 // round trips at most

//  Monotonic clock in nanoseconds.
static long long
s_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

//  Parse a decimal argument in [low, high] or exit.
static long
s_number (const char *text, long low, long high)
{
    char *end;
    long value = strtol (text, &end, 10);
    if (*end || value < low || value > high)
        errx (2, "bad number: %s", text);
    return value;
}

//  Bind a PUB to pub_port and connect a SUB to sub_port, both on 127.0.0.1.
static void
s_sockets (void *context, long pub_port, long sub_port, void **pub, void **sub)
{
    char endpoint[64];
    *pub = zmq_socket (context, ZMQ_PUB);
    *sub = zmq_socket (context, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (*pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (*sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (*sub, ZMQ_SUBSCRIBE, "", 0);
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%ld", pub_port);
    if (zmq_bind (*pub, endpoint) != 0)
        errx (1, "bind %s: %s", endpoint, zmq_strerror (errno));
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%ld", sub_port);
    if (zmq_connect (*sub, endpoint) != 0)
        errx (1, "connect %s: %s", endpoint, zmq_strerror (errno));
}

//  Echo: send every frame back unchanged, until killed.
static int
s_echo (void *pub, void *sub)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, sub, 0) >= 0)
        if (zmq_msg_send (&msg, pub, 0) < 0)
            break;
    zmq_msg_close (&msg);
    return 1;
}

//  Wait up to timeout_ms for a frame that starts with expect (its first size bytes).
//  Returns 0 when it came, -1 on timeout.
static int
s_await (void *sub, const char *expect, size_t size, long long timeout_ms)
{
    long long deadline = s_now_ns () + timeout_ms * 1000000LL;
    char frame[FRAME_BYTES + 16];
    while (true) {
        long long left_ms = (deadline - s_now_ns ()) / 1000000LL;
        if (left_ms < 0)
            return -1;
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, left_ms) <= 0)
            continue;
        int got = zmq_recv (sub, frame, sizeof frame, 0);
        if (got >= (int) size && memcmp (frame, expect, size) == 0)
            return 0;
    }
}

//  Ping: warm up, then count round trips, each written to file in nanoseconds.
static int
s_ping (void *pub, void *sub, long count, const char *path)
{
    FILE *out = fopen (path, "w");
    if (!out)
        err (1, "%s", path);
    //  Warm up: probes until one comes back, so both subscriptions are in place
    long long warm_deadline = s_now_ns () + WARM_WAIT_MS * 1000000LL;
    while (zmq_send (pub, "warm", 4, 0) >= 0 && s_await (sub, "warm", 4, PROBE_EVERY_MS) != 0)
        if (s_now_ns () > warm_deadline)
            errx (1, "no probe came back within %d ms", WARM_WAIT_MS);
    char frame[FRAME_BYTES + 1];
    for (long i = 0; i < count; i++) {
        //  "ping 000042 " then filler: the seq makes a late echo of a lost ping harmless
        int head = snprintf (frame, sizeof frame, "ping %06ld ", i);
        memset (frame + head, 'x', FRAME_BYTES - (size_t) head);
        long long start = s_now_ns ();
        if (zmq_send (pub, frame, FRAME_BYTES, 0) < 0)
            errx (1, "send: %s", zmq_strerror (errno));
        if (s_await (sub, frame, (size_t) head, LOST_MS) == 0)
            fprintf (out, "%lld\n", s_now_ns () - start);
        else
            fprintf (out, "lost\n");
    }
    return fclose (out) == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
    bool ping = argc == 6 && strcmp (argv[1], "ping") == 0;
    if (!ping && !(argc == 4 && strcmp (argv[1], "echo") == 0))
        errx (2, "usage: rawrtt echo PUB_PORT SUB_PORT | rawrtt ping PUB_PORT SUB_PORT COUNT FILE");
    void *context = zmq_ctx_new ();
    void *pub, *sub;
    s_sockets (context, s_number (argv[2], 1, 65535), s_number (argv[3], 1, 65535), &pub, &sub);
    int status =
        ping ? s_ping (pub, sub, s_number (argv[4], 1, COUNT_MAX), argv[5]) : s_echo (pub, sub);
    zmq_close (pub);
    zmq_close (sub);
    zmq_ctx_term (context);
    return status;
}
