/*  steg1_pair.c - step 1: two terminals talk through one ZeroMQ PAIR socket, taking turns.

    Usage:  ./steg1_pair server PORT    listens on PORT and writes first
            ./steg1_pair client PORT    connects to PORT on this machine and answers

    The course's PAIR example, except that the lines come from the terminal (fgets) instead of
    being made up. Each side in turn writes one line, then waits for the other's.

    THE LIMITATION (and the reason for step 3): zmq_recv() blocks. While it waits for the other
    side's line you cannot write anything, and while fgets() waits for you, nothing the other
    side sends is printed. If the other side never answers, this program waits forever.
*/
#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024   // longest line sent or printed; longer ones are cut
#define ENDPOINT_MAX_BYTES 64 // "tcp://localhost:65535" with room to spare
#define LINGER_MS 1000        // at the end, wait at most this long for unsent lines

//  The port number in text, or -1 if text is not a number from 1 to 65535.
static int
s_port (const char *text)
{
    char *end;
    long port = strtol (text, &end, 10);
    return end != text && *end == 0 && port >= 1 && port <= 65535 ? (int) port : -1;
}

//  Receive one message into text as a string of at most size - 1 bytes, safe to print.
//  Returns its length, or -1 on error.
static int
s_receive (void *socket, char *text, int size)
{
    //  zmq_recv() stores at most size - 1 bytes but returns the message's full size
    int received = zmq_recv (socket, text, (size_t) size - 1, 0);
    if (received < 0)
        return -1;
    if (received > size - 1)
        received = size - 1;
    //  Never trust the network: control characters could take over our terminal
    for (int i = 0; i < received; i++)
        if ((unsigned char) text[i] < 32 || text[i] == 127)
            text[i] = '?';
    text[received] = 0; // ZeroMQ sends bytes, not C strings: we add the '\0'
    return received;
}

//  Open the PAIR socket, in context.
static void *
s_open_pair (void *context)
{
    //  PAIR: exactly two sockets, connected to each other, messages in both directions
    void *pair = zmq_socket (context, ZMQ_PAIR);
    if (!pair)
        err (1, "zmq_socket");
    //  Leaving must not hang on lines nobody takes: wait at most LINGER_MS for them
    int linger_ms = LINGER_MS;
    if (zmq_setsockopt (pair, ZMQ_LINGER, &linger_ms, sizeof linger_ms) != 0)
        err (1, "zmq_setsockopt");
    return pair;
}

//  The server binds port, the client connects to it on this computer; say which, and where.
static void
s_bind_or_connect (void *pair, bool server, int port)
{
    //  One side binds (listens on the port; "*" = on every network interface), the other
    //  connects to it. Once connected, both sides are equal.
    char endpoint[ENDPOINT_MAX_BYTES];
    int size =
        snprintf (endpoint, sizeof endpoint, server ? "tcp://*:%d" : "tcp://localhost:%d", port);
    if (size < 0 || (size_t) size >= sizeof endpoint)
        errx (1, "port %d does not fit in an endpoint", port);
    if ((server ? zmq_bind (pair, endpoint) : zmq_connect (pair, endpoint)) != 0)
        err (1, "%s", endpoint);
    printf ("%s %s; the server writes first, then you take turns. Ctrl-D quits.\n",
            server ? "listening on" : "connecting to", endpoint);
}

//  Take turns until end of input: write a line and send it, then wait for the other side's
//  line and print it, and again. The server's turn comes first.
static void
s_take_turns (void *pair, bool my_turn)
{
    char line[LINE_MAX_BYTES];
    while (true) {
        if (my_turn) {
            printf ("your turn: write a line\n");
            if (!fgets (line, sizeof line, stdin))
                break; // end of input (Ctrl-D)
            line[strcspn (line, "\n")] = 0;
            //  Send the bytes of the line, without the '\0'
            if (zmq_send (pair, line, strlen (line), 0) < 0)
                err (1, "zmq_send");
        } else {
            printf ("waiting for the other side's line...\n");
            //  BLOCKS until a line arrives: meanwhile this program can do nothing else
            if (s_receive (pair, line, sizeof line) < 0)
                err (1, "zmq_recv");
            printf ("peer: %s\n", line);
        }
        my_turn = !my_turn;
    }
}

int
main (int argc, char **argv)
{
    if (argc != 3 || (strcmp (argv[1], "server") && strcmp (argv[1], "client")) ||
        s_port (argv[2]) < 0)
        errx (2, "usage: %s server|client PORT (a number from 1 to 65535)", argv[0]);
    bool server = strcmp (argv[1], "server") == 0;
    int port = s_port (argv[2]);
    setvbuf (stdout, NULL, _IOLBF, 0); // print each line at once, even into a pipe or file

    //  The context holds ZeroMQ's background I/O thread; every socket is made from one.
    //  libzmq says what went wrong in errno, as system calls do, so err() can print it.
    void *context = zmq_ctx_new ();
    if (!context)
        err (1, "zmq_ctx_new");
    void *pair = s_open_pair (context);
    s_bind_or_connect (pair, server, port);
    s_take_turns (pair, server); // as in the course's example, the server speaks first

    //  Close every socket before terminating the context, or zmq_ctx_term() waits forever
    zmq_close (pair);
    zmq_ctx_term (context);
    return 0;
}
