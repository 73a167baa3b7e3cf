/*  resend.c - a ring of our recent chat lines, by seq (see resend.h).
 */
#include "resend.h"

#include <stdlib.h>
#include <string.h>

//  One line kept: its two frames, back to back in data
typedef struct {
    uint64_t seq;     //  its seq
    size_t line_size; //  frame 1's size
    size_t meta_size; //  frame 2's size
    uint8_t data[];   //  frame 1, then frame 2
} kept_t;

struct _resend_t {
    kept_t *ring[RESEND_LINES_MAX]; //  lines, oldest at head
    size_t head;                    //  index of the oldest
    size_t size;                    //  lines kept
    size_t bytes;                   //  bytes of frames kept
};

resend_t *
resend_new (void)
{
    return calloc (1, sizeof (resend_t));
}

void
resend_destroy (resend_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    resend_t *self = *self_p;
    for (size_t i = 0; i < self->size; i++)
        free (self->ring[(self->head + i) % RESEND_LINES_MAX]);
    free (self);
    *self_p = NULL;
}

//  Drop the oldest line.
static void
s_drop_oldest (resend_t *self)
{
    kept_t *oldest = self->ring[self->head];
    self->bytes -= oldest->line_size + oldest->meta_size;
    free (oldest);
    self->ring[self->head] = NULL;
    self->head = (self->head + 1) % RESEND_LINES_MAX;
    self->size--;
}

int
resend_add (resend_t *self, uint64_t seq, const void *line, size_t line_size, const void *meta,
            size_t meta_size)
{
    if (line_size + meta_size > RESEND_BYTES_MAX)
        return -1;
    kept_t *kept = malloc (sizeof *kept + line_size + meta_size);
    if (!kept)
        return -1;
    kept->seq = seq;
    kept->line_size = line_size;
    kept->meta_size = meta_size;
    memcpy (kept->data, line, line_size);
    memcpy (kept->data + line_size, meta, meta_size);
    while (self->size == RESEND_LINES_MAX ||
           (self->size && self->bytes + line_size + meta_size > RESEND_BYTES_MAX))
        s_drop_oldest (self);
    self->ring[(self->head + self->size) % RESEND_LINES_MAX] = kept;
    self->size++;
    self->bytes += line_size + meta_size;
    return 0;
}

uint64_t
resend_serve (resend_t *self, uint64_t from, resend_fn *resend, void *arg)
{
    uint64_t first = 0;
    //  Seqs grow by one per line, so the line wanted is found by its distance from the oldest
    size_t start = 0;
    if (self->size && from > self->ring[self->head]->seq)
        start = from - self->ring[self->head]->seq < self->size
                    ? (size_t) (from - self->ring[self->head]->seq)
                    : self->size;
    for (size_t i = start; i < self->size; i++) {
        const kept_t *kept = self->ring[(self->head + i) % RESEND_LINES_MAX];
        if (kept->seq < from)
            continue;
        if (!first)
            first = kept->seq;
        if (!resend)
            break;
        resend (kept->data, kept->line_size, kept->data + kept->line_size, kept->meta_size, arg);
    }
    return first;
}
