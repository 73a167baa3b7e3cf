/*  presence.c - who is here (see presence.h).
 */
#include "presence.h"
#include "address.h"
#include "control.h"
#include "i18n.h"
#include "identity.h"
#include "roomnews.h"
#include "term.h"
#include "text.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

//  A member's back port our XPUB dialled
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES];     //  the member
    char endpoint[ENDPOINT_MAX_BYTES]; //  "tcp://IP:BACKPORT"
} back_link_t;

//  A new listener due a second heartbeat of its own
typedef struct {
    uint8_t id[WIRE_SENDER_BYTES]; //  who
    int64_t due_ms;                //  when
} again_t;

struct _presence_t {
    publisher_t *publisher;               //  where heartbeats go out (not owned)
    channels_t *channels;                 //  the channel we write to (not owned)
    room_t *room;                         //  the members we hear (not owned)
    int64_t next_beat_ms;                 //  when our next heartbeat is due
    int64_t last_beat_ms;                 //  when we sent the last one
    bool full_asked;                      //  the next one lists the members (a new listener)
    size_t full_left;                     //  heartbeats still to list the members (it changed)
    size_t since_full;                    //  heartbeats since the last that listed them
    int back_port;                        //  where our SUB accepts connections (0: nowhere)
    bool relay;                           //  we are a relay
    size_t window;                        //  the first member the next heartbeat lists
    size_t to_window;                     //  ... and the next heartbeat to one new listener
    back_link_t links[ROOM_MAX];          //  the back ports we dialled
    size_t link_count;                    //  how many
    control_beat_t beat;                  //  the heartbeat being built
    char body[CONTROL_BODY_MAX_BYTES];    //  ... and encoded
    control_beat_t to_beat;               //  a heartbeat for one new listener being built
    char to_body[CONTROL_BODY_MAX_BYTES]; //  ... and encoded
    int64_t to_since_ms;                  //  when the second of the last ones began
    int to_count;                         //  ... and how many went in it
    again_t again[ROOM_MAX];              //  new listeners due a second one, oldest first
    size_t again_count;                   //  how many
};

struct _presence_inbox_t {
    room_t *room;                       //  the members (not owned)
    routes_t *routes;                   //  whom we hear through whom (not owned)
    peers_t *peers;                     //  the peers we listen to (not owned)
    streams_t *streams;                 //  each sender's lines (not owned)
    repair_t *repair;                   //  asks for history (not owned)
    uint8_t self_id[WIRE_SENDER_BYTES]; //  ours
    control_beat_t beat;                //  the heartbeat being decoded
    known_t *known;                     //  the keys first seen for each nick (not owned)
    roomnews_t *news;                   //  joins and leaves told, a crowd summed up (owned)
};

presence_t *
presence_new (publisher_t *publisher, channels_t *channels, room_t *room)
{
    presence_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->publisher = publisher;
    self->channels = channels;
    self->room = room;
    return self;
}

void
presence_destroy (presence_t **self_p)
{
    if (self_p)
        freen (*self_p);
}

void
presence_set_back_port (presence_t *self, int back_port)
{
    self->back_port = back_port;
}

void
presence_set_relay (presence_t *self, bool relay)
{
    self->relay = relay;
}

//  Dial the back ports of the members that cannot reach us (so our XPUB carries both
//  directions of the link), and hang up on those of members gone. At now_ms.
static void
s_back_links (presence_t *self, int64_t now_ms)
{
    for (size_t i = 0; i < self->link_count;) {
        back_link_t *link = &self->links[i];
        if (room_knows (self->room, link->id))
            i++;
        else {
            publisher_disconnect (self->publisher, link->endpoint);
            *link = self->links[--self->link_count];
        }
    }
    char endpoints[8][ENDPOINT_MAX_BYTES];
    uint8_t ids[8][WIRE_SENDER_BYTES];
    size_t count = room_back_links (self->room, now_ms, endpoints, ids, 8);
    for (size_t i = 0; i < count && self->link_count < ROOM_MAX; i++) {
        if (publisher_connect (self->publisher, endpoints[i]) != 0)
            continue;
        back_link_t *link = &self->links[self->link_count++];
        memcpy (link->id, ids[i], WIRE_SENDER_BYTES);
        text_copy (link->endpoint, sizeof link->endpoint, endpoints[i]);
        term_debug (_ ("PUB connects to %s: that member cannot connect to us"), endpoints[i]);
    }
}

