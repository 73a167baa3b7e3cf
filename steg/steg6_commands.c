/*  steg6_commands.c - extension: the commands \help and \connect.

    Usage:  ./steg6_commands PORT [PEER]...     (as in step 5)
    A line starting with '\' is a command: \help lists them, \connect PEER listens to one more
    peer while the chat runs, \exit quits. Any other line is sent.

    Only the listener thread may use its SUB socket (sockets are not thread-safe), so the main
    thread must ASK it to connect. An inproc:// PAIR socket between the threads would only work
    if they shared a context, and the thread has its own (step 3). A list behind a mutex would
    not wake the thread up from zmq_recv(). So we use a pipe(): the main thread writes the
    endpoint into it, and the thread waits with zmq_poll() on its SUB socket AND the pipe's
    file descriptor, waking up as soon as either has something. No sleep-and-check loop.
*/
#include <err.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024    // longest line sent or printed; longer ones are cut
#define ENDPOINT_MAX_BYTES 300 // "tcp://" + host + ":" + port
#define LINGER_MS 1000         // at the end, wait at most this long for unsent lines
#define CONNECT "\\connect "   // and a peer: listen to that peer too

static const char s_help[] = "\\help          this list\n"
                             "\\connect PEER  listen to PEER too (PORT or HOST:PORT)\n"
                             "\\exit          quit\n";

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

//  Receive one message into text as a string of at most size - 1 bytes, safe to print (as in
//  step 5). Returns its length, or -1 on error.
static int
s_receive (void *socket, char *text, int size)
{
    int received = zmq_recv (socket, text, (size_t) size - 1, 0); // returns the full size
    if (received < 0)
        return -1;
    if (received > size - 1)
        received = size - 1;
    for (int i = 0; i < received; i++)
        if ((unsigned char) text[i] < 32 || text[i] == 127)
            text[i] = '?';
    text[received] = 0;
    return received;
}

//  The listener thread: with its own context and SUB socket, prints what the peers write, and
//  connects to each endpoint that comes through the pipe whose reading end is arg.
static void *
s_listener (void *arg)
{
    int pipe_fd = (int) (intptr_t) arg;
    void *context = zmq_ctx_new ();
    void *sub = context ? zmq_socket (context, ZMQ_SUB) : NULL;
    //  Subscribe to "": every message
    if (!sub || zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0) != 0)
        err (1, "SUB socket"); // err() ends the whole process, not just this thread
    //  What zmq_poll() waits for: a message on the socket, or something in the pipe
    zmq_pollitem_t items[] = {{sub, 0, ZMQ_POLLIN, 0}, {NULL, pipe_fd, ZMQ_POLLIN, 0}};
    char line[LINE_MAX_BYTES], endpoint[ENDPOINT_MAX_BYTES];
    //  zmq_poll() sleeps until one of them is ready (-1: no time limit), then says which
    while (zmq_poll (items, 2, -1) >= 0) {
        if (items[0].revents & ZMQ_POLLIN) {
            if (s_receive (sub, line, sizeof line) < 0)
                err (1, "zmq_recv");
            printf ("peer: %s\n", line);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            //  The main thread writes whole endpoints of ENDPOINT_MAX_BYTES: read one
            if (read (pipe_fd, endpoint, sizeof endpoint) != (ssize_t) sizeof endpoint)
                errx (1, "the pipe from the main thread broke");
            //  A SUB socket may connect to more publishers at any time
            if (zmq_connect (sub, endpoint) != 0)
                printf ("cannot listen to %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
            else
                printf ("listening to %s\n", endpoint);
        }
    }
    err (1, "zmq_poll");
}

//  Main thread: ask the listener thread, through the pipe whose writing end is pipe_fd, to
//  listen to peer (PORT or HOST:PORT) too.
static void
s_connect (int pipe_fd, const char *peer)
{
    char endpoint[ENDPOINT_MAX_BYTES] = ""; // zero-filled: we write all of it
    if (s_endpoint (peer, "localhost", endpoint, sizeof endpoint) != 0)
        printf ("bad peer \"%s\": use PORT or HOST:PORT\n", peer);
    //  A pipe never splits a write of at most PIPE_BUF (4096) bytes: the thread reads it whole
    else if (write (pipe_fd, endpoint, sizeof endpoint) != (ssize_t) sizeof endpoint)
        err (1, "write");
}

//  Open the main thread's PUB socket, in context (NULL if zmq_ctx_new() failed), and bind it
//  to endpoint, our own port (as in step 5).
static void *
s_open_publisher (void *context, const char *endpoint)
{
    void *pub = context ? zmq_socket (context, ZMQ_PUB) : NULL;
    int linger_ms = LINGER_MS;
    if (!pub || zmq_setsockopt (pub, ZMQ_LINGER, &linger_ms, sizeof linger_ms) != 0)
        err (1, "PUB socket");
    if (zmq_bind (pub, endpoint) != 0)
        err (1, "%s", endpoint);
    return pub;
}

//  Start the listener thread, with a pipe to it. Returns the pipe's end to write to.
static int
s_start_listener (void)
{
    int pipe_fds[2]; // [0]: the end to read from, [1]: the end to write to
    if (pipe (pipe_fds) != 0)
        err (1, "pipe");
    pthread_t listener;
    int error = pthread_create (&listener, NULL, s_listener, (void *) (intptr_t) pipe_fds[0]);
    if (error == 0)
        error = pthread_detach (listener); // nobody waits for it: it ends with the process
    if (error != 0)
        errx (1, "cannot start the listener thread: %s", strerror (error));
    return pipe_fds[1];
}

//  Run one command, a line starting with '\' (other than \exit). pipe_fd is the writing end
//  of the pipe to the listener thread, for \connect.
static void
s_run_command (const char *line, int pipe_fd)
{
    if (strcmp (line, "\\help") == 0)
        fputs (s_help, stdout);
    else if (strncmp (line, CONNECT, strlen (CONNECT)) == 0)
        s_connect (pipe_fd, line + strlen (CONNECT));
    else
        printf ("unknown command %s: \\help lists the commands\n", line);
}

//  Read the user's lines until \exit or end of input: run the commands, send the other lines.
static void
s_read_lines (void *pub, int pipe_fd)
{
    char line[LINE_MAX_BYTES];
    while (fgets (line, sizeof line, stdin)) {
        line[strcspn (line, "\n")] = 0;
        if (strcmp (line, "\\exit") == 0)
            break;
        else if (line[0] == '\\')
            s_run_command (line, pipe_fd);
        else if (zmq_send (pub, line, strlen (line), 0) < 0)
            printf ("not sent: %s\n", zmq_strerror (zmq_errno ()));
    }
}

int
main (int argc, char **argv)
{
    char endpoint[ENDPOINT_MAX_BYTES];
    if (argc < 2 || s_endpoint (argv[1], "*", endpoint, sizeof endpoint) != 0)
        errx (2, "usage: %s PORT [PEER (PORT or HOST:PORT)]...", argv[0]);
    setvbuf (stdout, NULL, _IOLBF, 0); // print each line at once, even into a pipe or file

    void *context = zmq_ctx_new ();
    void *pub = s_open_publisher (context, endpoint);
    int pipe_fd = s_start_listener ();
    for (int i = 2; i < argc; i++)
        s_connect (pipe_fd, argv[i]);
    printf ("listening on %s; write whenever you like, \\help lists the commands\n", endpoint);
    s_read_lines (pub, pipe_fd);

    zmq_close (pub);
    zmq_ctx_term (context);
    return 0; // ends the process, and with it the listener thread
}
