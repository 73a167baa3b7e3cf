/*  roomlock.c - a locked room (see roomlock.h).
 */
#include "roomlock.h"
#include "address.h"
#include "i18n.h"
#include "limits.h"
#include "ratelimit.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <sodium.h>
#include <termios.h>

struct _roomlock_t {
    bool locked;                            //  the room is locked
    bool relay;                             //  ... and we are its relay, without the passphrase
    uint8_t public_key[ROOMLOCK_KEY_BYTES]; //  the room's public key
    uint8_t our_public[ROOMLOCK_KEY_BYTES]; //  the pair we present: the room's (a member),
    uint8_t our_secret[ROOMLOCK_KEY_BYTES]; //  ... or the relay's own (a relay)
    roomseal_t *content;                    //  the content key; NULL for a relay
    uint8_t relays[ROOMLOCK_RELAYS_MAX][ROOMLOCK_KEY_BYTES];              //  relay keys admitted
    size_t relay_count;                                                   //  ... how many
    char relay_endpoints[ROOMLOCK_RELAYS_MAX][ENDPOINT_MAX_BYTES];        //  where relays are
    uint8_t relay_endpoint_keys[ROOMLOCK_RELAYS_MAX][ROOMLOCK_KEY_BYTES]; //  ... with these keys
    size_t relay_endpoint_count;                                          //  ... how many
    zsock_t *zap;         //  the ZAP handler (REP), once serving
    ratelimit_t refusals; //  the lines about refused connections
};

roomlock_t *
roomlock_new (void)
{
    roomlock_t *self = calloc (1, sizeof *self);
    if (self)
        self->refusals = RATELIMIT (1, ROOMLOCK_REFUSED_NOTICE_MS);
    return self;
}

void
roomlock_destroy (roomlock_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    roomlock_t *self = *self_p;
    zsock_destroy (&self->zap);
    roomseal_destroy (&self->content);
    sodium_memzero (self, sizeof *self);
    free (self);
    *self_p = NULL;
}

//  Ask for the passphrase on the terminal (/dev/tty) without echo, showing prompt; without a
//  terminal, read it as the first line of stdin. Strips the newline. Returns 0, or -1.
static int
s_ask (const char *prompt, char *out, size_t outsize)
{
    FILE *tty = fopen ("/dev/tty", "r+");
    struct termios saved, quiet;
    bool echo_off = tty && tcgetattr (fileno (tty), &saved) == 0;
    if (tty) {
        fputs (prompt, tty);
        fflush (tty);
    }
    if (echo_off) {
        quiet = saved;
        quiet.c_lflag &= (tcflag_t) ~ECHO;
        tcsetattr (fileno (tty), TCSAFLUSH, &quiet);
    }
    bool got;
    if (tty)
        got = fgets (out, (int) outsize, tty) != NULL;
    else {
        //  Byte by byte: stdio would read ahead, and the lines after it are chat lines
        size_t used = 0;
        char byte;
        while (used + 1 < outsize && read (STDIN_FILENO, &byte, 1) == 1 && byte != '\n')
            out[used++] = byte;
        out[used] = 0;
        got = used > 0;
    }
    if (echo_off) {
        tcsetattr (fileno (tty), TCSAFLUSH, &saved);
        fputc ('\n', tty);
    }
    if (tty)
        fclose (tty);
    if (!got)
        return -1;
    out[strcspn (out, "\r\n")] = 0;
    return 0;
}

//  Derive the room's key pair and content key from passphrase (size bytes). Returns 0, or -1.
static int
s_derive (roomlock_t *self, const char *passphrase, size_t size)
{
    if (sodium_init () < 0 || self->relay)
        return -1;
    roomseal_destroy (&self->content); //  locked again: the new passphrase's keys only
    uint8_t seed[crypto_box_SEEDBYTES];
    _Static_assert(sizeof ROOMLOCK_SALT - 1 == crypto_pwhash_SALTBYTES, "salt size");
    _Static_assert(sizeof seed == ROOMSEAL_SEED_BYTES, "one seed for both keys");
    int rc =
        crypto_pwhash (seed, sizeof seed, passphrase, size, (const uint8_t *) ROOMLOCK_SALT,
                       ROOMLOCK_OPSLIMIT, ROOMLOCK_MEMLIMIT_BYTES, crypto_pwhash_ALG_ARGON2ID13);
    if (rc == 0)
        rc = crypto_box_seed_keypair (self->public_key, self->our_secret, seed);
    if (rc == 0 && !(self->content = roomseal_new (seed)))
        rc = -1;
    sodium_memzero (seed, sizeof seed);
    memcpy (self->our_public, self->public_key, ROOMLOCK_KEY_BYTES);
    return rc == 0 ? 0 : -1;
}