//  Whether this heartbeat lists the members (digests: every member reads digests) or only
//  says the digest of the list (PROTOKOLL.md 21): it lists them when the list changed (once
//  per window of BEAT_WINDOW), to a new listener, every BEAT_FULL_EVERY-th time, and
//  always to a room with an older chat in it.
static bool
s_lists_members (presence_t *self, bool digests, size_t members)
{
    uint8_t digest[CONTROL_DIGEST_BYTES];
    room_digest (self->room, digest);
    size_t windows = members <= BEAT_WINDOW ? 1 : (members + BEAT_WINDOW - 1) / BEAT_WINDOW;
    //  self->beat still holds the digest the last heartbeat said
    if (!self->beat.has_digest || memcmp (digest, self->beat.digest, sizeof digest) != 0 ||
        self->full_asked)
        self->full_left = windows;
    self->full_asked = false;
    self->beat.has_digest = true;
    memcpy (self->beat.digest, digest, sizeof digest);
    bool full = !digests || self->full_left > 0 || ++self->since_full >= BEAT_FULL_EVERY;
    if (full) {
        self->full_left -= self->full_left > 0;
        self->since_full = 0;
    }
    return full;
}

//  How often we beat in a room of members: slower in a big room where all read digests, else
//  (an older chat in it expects a heartbeat a second) every second (PROTOKOLL.md 21).
static int
s_every_ms (bool digests, size_t members)
{
    return digests ? room_interval_ms (members) : BEAT_INTERVAL_MS;
}

//  Fill in what every heartbeat says: where we listen, our channel and last line, our back
//  port, the links we carry, and our interval every_ms; no members listed yet.
static void
s_fill (presence_t *self, control_beat_t *beat, int every_ms)
{
    beat->port = publisher_port (self->publisher);
    beat->last_seq = publisher_last_seq (self->publisher);
    beat->back_port = self->back_port;
    beat->relay = self->relay;
    beat->every_ms = every_ms;
    channels_current (self->channels, beat->channel, sizeof beat->channel);
    beat->peer_count = 0;
    beat->carry_count = room_carried (self->room, beat->carry, CONTROL_PEERS_MAX);
}

//  List the members in beat: a room bigger than one heartbeat names the window from *window
//  on, and the next such heartbeat the one after it.
static void
s_list (presence_t *self, control_beat_t *beat, size_t members, size_t *window)
{
    if (members <= BEAT_WINDOW || *window >= members)
        *window = 0;
    beat->peer_count = room_list_from (self->room, *window, beat->peers, BEAT_WINDOW);
    *window += members > BEAT_WINDOW ? BEAT_WINDOW : 0;
}

//  Send our heartbeat to all, now_ms.
static void
s_beat (presence_t *self, int64_t now_ms)
{
    size_t members = room_size (self->room);
    bool digests = room_all_read_digests (self->room);
    int every_ms = s_every_ms (digests, members);
    self->last_beat_ms = now_ms;
    self->next_beat_ms = now_ms + every_ms;
    s_back_links (self, now_ms);
    control_beat_t *beat = &self->beat;
    s_fill (self, beat, every_ms);
    if (s_lists_members (self, digests, members))
        s_list (self, beat, members, &self->window); //  a different window each time
    int size = control_encode_beat (self->body, sizeof self->body, beat);
    if (size > 0)
        publisher_send_control (self->publisher, CONTROL_BEAT, self->body, (size_t) size);
}

//  Send a heartbeat to the new listener to alone, on its private topic, at now_ms. Returns 0,
//  or -1 when BEAT_TO_PER_S went out this second already or it was dropped.
static int
s_beat_to (presence_t *self, const uint8_t to[WIRE_SENDER_BYTES], int64_t now_ms)
{
    //  Bounded: a flood of "~hello" makes no more than BEAT_TO_PER_S heartbeats a second
    if (now_ms - self->to_since_ms >= 1000)
        self->to_since_ms = now_ms, self->to_count = 0;
    if (self->to_count >= BEAT_TO_PER_S)
        return -1;
    self->to_count++;
    size_t members = room_size (self->room);
    control_beat_t *beat = &self->to_beat;
    s_fill (self, beat, s_every_ms (room_all_read_digests (self->room), members));
    //  The listener needs them to join the rest; in a big room each new listener gets the
    //  next window, so one that hears many of us hears of everybody at once
    s_list (self, beat, members, &self->to_window);
    beat->has_digest = true;
    room_digest (self->room, beat->digest);
    int size = control_encode_beat (self->to_body, sizeof self->to_body, beat);
    if (size < 0)
        return -1;
    return publisher_send_control_to (self->publisher, to, CONTROL_KIND_BEAT, self->to_body,
                                      (size_t) size);
}

