/*  identity.c - an Ed25519 key pair per nick, kept in a private file (see identity.h).

    The file is read and written whole, with bounded buffers, and never repaired: a file that
    is not exactly what s_write_keys writes is refused with a line that says what to do, as a
    guessed repair would give the user another identity without telling them.
*/
#include "identity.h"
#include "fdio.h"
#include "i18n.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_LINE "chatt identity 1\n"
#define PUBLIC_FIELD "public "
#define SEED_FIELD "seed "
#define KEY_HEX_CHARS 64 //  32 bytes in hex
//  The whole file: the header and two fields, each 64 hex digits and a newline
#define TEXT_BYTES                                                                                 \
    (sizeof HEADER_LINE - 1 + sizeof PUBLIC_FIELD - 1 + sizeof SEED_FIELD - 1 +                    \
     2 * (KEY_HEX_CHARS + 1))
#define SAFE_PATH_MAX_BYTES 300 //  a path as shown in an error line, made safe (cut with "…")

struct _identity_t {
    identity_origin_t origin;                       //  where the key pair came from
    int fd;                                         //  the key file, locked; or -1
    char path[IDENTITY_PATH_MAX_BYTES];             //  the key file's, or "" if throwaway
    char dir[IDENTITY_PATH_MAX_BYTES];              //  its directory (known-peers too)
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES]; //  our Ed25519 public key
    uint8_t secret_key[crypto_sign_SECRETKEYBYTES]; //  ... and secret key (seed || public)
    uint8_t session[IDENTITY_SESSION_BYTES];        //  random, new each run
    uint8_t sender[IDENTITY_SENDER_BYTES];          //  our sender id this run
};

//  Write the line fmt into error: fmt (through gettext, from this file only) takes up to two
//  strings, name and detail, both made safe here. Returns -1.
static int
s_fail (char *error, size_t error_size, const char *fmt, const char *name, const char *detail)
{
    char safe_name[SAFE_PATH_MAX_BYTES], safe_detail[SAFE_PATH_MAX_BYTES];
    text_sanitize (name, strlen (name), safe_name, sizeof safe_name);
    text_sanitize (detail, strlen (detail), safe_detail, sizeof safe_detail);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    //  Cut, if it must be, at the end of the buffer: the start says what is wrong
    if (snprintf (error, error_size, fmt, safe_name, safe_detail) < 0 && error_size)
        error[0] = 0;
#pragma GCC diagnostic pop
    return -1;
}

int
identity_default_dir (char *dir, size_t size)
{
    const char *data = getenv ("XDG_DATA_HOME"), *home = getenv ("HOME");
    int written = -1;
    if (data && *data == '/')
        written = snprintf (dir, size, "%s/%s", data, IDENTITY_DIR_NAME);
    else if (home && *home)
        written = snprintf (dir, size, "%s/.local/share/%s", home, IDENTITY_DIR_NAME);
    if (written < 0 || (size_t) written >= size) {
        dir[0] = 0;
        return -1;
    }
    return 0;
}

