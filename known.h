/*  known.h - trust on first use: the key each nick had when first seen, kept in the
    known-peers file, and what a key seen now means.

    The file (conventionally identity_dir()/known-peers, built by the caller) has one line per
    nick, "NICK <64 lowercase hex digits of its Ed25519 public key>\n", and mode 0600. A new
    nick's line is appended (O_APPEND, so two chats sharing the file keep each other's lines);
    \trust rewrites the whole file atomically (a temporary file, then rename). On loading, a
    line that cannot be read is skipped, and of two lines for one nick the first counts.

    Shared by the main thread and the subscriber thread: every function takes the table's own
    mutex itself, holds it only inside this file (while the file is written, too) and never
    calls out while holding it, so it is the last lock in any order.
*/
#ifndef KNOWN_H_INCLUDED
#define KNOWN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KNOWN_MAX 1024        // nicks remembered at most; more are never remembered
#define KNOWN_WARNED_MAX 1024 // (nick, key) pairs told as changed this run, at most
#define KNOWN_KEY_BYTES 32    // an Ed25519 public key (IDENTITY_PUBLIC_BYTES)
#define KNOWN_FILE_NAME "known-peers"

typedef struct _known_t known_t;

//  What a key seen for a nick means
typedef enum {
    KNOWN_NEW,    //  the first key seen for this nick: now remembered (appended to the file)
    KNOWN_SAME,   //  the key remembered for this nick
    KNOWN_CHANGED //  another key than the one remembered for this nick
} known_verdict_t;

//  Load the known-peers file at path (NULL: memory only, for tests). A missing file is an
//  empty table; lines it cannot read are skipped. Returns NULL if out of memory.
known_t *known_new (const char *path);

//  Destroy it; sets *self_p to NULL. Safe twice.
void known_destroy (known_t **self_p);

//  What public means for nick (a valid nick, wire_nick_valid). KNOWN_NEW remembers it, and
//  appends its line to the file (a failed write is not told: memory has it for this run). A
//  nick beyond KNOWN_MAX, or an invalid one, is KNOWN_NEW every time and never remembered.
//  *first_time (may be NULL) is set true the first time in this run that this (nick, public)
//  pair got KNOWN_CHANGED, so the caller warns once per key (since the last known_trust of
//  nick; always true once KNOWN_WARNED_MAX pairs were told), and false otherwise.
known_verdict_t known_check (known_t *self, const char *nick, const uint8_t public[KNOWN_KEY_BYTES],
                             bool *first_time);

//  Accept public as nick's key from now on (\trust): replaces the remembered one, and
//  rewrites the file atomically (a temporary file with mode 0600, then rename). Returns 0; or
//  -1 if the file cannot be written (memory is updated anyway), or nick is invalid or would
//  be one more than KNOWN_MAX (then nothing changes).
int known_trust (known_t *self, const char *nick, const uint8_t public[KNOWN_KEY_BYTES]);

//  Copy the key remembered for nick into public. Returns true when there is one.
bool known_lookup (known_t *self, const char *nick, uint8_t public[KNOWN_KEY_BYTES]);

#endif
