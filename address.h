/*  address.h - peer addresses as users type them ("HOST:PORT", "PORT", "[::1]:PORT") and the
    addresses this machine can be reached by. Called from the main thread only, except
    address_unmapped(), which is pure.
*/
#ifndef ADDRESS_H_INCLUDED
#define ADDRESS_H_INCLUDED

#include "limits.h"

#include <stdbool.h>
#include <stddef.h>

//  A resolved peer address
typedef struct {
    char endpoint[ENDPOINT_MAX_BYTES]; //  "tcp://192.0.2.7:5557", what libzmq connects to
    char label[ENDPOINT_MAX_BYTES];    //  "192.0.2.7:5557", what the user sees
} address_t;

//  Parse a port number 1..65535 (digits only). Returns the port, or -1.
int address_port_parse (const char *text);

//  Split "HOST:PORT", "[V6]:PORT", a bare "PORT" (meaning localhost) or a bare "HOST" (meaning
//  PORT_DEFAULT) into host and port.
//  Returns 0, or -1 with *why set to an English reason for gettext.
int address_parse (const char *text, char *host, size_t host_size, int *port, const char **why);

//  Resolve host to a numeric address and fill address. Returns 0, or -1 with *why set.
int address_resolve (const char *host, int port, address_t *address, const char **why);

//  Parse and resolve in one step. Returns 0, or -1 with *why set.
int address_lookup (const char *text, address_t *address, const char **why);

//  address_resolve and address_lookup for an address a peer gave us (a heartbeat, a beacon,
//  a connection): numeric only, never a name to look up, so a hostile peer cannot make the
//  thread that reads it wait on DNS. Returns 0, or -1 with *why set.
int address_resolve_numeric (const char *host, int port, address_t *address, const char **why);
int address_lookup_numeric (const char *text, address_t *address, const char **why);

//  Write the IPv4 addresses of this machine's interfaces that are up, non-loopback ones first
//  and 127.0.0.1 last, separated by ", ", into out. Returns the number of addresses.
int address_local_list (char *out, size_t outsize);

//  Write the label of ip and port ("192.0.2.7:5557", "[::1]:5557") into out. Returns 0, or -1
//  if out is too small. Pure.
int address_label (const char *ip, int port, char *out, size_t outsize);

//  True when host (a numeric address or label, "127.0.0.1", "::1", "[::1]:5557") is loopback.
//  Pure.
bool address_is_loopback (const char *host);

//  The address libzmq reports for a peer ("Peer-Address"), without the "::ffff:" that a
//  dual-stack socket puts before an IPv4 address. Returns a pointer into peer_address.
const char *address_unmapped (const char *peer_address);

//  The endpoint libzmq reports in socket events, in the form we connected with: a socket with
//  IPv6 enabled reports "tcp://[::ffff:192.0.2.7]:5557" for "tcp://192.0.2.7:5557". Copies
//  the result into out. Returns 0, or -1 if it was cut. Pure.
int address_event_endpoint (const char *reported, char *out, size_t outsize);

#endif
