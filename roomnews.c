/*  roomnews.c - who joined and who left, told so that a crowd stays readable (see roomnews.h).
 */
#include "roomnews.h"
#include "i18n.h"
#include "term.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define S_KEPT_MAX 256 // names a window keeps, as many as a room holds (ROOM_MAX, room.h)

//  Names told in one line: how many, and the first S_KEPT_MAX of them in the order they came
typedef struct {
    size_t count;                                //  how many
    size_t kept;                                 //  of them with their names below
    char names[S_KEPT_MAX][ROOMNEWS_NAME_BYTES]; //  ... in the order they came
} s_names_t;

//  The joins, or the leaves, of one window
typedef struct {
    bool open;        //  a window is open ...
    int64_t start_ms; //  ... since then
    bool told;        //  a summary was told ...
    int64_t told_ms;  //  ... then (a crowd still coming?)
    bool waiting;     //  in this window, the news waits
    size_t shown;     //  told one by one in this window
    size_t largest;   //  the room's largest size in it
    s_names_t held;   //  held for the summary
    s_names_t gone;   //  joins that waited and left again
} s_window_t;

struct _roomnews_t {
    s_window_t joins;  //  who joined
    s_window_t leaves; //  who left (goodbye or silence)
};

roomnews_t *
roomnews_new (void)
{
    return calloc (1, sizeof (roomnews_t));
}

