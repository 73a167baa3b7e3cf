/*  roomlock.h - a locked room: its keys from the passphrase, CURVE on both sockets, the ZAP
    handler that admits only the room's members (and its relays), and the lines that say who
    was refused.

    Everyone who knows the passphrase derives the same keys: Argon2id (libsodium's
    crypto_pwhash) with a fixed salt and fixed limits turns the passphrase into a 32-byte seed;
    crypto_box_seed_keypair turns the seed into a Curve25519 key pair, and
    crypto_kdf_derive_from_key into the content key that seals each line (roomseal.h). Every
    member's XPUB socket is a CURVE server with that secret key (roomlock_serve), every SUB
    socket a CURVE client that expects that server key and presents the same pair as its own
    (roomlock_join), and the ZAP handler admits only clients presenting the room's public key,
    or the key of a relay we were told of (roomlock_admit_relay). So only those who know the
    passphrase can connect, and only they can read a line; PROTOKOLL.md section 15 says what
    this protects and what it does not. The salt, limits and kdf context are part of the
    protocol: change one and no chat of an earlier version derives the same keys.

    A relay (chat --relay) of a locked room has no passphrase: it is told the room's public
    key, and its own key pair is its identity's Ed25519 pair turned into Curve25519
    (roomlock_lock_relay). Its XPUB is a CURVE server with its own key that admits only the
    room's members; its SUB a CURVE client that expects the room's key and presents its own, so
    members admit it. A member's SUB reaches the relay's XPUB with roomlock_join_relay. The
    relay passes sealed lines on without the content key (roomlock_content is NULL).

    An open room is a roomlock_t too, one that is not locked: every function then does nothing.
    Main thread, except roomlock_join, roomlock_join_relay, roomlock_content and
    roomlock_report_refused, which only read the keys (set once, before the subscriber thread
    starts) and may be called from the subscriber thread.
*/
#ifndef ROOMLOCK_H_INCLUDED
#define ROOMLOCK_H_INCLUDED

#include "identity.h"
#include "roomseal.h"

#include "limits.h"

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
#define ROOMLOCK_ZAP_ENDPOINT "inproc://zeromq.zap.01"      // where libzmq asks (RFC 27)
#define ROOMLOCK_RELAYS_MAX 4                               // relay keys a member admits
#define ROOMLOCK_KEY_HEX_BYTES (2 * ROOMLOCK_KEY_BYTES + 1) // a key in hex, and its NUL
#define ROOMLOCK_KEY_Z85_CHARS 40                           // a key in Z85 (ZeroMQ RFC 32)

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

//  Lock the room as its relay: room_key is the room's public key (its members' CURVE key),
//  identity the relay's own (not owned; its Ed25519 pair, turned into Curve25519, is the
//  relay's CURVE key pair: roomlock_relay_key). Returns 0, or -1 for a bad key, or a lock
//  that is locked already.
int roomlock_lock_relay (roomlock_t *self, const uint8_t room_key[ROOMLOCK_KEY_BYTES],
                         const identity_t *identity);

//  True when the room is locked (as a member or as its relay).
bool roomlock_locked (const roomlock_t *self);

//  True when we are the relay of a locked room (roomlock_lock_relay).
bool roomlock_relay (const roomlock_t *self);

//  The room's content key, which seals and opens its lines; NULL for an open room, and for a
//  relay, which has no passphrase. Any thread.
const roomseal_t *roomlock_content (const roomlock_t *self);

//  A member of a locked room admits the relay whose CURVE key is relay_key: its ZAP handler
//  lets that client in (the relay's SUB), and roomlock_join_relay expects it as a server.
//  Returns 0 (also for a key admitted already), or -1 for a bad key, when ROOMLOCK_RELAYS_MAX
//  are admitted, when the room is open, or when we are a relay.
int roomlock_admit_relay (roomlock_t *self, const uint8_t relay_key[ROOMLOCK_KEY_BYTES]);

//  The relay whose CURVE key is relay_key is at endpoint ("tcp://IP:PORT", the -c of a member
//  given --relay-key): admits it (roomlock_admit_relay), and the SUB reaches it there with
//  roomlock_join_relay. Returns 0, or -1. Main thread, before the subscriber thread starts.
int roomlock_relay_at (roomlock_t *self, const char *endpoint,
                       const uint8_t relay_key[ROOMLOCK_KEY_BYTES]);

//  True when endpoint is a relay's (roomlock_relay_at): copies its key. Any thread.
bool roomlock_relay_endpoint (const roomlock_t *self, const char *endpoint,
                              uint8_t relay_key[ROOMLOCK_KEY_BYTES]);

//  The relay's CURVE public key, from its identity's Ed25519 key, into key: what its members
//  are told (--relay-key). Returns 0, or -1.
int roomlock_relay_key (const identity_t *identity, uint8_t key[ROOMLOCK_KEY_BYTES]);

//  Read a CURVE public key written as 64 hex digits (either case) or 40 Z85 characters (what
//  ZeroMQ's curve_keygen prints), nothing before or after, into key. Returns 0, or -1 if text
//  is neither, or the key is all zeros.
int roomlock_key_parse (const char *text, uint8_t key[ROOMLOCK_KEY_BYTES]);

//  Write key as 64 lowercase hex digits into out (ROOMLOCK_KEY_HEX_BYTES is enough): the form
//  printed for --relay-key and --room-key, which a shell takes without quotes. Returns 0, or
//  -1 if out is too small.
int roomlock_key_format (const uint8_t key[ROOMLOCK_KEY_BYTES], char *out, size_t outsize);

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
//  public key may, or (at a member) an admitted relay's key. A refusal is told in one line
//  (once a minute at most).
void roomlock_answer (roomlock_t *self);

//  The XPUB socket saw a handshake fail (monitor event id, detail value): tell why, when the
//  lock is the reason (once a minute at most).
void roomlock_publisher_refused (roomlock_t *self, uint16_t id, uint32_t value);

//  Make sub (a libzmq SUB socket, not connected yet) a CURVE client of the room: it expects
//  the room's key from every publisher and presents it as its own (a relay: its own key pair).
//  Nothing for an open room. Any thread.
void roomlock_join (const roomlock_t *self, void *sub);

//  Connect sub (made a client of the room by roomlock_join) to the relay at endpoint, whose
//  CURVE key is relay_key: libzmq takes the server key a connection expects when it is made,
//  so this sets relay_key, connects, and sets the room's key back for every later connection.
//  Returns zmq_connect's 0, or -1 (errno says why; EINVAL as well for an open room, a relay,
//  or a relay_key not admitted with roomlock_admit_relay). Any thread (sub's).
int roomlock_join_relay (const roomlock_t *self, void *sub, const char *endpoint,
                         const uint8_t relay_key[ROOMLOCK_KEY_BYTES]);

//  The SUB socket's handshake with the chat at label failed (monitor event id, detail value):
//  say why in one line (a room locked with another key, a locked room we have no key for, or
//  no chat at all). Any thread.
void roomlock_report_refused (const roomlock_t *self, const char *label, uint16_t id,
                              uint32_t value);

#endif
