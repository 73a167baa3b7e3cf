/*  history.c - the input history, kept across runs, bounded.

    The file is private (0600 in a 0700 directory): it holds what the user typed.
*/
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/history.h>

//  The history file: $XDG_STATE_HOME/chat/history, or ~/.local/state/chat/history. Creates
//  its directory. Returns 0, or -1 if there is no home to keep it in.
static int
s_path (char *path, size_t size)
{
    const char *state = getenv ("XDG_STATE_HOME"), *home = getenv ("HOME");
    char directory[4096];
    int written;
    if (state && *state == '/')
        written = snprintf (directory, sizeof directory, "%s/chat", state);
    else if (home && *home)
        written = snprintf (directory, sizeof directory, "%s/.local/state/chat", home);
    else
        return -1;
    if (written < 0 || (size_t) written >= sizeof directory)
        return -1;
    //  mkdir -p, private
    for (char *slash = strchr (directory + 1, '/'); slash; slash = strchr (slash + 1, '/')) {
        *slash = 0;
        mkdir (directory, 0700);
        *slash = '/';
    }
    mkdir (directory, 0700);
    written = snprintf (path, size, "%s/history", directory);
    return written < 0 || (size_t) written >= size ? -1 : 0;
}

void
history_load (void)
{
    char path[4200];
    stifle_history (HISTORY_MAX_LINES);
    if (s_path (path, sizeof path) == 0)
        read_history (path);
}

void
history_save (int added)
{
    char path[4200];
    if (s_path (path, sizeof path))
        return;
    if (added > HISTORY_MAX_LINES)
        added = HISTORY_MAX_LINES;
    int rc = access (path, F_OK) == 0 ? append_history (added, path) : write_history (path);
    if (rc == 0)
        history_truncate_file (path, HISTORY_MAX_LINES);
}
