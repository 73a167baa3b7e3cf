/*  web.c - `chat --web [ADDR:]PORT`: the page, and a member per browser tab (see web.h).

    Threads: the main thread waits for end of input or a signal. civetweb's worker threads run
    the handlers below; a tab's WebSocket keeps one worker for as long as it is open, which
    runs its ready, data and close handlers in turn. One reader thread per tab reads the
    tab's child and writes its lines to the WebSocket.

    Locks: s_web.lock guards the list of tabs, their count and each tab's port and references;
    a tab's own lock guards its connection (NULL once civetweb has closed it) and when that
    happened, so that the reader never writes to a connection that is gone. Where both are
    taken, s_web.lock comes first. The child's input
    is written and closed only by the tab's civetweb worker; everything else about the child
    only by the reader. A tab is freed by whichever of the two lets it go last.
*/
#define _GNU_SOURCE // pipe2
#include "web.h"
#include "i18n.h"
#include "identity.h"
#include "json.h"
#include "ratelimit.h"
#include "term.h"
#include "text.h"
#include "webcmd.h"
#include "webguard.h"
#include "webtab.h"

#include <civetweb.h>
#include <czmq.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#ifndef WEBDIR
#define WEBDIR "/usr/local/share/chatt/web" // the installed page (Makefile)
#endif

#define WEB_TABS_MAX 100          // tabs open at once at most: each holds a civetweb worker
#define WEB_THREADS "110"         // civetweb's workers: a tab each, and some for the page
#define WEB_PAGE_MAX_BYTES 262144 // one file of the page at most
#define WEB_LINES_PER_WINDOW 20   // lines a tab may send in WEB_WINDOW_MS, more drops it
#define WEB_WINDOW_MS 2000
#define WEB_LEAVE_TERM_MS 5000 // a child that has not left this long after its tab closed
#define WEB_LEAVE_KILL_MS 8000 // gets SIGTERM, and then SIGKILL
#define WEB_EXIT_WAIT_MS 3000  // a child whose output has closed, to exit, at most
#define WEB_STOP_WAIT_MS 10000 // at the end, for every tab's chat to leave, at most

//  A file of the page, read at start
typedef struct {
    const char *name; //  its path in the URL
    const char *file; //  its file in the page's directory
    const char *type; //  its Content-Type
    char *data;       //  its bytes
    size_t size;      //  how many
} s_page_t;

//  A browser tab and its member
typedef struct s_tab_t {
    pthread_mutex_t lock;          //  guards conn and closed_ms
    struct mg_connection *conn;    //  its WebSocket, NULL once closed
    int64_t closed_ms;             //  when it closed (zclock_mono), 0 while open
    webtab_t *child;               //  its chat
    ratelimit_t rate;              //  the lines it sends (its worker only)
    int port;                      //  its chat's port once known, else 0 (s_web.lock)
    int refs;                      //  the worker and the reader (s_web.lock)
    char nick[NAME_MAX_BYTES + 1]; //  the nick it asked for, made safe to print
    char id[WEBGUARD_TAB_BYTES];   //  its id (webguard_tab_ok), or ""
    struct s_tab_t *next;          //  the next tab (s_web.lock)
} s_tab_t;

//  The bridge
static struct {
    pthread_mutex_t lock;             //  guards tabs, count, and each tab's port, refs and next
    pthread_cond_t changed;           //  a tab went away
    s_tab_t *tabs;                    //  the tabs, newest first
    int count;                        //  how many
    const options_t *options;         //  what the bridge was started with
    char token[WEBGUARD_TOKEN_BYTES]; //  what a request must show, "" on loopback
    char program[PATH_MAX];           //  our own binary, which each tab runs
    char keys[PATH_MAX];              //  where each tab's key file is kept, or "" (throwaway keys)
    s_page_t pages[3];                //  the page's files
} s_web = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

