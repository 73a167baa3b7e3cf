/*  room.c - who is in the room: the members we hear, from their heartbeats, and their state.

    A member is known by its sender id, never by its nick: two annas stay two members, and a
    chat restarted on the same port is a new member with a new id.
*/
#include "i18n.h"
#include "room.h"
#include "address.h"
#include "identity.h"
#include "text.h"
#include "who.h"

#include <czmq.h>
#include <pthread.h>
#include <sodium.h>

//  One member
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];             //  its sender id
    char nick[NAME_MAX_BYTES + 1];             //  its nick
    char address[ENDPOINT_MAX_BYTES];          //  "ip:port" where we reach it
    char channel[NAME_MAX_BYTES + 1];          //  the channel it writes to
    int64_t last_heard_ms;                     //  time of its last heartbeat
    bool reconnecting;                         //  its connection broke; libzmq is reconnecting
    bool keyed;                                //  its key is known (the two below are set)
    uint8_t public_key[WIRE_PUBLIC_BYTES];     //  the key its heartbeats are signed with
    bool changed;                              //  ... not the one first seen for its nick (known.h)
    int64_t first_heard_ms;                    //  when we first heard it
    int64_t direct_ms;                         //  when we last heard it directly (unless via)
    bool via;                                  //  we hear it only through forwarder
    uint8_t forwarder[WIRE_SENDER_BYTES];      //  ... this member
    bool relay;                                //  it is a relay (chat --relay)
    bool plain;                                //  its heartbeats came without X-Chatt: --plain
    int back_port;                             //  where its SUB accepts connections (0: none)
    bool lists_us;                             //  its heartbeats list us: it hears us
    bool listens_us;                           //  its SUB subscribed on our XPUB: it hears us
    bool carries_us;                           //  it dialled our back port: it carries our link
    bool back_linked;                          //  we dialled its back port: we carry the link
    int every_ms;                              //  how often it beats (0: every BEAT_INTERVAL_MS)
    bool reads_digests;                        //  its heartbeats say a digest (PROTOKOLL.md 21)
    bool list_known;                           //  the digest of the list it sent last is known:
    uint8_t list_digest[CONTROL_DIGEST_BYTES]; //  ... this
} member_t;

struct _room_t {
    pthread_mutex_t lock;              //  the room lock: guards everything below
    member_t members[ROOM_MAX];        //  the members, in no order
    size_t size;                       //  how many
    char own_nick[NAME_MAX_BYTES + 1]; //  our own nick: a member with it is told apart too
    char listening[ROOM_MAX][ENDPOINT_MAX_BYTES]; //  chats that subscribed on our XPUB
    size_t listening_next;                        //  where the next one goes (a ring)
    bool plain_news;                              //  a member turned --plain, or back
};

room_t *
room_new (void)
{
    room_t *self = calloc (1, sizeof *self);
    if (self)
        pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
room_destroy (room_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy (&(*self_p)->lock);
    freen (*self_p);
}

//  Find a member by id. Lock held.
static member_t *
s_find (room_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    for (size_t i = 0; i < self->size; i++)
        if (memcmp (self->members[i].id, id, WIRE_SENDER_BYTES) == 0)
            return &self->members[i];
    return NULL;
}

//  Write nick, mark and the first two bytes of id in hex ("anna" "#" "3f2a", or "" "?" "3f2a")
//  into out; an out too small for it gets "?", never a cut name that could be another's.
static void
s_tagged (char *out, size_t outsize, const char *nick, const char *mark,
          const uint8_t id[WIRE_SENDER_BYTES])
{
    int size = snprintf (out, outsize, "%s%s%02x%02x", nick, mark, id[0], id[1]);
    if (size < 0 || (size_t) size >= outsize)
        text_copy (out, outsize, "?");
}

//  The display name of a member with nick and id: "anna#3f2a" when another member other than
//  id has the same nick, else "anna". Lock held.
static void
s_name (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick, char *out,
        size_t outsize)
{
    bool shared = streq (self->own_nick, nick);
    for (size_t i = 0; i < self->size && !shared; i++)
        shared = streq (self->members[i].nick, nick) &&
                 memcmp (self->members[i].id, id, WIRE_SENDER_BYTES) != 0;
    member_t *member = s_find (self, id);
    if (member && member->changed) //  not the key this nick had: never shown as if it were
        identity_tag_nick (nick, member->public_key, out, outsize);
    else if (shared)
        s_tagged (out, outsize, nick, "#", id);
    else
        text_copy (out, outsize, nick);
}

//  True when a chat at address subscribed on our XPUB (room_set_listening). Lock held.
static bool
s_listening (room_t *self, const char *address)
{
    for (size_t i = 0; i < ROOM_MAX; i++)
        if (self->listening[i][0] && streq (self->listening[i], address))
            return true;
    return false;
}

//  A new member id, first heard at now_ms, everything else empty; NULL when the room is full.
//  Lock held.
static member_t *
s_join (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], int64_t now_ms)
{
    if (self->size == ROOM_MAX)
        return NULL;
    member_t *member = &self->members[self->size++];
    memset (member, 0, sizeof *member);
    memcpy (member->id, id, WIRE_SENDER_BYTES);
    member->first_heard_ms = now_ms;
    return member;
}

