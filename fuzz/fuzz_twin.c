/*  fuzz_twin.c - a received message's signed twin (see fuzz_twin.h).
 */
#include "fuzz_twin.h"
#include "control.h"
#include "signing.h"
#include "wire.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINE_FRAME_MAX_BYTES 0xFFFF // a line in a batch's body: its size takes 2 bytes

static identity_t *s_identity;

const identity_t *
fuzz_twin_identity (void)
{
    if (!s_identity) {
        char error[IDENTITY_ERROR_MAX_BYTES];
        s_identity = identity_open (NULL, "fuzz", true, error, sizeof error);
        FUZZ_CHECK (s_identity != NULL);
    }
    return s_identity;
}

void
fuzz_twin_free (fuzz_twin_t *twin)
{
    for (size_t i = 0; i < twin->count; i++)
        free ((void *) twin->frames[i].data);
    twin->count = 0;
}

//  Append a copy of size bytes of data to twin, in a heap block of exactly that size.
static void
s_add (fuzz_twin_t *twin, const void *data, size_t size)
{
    FUZZ_CHECK (twin->count < FUZZ_TWIN_FRAMES_MAX);
    uint8_t *copy = malloc (size ? size : 1);
    FUZZ_CHECK (copy != NULL);
    if (size)
        memcpy (copy, data, size);
    twin->frames[twin->count++] = (inbox_frame_t){copy, size};
}

//  The metadata frame with our key, session and sender id, in version 2: decoded from frame
//  into meta, written into out. Returns its size, or 0 when frame does not decode.
static size_t
s_meta (const inbox_frame_t *frame, uint8_t out[WIRE_META_MAX_BYTES], wire_meta_t *meta)
{
    if (wire_decode_meta (frame->data, frame->size, meta) != WIRE_OK)
        return 0;
    const identity_t *who = fuzz_twin_identity ();
    meta->version = WIRE_VERSION;
    meta->keyed = true;
    memcpy (meta->sender, identity_sender (who), WIRE_SENDER_BYTES);
    memcpy (meta->public_key, identity_public (who), WIRE_PUBLIC_BYTES);
    memcpy (meta->session, identity_session (who), WIRE_SESSION_BYTES);
    int size = wire_encode_meta (out, WIRE_META_MAX_BYTES, meta);
    FUZZ_CHECK (size > 0 && signing_meta_valid (meta));
    meta->size = (size_t) size;
    return (size_t) size;
}

//  A signed message: the frames of in (count) up to the signature's place, the one at meta_at
//  re-signed, then the signature of them all, which must verify. False when meta_at has no
//  metadata.
static bool
s_signed (fuzz_twin_t *twin, const inbox_frame_t *in, size_t count, size_t meta_at)
{
    uint8_t meta[WIRE_META_MAX_BYTES];
    wire_meta_t decoded;
    size_t meta_size = meta_at < count ? s_meta (&in[meta_at], meta, &decoded) : 0;
    if (meta_size == 0)
        return false;
    //  A last frame of a signature's size is the place of the signature
    size_t end = count;
    if (end > meta_at + 1 && in[end - 1].size == WIRE_SIGNATURE_BYTES)
        end--;
    if (end > FUZZ_TWIN_FRAMES_MAX - 1)
        end = FUZZ_TWIN_FRAMES_MAX - 1;
    for (size_t i = 0; i < end; i++)
        if (i == meta_at)
            s_add (twin, meta, meta_size);
        else
            s_add (twin, in[i].data, in[i].size);
    const void *data[FUZZ_TWIN_FRAMES_MAX];
    size_t sizes[FUZZ_TWIN_FRAMES_MAX];
    for (size_t i = 0; i < twin->count; i++)
        data[i] = twin->frames[i].data, sizes[i] = twin->frames[i].size;
    uint8_t signature[WIRE_SIGNATURE_BYTES];
    signing_sign_frames (fuzz_twin_identity (), data, sizes, twin->count, signature);
    FUZZ_CHECK (
        signing_verify_frames (&decoded, data, sizes, twin->count, signature, sizeof signature));
    s_add (twin, signature, sizeof signature);
    return true;
}

