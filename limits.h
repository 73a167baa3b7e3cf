/*  limits.h - the limits and protocol constants every module shares.

    Not the C library's <limits.h>: this one is always included with quotes, and the build adds
    this folder with -iquote only, never -I, so <limits.h> stays the system's.

    Each limit is named with its unit and bounds a buffer somewhere; change one here and every
    check that depends on it follows. PROTOKOLL.md documents the ones that are part of the wire.
*/
#ifndef CHAT_LIMITS_H_INCLUDED
#define CHAT_LIMITS_H_INCLUDED

#define PORT_DEFAULT 5557       // the course's port
#define CHANNEL_DEFAULT "buddy" // the course's channel
#define NAME_MAX_CHARS 32       // longest channel name or nick, in characters
#define NAME_MAX_BYTES 64       // ... in bytes (every allowed character is 1 or 2 bytes)
#define TEXT_MAX_BYTES 4096     // longest message text, in bytes of UTF-8
#define FRAME_MAX_BYTES (NAME_MAX_BYTES + 2 + TEXT_MAX_BYTES) // "kanal> text"
#define CHANNELS_MAX 128              // channels remembered (written to, silenced or seen)
#define SOCKET_MAXMSGSIZE_BYTES 65536 // ZMQ_MAXMSGSIZE: a bigger frame cuts the sender off
#define SOCKET_HWM_MESSAGES                                                                        \
    1000                   // queue per connection, each way: flow control (outbox.h)
                           // keeps senders at their listeners' pace, so a longer
                           // queue would only add memory (10,000: 37 MB a peer, not 14)
#define CONTROL_PREFIX "~" // topics starting with this are control, never a channel
#define BEACON_PORT 5657   // UDP port of LAN discovery beacons (czmq's zbeacon)
#define SANITIZED_MAX_BYTES (4 * FRAME_MAX_BYTES + 64) // escaping grows text at most 4 times
#define LINE_MAX_BYTES (SANITIZED_MAX_BYTES + 256)     // one formatted line on the terminal
#define ENDPOINT_MAX_BYTES 300                         // "tcp://" + host + ":" + port
#define HOST_MAX_BYTES 256                             // host name or address as the user typed it

#endif
