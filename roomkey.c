/*  roomkey.c - the key of a locked room, derived from its passphrase (see roomkey.h).
 */
#include "roomkey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int
roomkey_derive (const char *passphrase, size_t size, roomkey_t *key)
{
    if (size == 0 || size > ROOMKEY_PASSPHRASE_MAX_BYTES || sodium_init () < 0)
        return -1;
    uint8_t seed[crypto_box_SEEDBYTES];
    _Static_assert(sizeof ROOMKEY_SALT - 1 == crypto_pwhash_SALTBYTES, "salt size");
    int rc = crypto_pwhash (seed, sizeof seed, passphrase, size, (const uint8_t *) ROOMKEY_SALT,
                            ROOMKEY_OPSLIMIT, ROOMKEY_MEMLIMIT_BYTES, crypto_pwhash_ALG_ARGON2ID13);
    if (rc == 0)
        rc = crypto_box_seed_keypair (key->public_key, key->secret_key, seed);
    sodium_memzero (seed, sizeof seed);
    return rc == 0 ? 0 : -1;
}

int
roomkey_fingerprint (const roomkey_t *key, char *out, size_t outsize)
{
    uint8_t hash[4];
    crypto_generichash (hash, sizeof hash, key->public_key, ROOMKEY_BYTES, NULL, 0);
    int size = snprintf (out, outsize, "%02x%02x-%02x%02x", hash[0], hash[1], hash[2], hash[3]);
    return size < 0 || (size_t) size >= outsize ? -1 : 0;
}

int
roomkey_ask (const char *prompt, char *out, size_t outsize)
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

void
roomkey_wipe (roomkey_t *key)
{
    sodium_memzero (key, sizeof *key);
}
