/*  term.h - the terminal: one lock around readline and every byte written to the screen.

    Readline is not thread-safe and a line printed by the subscriber thread must not garble what
    the user is typing, so every rl_* call and every write to stdout or stderr goes through here
    with the terminal lock held. It is the outermost lock: subscriber.h has the whole order.
    A relay has no terminal: in journal mode notices go to stderr for systemd's journal. A
    program has none either: in JSON mode (--json) everything goes to stdout as JSON objects.
*/
#ifndef TERM_H_INCLUDED
#define TERM_H_INCLUDED

#include <stdbool.h>

//  Take and release the terminal lock. Any thread. The main thread holds it around each
//  rl_callback_read_char() and every other rl_* call.
void term_lock (void);
void term_unlock (void);

//  Say whether readline's callback handler is installed (call with the lock held). While it is,
//  output clears the input line, prints, and redraws prompt, partial input and cursor.
void term_set_readline (bool active);

//  Print one chat line (already made safe) on stdout. Any thread; takes the lock. In pipe mode
//  the line may wait in stdio's buffer until term_flush().
void term_line (const char *line);

//  Turn JSON mode (--json) on or off, and ask whether it is on. Set at start, before any other
//  thread runs. While it is on, everything shown goes to stdout, one JSON object per line
//  (json.h), each flushed at once, in the order written: term_line's line is such an object
//  already (view_format with json), a notice is {"t":"notice","text":...} (the text without
//  "-- "), an error "error", a debug line "debug", each line of term_text "text"; the
//  transcript (--log) gets the same objects. Any thread.
void term_set_json (bool on);
bool term_json_on (void);

//  Print one JSON object built by the caller (json.h: one line) on stdout, flushed. Any
//  thread; takes the lock.
void term_json (const char *object);

//  Write out the chat lines term_line() buffered. Any thread; takes the lock. The subscriber
//  thread calls it whenever no message is waiting, so no line is held back while it is idle.
void term_flush (void);

//  Print a notice ("-- ...") or an error ("!! ...") as one line: on stdout in a terminal, on
//  stderr in pipe mode. fmt is a constant; its arguments must be made safe. Any thread.
void term_notice (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void term_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

//  Turn journal mode (--relay) on or off, and ask whether it is on. Any thread. While it is on,
//  chat lines (term_line) are neither printed nor kept in the transcript; every notice, error,
//  debug line and line of term_text goes to stderr, whatever readline does, as one line in
//  sd-daemon(3)'s form: "<6>text" (notice, help text), "<3>text" (error), "<7>text" (debug),
//  without the "-- "/"!! "/"·· " prefix, colour codes or line breaks inside, in one write.
void term_set_journal (bool on);
bool term_journal_on (void);

//  Turn colour on or off, and ask whether it is on. Any thread.
void term_set_color (bool on);
bool term_color_on (void);

//  Turn the view of the wire (--verbose, \debug) on or off, and ask whether it is on. Any thread.
void term_set_debug (bool on);
bool term_debug_on (void);

//  When the view of the wire is on, print one line about it ("·· SUB connected to ...").
//  fmt is a constant; its arguments must be made safe. Any thread.
void term_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

//  Print lines of help text exactly as given. Main thread; takes the lock.
void term_text (const char *text);

//  Append every line written from now on to the file at path (--log), stamped with the date and
//  time, without colour codes, flushed per line; NULL stops. Returns 0, or -1 if it cannot be
//  opened for appending. Main thread, at start and at exit.
int term_set_log (const char *path);

//  True while a transcript is being written (--log). Any thread.
bool term_log_on (void);

//  Append line to the transcript only (our own lines, which readline echoed). Any thread.
void term_log (const char *line);

//  How many lines have been written so far (a mark for term_replace_echo). Any thread.
unsigned long term_lines_written (void);

//  Replace readline's echo of the line just typed (prompt and typed text, right above the
//  prompt) with line, dimmed, if nothing was printed since mark. Main thread; takes the lock.
void term_replace_echo (unsigned long mark, const char *typed, const char *line);

//  Clear the screen and redraw the prompt (a terminal only). Main thread; takes the lock.
void term_clear (void);

//  Tell readline the window changed size. Main thread; takes the lock.
void term_resize (void);

#endif
