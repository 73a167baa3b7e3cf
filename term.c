/*  term.c - the terminal: one lock around readline and every byte written to the screen.

    The lock is a plain mutex: the main thread never calls back into term_* while it holds it
    (lines typed are queued by the readline handler and handled after the lock is released).
*/
#include "term.h"
#include "json.h"
#include "limits.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <readline/readline.h>

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER; //  the terminal lock
static bool s_readline_active;                             //  handler installed; guarded by s_lock
static atomic_bool s_debug;                                //  the view of the wire is on
static atomic_bool s_color;                                //  colour the output
static atomic_ulong s_lines;                               //  lines written so far
static FILE *s_log;                                        //  --log transcript; guarded by s_lock
static atomic_bool s_logging;                              //  s_log is open
static atomic_bool s_journal;                              //  notices for journald (--relay)
static atomic_bool s_json;                                 //  JSON objects on stdout (--json)

//  sd-daemon(3)'s SyslogLevelPrefix for each kind of notice in journal mode
#define JOURNAL_ERROR "<3>"
#define JOURNAL_NOTICE "<6>"
#define JOURNAL_DEBUG "<7>"
#define JOURNAL_PREFIX_BYTES 3 //  each of them

//  Copy line into out (size bytes, at least 1) without our colour codes (every ESC in a line is
//  ours: what peers send is sanitised before), and with a line break as a space when one_line,
//  cut to fit. Returns the bytes written, before the NUL.
static size_t
s_plain_text (const char *line, bool one_line, char *out, size_t size)
{
    size_t length = 0;
    for (const char *c = line; *c && length + 1 < size; c++) {
        if (*c == '\033') {
            c += strspn (c + 1, "[0123456789;"); //  skip "\033[...", then its final letter
            if (c[1])
                c++;
            continue;
        }
        out[length++] = one_line && (*c == '\n' || *c == '\r') ? ' ' : *c;
    }
    out[length] = 0;
    return length;
}

