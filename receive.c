/*  receive.c - reading the SUB socket: each message's frames, where it came from, and whether
    its connection says it is a chat's, handed to the inbox (see receive.h).

    Messages land in zmq_msg_t reused from message to message: no allocation per message, as
    zmsg_recv would make.
*/
#include "receive.h"
#include "address.h"
#include "control.h"
#include "publisher.h"

#include <czmq.h>

//  Receive the rest of a message whose first frame is in parts[0]: up to INBOX_FRAMES_MAX
//  frames into parts, the others dropped. Returns the number of frames in the message.
static size_t
s_receive_rest (void *sub, zmq_msg_t *parts, size_t *count)
{
    size_t total = 1;
    *count = 1;
    zmq_msg_t *last = &parts[0];
    zmq_msg_t dropped;
    zmq_msg_init (&dropped);
    while (zmq_msg_more (last)) {
        zmq_msg_t *into = *count < INBOX_FRAMES_MAX ? &parts[*count] : &dropped;
        if (zmq_msg_recv (into, sub, 0) < 0)
            break;
        total++;
        if (into != &dropped)
            (*count)++;
        last = into;
    }
    zmq_msg_close (&dropped);
    return total;
}

//  True when frame holds exactly the string text.
static bool
s_is (const inbox_frame_t *frame, const char *text)
{
    return frame->size == strlen (text) && memcmp (frame->data, text, frame->size) == 0;
}

//  True when whether a message's connection is a chat's (X-Chatt) matters: a one-frame line,
//  a heartbeat, or a heartbeat for us alone (kind "beat" on a private topic; not the resent
//  lines and history, which come by the thousand).
static bool
s_asks_origin (const inbox_frame_t *frames, size_t count)
{
    const inbox_frame_t *first = &frames[0];
    if (count == 1)
        return first->size > 0 && first->data[0] != CONTROL_PREFIX[0];
    return s_is (first, CONTROL_BEAT) || (first->size > 0 && first->data[0] == CONTROL_PRIVATE[0] &&
                                          s_is (&frames[1], CONTROL_KIND_BEAT));
}

void
receive_messages (void *sub, inbox_t *inbox)
{
    zmq_msg_t parts[INBOX_FRAMES_MAX];
    inbox_frame_t frames[INBOX_FRAMES_MAX];
    for (size_t i = 0; i < INBOX_FRAMES_MAX; i++)
        zmq_msg_init (&parts[i]);
    //  RCVTIMEO is 0: the first receive fails when no message is waiting
    while (zmq_msg_recv (&parts[0], sub, 0) >= 0) {
        size_t count;
        size_t total = s_receive_rest (sub, parts, &count);
        for (size_t i = 0; i < count; i++)
            frames[i] = (inbox_frame_t){zmq_msg_data (&parts[i]), zmq_msg_size (&parts[i])};
        const char *address = zmq_msg_gets (&parts[0], "Peer-Address");
        address = address ? address_unmapped (address) : "?";
        //  Asked only of one-frame lines (a course peer's, or a chat's copy of its line) and of
        //  heartbeats (a --plain chat's come without it): not of every message
        bool from_chat = false;
        if (s_asks_origin (frames, count)) {
            const char *version = zmq_msg_gets (&parts[0], PUBLISHER_METADATA);
            from_chat = version && streq (version, PUBLISHER_METADATA_VALUE);
        }
        inbox_handle (inbox, frames, count, total, address, from_chat, zclock_mono ());
    }
    for (size_t i = 0; i < INBOX_FRAMES_MAX; i++)
        zmq_msg_close (&parts[i]);
}