//  Remove members[index]. Lock held.
static void
s_remove (room_t *self, size_t index)
{
    self->members[index] = self->members[--self->size];
}

room_news_t
room_heard (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick, const char *ip,
            const control_beat_t *beat, int64_t now_ms, char *name, size_t name_size,
            char *previous, size_t previous_size)
{
    room_news_t news = ROOM_NEWS_NONE;
    char address[ENDPOINT_MAX_BYTES];
    address_label (ip, beat->port, address, sizeof address);
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member && !member->via && !streq (member->address, address)) {
        //  The first address we heard it at stays its address
        s_name (self, id, member->nick, name, name_size);
        pthread_mutex_unlock (&self->lock);
        return ROOM_NEWS_TWICE;
    }
    if (!member && (member = s_join (self, id, now_ms)) != NULL) {
        member->listens_us = s_listening (self, address);
        news = ROOM_NEWS_JOINED;
    } else if (member && !streq (member->nick, nick)) {
        news = ROOM_NEWS_RENAMED;
        if (previous)
            s_name (self, id, member->nick, previous, previous_size);
    }
    if (member) {
        text_copy (member->nick, sizeof member->nick, nick);
        text_copy (member->address, sizeof member->address, address);
        text_copy (member->channel, sizeof member->channel, beat->channel);
        member->last_heard_ms = member->direct_ms = now_ms;
        member->reconnecting = member->via = false;
        member->relay = beat->relay;
        member->back_port = beat->back_port;
        member->every_ms = beat->every_ms;
        member->reads_digests = beat->has_digest;
    }
    s_name (self, id, nick, name, name_size);
    pthread_mutex_unlock (&self->lock);
    return news;
}

room_news_t
room_heard_via (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick,
                const uint8_t forwarder[WIRE_SENDER_BYTES], const char *address,
                const control_beat_t *beat, int64_t now_ms, char *name, size_t name_size)
{
    room_news_t news = ROOM_NEWS_NONE;
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (!member && (member = s_join (self, id, now_ms)) != NULL) {
        text_copy (member->address, sizeof member->address, address);
        member->via = true; //  never heard directly
        news = ROOM_NEWS_JOINED;
    }
    if (member) {
        //  Heard directly of late, it keeps its address and connection; it only stays alive
        bool direct = !member->via && now_ms - member->direct_ms <=
                                          room_scaled_ms (MEMBER_SILENT_MS, member->every_ms);
        if (!direct) {
            member->via = true;
            memcpy (member->forwarder, forwarder, WIRE_SENDER_BYTES);
            member->relay = beat->relay;
            if (*address)
                text_copy (member->address, sizeof member->address, address);
        }
        text_copy (member->nick, sizeof member->nick, nick);
        text_copy (member->channel, sizeof member->channel, beat->channel);
        member->last_heard_ms = now_ms;
        if (!direct) {
            member->every_ms = beat->every_ms;
            member->reads_digests = beat->has_digest;
        }
    }
    s_name (self, id, nick, name, name_size);
    pthread_mutex_unlock (&self->lock);
    return news;
}

int
room_interval_ms (size_t members)
{
    if (members <= BEAT_ROOM_SMALL)
        return BEAT_INTERVAL_MS;
    size_t interval = members * BEAT_PER_MEMBER_MS;
    return interval > BEAT_INTERVAL_MAX_MS ? BEAT_INTERVAL_MAX_MS
           : interval < BEAT_INTERVAL_MS   ? BEAT_INTERVAL_MS
                                           : (int) interval;
}

int64_t
room_scaled_ms (int64_t ms, int every_ms)
{
    return every_ms > BEAT_INTERVAL_MS ? ms * every_ms / BEAT_INTERVAL_MS : ms;
}

bool
room_all_read_digests (room_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool all = true;
    for (size_t i = 0; i < self->size && all; i++)
        all = self->members[i].reads_digests;
    pthread_mutex_unlock (&self->lock);
    return all;
}

