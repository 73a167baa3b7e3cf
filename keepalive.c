/*  keepalive.c - the TCP options both of a chat's sockets share (see keepalive.h).
 */
#include "keepalive.h"

#include <zmq.h>

int
keepalive_set (void *socket)
{
    int on = 1, idle = KEEPALIVE_IDLE_S, interval = KEEPALIVE_INTERVAL_S;
    int probes = KEEPALIVE_PROBES;
    int failed = zmq_setsockopt (socket, ZMQ_TCP_KEEPALIVE, &on, sizeof on) |
                 zmq_setsockopt (socket, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof idle) |
                 zmq_setsockopt (socket, ZMQ_TCP_KEEPALIVE_INTVL, &interval, sizeof interval) |
                 zmq_setsockopt (socket, ZMQ_TCP_KEEPALIVE_CNT, &probes, sizeof probes);
    return failed ? -1 : 0;
}
