/*  steg8_disconnect.c - extension: \disconnect KANAL, with a mutex around the shared state.

    Usage:  ./steg8_disconnect PORT [PEER]...     (as in step 5; \help lists the commands)
    \disconnect KANAL stops printing channel KANAL's lines. ZeroMQ cannot do that for us: our
    one subscription, "", covers every channel, and a subscription cannot have holes. So the
    listener thread checks each line against a list of silenced channels, which the main
    thread adds to. Data that one thread changes while another reads it needs a lock (the
    course's multiprocessing.Lock), or the reader may see it half changed: a pthread mutex.
    Everything else is as in step 7.
*/
#include <err.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024        // longest line sent or printed; longer ones are cut
#define ENDPOINT_MAX_BYTES 300     // "tcp://" + host + ":" + port
#define LINGER_MS 1000             // at the end, wait at most this long for unsent lines
#define CONNECT "\\connect "       // and a peer: listen to that peer too
#define CHANNEL "\\channel "       // and a name: write to that channel
#define DISCONNECT "\\disconnect " // and a name: stop listening to that channel
#define CHANNEL_MAX_BYTES 32       // longest channel name
#define CHANNEL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
#define BAD_CHANNEL "bad channel name \"%s\": use 1-32 letters, digits, '-' or '_'\n"
#define SILENCED_MAX 64 // channels silenced at most

static const char s_help[] = "\\help              this list\n"
                             "\\connect PEER      listen to PEER too (PORT or HOST:PORT)\n"
                             "\\channel KANAL     write to channel KANAL (at first: buddy)\n"
                             "\\disconnect KANAL  stop listening to channel KANAL\n"
                             "\\exit              quit\n";

//  The silenced channels. The main thread adds to them while the listener thread reads them:
//  each holds the lock while it uses them, so that neither sees them half changed.
static struct {
    pthread_mutex_t lock;                            // guards the two fields below
    char names[SILENCED_MAX][CHANNEL_MAX_BYTES + 1]; // the channels' names
    int count;                                       // how many
} s_silenced = {.lock = PTHREAD_MUTEX_INITIALIZER};

//  Listener thread: true if channel is silenced.
static bool
s_is_silenced (const char *channel)
{
    bool found = false;
    pthread_mutex_lock (&s_silenced.lock);
    for (int i = 0; i < s_silenced.count && !found; i++)
        found = strcmp (s_silenced.names[i], channel) == 0;
    pthread_mutex_unlock (&s_silenced.lock);
    return found;
}

//  Main thread: silence channel. Returns 0, or -1 if too many are silenced (or it is too long).
static int
s_silence (const char *channel)
{
    int result = -1;
    size_t size = strlen (channel) + 1; // with its '\0'
    pthread_mutex_lock (&s_silenced.lock);
    if (s_silenced.count < SILENCED_MAX && size <= sizeof s_silenced.names[0]) {
        memcpy (s_silenced.names[s_silenced.count++], channel, size);
        result = 0;
    }
    pthread_mutex_unlock (&s_silenced.lock);
    return result;
}

//  True if name is a channel name the real chat accepts too: 1-32 letters, digits, '-', '_'.
//  (A space or a '>' would break the format "kanal> text".)
static bool
s_channel_valid (const char *name)
{
    size_t size = strlen (name);
    return size > 0 && size <= CHANNEL_MAX_BYTES && strspn (name, CHANNEL_CHARS) == size;
}

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

//  Receive one message into text as a string of at most size - 1 bytes, safe to print; skip
//  its other parts (as in step 7). Returns its length, or -1 on error.
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
    int more = 0;
    size_t more_size = sizeof more;
    while (zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &more_size) == 0 && more)
        if (zmq_recv (socket, NULL, 0, 0) < 0)
            return -1;
    return received;
}

