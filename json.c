/*  json.c - one JSON object built into a fixed buffer (see json.h).

    Room for the closing '}' and ']' of everything open, and the NUL, is kept free at every
    step, so closing never fails. A level that could not be opened is still pushed, with no
    closer: what goes into it is left out, and closing it writes nothing.
*/
#include "json.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSON_CHAR_MAX_BYTES 6 // the longest escaped character: \u00XX or \ufffd

//  The bytes still free for members: the closers of what is open and the NUL are kept back.
static size_t
s_room (const json_t *self)
{
    size_t reserved = self->used + self->depth + 1;
    return reserved < self->size ? self->size - reserved : 0;
}

//  True when the innermost level could not be opened: what goes into it is left out.
static bool
s_dead (const json_t *self)
{
    return self->depth == 0 || self->closers[self->depth - 1] == 0;
}

//  Write length bytes, which fit (the caller checked s_room).
static void
s_raw (json_t *self, const char *bytes, size_t length)
{
    memcpy (self->out + self->used, bytes, length);
    self->used += length;
    self->out[self->used] = 0;
}

//  Start a member: the comma before it, and "key": unless key is NULL (an array item), if
//  they fit with need bytes more. Returns false (and marks the object cut) if not.
static bool
s_begin (json_t *self, const char *key, size_t need)
{
    size_t length = (self->empty ? 0 : 1) + (key ? strlen (key) + 3 : 0);
    if (s_dead (self) || length + need > s_room (self)) {
        self->cut = true;
        return false;
    }
    if (!self->empty)
        s_raw (self, ",", 1);
    if (key) {
        s_raw (self, "\"", 1);
        s_raw (self, key, strlen (key));
        s_raw (self, "\":", 2);
    }
    self->empty = false;
    return true;
}

//  The JSON form of the character at s (left bytes, at least 1) into form (at least
//  JSON_CHAR_MAX_BYTES): its length; *taken is set to the bytes of s it stands for.
static size_t
s_escape_char (const char *s, size_t left, char *form, size_t *taken)
{
    unsigned char c = (unsigned char) *s;
    *taken = 1;
    if (c < 0x20 || c == 0x7F) {
        static const char hex[] = "0123456789abcdef";
        memcpy (form, "\\u00", 4);
        form[4] = hex[c >> 4];
        form[5] = hex[c & 0xF];
        return 6;
    }
    if (c == '"' || c == '\\') {
        form[0] = '\\';
        form[1] = (char) c;
        return 2;
    }
    if (c < 0x80) {
        form[0] = (char) c;
        return 1;
    }
    uint32_t cp;
    size_t length = text_utf8_decode (s, left, &cp);
    if (length == 0) { //  not UTF-8: the replacement character, one byte at a time
        memcpy (form, "\\ufffd", 6);
        return 6;
    }
    memcpy (form, s, length);
    *taken = length;
    return length;
}

//  Write value as a quoted, escaped string, whose quotes s_begin made room for, leaving keep
//  bytes free after it. Returns true when all of it fit, false when it was cut at a character.
static bool
s_quoted (json_t *self, const char *value, size_t keep)
{
    s_raw (self, "\"", 1);
    size_t left = strlen (value);
    bool whole = true;
    while (left > 0) {
        char form[JSON_CHAR_MAX_BYTES];
        size_t taken, length = s_escape_char (value, left, form, &taken);
        if (length + 1 + keep > s_room (self)) { //  1: the closing quote
            whole = false;
            break;
        }
        s_raw (self, form, length);
        value += taken, left -= taken;
    }
    s_raw (self, "\"", 1);
    return whole;
}

void
json_open (json_t *self, char *out, size_t size, const char *type)
{
    *self = (json_t){.out = out, .size = size, .empty = true};
    if (size < 3) {
        self->cut = true;
        if (size)
            out[0] = 0;
        return;
    }
    self->closers[self->depth++] = '}';
    s_raw (self, "{", 1);
    json_string (self, "t", type);
}

void
json_string (json_t *self, const char *key, const char *value)
{
    if (!value)
        json_null (self, key);
    else if (s_begin (self, key, 2) && !s_quoted (self, value, 0))
        self->cut = true;
}

//  Add "key":literal (a number, true, false or null).
static void
s_literal (json_t *self, const char *key, const char *literal)
{
    size_t length = strlen (literal);
    if (s_begin (self, key, length))
        s_raw (self, literal, length);
}

void
json_int (json_t *self, const char *key, long long value)
{
    char number[24];
    int size = snprintf (number, sizeof number, "%lld", value);
    if (size > 0 && (size_t) size < sizeof number)
        s_literal (self, key, number);
    else
        self->cut = true;
}

void
json_bool (json_t *self, const char *key, bool value)
{
    s_literal (self, key, value ? "true" : "false");
}

void
json_null (json_t *self, const char *key)
{
    s_literal (self, key, "null");
}

void
json_array_open (json_t *self, const char *key)
{
    if (self->depth == JSON_DEPTH_MAX) { //  deeper than any object of ours: left out
        self->cut = true;
        return;
    }
    bool empty = self->empty, opened = s_begin (self, key, 1);
    if (opened)
        s_raw (self, "[", 1);
    self->outer_empty[self->depth] = empty && !opened;
    self->closers[self->depth++] = opened ? ']' : 0;
    self->empty = true;
}

void
json_array_string (json_t *self, const char *value)
{
    size_t used = self->used;
    bool empty = self->empty;
    if (!value || !s_begin (self, NULL, 2 + JSON_AFTER_ARRAY_BYTES))
        return;
    if (!s_quoted (self, value, JSON_AFTER_ARRAY_BYTES)) {
        //  An item is there whole or not at all
        self->used = used;
        self->out[used] = 0;
        self->empty = empty;
        self->cut = true;
    }
}

void
json_array_close (json_t *self)
{
    if (self->depth <= 1)
        return; //  no array open: the object is closed by json_close
    char closer = self->closers[--self->depth];
    if (closer)
        s_raw (self, &closer, 1);
    self->empty = self->outer_empty[self->depth];
}

int
json_close (json_t *self)
{
    while (self->depth > 0) {
        char closer = self->closers[--self->depth];
        if (closer)
            s_raw (self, &closer, 1);
    }
    return self->cut ? -1 : (int) self->used;
}

int
json_text (char *out, size_t size, const char *type, const char *text)
{
    json_t json;
    json_open (&json, out, size, type);
    json_string (&json, "text", text);
    return json_close (&json);
}
