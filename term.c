/*  term.c - the terminal: one lock around readline and every byte written to the screen.

    The lock is a plain mutex: the main thread never calls back into term_* while it holds it
    (lines typed are queued by the readline handler and handled after the lock is released).
*/
#include "term.h"
#include "chat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <readline/readline.h>

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER; //  the terminal lock
static bool s_readline_active;                             //  handler installed; guarded by s_lock
static atomic_bool s_debug;                                //  the view of the wire is on

void
term_lock (void)
{
    pthread_mutex_lock (&s_lock);
}

void
term_unlock (void)
{
    pthread_mutex_unlock (&s_lock);
}

void
term_set_readline (bool active)
{
    s_readline_active = active;
}

//  Write one line to stream without disturbing the line being typed. Lock held.
static void
s_write_line (FILE *stream, const char *prefix, const char *line)
{
    if (s_readline_active) {
        //  Clear prompt and partial input, print above them, then draw them again
        rl_clear_visible_line ();
        fprintf (stream, "\r%s%s\n", prefix, line);
        fflush (stream);
        rl_on_new_line ();
        rl_redisplay ();
    } else {
        fprintf (stream, "%s%s\n", prefix, line);
        fflush (stream);
    }
}

void
term_line (const char *line)
{
    term_lock ();
    s_write_line (stdout, "", line);
    term_unlock ();
}

//  Format a notice or error and write it where notices go. Takes the lock.
static void s_write_notice (const char *prefix, const char *fmt, va_list args)
    __attribute__ ((format (printf, 2, 0)));
static void
s_write_notice (const char *prefix, const char *fmt, va_list args)
{
    char line[LINE_MAX_BYTES];
    int size = vsnprintf (line, sizeof line, fmt, args);
    if (size < 0)
        return;
    //  A notice longer than a line is cut; vsnprintf has already terminated it
    term_lock ();
    s_write_line (s_readline_active ? stdout : stderr, prefix, line);
    term_unlock ();
}

void
term_notice (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_write_notice ("-- ", fmt, args);
    va_end (args);
}

void
term_error (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_write_notice ("!! ", fmt, args);
    va_end (args);
}

void
term_set_debug (bool on)
{
    atomic_store (&s_debug, on);
}

bool
term_debug_on (void)
{
    return atomic_load (&s_debug);
}

void
term_debug (const char *fmt, ...)
{
    if (!term_debug_on ())
        return;
    va_list args;
    va_start (args, fmt);
    s_write_notice ("\xC2\xB7\xC2\xB7 ", fmt, args); //  "·· "
    va_end (args);
}

void
term_text (const char *text)
{
    term_lock ();
    if (s_readline_active) {
        rl_clear_visible_line ();
        fprintf (stdout, "\r%s", text);
        fflush (stdout);
        rl_on_new_line ();
        rl_redisplay ();
    } else {
        fputs (text, stderr);
        fflush (stderr);
    }
    term_unlock ();
}

void
term_resize (void)
{
    term_lock ();
    if (s_readline_active)
        rl_resize_terminal ();
    term_unlock ();
}
