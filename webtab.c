/*  webtab.c - one browser tab's member: a child process and its pipes (see webtab.h).
 */
#define _GNU_SOURCE // posix_spawn_file_actions_addclosefrom_np
#include "webtab.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

//  One output stream of the child and the line it is reading
typedef struct {
    int fd;                               //  our end of the pipe, or -1 once closed
    char line[WEBTAB_LINE_MAX_BYTES + 1]; //  the line read so far
    size_t size;                          //  its size
    bool cut;                             //  it was too long: the rest up to \n is dropped
} s_stream_t;

struct webtab_t {
    pid_t pid;         //  the child
    bool reaped;       //  waitpid has returned it
    int input;         //  our end of its stdin, or -1 once closed
    s_stream_t out[2]; //  its stdout and stderr
};

//  Close fd if open and mark it closed.
static void
s_close (int *fd)
{
    if (*fd >= 0)
        close (*fd);
    *fd = -1;
}

//  Spawn argv with its stdin, stdout and stderr on the pipes' child ends (pipes[0] read end
//  of stdin, pipes[3] and pipes[5] write ends of stdout and stderr). Returns 0, or an errno.
static int
s_spawn (pid_t *pid, char *const argv[], char *const envp[], const int pipes[6])
{
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init (&actions);
    if (rc)
        return rc;
    rc = posix_spawn_file_actions_adddup2 (&actions, pipes[0], STDIN_FILENO);
    rc = rc ? rc : posix_spawn_file_actions_adddup2 (&actions, pipes[3], STDOUT_FILENO);
    rc = rc ? rc : posix_spawn_file_actions_adddup2 (&actions, pipes[5], STDERR_FILENO);
    //  Nothing else of ours (the web server's sockets, other tabs' pipes) reaches the child
    rc = rc ? rc : posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
    //  The child takes SIGINT/SIGTERM as any chat: ours are not passed on
    posix_spawnattr_t attributes;
    sigset_t none, defaults;
    sigemptyset (&none);
    sigemptyset (&defaults);
    sigaddset (&defaults, SIGPIPE);
    rc = rc ? rc : posix_spawnattr_init (&attributes);
    if (!rc) {
        posix_spawnattr_setsigmask (&attributes, &none);
        posix_spawnattr_setsigdefault (&attributes, &defaults);
        posix_spawnattr_setflags (&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        rc = posix_spawn (pid, argv[0], &actions, &attributes, argv, envp);
        posix_spawnattr_destroy (&attributes);
    }
    posix_spawn_file_actions_destroy (&actions);
    return rc;
}

webtab_t *
webtab_start (char *const argv[], char *const envp[])
{
    int pipes[6] = {-1, -1, -1, -1, -1, -1};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++)
        rc = pipe2 (pipes + 2 * i, O_CLOEXEC) ? errno : 0;
    webtab_t *self = rc ? NULL : calloc (1, sizeof *self);
    rc = rc ? rc : self ? 0 : ENOMEM;
    if (!rc)
        rc = s_spawn (&self->pid, argv, envp, pipes);
    //  The child's ends are the child's now
    s_close (&pipes[0]), s_close (&pipes[3]), s_close (&pipes[5]);
    if (rc) {
        s_close (&pipes[1]), s_close (&pipes[2]), s_close (&pipes[4]);
        free (self);
        errno = rc;
        return NULL;
    }
    self->input = pipes[1];
    self->out[0].fd = pipes[2];
    self->out[1].fd = pipes[4];
    fcntl (self->input, F_SETFL, O_NONBLOCK);
    fcntl (self->out[0].fd, F_SETFL, O_NONBLOCK);
    fcntl (self->out[1].fd, F_SETFL, O_NONBLOCK);
    return self;
}

void
webtab_destroy (webtab_t **self_p)
{
    webtab_t *self = *self_p;
    if (!self)
        return;
    s_close (&self->input);
    if (!webtab_reaped (self)) {
        kill (self->pid, SIGKILL);
        while (waitpid (self->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    s_close (&self->out[0].fd);
    s_close (&self->out[1].fd);
    free (self);
    *self_p = NULL;
}

int
webtab_write_line (webtab_t *self, const char *line, size_t size)
{
    if (self->input < 0 || size >= WEBTAB_LINE_MAX_BYTES)
        return -1;
    char buffer[WEBTAB_LINE_MAX_BYTES + 1];
    memcpy (buffer, line, size);
    buffer[size] = '\n';
    //  A pipe takes up to PIPE_BUF bytes whole or not at all; a longer line may go in parts,
    //  the rest after a wait for room
    size_t done = 0;
    while (done < size + 1) {
        ssize_t written = write (self->input, buffer + done, size + 1 - done);
        if (written > 0) {
            done += (size_t) written;
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && errno == EAGAIN && done > 0) {
            struct pollfd item = {.fd = self->input, .events = POLLOUT};
            if (poll (&item, 1, 1000) == 1)
                continue;
        }
        return -1;
    }
    return 0;
}

void
webtab_close_input (webtab_t *self)
{
    s_close (&self->input);
}

//  Hand each whole line in stream's buffer to on_line; keep a partial one.
static void
s_lines (s_stream_t *stream, const char *data, size_t size, bool from_stdout,
         webtab_line_fn *on_line, void *arg)
{
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') {
            stream->line[stream->size] = 0;
            on_line (stream->line, stream->size, from_stdout, stream->cut, arg);
            stream->size = 0;
            stream->cut = false;
        } else if (stream->size < WEBTAB_LINE_MAX_BYTES)
            stream->line[stream->size++] = data[i];
        else
            stream->cut = true;
    }
}

int
webtab_read (webtab_t *self, int timeout_ms, webtab_line_fn *on_line, void *arg)
{
    struct pollfd items[2];
    for (int i = 0; i < 2; i++)
        items[i] = (struct pollfd){.fd = self->out[i].fd, .events = POLLIN};
    if (self->out[0].fd < 0 && self->out[1].fd < 0)
        return -1;
    if (poll (items, 2, timeout_ms) <= 0)
        return 0;
    for (int i = 0; i < 2; i++) {
        if (!(items[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char data[4096];
        ssize_t size = read (self->out[i].fd, data, sizeof data);
        if (size > 0)
            s_lines (&self->out[i], data, (size_t) size, i == 0, on_line, arg);
        else if (size == 0 || (errno != EAGAIN && errno != EINTR)) {
            if (self->out[i].size > 0) //  a last line without its newline
                s_lines (&self->out[i], "\n", 1, i == 0, on_line, arg);
            s_close (&self->out[i].fd);
        }
    }
    return self->out[0].fd < 0 && self->out[1].fd < 0 ? -1 : 0;
}

void
webtab_signal (webtab_t *self, int signal_number)
{
    if (!webtab_reaped (self))
        kill (self->pid, signal_number);
}

bool
webtab_reaped (webtab_t *self)
{
    if (!self->reaped && waitpid (self->pid, NULL, WNOHANG) == self->pid)
        self->reaped = true;
    return self->reaped;
}

int
webtab_pid (const webtab_t *self)
{
    return (int) self->pid;
}
