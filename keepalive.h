/*  keepalive.h - the TCP options both of a chat's sockets share, so that a member whose
    machine vanishes without a word (a closed lid, a pulled cable) is noticed by the kernel,
    not by our heartbeats: a connection that has received nothing for KEEPALIVE_IDLE_S is
    probed by the kernel alone (no process wakes for it, on either side), and closed when
    KEEPALIVE_PROBES probes go unanswered. libzmq then reports the break, and the member is
    gone MEMBER_GONE_MS after its last heartbeat (room.h), whatever the room's heartbeat
    interval. No TCP_USER_TIMEOUT (ZMQ_TCP_MAXRT): on a machine too busy to read, it cut the
    connections of living members whose window was full (a room of 100 forming on 2 cores).
*/
#ifndef KEEPALIVE_H_INCLUDED
#define KEEPALIVE_H_INCLUDED

#define KEEPALIVE_IDLE_S 10    // an idle connection is probed after this long ...
#define KEEPALIVE_INTERVAL_S 2 // ... then every this long
#define KEEPALIVE_PROBES 3     // ... and closed after this many unanswered (16 s in all)

//  Set the options on socket (a libzmq socket: they apply to its connections made after).
//  Returns 0, or -1 if libzmq refused one.
int keepalive_set (void *socket);

#endif
