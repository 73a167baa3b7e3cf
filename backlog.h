/*  backlog.h - the room's recent chat lines, per channel: the history a peer serves to those
    who join later (or rejoin after a crash).

    Each line is kept as it travelled: frame 1 ("kanal> text") and frame 2 (the metadata), so
    serving it is sending it again. Only lines with metadata are kept (they carry the sender and
    seq that let the joiner drop duplicates). Bounded three ways: lines per channel, channels
    (CHANNELS_MAX), and bytes in all; the oldest lines go first.

    Shared by the subscriber thread (lines heard, history received) and the main thread (our own
    lines, and serving history), so every function takes the backlog's own lock (subscriber.h
    has the lock order).
*/
#ifndef BACKLOG_H_INCLUDED
#define BACKLOG_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BACKLOG_LINES_DEFAULT 50            // lines kept and served per channel (--history N)
#define BACKLOG_LINES_MAX 1000              // --history at most
#define BACKLOG_BYTES_MAX (4 * 1024 * 1024) // frame bytes kept over all channels at most
#define BACKLOG_SENDER_SERVE_MAX 1024       // lines of one sender served at once, at most

typedef struct _backlog_t backlog_t;

//  Called once per line served, oldest first: the two frames as they were received or sent.
typedef void (backlog_serve_fn) (const void *line, size_t line_size, const void *meta,
                                 size_t meta_size, void *arg);

//  Create an empty backlog keeping lines_per_channel lines per channel (1..BACKLOG_LINES_MAX;
//  0 keeps none). Returns NULL if out of memory or lines_per_channel is out of range.
backlog_t *backlog_new (size_t lines_per_channel);

//  Destroy the backlog; sets *self_p to NULL. Safe twice.
void backlog_destroy (backlog_t **self_p);

//  Keep a line: frame 1 and frame 2 as on the wire (both are decoded again here; a frame that
//  does not decode is refused). A line from the same sender with the same seq as one kept is a
//  duplicate and is not kept again. A line older (by its send time) than lines kept for its
//  channel is put in its place, so a channel's lines stay in time order. Returns 0 when kept,
//  1 for a duplicate, -1 when refused.
int backlog_add (backlog_t *self, const void *line, size_t line_size, const void *meta,
                 size_t meta_size);

//  backlog_add for frames the caller has decoded already (into channel_name and meta_decoded,
//  as wire_decode_line and wire_decode_meta do): the same, without decoding them again.
int backlog_keep (backlog_t *self, const void *line, size_t line_size, const void *meta,
                  size_t meta_size, const char *channel_name, const wire_meta_t *meta_decoded);

//  Serve the last lines_per_channel lines of each channel (at most what is kept), all channels
//  together oldest first, through serve (NULL: only count them). They are copied first, so
//  serve runs without the lock held (it may send on a socket, or call the backlog). Returns the
//  number of lines served.
size_t backlog_serve (backlog_t *self, size_t lines_per_channel, backlog_serve_fn *serve,
                      void *arg);

//  Serve the lines kept from sender with seq from on (at most BACKLOG_SENDER_SERVE_MAX), in
//  seq order, through serve, as backlog_serve does: a member forwarding sender's lines
//  resends them from here. Returns the number served.
size_t backlog_serve_sender (backlog_t *self, const uint8_t sender[WIRE_SENDER_BYTES],
                             uint64_t from, backlog_serve_fn *serve, void *arg);

//  Number of lines kept, over all channels.
size_t backlog_size (backlog_t *self);

#endif
