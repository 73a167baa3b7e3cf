/*  ratelimit.h - at most so many events in a window of time: the one rule behind every
    "at most N a second" in chat (notices about bad messages, answers to requests, the line
    about a refused connection).

    A plain value, embedded where it is used and guarded as its owner is; pure bookkeeping on a
    clock the caller passes, so it is tested without waiting.
*/
#ifndef RATELIMIT_H_INCLUDED
#define RATELIMIT_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  A window of window_ms in which per_window events are allowed
typedef struct {
    int64_t window_ms; //  length of a window
    int per_window;    //  events allowed in one
    int64_t start_ms;  //  when the current window started
    bool started;      //  a window has started
    int used;          //  events allowed in it
    int held;          //  events refused since the last one allowed
} ratelimit_t;

//  A limit of per_window events in window_ms, no event seen yet.
#define RATELIMIT(per_window_, window_ms_)                                                         \
    ((ratelimit_t){.window_ms = (window_ms_), .per_window = (per_window_)})

//  True when one more event may happen at now_ms (a monotonic clock); a window starts at the
//  first event allowed after the last one ended. An event refused is counted as held.
bool ratelimit_allow (ratelimit_t *self, int64_t now_ms);

//  How many events were refused since the last call that asked (0 if none); starts again.
int ratelimit_take_held (ratelimit_t *self);

#endif
