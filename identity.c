/*  identity.c - who we are: an Ed25519 key pair per person (see identity.h).

    A key file is three lines of text:
        chatt identity 1
        public <64 hex digits>
        seed <64 hex digits>
    The key pair is made again from the seed when the file is read, and must give the public
    key the file names, so a damaged file is found rather than used.
*/
#include "identity.h"
#include "i18n.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_HEADER "chatt identity 1\n"
#define S_SEED_BYTES 32

struct _identity_t {
    identity_origin_t origin;                   //  where the key came from
    int fd;                                     //  the key file, open and locked; or -1
    char path[IDENTITY_PATH_MAX_BYTES];         //  its path, or ""
    char dir[IDENTITY_PATH_MAX_BYTES];          //  the directory of key files
    uint8_t public_key[IDENTITY_PUBLIC_BYTES];  //  ours
    uint8_t secret[crypto_sign_SECRETKEYBYTES]; //  ... and its secret
    uint8_t session[IDENTITY_SESSION_BYTES];    //  this run's
    uint8_t sender[16];                         //  the sender id of both
};

//  Write a formatted error line (its format translated by the caller) into error.
static void __attribute__ ((format (printf, 3, 4)))
s_error (char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int size = vsnprintf (error, error_size, format, args);
    va_end (args);
    if (size < 0 || (size_t) size >= error_size)
        text_copy (error, error_size, _ ("a key file cannot be used"));
}

//  path made safe to print, into safe (4 * IDENTITY_PATH_MAX_BYTES bytes).
static const char *
s_safe (const char *path, char *safe)
{
    text_sanitize (path, strlen (path), safe, 4 * IDENTITY_PATH_MAX_BYTES);
    return safe;
}

//  The default directory of key files, into dir. Returns 0, or -1 without a home.
static int
s_default_dir (char *dir, size_t dir_size)
{
    const char *data = getenv ("XDG_DATA_HOME"), *home = getenv ("HOME");
    int size;
    if (data && data[0] == '/')
        size = snprintf (dir, dir_size, "%s/chatt", data);
    else if (home && *home)
        size = snprintf (dir, dir_size, "%s/.local/share/chatt", home);
    else
        return -1;
    return size > 0 && (size_t) size < dir_size ? 0 : -1;
}

