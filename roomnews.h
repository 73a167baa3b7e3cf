/*  roomnews.h - who joined and who left, told so that a crowd stays readable.

    A window of ROOMNEWS_WINDOW_MS opens at a join (a leave: joins and leaves have a window
    each). While the room held at most ROOMNEWS_ROOM_SMALL members in the window, every join
    and leave is its own line, as always ("-- anna joined (127.0.0.1:5557)", "-- anna left").
    In a bigger room the window's first ROOMNEWS_SHOWN_MAX are told one by one; once one had
    to wait, all the others of that window wait too, and are told in one line when it ends:
    "-- 12 more joined in the last 5 s: anna, bertil, cesar, ... (+4)" (at most
    ROOMNEWS_NAMES_MAX names, in ROOMNEWS_NAMES_BYTES). A window that opens in a big room less
    than a window after such a line waits from its first: the crowd is still coming.
    A member that joins and leaves again while its join waits is told in neither list; a
    line of their own names them ("-- 3 more joined and left again in the last 5 s: anna,
    bertil, cesar": a crash in a room still forming is still told by name). When the room
    is empty, whatever waits is told at once: nobody is left to wait for, and no tick comes.

    Subscriber thread only (presence.c tells it each join and leave, and ticks it from
    presence_inbox_expire): no lock. Every call takes the time (a monotonic clock) from its
    caller, so the tests choose it. Names and addresses are made safe by the caller, as for
    term_notice.
*/
#ifndef ROOMNEWS_H_INCLUDED
#define ROOMNEWS_H_INCLUDED

#include "limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMNEWS_ROOM_SMALL 10   // a room this small has every join and leave told alone
#define ROOMNEWS_WINDOW_MS 5000  // joins (leaves) are summed up over this long
#define ROOMNEWS_SHOWN_MAX 3     // of them told one by one in a bigger room
#define ROOMNEWS_NAMES_MAX 10    // names a summary lists at most, ...
#define ROOMNEWS_NAMES_BYTES 100 // ... in this many bytes at most; the others are "(+N)"
#define ROOMNEWS_NAME_BYTES (NAME_MAX_BYTES + 8) // a display name ("anna#3f2a")

typedef struct _roomnews_t roomnews_t;

//  Create the news of a room with nothing told yet. Returns NULL if out of memory.
roomnews_t *roomnews_new (void);

//  Destroy it; sets *self_p to NULL. Safe twice. What still waits is not told.
void roomnews_destroy (roomnews_t **self_p);

//  Member name joined at now_ms from address (port > 0: at port there; else address is the
//  whole place, like "?"); members: the room's size with it. Told now or in the summary.
void roomnews_joined (roomnews_t *self, const char *name, const char *address, int port,
                      size_t members, int64_t now_ms);

//  Member name said goodbye at now_ms; members: the room's size without it.
void roomnews_left (roomnews_t *self, const char *name, size_t members, int64_t now_ms);

//  Member name was not heard from address for seconds and is gone, at now_ms; members: the
//  room's size without it.
void roomnews_silent (roomnews_t *self, const char *name, const char *address, int seconds,
                      size_t members, int64_t now_ms);

//  Tell the summaries of the windows over at now_ms. Call it at least every few hundred ms
//  while the room is not empty (and it says true).
void roomnews_tick (roomnews_t *self, int64_t now_ms);

//  True while a summary waits for its window to end.
bool roomnews_waiting (roomnews_t *self);

#endif