//  The listener thread: with its own context and SUB socket, prints the lines of every channel
//  but the silenced ones, and connects to each endpoint that comes through the pipe (arg).
static void *
s_listener (void *arg)
{
    int pipe_fd = (int) (intptr_t) arg;
    void *context = zmq_ctx_new ();
    void *sub = context ? zmq_socket (context, ZMQ_SUB) : NULL;
    //  Subscribe to "": every message, every channel
    if (!sub || zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0) != 0)
        err (1, "SUB socket");
    //  zmq_poll() sleeps until the socket has a message or the pipe has an endpoint
    zmq_pollitem_t items[] = {{sub, 0, ZMQ_POLLIN, 0}, {NULL, pipe_fd, ZMQ_POLLIN, 0}};
    char line[LINE_MAX_BYTES], endpoint[ENDPOINT_MAX_BYTES];
    while (zmq_poll (items, 2, -1) >= 0) {
        if (items[0].revents & ZMQ_POLLIN) {
            if (s_receive (sub, line, sizeof line) < 0)
                err (1, "zmq_recv");
            char *mark = strstr (line, "> "); // the end of the channel's name
            if (!mark)
                printf ("%s\n", line); // not in the course's format: print it as it is
            else {
                *mark = 0;
                if (!s_is_silenced (line))
                    printf ("[%s] %s\n", line, mark + 2);
            }
        }
        if (items[1].revents & ZMQ_POLLIN) {
            if (read (pipe_fd, endpoint, sizeof endpoint) != (ssize_t) sizeof endpoint)
                errx (1, "the pipe from the main thread broke");
            if (zmq_connect (sub, endpoint) != 0)
                printf ("cannot listen to %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
            else
                printf ("listening to %s\n", endpoint);
        }
    }
    err (1, "zmq_poll");
}

//  Main thread: ask the listener thread, through the pipe (pipe_fd), to listen to peer too.
static void
s_connect (int pipe_fd, const char *peer)
{
    char endpoint[ENDPOINT_MAX_BYTES] = ""; // zero-filled: we write all of it
    if (s_endpoint (peer, "localhost", endpoint, sizeof endpoint) != 0)
        printf ("bad peer \"%s\": use PORT or HOST:PORT\n", peer);
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

//  Start the listener thread, with a pipe to it (as in step 6). Returns the pipe's end to
//  write to.
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

//  \channel KANAL: write to channel name from now on, if it is a valid name. channel, of size
//  bytes, is the channel we write to (as in step 7).
static void
s_switch_channel (char *channel, size_t size, const char *name)
{
    //  A valid name always fits in channel
    int written = -1;
    if (s_channel_valid (name))
        written = snprintf (channel, size, "%s", name);
    if (written < 0 || (size_t) written >= size)
        printf (BAD_CHANNEL, name);
    else
        printf ("writing to [%s]\n", channel);
}

//  \disconnect KANAL: stop printing channel name's lines, if it is a valid name.
static void
s_disconnect_channel (const char *name)
{
    if (!s_channel_valid (name))
        printf (BAD_CHANNEL, name);
    else if (s_silence (name) != 0)
        printf ("too many silenced channels already\n");
    else
        printf ("no longer listening to [%s]\n", name);
}

//  Run one command, a line starting with '\' (other than \exit). pipe_fd is the writing end
//  of the pipe to the listener thread, for \connect; channel (size bytes), for \channel.
static void
s_run_command (const char *line, int pipe_fd, char *channel, size_t size)
{
    if (strcmp (line, "\\help") == 0)
        fputs (s_help, stdout);
    else if (strncmp (line, CONNECT, strlen (CONNECT)) == 0)
        s_connect (pipe_fd, line + strlen (CONNECT));
    else if (strncmp (line, CHANNEL, strlen (CHANNEL)) == 0)
        s_switch_channel (channel, size, line + strlen (CHANNEL));
    else if (strncmp (line, DISCONNECT, strlen (DISCONNECT)) == 0)
        s_disconnect_channel (line + strlen (DISCONNECT));
    else
        printf ("unknown command %s: \\help lists the commands\n", line);
}

//  Send line to channel: one frame, "kanal> text", as the course's solution and the real chat
//  send it.
static void
s_send_line (void *pub, const char *channel, const char *line)
{
    char message[CHANNEL_MAX_BYTES + 2 + LINE_MAX_BYTES]; // "kanal> text"
    int size = snprintf (message, sizeof message, "%s> %s", channel, line);
    if (size < 0 || (size_t) size >= sizeof message ||
        zmq_send (pub, message, (size_t) size, 0) < 0)
        printf ("not sent: %s\n", zmq_strerror (zmq_errno ()));
}

//  Read the user's lines until \exit or end of input: run the commands, send the other lines
//  to the channel we write to.
static void
s_read_lines (void *pub, int pipe_fd)
{
    char line[LINE_MAX_BYTES], channel[CHANNEL_MAX_BYTES + 1] = "buddy"; // the course's
    while (fgets (line, sizeof line, stdin)) {
        line[strcspn (line, "\n")] = 0;
        if (strcmp (line, "\\exit") == 0)
            break;
        else if (line[0] == '\\')
            s_run_command (line, pipe_fd, channel, sizeof channel);
        else
            s_send_line (pub, channel, line);
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