//  Check that line index of a signed batch, passed on alone with its proof, verifies as its
//  author's, with and without cache.
static void
s_check_line (const signing_batch_t *batch, size_t index, const signing_line_t *line,
              signing_cache_t *cache)
{
    uint8_t line_meta[WIRE_LINE_META_MAX_BYTES];
    int size = signing_line_meta (batch, index, line_meta, sizeof line_meta);
    FUZZ_CHECK (size > 0);
    wire_meta_t decoded;
    FUZZ_CHECK (wire_decode_meta (line_meta, (size_t) size, &decoded) == WIRE_OK);
    FUZZ_CHECK (decoded.seq == batch->first_seq + index);
    FUZZ_CHECK (
        signing_line_verify (&decoded, line_meta, (size_t) size, line->data, line->size, NULL));
    FUZZ_CHECK (
        signing_line_verify (&decoded, line_meta, (size_t) size, line->data, line->size, cache));
}

//  A batch: "~lines", meta_frame re-signed, body (count lines, decoded into lines), and the
//  signature of its tree, which must verify, as must its lines passed on alone (the first and
//  the last). False when the lines cannot be signed (none, too many, seqs out of range).
static bool
s_batch (fuzz_twin_t *twin, const inbox_frame_t *meta_frame, const signing_line_t *lines,
         size_t count, const void *body, size_t body_size)
{
    static signing_batch_t batch, received;
    uint8_t meta[WIRE_META_MAX_BYTES];
    wire_meta_t decoded;
    size_t meta_size = s_meta (meta_frame, meta, &decoded);
    if (meta_size == 0 || count < 1 ||
        signing_batch_build (&batch, meta, meta_size, decoded.seq, lines, count) != 0)
        return false;
    signing_batch_sign (&batch, fuzz_twin_identity ());
    FUZZ_CHECK (signing_batch_build (&received, meta, meta_size, decoded.seq, lines, count) == 0);
    FUZZ_CHECK (signing_batch_verify (&received, decoded.public_key, batch.signature,
                                      WIRE_SIGNATURE_BYTES));
    signing_cache_t cache = {0};
    s_check_line (&batch, 0, &lines[0], &cache);
    s_check_line (&batch, count - 1, &lines[count - 1], &cache);
    s_add (twin, CONTROL_LINES, strlen (CONTROL_LINES));
    s_add (twin, meta, meta_size);
    s_add (twin, body, body_size);
    s_add (twin, batch.signature, WIRE_SIGNATURE_BYTES);
    return true;
}

//  A line resent or of history, on a private topic: in[0..2] as they are (the topic, the kind,
//  the line) and in[3] re-signed, with the proof of a batch of that line alone.
static bool
s_private_line (fuzz_twin_t *twin, const inbox_frame_t *in, size_t count)
{
    static signing_batch_t batch;
    uint8_t meta[WIRE_META_MAX_BYTES], line_meta[WIRE_LINE_META_MAX_BYTES];
    wire_meta_t decoded;
    if (count < 4 || in[2].size == 0 || in[2].size > LINE_FRAME_MAX_BYTES)
        return false;
    size_t meta_size = s_meta (&in[3], meta, &decoded);
    signing_line_t line = {in[2].data, in[2].size};
    if (meta_size == 0 || signing_batch_build (&batch, meta, meta_size, decoded.seq, &line, 1))
        return false;
    signing_batch_sign (&batch, fuzz_twin_identity ());
    int size = signing_line_meta (&batch, 0, line_meta, sizeof line_meta);
    FUZZ_CHECK (size > 0);
    signing_cache_t cache = {0};
    s_check_line (&batch, 0, &line, &cache);
    for (size_t i = 0; i < 3; i++)
        s_add (twin, in[i].data, in[i].size);
    s_add (twin, line_meta, (size_t) size);
    return true;
}