//  Append line to the transcript, stamped with the date and time, without our colour codes,
//  and flush it. Lock held.
static void
s_log_line (const char *prefix, const char *line)
{
    if (!s_log)
        return;
    time_t now = time (NULL);
    struct tm local;
    char stamp[32];
    localtime_r (&now, &local);
    strftime (stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    char plain[LINE_MAX_BYTES];
    s_plain_text (line, false, plain, sizeof plain);
    fprintf (s_log, "%s %s%s\n", stamp, prefix, plain);
    fflush (s_log);
}

int
term_set_log (const char *path)
{
    FILE *log = path ? fopen (path, "a") : NULL;
    if (path && !log)
        return -1;
    term_lock ();
    if (s_log)
        fclose (s_log);
    s_log = log;
    atomic_store (&s_logging, log != NULL);
    term_unlock ();
    return 0;
}

bool
term_log_on (void)
{
    return atomic_load (&s_logging);
}

void
term_log (const char *line)
{
    term_lock ();
    s_log_line ("", line);
    term_unlock ();
}

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

//  Write one line to stream without disturbing the line being typed, in the SGR style given
//  (e.g. "36" for cyan) when colour is on. Lock held.
static void
s_write_line (FILE *stream, const char *style, const char *prefix, const char *line)
{
    bool styled = style && atomic_load (&s_color);
    atomic_fetch_add (&s_lines, 1);
    s_log_line (prefix, line);
    if (s_readline_active)
        //  Clear prompt and partial input, print above them, then draw them again
        rl_clear_visible_line ();
    if (s_readline_active || styled)
        fprintf (stream, "%s%s%s%s%s%s%s\n", s_readline_active ? "\r" : "", styled ? "\033[" : "",
                 styled ? style : "", styled ? "m" : "", prefix, line, styled ? "\033[0m" : "");
    else {
        //  Pipe mode, every chat line: no format string to parse
        fputs (prefix, stream);
        fputs (line, stream);
        putc ('\n', stream);
    }
    //  In pipe mode chat lines wait in stdio's buffer for term_flush(): one write(2) per batch
    if (s_readline_active || stream != stdout)
        fflush (stream);
    if (s_readline_active) {
        rl_on_new_line ();
        rl_redisplay ();
    }
}

//  Write line to stderr as one journal entry: level (JOURNAL_NOTICE, ...), the
//  line without colour codes or line breaks, a newline, in one write. Lock held.
static void
s_journal_line (const char *level, const char *line)
{
    char entry[JOURNAL_PREFIX_BYTES + LINE_MAX_BYTES + 1];
    memcpy (entry, level, JOURNAL_PREFIX_BYTES);
    size_t length = JOURNAL_PREFIX_BYTES;
    length += s_plain_text (line, true, entry + length, LINE_MAX_BYTES);
    entry[length++] = '\n';
    fwrite (entry, 1, length, stderr);
    fflush (stderr);
}

void
term_set_journal (bool on)
{
    atomic_store (&s_journal, on);
}

bool
term_journal_on (void)
{
    return atomic_load (&s_journal);
}

void
term_set_json (bool on)
{
    atomic_store (&s_json, on);
}

bool
term_json_on (void)
{
    return atomic_load (&s_json);
}

//  Write one JSON object as one line on stdout (and in the transcript), flushed at once: the
//  reader is a bridge waiting for each line. Lock held.
static void
s_write_json (const char *object)
{
    atomic_fetch_add (&s_lines, 1);
    s_log_line ("", object);
    fputs (object, stdout);
    putc ('\n', stdout);
    fflush (stdout);
}

//  Write {"t":type,"text":text} (text made safe by the caller). Lock held.
static void
s_write_json_text (const char *type, const char *text)
{
    char object[JSON_LINE_MAX_BYTES];
    json_text (object, sizeof object, type, text); //  too long a text is cut, the object whole
    s_write_json (object);
}

void
term_json (const char *object)
{
    term_lock ();
    s_write_json (object);
    term_unlock ();
}

void
term_line (const char *line)
{
    //  A relay shows nobody what members write, and keeps no transcript of it
    if (term_journal_on ())
        return;
    term_lock ();
    if (term_json_on ())
        s_write_json (line); //  view_format made it an object
    else
        s_write_line (stdout, NULL, "", line);
    term_unlock ();
}

void
term_flush (void)
{
    term_lock ();
    fflush (stdout);
    term_unlock ();
}

//  A kind of notice, and how each output shows it
typedef struct {
    const char *style;  //  its SGR colour in a terminal
    const char *prefix; //  what goes before it in a terminal: "-- ", "!! ", "·· "
    const char *level;  //  its level in journal mode (JOURNAL_NOTICE, ...)
    const char *type;   //  its "t" in JSON mode
} notice_kind_t;

//  A notice in cyan, an error in bold red, a debug line ("·· ") dimmed
static const notice_kind_t s_kind_notice = {"36", "-- ", JOURNAL_NOTICE, "notice"};
static const notice_kind_t s_kind_error = {"1;31", "!! ", JOURNAL_ERROR, "error"};
static const notice_kind_t s_kind_debug = {"2", "\xC2\xB7\xC2\xB7 ", JOURNAL_DEBUG, "debug"};

//  Format a notice of kind and write it where notices go: in journal mode, to stderr at its
//  level; in JSON mode, as an object on stdout. Takes the lock.
static void s_write_notice (const notice_kind_t *kind, const char *fmt, va_list args)
    __attribute__ ((format (printf, 2, 0)));
static void
s_write_notice (const notice_kind_t *kind, const char *fmt, va_list args)
{
    char line[LINE_MAX_BYTES];
    int size = vsnprintf (line, sizeof line, fmt, args);
    if (size < 0)
        return;
    //  A notice longer than a line is cut; vsnprintf has already terminated it
    term_lock ();
    if (term_journal_on ()) {
        atomic_fetch_add (&s_lines, 1);
        s_log_line (kind->prefix, line);
        s_journal_line (kind->level, line);
    } else if (term_json_on ())
        s_write_json_text (kind->type, line);
    else
        s_write_line (s_readline_active ? stdout : stderr, kind->style, kind->prefix, line);
    term_unlock ();
}

void
term_notice (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_write_notice (&s_kind_notice, fmt, args);
    va_end (args);
}

void
term_error (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_write_notice (&s_kind_error, fmt, args);
    va_end (args);
}

void
term_set_color (bool on)
{
    atomic_store (&s_color, on);
}

bool
term_color_on (void)
{
    return atomic_load (&s_color);
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
    s_write_notice (&s_kind_debug, fmt, args);
    va_end (args);
}

void
term_text (const char *text)
{
    term_lock ();
    //  The transcript gets each line of the text, and so do the journal and JSON mode, one
    //  entry or object each
    bool journal = term_journal_on (), json = term_json_on () && !journal;
    for (const char *line = text; (s_log || journal || json) && *line;) {
        size_t length = strcspn (line, "\n");
        char copy[LINE_MAX_BYTES];
        size_t taken = length < sizeof copy ? length : sizeof copy - 1; //  a longer line is cut
        memcpy (copy, line, taken);
        copy[taken] = 0;
        if (json)
            s_write_json_text ("text", copy); //  in the transcript as the object
        else
            s_log_line ("", copy);
        if (journal)
            s_journal_line (JOURNAL_NOTICE, copy);
        line += length + (line[length] ? 1 : 0);
    }
    if (s_readline_active && !journal && !json) {
        rl_clear_visible_line ();
        fprintf (stdout, "\r%s", text);
        fflush (stdout);
        rl_on_new_line ();
        rl_redisplay ();
    } else if (!journal && !json) {
        fputs (text, stderr);
        fflush (stderr);
    }
    term_unlock ();
}

unsigned long
term_lines_written (void)
{
    return atomic_load (&s_lines);
}

//  The width of s on the terminal, in columns, skipping readline's \001...\002 markers.
static int
s_display_width (const char *s)
{
    int width = 0;
    bool hidden = false;
    mbstate_t state = {0};
    size_t left = strlen (s);
    while (left > 0) {
        wchar_t wide;
        size_t length = mbrtowc (&wide, s, left, &state);
        if (length == (size_t) -1 || length == (size_t) -2 || length == 0) {
            memset (&state, 0, sizeof state);
            length = 1, wide = L'?';
        }
        if (wide == 1 || wide == 2)
            hidden = wide == 1;
        else if (!hidden) {
            int columns = wcwidth (wide);
            width += columns > 0 ? columns : 0;
        }
        s += length, left -= length;
    }
    return width;
}

void
term_replace_echo (unsigned long mark, const char *typed, const char *line)
{
    term_lock ();
    //  Only if nothing was printed since: else the echo is no longer right above the prompt
    if (s_readline_active && atomic_load (&s_lines) == mark) {
        int rows, columns;
        rl_get_screen_size (&rows, &columns);
        int width = s_display_width (rl_prompt ? rl_prompt : "") + s_display_width (typed);
        int used = columns > 0 && width > 0 ? (width + columns - 1) / columns : 1;
        rl_clear_visible_line ();
        for (int i = 0; i < used; i++)
            fputs ("\033[1A\033[2K", stdout);
        fprintf (stdout, "\r\033[2m%s\033[0m\n", line);
        fflush (stdout);
        atomic_fetch_add (&s_lines, 1);
        rl_on_new_line ();
        rl_redisplay ();
    }
    term_unlock ();
}

void
term_clear (void)
{
    term_lock ();
    if (s_readline_active)
        rl_clear_screen (0, 0);
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
