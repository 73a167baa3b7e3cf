/*  resend.h - our recent chat lines, by seq, for peers who lost some (streams.h asks).

    A ring of the last RESEND_LINES_MAX lines we sent, at most RESEND_BYTES_MAX bytes, kept as
    their two frames. Main thread only, like the PUB socket that answers from it.
*/
#ifndef RESEND_H_INCLUDED
#define RESEND_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define RESEND_LINES_MAX 10000             // lines kept for resending at most
#define RESEND_BYTES_MAX (4 * 1024 * 1024) // ... and bytes of frames

typedef struct _resend_t resend_t;

//  Called once per line resent, in seq order, with its two frames as first sent.
typedef void (resend_fn) (const void *line, size_t line_size, const void *meta, size_t meta_size,
                          void *arg);

//  Create an empty ring. Returns NULL if out of memory.
resend_t *resend_new (void);

//  Destroy the ring; sets *self_p to NULL. Safe twice.
void resend_destroy (resend_t **self_p);

//  Keep line seq (seqs grow by one per line) with its two frames; the oldest go when full.
//  Returns 0, or -1 if out of memory (the line is then not kept).
int resend_add (resend_t *self, uint64_t seq, const void *line, size_t line_size, const void *meta,
                size_t meta_size);

//  Resend the lines from seq from on, through resend (NULL: none, just look). Returns the first
//  seq still held (lines between from and it are gone), or 0 when no line from from on is held.
uint64_t resend_serve (resend_t *self, uint64_t from, resend_fn *resend, void *arg);

#endif
