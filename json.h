/*  json.h - one JSON object built into a fixed buffer: {"t":"line","nick":"anna",...}.

    What --json prints (web-protocol.md, section 1). A string value is escaped: '"' and '\' with a
    backslash, every byte below 0x20 and DEL as \u00XX, an invalid UTF-8 sequence as \ufffd, so
    what comes out is valid JSON and valid UTF-8 whatever goes in (the caller has made it safe
    to show first, with text_sanitize). Nothing is ever written past the buffer: a member that
    does not fit is left out whole (a string is cut at a character instead), the object is
    always closed, and json_close says that something was cut.

    Pure functions on the caller's json_t, safe from any thread.
*/
#ifndef JSON_H_INCLUDED
#define JSON_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define JSON_LINE_MAX_BYTES 16384 // one object, its '\n' and a NUL, at most (the contract's 16 KiB)
#define JSON_DEPTH_MAX 4          // objects and arrays open at once, at most
#define JSON_AFTER_ARRAY_BYTES 1024 // an array item leaves this much room for the members after it

//  An object being built. Fill it with json_open; the fields are the builder's own.
typedef struct {
    char *out;                        //  the caller's buffer
    size_t size;                      //  its size
    size_t used;                      //  bytes written, before the NUL
    size_t depth;                     //  objects and arrays open
    char closers[JSON_DEPTH_MAX];     //  what closes each ('}' or ']'; 0: could not be opened)
    bool outer_empty[JSON_DEPTH_MAX]; //  whether the level around each was empty when it opened
    bool empty;                       //  nothing in the innermost object or array yet
    bool cut;                         //  something did not fit
} json_t;

//  Start the object {"t":"type" in out (size bytes, at least 16): type is one of ours, a
//  constant.
void json_open (json_t *self, char *out, size_t size, const char *type);

//  Add "key":"value" (value NULL: "key":null), "key":number, "key":true|false, "key":null.
void json_string (json_t *self, const char *key, const char *value);
void json_int (json_t *self, const char *key, long long value);
void json_bool (json_t *self, const char *key, bool value);
void json_null (json_t *self, const char *key);

//  Open the array "key":[, add one string to it (left out, and the object marked cut, when it
//  would leave less than JSON_AFTER_ARRAY_BYTES), and close it.
void json_array_open (json_t *self, const char *key);
void json_array_string (json_t *self, const char *value);
void json_array_close (json_t *self);

//  Close what is open, the object last. Returns its length in bytes (before the NUL), or -1
//  if something was cut (it is still whole, valid JSON).
int json_close (json_t *self);

//  The whole object {"t":type,"text":text} into out (size bytes, at least 16): a notice, an
//  error, a line of text. Returns json_close's.
int json_text (char *out, size_t size, const char *type, const char *text);

#endif
