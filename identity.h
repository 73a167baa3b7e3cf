/*  identity.h - who we are: an Ed25519 key pair per person, kept on disk, that signs
    everything we send (signing.h).

    One key file per nick, $XDG_DATA_HOME/chatt/NICK.key (or ~/.local/share/chatt/), in a
    directory of mode 0700 and a file of mode 0600, so anna and bertil in two terminals of one
    account are two people. The file is locked while a chat uses it: a second chat with the same
    nick gets a throwaway key instead, and says so. A key file is never overwritten; one that
    cannot be read, is corrupt, or can be read by others is an error naming it.

    The sender id on the wire is derived from the public key and a session drawn at random
    for each run, so an id cannot be claimed without the key, and a restarted chat is a new
    sender whose lines count from 1 again. Read-only after identity_open: safe from any thread.
*/
#ifndef IDENTITY_H_INCLUDED
#define IDENTITY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTITY_PUBLIC_BYTES 32      // an Ed25519 public key
#define IDENTITY_SESSION_BYTES 16     // random per run
#define IDENTITY_SIGNATURE_BYTES 64   // an Ed25519 signature
#define IDENTITY_FINGERPRINT_BYTES 48 // "3f2a 91c0 5b7e 0d44 8e21 77aa 0c3b 9d10" and a NUL
#define IDENTITY_SHORT_BYTES 5        // "3f2a" and a NUL
#define IDENTITY_ERROR_MAX_BYTES 1024 // the line that says what is wrong with a key file
#define IDENTITY_PATH_MAX_BYTES 1024  // a key file's path
#define IDENTITY_FILE_MAX_BYTES 4096  // a key file is read up to this

typedef struct _identity_t identity_t;

//  Where the key came from
typedef enum {
    IDENTITY_LOADED,   //  read from its file
    IDENTITY_CREATED,  //  no file yet: created (the first start with this nick)
    IDENTITY_BUSY,     //  the file is in use by another chat: a throwaway key
    IDENTITY_THROWAWAY //  a throwaway key was asked for
} identity_origin_t;

//  Open the identity of nick: the file at path, or with path NULL the default file of nick.
//  A missing file is created (and its directory, mode 0700). With throwaway no file is used.
//  Returns NULL with one line in error (translated, naming the file and what to do) when the
//  file cannot be read or created, is corrupt, or is open to others.
identity_t *identity_open (const char *path, const char *nick, bool throwaway, char *error,
                           size_t error_size);

//  Unlock and close the file, wipe the secret key; sets *self_p to NULL. Safe twice.
void identity_destroy (identity_t **self_p);

//  Where the key came from.
identity_origin_t identity_origin (const identity_t *self);

//  The key file's path ("" for a throwaway key).
const char *identity_path (const identity_t *self);

//  The directory of key files (that of path, or the default one): known-peers lives there.
const char *identity_dir (const identity_t *self);

//  The public key (32 bytes), this run's session (16) and the sender id derived from both.
const uint8_t *identity_public (const identity_t *self);
const uint8_t *identity_session (const identity_t *self);
const uint8_t *identity_sender (const identity_t *self);

//  Sign message (size bytes) into signature.
void identity_sign (const identity_t *self, const void *message, size_t size,
                    uint8_t signature[IDENTITY_SIGNATURE_BYTES]);

//  True when signature is public_key's signature of message.
bool identity_verify (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], const void *message,
                      size_t size, const uint8_t signature[IDENTITY_SIGNATURE_BYTES]);

//  Our X25519 secret key for crypto_box. Returns 0, or -1.
int identity_box_secret (const identity_t *self, uint8_t secret[32]);

//  Another's X25519 public key for crypto_box, from its Ed25519 one. Returns 0, or -1 for a
//  key that is not one.
int identity_box_public (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], uint8_t box_public[32]);

//  The sender id of public_key in session: BLAKE2b with 16 bytes of output of both.
void identity_derive_sender (const uint8_t public_key[IDENTITY_PUBLIC_BYTES],
                             const uint8_t session[IDENTITY_SESSION_BYTES], uint8_t sender[16]);

//  The fingerprint two people compare aloud: BLAKE2b-128 of public_key, as 8 groups of 4 hex
//  digits. identity_short is its first group, shown after a nick ("anna?3f2a").
void identity_fingerprint (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out,
                           size_t outsize);
void identity_short (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize);

#endif