//  Make dir and every missing directory above it, mode 0700 (mkdir -p). Returns 0 when dir
//  is a directory then, or -1 with errno set.
static int
s_make_dirs (const char *dir)
{
    char partial[IDENTITY_PATH_MAX_BYTES];
    if (text_copy (partial, sizeof partial, dir)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    //  A directory above may exist where we may not create one: only the last one's failure
    //  counts, and only when dir is not there after all
    int failure = 0;
    for (char *slash = strchr (partial + 1, '/'); slash; slash = strchr (slash + 1, '/')) {
        *slash = 0;
        if (mkdir (partial, 0700) && errno != EEXIST)
            failure = errno;
        *slash = '/';
    }
    if (mkdir (partial, 0700) && errno != EEXIST)
        failure = errno;
    struct stat info;
    if (stat (partial, &info) == 0 && S_ISDIR (info.st_mode))
        return 0;
    errno = failure ? failure : ENOTDIR;
    return -1;
}

//  Set self's path and directory: path as given (its directory: all before the last '/'), or
//  NICK.key in the default directory. Returns 0, or -1 with error set.
static int
s_locate (identity_t *self, const char *path, const char *nick, char *error, size_t error_size)
{
    if (path) {
        if (!*path || text_copy (self->path, sizeof self->path, path))
            return s_fail (error, error_size, _ ("bad key file name \"%s\""), path, "");
        char *slash = strrchr (self->path, '/');
        size_t length = slash ? (size_t) (slash - self->path) : 0;
        if (!slash)
            memcpy (self->dir, ".", sizeof ".");
        else if (length == 0)
            memcpy (self->dir, "/", sizeof "/");
        else {
            memcpy (self->dir, self->path, length);
            self->dir[length] = 0;
        }
        return 0;
    }
    if (!nick || !*nick || strchr (nick, '/') || *nick == '.')
        return s_fail (error, error_size,
                       _ ("cannot name a key file after the nick \"%s\": it is empty, holds '/' "
                          "or starts with '.'"),
                       nick ? nick : "", "");
    if (identity_default_dir (self->dir, sizeof self->dir))
        return s_fail (error, error_size,
                       _ ("no directory for the key file: set HOME, or name a file with "
                          "--identity FILE"),
                       "", "");
    int written = snprintf (self->path, sizeof self->path, "%s/%s.key", self->dir, nick);
    if (written < 0 || (size_t) written >= sizeof self->path)
        return s_fail (error, error_size, _ ("the key file's path is too long: %s"), self->dir, "");
    return 0;
}

//  A new random key pair, used for this run only: no file is touched.
static void
s_throwaway (identity_t *self, identity_origin_t origin)
{
    crypto_sign_keypair (self->public_key, self->secret_key);
    self->origin = origin;
    self->path[0] = 0;
}

//  Decode exactly 2 * size lowercase hex digits at hex, followed by anything but one, into
//  bytes. Returns 0, or -1.
static int
s_hex_decode (const char *hex, uint8_t *bytes, size_t size)
{
    size_t decoded;
    if (strspn (hex, "0123456789abcdef") != 2 * size)
        return -1;
    return sodium_hex2bin (bytes, size, hex, 2 * size, NULL, &decoded, NULL) || decoded != size ? -1
                                                                                                : 0;
}

//  Read one line "NAME<64 hex>\n" at *at into key (32 bytes); advances *at. Returns 0, or -1.
static int
s_parse_field (const char **at, const char *name, uint8_t key[32])
{
    size_t name_size = strlen (name);
    if (memcmp (*at, name, name_size) || s_hex_decode (*at + name_size, key, 32) ||
        (*at)[name_size + KEY_HEX_CHARS] != '\n')
        return -1;
    *at += name_size + KEY_HEX_CHARS + 1;
    return 0;
}

//  Parse a key file's size bytes at text, strictly: exactly the three lines s_write_keys
//  writes. Returns 0 with its public key and seed, or -1.
static int
s_parse (const char *text, size_t size, uint8_t public[32], uint8_t seed[32])
{
    const char *at = text;
    if (size != TEXT_BYTES || memcmp (at, HEADER_LINE, sizeof HEADER_LINE - 1))
        return -1;
    at += sizeof HEADER_LINE - 1;
    if (s_parse_field (&at, PUBLIC_FIELD, public) || s_parse_field (&at, SEED_FIELD, seed))
        return -1;
    return 0;
}

//  Read the key pair from self's locked key file fd: it must parse, and its public key must be
//  the seed's. Returns 0, or -1 with error set.
static int
s_read_keys (identity_t *self, int fd, char *error, size_t error_size)
{
    char text[IDENTITY_FILE_MAX_BYTES + 1];
    uint8_t public[crypto_sign_PUBLICKEYBYTES], seed[crypto_sign_SEEDBYTES];
    ssize_t size = fdio_read_all (fd, text, sizeof text - 1); //  more than the most is corrupt
    int rc = 0;
    text[size < 0 ? 0 : size] = 0; //  the parser's hex stops at a NUL, never past the text
    if (size < 0)
        rc = s_fail (error, error_size, _ ("cannot read the key file %s: %s"), self->path,
                     strerror (errno));
    else if (s_parse (text, (size_t) size, public, seed) ||
             crypto_sign_seed_keypair (self->public_key, self->secret_key, seed) ||
             sodium_memcmp (public, self->public_key, sizeof public))
        rc = s_fail (error, error_size,
                     _ ("the key file %s is corrupt: restore it from a backup, or move it away "
                        "to make a new key (those who know you will be told it changed)"),
                     self->path, "");
    sodium_memzero (text, sizeof text);
    sodium_memzero (seed, sizeof seed);
    return rc;
}

//  Load self's existing key file, open at fd: a private regular file, locked, then read. On a
//  lock another process holds, a throwaway key (IDENTITY_BUSY). Takes fd. Returns 0, or -1
//  with error set.
static int
s_load (identity_t *self, int fd, char *error, size_t error_size)
{
    struct stat info;
    int rc;
    if (fstat (fd, &info))
        rc = s_fail (error, error_size, _ ("cannot read the key file %s: %s"), self->path,
                     strerror (errno));
    else if (!S_ISREG (info.st_mode))
        rc =
            s_fail (error, error_size, _ ("the key file %s is not a regular file"), self->path, "");
    else if (info.st_mode & 077)
        rc = s_fail (error, error_size,
                     _ ("the key file %s may be read or written by others: chmod 600 %s"),
                     self->path, self->path);
    else if (flock (fd, LOCK_EX | LOCK_NB) == 0) {
        rc = s_read_keys (self, fd, error, error_size);
        if (rc == 0) {
            self->fd = fd, self->origin = IDENTITY_LOADED;
            return 0;
        }
    } else if (errno == EWOULDBLOCK) {
        close (fd);
        s_throwaway (self, IDENTITY_BUSY);
        return 0;
    } else
        rc = s_fail (error, error_size, _ ("cannot lock the key file %s: %s"), self->path,
                     strerror (errno));
    close (fd);
    return rc;
}

//  Make sure what was written to the directory dir (a new file's name) is on the disk too.
static void
s_sync_dir (const char *dir)
{
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd); //  best effort: the file itself is synced already
        close (fd);
    }
}

