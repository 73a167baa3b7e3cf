/*  input.h - what the user types: readline on a terminal (prompt, Tab completion, the input
    history across runs), or line by line from a pipe (script mode).

    Each complete line goes to the handler given at creation, outside the terminal lock; the
    handler says whether to go on. Main thread only; every rl_* call with the terminal lock held
    (term.h).
*/
#ifndef INPUT_H_INCLUDED
#define INPUT_H_INCLUDED

#include "channels.h"
#include "peers.h"
#include "room.h"

#include <stdbool.h>

#define INPUT_QUEUE_MAX 64 // typed lines waiting to be handled
#define INPUT_CHUNK_BYTES                                                                          \
    (64 * 1024) // pipe mode reads this much at most at a time: the lines of
                // one read go out together, in batches signed once

//  Handle one complete line. Returns true to go on reading, false to stop (the rest of the
//  input is not handled).
typedef bool (input_line_fn) (const char *line, void *arg);

typedef struct _input_t input_t;

//  Read stdin: with readline when interactive, completing from channels, peers and room (not
//  owned), keeping the input history on disk unless keep_history is false; else from a pipe.
//  Each line goes to on_line with arg. Returns NULL if out of memory.
input_t *input_new (bool interactive, bool keep_history, channels_t *channels, peers_t *peers,
                    room_t *room, input_line_fn *on_line, void *arg);

//  Stop reading: readline lets go of the terminal, the history is saved; sets *self_p to NULL.
//  Safe twice.
void input_destroy (input_t **self_p);

//  True when reading from a terminal, with readline.
bool input_interactive (input_t *self);

//  Read what stdin has and handle each line it completes.
void input_read (input_t *self);

//  True at the end of input (Ctrl-D, end of the pipe) or after the handler said stop.
bool input_ended (input_t *self);

//  Show prompt (a terminal only). While asking, the lines typed answer a question and are kept
//  out of the history.
void input_set_prompt (input_t *self, const char *prompt, bool asking);

//  Replace readline's echo of the line being handled (the prompt and typed, right above the
//  prompt) with line, dimmed, if nothing was printed since it was typed (a terminal only).
void input_replace_echo (input_t *self, const char *typed, const char *line);

#endif
