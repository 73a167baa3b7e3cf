/*  ratelimit.c - at most so many events in a window of time.
 */
#include "ratelimit.h"

bool
ratelimit_allow (ratelimit_t *self, int64_t now_ms)
{
    if (!self->started || now_ms - self->start_ms >= self->window_ms) {
        self->started = true;
        self->start_ms = now_ms;
        self->used = 0;
    }
    if (self->used < self->per_window) {
        self->used++;
        return true;
    }
    self->held++;
    return false;
}

int
ratelimit_take_held (ratelimit_t *self)
{
    int held = self->held;
    self->held = 0;
    return held;
}
