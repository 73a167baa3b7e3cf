/*  address.c - peer addresses as users type them, and this machine's own addresses.

    Host names are resolved here, once, in the main thread, so the subscriber thread only ever
    connects to numeric endpoints and a typo is reported at once, not by a silent retry loop.
*/
#include "i18n.h"
#include "address.h"
#include "text.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int
address_port_parse (const char *text)
{
    long port = 0;
    if (!*text || strlen (text) > 5)
        return -1;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        port = port * 10 + (*c - '0');
    }
    return port >= 1 && port <= 65535 ? (int) port : -1;
}

//  The host part of "HOST:PORT" or "[V6]:PORT" (text up to colon): copies where it starts and
//  how long it is. Returns 0, or -1 with *why set for a bare IPv6 address, which is ambiguous.
static int
s_host_before (const char *text, const char *colon, const char **start, size_t *length,
               const char **why)
{
    *start = text;
    *length = (size_t) (colon - text);
    //  "[v6]:port": drop the brackets
    if (*length >= 2 && text[0] == '[' && text[*length - 1] == ']') {
        (*start)++;
        *length -= 2;
    } else if (memchr (text, ':', *length)) {
        *why = N_ ("write an IPv6 address in brackets, like [::1]:5557");
        return -1;
    }
    return 0;
}

//  The host of text without a port: a host name or address ("[v6]" without its brackets) when
//  bare_host, else localhost (text is a bare port). Copies where it starts and how long it is.
static void
s_host_alone (const char *text, bool bare_host, const char **start, size_t *length)
{
    if (!bare_host) {
        *start = "127.0.0.1";
        *length = strlen (*start);
        return;
    }
    bool bracketed = text[0] == '[';
    *start = text + (bracketed ? 1 : 0);
    *length = strlen (text) - (bracketed ? 2 : 0);
}

int
address_parse (const char *text, char *host, size_t host_size, int *port, const char **why)
{
    size_t text_length = strlen (text);
    const char *colon = strrchr (text, ':');
    //  "[v6]" alone: a bracketed host without a port
    if (text[0] == '[' && text[text_length - 1] == ']')
        colon = NULL;
    const char *host_start = text;
    size_t host_length = 0;
    if (colon && s_host_before (text, colon, &host_start, &host_length, why))
        return -1;
    //  A bare host name or address means the default port, as a bare number means localhost
    bool bare_host = !colon && strspn (text, "0123456789") != text_length;
    *port = bare_host ? PORT_DEFAULT : address_port_parse (colon ? colon + 1 : text);
    if (*port < 0) {
        *why = N_ ("the port must be a number from 1 to 65535");
        return -1;
    }
    if (colon && host_length == 0) {
        *why = N_ ("the host is missing before ':'");
        return -1;
    }
    if (!colon)
        s_host_alone (text, bare_host, &host_start, &host_length);
    if (host_length >= host_size) {
        *why = N_ ("the host name is too long");
        return -1;
    }
    memcpy (host, host_start, host_length);
    host[host_length] = 0;
    return 0;
}

