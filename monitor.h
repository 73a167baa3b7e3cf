/*  monitor.h - what happens on the wire, from ZeroMQ's socket monitor, in plain words.

    Both threads watch their own socket with zmq_socket_monitor(): the subscriber thread its SUB
    socket (connection states, subscriber.c), the main thread its XPUB socket (publisher.c).
    These helpers read one event and describe it for --verbose and \debug on. Safe from any
    thread.
*/
#ifndef MONITOR_H_INCLUDED
#define MONITOR_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

//  Read one event from a monitor socket (a libzmq or czmq PAIR). Fills id, value and endpoint
//  (in the form we connected with, see address_event_endpoint()). Returns 0, or -1 if nothing
//  could be read or the event was malformed.
int monitor_read (void *monitor, uint16_t *id, uint32_t *value, char *endpoint,
                  size_t endpoint_size);

//  Describe an event in the user's language: "connecting to tcp://127.0.0.1:5558 ...". Writes
//  an empty string for events not worth telling.
void monitor_describe (uint16_t id, uint32_t value, const char *endpoint, char *out,
                       size_t outsize);

//  Read one event from a monitor socket and, when the view of the wire is on, show it as one
//  line starting with socket_name ("SUB", "PUB"). Returns 0 with id, value (its detail: an
//  error code, a ZAP status) and endpoint filled, or -1.
int monitor_next (void *monitor, const char *socket_name, uint16_t *id, uint32_t *value,
                  char *endpoint, size_t endpoint_size);

#endif
