/*  known.c - trust on first use: the known-peers file (see known.h).

    The table is two fixed arrays, searched in order: KNOWN_MAX nicks is few enough to look at
    each, and a fixed size is a bound an endless stream of new nicks cannot move.
*/
#include "known.h"
#include "fdio.h"
#include "limits.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_HEX_CHARS (2 * KNOWN_KEY_BYTES)
//  One line of the file: "NICK <hex>\n" and a NUL, and a torn line's '\n' before it
#define LINE_BYTES (1 + NAME_MAX_BYTES + 1 + KEY_HEX_CHARS + 2)
#define READ_LINE_BYTES 256 //  what the loader reads at a time; a longer line is skipped
#define TEMP_SUFFIX ".XXXXXX"

//  A nick and a key
typedef struct {
    char nick[NAME_MAX_BYTES + 1]; //  a valid nick
    uint8_t key[KNOWN_KEY_BYTES];  //  an Ed25519 public key
} known_entry_t;

struct _known_t {
    pthread_mutex_t lock;                   //  guards everything below
    char *path;                             //  the file, or NULL: memory only
    bool torn;                              //  the file may end without a newline
    known_entry_t entries[KNOWN_MAX];       //  the key remembered for each nick
    size_t count;                           //  entries used
    known_entry_t warned[KNOWN_WARNED_MAX]; //  pairs already told as changed this run
    size_t warned_count;                    //  warned used
};

//  True when nick can be remembered: a valid nick, which holds no space and no newline.
static bool
s_nick_valid (const char *nick)
{
    return nick && wire_nick_valid (nick, strnlen (nick, NAME_MAX_BYTES + 1));
}

//  Decode exactly KEY_HEX_CHARS lowercase hex digits at hex, followed by anything but one,
//  into key. Returns 0, or -1.
static int
s_hex_decode (const char *hex, uint8_t key[KNOWN_KEY_BYTES])
{
    size_t decoded;
    if (strspn (hex, "0123456789abcdef") != KEY_HEX_CHARS)
        return -1;
    return sodium_hex2bin (key, KNOWN_KEY_BYTES, hex, KEY_HEX_CHARS, NULL, &decoded, NULL) ||
                   decoded != KNOWN_KEY_BYTES
               ? -1
               : 0;
}

//  The entry of nick in entries (count of them), or NULL. Lock held.
static known_entry_t *
s_find (known_entry_t *entries, size_t count, const char *nick)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (entries[i].nick, nick) == 0)
            return &entries[i];
    return NULL;
}

//  Parse line (NUL-terminated, its newline removed) "NICK <hex>" into entry. Returns 0, or -1.
static int
s_parse_line (const char *line, known_entry_t *entry)
{
    const char *space = strchr (line, ' ');
    size_t nick_size = space ? (size_t) (space - line) : 0;
    if (nick_size == 0 || nick_size > NAME_MAX_BYTES || !wire_nick_valid (line, nick_size) ||
        s_hex_decode (space + 1, entry->key) || space[1 + KEY_HEX_CHARS] != 0)
        return -1;
    memcpy (entry->nick, line, nick_size);
    entry->nick[nick_size] = 0;
    return 0;
}

//  Read the lines of file into self: a line that does not parse is skipped, so is a nick seen
//  before and every nick beyond KNOWN_MAX. Notes whether the file ends in the middle of a line.
static void
s_read (known_t *self, FILE *file)
{
    char line[READ_LINE_BYTES];
    bool skipping = false; //  in the rest of a line too long to be one
    while (fgets (line, sizeof line, file)) {
        size_t length = strlen (line);
        bool whole = length > 0 && line[length - 1] == '\n';
        bool was_skipping = skipping;
        skipping = !whole && !feof (file);
        self->torn = !whole;
        if (was_skipping || skipping)
            continue;
        line[strcspn (line, "\n")] = 0;
        known_entry_t entry;
        if (self->count < KNOWN_MAX && s_parse_line (line, &entry) == 0 &&
            !s_find (self->entries, self->count, entry.nick))
            self->entries[self->count++] = entry;
    }
}

