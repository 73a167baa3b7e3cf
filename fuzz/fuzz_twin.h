/*  fuzz_twin.h - a received message's signed twin: the message a chat of protocol version 2
    would have sent with the same content, signed by the fuzzer's own identity.

    Since version 2 nearly everything a peer sends counts only once its signature verifies,
    and a fuzzer cannot forge one: without twins, presence, repair, history, private messages
    and batches of lines would lie out of its reach. A twin keeps the input's frames and
    fields (nick, seq, time, text) and puts our key, session and sender id into its metadata:
    - a batch ("~lines", metadata, body, ...): the body's lines signed as a batch;
    - a chat line ("kanal> text" with a metadata frame): sent as a batch of that one line;
    - control traffic ("~beat", "~bye", ...): signed as a message whose last frame is the
      signature (the input's last frame is replaced when it is of a signature's size);
    - on a private topic (retopicked to the inbox's own): a resent line or history with the
      proof of a batch of that line, the gone and history-end news and \msg signed as messages.
    What it signs is checked to verify (it traps if not, see fuzz_check.h).
*/
#ifndef FUZZ_TWIN_H_INCLUDED
#define FUZZ_TWIN_H_INCLUDED

#include "identity.h"
#include "inbox.h"

#include <stdbool.h>
#include <stddef.h>

#define FUZZ_TWIN_FRAMES_MAX INBOX_FRAMES_MAX // frames of a twin at most

//  A twin's frames, each in a heap block of exactly its size (owned)
typedef struct {
    inbox_frame_t frames[FUZZ_TWIN_FRAMES_MAX]; //  the frames
    size_t count;                               //  how many
} fuzz_twin_t;

//  The identity that signs the twins: a throwaway one, made on the first call, for the run.
const identity_t *fuzz_twin_identity (void);

//  Make the twin of a message of count frames; private_topic is the inbox's own ("!" + its
//  id). Returns true with twin filled (free it with fuzz_twin_free), or false when the message
//  has none (its metadata frame is missing or does not decode, its lines cannot be signed).
bool fuzz_twin_make (fuzz_twin_t *twin, const inbox_frame_t *frames, size_t count,
                     const char *private_topic);

//  Free the twin's frames. Safe on a twin emptied already.
void fuzz_twin_free (fuzz_twin_t *twin);

#endif