//  A message on a private topic (in[0] the inbox's own), by its kind (in[1]).
static bool
s_private (fuzz_twin_t *twin, const inbox_frame_t *in, size_t count)
{
    const inbox_frame_t *kind = &in[1];
    if (kind->size == strlen (CONTROL_KIND_LINE) &&
        memcmp (kind->data, CONTROL_KIND_LINE, kind->size) == 0)
        return s_private_line (twin, in, count);
    if (kind->size == strlen (CONTROL_KIND_HISTORY) &&
        memcmp (kind->data, CONTROL_KIND_HISTORY, kind->size) == 0)
        return s_private_line (twin, in, count);
    if (kind->size == strlen (CONTROL_KIND_MESSAGE) &&
        memcmp (kind->data, CONTROL_KIND_MESSAGE, kind->size) == 0)
        return s_signed (twin, in, count, 3);
    return s_signed (twin, in, count, 2); //  gone, history-end, and kinds we do not know
}

//  A forwarded message ("~via FORWARDER AUTHOR", then the author's message): the twin of the
//  author's message, behind "~via FORWARDER US", so it is ours as the inbox requires.
static bool
s_forwarded (fuzz_twin_t *twin, const inbox_frame_t *frames, size_t count,
             const char *private_topic)
{
    uint8_t forwarder[WIRE_SENDER_BYTES], author[WIRE_SENDER_BYTES];
    fuzz_twin_t inner = {.count = 0};
    if (control_decode_via (frames[0].data, frames[0].size, forwarder, author) != 0 ||
        !fuzz_twin_make (&inner, frames + 1, count - 1, private_topic))
        return false;
    char topic[CONTROL_VIA_BYTES + 1];
    FUZZ_CHECK (control_encode_via (topic, sizeof topic, forwarder,
                                    identity_sender (fuzz_twin_identity ())) == CONTROL_VIA_BYTES);
    s_add (twin, topic, CONTROL_VIA_BYTES);
    for (size_t i = 0; i < inner.count && twin->count < FUZZ_TWIN_FRAMES_MAX; i++)
        s_add (twin, inner.frames[i].data, inner.frames[i].size);
    fuzz_twin_free (&inner);
    return true;
}

bool
fuzz_twin_make (fuzz_twin_t *twin, const inbox_frame_t *frames, size_t count,
                const char *private_topic)
{
    if (count >= 3 && control_is_via (frames[0].data, frames[0].size)) {
        twin->count = 0;
        bool made = s_forwarded (twin, frames, count, private_topic);
        if (!made)
            fuzz_twin_free (twin);
        return made;
    }
    static signing_line_t lines[WIRE_BATCH_LINES_MAX];
    static uint8_t body[2 + LINE_FRAME_MAX_BYTES];
    twin->count = 0;
    if (count < 2)
        return false; //  a twin needs a metadata frame
    inbox_frame_t in[FUZZ_TWIN_FRAMES_MAX];
    size_t n = count < FUZZ_TWIN_FRAMES_MAX ? count : FUZZ_TWIN_FRAMES_MAX;
    memcpy (in, frames, n * sizeof in[0]);
    const inbox_frame_t *first = &in[0];
    bool made;
    if (first->size > 0 && first->data[0] == CONTROL_PRIVATE[0]) {
        in[0] = (inbox_frame_t){(const uint8_t *) private_topic, strlen (private_topic)};
        made = s_private (twin, in, n);
    } else if (first->size == strlen (CONTROL_LINES) &&
               memcmp (first->data, CONTROL_LINES, first->size) == 0) {
        int lines_count =
            n > 2 ? signing_decode_body (in[2].data, in[2].size, lines, WIRE_BATCH_LINES_MAX) : -1;
        made = lines_count > 0 &&
               s_batch (twin, &in[1], lines, (size_t) lines_count, in[2].data, in[2].size);
    } else if (first->size > 0 && first->data[0] == CONTROL_PREFIX[0])
        made = s_signed (twin, in, n, 1);
    else {
        //  A chat line sent as a chat of version 2 sends it: a batch of one
        signing_line_t line = {first->data, first->size};
        int body_size = first->size > 0 && first->size <= LINE_FRAME_MAX_BYTES
                            ? signing_encode_body (body, sizeof body, &line, 1)
                            : -1;
        made = body_size > 0 && s_batch (twin, &in[1], &line, 1, body, (size_t) body_size);
    }
    if (!made)
        fuzz_twin_free (twin);
    return made;
}
