/*  trust.c - \whois and \trust (see trust.h).
 */
#include "trust.h"
#include "i18n.h"
#include "term.h"
#include "text.h"

#include <string.h>

//  Find the member called name (safe: name made safe to print), with its key. Returns 0; -1
//  when nobody has that name (nothing said: each caller says it its way); 1 after one line
//  saying why not (several have it, or its key is not known yet).
static int
s_member (room_t *room, const char *name, const char *safe, uint8_t id[WIRE_SENDER_BYTES],
          char *display, size_t display_size, uint8_t public_key[WIRE_PUBLIC_BYTES], bool *changed)
{
    int found = room_find (room, name, id, display, display_size);
    if (found > 0)
        term_error (_ ("several members are called %s: write the name \\who shows"), safe);
    else if (found == 0 && !room_key (room, id, public_key, changed)) {
        term_error (_ ("%s has not sent a signed heartbeat yet"), safe);
        found = 1;
    }
    return found;
}

void
trust_whois (room_t *room, known_t *known, const identity_t *identity, const char *own_nick,
             const char *name)
{
    char safe[4 * NAME_MAX_BYTES + 8], fingerprint[IDENTITY_FINGERPRINT_BYTES];
    char display[NAME_MAX_BYTES + 8], first[IDENTITY_FINGERPRINT_BYTES];
    uint8_t id[WIRE_SENDER_BYTES], public_key[WIRE_PUBLIC_BYTES], remembered[WIRE_PUBLIC_BYTES];
    text_sanitize (name, strlen (name), safe, sizeof safe);
    if (strcmp (name, own_nick) == 0) {
        identity_fingerprint (identity_public (identity), fingerprint, sizeof fingerprint);
        term_notice (_ ("you (%s): key %s"), safe, fingerprint);
        return;
    }
    bool changed = false;
    int found = s_member (room, name, safe, id, display, sizeof display, public_key, &changed);
    if (found < 0 && known_lookup (known, name, remembered)) {
        identity_fingerprint (remembered, fingerprint, sizeof fingerprint);
        term_notice (_ ("%s is not in the room; the key remembered for it: %s"), safe, fingerprint);
    } else if (found < 0)
        term_error (_ ("nobody called %s in the room (\\who lists them)"), safe);
    if (found != 0)
        return;
    identity_fingerprint (public_key, fingerprint, sizeof fingerprint);
    if (!changed) {
        term_notice (_ ("%s: key %s (the one first seen for this nick)"), display, fingerprint);
        return;
    }
    bool had = known_lookup (known, name, remembered);
    identity_fingerprint (remembered, first, sizeof first);
    term_notice (_ ("%s: key %s, NOT the one first seen for %s (%s): compare it with them, and "
                    "\\trust %s if it is theirs"),
                 display, fingerprint, safe, had ? first : "?", safe);
}

void
trust_accept (room_t *room, known_t *known, const char *name)
{
    char safe[4 * NAME_MAX_BYTES + 8], fingerprint[IDENTITY_FINGERPRINT_BYTES];
    char display[NAME_MAX_BYTES + 8], nick[NAME_MAX_BYTES + 8];
    uint8_t id[WIRE_SENDER_BYTES], public_key[WIRE_PUBLIC_BYTES];
    text_sanitize (name, strlen (name), safe, sizeof safe);
    bool changed = false;
    int found = s_member (room, name, safe, id, display, sizeof display, public_key, &changed);
    if (found < 0)
        term_error (_ ("nobody called %s in the room (\\who lists them)"), safe);
    if (found != 0)
        return;
    //  The nick is the display name without its tag ("anna?3f2a", "anna#3f2a")
    text_copy (nick, sizeof nick, display);
    nick[strcspn (nick, "?#")] = 0;
    if (known_trust (known, nick, public_key))
        term_error (_ ("could not write the known keys: %s is trusted until you quit"), nick);
    room_set_key (room, id, public_key, false);
    identity_fingerprint (public_key, fingerprint, sizeof fingerprint);
    term_notice (_ ("%s's key %s is trusted from now on"), nick, fingerprint);
}
