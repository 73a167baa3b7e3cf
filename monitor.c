/*  monitor.c - what happens on the wire, from ZeroMQ's socket monitor, in plain words.

    This is how students see the network: every connection attempt, handshake, subscription
    and break, as it happens, next to the chat.
*/
#include "i18n.h"
#include "monitor.h"
#include "address.h"
#include "limits.h"
#include "term.h"
#include "text.h"

#include <czmq.h>

int
monitor_read (void *monitor, uint16_t *id, uint32_t *value, char *endpoint, size_t endpoint_size)
{
    zmsg_t *event = zmsg_recv (monitor);
    if (!event)
        return -1;
    zframe_t *head = zmsg_first (event);
    zframe_t *where = zmsg_next (event);
    int rc = -1;
    if (zframe_size (head) >= 6 && where) {
        const uint8_t *data = zframe_data (head);
        memcpy (id, data, sizeof *id);
        memcpy (value, data + 2, sizeof *value);
        char *reported = zframe_strdup (where);
        if (reported) {
            rc = address_event_endpoint (reported, endpoint, endpoint_size);
            zstr_free (&reported);
        }
    }
    zmsg_destroy (&event);
    return rc;
}

//  The sentence for an event, with one %s for the endpoint and, for some, one %u for value.
static const char *
s_sentence (uint16_t id, bool *with_value)
{
    *with_value = false;
    switch (id) {
    case ZMQ_EVENT_CONNECT_DELAYED:
        return _ ("connecting to %s ...");
    case ZMQ_EVENT_CONNECTED:
        return _ ("TCP connection to %s open");
    case ZMQ_EVENT_CONNECT_RETRIED:
        *with_value = true;
        return _ ("no answer from %s; next try in %u ms");
    case ZMQ_EVENT_LISTENING:
        return _ ("listening on %s");
    case ZMQ_EVENT_BIND_FAILED:
        return _ ("cannot listen on %s");
    case ZMQ_EVENT_ACCEPTED:
        return _ ("a peer opened a TCP connection to %s");
    case ZMQ_EVENT_ACCEPT_FAILED:
        return _ ("a peer could not connect to %s");
    case ZMQ_EVENT_CLOSED:
        return _ ("connection on %s closed");
    case ZMQ_EVENT_DISCONNECTED:
        return _ ("connection on %s broke (the other side left or failed)");
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return _ ("ZeroMQ handshake on %s done: messages can flow");
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        return _ ("handshake on %s failed");
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        *with_value = true;
        return _ ("handshake on %s failed: the other side does not speak our ZeroMQ (error "
                  "0x%x)");
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return _ ("handshake on %s refused: authentication failed");
    }
    return NULL;
}

void
monitor_describe (uint16_t id, uint32_t value, const char *endpoint, char *out, size_t outsize)
{
    bool with_value;
    const char *sentence = s_sentence (id, &with_value);
    char safe[4 * ENDPOINT_MAX_BYTES];
    if (outsize == 0)
        return;
    out[0] = 0;
    if (!sentence)
        return;
    text_sanitize (endpoint, strlen (endpoint), safe, sizeof safe);
    //  The sentences come from the table above, through gettext, with the conversions shown
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int size = with_value ? snprintf (out, outsize, sentence, safe, (unsigned) value)
                          : snprintf (out, outsize, sentence, safe);
#pragma GCC diagnostic pop
    if (size < 0)
        out[0] = 0; //  a sentence too long for out is cut, which snprintf did already
}

int
monitor_next (void *monitor, const char *socket_name, uint16_t *id, uint32_t *value, char *endpoint,
              size_t endpoint_size)
{
    if (monitor_read (monitor, id, value, endpoint, endpoint_size))
        return -1;
    if (term_debug_on ()) {
        char words[LINE_MAX_BYTES];
        monitor_describe (*id, *value, endpoint, words, sizeof words);
        if (*words)
            term_debug ("%s %s", socket_name, words);
    }
    return 0;
}
