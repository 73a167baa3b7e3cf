/*  input.c - what the user types (see input.h).

    readline's line handler takes no argument, so the one input_t that has readline installed
    is s_input; its handler only queues lines, which input_read() hands on after releasing the
    terminal lock.
*/
#include "input.h"
#include "complete.h"
#include "history.h"
#include "i18n.h"
#include "limits.h"
#include "term.h"

#include <czmq.h>
#include <readline/history.h>
#include <readline/readline.h>

//  A line typed, waiting to be handled
typedef struct {
    char *line;         //  as readline returned it (ours to free)
    unsigned long mark; //  lines written when it was typed (term_lines_written)
} typed_t;

struct _input_t {
    bool interactive;                 //  readline on a terminal
    bool keep_history;                //  the history file is read and written
    input_line_fn *on_line;           //  the handler
    void *arg;                        //  ... and its argument
    bool ended;                       //  end of input, or the handler said stop
    bool asking;                      //  the lines answer a question
    typed_t typed[INPUT_QUEUE_MAX];   //  lines readline handed us, to handle after the lock
    size_t typed_count;               //  how many
    unsigned long mark;               //  the mark of the line being handled
    int history_added;                //  lines added to the history in this run
    char chunk[INPUT_CHUNK_BYTES];    //  pipe mode: what one read gave
    char pending[TEXT_MAX_BYTES + 2]; //  ... the partial line read so far
    size_t pending_size;              //  its size
    bool pending_too_long;            //  the current line overflowed
};

static input_t *s_input; //  the input readline's handler queues for (terminal lock held)

//  Readline's line handler: queue the line (the terminal lock is held here). NULL is Ctrl-D.
static void
s_on_readline (char *line)
{
    input_t *self = s_input;
    if (!line) {
        self->ended = true;
        return;
    }
    if (*line && !self->asking) {
        add_history (line);
        self->history_added++;
    }
    if (self->typed_count < INPUT_QUEUE_MAX)
        self->typed[self->typed_count++] = (typed_t){line, term_lines_written ()};
    else
        free (line);
}

input_t *
input_new (bool interactive, bool keep_history, channels_t *channels, peers_t *peers, room_t *room,
           input_line_fn *on_line, void *arg)
{
    input_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->interactive = interactive;
    self->keep_history = keep_history;
    self->on_line = on_line;
    self->arg = arg;
    if (!interactive)
        return self;
    stifle_history (HISTORY_MAX_LINES); //  bounded in memory too, history file or not
    if (keep_history)
        history_load ();
    term_lock ();
    s_input = self;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    complete_install (channels, peers, room);
    rl_callback_handler_install ("", s_on_readline);
    term_set_readline (true);
    term_unlock ();
    return self;
}

void
input_destroy (input_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    input_t *self = *self_p;
    if (self->interactive) {
        term_lock ();
        term_set_readline (false);
        rl_callback_handler_remove ();
        s_input = NULL;
        fputc ('\n', stdout);
        fflush (stdout);
        term_unlock ();
        if (self->keep_history)
            history_save (self->history_added);
        clear_history ();
    }
    for (size_t i = 0; i < self->typed_count; i++)
        free (self->typed[i].line);
    free (self);
    *self_p = NULL;
}

bool
input_interactive (input_t *self)
{
    return self->interactive;
}

bool
input_ended (input_t *self)
{
    return self->ended;
}

//  Hand one line to the handler, unless the input has ended.
static void
s_handle (input_t *self, const char *line)
{
    if (!self->ended && !self->on_line (line, self->arg))
        self->ended = true;
}

//  Feed readline what the terminal has, then handle the lines it completed.
static void
s_read_terminal (input_t *self)
{
    term_lock ();
    rl_callback_read_char ();
    term_unlock ();
    for (size_t i = 0; i < self->typed_count; i++) {
        self->mark = self->typed[i].mark;
        s_handle (self, self->typed[i].line);
        free (self->typed[i].line);
    }
    self->typed_count = 0;
}

//  The pending line is complete: handle it, or say it was too long; start the next.
static void
s_complete_line (input_t *self)
{
    if (self->pending_too_long)
        term_error (_ ("line too long (more than %d bytes): not sent"), TEXT_MAX_BYTES);
    else {
        if (self->pending_size > 0 && self->pending[self->pending_size - 1] == '\r')
            self->pending_size--;
        self->pending[self->pending_size] = 0;
        s_handle (self, self->pending);
    }
    self->pending_size = 0;
    self->pending_too_long = false;
}

//  Read what stdin has in pipe mode and handle each complete line.
static void
s_read_pipe (input_t *self)
{
    char *chunk = self->chunk;
    ssize_t size = read (STDIN_FILENO, chunk, sizeof self->chunk);
    if (size < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (size <= 0) {
        //  End of input: a last line without a newline still counts
        if (self->pending_size > 0 && !self->pending_too_long) {
            self->pending[self->pending_size] = 0;
            s_handle (self, self->pending);
        }
        self->ended = true;
        return;
    }
    const char *next = chunk, *end = chunk + size;
    while (next < end && !self->ended) {
        //  The piece up to the next newline (or the end of the chunk) joins what is pending
        const char *newline = memchr (next, '\n', (size_t) (end - next));
        size_t piece = (size_t) ((newline ? newline : end) - next);
        size_t room = TEXT_MAX_BYTES + 1 - self->pending_size;
        if (piece > room)
            self->pending_too_long = true;
        memcpy (self->pending + self->pending_size, next, piece < room ? piece : room);
        self->pending_size += piece < room ? piece : room;
        next += piece;
        if (!newline)
            break;
        next++;
        s_complete_line (self);
    }
}

void
input_read (input_t *self)
{
    if (self->interactive)
        s_read_terminal (self);
    else
        s_read_pipe (self);
}

void
input_set_prompt (input_t *self, const char *prompt, bool asking)
{
    self->asking = asking;
    if (!self->interactive)
        return;
    term_lock ();
    rl_set_prompt (prompt);
    rl_redisplay ();
    term_unlock ();
}

void
input_replace_echo (input_t *self, const char *typed, const char *line)
{
    if (self->interactive)
        term_replace_echo (self->mark, typed, line);
}