void
roomnews_destroy (roomnews_t **self_p)
{
    if (self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

//  Open window at now_ms, in a room of members: it waits from the start when a summary was
//  told less than a window ago in a big room (a crowd still coming).
static void
s_open (s_window_t *window, size_t members, int64_t now_ms)
{
    window->open = true;
    window->start_ms = now_ms;
    window->shown = window->held.count = window->held.kept = 0;
    window->gone.count = window->gone.kept = 0;
    window->largest = members;
    window->waiting = members > ROOMNEWS_ROOM_SMALL && window->told &&
                      now_ms - window->told_ms < ROOMNEWS_WINDOW_MS;
}

//  True when the next news of window (at now_ms, in a room of members, counted with the one
//  the news is about) is told alone, now; false when it waits for the summary. A window is
//  as big as the room was at its largest in it: a crowd leaving is a crowd to its last.
static bool
s_alone (s_window_t *window, size_t members, int64_t now_ms)
{
    if (!window->open)
        s_open (window, members, now_ms);
    if (members > window->largest)
        window->largest = members;
    if (!window->waiting &&
        (window->largest <= ROOMNEWS_ROOM_SMALL || window->shown < ROOMNEWS_SHOWN_MAX)) {
        window->shown++;
        return true;
    }
    window->waiting = true; //  the rest of the window waits too, in order
    return false;
}

//  Add name to names (counted; kept while there is room).
static void
s_keep (s_names_t *names, const char *name)
{
    if (names->kept < S_KEPT_MAX)
        text_copy (names->names[names->kept++], ROOMNEWS_NAME_BYTES, name);
    names->count++;
}

//  Write names into out: "anna, bertil, ... (+4)", at most ROOMNEWS_NAMES_MAX in
//  ROOMNEWS_NAMES_BYTES (the first always).
static void
s_list (const s_names_t *names, char *out, size_t outsize)
{
    size_t used = 0, listed = 0;
    out[0] = 0;
    for (; listed < names->kept && listed < ROOMNEWS_NAMES_MAX; listed++) {
        const char *name = names->names[listed];
        if (listed > 0 && used + 2 + strlen (name) > ROOMNEWS_NAMES_BYTES)
            break;
        if (text_append (out, outsize, &used, "%s%s", listed ? ", " : "", name) != 0)
            break;
    }
    if (listed < names->count)
        text_append (out, outsize, &used, "%s\xE2\x80\xA6 (+%zu)", listed ? ", " : "",
                     names->count - listed);
}

//  Tell what window waits with (joins: it holds joins), at now_ms, and close it.
static void
s_summary (s_window_t *window, bool joins, int64_t now_ms)
{
    if (!window->open)
        return;
    window->open = false;
    if (window->held.count == 0 && window->gone.count == 0)
        return;
    //  "in the last 5 s", or less when the room emptied before the window's end
    int64_t elapsed_ms = now_ms - window->start_ms;
    int seconds = elapsed_ms >= ROOMNEWS_WINDOW_MS ? ROOMNEWS_WINDOW_MS / 1000
                  : elapsed_ms > 1000              ? (int) ((elapsed_ms + 999) / 1000)
                                                   : 1;
    char names[ROOMNEWS_NAMES_BYTES + ROOMNEWS_NAME_BYTES + 32];
    size_t count = window->held.count;
    s_list (&window->held, names, sizeof names);
    if (count > 0 && joins)
        term_notice (_ ("%zu more joined in the last %d s: %s"), count, seconds, names);
    else if (count > 0)
        term_notice (_ ("%zu more left in the last %d s: %s"), count, seconds, names);
    if (window->gone.count > 0) {
        s_list (&window->gone, names, sizeof names);
        term_notice (_ ("%zu more joined and left again in the last %d s: %s"), window->gone.count,
                     seconds, names);
    }
    window->told = true;
    window->told_ms = now_ms;
}

//  Tell window's summary if it is over at now_ms.
static void
s_settle (s_window_t *window, bool joins, int64_t now_ms)
{
    if (window->open && now_ms - window->start_ms >= ROOMNEWS_WINDOW_MS)
        s_summary (window, joins, now_ms);
}

void
roomnews_joined (roomnews_t *self, const char *name, const char *address, int port, size_t members,
                 int64_t now_ms)
{
    s_settle (&self->joins, true, now_ms);
    if (!s_alone (&self->joins, members, now_ms))
        s_keep (&self->joins.held, name);
    else if (port > 0)
        term_notice (_ ("%s joined (%s:%d)"), name, address, port);
    else
        term_notice (_ ("%s joined (%s)"), name, address);
}

//  True when name's join waits in window (of joins): then it is taken out of it, and counted
//  as one that joined and left again.
static bool
s_came_and_went (s_window_t *window, const char *name)
{
    s_names_t *held = &window->held;
    for (size_t i = 0; window->open && i < held->kept; i++)
        if (strcmp (held->names[i], name) == 0) {
            s_keep (&window->gone, name);
            memmove (held->names[i], held->names[i + 1],
                     (held->kept - i - 1) * sizeof held->names[0]);
            held->kept--;
            held->count--;
            return true;
        }
    return false;
}

//  Member name left at now_ms: silent for seconds at address, or (address NULL) by goodbye;
//  members: the room's size without it.
static void
s_leave (roomnews_t *self, const char *name, const char *address, int seconds, size_t members,
         int64_t now_ms)
{
    s_settle (&self->joins, true, now_ms);
    s_settle (&self->leaves, false, now_ms);
    if (s_came_and_went (&self->joins, name))
        ; //  its join was never told: neither is its leave
    else if (!s_alone (&self->leaves, members + 1, now_ms))
        s_keep (&self->leaves.held, name);
    else if (address)
        term_notice (_ ("%s left (no heartbeat from %s for %d s)"), name, address, seconds);
    else
        term_notice (_ ("%s left"), name);
    if (members == 0) {
        //  Nobody left to wait for, and no tick comes while the room is empty
        s_summary (&self->joins, true, now_ms);
        s_summary (&self->leaves, false, now_ms);
    }
}

void
roomnews_left (roomnews_t *self, const char *name, size_t members, int64_t now_ms)
{
    s_leave (self, name, NULL, 0, members, now_ms);
}

void
roomnews_silent (roomnews_t *self, const char *name, const char *address, int seconds,
                 size_t members, int64_t now_ms)
{
    s_leave (self, name, address, seconds, members, now_ms);
}

void
roomnews_tick (roomnews_t *self, int64_t now_ms)
{
    s_settle (&self->joins, true, now_ms);
    s_settle (&self->leaves, false, now_ms);
}

bool
roomnews_waiting (roomnews_t *self)
{
    return (self->joins.open && (self->joins.held.count > 0 || self->joins.gone.count > 0)) ||
           (self->leaves.open && self->leaves.held.count > 0);
}