//  Write a new key pair into fd, the new key file. Returns 0, or -1 with errno set.
static int
s_write_keys (identity_t *self, int fd)
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    char public_hex[KEY_HEX_CHARS + 1], seed_hex[KEY_HEX_CHARS + 1], text[TEXT_BYTES + 1];
    randombytes_buf (seed, sizeof seed);
    int rc = crypto_sign_seed_keypair (self->public_key, self->secret_key, seed);
    sodium_bin2hex (public_hex, sizeof public_hex, self->public_key, sizeof self->public_key);
    sodium_bin2hex (seed_hex, sizeof seed_hex, seed, sizeof seed);
    int size = snprintf (text, sizeof text, HEADER_LINE PUBLIC_FIELD "%s\n" SEED_FIELD "%s\n",
                         public_hex, seed_hex);
    if (rc || size != (int) TEXT_BYTES) {
        errno = EINVAL; //  cannot happen: the sizes are fixed
        rc = -1;
    } else
        rc = fdio_write_all (fd, text, TEXT_BYTES) || fsync (fd) ? -1 : 0;
    int saved = errno;
    sodium_memzero (seed, sizeof seed);
    sodium_memzero (seed_hex, sizeof seed_hex);
    sodium_memzero (text, sizeof text);
    errno = saved;
    return rc;
}

//  Create self's key file with a new key pair: never over an existing one. Returns 0; 1 when
//  the file exists after all (another process made it just now); or -1 with error set.
static int
s_create (identity_t *self, char *error, size_t error_size)
{
    int fd = open (self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0 && errno == EEXIST)
        return 1;
    if (fd < 0)
        return s_fail (error, error_size, _ ("cannot create the key file %s: %s"), self->path,
                       strerror (errno));
    //  Locked before it is written: a chat that opens it meanwhile finds it busy
    if (flock (fd, LOCK_EX | LOCK_NB)) {
        close (fd);
        s_throwaway (self, IDENTITY_BUSY);
        return 0;
    }
    if (s_write_keys (self, fd)) {
        int rc = s_fail (error, error_size, _ ("cannot write the key file %s: %s"), self->path,
                         strerror (errno));
        unlink (self->path);
        close (fd);
        return rc;
    }
    s_sync_dir (self->dir);
    self->fd = fd, self->origin = IDENTITY_CREATED;
    return 0;
}

//  Open self's key file, creating it (and its directories) if missing. Returns 0, or -1 with
//  error set.
static int
s_open_file (identity_t *self, char *error, size_t error_size)
{
    if (s_make_dirs (self->dir))
        return s_fail (error, error_size, _ ("cannot create the directory %s: %s"), self->dir,
                       strerror (errno));
    //  Twice at most: a file that appears between the two opens is loaded the second time
    for (int round = 0; round < 2; round++) {
        int fd = open (self->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0)
            return s_load (self, fd, error, error_size);
        if (errno != ENOENT)
            return s_fail (error, error_size, _ ("cannot read the key file %s: %s"), self->path,
                           strerror (errno));
        int rc = s_create (self, error, error_size);
        if (rc <= 0)
            return rc;
    }
    return s_fail (error, error_size, _ ("cannot read the key file %s: %s"), self->path,
                   strerror (ENOENT));
}

