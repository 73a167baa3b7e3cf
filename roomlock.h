/*  roomlock.h - a locked room: its key from the passphrase, CURVE on both sockets, the ZAP
    handler that admits only the room's key, and the lines that say who was refused.

    Everyone who knows the passphrase derives the same keys: Argon2id (libsodium's
    crypto_pwhash) with a fixed salt and fixed limits turns the passphrase into a 32-byte seed;
    crypto_box_seed_keypair turns the seed into a Curve25519 key pair, and
    crypto_kdf_derive_from_key into the content key that seals each line (roomseal.h). Every
   member's XPUB socket is a CURVE server with that secret key (roomlock_serve), every SUB socket a
   CURVE client that expects that server key and presents the same pair as its own (roomlock_join),
    and the ZAP handler admits only clients presenting the room's public key. So only those who
    know the passphrase can connect, read or write; PROTOKOLL.md section 15 says what this
    protects and what it does not. The salt and limits are part of the protocol: change one and
    no chat of an earlier version derives the same key.

    An open room is a roomlock_t too, one that is not locked: every function then does nothing.
    Main thread, except roomlock_join, roomlock_content and roomlock_report_refused, which only read
   the key (set once, before the subscriber thread starts) and may be called from the subscriber
    thread.
*/
#ifndef ROOMLOCK_H_INCLUDED
#define ROOMLOCK_H_INCLUDED

#include "roomseal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMLOCK_SALT "chat-room-key-v1"           // 16 bytes (crypto_pwhash_SALTBYTES)
#define ROOMLOCK_OPSLIMIT 2                        // Argon2id passes (libsodium's "interactive")
#define ROOMLOCK_MEMLIMIT_BYTES (64 * 1024 * 1024) // Argon2id memory (libsodium's "interactive")
#define ROOMLOCK_KEY_BYTES 32                      // a Curve25519 key
#define ROOMLOCK_PASSPHRASE_MAX_BYTES 1024         // longest passphrase
#define ROOMLOCK_FINGERPRINT_BYTES 10              // "1a2b-3c4d" and its NUL
#define ROOMLOCK_REFUSED_NOTICE_MS 60000           // a refusal is told once in this time at most
#define ROOMLOCK_ZAP_ENDPOINT "inproc://zeromq.zap.01" // where libzmq asks (RFC 27)

typedef struct _roomlock_t roomlock_t;

//  Create an open room's lock (roomlock_lock locks it). Returns NULL if out of memory.
roomlock_t *roomlock_new (void);

//  Destroy it: wipes the key, closes the ZAP handler; sets *self_p to NULL. Safe twice.
void roomlock_destroy (roomlock_t **self_p);

//  Lock the room with passphrase, 1..ROOMLOCK_PASSPHRASE_MAX_BYTES bytes; "-" asks for it on
//  the terminal without echo (or reads the first line of stdin). Takes about a tenth of a
//  second and 64 MiB, once. Returns 0; or the exit status to leave with, with *why set to an
//  English reason for gettext: 2 when no passphrase was given or it is too long, 1 when the
//  key cannot be derived (libsodium failed to start, out of memory).
int roomlock_lock (roomlock_t *self, const char *passphrase, const char **why);

//  True when the room is locked.
bool roomlock_locked (const roomlock_t *self);

//  The room's content key, which seals and opens its lines; NULL for an open room. Any thread.
const roomseal_t *roomlock_content (const roomlock_t *self);

//  The room's public key (ROOMLOCK_KEY_BYTES), or NULL for an open room.
const uint8_t *roomlock_public_key (const roomlock_t *self);

//  Write the key's fingerprint ("1a2b-3c4d", from a hash of the public key) into out, for
//  members to compare aloud. Returns 0, or -1 if out is too small or the room is open.
int roomlock_fingerprint (const roomlock_t *self, char *out, size_t outsize);

//  Make xpub (a czmq XPUB socket, not bound yet) the room's CURVE server, and start the ZAP
//  handler in its context. Returns 0, or -1 if the handler cannot bind. Nothing for an open
//  room.
int roomlock_serve (roomlock_t *self, void *xpub);

//  The ZAP handler's socket, to poll for requests; NULL for an open room.
void *roomlock_zap (roomlock_t *self);

//  Answer one request of libzmq's: may this client connect? Only one that presents the room's
//  public key may. A refusal is told in one line (once a minute at most).
void roomlock_answer (roomlock_t *self);

//  The XPUB socket saw a handshake fail (monitor event id, detail value): tell why, when the
//  lock is the reason (once a minute at most).
void roomlock_publisher_refused (roomlock_t *self, uint16_t id, uint32_t value);

//  Make sub (a libzmq SUB socket, not connected yet) a CURVE client of the room: it expects
//  the room's key from every publisher and presents it as its own. Nothing for an open room.
//  Any thread.
void roomlock_join (const roomlock_t *self, void *sub);

//  The SUB socket's handshake with the chat at label failed (monitor event id, detail value):
//  say why in one line (a room locked with another key, a locked room we have no key for, or
//  no chat at all). Any thread.
void roomlock_report_refused (const roomlock_t *self, const char *label, uint16_t id,
                              uint32_t value);

#endif