int
roomlock_lock (roomlock_t *self, const char *passphrase, const char **why)
{
    char asked[ROOMLOCK_PASSPHRASE_MAX_BYTES + 2] = "";
    if (streq (passphrase, "-")) {
        if (s_ask (_ ("Passphrase of the room: "), asked, sizeof asked) || !*asked) {
            *why = N_ ("no passphrase given");
            return 2;
        }
        passphrase = asked;
    }
    size_t size = strlen (passphrase);
    int status = 0;
    if (size == 0)
        *why = N_ ("no passphrase given"), status = 2;
    else if (size > ROOMLOCK_PASSPHRASE_MAX_BYTES)
        *why = N_ ("the passphrase is too long (at most 1024 bytes)"), status = 2;
    else if (s_derive (self, passphrase, size))
        *why = N_ ("cannot derive the room's key (out of memory?)"), status = 1;
    else
        self->locked = true;
    sodium_memzero (asked, sizeof asked);
    return status;
}

//  True when key is all zeros: no key anyone has (X25519 of a low-order point).
static bool
s_zero_key (const uint8_t key[ROOMLOCK_KEY_BYTES])
{
    return sodium_is_zero (key, ROOMLOCK_KEY_BYTES);
}

int
roomlock_lock_relay (roomlock_t *self, const uint8_t room_key[ROOMLOCK_KEY_BYTES],
                     const identity_t *identity)
{
    if (self->locked || s_zero_key (room_key) || roomlock_relay_key (identity, self->our_public))
        return -1;
    if (identity_box_secret (identity, self->our_secret)) {
        sodium_memzero (self->our_public, ROOMLOCK_KEY_BYTES);
        return -1;
    }
    memcpy (self->public_key, room_key, ROOMLOCK_KEY_BYTES);
    self->locked = self->relay = true;
    return 0;
}

bool
roomlock_locked (const roomlock_t *self)
{
    return self->locked;
}

bool
roomlock_relay (const roomlock_t *self)
{
    return self->relay;
}

const roomseal_t *
roomlock_content (const roomlock_t *self)
{
    return self->content;
}

//  True when key is one of the relay keys admitted.
static bool
s_admitted_relay (const roomlock_t *self, const uint8_t *key)
{
    for (size_t i = 0; i < self->relay_count; i++)
        if (sodium_memcmp (self->relays[i], key, ROOMLOCK_KEY_BYTES) == 0)
            return true;
    return false;
}

int
roomlock_admit_relay (roomlock_t *self, const uint8_t relay_key[ROOMLOCK_KEY_BYTES])
{
    if (!self->locked || self->relay || s_zero_key (relay_key))
        return -1;
    if (s_admitted_relay (self, relay_key))
        return 0;
    if (self->relay_count == ROOMLOCK_RELAYS_MAX)
        return -1;
    memcpy (self->relays[self->relay_count++], relay_key, ROOMLOCK_KEY_BYTES);
    return 0;
}

int
roomlock_relay_at (roomlock_t *self, const char *endpoint,
                   const uint8_t relay_key[ROOMLOCK_KEY_BYTES])
{
    if (roomlock_admit_relay (self, relay_key) != 0 ||
        self->relay_endpoint_count == ROOMLOCK_RELAYS_MAX ||
        strlen (endpoint) >= ENDPOINT_MAX_BYTES)
        return -1;
    size_t at = self->relay_endpoint_count++;
    text_copy (self->relay_endpoints[at], ENDPOINT_MAX_BYTES, endpoint);
    memcpy (self->relay_endpoint_keys[at], relay_key, ROOMLOCK_KEY_BYTES);
    return 0;
}

