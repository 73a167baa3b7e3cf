/*  known.c - trust on first use (see known.h).

    The file has one line per nick: "NICK <64 hex digits>\n", mode 0600. New nicks are
    appended; \trust writes the whole file again, through a temporary file renamed over it.
*/
#include "known.h"
#include "text.h"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  One nick and its key
typedef struct {
    char nick[NAME_MAX_BYTES + 1];         //  the nick
    uint8_t public_key[WIRE_PUBLIC_BYTES]; //  the key first seen (or trusted) for it
} entry_t;

//  A changed key warned of
typedef struct {
    char nick[NAME_MAX_BYTES + 1];         //  its nick
    uint8_t public_key[WIRE_PUBLIC_BYTES]; //  the key
} warned_t;

struct _known_t {
    pthread_mutex_t lock;              //  guards everything below
    char *path;                        //  the file, or NULL
    entry_t entries[KNOWN_MAX];        //  the nicks remembered
    size_t count;                      //  how many
    warned_t warned[KNOWN_WARNED_MAX]; //  changed keys told of in this run
    size_t warned_next;                //  where the next one goes
};

//  The entry of nick, or NULL. Lock held.
static entry_t *
s_find (known_t *self, const char *nick)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->entries[i].nick, nick) == 0)
            return &self->entries[i];
    return NULL;
}

//  Write one entry as a line into out (NAME_MAX_BYTES + 67 bytes). Returns its size.
static size_t
s_line (const char *nick, const uint8_t *public_key, char *out, size_t outsize)
{
    char hex[2 * WIRE_PUBLIC_BYTES + 1];
    sodium_bin2hex (hex, sizeof hex, public_key, WIRE_PUBLIC_BYTES);
    int size = snprintf (out, outsize, "%s %s\n", nick, hex);
    return size > 0 && (size_t) size < outsize ? (size_t) size : 0;
}

//  Read one line of the file into the table, if it is a valid one. Lock held.
static void
s_take_line (known_t *self, char *line)
{
    char *space = strchr (line, ' ');
    if (!space || self->count == KNOWN_MAX)
        return;
    *space = 0;
    entry_t entry;
    size_t bytes;
    const char *end;
    if (!wire_nick_valid (line, strlen (line)) || text_copy (entry.nick, sizeof entry.nick, line) ||
        sodium_hex2bin (entry.public_key, WIRE_PUBLIC_BYTES, space + 1, strlen (space + 1), NULL,
                        &bytes, &end) != 0 ||
        bytes != WIRE_PUBLIC_BYTES || (*end && *end != '\n') || s_find (self, entry.nick))
        return;
    self->entries[self->count++] = entry;
}

known_t *
known_new (const char *path)
{
    known_t *self = calloc (1, sizeof *self);
    if (!self || (path && !(self->path = strdup (path)))) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    FILE *file = path ? fopen (path, "r") : NULL;
    char line[NAME_MAX_BYTES + 2 * WIRE_PUBLIC_BYTES + 8];
    while (file && fgets (line, sizeof line, file))
        s_take_line (self, line);
    if (file)
        fclose (file);
    return self;
}

void
known_destroy (known_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    known_t *self = *self_p;
    pthread_mutex_destroy (&self->lock);
    free (self->path);
    free (self);
    *self_p = NULL;
}

//  Append one entry to the file. Lock held.
static void
s_append (known_t *self, const entry_t *entry)
{
    char line[NAME_MAX_BYTES + 2 * WIRE_PUBLIC_BYTES + 8];
    size_t size = s_line (entry->nick, entry->public_key, line, sizeof line);
    int fd = self->path ? open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (fd < 0)
        return;
    if (write (fd, line, size) != (ssize_t) size) {
        //  The table still has it: it is known for this run
    }
    close (fd);
}

//  True the first time this run that (nick, public_key) is seen changed. Lock held.
static bool
s_first_warning (known_t *self, const char *nick, const uint8_t *public_key)
{
    for (size_t i = 0; i < KNOWN_WARNED_MAX; i++)
        if (strcmp (self->warned[i].nick, nick) == 0 &&
            memcmp (self->warned[i].public_key, public_key, WIRE_PUBLIC_BYTES) == 0)
            return false;
    warned_t *slot = &self->warned[self->warned_next];
    self->warned_next = (self->warned_next + 1) % KNOWN_WARNED_MAX;
    text_copy (slot->nick, sizeof slot->nick, nick);
    memcpy (slot->public_key, public_key, WIRE_PUBLIC_BYTES);
    return true;
}

known_verdict_t
known_check (known_t *self, const char *nick, const uint8_t public_key[WIRE_PUBLIC_BYTES],
             bool *first_time)
{
    known_verdict_t verdict = KNOWN_SAME;
    bool first = false;
    pthread_mutex_lock (&self->lock);
    entry_t *entry = s_find (self, nick);
    if (!entry) {
        verdict = KNOWN_NEW;
        if (self->count < KNOWN_MAX) {
            entry = &self->entries[self->count++];
            text_copy (entry->nick, sizeof entry->nick, nick);
            memcpy (entry->public_key, public_key, WIRE_PUBLIC_BYTES);
            s_append (self, entry);
        }
    } else if (memcmp (entry->public_key, public_key, WIRE_PUBLIC_BYTES) != 0) {
        verdict = KNOWN_CHANGED;
        first = s_first_warning (self, nick, public_key);
    }
    pthread_mutex_unlock (&self->lock);
    if (first_time)
        *first_time = first;
    return verdict;
}

//  Write the whole table to the file, through a temporary file. Returns 0, or -1. Lock held.
static int
s_rewrite (known_t *self)
{
    char temporary[4096];
    int size = snprintf (temporary, sizeof temporary, "%s.new", self->path);
    if (size < 0 || (size_t) size >= sizeof temporary)
        return -1;
    int fd = open (temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    bool written = true;
    for (size_t i = 0; i < self->count && written; i++) {
        char line[NAME_MAX_BYTES + 2 * WIRE_PUBLIC_BYTES + 8];
        size_t line_size =
            s_line (self->entries[i].nick, self->entries[i].public_key, line, sizeof line);
        written = write (fd, line, line_size) == (ssize_t) line_size;
    }
    written = fsync (fd) == 0 && written;
    close (fd);
    if (written && rename (temporary, self->path) == 0)
        return 0;
    unlink (temporary);
    return -1;
}

int
known_trust (known_t *self, const char *nick, const uint8_t public_key[WIRE_PUBLIC_BYTES])
{
    pthread_mutex_lock (&self->lock);
    entry_t *entry = s_find (self, nick);
    if (!entry && self->count < KNOWN_MAX) {
        entry = &self->entries[self->count++];
        text_copy (entry->nick, sizeof entry->nick, nick);
    }
    if (entry)
        memcpy (entry->public_key, public_key, WIRE_PUBLIC_BYTES);
    int status = self->path ? s_rewrite (self) : 0;
    pthread_mutex_unlock (&self->lock);
    return status;
}

bool
known_lookup (known_t *self, const char *nick, uint8_t public_key[WIRE_PUBLIC_BYTES])
{
    pthread_mutex_lock (&self->lock);
    entry_t *entry = s_find (self, nick);
    if (entry)
        memcpy (public_key, entry->public_key, WIRE_PUBLIC_BYTES);
    pthread_mutex_unlock (&self->lock);
    return entry != NULL;
}
