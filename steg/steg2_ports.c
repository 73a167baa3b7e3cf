/*  steg2_ports.c - step 2: choose your own port (or get a random one) and the port to connect to.

    Usage:  ./steg2_ports [PORT]

    The program listens on PORT, or on a port the system picks if none is given, and prints it.
    Then it asks which port to connect to. Of two terminals, one types the other's port; the
    other types an empty line and waits for that connection. Then, as in step 1, you take
    turns, the waiting side first. Still one PAIR socket, so still the limitation of step 1:
    zmq_recv() blocks, and nothing can be typed while it waits.
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
    void *pair = zmq_socket (context, ZMQ_PAIR);
    if (!pair)
        err (1, "zmq_socket");
    int linger_ms = LINGER_MS;
    if (zmq_setsockopt (pair, ZMQ_LINGER, &linger_ms, sizeof linger_ms) != 0)
        err (1, "zmq_setsockopt");
    return pair;
}

//  Bind our own port (0: any free port, picked by the system), and print which one it is.
static void
s_bind_port (void *pair, int port)
{
    //  Our own port. "tcp://*:*" asks the system for any free port; ZMQ_LAST_ENDPOINT then
    //  tells which one we got, e.g. "tcp://0.0.0.0:41234".
    char endpoint[ENDPOINT_MAX_BYTES] = "tcp://*:*";
    if (port) {
        int size = snprintf (endpoint, sizeof endpoint, "tcp://*:%d", port);
        if (size < 0 || (size_t) size >= sizeof endpoint)
            errx (1, "port %d does not fit in an endpoint", port);
    }
    if (zmq_bind (pair, endpoint) != 0)
        err (1, "%s", endpoint);
    size_t endpoint_size = sizeof endpoint;
    if (zmq_getsockopt (pair, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_size) != 0)
        err (1, "zmq_getsockopt");
    const char *colon = strrchr (endpoint, ':');
    printf ("your port: %s\n", colon ? colon + 1 : endpoint);
}

//  Connect to the other side's port on this computer, as the user typed it (text).
static void
s_connect_port (void *pair, const char *text)
{
    if (s_port (text) < 0)
        errx (2, "bad port \"%s\": use a number from 1 to 65535", text);
    //  A socket may both bind and connect. A PAIR socket talks to the first peer it gets.
    char endpoint[ENDPOINT_MAX_BYTES];
    int size = snprintf (endpoint, sizeof endpoint, "tcp://localhost:%d", s_port (text));
    if (size < 0 || (size_t) size >= sizeof endpoint)
        errx (1, "port %d does not fit in an endpoint", s_port (text));
    if (zmq_connect (pair, endpoint) != 0)
        err (1, "%s", endpoint);
    printf ("connecting to %s; the other side writes first\n", endpoint);
}

//  Take turns until end of input, as in step 1: write a line and send it, then wait for the
//  other side's line and print it, and again.
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
            //  With nobody connected yet, a PAIR socket's zmq_send() waits for someone
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
    if (argc > 2 || (argc == 2 && s_port (argv[1]) < 0))
        errx (2, "usage: %s [PORT] (a number from 1 to 65535; none: a random free port)", argv[0]);
    setvbuf (stdout, NULL, _IOLBF, 0); // print each line at once, even into a pipe or file

    void *context = zmq_ctx_new ();
    if (!context)
        err (1, "zmq_ctx_new");
    void *pair = s_open_pair (context);
    s_bind_port (pair, argc == 2 ? s_port (argv[1]) : 0);

    char line[LINE_MAX_BYTES];
    printf ("port to connect to (empty line: wait for the other side to connect to you):\n");
    if (!fgets (line, sizeof line, stdin))
        return 0;
    line[strcspn (line, "\n")] = 0;
    bool my_turn = true; // the side that waits for the connection writes first
    if (*line) {
        s_connect_port (pair, line);
        my_turn = false;
    }

    s_take_turns (pair, my_turn);
    zmq_close (pair);
    zmq_ctx_term (context);
    return 0;
}