//  Send text (size bytes, one JSON object) to tab as a text frame, unless its WebSocket has
//  closed. Any thread.
static void
s_send (s_tab_t *tab, const char *text, size_t size)
{
    pthread_mutex_lock (&tab->lock);
    if (tab->conn)
        mg_websocket_write (tab->conn, MG_WEBSOCKET_OPCODE_TEXT, text, size);
    pthread_mutex_unlock (&tab->lock);
}

//  Send tab an object {"t":kind,"text":text} (text made safe first).
static void
s_send_text (s_tab_t *tab, const char *kind, const char *text)
{
    char safe[SANITIZED_MAX_BYTES], line[JSON_LINE_MAX_BYTES];
    text_sanitize (text, strlen (text), safe, sizeof safe);
    int size = json_text (line, sizeof line, kind, safe);
    s_send (tab, line, size < 0 ? strlen (line) : (size_t) size);
}

//  Let tab go: the last of its worker and its reader frees it (and ends its chat).
static void
s_release (s_tab_t *tab)
{
    pthread_mutex_lock (&s_web.lock);
    bool last = --tab->refs == 0;
    if (last) {
        for (s_tab_t **link = &s_web.tabs; *link; link = &(*link)->next)
            if (*link == tab) {
                *link = tab->next;
                break;
            }
        s_web.count--;
        pthread_cond_broadcast (&s_web.changed);
    }
    pthread_mutex_unlock (&s_web.lock);
    if (!last)
        return;
    webtab_destroy (&tab->child);
    pthread_mutex_destroy (&tab->lock);
    free (tab);
}

//  A line of the tab's chat: a JSON object on stdout goes to the tab as it is (and "self"
//  tells its port); anything else (a fatal error on stderr) goes to the tab as an error and
//  to our own stderr, made safe.
static void
s_on_child_line (const char *line, size_t size, bool from_stdout, bool cut, void *arg)
{
    s_tab_t *tab = arg;
    if (from_stdout && !cut && size > 0 && line[0] == '{') {
        static const char self[] = "{\"t\":\"self\",";
        const char *port = strstr (line, "\"port\":");
        if (strncmp (line, self, sizeof self - 1) == 0 && port) {
            pthread_mutex_lock (&s_web.lock);
            tab->port = atoi (port + 7);
            pthread_mutex_unlock (&s_web.lock);
        }
        s_send (tab, line, size);
    } else if (size > 0) {
        s_send_text (tab, from_stdout ? "text" : "error", line);
        //  The bridge's own output says it too: a chat that cannot start, or a sanitizer's
        //  report in a test, is seen where the bridge was started
        char safe[SANITIZED_MAX_BYTES];
        text_sanitize (line, size, safe, sizeof safe);
        term_error ("%s: %s", tab->nick, safe);
    }
}

//  When its tab has been closed long enough, the chat gets SIGTERM, then SIGKILL. Returns true
//  once the tab has closed (the reader then looks again soon).
static bool
s_hurry (s_tab_t *tab)
{
    pthread_mutex_lock (&tab->lock);
    int64_t closed = tab->closed_ms;
    pthread_mutex_unlock (&tab->lock);
    int64_t waited = closed ? zclock_mono () - closed : 0;
    if (waited >= WEB_LEAVE_KILL_MS)
        webtab_signal (tab->child, SIGKILL);
    else if (waited >= WEB_LEAVE_TERM_MS)
        webtab_signal (tab->child, SIGTERM);
    return closed != 0;
}

