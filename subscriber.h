/*  subscriber.h - the subscriber thread: its own ZeroMQ context and SUB socket, listening to
    the peers in peers_t and handing what arrives to the inbox (inbox.h).

    The thread is a czmq actor (zactor): subscriber_new returns once the thread is ready, or
    NULL when it could not start; subscriber_destroy sends $TERM and waits for it to finish,
    STOP_WAIT_MS at most. It connects and disconnects as peers_t asks (the list wakes it
    through a file descriptor it polls, whichever thread made the change), and turns its
    socket's monitor events into the lines about connections ("connected to ...", "does not
    answer", "lost the connection", "is not a chat").

    Threads and locks, the whole of them:
    - The main thread reads readline and stdin (input.h), runs the commands (commands.h) and
      owns the XPUB socket (publisher.h) and everything that sends on it. The subscriber thread
      owns its context, its SUB socket and everything that receives (inbox.h). No socket is
      shared.
    - They share six tables, each behind its own lock that every function of the table takes
      and releases itself: the terminal (term.h), the channel table (channels.h), the peer list
      (peers.h), the room (room.h), the backlog (backlog.h) and the known keys (known.h). The
      identity (identity.h) is read-only after start.
    - Lock order: the terminal lock may be held while one of the other five is taken (readline
      completes from channels, peers and room with the terminal lock held, complete.h); no
      other lock is ever held while another is taken, and none while sending on a socket.
*/
#ifndef SUBSCRIBER_H_INCLUDED
#define SUBSCRIBER_H_INCLUDED

#include "backlog.h"
#include "channels.h"
#include "forward.h"
#include "identity.h"
#include "known.h"
#include "peers.h"
#include "room.h"
#include "roomlock.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUBSCRIBER_STOP_WAIT_MS 3000    // how long leaving waits for the thread
#define SUBSCRIBER_TICK_MS 100          // what is due (silence, repairs) is looked at this often
#define SUBSCRIBER_RECONNECT_IVL_MS 100 // first retry after a refused connection
#define SUBSCRIBER_RECONNECT_IVL_MAX_MS                                                            \
    3000 // retries back off up to this (a lost peer starts again at the first)
#define SUBSCRIBER_HANDSHAKE_IVL_MS 5000   // a port that does not speak ZeroMQ is given up after
#define SUBSCRIBER_CONNECT_TIMEOUT_MS 3000 // a host that drops our SYNs is retried after

typedef struct _subscriber_t subscriber_t;

//  Start the subscriber thread, on the shared tables (none owned; they must outlive the
//  thread). lock is the room's lock (its key is read by the thread). identity is ours (its
//  sender id, and the key private messages are sealed to); known the keys first seen for each
//  nick, shared with the main thread (known.h); port is
//  where our XPUB socket listens: the thread's subscriptions tell every publisher it connects
//  to, so they connect back. history_lines is how many lines per channel of history to ask for
//  (0: none). forward holds the authors others ask us to pass on (forward.h; may be NULL).
//  The SUB socket also accepts connections on back_port (0: a port the kernel picks), from
//  members that cannot be dialled (subscriber_back_port says where). Returns NULL (after one
//  error line) if the thread could not start. Main thread.
subscriber_t *subscriber_new (channels_t *channels, peers_t *peers, room_t *room,
                              backlog_t *backlog, const roomlock_t *lock,
                              const identity_t *identity, known_t *known, int port,
                              size_t history_lines, forward_t *forward, int back_port);

//  Where the SUB socket accepts connections from members that cannot be dialled (0: nowhere,
//  it could not bind). Main thread.
int subscriber_back_port (subscriber_t *self);

//  Stop the thread and wait, SUBSCRIBER_STOP_WAIT_MS at most, until it has closed its socket
//  and context; sets *self_p to NULL. Returns 0, or -1 if it did not finish in time: it may
//  still use the shared tables, which must then not be freed. Main thread.
int subscriber_destroy (subscriber_t **self_p);

#endif