bool
roomlock_relay_endpoint (const roomlock_t *self, const char *endpoint,
                         uint8_t relay_key[ROOMLOCK_KEY_BYTES])
{
    for (size_t i = 0; i < self->relay_endpoint_count; i++)
        if (streq (self->relay_endpoints[i], endpoint)) {
            memcpy (relay_key, self->relay_endpoint_keys[i], ROOMLOCK_KEY_BYTES);
            return true;
        }
    return false;
}

int
roomlock_relay_key (const identity_t *identity, uint8_t key[ROOMLOCK_KEY_BYTES])
{
    _Static_assert(IDENTITY_BOX_KEY_BYTES == ROOMLOCK_KEY_BYTES, "a Curve25519 key");
    return identity_box_public (identity_public (identity), key);
}

int
roomlock_key_parse (const char *text, uint8_t key[ROOMLOCK_KEY_BYTES])
{
    uint8_t parsed[ROOMLOCK_KEY_BYTES];
    size_t length = text ? strlen (text) : 0, used = 0;
    bool decoded = false;
    if (length == 2 * ROOMLOCK_KEY_BYTES)
        decoded = sodium_hex2bin (parsed, sizeof parsed, text, length, NULL, &used, NULL) == 0 &&
                  used == sizeof parsed;
    else if (length == ROOMLOCK_KEY_Z85_CHARS)
        decoded = zmq_z85_decode (parsed, text) != NULL;
    if (!decoded || s_zero_key (parsed))
        return -1;
    memcpy (key, parsed, ROOMLOCK_KEY_BYTES);
    return 0;
}

int
roomlock_key_format (const uint8_t key[ROOMLOCK_KEY_BYTES], char *out, size_t outsize)
{
    if (outsize < ROOMLOCK_KEY_HEX_BYTES)
        return -1;
    sodium_bin2hex (out, outsize, key, ROOMLOCK_KEY_BYTES);
    return 0;
}

const uint8_t *
roomlock_public_key (const roomlock_t *self)
{
    return self->locked ? self->public_key : NULL;
}

int
roomlock_fingerprint (const roomlock_t *self, char *out, size_t outsize)
{
    if (!self->locked)
        return -1;
    uint8_t hash[4];
    crypto_generichash (hash, sizeof hash, self->public_key, ROOMLOCK_KEY_BYTES, NULL, 0);
    int size = snprintf (out, outsize, "%02x%02x-%02x%02x", hash[0], hash[1], hash[2], hash[3]);
    return size < 0 || (size_t) size >= outsize ? -1 : 0;
}

int
roomlock_serve (roomlock_t *self, void *xpub)
{
    if (!self->locked)
        return 0;
    if (self->zap)
        return -1; //  one XPUB socket per lock
    //  The handler must be bound before anyone can connect
    self->zap = zsock_new (ZMQ_REP);
    if (!self->zap || zsock_bind (self->zap, ROOMLOCK_ZAP_ENDPOINT) != 0) {
        zsock_destroy (&self->zap);
        return -1;
    }
    zsock_set_curve_server (xpub, 1);
    zsock_set_curve_secretkey_bin (xpub, self->our_secret);
    return 0;
}

void *
roomlock_zap (roomlock_t *self)
{
    return self->zap ? zsock_resolve (self->zap) : NULL;
}

//  True when a client with mechanism and client_key (frames of a ZAP request) may connect: a
//  member (the room's key), or at a member a relay admitted.
static bool
s_admits (roomlock_t *self, zframe_t *mechanism, zframe_t *client_key)
{
    if (!mechanism || !zframe_streq (mechanism, "CURVE") || !client_key ||
        zframe_size (client_key) != ROOMLOCK_KEY_BYTES)
        return false;
    const uint8_t *key = zframe_data (client_key);
    return memcmp (key, self->public_key, ROOMLOCK_KEY_BYTES) == 0 || s_admitted_relay (self, key);
}

//  Tell that the client at address (a frame of a ZAP request) was refused.
static void
s_tell_refused (zframe_t *address)
{
    char raw[ENDPOINT_MAX_BYTES], safe[4 * ENDPOINT_MAX_BYTES];
    size_t size = zframe_size (address) < sizeof raw ? zframe_size (address) : sizeof raw - 1;
    memcpy (raw, zframe_data (address), size);
    raw[size] = 0;
    const char *shown = address_unmapped (raw);
    text_sanitize (shown, strlen (shown), safe, sizeof safe);
    term_notice (_ ("refused %s: it does not have the room's key"), safe);
}

