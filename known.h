/*  known.h - trust on first use: the key first seen for each nick, remembered in a file beside
    our key (known-peers), so a different key using a remembered nick is shown and told.

    Shared by the subscriber thread (every signed line and heartbeat is checked) and the main
    thread (\whois, \trust), so every function takes the table's own lock and releases it
    before it returns; none calls out with it held (subscriber.h has the lock order).
*/
#ifndef KNOWN_H_INCLUDED
#define KNOWN_H_INCLUDED

#include "limits.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KNOWN_MAX 1024      // nicks remembered at most; more are checked but not kept
#define KNOWN_WARNED_MAX 64 // changed keys warned of in this run, so each is told once
#define KNOWN_FILE "known-peers"

typedef struct _known_t known_t;

//  What a key means for a nick
typedef enum {
    KNOWN_NEW,    //  the first key seen for this nick: now remembered
    KNOWN_SAME,   //  the key remembered for this nick
    KNOWN_CHANGED //  another key than the one remembered
} known_verdict_t;

//  Load the file at path (NULL: in memory only). A missing file is empty; a line it cannot
//  read is skipped. Returns NULL if out of memory.
known_t *known_new (const char *path);

//  Destroy it; sets *self_p to NULL. Safe twice.
void known_destroy (known_t **self_p);

//  What public_key means for nick; a new one is remembered (and appended to the file).
//  *first_time (may be NULL) is true the first time in this run a changed key is seen.
known_verdict_t known_check (known_t *self, const char *nick,
                             const uint8_t public_key[WIRE_PUBLIC_BYTES], bool *first_time);

//  Take public_key as nick's key from now on (\trust): the file is written again. Returns 0,
//  or -1 if it cannot be written (the table is changed anyway).
int known_trust (known_t *self, const char *nick, const uint8_t public_key[WIRE_PUBLIC_BYTES]);

//  Copy the key remembered for nick into public_key. Returns true when there is one.
bool known_lookup (known_t *self, const char *nick, uint8_t public_key[WIRE_PUBLIC_BYTES]);

#endif
