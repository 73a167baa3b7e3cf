/*  complete.h - Tab completion, with readline's own completion API: commands after "\",
    nicks at the start of a line ("anna: "), channel names after \channel and \disconnect,
    peer addresses after \connect and \disconnect. Main thread, with the terminal lock held
    (readline calls it from inside rl_callback_read_char()).
*/
#ifndef COMPLETE_H_INCLUDED
#define COMPLETE_H_INCLUDED

#include "channels.h"
#include "peers.h"
#include "room.h"

//  Make readline complete from these (not owned; they must outlive readline's use).
void complete_install (channels_t *channels, peers_t *peers, room_t *room);

#endif