//  Order two ids (qsort).
static int
s_id_order (const void *a, const void *b)
{
    return memcmp (a, b, WIRE_SENDER_BYTES);
}

void
room_digest (room_t *self, uint8_t digest[CONTROL_DIGEST_BYTES])
{
    uint8_t ids[ROOM_MAX][WIRE_SENDER_BYTES];
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++)
        if (!self->members[i].via)
            memcpy (ids[count++], self->members[i].id, WIRE_SENDER_BYTES);
    pthread_mutex_unlock (&self->lock);
    qsort (ids, count, WIRE_SENDER_BYTES, s_id_order);
    crypto_generichash (digest, CONTROL_DIGEST_BYTES, (const uint8_t *) ids,
                        count * WIRE_SENDER_BYTES, NULL, 0);
}

bool
room_list_digest (room_t *self, const uint8_t id[WIRE_SENDER_BYTES],
                  const uint8_t digest[CONTROL_DIGEST_BYTES], bool store)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    bool known = false;
    if (member && store) {
        memcpy (member->list_digest, digest, CONTROL_DIGEST_BYTES);
        member->list_known = known = true;
    } else if (member)
        known =
            member->list_known && memcmp (member->list_digest, digest, CONTROL_DIGEST_BYTES) == 0;
    pthread_mutex_unlock (&self->lock);
    return known;
}

void
room_set_links (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], bool lists_us, bool carries_us)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member) {
        //  Once listed it hears us: a big room's heartbeats list a window of it at a time
        member->lists_us = member->lists_us || lists_us;
        member->carries_us = carries_us;
    }
    pthread_mutex_unlock (&self->lock);
}

size_t
room_back_links (room_t *self, int64_t now_ms, char (*endpoints)[ENDPOINT_MAX_BYTES],
                 uint8_t (*ids)[WIRE_SENDER_BYTES], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && count < max; i++) {
        member_t *member = &self->members[i];
        if (member->back_linked || member->via || member->lists_us || member->listens_us ||
            member->back_port <= 0 || now_ms - member->first_heard_ms < BACK_AFTER_MS)
            continue;
        char host[HOST_MAX_BYTES];
        int port;
        const char *why;
        if (address_parse (member->address, host, sizeof host, &port, &why) != 0)
            continue;
        address_t address;
        if (address_resolve_numeric (host, member->back_port, &address, &why) != 0)
            continue;
        text_copy (endpoints[count], sizeof endpoints[count], address.endpoint);
        memcpy (ids[count], member->id, WIRE_SENDER_BYTES);
        member->back_linked = true;
        count++;
    }
    pthread_mutex_unlock (&self->lock);
    return count;
}

void
room_set_listening (room_t *self, const char *address)
{
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++)
        if (streq (self->members[i].address, address))
            self->members[i].listens_us = true;
    //  It often subscribes before its first heartbeat makes it a member: remember it
    if (!s_listening (self, address)) {
        text_copy (self->listening[self->listening_next], ENDPOINT_MAX_BYTES, address);
        self->listening_next = (self->listening_next + 1) % ROOM_MAX;
    }
    pthread_mutex_unlock (&self->lock);
}

size_t
room_carried (room_t *self, uint8_t (*ids)[WIRE_SENDER_BYTES], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && count < max; i++)
        if (self->members[i].back_linked)
            memcpy (ids[count++], self->members[i].id, WIRE_SENDER_BYTES);
    pthread_mutex_unlock (&self->lock);
    return count;
}

void
room_set_key (room_t *self, const uint8_t id[WIRE_SENDER_BYTES],
              const uint8_t public_key[WIRE_PUBLIC_BYTES], bool changed)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member) {
        member->keyed = true;
        memcpy (member->public_key, public_key, WIRE_PUBLIC_BYTES);
        member->changed = changed;
    }
    pthread_mutex_unlock (&self->lock);
}

bool
room_key (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], uint8_t public_key[WIRE_PUBLIC_BYTES],
          bool *changed)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    bool keyed = member && member->keyed;
    if (keyed) {
        memcpy (public_key, member->public_key, WIRE_PUBLIC_BYTES);
        if (changed)
            *changed = member->changed;
    }
    pthread_mutex_unlock (&self->lock);
    return keyed;
}

room_news_t
room_bye (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], char *name, size_t name_size)
{
    room_news_t news = ROOM_NEWS_NONE;
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member) {
        s_name (self, id, member->nick, name, name_size);
        s_remove (self, (size_t) (member - self->members));
        news = ROOM_NEWS_LEFT;
    }
    pthread_mutex_unlock (&self->lock);
    return news;
}

