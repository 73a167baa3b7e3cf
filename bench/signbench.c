/*  signbench.c - what protocol version 2's signing costs on this machine, for bench.py.

    Measures, in one run, the median time of an Ed25519 signature (crypto_sign_detached of a
    48-byte message: a batch's statement, context and hash), of its verification, and of a
    BLAKE2b-256 hash of a 101-byte input (a line leaf: a 90-byte line, its channel and size).
    Each is timed ROUNDS times in blocks of BLOCK calls; the median block / BLOCK is reported.
    Prints one line: "sign_us verify_us hash_us" (bench.py parses it).

    signbench [ROUNDS]
*/
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 20 //  calls timed together, so that the clock's own cost stays small

static double
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double
s_median (double *values, int count)
{
    qsort (values, (size_t) count, sizeof *values, s_compare);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

int
main (int argc, char **argv)
{
    int rounds = argc > 1 ? atoi (argv[1]) : 200;
    if (rounds < 1 || sodium_init () < 0) {
        fprintf (stderr, "usage: signbench [ROUNDS >= 1] (or libsodium failed to start)\n");
        return 1;
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    unsigned char message[48], input[101], hash[32], signature[crypto_sign_BYTES];
    crypto_sign_keypair (pk, sk);
    randombytes_buf (message, sizeof message);
    randombytes_buf (input, sizeof input);
    double *sign = calloc ((size_t) rounds, sizeof *sign);
    double *verify = calloc ((size_t) rounds, sizeof *verify);
    double *digest = calloc ((size_t) rounds, sizeof *digest);
    if (!sign || !verify || !digest)
        return 1;
    int bad = 0;
    for (int r = 0; r < rounds; r++) { //  interleaved, so that noise hits all three alike
        double t0 = s_now_us ();
        for (int i = 0; i < BLOCK; i++) {
            message[0] = (unsigned char) i;
            crypto_sign_detached (signature, NULL, message, sizeof message, sk);
        }
        double t1 = s_now_us ();
        for (int i = 0; i < BLOCK; i++)
            bad += crypto_sign_verify_detached (signature, message, sizeof message, pk) != 0;
        double t2 = s_now_us ();
        for (int i = 0; i < BLOCK; i++) {
            input[0] = hash[0];
            crypto_generichash (hash, sizeof hash, input, sizeof input, NULL, 0);
        }
        double t3 = s_now_us ();
        sign[r] = (t1 - t0) / BLOCK;
        verify[r] = (t2 - t1) / BLOCK;
        digest[r] = (t3 - t2) / BLOCK;
    }
    if (bad) {
        fprintf (stderr, "signbench: %d verifications failed\n", bad);
        return 1;
    }
    printf ("%.2f %.2f %.3f\n", s_median (sign, rounds), s_median (verify, rounds),
            s_median (digest, rounds));
    free (sign);
    free (verify);
    free (digest);
    return 0;
}
