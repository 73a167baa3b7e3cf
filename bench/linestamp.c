/*  linestamp.c - the receiving end of the relay latency benchmark: stamps every line of stdin.

    Usage:  linestamp < chat's stdout > FILE

    Each complete line leaves as "NS LINE", NS the CLOCK_MONOTONIC nanoseconds just after the
    read(2) that brought its last byte. Network namespaces share CLOCK_MONOTONIC, so a sender
    that puts its own CLOCK_MONOTONIC time in the line gives the one-way latency. The lines of
    one read leave in one write(2): no buffering delay, two system calls per read. Written in C
    so that the stamp is taken as soon as the line is there. Ends at end of input.
*/
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_BYTES 65536 // a longer line is cut where the buffer ends
#define STAMP_BYTES 24     // "18446744073709551615 " and room to spare

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
    static char input[BUFFER_BYTES], output[2 * BUFFER_BYTES + STAMP_BYTES];
    size_t used = 0;
    while (true) {
        ssize_t got = read (STDIN_FILENO, input + used, sizeof input - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        struct timespec now;
        clock_gettime (CLOCK_MONOTONIC, &now);
        char stamp[STAMP_BYTES];
        int stamp_len = snprintf (stamp, sizeof stamp, "%lld ",
                                  (long long) now.tv_sec * 1000000000LL + now.tv_nsec);
        if (stamp_len < 0 || (size_t) stamp_len >= sizeof stamp)
            return 1;
        used += (size_t) got;
        size_t start = 0, out = 0;
        for (size_t i = 0; i <= used; i++) {
            bool cut = i == used && start == 0 && used == sizeof input; // no newline in it
            if (i == used ? !cut : input[i] != '\n')
                continue;
            size_t line = i - start;
            if (out + (size_t) stamp_len + line + 1 > sizeof output) {
                if (s_write_all (STDOUT_FILENO, output, out) != 0)
                    return 1;
                out = 0;
            }
            memcpy (output + out, stamp, (size_t) stamp_len), out += (size_t) stamp_len;
            memcpy (output + out, input + start, line), out += line;
            output[out++] = '\n';
            start = i == used ? used : i + 1;
        }
        if (out > 0 && s_write_all (STDOUT_FILENO, output, out) != 0)
            return 1;
        memmove (input, input + start, used - start);
        used -= start;
    }
}
