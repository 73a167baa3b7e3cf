/*  fuzz_check.h - the invariants the fuzz targets check, and the cutting of an input into
    frames, shared by them.

    A broken invariant is a bug in our code, not bad input, so it traps: libFuzzer reports it as
    a crash and saves the input, like a sanitizer error.
*/
#ifndef FUZZ_CHECK_H_INCLUDED
#define FUZZ_CHECK_H_INCLUDED

#include "wire.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FUZZ_SEPARATOR_BYTES 4 // of a separator between the parts of an input

//  One part of an input (a message, or a frame of one), in its own heap block
typedef struct {
    uint8_t *data; //  exactly size bytes (owned)
    size_t size;   //  its size
} fuzz_frame_t;

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

//  Split data at separator (FUZZ_SEPARATOR_BYTES bytes) into at most max parts, each copied
//  into a heap block of exactly its size (the caller frees each); the last takes the rest.
//  Returns the count, 1..max.
size_t fuzz_split (const uint8_t *data, size_t size, const char *separator, size_t max,
                   fuzz_frame_t *parts);

//  Check the proof after a frame 2 of version 2 (frame, size bytes, decoded into meta), if one
//  decodes for its seq: within the limits, and it encodes back to the same bytes. Traps if not.
void fuzz_check_proof (const uint8_t *frame, size_t size, const wire_meta_t *meta);

//  Check a batch's body (size bytes), if it decodes: its lines are not empty, lie inside it, are
//  WIRE_BATCH_LINES_MAX at most, and encode back to the same bytes. Traps if not.
void fuzz_check_body (const uint8_t *body, size_t size);

#endif
