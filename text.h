/*  text.h - UTF-8 decoding, names, and making untrusted text safe for a terminal.

    Pure functions, no state, safe from any thread.
*/
#ifndef TEXT_H_INCLUDED
#define TEXT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Decode one UTF-8 sequence at s (size bytes left). Returns its length in bytes and stores the
//  code point in *cp, or returns 0 for an invalid, overlong, surrogate or truncated sequence.
size_t text_utf8_decode (const char *s, size_t size, uint32_t *cp);

//  True when s[0..size) is valid UTF-8.
bool text_utf8_valid (const char *s, size_t size);

//  True when s is a valid name: 1..NAME_MAX_CHARS characters, each a letter (ASCII or Latin,
//  å ä ö included), a digit, '-' or '_', or one of the characters in extra (ASCII only).
bool text_name_valid (const char *s, size_t size, const char *extra);

//  Copy size bytes of untrusted text into out (outsize bytes, always NUL-terminated), making
//  every control character, escape sequence, bidi override and line separator visible (^[,
//  <U+202E>) and every invalid UTF-8 sequence U+FFFD. Returns 0, or -1 if out was too small
//  (out then ends with "…").
int text_sanitize (const char *s, size_t size, char *out, size_t outsize);

//  Copy the string s into out (outsize bytes, always NUL-terminated when outsize > 0), cut if
//  it must be. Returns 0, or -1 if it was cut.
int text_copy (char *out, size_t outsize, const char *s);

//  Append formatted text to out (outsize bytes, holding *used bytes and a NUL): all of it, or
//  nothing if it does not fit, so a list never ends in half an item. Advances *used. Returns
//  0, or -1 if it did not fit.
int text_append (char *out, size_t outsize, size_t *used, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Format text into out (outsize bytes): all of it, or "" if it does not fit. Returns 0, or -1
//  if it did not fit.
int text_format (char *out, size_t outsize, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#endif
