/*  roomkey.h - the key of a locked room, derived from its passphrase.

    Everyone who knows the passphrase derives the same key pair: Argon2id (libsodium's
    crypto_pwhash) with a fixed salt and fixed limits turns the passphrase into a 32-byte seed,
    and crypto_box_seed_keypair turns the seed into a Curve25519 key pair. Every member's XPUB
    socket is a CURVE server with that secret key, every SUB socket a CURVE client that expects
    that server key and presents the same pair as its own, and the ZAP handler (chat.c) admits
    only clients presenting the room's public key. So only those who know the passphrase can
    connect, read or write; PROTOKOLL.md says what this protects and what it does not.

    The salt and limits are part of the protocol: change one and no chat of an earlier
    version derives the same key. Pure functions, safe from any thread.
*/
#ifndef ROOMKEY_H_INCLUDED
#define ROOMKEY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMKEY_SALT "chat-room-key-v1"           // 16 bytes (crypto_pwhash_SALTBYTES)
#define ROOMKEY_OPSLIMIT 2                        // Argon2id passes (libsodium's "interactive")
#define ROOMKEY_MEMLIMIT_BYTES (64 * 1024 * 1024) // Argon2id memory (libsodium's "interactive")
#define ROOMKEY_BYTES 32                          // a Curve25519 key
#define ROOMKEY_PASSPHRASE_MAX_BYTES 1024         // longest passphrase

//  A room's key pair
typedef struct {
    uint8_t public_key[ROOMKEY_BYTES]; //  the room's public key: server key and client key
    uint8_t secret_key[ROOMKEY_BYTES]; //  the room's secret key
} roomkey_t;

//  Derive the room's key pair from passphrase (size bytes, 1..ROOMKEY_PASSPHRASE_MAX_BYTES).
//  Takes about a tenth of a second and 64 MiB, once, at start. Returns 0, or -1 (libsodium failed
//  to start, out of memory, or a bad size).
int roomkey_derive (const char *passphrase, size_t size, roomkey_t *key);

//  Write the key's fingerprint ("1a2b-3c4d", from a hash of the public key) into out, for
//  members to compare aloud. Returns 0, or -1 if out is too small.
int roomkey_fingerprint (const roomkey_t *key, char *out, size_t outsize);

//  Ask for the passphrase on the terminal (/dev/tty) without echo, showing prompt; without a
//  terminal, read it as the first line of stdin. Strips the newline. Returns 0, or -1.
int roomkey_ask (const char *prompt, char *out, size_t outsize);

//  Wipe the key from memory.
void roomkey_wipe (roomkey_t *key);

#endif
