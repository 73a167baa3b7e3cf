/*  steg3_threads.c - step 3: two threads, so that writing and reading no longer take turns.

    Usage:  ./steg3_threads [PORT]

    As in step 2 you get your port (PORT, or a random one) and type the other side's. Now each
    side has two PAIR sockets: the main thread's binds to our port and sends what we type; the
    listener thread's connects to the other side's port and prints what arrives. Each thread
    runs its own loop, so nobody waits for anybody. Type \exit to quit.

    Why not one socket for both threads? A ZeroMQ socket is not thread-safe: two threads using
    it at once corrupt it, so each thread has its own. The course also gives the thread its
    own context, and warns that sharing gives "ZMQError: Interrupted system call" (its Python
    multiprocessing.Process even starts a separate process, and a context must not cross into
    a child process). In C a context is thread-safe, but we follow the course: then the thread
    needs nothing of main's, and main can close its socket and context without disturbing it.
*/
#include <err.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024   // longest line sent or printed; longer ones are cut
#define ENDPOINT_MAX_BYTES 64 // "tcp://localhost:65535" with room to spare
#define LINGER_MS 1000        // at the end, wait at most this long for unsent lines
#define SEND_TIMEOUT_MS 3000  // give up a line nobody is connected to receive
#define QUIT_WORD "\\exit"    // typing this ends the program

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

//  The listener thread: with its own context and socket, connects to the endpoint in arg and
//  prints every line that arrives, forever. It is detached (the course's "daemon"), so it just
//  ends with the process when main returns.
static void *
s_listener (void *arg)
{
    const char *endpoint = arg;
    void *context = zmq_ctx_new ();
    void *pair = context ? zmq_socket (context, ZMQ_PAIR) : NULL;
    if (!pair)
        err (1, "zmq_socket"); // err() ends the whole process, not just this thread
    if (zmq_connect (pair, endpoint) != 0)
        err (1, "%s", endpoint);
    char line[LINE_MAX_BYTES];
    while (s_receive (pair, line, sizeof line) >= 0)
        printf ("peer: %s\n", line);
    err (1, "zmq_recv");
}

//  Open the main thread's PAIR socket, in context (NULL if zmq_ctx_new() failed).
static void *
s_open_pair (void *context)
{
    void *pair = context ? zmq_socket (context, ZMQ_PAIR) : NULL;
    if (!pair)
        err (1, "zmq_socket");
    //  A PAIR socket with nobody connected makes zmq_send() wait: wait at most this long
    int linger_ms = LINGER_MS, send_timeout_ms = SEND_TIMEOUT_MS;
    if (zmq_setsockopt (pair, ZMQ_LINGER, &linger_ms, sizeof linger_ms) != 0 ||
        zmq_setsockopt (pair, ZMQ_SNDTIMEO, &send_timeout_ms, sizeof send_timeout_ms) != 0)
        err (1, "zmq_setsockopt");
    return pair;
}

//  Bind our own port (0: any free port, as in step 2), and print it and the quit word.
static void
s_bind_port (void *pair, int port)
{
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
    printf ("your port: %s\n%s quits, at any time\n", colon ? colon + 1 : endpoint, QUIT_WORD);
}

//  Ask for the other side's port, and write its endpoint into endpoint (size bytes). Returns
//  false at end of input.
static bool
s_ask_peer (char *endpoint, size_t size)
{
    char line[LINE_MAX_BYTES];
    printf ("port to connect to:\n");
    if (!fgets (line, sizeof line, stdin))
        return false;
    line[strcspn (line, "\n")] = 0;
    if (s_port (line) < 0)
        errx (2, "bad port \"%s\": use a number from 1 to 65535", line);
    int written = snprintf (endpoint, size, "tcp://localhost:%d", s_port (line));
    if (written < 0 || (size_t) written >= size)
        errx (1, "port %d does not fit in an endpoint", s_port (line));
    return true;
}

//  Start the listener thread, listening to endpoint, which must outlive it.
static void
s_start_listener (char *endpoint)
{
    pthread_t listener;
    int error = pthread_create (&listener, NULL, s_listener, endpoint);
    if (error == 0)
        error = pthread_detach (listener); // nobody waits for it: it ends with the process
    if (error != 0)
        errx (1, "cannot start the listener thread: %s", strerror (error));
    printf ("listening to %s; write whenever you like\n", endpoint);
}

//  Send each line the user types, until the quit word or end of input.
static void
s_send_lines (void *pair)
{
    char line[LINE_MAX_BYTES];
    while (fgets (line, sizeof line, stdin)) {
        line[strcspn (line, "\n")] = 0;
        if (strcmp (line, QUIT_WORD) == 0)
            break;
        if (zmq_send (pair, line, strlen (line), 0) < 0)
            printf ("not sent (has the other side connected?): %s\n", zmq_strerror (zmq_errno ()));
    }
}

int
main (int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && s_port (argv[1]) < 0))
        errx (2, "usage: %s [PORT] (a number from 1 to 65535; none: a random free port)", argv[0]);
    setvbuf (stdout, NULL, _IOLBF, 0); // print each line at once, even into a pipe or file

    void *context = zmq_ctx_new ();
    void *pair = s_open_pair (context);
    s_bind_port (pair, argc == 2 ? s_port (argv[1]) : 0);

    //  static: the detached thread may still read it while main returns
    static char peer_endpoint[ENDPOINT_MAX_BYTES];
    if (!s_ask_peer (peer_endpoint, sizeof peer_endpoint))
        return 0;
    s_start_listener (peer_endpoint);
    s_send_lines (pair);

    zmq_close (pair);
    zmq_ctx_term (context);
    return 0; // ends the process, and with it the listener thread
}
