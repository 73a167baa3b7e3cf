/*  trust.h - \whois and \trust: who holds the key behind a nick, in a form two people can
    compare aloud, and accepting a new key for a nick (trust on first use, known.h).

    Main thread: the commands run them (commands.h); they print through term.h.
*/
#ifndef TRUST_H_INCLUDED
#define TRUST_H_INCLUDED

#include "identity.h"
#include "known.h"
#include "room.h"

//  \whois NICK: the fingerprint of the key of the member called name (or ours, or the one
//  remembered for a nick not in the room), and whether it is the one first seen for it.
void trust_whois (room_t *room, known_t *known, const identity_t *identity, const char *own_nick,
                  const char *name);

//  \trust NICK: take the key of the member called name as its nick's from now on.
void trust_accept (room_t *room, known_t *known, const char *name);

#endif
