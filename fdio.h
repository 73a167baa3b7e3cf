/*  fdio.h - a whole buffer through a file descriptor: read(2) and write(2) again after EINTR
    and after a short count, so a key file or a known-peers line is never half read or half
    written by a signal. Any thread.
*/
#ifndef FDIO_H_INCLUDED
#define FDIO_H_INCLUDED

#include <stddef.h>
#include <sys/types.h>

//  Read all of fd into buffer (size bytes), until end of file or the buffer is full. Returns
//  the bytes read, or -1 with errno set.
ssize_t fdio_read_all (int fd, char *buffer, size_t size);

//  Write size bytes of data to fd, all of them. Returns 0, or -1 with errno set.
int fdio_write_all (int fd, const char *data, size_t size);

#endif
