/*  webtab.h - one browser tab's member: a child process (our own `chat --json`) and its three
    pipes. The web bridge (web.h) writes what the tab types to the child's input, reads the
    child's output line by line, and ends it: end of input first (so it says goodbye once),
    then SIGTERM, then SIGKILL, and always reaps it.

    A webtab_t is used by one thread at a time: the bridge's reader thread for a tab reads,
    signals and destroys; the tab's civetweb thread writes and closes the input, under the
    bridge's lock for that tab (web.c).
*/
#ifndef WEBTAB_H_INCLUDED
#define WEBTAB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define WEBTAB_LINE_MAX_BYTES 16384 // a line of the child's output at most; longer ones are cut

typedef struct webtab_t webtab_t;

//  Called for each line of the child's output (without its newline, NUL-terminated, size
//  bytes): on stdout when from_stdout, else on stderr; cut when it was longer than
//  WEBTAB_LINE_MAX_BYTES and the rest was dropped.
typedef void (webtab_line_fn) (const char *line, size_t size, bool from_stdout, bool cut,
                               void *arg);

//  Start the program argv[0] with argv and the environment envp, its input and output on
//  pipes and no other file open. Returns the tab, or NULL with errno set.
webtab_t *webtab_start (char *const argv[], char *const envp[]);

//  End the child (close its input, SIGKILL if it still runs), reap it, close the pipes and
//  free the tab. Nothing if *self_p is NULL.
void webtab_destroy (webtab_t **self_p);

//  Write line (size bytes, no newline in it) and a newline to the child's input, without
//  blocking. Returns 0, or -1 when the pipe is full, closed, or the child has gone.
int webtab_write_line (webtab_t *self, const char *line, size_t size);

//  Close the child's input: it reads end of input and leaves the room. Idempotent.
void webtab_close_input (webtab_t *self);

//  Wait at most timeout_ms for output, then hand each whole line read to on_line. Returns 0
//  while some output is still open, -1 once stdout and stderr are both closed (the child
//  has ended or is ending).
int webtab_read (webtab_t *self, int timeout_ms, webtab_line_fn *on_line, void *arg);

//  Send the child signal_number, unless it has been reaped.
void webtab_signal (webtab_t *self, int signal_number);

//  Reap the child if it has exited, without waiting. Returns true once it has been reaped.
bool webtab_reaped (webtab_t *self);

//  The child's process id.
int webtab_pid (const webtab_t *self);

#endif
