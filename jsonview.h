/*  jsonview.h - the objects of --json that are not chat lines (web-protocol.md, section 1):
    {"t":"self",...} who we are, {"t":"prompt",...} what the prompt would show, {"t":"who",...}
    the answer to \who. (A chat line is view.h's; a notice, an error, a debug line and a line
    of text are term.h's.)

    Each function builds one object into out (JSON_LINE_MAX_BYTES is enough) and returns 0, or
    -1 if something was cut (the object is still whole). Every string must be made safe by the
    caller (text_sanitize) or be one of ours; json.h escapes it. Pure functions, but for
    jsonview_who_names, which reads the room (its lock is taken).
*/
#ifndef JSONVIEW_H_INCLUDED
#define JSONVIEW_H_INCLUDED

#include "limits.h"
#include "room.h"

#include <stddef.h>

#define JSONVIEW_NAME_BYTES (NAME_MAX_BYTES + 8) // a display name, as room.h gives it

//  {"t":"self","nick":...,"port":...,"channel":...,"fingerprint":...,"key":...}
int jsonview_self (char *out, size_t outsize, const char *nick, int port, const char *channel,
                   const char *fingerprint, const char *key);

//  {"t":"prompt","channel":...,"listeners":...,"nick":...}
int jsonview_prompt (char *out, size_t outsize, const char *channel, int listeners,
                     const char *nick);

//  {"t":"who","names":[...],"lines":[...],"text":...}: the names (count of them), each line of
//  listing (\who's, as the terminal shows it; "" for none) and the line that counts them.
int jsonview_who (char *out, size_t outsize, const char (*names)[JSONVIEW_NAME_BYTES], size_t count,
                  const char *listing, const char *text);

//  Copy the display names of the room's members that match pattern (who.h; NULL or "" is all)
//  into names (at most max), in the order \who lists them. Returns the count.
size_t jsonview_who_names (room_t *room, const char *pattern, char (*names)[JSONVIEW_NAME_BYTES],
                           size_t max);

#endif