void
roomlock_answer (roomlock_t *self)
{
    zmsg_t *request = self->zap ? zmsg_recv (self->zap) : NULL;
    if (!request)
        return;
    zframe_t *version = zmsg_first (request), *id = zmsg_next (request);
    zmsg_next (request); //  domain
    zframe_t *address = zmsg_next (request);
    zmsg_next (request); //  identity
    zframe_t *mechanism = zmsg_next (request), *client_key = zmsg_next (request);
    bool admit =
        version && zframe_streq (version, "1.0") && id && s_admits (self, mechanism, client_key);
    if (!admit && address && ratelimit_allow (&self->refusals, zclock_mono ()))
        s_tell_refused (address);
    zmsg_t *reply = zmsg_new ();
    zmsg_addstr (reply, "1.0");
    zmsg_addmem (reply, id ? zframe_data (id) : NULL, id ? zframe_size (id) : 0);
    zmsg_addstr (reply, admit ? "200" : "400");
    zmsg_addstr (reply, admit ? "OK" : "not the room's key");
    zmsg_addstr (reply, "");
    zmsg_addmem (reply, NULL, 0);
    if (zmsg_send (&reply, self->zap))
        zmsg_destroy (&reply);
    zmsg_destroy (&request);
}

void
roomlock_publisher_refused (roomlock_t *self, uint16_t id, uint32_t value)
{
    if (id != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return;
    bool mismatch = value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
    bool wrong_key = value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC && self->locked;
    if ((!mismatch && !wrong_key) || !ratelimit_allow (&self->refusals, zclock_mono ()))
        return;
    if (mismatch && self->locked)
        term_notice (_ ("refused a chat without the room's key (not told again for a minute)"));
    else if (mismatch)
        term_notice (
            _ ("a chat of a locked room tried to listen to us: it needs us to have the key "
               "too (--key)"));
    else
        term_notice (_ ("refused a chat with another key (not told again for a minute)"));
}

void
roomlock_join (const roomlock_t *self, void *sub)
{
    if (!self->locked)
        return;
    zmq_setsockopt (sub, ZMQ_CURVE_SERVERKEY, self->public_key, ROOMLOCK_KEY_BYTES);
    zmq_setsockopt (sub, ZMQ_CURVE_PUBLICKEY, self->our_public, ROOMLOCK_KEY_BYTES);
    zmq_setsockopt (sub, ZMQ_CURVE_SECRETKEY, self->our_secret, ROOMLOCK_KEY_BYTES);
}

int
roomlock_join_relay (const roomlock_t *self, void *sub, const char *endpoint,
                     const uint8_t relay_key[ROOMLOCK_KEY_BYTES])
{
    if (!self->locked || self->relay || !s_admitted_relay (self, relay_key)) {
        errno = EINVAL;
        return -1;
    }
    //  The connection copies the socket's options when it is made: this one alone expects
    //  the relay's key
    if (zmq_setsockopt (sub, ZMQ_CURVE_SERVERKEY, relay_key, ROOMLOCK_KEY_BYTES))
        return -1;
    int rc = zmq_connect (sub, endpoint);
    int saved = errno;
    zmq_setsockopt (sub, ZMQ_CURVE_SERVERKEY, self->public_key, ROOMLOCK_KEY_BYTES);
    errno = saved;
    return rc;
}

void
roomlock_report_refused (const roomlock_t *self, const char *label, uint16_t id, uint32_t value)
{
    //  A mechanism mismatch is seen when one side is locked and the other not; a locked room
    //  often closes the connection before the other side sees that, which gives no detail
    bool mismatch = id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                    value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
    bool no_detail = id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (self->locked && (mismatch || no_detail || id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        term_error (_ ("%s does not accept our key (it has another passphrase, or none); not "
                       "connecting to it"),
                    label);
    else if (mismatch || no_detail)
        term_error (_ ("%s refused us: it is a locked room (start with --key to join it), or not "
                       "a chat; not connecting to it"),
                    label);
    else
        term_error (_ ("%s is not a chat (the handshake failed); not connecting to it"), label);
}