//  Make dir and its missing parents, the new ones with mode 0700. Returns 0, or -1.
static int
s_make_dirs (const char *dir)
{
    char partial[IDENTITY_PATH_MAX_BYTES];
    if (text_copy (partial, sizeof partial, dir))
        return -1;
    for (char *slash = partial + 1; *slash; slash++) {
        if (*slash != '/')
            continue;
        *slash = 0;
        if (mkdir (partial, 0700) != 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    return mkdir (partial, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

//  Make the key pair of seed, and the session and sender id of this run.
static void
s_keys (identity_t *self, const uint8_t seed[S_SEED_BYTES])
{
    crypto_sign_seed_keypair (self->public_key, self->secret, seed);
    randombytes_buf (self->session, sizeof self->session);
    identity_derive_sender (self->public_key, self->session, self->sender);
}

//  Read 64 hex digits after prefix at *text into out (32 bytes), then a newline. Returns 0.
static int
s_read_hex (const char **text, const char *prefix, uint8_t out[32])
{
    size_t prefix_size = strlen (prefix);
    if (strncmp (*text, prefix, prefix_size) != 0)
        return -1;
    const char *hex = *text + prefix_size, *end;
    size_t bytes;
    if (sodium_hex2bin (out, 32, hex, 64, NULL, &bytes, &end) != 0 || bytes != 32 ||
        end != hex + 64 || hex[64] != '\n')
        return -1;
    *text = hex + 65;
    return 0;
}

//  Parse the key file's text into the key pair. Returns 0, or -1 if it is corrupt.
static int
s_parse (identity_t *self, const char *text)
{
    uint8_t public_key[32], seed[S_SEED_BYTES];
    if (strncmp (text, S_HEADER, strlen (S_HEADER)) != 0)
        return -1;
    text += strlen (S_HEADER);
    if (s_read_hex (&text, "public ", public_key) || s_read_hex (&text, "seed ", seed) || *text)
        return -1;
    s_keys (self, seed);
    sodium_memzero (seed, sizeof seed);
    return sodium_memcmp (public_key, self->public_key, 32) == 0 ? 0 : -1;
}

//  Read and check the open key file. Returns 0, or -1 with error filled.
static int
s_load (identity_t *self, char *error, size_t error_size)
{
    char safe[4 * IDENTITY_PATH_MAX_BYTES];
    struct stat status;
    if (fstat (self->fd, &status) != 0 || !S_ISREG (status.st_mode)) {
        s_error (error, error_size, _ ("cannot read the key file %s: %s"),
                 s_safe (self->path, safe), _ ("not a file"));
        return -1;
    }
    if (status.st_mode & 077) {
        s_error (error, error_size,
                 _ ("the key file %s can be read by others: make it yours only (chmod 600 %s)"),
                 s_safe (self->path, safe), safe);
        return -1;
    }
    char text[IDENTITY_FILE_MAX_BYTES + 1];
    ssize_t size = read (self->fd, text, IDENTITY_FILE_MAX_BYTES);
    if (size < 0) {
        s_error (error, error_size, _ ("cannot read the key file %s: %s"),
                 s_safe (self->path, safe), strerror (errno));
        return -1;
    }
    text[size] = 0;
    int status_parse = s_parse (self, text);
    sodium_memzero (text, sizeof text);
    if (status_parse)
        s_error (error, error_size,
                 _ ("the key file %s is corrupt: move it away to start with a new key (the "
                    "others will see a new key)"),
                 s_safe (self->path, safe));
    return status_parse;
}

//  Write a new key pair into the new, open, locked key file. Returns 0, or -1 with error filled
//  (the half-written file is removed).
static int
s_create (identity_t *self, char *error, size_t error_size)
{
    uint8_t seed[S_SEED_BYTES];
    randombytes_buf (seed, sizeof seed);
    s_keys (self, seed);
    char public_hex[65], seed_hex[65], text[256];
    sodium_bin2hex (public_hex, sizeof public_hex, self->public_key, 32);
    sodium_bin2hex (seed_hex, sizeof seed_hex, seed, sizeof seed);
    int size = snprintf (text, sizeof text, S_HEADER "public %s\nseed %s\n", public_hex, seed_hex);
    bool written = size > 0 && (size_t) size < sizeof text &&
                   write (self->fd, text, (size_t) size) == size && fsync (self->fd) == 0;
    int saved = errno;
    sodium_memzero (seed, sizeof seed);
    sodium_memzero (seed_hex, sizeof seed_hex);
    sodium_memzero (text, sizeof text);
    if (written)
        return 0;
    unlink (self->path);
    char safe[4 * IDENTITY_PATH_MAX_BYTES];
    s_error (error, error_size, _ ("cannot write the key file %s: %s"), s_safe (self->path, safe),
             strerror (saved));
    return -1;
}

//  A throwaway key: nothing on disk.
static void
s_throwaway (identity_t *self, identity_origin_t origin)
{
    uint8_t seed[S_SEED_BYTES];
    randombytes_buf (seed, sizeof seed);
    s_keys (self, seed);
    sodium_memzero (seed, sizeof seed);
    self->origin = origin;
}

//  Open (or create) the key file at self->path and lock it. Returns 0, or -1 with error.
static int
s_open_file (identity_t *self, char *error, size_t error_size)
{
    self->fd = open (self->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    bool created = false;
    if (self->fd < 0 && errno == ENOENT) {
        self->fd = open (self->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        created = self->fd >= 0;
    }
    if (self->fd < 0) {
        char safe[4 * IDENTITY_PATH_MAX_BYTES];
        s_error (error, error_size, _ ("cannot open the key file %s: %s"),
                 s_safe (self->path, safe), strerror (errno));
        return -1;
    }
    if (flock (self->fd, LOCK_EX | LOCK_NB) != 0) {
        close (self->fd);
        self->fd = -1;
        s_throwaway (self, IDENTITY_BUSY); //  another chat of ours has this nick
        return 0;
    }
    self->origin = created ? IDENTITY_CREATED : IDENTITY_LOADED;
    return created ? s_create (self, error, error_size) : s_load (self, error, error_size);
}

//  The key file the user named, and its directory. Returns 0, or -1 if too long.
static int
s_take_path (identity_t *self, const char *path)
{
    if (text_copy (self->path, sizeof self->path, path))
        return -1;
    const char *slash = strrchr (path, '/');
    if (!slash)
        return text_copy (self->dir, sizeof self->dir, ".");
    if (slash == path)
        return text_copy (self->dir, sizeof self->dir, "/");
    size_t dir_size = (size_t) (slash - path);
    memcpy (self->dir, path, dir_size); //  shorter than path, which fits
    self->dir[dir_size] = 0;
    return 0;
}

//  Find the key file of nick (or take path) and its directory. Returns 0, or -1 with error.
static int
s_locate (identity_t *self, const char *path, const char *nick, char *error, size_t error_size)
{
    if (path)
        return s_take_path (self, path);
    if (s_default_dir (self->dir, sizeof self->dir)) {
        text_copy (error, error_size, _ ("no place for your key: set HOME or XDG_DATA_HOME"));
        return -1;
    }
    int size = snprintf (self->path, sizeof self->path, "%s/%s.key", self->dir, nick);
    if (size < 0 || (size_t) size >= sizeof self->path || strchr (nick, '/') || nick[0] == '.')
        return -1;
    if (s_make_dirs (self->dir)) {
        char safe[4 * IDENTITY_PATH_MAX_BYTES];
        s_error (error, error_size, _ ("cannot make the folder %s for your key: %s"),
                 s_safe (self->dir, safe), strerror (errno));
        return -1;
    }
    return 0;
}

identity_t *
identity_open (const char *path, const char *nick, bool throwaway, char *error, size_t error_size)
{
    identity_t *self = calloc (1, sizeof *self);
    if (!self || sodium_init () < 0) {
        free (self);
        text_copy (error, error_size, _ ("out of memory"));
        return NULL;
    }
    self->fd = -1;
    text_copy (error, error_size, _ ("the key file's name is too long"));
    int status = 0;
    if (throwaway) {
        s_throwaway (self, IDENTITY_THROWAWAY);
        if (s_default_dir (self->dir, sizeof self->dir))
            text_copy (self->dir, sizeof self->dir, ".");
    } else
        status =
            s_locate (self, path, nick, error, error_size) || s_open_file (self, error, error_size);
    if (status)
        identity_destroy (&self);
    return self;
}

void
identity_destroy (identity_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    identity_t *self = *self_p;
    if (self->fd >= 0)
        close (self->fd); //  and the lock goes with it
    sodium_memzero (self->secret, sizeof self->secret);
    free (self);
    *self_p = NULL;
}

identity_origin_t
identity_origin (const identity_t *self)
{
    return self->origin;
}

const char *
identity_path (const identity_t *self)
{
    return self->path;
}

const char *
identity_dir (const identity_t *self)
{
    return self->dir;
}

const uint8_t *
identity_public (const identity_t *self)
{
    return self->public_key;
}

const uint8_t *
identity_session (const identity_t *self)
{
    return self->session;
}

const uint8_t *
identity_sender (const identity_t *self)
{
    return self->sender;
}

void
identity_sign (const identity_t *self, const void *message, size_t size,
               uint8_t signature[IDENTITY_SIGNATURE_BYTES])
{
    crypto_sign_detached (signature, NULL, message, size, self->secret);
}

bool
identity_verify (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], const void *message, size_t size,
                 const uint8_t signature[IDENTITY_SIGNATURE_BYTES])
{
    return crypto_sign_verify_detached (signature, message, size, public_key) == 0;
}

int
identity_box_secret (const identity_t *self, uint8_t secret[32])
{
    return crypto_sign_ed25519_sk_to_curve25519 (secret, self->secret) == 0 ? 0 : -1;
}

int
identity_box_public (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], uint8_t box_public[32])
{
    return crypto_sign_ed25519_pk_to_curve25519 (box_public, public_key) == 0 ? 0 : -1;
}

void
identity_derive_sender (const uint8_t public_key[IDENTITY_PUBLIC_BYTES],
                        const uint8_t session[IDENTITY_SESSION_BYTES], uint8_t sender[16])
{
    crypto_generichash_state state;
    crypto_generichash_init (&state, NULL, 0, 16);
    crypto_generichash_update (&state, public_key, IDENTITY_PUBLIC_BYTES);
    crypto_generichash_update (&state, session, IDENTITY_SESSION_BYTES);
    crypto_generichash_final (&state, sender, 16);
}

void
identity_fingerprint (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize)
{
    uint8_t hash[16];
    crypto_generichash (hash, sizeof hash, public_key, IDENTITY_PUBLIC_BYTES, NULL, 0);
    char hex[33];
    sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
    size_t at = 0;
    for (size_t group = 0; group < 8 && at + 5 < outsize; group++) {
        memcpy (out + at, hex + 4 * group, 4);
        at += 4;
        if (group < 7)
            out[at++] = ' ';
    }
    if (outsize > 0)
        out[at < outsize ? at : outsize - 1] = 0;
}

void
identity_short (const uint8_t public_key[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize)
{
    char fingerprint[IDENTITY_FINGERPRINT_BYTES];
    identity_fingerprint (public_key, fingerprint, sizeof fingerprint);
    fingerprint[4] = 0;
    text_copy (out, outsize, fingerprint);
}
