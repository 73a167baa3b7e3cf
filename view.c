/*  view.c - how a line is shown (see view.h).
 */
#include "view.h"
#include "i18n.h"
#include "json.h"
#include "limits.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *
view_nick_color (const char *nick)
{
    //  Ten colours that read on dark and light backgrounds, none of them the notices' cyan;
    //  FNV-1a, its bits mixed once more, picks one per nick
    static const char *colors[] = {"31", "32", "33", "34", "35", "91", "92", "93", "94", "95"};
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *) nick; *c && *c != '#'; c++)
        hash = (hash ^ *c) * 16777619u;
    hash ^= hash >> 15;
    hash *= 0x2c1b3c6du;
    hash ^= hash >> 12;
    return colors[hash % (sizeof colors / sizeof colors[0])];
}

//  "HH:MM" of when, local time, into clock (6 bytes). Each thread remembers the last minute it
//  formatted: localtime_r takes a lock and reads the time zone, once per line is too often.
static void
s_clock (time_t when, char clock[6])
{
    static __thread time_t minute_start = -1;
    static __thread char minute[6];
    if (minute_start < 0 || when < minute_start || when >= minute_start + 60) {
        struct tm local;
        localtime_r (&when, &local);
        minute[0] = (char) ('0' + local.tm_hour / 10 % 10);
        minute[1] = (char) ('0' + local.tm_hour % 10);
        minute[2] = ':';
        minute[3] = (char) ('0' + local.tm_min / 10 % 10);
        minute[4] = (char) ('0' + local.tm_min % 10);
        minute[5] = 0;
        //  The minute starts tm_sec seconds before when (a leap second aside)
        minute_start = when - local.tm_sec;
    }
    memcpy (clock, minute, sizeof minute);
}

//  Append pieces (count of them) to out, cut where out ends, as snprintf would. Returns 0, or
//  -1 if cut.
static int
s_join (char *out, size_t outsize, const char *const *pieces, size_t count)
{
    if (outsize == 0)
        return -1;
    size_t used = 0;
    bool fits = true;
    for (size_t i = 0; i < count && fits; i++) {
        if (!pieces[i][0])
            continue; //  half the pieces are empty without colour: no call for them
        size_t size = strlen (pieces[i]);
        fits = used + size < outsize;
        size_t taken = fits ? size : outsize - 1 - used;
        memcpy (out + used, pieces[i], taken);
        used += taken;
    }
    out[used] = 0;
    return fits ? 0 : -1;
}

//  The parts of a line made safe to print
typedef struct {
    bool action;                         //  "/me dances": "* anna dances"
    char text[SANITIZED_MAX_BYTES];      //  the text (after "/me ")
    char sender[4 * ENDPOINT_MAX_BYTES]; //  the nick or address
    char place[4 * NAME_MAX_BYTES + 8];  //  the channel, or "private"
    char to[4 * NAME_MAX_BYTES + 16];    //  "bertil" for a private message we sent, else ""
} safe_t;

//  Make the parts of line safe into safe. Returns 0, or -1 if one was cut.
static int
s_make_safe (const view_line_t *line, safe_t *safe)
{
    const char *text = line->text;
    size_t text_size = line->text_size;
    //  "/me dances" is an action, as in IRC: "* anna dances"
    safe->action = text_size > 4 && memcmp (text, "/me ", 4) == 0;
    if (safe->action)
        text += 4, text_size -= 4;
    int cut = text_sanitize (text, text_size, safe->text, sizeof safe->text);
    cut |= text_sanitize (line->sender, strlen (line->sender), safe->sender, sizeof safe->sender);
    //  A private message has no channel: "(private)" in its place, round brackets so that no
    //  channel name can look like it
    const char *place = line->channel ? line->channel : _ ("private");
    cut |= text_sanitize (place, strlen (place), safe->place, sizeof safe->place);
    safe->to[0] = 0;
    if (line->to && !line->channel)
        cut |= text_sanitize (line->to, strlen (line->to), safe->to, sizeof safe->to);
    return cut ? -1 : 0;
}

//  The line as --json shows it: {"t":"line","time":...,"channel":...,"nick":...,...}, from its
//  parts made safe. Returns 0, or -1 if cut.
static int
s_format_json (char *out, size_t outsize, const view_line_t *line, const safe_t *safe)
{
    json_t json;
    json_open (&json, out, outsize < JSON_LINE_MAX_BYTES ? outsize : JSON_LINE_MAX_BYTES, "line");
    json_int (&json, "time", (long long) line->when);
    json_string (&json, "channel", line->channel ? safe->place : NULL);
    if (safe->to[0])
        json_string (&json, "to", safe->to);
    json_string (&json, "nick", safe->sender);
    json_string (&json, "text", safe->text);
    json_bool (&json, "action", safe->action);
    json_bool (&json, "history", line->history);
    json_bool (&json, "own", line->own);
    json_string (&json, "color", view_nick_color (line->sender));
    return json_close (&json) < 0 ? -1 : 0;
}

int
view_format (char *out, size_t outsize, const view_line_t *line)
{
    safe_t safe;
    int cut = s_make_safe (line, &safe);
    if (line->json)
        return s_format_json (out, outsize, line, &safe) | cut;
    char clock[6];
    s_clock (line->when, clock);
    //  Colour codes are added after sanitising: they are ours, never a peer's
    const char *dim = line->color ? "\033[2m" : "", *reset = line->color ? "\033[0m" : "";
    char nick_on[16] = "";
    if (line->color)
        cut |= snprintf (nick_on, sizeof nick_on, "\033[%sm", view_nick_color (line->sender)) < 0;
    //  "HH:MM [buddy] <anna> text" or "HH:MM [buddy] * anna dances"
    const char *pieces[] = {line->history ? dim : "",
                            line->history ? _ ("(history) ") : "",
                            line->history ? reset : "",
                            dim,
                            clock,
                            reset,
                            line->channel ? " [" : " (",
                            safe.place,
                            safe.to[0] ? " -> " : "",
                            safe.to,
                            line->channel ? "] " : ") ",
                            safe.action ? "* " : "<",
                            nick_on,
                            safe.sender,
                            reset,
                            safe.action ? " " : "> ",
                            safe.text};
    cut |= s_join (out, outsize, pieces, sizeof pieces / sizeof pieces[0]);
    return cut ? -1 : 0;
}
