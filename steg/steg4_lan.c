/*  steg4_lan.c - step 4: chat between two computers on a local network.

    Usage:  ./steg4_lan [PORT]

    Step 3, plus: it prints this computer's addresses on the local network, for the person next
    to you to type, and asks for an address as well as a port to connect to (empty: localhost,
    this computer, as before). Type \exit to quit. The course's Python gets the address from
    gethostbyname(gethostname()), which often answers 127.0.1.1; we ask the network interfaces.
*/
#define _DEFAULT_SOURCE // getifaddrs() is not in plain C11

#include <arpa/inet.h>
#include <err.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINE_MAX_BYTES 1024    // longest line sent or printed; longer ones are cut
#define HOST_MAX_BYTES 256     // longest address or host name typed
#define ENDPOINT_MAX_BYTES 300 // "tcp://" + host + ":" + port
#define LINGER_MS 1000         // at the end, wait at most this long for unsent lines
#define SEND_TIMEOUT_MS 3000   // give up a line nobody is connected to receive
#define QUIT_WORD "\\exit"     // typing this ends the program

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

//  Print this computer's IPv4 addresses on the local network, for a neighbour to type in.
static void
s_print_lan_addresses (void)
{
    struct ifaddrs *interfaces;
    if (getifaddrs (&interfaces) != 0) {
        warn ("getifaddrs");
        return;
    }
    int found = 0;
    for (struct ifaddrs *i = interfaces; i; i = i->ifa_next) {
        //  IPv4 only, and not the loopback (127.0.0.1): only this computer reaches that one
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
            (i->ifa_flags & IFF_LOOPBACK))
            continue;
        char address[INET_ADDRSTRLEN];
        struct sockaddr_in *ipv4 = (struct sockaddr_in *) i->ifa_addr;
        if (inet_ntop (AF_INET, &ipv4->sin_addr, address, sizeof address)) {
            printf ("your LAN address: %s (%s)\n", address, i->ifa_name);
            found++;
        }
    }
    if (!found)
        printf ("no LAN address: only this computer (localhost) can reach you\n");
    freeifaddrs (interfaces);
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

//  Ask for the other side's address (empty: localhost) and port, and write its endpoint into
//  endpoint (size bytes). Returns false at end of input.
static bool
s_ask_peer (char *endpoint, size_t size)
{
    char host[HOST_MAX_BYTES], line[LINE_MAX_BYTES];
    printf ("address to connect to (empty line: localhost):\n");
    if (!fgets (host, sizeof host, stdin))
        return false;
    host[strcspn (host, "\n")] = 0;
    printf ("port to connect to:\n");
    if (!fgets (line, sizeof line, stdin))
        return false;
    line[strcspn (line, "\n")] = 0;
    if (s_port (line) < 0)
        errx (2, "bad port \"%s\": use a number from 1 to 65535", line);
    const char *address = *host ? host : "localhost";
    int written = snprintf (endpoint, size, "tcp://%s:%d", address, s_port (line));
    if (written < 0 || (size_t) written >= size)
        errx (2, "address too long: %s", host);
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
    s_print_lan_addresses ();

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