//  The reader of one tab: the chat's lines to the tab until the chat ends; then, if the tab
//  is still open, say so and close it.
static void *
s_reader (void *arg)
{
    s_tab_t *tab = arg;
    while (webtab_read (tab->child, s_hurry (tab) ? 200 : 2000, s_on_child_line, tab) == 0) {
    }
    //  Its output has closed: it exits, or is made to
    int64_t deadline = zclock_mono () + WEB_EXIT_WAIT_MS;
    while (!webtab_reaped (tab->child) && zclock_mono () < deadline)
        poll (NULL, 0, 20);
    term_notice (_ ("the tab of %s has left the room"), tab->nick);
    s_send_text (tab, "closed", _ ("this member has left the room: reload the page to join again"));
    pthread_mutex_lock (&tab->lock);
    if (tab->conn)
        mg_websocket_write (tab->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "\x03\xe8", 2);
    pthread_mutex_unlock (&tab->lock);
    s_release (tab);
    return NULL;
}

//  A query parameter of the request into value (value_size bytes); "" when missing or too
//  long.
static void
s_query (const struct mg_connection *conn, const char *name, char *value, size_t value_size)
{
    const char *query = mg_get_request_info (conn)->query_string;
    if (!query || mg_get_var (query, strlen (query), name, value, value_size) < 0)
        value[0] = 0;
}

//  True when the request shows the token, in its query or its cookie.
static bool
s_token_shown (const struct mg_connection *conn)
{
    char given[WEBGUARD_TOKEN_BYTES + 1];
    s_query (conn, "t", given, sizeof given);
    if (webguard_token_ok (s_web.token, given))
        return true;
    const char *cookie = mg_get_header (conn, "Cookie");
    if (!cookie || mg_get_cookie (cookie, "chatt_token", given, sizeof given) < 0)
        given[0] = 0;
    return webguard_token_ok (s_web.token, given);
}

