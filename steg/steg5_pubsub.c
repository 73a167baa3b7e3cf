/*  steg5_pubsub.c - extension: PUB/SUB, so that more than two can chat.

    Usage:  ./steg5_pubsub PORT [PEER]...
    PORT is yours; each PEER is someone to listen to, as PORT (on this computer) or HOST:PORT.
    Three terminals:  ./steg5_pubsub 5001 5002 5003
                      ./steg5_pubsub 5002 5001 5003
                      ./steg5_pubsub 5003 5001 5002
    A PAIR socket has exactly one peer. Since step 3 we have one socket per direction, so, as
    the course suggests, the main thread's becomes a PUB (publisher), which sends each line to
    every subscriber connected to it, and the listener thread's a SUB (subscriber), which can
    connect to many publishers. Type \exit to quit. (Peers are arguments now, as asking for
    several takes long; step 4's LAN addresses are left out to keep this short.)
*/
#include <err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024    // longest line sent or printed; longer ones are cut
#define ENDPOINT_MAX_BYTES 300 // "tcp://" + host + ":" + port
#define LINGER_MS 1000         // at the end, wait at most this long for unsent lines
#define QUIT_WORD "\\exit"     // typing this ends the program

//  Write "tcp://HOST:PORT" into endpoint, for text given as HOST:PORT, or as PORT alone with
//  host as HOST. Returns 0, or -1 if the port is not 1-65535 or the endpoint does not fit.
static int
s_endpoint (const char *text, const char *host, char *endpoint, int size)
{
    const char *colon = strrchr (text, ':');
    int host_size = colon ? (int) (colon - text) : (int) strlen (host);
    char *end;
    long port = strtol (colon ? colon + 1 : text, &end, 10);
    if (*end || port < 1 || port > 65535 || host_size == 0)
        return -1;
    int written = snprintf (endpoint, size, "tcp://%.*s:%ld", host_size, colon ? text : host, port);
    return written > 0 && written < size ? 0 : -1;
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

//  The listener thread: with its own context and SUB socket, listens to every peer in arg
//  (a NULL-terminated list, as argv is) and prints what they write, forever. Detached: it
//  ends with the process.
static void *
s_listener (void *arg)
{
    char **peers = arg;
    void *context = zmq_ctx_new ();
    void *sub = context ? zmq_socket (context, ZMQ_SUB) : NULL;
    //  A SUB socket only receives the messages that start with a prefix it subscribed to.
    //  Every message starts with "", so this subscribes to everything.
    if (!sub || zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0) != 0)
        err (1, "SUB socket"); // err() ends the whole process, not just this thread
    for (int i = 0; peers[i]; i++) {
        char endpoint[ENDPOINT_MAX_BYTES];
        //  One SUB socket can connect to any number of publishers
        if (s_endpoint (peers[i], "localhost", endpoint, sizeof endpoint) != 0)
            printf ("bad peer \"%s\": use PORT or HOST:PORT\n", peers[i]);
        else if (zmq_connect (sub, endpoint) != 0)
            printf ("cannot listen to %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        else
            printf ("listening to %s\n", endpoint);
    }
    char line[LINE_MAX_BYTES];
    while (s_receive (sub, line, sizeof line) >= 0)
        printf ("peer: %s\n", line);
    err (1, "zmq_recv");
}

//  Open the main thread's PUB socket, in context (NULL if zmq_ctx_new() failed), and bind it
//  to endpoint, our own port.
static void *
s_open_publisher (void *context, const char *endpoint)
{
    void *pub = context ? zmq_socket (context, ZMQ_PUB) : NULL;
    int linger_ms = LINGER_MS;
    if (!pub || zmq_setsockopt (pub, ZMQ_LINGER, &linger_ms, sizeof linger_ms) != 0)
        err (1, "PUB socket");
    //  The publisher binds, so that any number of subscribers can connect to our port
    if (zmq_bind (pub, endpoint) != 0)
        err (1, "%s", endpoint);
    return pub;
}

//  Start the listener thread, listening to peers (a NULL-terminated list, as argv is).
static void
s_start_listener (char **peers)
{
    pthread_t listener;
    int error = pthread_create (&listener, NULL, s_listener, peers);
    if (error == 0)
        error = pthread_detach (listener); // nobody waits for it: it ends with the process
    if (error != 0)
        errx (1, "cannot start the listener thread: %s", strerror (error));
}

//  Send each line the user types to every subscriber, until the quit word or end of input.
static void
s_send_lines (void *pub)
{
    char line[LINE_MAX_BYTES];
    while (fgets (line, sizeof line, stdin)) {
        line[strcspn (line, "\n")] = 0;
        if (strcmp (line, QUIT_WORD) == 0)
            break;
        //  A PUB socket never waits: with nobody subscribed, the line is just dropped. A new
        //  subscriber misses the lines sent in the moment before its subscription arrives.
        if (zmq_send (pub, line, strlen (line), 0) < 0)
            printf ("not sent: %s\n", zmq_strerror (zmq_errno ()));
    }
}

int
main (int argc, char **argv)
{
    char endpoint[ENDPOINT_MAX_BYTES];
    //  "*" as the host: listen on every network interface of this computer
    if (argc < 2 || s_endpoint (argv[1], "*", endpoint, sizeof endpoint) != 0)
        errx (2, "usage: %s PORT [PEER (PORT or HOST:PORT)]...", argv[0]);
    setvbuf (stdout, NULL, _IOLBF, 0); // print each line at once, even into a pipe or file

    void *context = zmq_ctx_new ();
    void *pub = s_open_publisher (context, endpoint);
    s_start_listener (argv + 2);
    printf ("listening on %s; write whenever you like, %s quits\n", endpoint, QUIT_WORD);
    s_send_lines (pub);

    zmq_close (pub);
    zmq_ctx_term (context);
    return 0; // ends the process, and with it the listener thread
}
