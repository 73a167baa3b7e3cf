/*  routes.c - which members we hear only through another (see routes.h).
 */
#include "routes.h"
#include "i18n.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

//  A member that lists an author
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];    //  the forwarder
    int64_t listed_ms;                //  when it last listed the author
    char address[ENDPOINT_MAX_BYTES]; //  where it reaches the author
    bool silent;                      //  asked, it forwarded nothing (an older chat): passed over
    int every_ms;                     //  how often it beats (0: every second)
} candidate_t;

//  An author, and how we hear it
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];                 //  the author
    int64_t first_listed_ms;                       //  when some member first listed it
    bool direct;                                   //  we heard it directly ...
    int64_t direct_ms;                             //  ... last at this time
    candidate_t candidates[ROUTES_CANDIDATES_MAX]; //  who lists it
    size_t candidate_count;                        //  how many
    bool subscribed;                               //  we ask forwarder for it
    uint8_t forwarder[WIRE_SENDER_BYTES];          //  ... this one
    int64_t subscribed_ms;                         //  ... since then
    int64_t forwarded_ms;                          //  when it last forwarded the author's
    int every_ms;                                  //  how often the author beats (0: 1 s)
} route_t;

struct _routes_t {
    uint8_t self_id[WIRE_SENDER_BYTES]; //  ours
    route_t routes[ROUTES_MAX];         //  the authors, in no order
    uint16_t order[ROUTES_MAX];         //  their places in routes, sorted by id: found by halves
    size_t size;                        //  how many
};

routes_t *
routes_new (const uint8_t self_id[WIRE_SENDER_BYTES])
{
    routes_t *self = calloc (1, sizeof *self);
    if (self)
        memcpy (self->self_id, self_id, WIRE_SENDER_BYTES);
    return self;
}

void
routes_destroy (routes_t **self_p)
{
    if (self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

//  Where author is, or would go, in order (binary search); *found says whether it is there.
static size_t
s_position (const routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], bool *found)
{
    size_t low = 0, high = self->size;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int compared = memcmp (self->routes[self->order[middle]].id, author, WIRE_SENDER_BYTES);
        if (compared == 0) {
            *found = true;
            return middle;
        }
        if (compared < 0)
            low = middle + 1;
        else
            high = middle;
    }
    *found = false;
    return low;
}

//  The route of author; a new one (at now_ms) when create and there is room; else NULL.
static route_t *
s_route (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], bool create, int64_t now_ms)
{
    bool found;
    size_t at = s_position (self, author, &found);
    if (found)
        return &self->routes[self->order[at]];
    if (!create || self->size == ROUTES_MAX)
        return NULL;
    memmove (&self->order[at + 1], &self->order[at], (self->size - at) * sizeof self->order[0]);
    self->order[at] = (uint16_t) self->size;
    route_t *route = &self->routes[self->size++];
    *route = (route_t){.first_listed_ms = now_ms};
    memcpy (route->id, author, WIRE_SENDER_BYTES);
    return route;
}

//  Remove the route at place index of routes; the last one takes its place.
static void
s_remove (routes_t *self, size_t index)
{
    bool found;
    size_t at = s_position (self, self->routes[index].id, &found);
    memmove (&self->order[at], &self->order[at + 1], (self->size - at - 1) * sizeof self->order[0]);
    size_t last = --self->size;
    if (index == last)
        return;
    self->routes[index] = self->routes[last];
    at = s_position (self, self->routes[index].id, &found);
    self->order[at] = (uint16_t) index;
}

//  Forwarder from (beating every every_ms) listed route's author at now_ms.
static void
s_listed (route_t *route, const uint8_t from[WIRE_SENDER_BYTES], const char *address, int every_ms,
          int64_t now_ms)
{
    candidate_t *slot = NULL;
    for (size_t i = 0; i < route->candidate_count && !slot; i++)
        if (memcmp (route->candidates[i].id, from, WIRE_SENDER_BYTES) == 0)
            slot = &route->candidates[i];
    if (!slot && route->candidate_count < ROUTES_CANDIDATES_MAX)
        slot = &route->candidates[route->candidate_count++];
    if (!slot) { //  full: the stalest makes room
        slot = &route->candidates[0];
        for (size_t i = 1; i < route->candidate_count; i++)
            if (route->candidates[i].listed_ms < slot->listed_ms)
                slot = &route->candidates[i];
    }
    memcpy (slot->id, from, WIRE_SENDER_BYTES);
    slot->listed_ms = now_ms;
    slot->every_ms = every_ms;
    text_copy (slot->address, sizeof slot->address, address);
}