//  Every request first: the right Host, and the token where one is needed; else 403.
static int
s_authorize (struct mg_connection *conn, void *data)
{
    (void) data;
    const char *host = mg_get_header (conn, "Host");
    if (webguard_host_ok (host, s_web.options->web_address, s_web.options->web_port) &&
        s_token_shown (conn))
        return 1;
    static const char why[] = "Forbidden: open the address chat printed, with its ?t=\n";
    const char *upgrade = mg_get_header (conn, "Upgrade");
    if (upgrade && strcasecmp (upgrade, "websocket") == 0)
        //  civetweb sends no status line on a WebSocket's connection: the whole answer here
        mg_printf (conn,
                   "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   sizeof why - 1, why);
    else
        mg_send_http_error (conn, 403, "%s", why);
    return 0;
}

//  A file of the page, by its path in the URL; the rest is 404. No path reaches the disk.
static int
s_serve (struct mg_connection *conn, void *data)
{
    (void) data;
    const char *uri = mg_get_request_info (conn)->local_uri;
    for (size_t i = 0; i < sizeof s_web.pages / sizeof s_web.pages[0]; i++) {
        s_page_t *page = &s_web.pages[i];
        if (!uri || !(streq (uri, page->name) || (i == 0 && streq (uri, "/"))))
            continue;
        char cookie[WEBGUARD_TOKEN_BYTES + 80], length[24];
        if (text_format (cookie, sizeof cookie, "chatt_token=%s; Path=/; HttpOnly; SameSite=Strict",
                         s_web.token) ||
            text_format (length, sizeof length, "%zu", page->size))
            break;
        mg_response_header_start (conn, 200);
        mg_response_header_add (conn, "Content-Type", page->type, -1);
        mg_response_header_add (conn, "Content-Security-Policy",
                                "default-src 'self'; connect-src 'self'; img-src 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                                -1);
        mg_response_header_add (conn, "X-Content-Type-Options", "nosniff", -1);
        mg_response_header_add (conn, "Referrer-Policy", "no-referrer", -1);
        mg_response_header_add (conn, "Cache-Control", "no-store", -1);
        if (*s_web.token)
            mg_response_header_add (conn, "Set-Cookie", cookie, -1);
        mg_response_header_add (conn, "Content-Length", length, -1);
        mg_response_header_send (conn);
        mg_write (conn, page->data, page->size);
        return 200;
    }
    mg_send_http_error (conn, 404, "%s", "Not found");
    return 404;
}

//  A WebSocket about to open: only from our own page (its Origin), never another site's.
static int
s_ws_connect (const struct mg_connection *conn, void *data)
{
    (void) data;
    return webguard_origin_ok (mg_get_header (conn, "Origin"), mg_get_header (conn, "Host")) ? 0
                                                                                             : 1;
}

//  True when port is free for a chat to listen on: no tab has it and it can be bound.
static bool
s_port_free (int port)
{
    for (s_tab_t *tab = s_web.tabs; tab; tab = tab->next)
        if (tab->port == port)
            return false;
    int probe = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons ((uint16_t) port)};
    bool bound = probe >= 0 && bind (probe, (struct sockaddr *) &address, sizeof address) == 0;
    if (probe >= 0)
        close (probe);
    return bound;
}

//  The first free port from first up for a tab's chat (-p with --web), or 0 for none: the
//  chat then takes the first free one from the default. Call with s_web.lock held.
static int
s_free_port (int first)
{
    for (int port = first; port <= 65535 && port < first + 2 * WEB_TABS_MAX; port++)
        if (s_port_free (port))
            return port;
    return 0;
}

//  Wait on s_web.changed, ms milliseconds at most. Call with s_web.lock held.
static void
s_wait_changed (long ms)
{
    struct timespec until;
    clock_gettime (CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000 * 1000;
    until.tv_sec += until.tv_nsec / 1000000000;
    until.tv_nsec %= 1000000000;
    pthread_cond_timedwait (&s_web.changed, &s_web.lock, &until);
}

//  Wait, WEB_EXIT_WAIT_MS at most, while the chat of an earlier tab with the same id (the
//  same page reloaded) is still leaving: it holds the tab's key file, and the new one would
//  get a throwaway key. Call with s_web.lock held.
static void
s_wait_for_same_tab (s_tab_t *tab)
{
    int64_t deadline = zclock_mono () + WEB_EXIT_WAIT_MS;
    while (zclock_mono () < deadline) {
        bool leaving = false;
        for (s_tab_t *other = s_web.tabs; other && !leaving; other = other->next) {
            if (other == tab || !*tab->id || !streq (other->id, tab->id))
                continue;
            pthread_mutex_lock (&other->lock); //  the order: s_web.lock, then a tab's
            leaving = other->closed_ms != 0;
            pthread_mutex_unlock (&other->lock);
        }
        if (!leaving)
            return;
        s_wait_changed (50);
    }
}

//  Start tab's chat and its reader. Returns 0, or -1 with why (a line for the tab) set.
static int
s_start_tab (s_tab_t *tab, const char *nick, bool swedish, const char **why)
{
    extern char **environ;
    webcmd_for_t what = {.options = s_web.options,
                         .program = s_web.program,
                         .keys = s_web.keys,
                         .nick = nick,
                         .tab = tab->id,
                         .swedish = swedish,
                         .environment = environ};
    //  A contact among the tabs, so that they find each other with no -c: the oldest tab's
    //  chat (the list is newest first); and with -p, a port of its own from there up
    pthread_mutex_lock (&s_web.lock);
    s_wait_for_same_tab (tab);
    for (s_tab_t *other = s_web.tabs; other; other = other->next)
        what.contact = other->port ? other->port : what.contact;
    if (s_web.options->port)
        tab->port = what.port = s_free_port (s_web.options->port);
    pthread_mutex_unlock (&s_web.lock);
    webcmd_t *command = malloc (sizeof *command);
    tab->child = command && webcmd_build (command, &what) == 0
                     ? webtab_start (command->args, command->environment)
                     : NULL;
    free (command);
    pthread_t reader;
    if (!tab->child) {
        *why = _ ("the bridge could not start a chat for this tab");
        return -1;
    }
    pthread_mutex_lock (&s_web.lock);
    tab->refs++;
    pthread_mutex_unlock (&s_web.lock);
    if (pthread_create (&reader, NULL, s_reader, tab) != 0) {
        pthread_mutex_lock (&s_web.lock);
        tab->refs--;
        pthread_mutex_unlock (&s_web.lock);
        *why = _ ("the bridge could not start a chat for this tab");
        return -1;
    }
    pthread_detach (reader);
    return 0;
}

//  A WebSocket has opened: a new tab, and a chat for it (or a line saying why not).
static void
s_ws_ready (struct mg_connection *conn, void *data)
{
    (void) data;
    s_tab_t *tab = calloc (1, sizeof *tab);
    if (!tab)
        return;
    pthread_mutex_init (&tab->lock, NULL);
    tab->conn = conn;
    tab->refs = 1;
    tab->rate = RATELIMIT (WEB_LINES_PER_WINDOW, WEB_WINDOW_MS);
    char nick[NAME_MAX_BYTES + 1], id[WEBGUARD_TAB_BYTES + 1], language[8];
    s_query (conn, "nick", nick, sizeof nick);
    s_query (conn, "tab", id, sizeof id);
    s_query (conn, "lang", language, sizeof language);
    text_sanitize (nick, strlen (nick), tab->nick, sizeof tab->nick);
    if (webguard_tab_ok (id))
        memcpy (tab->id, id, sizeof tab->id);
    pthread_mutex_lock (&s_web.lock);
    tab->next = s_web.tabs, s_web.tabs = tab;
    bool room = ++s_web.count <= WEB_TABS_MAX;
    pthread_mutex_unlock (&s_web.lock);
    mg_set_user_connection_data (conn, tab);
    const char *why = NULL;
    if (!room)
        why = _ ("too many tabs on this bridge: close one, or start another chat --web");
    else if (!*tab->id)
        why = _ ("this tab has no valid id: reload the page");
    if (!why && s_start_tab (tab, nick, streq (language, "sv"), &why) == 0) {
        term_notice (_ ("a tab joined as %s"), tab->nick);
        return;
    }
    s_send_text (tab, "closed", why);
    mg_websocket_write (conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "\x03\xf0", 2);
}

//  Drop tab for what it did: it is told why, its WebSocket closes, its chat leaves. Returns 0
//  (civetweb then closes the connection).
static int
s_drop (s_tab_t *tab, const char *why)
{
    term_notice (_ ("dropped the tab of %s: %s"), tab->nick, why);
    s_send_text (tab, "closed", why);
    return 0;
}

//  A frame from a tab: a text frame is one line for its chat; too long, too many, in pieces
//  or binary, and the tab is dropped.
static int
s_ws_data (struct mg_connection *conn, int bits, char *data, size_t size, void *cbdata)
{
    (void) cbdata;
    s_tab_t *tab = mg_get_user_connection_data (conn);
    int opcode = bits & 0x0f;
    if (!tab || opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE ||
        opcode == MG_WEBSOCKET_OPCODE_PING || opcode == MG_WEBSOCKET_OPCODE_PONG)
        return 1;
    if (opcode != MG_WEBSOCKET_OPCODE_TEXT || !(bits & 0x80))
        return s_drop (tab, _ ("it sent a frame that is not one line of text"));
    if (!webguard_line_ok (data, size))
        return s_drop (tab, _ ("it sent a line longer than 4096 bytes, or with a line break"));
    if (!ratelimit_allow (&tab->rate, zclock_mono ()))
        return s_drop (tab, _ ("it sent more than 20 lines in 2 seconds"));
    if (!tab->child || webtab_write_line (tab->child, data, size) != 0)
        return s_drop (tab, _ ("its chat does not take its lines"));
    return 1;
}

//  A tab's WebSocket has closed: its chat reads end of input and leaves the room.
static void
s_ws_close (const struct mg_connection *conn, void *data)
{
    (void) data;
    s_tab_t *tab = mg_get_user_connection_data (conn);
    if (!tab)
        return;
    pthread_mutex_lock (&tab->lock);
    tab->conn = NULL;
    tab->closed_ms = zclock_mono ();
    pthread_mutex_unlock (&tab->lock);
    if (tab->child)
        webtab_close_input (tab->child);
    s_release (tab);
}

//  civetweb's own messages (a port in use): one line each, made safe.
static int
s_log (const struct mg_connection *conn, const char *message)
{
    (void) conn;
    char safe[SANITIZED_MAX_BYTES];
    text_sanitize (message, strlen (message), safe, sizeof safe);
    term_error ("web: %s", safe);
    return 1;
}

//  Read the page's files from dir. Returns 0, or -1 if one is missing or too big.
static int
s_load_pages (const char *dir)
{
    static const s_page_t pages[] = {
        {"/index.html", "index.html", "text/html; charset=utf-8", NULL, 0},
        {"/chat.css", "chat.css", "text/css; charset=utf-8", NULL, 0},
        {"/chat.js", "chat.js", "text/javascript; charset=utf-8", NULL, 0}};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        s_web.pages[i] = pages[i];
        char path[PATH_MAX];
        FILE *file = text_format (path, sizeof path, "%s/%s", dir, pages[i].file)
                         ? NULL
                         : fopen (path, "rb");
        char *data = file ? malloc (WEB_PAGE_MAX_BYTES) : NULL;
        size_t size = data ? fread (data, 1, WEB_PAGE_MAX_BYTES, file) : 0;
        if (file)
            fclose (file);
        if (!data || size == 0 || size == WEB_PAGE_MAX_BYTES) {
            free (data);
            return -1;
        }
        s_web.pages[i].data = data, s_web.pages[i].size = size;
    }
    return 0;
}

//  Find the page: beside our binary (the build tree), in ../share/chatt/web beside it (an
//  install moved anywhere: DESTDIR, another PREFIX), else where make install put it.
static int
s_find_pages (void)
{
    ssize_t size = readlink ("/proc/self/exe", s_web.program, sizeof s_web.program - 1);
    if (size <= 0)
        return -1;
    s_web.program[size] = 0;
    int bin = (int) (strrchr (s_web.program, '/') - s_web.program);
    static const char *relative[] = {"web", "../share/chatt/web"};
    char dir[PATH_MAX];
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++)
        if (text_format (dir, sizeof dir, "%.*s/%s", bin, s_web.program, relative[i]) == 0 &&
            s_load_pages (dir) == 0)
            return 0;
    return s_load_pages (WEBDIR);
}

