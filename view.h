/*  view.h - how a line is shown: "12:03 [buddy] <anna> hej", "12:03 [buddy] * anna dansar",
    "12:03 (private) <anna> hej", "(history) 12:03 [buddy] <anna> hej", each part made safe and,
    with colour, the time dimmed and the nick in its own colour.

    Pure functions, safe from any thread.
*/
#ifndef VIEW_H_INCLUDED
#define VIEW_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

//  A line to show
typedef struct {
    time_t when;         //  when it was written
    const char *channel; //  its channel; NULL for a private message
    const char *to;      //  a private message we sent: to whom ("(private -> bertil)"); else NULL
    const char *sender;  //  the nick, or the peer's address for a plain peer
    const char *text;    //  the text as received: untrusted, not NUL-terminated
    size_t text_size;    //  its size
    bool history;        //  from before we joined: "(history) " goes first
    bool color;          //  with colour codes
    bool own;            //  our own line, shown back to us (in JSON only: "own":true)
    bool json;           //  as one JSON object for --json, not as text (term.h)
} view_line_t;

//  Format line for the screen into out ("/me dances" becomes "* nick dances", as in IRC), or,
//  with json, as the object {"t":"line",...} of web-protocol.md (json.h; out should have
//  JSON_LINE_MAX_BYTES). Returns 0, or -1 if cut.
int view_format (char *out, size_t outsize, const view_line_t *line);

//  The colour of a nick: an SGR number ("31"..."96"), the same for the same nick everywhere
//  (and for "anna#3f2a" as for "anna").
const char *view_nick_color (const char *nick);

#endif
