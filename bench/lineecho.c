/*  lineecho.c - the echo for the latency benchmark: copies stdin lines to stdout, at once.

    Usage:  lineecho

    Wired between chat B's stdout and B's stdin, it turns "HH:MM [buddy] <a> text" back into
    "text": everything up to and including the first "> " is dropped (a line without "> " is
    copied whole, as from a raw line pipe). All the complete lines of one read(2) leave in one
    write(2), so the echo costs two system calls per line and no buffering delay. Written in C
    so that the echo is not what the round trip measures. Ends at end of input.
*/
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_BYTES 65536 // a longer line is cut where the buffer ends

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

int
main (void)
{
    static char input[BUFFER_BYTES], output[BUFFER_BYTES];
    size_t used = 0;
    while (true) {
        ssize_t got = read (STDIN_FILENO, input + used, sizeof input - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        used += (size_t) got;
        size_t out = 0;
        char *start = input, *end = input + used, *newline;
        while ((newline = memchr (start, '\n', (size_t) (end - start)))) {
            char *text = start;
            for (char *c = start; c + 1 < newline; c++)
                if (c[0] == '>' && c[1] == ' ') {
                    text = c + 2;
                    break;
                }
            size_t size = (size_t) (newline + 1 - text);
            memcpy (output + out, text, size);
            out += size;
            start = newline + 1;
        }
        used = (size_t) (end - start);
        memmove (input, start, used);
        if (used == sizeof input) {
            //  No newline in a full buffer: pass it on as it is
            memcpy (output, input, used);
            out = used, used = 0;
        }
        if (out > 0 && s_write_all (STDOUT_FILENO, output, out) != 0)
            return 1;
    }
}