//  Free the page's files.
static void
s_free_pages (void)
{
    for (size_t i = 0; i < sizeof s_web.pages / sizeof s_web.pages[0]; i++)
        free (s_web.pages[i].data), s_web.pages[i].data = NULL;
}

static int s_signal_pipe[2] = {-1, -1}; //  the signal handler writes here

//  Signal handler: wake the main thread.
static void
s_on_signal (int signal_number)
{
    (void) signal_number;
    int saved = errno;
    if (write (s_signal_pipe[1], "x", 1) < 0) {
        //  A full pipe wakes it already
    }
    errno = saved;
}

//  Wait for end of input, \quit (or \exit, \q) or a signal.
static void
s_wait_for_end (void)
{
    struct sigaction action = {.sa_handler = s_on_signal};
    sigemptyset (&action.sa_mask);
    if (pipe2 (s_signal_pipe, O_NONBLOCK | O_CLOEXEC) == 0) {
        sigaction (SIGINT, &action, NULL);
        sigaction (SIGTERM, &action, NULL);
        sigaction (SIGHUP, &action, NULL);
    }
    char line[256];
    size_t used = 0;
    while (true) {
        struct pollfd items[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                  {.fd = s_signal_pipe[0], .events = POLLIN}};
        if (poll (items, 2, -1) < 0 && errno != EINTR)
            return;
        if (items[1].revents)
            return;
        if (!items[0].revents)
            continue;
        ssize_t size = read (STDIN_FILENO, line + used, sizeof line - 1 - used);
        if (size <= 0)
            return;
        used += (size_t) size;
        line[used] = 0;
        char *end;
        while ((end = strchr (line, '\n'))) {
            *end = 0;
            if (streq (line, "\\quit") || streq (line, "\\exit") || streq (line, "\\q"))
                return;
            if (*line)
                term_notice ("%s", _ ("the web bridge takes no lines: \\quit stops it"));
            used -= (size_t) (end + 1 - line);
            memmove (line, end + 1, used + 1);
        }
        if (used == sizeof line - 1)
            used = 0;
    }
}