//  Member from (beating every every_ms) was heard directly at now_ms.
static void
s_heard_directly (routes_t *self, const uint8_t from[WIRE_SENDER_BYTES], int every_ms,
                  int64_t now_ms)
{
    route_t *direct = s_route (self, from, true, now_ms);
    if (direct) {
        direct->direct = true;
        direct->direct_ms = now_ms;
        direct->every_ms = every_ms;
    }
}

void
routes_heard (routes_t *self, const uint8_t from[WIRE_SENDER_BYTES], const control_beat_t *beat,
              int64_t now_ms)
{
    s_heard_directly (self, from, beat->every_ms, now_ms);
    for (size_t i = 0; i < beat->peer_count; i++) {
        const uint8_t *author = beat->peers[i].id;
        if (memcmp (author, self->self_id, WIRE_SENDER_BYTES) == 0 ||
            memcmp (author, from, WIRE_SENDER_BYTES) == 0)
            continue;
        route_t *route = s_route (self, author, true, now_ms);
        if (route)
            s_listed (route, from, beat->peers[i].address, beat->every_ms, now_ms);
    }
}

void
routes_relisted (routes_t *self, const uint8_t from[WIRE_SENDER_BYTES], int every_ms,
                 int64_t now_ms)
{
    s_heard_directly (self, from, every_ms, now_ms);
    for (size_t i = 0; i < self->size; i++) {
        route_t *route = &self->routes[i];
        for (size_t j = 0; j < route->candidate_count; j++)
            if (memcmp (route->candidates[j].id, from, WIRE_SENDER_BYTES) == 0) {
                route->candidates[j].listed_ms = now_ms;
                route->candidates[j].every_ms = every_ms;
            }
    }
}

void
routes_forget (routes_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    route_t *route = s_route (self, id, false, 0);
    if (route) {
        route->direct = false;
        route->candidate_count = 0; //  the next change unsubscribes it, then it goes
    }
    for (size_t i = 0; i < self->size; i++) {
        route_t *other = &self->routes[i];
        for (size_t j = 0; j < other->candidate_count; j++)
            if (memcmp (other->candidates[j].id, id, WIRE_SENDER_BYTES) == 0)
                other->candidates[j] = other->candidates[--other->candidate_count];
    }
}

//  True when route's author was heard directly of late at now_ms (by its own interval).
static bool
s_direct (const route_t *route, int64_t now_ms)
{
    return route->direct &&
           now_ms - route->direct_ms <= room_scaled_ms (ROUTES_DIRECT_MS, route->every_ms);
}

//  True when candidate's listing still counts at now_ms (by the lister's interval).
static bool
s_fresh (const candidate_t *candidate, int64_t now_ms)
{
    return now_ms - candidate->listed_ms <= room_scaled_ms (ROUTES_STALE_MS, candidate->every_ms);
}

//  The forwarder route should have at now_ms: the lowest id listing it lately, unless it is
//  heard directly or has not been listed long enough. Returns NULL for none.
static const uint8_t *
s_best (const route_t *route, int64_t now_ms)
{
    if (s_direct (route, now_ms) || now_ms - route->first_listed_ms < VIA_AFTER_MS)
        return NULL;
    const uint8_t *best = NULL;
    for (size_t i = 0; i < route->candidate_count; i++) {
        const candidate_t *candidate = &route->candidates[i];
        if (s_fresh (candidate, now_ms) && !candidate->silent &&
            (!best || memcmp (candidate->id, best, WIRE_SENDER_BYTES) < 0))
            best = candidate->id;
    }
    return best;
}