bool
room_expire (room_t *self, int64_t now_ms, char *name, size_t name_size, char *address,
             size_t address_size, int *silent_s)
{
    bool found = false;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && !found; i++) {
        member_t *member = &self->members[i];
        int64_t silent_ms = now_ms - member->last_heard_ms;
        if (silent_ms > room_scaled_ms (MEMBER_GONE_MS, member->every_ms) ||
            (member->reconnecting && silent_ms > MEMBER_GONE_MS)) {
            s_name (self, member->id, member->nick, name, name_size);
            text_copy (address, address_size, member->address);
            if (silent_s)
                *silent_s = (int) (silent_ms / 1000);
            s_remove (self, i);
            found = true;
        }
    }
    pthread_mutex_unlock (&self->lock);
    return found;
}

void
room_set_own_nick (room_t *self, const char *nick)
{
    pthread_mutex_lock (&self->lock);
    text_copy (self->own_nick, sizeof self->own_nick, nick);
    pthread_mutex_unlock (&self->lock);
}

bool
room_knows (room_t *self, const uint8_t id[WIRE_SENDER_BYTES])
{
    pthread_mutex_lock (&self->lock);
    bool known = s_find (self, id) != NULL;
    pthread_mutex_unlock (&self->lock);
    return known;
}

void
room_line (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], const char *nick, char *name,
           size_t name_size)
{
    pthread_mutex_lock (&self->lock);
    s_name (self, id, nick, name, name_size);
    pthread_mutex_unlock (&self->lock);
}

int
room_find (room_t *self, const char *name, uint8_t id[WIRE_SENDER_BYTES], char *display,
           size_t display_size)
{
    int matches = 0;
    pthread_mutex_lock (&self->lock);
    //  A display name ("anna#3f2a" when two share a nick) names one member
    for (size_t i = 0; i < self->size && matches == 0; i++) {
        char shown[NAME_MAX_BYTES + 8];
        s_name (self, self->members[i].id, self->members[i].nick, shown, sizeof shown);
        if (streq (shown, name)) {
            matches = 1;
            memcpy (id, self->members[i].id, WIRE_SENDER_BYTES);
            text_copy (display, display_size, shown);
        }
    }
    //  A bare nick names one member, unless several have it
    for (size_t i = 0; i < self->size && matches == 0; i++)
        if (streq (self->members[i].nick, name)) {
            matches = 2;
            for (size_t j = i + 1; j < self->size; j++)
                if (streq (self->members[j].nick, name))
                    matches = 3;
            memcpy (id, self->members[i].id, WIRE_SENDER_BYTES);
            s_name (self, self->members[i].id, self->members[i].nick, display, display_size);
        }
    pthread_mutex_unlock (&self->lock);
    return matches == 0 ? -1 : matches == 3 ? 1 : 0;
}

void
room_name_of (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], char *name, size_t name_size)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member)
        s_name (self, id, member->nick, name, name_size);
    else
        s_tagged (name, name_size, "", "?", id);
    pthread_mutex_unlock (&self->lock);
}

size_t
room_list (room_t *self, control_peer_t *peers, size_t max)
{
    return room_list_from (self, 0, peers, max);
}

size_t
room_list_from (room_t *self, size_t first, control_peer_t *peers, size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    size_t size = self->size;
    for (size_t n = 0; n < size && count < max; n++) {
        const member_t *member = &self->members[(first + n) % size];
        if (member->via)
            continue; //  only those we hear ourselves: forwarding is one hop
        memcpy (peers[count].id, member->id, WIRE_SENDER_BYTES);
        text_copy (peers[count].address, sizeof peers[count].address, member->address);
        count++;
    }
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
room_names (room_t *self, char (*names)[NAME_MAX_BYTES + 8], size_t max)
{
    size_t count = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && count < max; i++, count++)
        s_name (self, self->members[i].id, self->members[i].nick, names[count],
                sizeof names[count]);
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
room_size (room_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t size = self->size;
    pthread_mutex_unlock (&self->lock);
    return size;
}

void
room_set_reconnecting (room_t *self, const char *address, bool reconnecting)
{
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++)
        if (streq (self->members[i].address, address))
            self->members[i].reconnecting = reconnecting;
    pthread_mutex_unlock (&self->lock);
}

void
room_set_plain (room_t *self, const uint8_t id[WIRE_SENDER_BYTES], bool plain)
{
    pthread_mutex_lock (&self->lock);
    member_t *member = s_find (self, id);
    if (member && member->plain != plain) {
        member->plain = plain;
        self->plain_news = true;
    }
    pthread_mutex_unlock (&self->lock);
}

bool
room_take_plain_news (room_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool news = self->plain_news;
    self->plain_news = false;
    pthread_mutex_unlock (&self->lock);
    return news;
}