//  Wait until every tab's chat has left, WEB_STOP_WAIT_MS at most.
static void
s_wait_for_tabs (void)
{
    int64_t deadline = zclock_mono () + WEB_STOP_WAIT_MS;
    pthread_mutex_lock (&s_web.lock);
    while (s_web.count > 0 && zclock_mono () < deadline)
        s_wait_changed (100);
    pthread_mutex_unlock (&s_web.lock);
}

//  Say where the page is: its address, with the token where one is needed.
static void
s_banner (void)
{
    const options_t *options = s_web.options;
    char url[160];
    if (text_format (url, sizeof url, "http://%s:%d/%s%s", options->web_address, options->web_port,
                     *s_web.token ? "?t=" : "", s_web.token))
        url[0] = 0; //  it fits: an address, a port and a token
    term_notice (_ ("chat %s: the web page is at %s, and each tab that opens it is a member of "
                    "the room"),
                 CHAT_VERSION, url);
    if (*s_web.token)
        term_notice ("%s", _ ("give that address only to those who may join: without its ?t= "
                              "the page answers 403"));
}

int
web_run (const options_t *options)
{
    s_web.options = options;
    signal (SIGPIPE, SIG_IGN); //  a chat or a tab that has gone is an error, not our end
    if (s_find_pages () != 0) {
        term_error (_ ("the web page is missing: neither beside %s nor in %s"), s_web.program,
                    WEBDIR);
        return 1;
    }
    if (!webguard_loopback (options->web_address))
        webguard_token_new (s_web.token);
    char dir[PATH_MAX - 64];
    if (identity_default_dir (dir, sizeof dir) ||
        text_format (s_web.keys, sizeof s_web.keys, "%s/web", dir))
        s_web.keys[0] = 0; //  no home: each tab has a throwaway key
    char listen[WEB_ADDRESS_MAX_BYTES + 8];
    if (text_format (listen, sizeof listen, "%s:%d", options->web_address, options->web_port))
        return 1; //  it fits: options.c checked both
    const char *settings[] = {"listening_ports",
                              listen,
                              "num_threads",
                              WEB_THREADS,
                              "enable_websocket_ping_pong",
                              "yes",
                              "websocket_timeout_ms",
                              "10000",
                              "request_timeout_ms",
                              "10000",
                              NULL};
    struct mg_callbacks callbacks = {.log_message = s_log};
    mg_init_library (0);
    struct mg_context *server = mg_start (&callbacks, NULL, settings);
    if (!server) {
        term_error (_ ("cannot serve the web page on %s"), listen);
        s_free_pages ();
        mg_exit_library ();
        return 1;
    }
    mg_set_auth_handler (server, "**", s_authorize, NULL);
    mg_set_request_handler (server, "**", s_serve, NULL);
    mg_set_websocket_handler (server, "/ws", s_ws_connect, s_ws_ready, s_ws_data, s_ws_close, NULL);
    s_banner ();
    s_wait_for_end ();
    mg_stop (server); //  closes every WebSocket: every tab's chat leaves
    s_wait_for_tabs ();
    mg_exit_library ();
    s_free_pages ();
    return 0;
}
