/*  jsonview.c - the objects of --json that are not chat lines (see jsonview.h).
 */
#include "jsonview.h"
#include "json.h"
#include "who.h"

#include <stdlib.h>
#include <string.h>

int
jsonview_self (char *out, size_t outsize, const char *nick, int port, const char *channel,
               const char *fingerprint, const char *key)
{
    json_t json;
    json_open (&json, out, outsize, "self");
    json_string (&json, "nick", nick);
    json_int (&json, "port", port);
    json_string (&json, "channel", channel);
    json_string (&json, "fingerprint", fingerprint);
    json_string (&json, "key", key);
    return json_close (&json) < 0 ? -1 : 0;
}

int
jsonview_prompt (char *out, size_t outsize, const char *channel, int listeners, const char *nick)
{
    json_t json;
    json_open (&json, out, outsize, "prompt");
    json_string (&json, "channel", channel);
    json_int (&json, "listeners", listeners);
    json_string (&json, "nick", nick);
    return json_close (&json) < 0 ? -1 : 0;
}

int
jsonview_who (char *out, size_t outsize, const char (*names)[JSONVIEW_NAME_BYTES], size_t count,
              const char *listing, const char *text)
{
    json_t json;
    json_open (&json, out, outsize, "who");
    json_array_open (&json, "names");
    for (size_t i = 0; i < count; i++)
        json_array_string (&json, names[i]);
    json_array_close (&json);
    json_array_open (&json, "lines");
    for (const char *line = listing; *line;) {
        size_t length = strcspn (line, "\n");
        char copy[ROOM_DESCRIBE_LINE_MAX_BYTES];
        size_t taken = length < sizeof copy ? length : sizeof copy - 1; //  longer: cut
        memcpy (copy, line, taken);
        copy[taken] = 0;
        json_array_string (&json, copy);
        line += length + (line[length] ? 1 : 0);
    }
    json_array_close (&json);
    json_string (&json, "text", text);
    return json_close (&json) < 0 ? -1 : 0;
}

//  qsort's order of two display names: \who's (who_compare).
static int
s_name_order (const void *a, const void *b)
{
    return who_compare (a, b);
}

size_t
jsonview_who_names (room_t *room, const char *pattern, char (*names)[JSONVIEW_NAME_BYTES],
                    size_t max)
{
    size_t count = room_names (room, names, max), kept = 0;
    for (size_t i = 0; i < count; i++)
        if (who_match (pattern, names[i])) {
            if (kept != i)
                memcpy (names[kept], names[i], JSONVIEW_NAME_BYTES);
            kept++;
        }
    qsort (names, kept, JSONVIEW_NAME_BYTES, s_name_order);
    return kept;
}
