#ifndef IDENTITY_H_INCLUDED
#define IDENTITY_H_INCLUDED
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#define IDENTITY_PUBLIC_BYTES 32
#define IDENTITY_SESSION_BYTES 16
#define IDENTITY_SIGNATURE_BYTES 64
#define IDENTITY_FINGERPRINT_BYTES 48
#define IDENTITY_SHORT_BYTES 5
#define IDENTITY_ERROR_MAX_BYTES 512
typedef struct _identity_t identity_t;
typedef enum {
    IDENTITY_LOADED,
    IDENTITY_CREATED,
    IDENTITY_BUSY,
    IDENTITY_THROWAWAY
} identity_origin_t;
identity_t *identity_open (const char *path, const char *nick, bool throwaway, char *error,
                           size_t error_size);
void identity_destroy (identity_t **self_p);
identity_origin_t identity_origin (const identity_t *self);
const char *identity_path (const identity_t *self);
const char *identity_dir (const identity_t *self);
const uint8_t *identity_public (const identity_t *self);
const uint8_t *identity_session (const identity_t *self);
const uint8_t *identity_sender (const identity_t *self);
void identity_sign (const identity_t *self, const void *message, size_t size,
                    uint8_t signature[IDENTITY_SIGNATURE_BYTES]);
bool identity_verify (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], const void *message,
                      size_t size, const uint8_t signature[IDENTITY_SIGNATURE_BYTES]);
int identity_box_secret (const identity_t *self, uint8_t secret[32]);
int identity_box_public (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], uint8_t box_public[32]);
void identity_derive_sender (const uint8_t public_key[IDENTITY_PUBLIC_BYTES],
                             const uint8_t session[IDENTITY_SESSION_BYTES], uint8_t sender[16]);
void identity_fingerprint (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out,
                           size_t outsize);
void identity_short (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize);
#endif