//  True when route is of no use any more at now_ms: not heard, not listed, not subscribed.
static bool
s_idle (const route_t *route, int64_t now_ms)
{
    if (route->subscribed || s_direct (route, now_ms))
        return false;
    for (size_t i = 0; i < route->candidate_count; i++)
        if (s_fresh (&route->candidates[i], now_ms))
            return false;
    return true;
}

//  The forwarder we ask for route's author has sent none of its heartbeats for
//  ROUTES_SILENT_MS at now_ms (an older chat, which does not forward): it is passed over.
static void
s_check_silent (route_t *route, int64_t now_ms)
{
    if (!route->subscribed ||
        now_ms - route->subscribed_ms < room_scaled_ms (ROUTES_SILENT_MS, route->every_ms) ||
        route->forwarded_ms >= route->subscribed_ms)
        return;
    for (size_t i = 0; i < route->candidate_count; i++)
        if (memcmp (route->candidates[i].id, route->forwarder, WIRE_SENDER_BYTES) == 0)
            route->candidates[i].silent = true;
}

void
routes_forwarded (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], int every_ms,
                  int64_t now_ms)
{
    route_t *route = s_route (self, author, false, 0);
    if (route) {
        route->forwarded_ms = now_ms;
        route->every_ms = every_ms;
    }
}

bool
routes_next_change (routes_t *self, int64_t now_ms, routes_change_t *change)
{
    size_t i = 0;
    while (i < self->size) {
        route_t *route = &self->routes[i];
        s_check_silent (route, now_ms);
        const uint8_t *best = s_best (route, now_ms);
        bool same =
            best && route->subscribed && memcmp (best, route->forwarder, WIRE_SENDER_BYTES) == 0;
        if (route->subscribed && !same) {
            *change = (routes_change_t){.subscribe = false};
            memcpy (change->forwarder, route->forwarder, WIRE_SENDER_BYTES);
            memcpy (change->author, route->id, WIRE_SENDER_BYTES);
            route->subscribed = false;
            return true;
        }
        if (best && !same) {
            *change = (routes_change_t){.subscribe = true};
            memcpy (change->forwarder, best, WIRE_SENDER_BYTES);
            memcpy (change->author, route->id, WIRE_SENDER_BYTES);
            memcpy (route->forwarder, best, WIRE_SENDER_BYTES);
            route->subscribed = true;
            route->subscribed_ms = now_ms;
            return true;
        }
        if (s_idle (route, now_ms))
            s_remove (self, i); //  the last one takes its place
        else
            i++;
    }
    return false;
}

bool
routes_forwarder (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES],
                  uint8_t forwarder[WIRE_SENDER_BYTES])
{
    route_t *route = s_route (self, author, false, 0);
    if (!route || !route->subscribed)
        return false;
    memcpy (forwarder, route->forwarder, WIRE_SENDER_BYTES);
    return true;
}

void
routes_address (routes_t *self, const uint8_t author[WIRE_SENDER_BYTES], char *out, size_t outsize)
{
    route_t *route = s_route (self, author, false, 0);
    if (outsize)
        out[0] = 0;
    for (size_t i = 0; route && route->subscribed && i < route->candidate_count; i++)
        if (memcmp (route->candidates[i].id, route->forwarder, WIRE_SENDER_BYTES) == 0)
            text_copy (out, outsize, route->candidates[i].address);
}

size_t
routes_size (routes_t *self)
{
    return self->size;
}

void
routes_apply (routes_t *self, void *sub, room_t *room, int64_t now_ms)
{
    routes_change_t change;
    while (routes_next_change (self, now_ms, &change)) {
        char topic[CONTROL_VIA_BYTES + 1];
        if (control_encode_via (topic, sizeof topic, change.forwarder, change.author) < 0)
            continue;
        zmq_setsockopt (sub, change.subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, topic,
                        CONTROL_VIA_BYTES);
        if (term_debug_on ()) {
            char name[NAME_MAX_BYTES + 8], via[NAME_MAX_BYTES + 8];
            room_name_of (room, change.author, name, sizeof name);
            room_name_of (room, change.forwarder, via, sizeof via);
            term_debug (change.subscribe ? _ ("SUB asks %s for %s's messages")
                                         : _ ("SUB no longer asks %s for %s's messages"),
                        via, name);
        }
    }
}
