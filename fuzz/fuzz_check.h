/*  fuzz_check.h - the invariants the fuzz targets check, shared by both.

    A broken invariant is a bug in our code, not bad input, so it traps: libFuzzer reports it as
    a crash and saves the input, like a sanitizer error.
*/
#ifndef FUZZ_CHECK_H_INCLUDED
#define FUZZ_CHECK_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

//  Trap, after naming the broken invariant, unless condition holds.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            fprintf (stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);     \
            __builtin_trap ();                                                                     \
        }                                                                                          \
    } while (0)

//  Check what text_sanitize wrote into out (outsize bytes): NUL-terminated within out, valid
//  UTF-8, and no character a terminal acts on: no C0 control, DEL, C1 control (U+0080-U+009F),
//  bidi embedding, override, isolate or mark, nor line or paragraph separator. Traps if not.
void fuzz_check_sanitized (const char *out, size_t outsize);

//  Check a line formatted for the screen without colour (channels_format): what
//  fuzz_check_sanitized checks, for the line up to its NUL. Traps if not.
void fuzz_check_printable (const char *line, size_t size);

#endif