//  Send the second heartbeat of their own to the new listeners due one at now_ms. Returns when
//  the next is due (INT64_MAX: none).
static int64_t
s_again (presence_t *self, int64_t now_ms)
{
    size_t done = 0;
    while (done < self->again_count && self->again[done].due_ms <= now_ms)
        s_beat_to (self, self->again[done++].id, now_ms);
    self->again_count -= done;
    memmove (self->again, self->again + done, self->again_count * sizeof self->again[0]);
    return self->again_count ? self->again[0].due_ms : INT64_MAX;
}

int64_t
presence_beat (presence_t *self, int64_t now_ms)
{
    int64_t again_ms = s_again (self, now_ms);
    if (now_ms >= self->next_beat_ms)
        s_beat (self, now_ms);
    return again_ms < self->next_beat_ms ? again_ms : self->next_beat_ms;
}

int
presence_beat_to (presence_t *self, const uint8_t to[WIRE_SENDER_BYTES], int64_t now_ms)
{
    if (s_beat_to (self, to, now_ms) != 0)
        return -1;
    //  Again a moment later: in a room that forms, those who came at the same time as it are
    //  in the second one's list, where no heartbeat of ours to all says so for a while. Not
    //  in a big room, where N² more heartbeats cost more than they bring (PROTOKOLL.md 21.6)
    if (self->again_count < ROOM_MAX && room_size (self->room) <= BEAT_TO_AGAIN_ROOM_MAX) {
        again_t *again = &self->again[self->again_count++];
        memcpy (again->id, to, WIRE_SENDER_BYTES);
        again->due_ms = now_ms + BEAT_TO_AGAIN_MS;
    }
    return 0;
}

void
presence_beat_soon (presence_t *self)
{
    //  Many listeners arriving at once (a room forming) get one heartbeat, not one each; in a
    //  big room, where every member gets a listener per joiner and each such heartbeat goes to
    //  all, at most one every tenth of the interval
    int gap_ms = self->beat.every_ms / BEAT_SOON_SHARE;
    int64_t soon_ms = self->last_beat_ms + (gap_ms > BEAT_SOON_MS ? gap_ms : BEAT_SOON_MS);
    if (soon_ms < self->next_beat_ms)
        self->next_beat_ms = soon_ms;
    self->full_asked = true;
}

void
presence_bye (presence_t *self)
{
    publisher_send_control (self->publisher, CONTROL_BYE, "", 0);
}

presence_inbox_t *
presence_inbox_new (room_t *room, peers_t *peers, streams_t *streams, repair_t *repair,
                    routes_t *routes, const uint8_t self_id[WIRE_SENDER_BYTES])
{
    presence_inbox_t *self = calloc (1, sizeof *self);
    if (self && !(self->news = roomnews_new ()))
        freen (self);
    if (!self)
        return NULL;
    self->room = room;
    self->routes = routes;
    self->peers = peers;
    self->streams = streams;
    self->repair = repair;
    memcpy (self->self_id, self_id, WIRE_SENDER_BYTES);
    return self;
}

void
presence_inbox_destroy (presence_inbox_t **self_p)
{
    if (self_p && *self_p)
        roomnews_destroy (&(*self_p)->news);
    if (self_p)
        freen (*self_p);
}

void
presence_inbox_set_known (presence_inbox_t *self, known_t *known)
{
    self->known = known;
}

bool
presence_key_changed (known_t *known, const wire_meta_t *meta)
{
    bool first = false;
    if (!known || !meta->keyed ||
        known_check (known, meta->nick, meta->public_key, &first) != KNOWN_CHANGED)
        return false;
    if (first) {
        char now[IDENTITY_FINGERPRINT_BYTES], tag[IDENTITY_SHORT_BYTES];
        identity_fingerprint (meta->public_key, now, sizeof now);
        identity_short (meta->public_key, tag, sizeof tag);
        term_notice (_ ("warning: %s writes with another key than before (fingerprint %s), "
                        "shown as %s?%s: it may be someone else. \\whois %s compares, "
                        "\\trust %s accepts it"),
                     meta->nick, now, meta->nick, tag, meta->nick, meta->nick);
    }
    return true;
}