//  address_resolve, with getaddrinfo's flags (AI_NUMERICHOST: no name is looked up).
static int
s_resolve (const char *host, int port, int flags, address_t *address, const char **why)
{
    //  "localhost" is loopback by definition (RFC 6761), even where /etc/hosts lacks it
    if (strcasecmp (host, "localhost") == 0)
        host = "127.0.0.1";
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = flags};
    struct addrinfo *found = NULL;
    if (getaddrinfo (host, NULL, &hints, &found) != 0 || !found) {
        *why = N_ ("unknown host");
        return -1;
    }
    //  Prefer IPv4, which every peer listens on; take IPv6 only when there is nothing else
    struct addrinfo *chosen = found;
    for (struct addrinfo *each = found; each; each = each->ai_next)
        if (each->ai_family == AF_INET) {
            chosen = each;
            break;
        }
    char numeric[INET6_ADDRSTRLEN] = "";
    const void *raw = chosen->ai_family == AF_INET
                          ? (const void *) &((struct sockaddr_in *) chosen->ai_addr)->sin_addr
                          : (const void *) &((struct sockaddr_in6 *) chosen->ai_addr)->sin6_addr;
    bool v6 = chosen->ai_family == AF_INET6;
    const char *ok = inet_ntop (chosen->ai_family, raw, numeric, sizeof numeric);
    freeaddrinfo (found);
    if (!ok) {
        *why = N_ ("unknown host");
        return -1;
    }
    int endpoint_size = snprintf (address->endpoint, sizeof address->endpoint,
                                  v6 ? "tcp://[%s]:%d" : "tcp://%s:%d", numeric, port);
    int label_failed = address_label (numeric, port, address->label, sizeof address->label);
    if (endpoint_size < 0 || (size_t) endpoint_size >= sizeof address->endpoint || label_failed) {
        *why = N_ ("the host name is too long");
        return -1;
    }
    return 0;
}

int
address_resolve (const char *host, int port, address_t *address, const char **why)
{
    return s_resolve (host, port, 0, address, why);
}

int
address_resolve_numeric (const char *host, int port, address_t *address, const char **why)
{
    return s_resolve (host, port, AI_NUMERICHOST, address, why);
}

int
address_lookup (const char *text, address_t *address, const char **why)
{
    char host[HOST_MAX_BYTES];
    int port;
    if (address_parse (text, host, sizeof host, &port, why))
        return -1;
    return address_resolve (host, port, address, why);
}

int
address_lookup_numeric (const char *text, address_t *address, const char **why)
{
    char host[HOST_MAX_BYTES];
    int port;
    if (address_parse (text, host, sizeof host, &port, why))
        return -1;
    return address_resolve_numeric (host, port, address, why);
}

int
address_local_list (char *out, size_t outsize)
{
    int count = 0;
    size_t used = 0;
    if (outsize == 0)
        return 0;
    out[0] = 0;
    //  ziflist lists the interfaces that are up, can broadcast and are not loopback
    ziflist_t *interfaces = ziflist_new ();
    for (const char *name = interfaces ? ziflist_first (interfaces) : NULL; name;
         name = ziflist_next (interfaces))
        if (text_append (out, outsize, &used, "%s%s", used ? ", " : "",
                         ziflist_address (interfaces)) == 0)
            count++;
    ziflist_destroy (&interfaces);
    if (text_append (out, outsize, &used, "%s127.0.0.1", used ? ", " : "") == 0)
        count++;
    return count;
}

const char *
address_unmapped (const char *peer_address)
{
    static const char mapped[] = "::ffff:";
    if (strncmp (peer_address, mapped, sizeof mapped - 1) == 0 && strchr (peer_address, '.'))
        return peer_address + sizeof mapped - 1;
    return peer_address;
}

int
address_event_endpoint (const char *reported, char *out, size_t outsize)
{
    static const char mapped[] = "tcp://[::ffff:";
    const char *close = strchr (reported, ']');
    if (strncmp (reported, mapped, sizeof mapped - 1) != 0 || !close)
        return text_copy (out, outsize, reported);
    const char *ip = reported + sizeof mapped - 1;
    int size = snprintf (out, outsize, "tcp://%.*s%s", (int) (close - ip), ip, close + 1);
    return size < 0 || (size_t) size >= outsize ? -1 : 0;
}

int
address_label (const char *ip, int port, char *out, size_t outsize)
{
    int size = snprintf (out, outsize, strchr (ip, ':') ? "[%s]:%d" : "%s:%d", ip, port);
    return size < 0 || (size_t) size >= outsize ? -1 : 0;
}

bool
address_is_loopback (const char *host)
{
    return strncmp (host, "127.", 4) == 0 || streq (host, "::1") || strncmp (host, "[::1]", 5) == 0;
}
