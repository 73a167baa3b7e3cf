/*  banner.c - who we are, said once at start (see banner.h).
 */
#include "banner.h"
#include "address.h"
#include "i18n.h"
#include "json.h"
#include "jsonview.h"
#include "options.h"
#include "term.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

//  The path of our key file, made safe, into safe (safe_size bytes).
static void
s_key_path (const banner_t *self, char *safe, size_t safe_size)
{
    //  A key in use by another chat is not ours: its file is the one we asked for
    char busy[IDENTITY_PATH_MAX_BYTES + NAME_MAX_BYTES + 8];
    const char *path = identity_path (self->identity);
    if (!*path && self->identity_option)
        path = self->identity_option;
    else if (!*path) {
        int size =
            snprintf (busy, sizeof busy, "%s/%s.key", identity_dir (self->identity), self->nick);
        path = size > 0 && (size_t) size < sizeof busy ? busy : "?";
    }
    text_sanitize (path, strlen (path), safe, safe_size);
}

//  Say which key signs what we send, and where it came from.
static void
s_banner_identity (const banner_t *self)
{
    char fingerprint[IDENTITY_FINGERPRINT_BYTES], safe[4 * IDENTITY_PATH_MAX_BYTES];
    identity_fingerprint (identity_public (self->identity), fingerprint, sizeof fingerprint);
    s_key_path (self, safe, sizeof safe);
    switch (identity_origin (self->identity)) {
    case IDENTITY_CREATED:
        term_notice (_ ("a new key for %s, in %s: fingerprint %s"),
                     publisher_nick (self->publisher), safe, fingerprint);
        break;
    case IDENTITY_LOADED: //  the usual start: nothing worth a line (\whois shows it)
        break;
    case IDENTITY_BUSY:
        term_notice (_ ("%s is in use by another chat: this one has a throwaway key (fingerprint "
                        "%s), so the others see a new key"),
                     safe, fingerprint);
        break;
    case IDENTITY_THROWAWAY: //  asked for
        break;
    }
}

void
banner_print (const banner_t *self)
{
    char addresses[1024], channel[NAME_MAX_BYTES + 1];
    int port = publisher_port (self->publisher);
    address_local_list (addresses, sizeof addresses);
    channels_current (self->channels, channel, sizeof channel);
    if (self->relay)
        term_notice (_ ("chat %s: a relay, listening on port %d and on back port %d"), CHAT_VERSION,
                     port, self->back_port);
    else
        term_notice (_ ("chat %s: you are %s, writing to [%s], listening on port %d"), CHAT_VERSION,
                     publisher_nick (self->publisher), channel, port);
    term_notice (_ ("others reach you at: %s (port %d)"), addresses, port);
    s_banner_identity (self);
    char fingerprint[ROOMLOCK_FINGERPRINT_BYTES];
    char relay_key[ROOMLOCK_KEY_HEX_BYTES];
    uint8_t key[ROOMLOCK_KEY_BYTES];
    if (roomlock_relay (self->lock) && roomlock_relay_key (self->identity, key) == 0 &&
        roomlock_key_format (key, relay_key, sizeof relay_key) == 0)
        term_notice (_ ("the relay of a locked room, which it cannot read: members add "
                        "--relay-key %s"),
                     relay_key);
    else if (roomlock_fingerprint (self->lock, fingerprint, sizeof fingerprint) == 0)
        term_notice (_ ("the room is locked: only those with its passphrase get in (key %s)"),
                     fingerprint);
    if (isatty (STDIN_FILENO))
        term_notice (_ ("\\help lists the commands, \\quit leaves"));
}

void
banner_json (const banner_t *self)
{
    char fingerprint[IDENTITY_FINGERPRINT_BYTES], key[4 * IDENTITY_PATH_MAX_BYTES];
    char channel[NAME_MAX_BYTES + 1], object[JSON_LINE_MAX_BYTES];
    identity_fingerprint (identity_public (self->identity), fingerprint, sizeof fingerprint);
    if (identity_origin (self->identity) == IDENTITY_THROWAWAY)
        key[0] = 0; //  a key for this run only has no file
    else
        s_key_path (self, key, sizeof key);
    channels_current (self->channels, channel, sizeof channel);
    jsonview_self (object, sizeof object, publisher_nick (self->publisher),
                   publisher_port (self->publisher), channel, fingerprint, key);
    term_json (object);
}
