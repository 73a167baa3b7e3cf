/*  private.h - \msg: a private message to one member, and its receipt.

    A private message travels on the recipient's private topic ("!" + its id), which only it
    subscribes to, with a number of its sender's. The recipient acknowledges every copy with
    a "~ack" request (its receipt) and shows the first. A message without a receipt is sent
    once more after PRIVATE_RESEND_MS and given up after PRIVATE_WAIT_MS, with one line.

    private_t is the sending side (main thread, with the publisher); private_inbox_t the
    receiving side (subscriber thread, with the SUB socket).
*/
#ifndef PRIVATE_H_INCLUDED
#define PRIVATE_H_INCLUDED

#include "identity.h"
#include "limits.h"
#include "publisher.h"
#include "room.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRIVATE_WAITING_MAX 64 // private messages awaiting a receipt at most
#define PRIVATE_RESEND_MS 2000 // a private message without a receipt is sent once more after this
#define PRIVATE_WAIT_MS 5000   // ... and given up after this
#define PRIVATE_SEEN_MAX 64    // private messages remembered, so a resent one shows once
#define PRIVATE_SEALED_MAX_BYTES (24 + 16 + TEXT_MAX_BYTES) // nonce, MAC and the text

typedef struct _private_t private_t;

//  Create the sending side, on publisher (not owned). Returns NULL if out of memory.
private_t *private_new (publisher_t *publisher);

//  Destroy it; sets *self_p to NULL. Safe twice.
void private_destroy (private_t **self_p);

//  Send text (valid UTF-8, at most TEXT_MAX_BYTES: the caller checks, and tells the user) to
//  the member with id to, shown as name (a display name, room.h), at now_ms, and wait for its
//  receipt. Returns 0; or -1 after one error line when it cannot be sent, and -1 at once for a
//  text or name over its limit.
int private_send (private_t *self, const uint8_t to[WIRE_SENDER_BYTES],
                  const uint8_t to_key[WIRE_PUBLIC_BYTES], const char *name, const char *text,
                  int64_t now_ms);

//  A receipt (a "~ack" request) came: if it is signed by the recipient of the message with its
//  number, tell the user, once; any other is ignored.
void private_delivered (private_t *self, const control_request_t *receipt);

//  At now_ms: send once more what has waited PRIVATE_RESEND_MS, give up (one line) what has
//  waited PRIVATE_WAIT_MS. Returns true while some message still waits.
bool private_check (private_t *self, int64_t now_ms);

typedef struct _private_inbox_t private_inbox_t;

//  Create the receiving side: sub is the SUB socket receipts go out on, room names senders
//  (neither owned). Returns NULL if out of memory.
private_inbox_t *private_inbox_new (void *sub, room_t *room);

//  Destroy it; sets *self_p to NULL. Safe twice.
void private_inbox_destroy (private_inbox_t **self_p);

//  Open the messages sealed to identity (not owned; until then none opens).
void private_inbox_set_identity (private_inbox_t *self, const identity_t *identity);

//  A private message to us, its signature checked: the sealed text (a nonce and crypto_box of
//  the text, from the sender's key to ours) and the metadata frame as received. Sends its
//  receipt (every time: the first may have been lost), and shows it the first time. Returns
//  0, or -1 if it is malformed or does not open (the caller says so).
int private_inbox_receive (private_inbox_t *self, const void *sealed, size_t sealed_size,
                           const void *meta, size_t meta_size);

#endif