//  Load self's file, if it is a regular file; a missing or unreadable one is an empty table.
static void
s_load (known_t *self)
{
    int fd = open (self->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat info;
    if (fd < 0)
        return;
    FILE *file = fstat (fd, &info) == 0 && S_ISREG (info.st_mode) ? fdopen (fd, "r") : NULL;
    if (!file) {
        close (fd);
        return;
    }
    s_read (self, file);
    fclose (file);
}

//  Format entry's line into line (LINE_BYTES bytes), after a newline when torn.
//  Returns its length, or -1.
static int
s_format (const known_entry_t *entry, bool torn, char line[LINE_BYTES])
{
    char hex[KEY_HEX_CHARS + 1];
    sodium_bin2hex (hex, sizeof hex, entry->key, sizeof entry->key);
    int size = snprintf (line, LINE_BYTES, "%s%s %s\n", torn ? "\n" : "", entry->nick, hex);
    return size < 0 || size >= LINE_BYTES ? -1 : size;
}

//  Append entry's line to self's file, created with mode 0600 if missing: one write, so lines
//  of two chats sharing the file do not mix. Lock held.
static void
s_append (known_t *self, const known_entry_t *entry)
{
    char line[LINE_BYTES];
    int size = s_format (entry, self->torn, line);
    if (!self->path || size < 0)
        return;
    int fd = open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        return;
    if (fdio_write_all (fd, line, (size_t) size) == 0)
        self->torn = false;
    close (fd);
}

//  Write every entry into fd, then sync it. Returns 0, or -1. Lock held.
static int
s_write_entries (const known_t *self, int fd)
{
    char line[LINE_BYTES];
    for (size_t i = 0; i < self->count; i++) {
        int size = s_format (&self->entries[i], false, line);
        if (size < 0 || fdio_write_all (fd, line, (size_t) size))
            return -1;
    }
    return fsync (fd);
}

//  Rewrite self's file from the table: a temporary file beside it (mode 0600), then renamed
//  over it, so a reader sees the old file or the new one, whole. Returns 0, or -1. Lock held.
static int
s_rewrite (known_t *self)
{
    if (!self->path)
        return 0;
    size_t size = strlen (self->path) + sizeof TEMP_SUFFIX;
    char *temp = malloc (size);
    if (!temp)
        return -1;
    int written = snprintf (temp, size, "%s%s", self->path, TEMP_SUFFIX);
    int fd = written < 0 || (size_t) written >= size ? -1 : mkstemp (temp);
    int rc = -1;
    if (fd >= 0) {
        rc = s_write_entries (self, fd);
        rc = close (fd) || rc ? -1 : rename (temp, self->path);
        if (rc)
            unlink (temp);
    }
    if (rc == 0)
        self->torn = false;
    free (temp);
    return rc;
}

known_t *
known_new (const char *path)
{
    known_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (path && !(self->path = strdup (path))) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    if (self->path)
        s_load (self);
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

//  Note that (nick, key) was told as changed. Returns true the first time. Lock held.
static bool
s_warn (known_t *self, const char *nick, const uint8_t key[KNOWN_KEY_BYTES])
{
    for (size_t i = 0; i < self->warned_count; i++)
        if (strcmp (self->warned[i].nick, nick) == 0 &&
            memcmp (self->warned[i].key, key, KNOWN_KEY_BYTES) == 0)
            return false;
    if (self->warned_count < KNOWN_WARNED_MAX) {
        known_entry_t *pair = &self->warned[self->warned_count++];
        memcpy (pair->nick, nick, strlen (nick) + 1);
        memcpy (pair->key, key, KNOWN_KEY_BYTES);
    }
    return true; //  and every time when full: a changed key is never kept quiet
}

known_verdict_t
known_check (known_t *self, const char *nick, const uint8_t public[KNOWN_KEY_BYTES],
             bool *first_time)
{
    if (first_time)
        *first_time = false;
    if (!s_nick_valid (nick))
        return KNOWN_NEW;
    pthread_mutex_lock (&self->lock);
    known_verdict_t verdict = KNOWN_NEW;
    known_entry_t *entry = s_find (self->entries, self->count, nick);
    if (entry && memcmp (entry->key, public, KNOWN_KEY_BYTES) == 0)
        verdict = KNOWN_SAME;
    else if (entry) {
        verdict = KNOWN_CHANGED;
        bool first = s_warn (self, nick, public);
        if (first_time)
            *first_time = first;
    } else if (self->count < KNOWN_MAX) {
        entry = &self->entries[self->count++];
        memcpy (entry->nick, nick, strlen (nick) + 1);
        memcpy (entry->key, public, KNOWN_KEY_BYTES);
        s_append (self, entry);
    }
    pthread_mutex_unlock (&self->lock);
    return verdict;
}

int
known_trust (known_t *self, const char *nick, const uint8_t public[KNOWN_KEY_BYTES])
{
    if (!s_nick_valid (nick))
        return -1;
    pthread_mutex_lock (&self->lock);
    known_entry_t *entry = s_find (self->entries, self->count, nick);
    if (!entry && self->count < KNOWN_MAX) {
        entry = &self->entries[self->count++];
        memcpy (entry->nick, nick, strlen (nick) + 1);
    }
    int rc = -1;
    if (entry) {
        memcpy (entry->key, public, KNOWN_KEY_BYTES);
        //  Trusted now: a key seen after this is told again, even one told before
        size_t kept = 0;
        for (size_t i = 0; i < self->warned_count; i++)
            if (strcmp (self->warned[i].nick, nick) != 0)
                self->warned[kept++] = self->warned[i];
        self->warned_count = kept;
        rc = s_rewrite (self);
    }
    pthread_mutex_unlock (&self->lock);
    return rc;
}

bool
known_lookup (known_t *self, const char *nick, uint8_t public[KNOWN_KEY_BYTES])
{
    if (!s_nick_valid (nick))
        return false;
    pthread_mutex_lock (&self->lock);
    const known_entry_t *entry = s_find (self->entries, self->count, nick);
    if (entry)
        memcpy (public, entry->key, KNOWN_KEY_BYTES);
    pthread_mutex_unlock (&self->lock);
    return entry != NULL;
}