//  A heartbeat from meta->sender at sender_ip at now_ms: it shows (or refutes) that the peer
//  there is the member it was named for (peers_heard). Then connect to the members it lists
//  that we do not hear yet: this is how joining one member of a room connects you to all of
//  them. Each address is tried for the member it is named for, and only so many at once per
//  sender (peers_add_found), so a heartbeat naming any address does not make us a dialler.
static void
s_mesh (presence_inbox_t *self, const wire_meta_t *meta, const control_beat_t *beat,
        const char *sender_ip, int64_t now_ms)
{
    char source[ENDPOINT_MAX_BYTES]; //  the sender, where it listens: "ip:port"
    if (address_label (sender_ip, beat->port, source, sizeof source) != 0)
        return;
    if (peers_heard (self->peers, source, meta->sender) != 0)
        term_debug (_ ("SUB stops listening to %s: it is not the member it was named for"), source);
    bool sender_local = address_is_loopback (sender_ip);
    for (size_t i = 0; i < beat->peer_count; i++) {
        const control_peer_t *peer = &beat->peers[i];
        //  A loopback address from another machine would point at our own machine
        if (memcmp (peer->id, self->self_id, WIRE_SENDER_BYTES) == 0 ||
            room_knows (self->room, peer->id) ||
            (address_is_loopback (peer->address) && !sender_local))
            continue;
        address_t address;
        const char *why;
        if (address_lookup_numeric (peer->address, &address, &why) != 0)
            continue;
        int rc = peers_add_found (self->peers, address.endpoint, address.label, PEER_NAMED,
                                  peer->id, source, now_ms);
        if (rc == 3 || rc < 0)
            break; //  enough pending from this sender (or in all): the rest waits
    }
}

//  True when id is one of count ids.
static bool
s_among (const uint8_t id[WIRE_SENDER_BYTES], const uint8_t (*ids)[WIRE_SENDER_BYTES], size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (memcmp (ids[i], id, WIRE_SENDER_BYTES) == 0)
            return true;
    return false;
}

//  What a direct heartbeat says of us: whether its sender hears us, and carries our link.
static void
s_links (presence_inbox_t *self, const wire_meta_t *meta, const control_beat_t *beat)
{
    bool lists_us = false;
    for (size_t i = 0; i < beat->peer_count && !lists_us; i++)
        lists_us = memcmp (beat->peers[i].id, self->self_id, WIRE_SENDER_BYTES) == 0;
    room_set_links (self->room, meta->sender, lists_us,
                    s_among (self->self_id, beat->carry, beat->carry_count));
}

//  Tell the user what a heartbeat changed at now_ms: a member joined or was renamed.
static void
s_tell (presence_inbox_t *self, room_news_t news, const char *name, const char *previous,
        const char *address, int port, int64_t now_ms)
{
    if (news == ROOM_NEWS_JOINED) {
        char safe[4 * ENDPOINT_MAX_BYTES];
        text_sanitize (address, strlen (address), safe, sizeof safe);
        roomnews_joined (self->news, name, safe, port, room_size (self->room), now_ms);
    } else if (news == ROOM_NEWS_RENAMED)
        term_notice (_ ("%s is now called %s"), previous, name);
}

//  A heartbeat from meta->sender forwarded by forwarder (it does not hear us, or we it): the
//  member is shown "via" it, and its lines are followed as any member's. At now_ms.
static void
s_heard_via (presence_inbox_t *self, const wire_meta_t *meta, const control_beat_t *beat,
             const uint8_t forwarder[WIRE_SENDER_BYTES], int64_t now_ms)
{
    if (memcmp (meta->sender, self->self_id, WIRE_SENDER_BYTES) == 0)
        return;
    char name[NAME_MAX_BYTES + 8], address[ENDPOINT_MAX_BYTES];
    routes_forwarded (self->routes, meta->sender, beat->every_ms, now_ms);
    routes_address (self->routes, meta->sender, address, sizeof address);
    room_news_t news = room_heard_via (self->room, meta->sender, meta->nick, forwarder, address,
                                       beat, now_ms, name, sizeof name);
    if (meta->keyed)
        room_set_key (self->room, meta->sender, meta->public_key,
                      presence_key_changed (self->known, meta));
    s_tell (self, news, name, NULL, *address ? address : "?", -1, now_ms);
    streams_sent_up_to (self->streams, meta->sender, beat->last_seq, now_ms);
    repair_ask_history (self->repair, meta->sender, now_ms);
}

