#include "identity.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct _identity_t {
    uint8_t pk[32], sk[64], session[16], sender[16];
};
identity_t *
identity_open (const char *path, const char *nick, bool throwaway, char *error, size_t error_size)
{
    (void) path;
    (void) nick;
    (void) throwaway;
    (void) error;
    (void) error_size;
    if (sodium_init () < 0)
        return NULL;
    identity_t *self = calloc (1, sizeof *self);
    crypto_sign_keypair (self->pk, self->sk);
    randombytes_buf (self->session, 16);
    identity_derive_sender (self->pk, self->session, self->sender);
    return self;
}
void
identity_destroy (identity_t **p)
{
    if (p) {
        free (*p);
        *p = NULL;
    }
}
identity_origin_t
identity_origin (const identity_t *s)
{
    (void) s;
    return IDENTITY_THROWAWAY;
}
const char *
identity_path (const identity_t *s)
{
    (void) s;
    return "";
}
const char *
identity_dir (const identity_t *s)
{
    (void) s;
    return "/tmp";
}
const uint8_t *
identity_public (const identity_t *s)
{
    return s->pk;
}
const uint8_t *
identity_session (const identity_t *s)
{
    return s->session;
}
const uint8_t *
identity_sender (const identity_t *s)
{
    return s->sender;
}
void
identity_sign (const identity_t *s, const void *m, size_t n, uint8_t sig[64])
{
    crypto_sign_detached (sig, NULL, m, n, s->sk);
}
bool
identity_verify (const uint8_t pk[32], const void *m, size_t n, const uint8_t sig[64])
{
    return crypto_sign_verify_detached (sig, m, n, pk) == 0;
}
int
identity_box_secret (const identity_t *s, uint8_t out[32])
{
    return crypto_sign_ed25519_sk_to_curve25519 (out, s->sk);
}
int
identity_box_public (const uint8_t pk[32], uint8_t out[32])
{
    return crypto_sign_ed25519_pk_to_curve25519 (out, pk);
}
void
identity_derive_sender (const uint8_t pk[32], const uint8_t session[16], uint8_t sender[16])
{
    uint8_t both[48];
    memcpy (both, pk, 32);
    memcpy (both + 32, session, 16);
    crypto_generichash (sender, 16, both, 48, NULL, 0);
}
void
identity_fingerprint (const uint8_t pk[32], char *out, size_t n)
{
    uint8_t h[16];
    crypto_generichash (h, 16, pk, 32, NULL, 0);
    snprintf (out, n, "%02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x",
              h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
              h[13], h[14], h[15]);
}
void
identity_short (const uint8_t pk[32], char *out, size_t n)
{
    uint8_t h[16];
    crypto_generichash (h, 16, pk, 32, NULL, 0);
    snprintf (out, n, "%02x%02x", h[0], h[1]);
}
