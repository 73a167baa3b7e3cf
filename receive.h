/*  receive.h - reading the SUB socket: every message waiting, its first INBOX_FRAMES_MAX frames,
    its sender's address (libzmq's Peer-Address) and whether its connection says it is a chat's
    (the ZMTP property X-Chatt, publisher.h), each handed to inbox_handle. Subscriber thread.
*/
#ifndef RECEIVE_H_INCLUDED
#define RECEIVE_H_INCLUDED

#include "inbox.h"

//  Receive and hand to inbox every message waiting on sub (a SUB socket whose ZMQ_RCVTIMEO is
//  0: it returns when none waits).
void receive_messages (void *sub, inbox_t *inbox);

#endif
