/*  complete.c - Tab completion, with readline's own completion API.

    readline asks for the completions of the word under the cursor; we decide from the line
    what kind of word it is, take a snapshot of the candidates (each list behind its own lock)
    and let readline's generator protocol hand them out one by one.
*/
#include "complete.h"

#include <czmq.h>
#include <readline/readline.h>

#define CANDIDATES_MAX 512 // completions offered at most

static channels_t *s_channels; //  the channel table (not owned)
static peers_t *s_peers;       //  the peer list (not owned)
static room_t *s_room;         //  the members (not owned)

//  The candidates of the current completion, and how far the generator got
static char s_candidates[CANDIDATES_MAX][ENDPOINT_MAX_BYTES];
static size_t s_count, s_next;

static const char *s_commands[] = {
    "\\help", "\\connect", "\\disconnect", "\\channel", "\\channels", "\\who",  "\\peers", "\\nick",
    "\\me",   "\\msg",     "\\invite",     "\\clear",   "\\debug",    "\\quit", "\\exit"};

//  Add a candidate, with suffix ("" or ": ").
static void
s_add (const char *word, const char *suffix)
{
    if (s_count >= CANDIDATES_MAX)
        return;
    int size = snprintf (s_candidates[s_count], ENDPOINT_MAX_BYTES, "%s%s", word, suffix);
    if (size > 0 && size < ENDPOINT_MAX_BYTES)
        s_count++;
}

//  readline's generator: the next candidate starting with text, or NULL. state 0 restarts.
static char *
s_generate (const char *text, int state)
{
    if (state == 0)
        s_next = 0;
    size_t length = strlen (text);
    while (s_next < s_count) {
        const char *candidate = s_candidates[s_next++];
        if (strncmp (candidate, text, length) == 0)
            return strdup (candidate); //  readline frees it
    }
    return NULL;
}

//  Add the members' names as candidates, each with suffix.
static void
s_add_names (const char *suffix)
{
    static char names[ROOM_MAX][NAME_MAX_BYTES + 8];
    size_t count = room_names (s_room, names, ROOM_MAX);
    for (size_t i = 0; i < count; i++)
        s_add (names[i], suffix);
}

//  Add the channel names as candidates.
static void
s_add_channels (void)
{
    static char channels[CHANNELS_MAX][NAME_MAX_BYTES + 1];
    size_t count = channels_names (s_channels, channels, CHANNELS_MAX);
    for (size_t i = 0; i < count; i++)
        s_add (channels[i], "");
}

//  Add the addresses of the peers we listen to and of the members, as candidates.
static void
s_add_addresses (void)
{
    static char labels[PEERS_MAX][ENDPOINT_MAX_BYTES];
    static control_peer_t members[ROOM_MAX];
    size_t count = peers_labels (s_peers, labels, PEERS_MAX);
    for (size_t i = 0; i < count; i++)
        s_add (labels[i], "");
    count = room_list (s_room, members, ROOM_MAX);
    for (size_t i = 0; i < count; i++)
        s_add (members[i].address, "");
}

//  Collect the candidates for a word that starts at start in the line being typed.
static void
s_collect (int start)
{
    s_count = 0;
    if (start == 0) {
        //  A command, or "anna: " at the start of a line, to address someone
        if (rl_line_buffer[0] == '\\')
            for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
                s_add (s_commands[i], "");
        else
            s_add_names (":");
        return;
    }
    //  The command word, if the line starts with one
    if (rl_line_buffer[0] != '\\')
        return;
    size_t length = strcspn (rl_line_buffer, " ");
    char command[16];
    if (length >= sizeof command)
        return;
    memcpy (command, rl_line_buffer, length);
    command[length] = 0;
    //  \msg NICK, \who PATTERN: the members' names, for the word after the command
    if ((streq (command, "\\msg") || streq (command, "\\who")) && (size_t) start == length + 1)
        s_add_names ("");
    if (streq (command, "\\channel") || streq (command, "\\disconnect"))
        s_add_channels ();
    if (streq (command, "\\connect") || streq (command, "\\disconnect"))
        s_add_addresses ();
}

//  readline's attempted-completion hook: our candidates, never file names.
static char **
s_complete (const char *text, int start, int end)
{
    (void) end;
    rl_attempted_completion_over = 1; //  no file names when we have nothing
    s_collect (start);
    return rl_completion_matches (text, s_generate);
}

void
complete_install (channels_t *channels, peers_t *peers, room_t *room)
{
    s_channels = channels;
    s_peers = peers;
    s_room = room;
    rl_attempted_completion_function = s_complete;
    //  Addresses hold ':' and nicks end in ':'; only a space separates words
    rl_completer_word_break_characters = " ";
}