//  A heartbeat from meta->sender at address (its IP) at now_ms.
static void
s_heard (presence_inbox_t *self, const wire_meta_t *meta, const control_beat_t *beat,
         const char *address, int64_t now_ms)
{
    char label[ENDPOINT_MAX_BYTES]; //  where the beat came from: its sender's address and port
    address_label (address, beat->port, label, sizeof label);
    if (memcmp (meta->sender, self->self_id, WIRE_SENDER_BYTES) == 0) {
        //  We are listening to ourselves through one of our addresses: stop that
        peers_remove_label (self->peers, label, false);
        return;
    }
    char name[NAME_MAX_BYTES + 8], previous[NAME_MAX_BYTES + 8];
    room_news_t news = room_heard (self->room, meta->sender, meta->nick, address, beat, now_ms,
                                   name, sizeof name, previous, sizeof previous);
    if (news == ROOM_NEWS_TWICE) {
        //  We hear it at a second address (127.0.0.1 and the LAN, say): one is enough
        peers_remove_label (self->peers, label, true);
        return;
    }
    if (meta->keyed) {
        room_set_key (self->room, meta->sender, meta->public_key,
                      presence_key_changed (self->known, meta));
        room_line (self->room, meta->sender, meta->nick, name, sizeof name);
    }
    s_links (self, meta, beat);
    //  A heartbeat that only says the digest of its list: the list we have from it still holds
    bool same_list = beat->has_digest && beat->peer_count == 0;
    if (same_list && room_list_digest (self->room, meta->sender, beat->digest, false))
        routes_relisted (self->routes, meta->sender, beat->every_ms, now_ms);
    else
        routes_heard (self->routes, meta->sender, beat, now_ms);
    if (beat->has_digest && !same_list)
        room_list_digest (self->room, meta->sender, beat->digest, true);
    s_tell (self, news, name, previous, address, beat->port, now_ms);
    //  The heartbeat says which line it sent last: lines lost at the end of a burst show up
    streams_sent_up_to (self->streams, meta->sender, beat->last_seq, now_ms);
    repair_ask_history (self->repair, meta->sender, now_ms);
    s_mesh (self, meta, beat, address, now_ms); //  a digest alone lists nobody, but is heard
}

//  True when frame (size bytes) holds exactly the string text.
static bool
s_is (const void *frame, size_t size, const char *text)
{
    return frame && size == strlen (text) && memcmp (frame, text, size) == 0;
}

void
presence_inbox_receive (presence_inbox_t *self, const void *topic, size_t topic_size,
                        const wire_meta_t *meta, const void *body, size_t body_size,
                        const char *address, const uint8_t *forwarder, int64_t now_ms)
{
    if (s_is (topic, topic_size, CONTROL_BYE)) {
        char name[NAME_MAX_BYTES + 8];
        if (room_bye (self->room, meta->sender, name, sizeof name) == ROOM_NEWS_LEFT)
            roomnews_left (self->news, name, room_size (self->room), now_ms);
        streams_forget (self->streams, meta->sender);
        routes_forget (self->routes, meta->sender);
        peers_bye (self->peers, meta->sender); //  not dialled again: it left
        return;
    }
    if (!s_is (topic, topic_size, CONTROL_BEAT) || !body ||
        control_decode_beat (body, body_size, &self->beat) != 0)
        return;
    if (forwarder)
        s_heard_via (self, meta, &self->beat, forwarder, now_ms);
    else
        s_heard (self, meta, &self->beat, address, now_ms);
}

void
presence_inbox_expire (presence_inbox_t *self, int64_t now_ms)
{
    char name[NAME_MAX_BYTES + 8], address[ENDPOINT_MAX_BYTES], safe[4 * ENDPOINT_MAX_BYTES];
    int silent_s = 0;
    while (
        room_expire (self->room, now_ms, name, sizeof name, address, sizeof address, &silent_s)) {
        text_sanitize (address, strlen (address), safe, sizeof safe);
        roomnews_silent (self->news, name, safe, silent_s, room_size (self->room), now_ms);
        peers_silent (self->peers, address, now_ms); //  forgotten in PEER_FORGET_MS unless back
    }
    roomnews_tick (self->news, now_ms);
}