identity_t *
identity_open (const char *path, const char *nick, bool throwaway, char *error, size_t error_size)
{
    if (error_size)
        error[0] = 0;
    if (sodium_init () < 0) {
        s_fail (error, error_size, _ ("cannot start libsodium, which makes the keys"), "", "");
        return NULL;
    }
    identity_t *self = calloc (1, sizeof *self);
    if (!self) {
        s_fail (error, error_size, _ ("out of memory"), "", "");
        return NULL;
    }
    self->fd = -1;
    randombytes_buf (self->session, sizeof self->session);
    if (throwaway) {
        identity_default_dir (self->dir, sizeof self->dir); //  "" without a home: nothing to keep
        s_throwaway (self, IDENTITY_THROWAWAY);
    } else if (s_locate (self, path, nick, error, error_size) ||
               s_open_file (self, error, error_size)) {
        identity_destroy (&self);
        return NULL;
    }
    identity_derive_sender (self->public_key, self->session, self->sender);
    return self;
}

void
identity_destroy (identity_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    identity_t *self = *self_p;
    if (self->fd >= 0) {
        flock (self->fd, LOCK_UN);
        close (self->fd);
    }
    sodium_memzero (self, sizeof *self);
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
    crypto_sign_detached (signature, NULL, message, size, self->secret_key);
}

bool
identity_verify (const uint8_t public[IDENTITY_PUBLIC_BYTES], const void *message, size_t size,
                 const uint8_t signature[IDENTITY_SIGNATURE_BYTES])
{
    return crypto_sign_verify_detached (signature, message, size, public) == 0;
}

int
identity_box_secret (const identity_t *self, uint8_t secret[IDENTITY_BOX_KEY_BYTES])
{
    return crypto_sign_ed25519_sk_to_curve25519 (secret, self->secret_key) ? -1 : 0;
}

int
identity_box_public (const uint8_t public[IDENTITY_PUBLIC_BYTES],
                     uint8_t box_public[IDENTITY_BOX_KEY_BYTES])
{
    if (crypto_sign_ed25519_pk_to_curve25519 (box_public, public) == 0)
        return 0;
    memset (box_public, 0, IDENTITY_BOX_KEY_BYTES);
    return -1;
}

void
identity_derive_sender (const uint8_t public[IDENTITY_PUBLIC_BYTES],
                        const uint8_t session[IDENTITY_SESSION_BYTES],
                        uint8_t sender[IDENTITY_SENDER_BYTES])
{
    uint8_t input[IDENTITY_PUBLIC_BYTES + IDENTITY_SESSION_BYTES];
    memcpy (input, public, IDENTITY_PUBLIC_BYTES);
    memcpy (input + IDENTITY_PUBLIC_BYTES, session, IDENTITY_SESSION_BYTES);
    crypto_generichash (sender, IDENTITY_SENDER_BYTES, input, sizeof input, NULL, 0);
}

//  The whole fingerprint of public into full, in groups of 4 hex digits: 39 characters.
static void
s_fingerprint (const uint8_t public[IDENTITY_PUBLIC_BYTES], char full[IDENTITY_FINGERPRINT_BYTES])
{
    uint8_t hash[16];
    char hex[2 * sizeof hash + 1];
    crypto_generichash (hash, sizeof hash, public, IDENTITY_PUBLIC_BYTES, NULL, 0);
    sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
    char *at = full;
    for (size_t group = 0; group < sizeof hash / 2; group++) {
        if (group)
            *at++ = ' ';
        memcpy (at, hex + 4 * group, 4);
        at += 4;
    }
    *at = 0;
}

void
identity_fingerprint (const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize)
{
    char full[IDENTITY_FINGERPRINT_BYTES];
    s_fingerprint (public, full);
    text_copy (out, outsize, full);
}

void
identity_short (const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out, size_t outsize)
{
    char full[IDENTITY_FINGERPRINT_BYTES];
    s_fingerprint (public, full);
    full[IDENTITY_SHORT_BYTES - 1] = 0;
    text_copy (out, outsize, full);
}

void
identity_tag_nick (const char *nick, const uint8_t public[IDENTITY_PUBLIC_BYTES], char *out,
                   size_t outsize)
{
    char tag[IDENTITY_SHORT_BYTES];
    identity_short (public, tag, sizeof tag);
    int size = snprintf (out, outsize, "%s?%s", nick, tag);
    if (size < 0 || (size_t) size >= outsize)
        text_copy (out, outsize, "?"); //  never the bare nick: that would pass for its owner
}
