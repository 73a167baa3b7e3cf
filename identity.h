/*  identity.h - who we are across runs: an Ed25519 key pair per nick, kept in a private file,
    and what is made of it (a sender id per run, signatures, crypto_box keys, fingerprints).

    The key file is $XDG_DATA_HOME/chatt/NICK.key (or ~/.local/share/chatt/NICK.key, or the
    file --identity names), three lines of text:

        chatt identity 1
        public <64 lowercase hex digits: the 32-byte Ed25519 public key>
        seed <64 lowercase hex digits: the 32-byte seed the key pair is made from>

    It is made on the first start with a nick (mode 0600 in a 0700 directory, never over an
    existing file) and read strictly afterwards: a file anyone but its owner may read or write,
    or one whose public key is not the seed's, is refused, not repaired. While a chat runs it
    holds a flock on the file; a second chat with the same nick gets a throwaway key instead,
    so two processes never speak with one key pair's sender id at once.

    identity_open and identity_destroy run on the main thread. Everything else only reads an
    identity that is not changed after identity_open, so it is safe from any thread; the
    functions without an identity need libsodium started (identity_open does, or sodium_init).
*/
#ifndef IDENTITY_H_INCLUDED
#define IDENTITY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTITY_PUBLIC_BYTES 32      // crypto_sign_PUBLICKEYBYTES
#define IDENTITY_SESSION_BYTES 16     // random per run
#define IDENTITY_SENDER_BYTES 16      // the sender id on the wire (WIRE_SENDER_BYTES)
#define IDENTITY_SIGNATURE_BYTES 64   // crypto_sign_BYTES
#define IDENTITY_BOX_KEY_BYTES 32     // an X25519 key for crypto_box
#define IDENTITY_FINGERPRINT_BYTES 48 // "3f2a 91c0 5b7e 0d44 8e21 77aa 0c3b 9d10" + NUL
#define IDENTITY_SHORT_BYTES 5        // "3f2a" + NUL
#define IDENTITY_ERROR_MAX_BYTES 512  // the line identity_open writes on failure
#define IDENTITY_PATH_MAX_BYTES 4096  // longest key file path, NUL included
#define IDENTITY_FILE_MAX_BYTES 4096  // a key file longer than this is corrupt
#define IDENTITY_DIR_NAME "chatt"     // under $XDG_DATA_HOME or ~/.local/share

typedef struct _identity_t identity_t;

//  Where an identity's key pair came from
typedef enum {
    IDENTITY_LOADED,   //  read from its file
    IDENTITY_CREATED,  //  no file yet: created it (first start with this nick)
    IDENTITY_BUSY,     //  the file is locked by another running chat: a throwaway key
    IDENTITY_THROWAWAY //  asked for a throwaway key (--throwaway-key)
} identity_origin_t;

//  Open the identity of nick: the key file at path, or when path is NULL
//  $XDG_DATA_HOME/chatt/NICK.key (XDG_DATA_HOME unset, empty or not absolute:
//  $HOME/.local/share/chatt/NICK.key). Creates missing directories with mode 0700 and a
//  missing file with mode 0600 (O_CREAT|O_EXCL: never over an existing file), and locks the
//  file (flock LOCK_EX|LOCK_NB) for the identity's life. If another process holds the lock,
//  returns a throwaway key with origin IDENTITY_BUSY. With throwaway, no file is touched
//  (origin IDENTITY_THROWAWAY), and nick and path may be NULL. Starts libsodium.
//  Returns NULL with one line in error (error_size bytes, in the user's language, no newline,
//  made safe to print, naming the file and what to do) when the file cannot be read or
//  created, is corrupt, or is readable or writable by group or others; or when a NULL path
//  leaves nick to name the file and it is empty, holds '/' or starts with '.'.
identity_t *identity_open (const char *path, const char *nick, bool throwaway, char *error,
                           size_t error_size);

//  The default directory of key files into dir (size bytes): $XDG_DATA_HOME/chatt when it is
//  absolute, else $HOME/.local/share/chatt. Returns 0, or -1 (dir then "") when there is no
//  home or it is too long.
int identity_default_dir (char *dir, size_t size);

//  Destroy it: unlocks and closes the key file, wipes the secret key; sets *self_p to NULL.
//  Safe twice.
void identity_destroy (identity_t **self_p);

//  Where its key pair came from.
identity_origin_t identity_origin (const identity_t *self);

//  The key file's path; "" for a throwaway key (IDENTITY_BUSY and IDENTITY_THROWAWAY).
const char *identity_path (const identity_t *self);

//  The directory of the key file, where known-peers lives too: the default one for a
//  throwaway key ("" when there is no home to have one in). It may not exist for those.
const char *identity_dir (const identity_t *self);

//  Our Ed25519 public key, IDENTITY_PUBLIC_BYTES.
const uint8_t *identity_public (const identity_t *self);

//  IDENTITY_SESSION_BYTES random bytes, new at each identity_open.
const uint8_t *identity_session (const identity_t *self);

//  Our sender id, IDENTITY_SENDER_BYTES: identity_derive_sender of public key and session.
const uint8_t *identity_sender (const identity_t *self);

//  Sign size bytes of message with our secret key (crypto_sign_detached) into signature.
void identity_sign (const identity_t *self, const void *message, size_t size,
                    uint8_t signature[IDENTITY_SIGNATURE_BYTES]);

//  True when signature is public's on size bytes of message (crypto_sign_verify_detached).
bool identity_verify (const uint8_t public[IDENTITY_PUBLIC_BYTES], const void *message, size_t size,
                      const uint8_t signature[IDENTITY_SIGNATURE_BYTES]);

//  Our X25519 secret key for crypto_box (crypto_sign_ed25519_sk_to_curve25519) into secret;
//  the caller wipes it after use. Returns 0, or -1.
int identity_box_secret (const identity_t *self, uint8_t secret[IDENTITY_BOX_KEY_BYTES]);

//  Another's X25519 public key from its Ed25519 one (crypto_sign_ed25519_pk_to_curve25519)
//  into box_public. Returns 0, or -1 for a bad key (then box_public is all zeros).
int identity_box_public (const uint8_t public[IDENTITY_PUBLIC_BYTES],
                         uint8_t box_public[IDENTITY_BOX_KEY_BYTES]);

//  sender = BLAKE2b with 16 bytes of output (crypto_generichash, no key) of public || session.
void identity_derive_sender (const uint8_t public[IDENTITY_PUBLIC_BYTES],
                             const uint8_t session[IDENTITY_SESSION_BYTES],
                             uint8_t sender[IDENTITY_SENDER_BYTES]);

//  The fingerprint people compare aloud, into out (outsize bytes, always NUL-terminated, cut
//  if too small; IDENTITY_FINGERPRINT_BYTES is enough): BLAKE2b with 16 bytes of output of
//  public, as 32 lowercase hex digits in 8 groups of 4, space separated.
void identity_fingerprint (const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize);

//  The fingerprint's first group only ("3f2a"), shown after a nick (<anna?3f2a>), into out
//  (outsize bytes, as identity_fingerprint; IDENTITY_SHORT_BYTES is enough).
void identity_short (const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize);

//  The name a nick is shown under when its key is not the one first seen for it: "anna?3f2a"
//  (nick, "?", identity_short), into out; "?" alone if that does not fit.
void identity_tag_nick (const char *nick, const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out,
                        size_t outsize);

#endif