bool
room_any_plain (room_t *self)
{
    bool any = false;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size && !any; i++)
        any = self->members[i].plain && !self->members[i].via;
    pthread_mutex_unlock (&self->lock);
    return any;
}

//  Write member's state for \who into out: connected, silent or reconnecting, and how we
//  hear it (one-way, via a forwarder), and "(relay)". Lock held.
static void
s_state (room_t *self, const member_t *member, int64_t now_ms, char *out, size_t outsize)
{
    int64_t silent_ms = room_scaled_ms (MEMBER_SILENT_MS, member->every_ms);
    const char *state = member->reconnecting                         ? _ ("reconnecting")
                        : now_ms - member->last_heard_ms > silent_ms ? _ ("silent")
                                                                     : _ ("connected");
    char name[NAME_MAX_BYTES + 8];
    size_t used = 0;
    out[0] = 0;
    if (member->via) {
        const member_t *forwarder = s_find (self, member->forwarder);
        if (forwarder)
            s_name (self, forwarder->id, forwarder->nick, name, sizeof name);
        else
            s_tagged (name, sizeof name, "", "?", member->forwarder);
        text_append (out, outsize, &used, "%s, ", state);
        text_append (out, outsize, &used, _ ("via %s"), name);
    } else if (member->carries_us) {
        s_name (self, member->id, member->nick, name, sizeof name);
        text_append (out, outsize, &used, _ ("connected, one-way (carried by %s)"), name);
    } else if (member->back_linked)
        text_append (out, outsize, &used, "%s", _ ("connected, one-way (we carry it)"));
    else
        text_append (out, outsize, &used, "%s", state);
    if (member->relay)
        text_append (out, outsize, &used, " %s", _ ("(relay)"));
}

//  A member in \who's order
typedef struct {
    char name[NAME_MAX_BYTES + 8]; //  its display name
    const member_t *member;        //  the member (while the room lock is held)
} listed_t;

//  Order two listed members by name (who.h), the same name by id: always the same (qsort).
static int
s_listed_order (const void *a, const void *b)
{
    const listed_t *one = a, *other = b;
    int order = who_compare (one->name, other->name);
    return order ? order : memcmp (one->member->id, other->member->id, WIRE_SENDER_BYTES);
}

//  The longest line: name, padding, address, channel, state (s_state's buffer), line end
_Static_assert(3 + NAME_MAX_BYTES + 8 + 1 + ENDPOINT_MAX_BYTES + 2 + NAME_MAX_BYTES + 2 +
                       NAME_MAX_BYTES * 2 + 64 + 2 <=
                   ROOM_DESCRIBE_LINE_MAX_BYTES,
               "a line of \\who fits ROOM_DESCRIBE_LINE_MAX_BYTES");

//  Append listed's line for \who to out (holding *used bytes): name padded to 20 columns (å
//  is two bytes, one column), address, channel, state. Returns 0, or -1 if it did not fit.
//  Lock held.
static int
s_describe_one (room_t *self, const listed_t *listed, int64_t now_ms, char *out, size_t outsize,
                size_t *used)
{
    char state[NAME_MAX_BYTES * 2 + 64];
    s_state (self, listed->member, now_ms, state, sizeof state);
    int width = 20;
    for (const char *c = listed->name; *c; c++)
        width += ((unsigned char) *c & 0xC0) == 0x80; //  a continuation byte: no column
    return text_append (out, outsize, used, "   %-*s %-22s [%s] %s\n", width, listed->name,
                        listed->member->address, listed->member->channel, state);
}

size_t
room_describe_matching (room_t *self, const char *pattern, int64_t now_ms, char *out,
                        size_t outsize, size_t *matched, size_t *total)
{
    listed_t listed[ROOM_MAX];
    size_t used = 0, count = 0, found = 0;
    if (outsize)
        out[0] = 0;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->size; i++) {
        member_t *member = &self->members[i];
        s_name (self, member->id, member->nick, listed[found].name, sizeof listed[found].name);
        listed[found].member = member;
        found += who_match (pattern, listed[found].name);
    }
    qsort (listed, found, sizeof listed[0], s_listed_order);
    while (count < found && s_describe_one (self, &listed[count], now_ms, out, outsize, &used) == 0)
        count++;
    if (matched)
        *matched = found;
    if (total)
        *total = self->size;
    pthread_mutex_unlock (&self->lock);
    return count;
}

size_t
room_describe (room_t *self, int64_t now_ms, char *out, size_t outsize)
{
    return room_describe_matching (self, NULL, now_ms, out, outsize, NULL, NULL);
}
