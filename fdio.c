/*  fdio.c - a whole buffer through a file descriptor (see fdio.h).
 */
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

ssize_t
fdio_read_all (int fd, char *buffer, size_t size)
{
    size_t used = 0;
    while (used < size) {
        ssize_t got = read (fd, buffer + used, size - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        used += (size_t) got;
    }
    return (ssize_t) used;
}

int
fdio_write_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t put = write (fd, data, size);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        data += put, size -= (size_t) put;
    }
    return 0;
}
