/*  linertt.c - times round trips of lines through whatever is wired to its stdout and stdin.

    Usage:  linertt COUNT FILE

    Writes "ping 000042 xxx..." (~90 bytes and a newline) to stdout, waits until a line that
    holds "ping 000042 " comes back on stdin, and writes the round trip in nanoseconds to FILE,
    one per line ("lost" if it is not back within LOST_MS); COUNT times, one line in flight.
    The benchmark wires stdout to chat A's stdin and A's stdout back to stdin, so a round trip
    is A -> B -> lineecho -> B -> A, and does the same with raw line pipes for comparison.
    Lines that do not match the ping awaited (a late echo, a notice) are skipped.
*/
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_BYTES 90      // size of one ping without its newline
#define BUFFER_BYTES 65536 // input buffer; a longer line is dropped
#define LOST_MS 2000       // a ping not back within this is counted as lost
#define COUNT_MAX 10000000 // round trips at most

//  Monotonic clock in nanoseconds.
static long long
s_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

//  Write all of size bytes to fd. Returns 0, or -1 on error.
static int
s_write_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t written = write (fd, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        data += written, size -= (size_t) written;
    }
    return 0;
}

//  Input buffered from stdin: bytes [0, used) are read and not yet consumed.
static char s_input[BUFFER_BYTES];
static size_t s_used;

//  Wait until a complete line holding want arrives on stdin, or the deadline passes.
//  Returns 0 when it came, -1 on timeout, end of input or error.
static int
s_await_line (const char *want, long long deadline_ns)
{
    while (true) {
        //  Consume the complete lines in the buffer
        char *start = s_input, *end = s_input + s_used, *newline;
        bool found = false;
        while (!found && (newline = memchr (start, '\n', (size_t) (end - start)))) {
            *newline = 0;
            found = strstr (start, want) != NULL;
            start = newline + 1;
        }
        s_used = (size_t) (end - start);
        memmove (s_input, start, s_used);
        if (s_used == sizeof s_input)
            s_used = 0; //  a line longer than the buffer: drop it
        if (found)
            return 0;
        long long left_ms = (deadline_ns - s_now_ns ()) / 1000000LL;
        if (left_ms < 0)
            return -1;
        struct pollfd item = {.fd = STDIN_FILENO, .events = POLLIN};
        int ready = poll (&item, 1, (int) left_ms);
        if (ready < 0 && errno != EINTR)
            return -1;
        if (ready <= 0)
            continue;
        ssize_t got = read (STDIN_FILENO, s_input + s_used, sizeof s_input - s_used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        s_used += (size_t) got;
    }
}

int
main (int argc, char **argv)
{
    char *end;
    long count = argc == 3 ? strtol (argv[1], &end, 10) : 0;
    if (argc != 3 || *end || count < 1 || count > COUNT_MAX)
        errx (2, "usage: linertt COUNT FILE");
    FILE *out = fopen (argv[2], "w");
    if (!out)
        err (1, "%s", argv[2]);
    char line[LINE_BYTES + 2], want[32];
    for (long i = 0; i < count; i++) {
        int head = snprintf (line, sizeof line, "ping %06ld ", i);
        memset (line + head, 'x', LINE_BYTES - (size_t) head);
        line[LINE_BYTES] = '\n';
        snprintf (want, sizeof want, "ping %06ld ", i);
        long long start = s_now_ns ();
        if (s_write_all (STDOUT_FILENO, line, LINE_BYTES + 1) != 0)
            errx (1, "the pipe to the peer broke at round trip %ld", i);
        if (s_await_line (want, start + LOST_MS * 1000000LL) == 0)
            fprintf (out, "%lld\n", s_now_ns () - start);
        else
            fprintf (out, "lost\n");
    }
    return fclose (out) == 0 ? 0 : 1;
}
