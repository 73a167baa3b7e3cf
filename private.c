/*  private.c - \msg: a private message to one member, and its receipt (see private.h).
 */
#include "private.h"
#include "control.h"
#include "i18n.h"
#include "term.h"
#include "view.h"

#include <czmq.h>
#include <sodium.h>

//  A private message waiting for its receipt
typedef struct {
    uint64_t number;                        //  its number (0: slot free)
    uint8_t to[WIRE_SENDER_BYTES];          //  the recipient's id
    uint8_t box[crypto_box_PUBLICKEYBYTES]; //  ... and its key for crypto_box
    uint8_t key[WIRE_PUBLIC_BYTES];         //  ... and its own, that signs its receipt
    char name[NAME_MAX_BYTES + 8];          //  ... and name, for the notices
    char text[TEXT_MAX_BYTES + 1];          //  the text, to send it once more
    int64_t sent_ms;                        //  when it was first sent
    bool resent;                            //  sent a second time already
} waiting_t;

struct _private_t {
    publisher_t *publisher;                 //  where messages go out (not owned)
    waiting_t waiting[PRIVATE_WAITING_MAX]; //  messages awaiting a receipt
    uint64_t number;                        //  number of the last message sent
};

//  One private message shown already
typedef struct {
    uint8_t sender[WIRE_SENDER_BYTES]; //  its sender
    uint64_t number;                   //  its number (0: slot free)
} seen_t;

struct _private_inbox_t {
    void *sub;                     //  the SUB socket, for receipts (not owned)
    const identity_t *identity;    //  ours, to open what is sealed to us (not owned)
    room_t *room;                  //  the members, for names (not owned)
    seen_t seen[PRIVATE_SEEN_MAX]; //  messages shown, so a resent one shows once
    size_t seen_next;              //  where the next one is remembered
};

private_t *
private_new (publisher_t *publisher)
{
    private_t *self = calloc (1, sizeof *self);
    if (self)
        self->publisher = publisher;
    return self;
}

void
private_destroy (private_t **self_p)
{
    if (self_p)
        freen (*self_p);
}

//  Send message (its frames: the recipient's private topic, its kind, the text, our metadata
//  with the message's number). Returns 0, or -1 if not sent.
static int
s_send (private_t *self, const waiting_t *message)
{
    uint8_t meta[WIRE_META_MAX_BYTES], secret[crypto_box_SECRETKEYBYTES];
    uint8_t sealed[PRIVATE_SEALED_MAX_BYTES];
    int meta_size = publisher_meta (self->publisher, message->number, meta, sizeof meta);
    size_t text_size = strlen (message->text);
    if (meta_size < 0 || identity_box_secret (publisher_identity (self->publisher), secret))
        return -1;
    //  A new nonce every time, the resent copy too
    randombytes_buf (sealed, crypto_box_NONCEBYTES);
    int status = crypto_box_easy (sealed + crypto_box_NONCEBYTES, (const uint8_t *) message->text,
                                  text_size, sealed, message->box, secret);
    sodium_memzero (secret, sizeof secret);
    if (status != 0)
        return -1;
    return publisher_send_private (self->publisher, message->to, CONTROL_KIND_MESSAGE, sealed,
                                   crypto_box_NONCEBYTES + crypto_box_MACBYTES + text_size, meta,
                                   (size_t) meta_size, false, true);
}

//  Add a private message we sent to the transcript: what the user typed, as the recipient
//  sees it, and to whom ("12:03 (private -> bertil) <anna> hej"). In JSON mode, show it as
//  an object of our own instead ("channel":null,"to":"bertil"), which the transcript gets.
static void
s_log (private_t *self, const waiting_t *message)
{
    char line[LINE_MAX_BYTES];
    bool json = term_json_on ();
    view_line_t view = {.when = time (NULL),
                        .to = message->name,
                        .sender = publisher_nick (self->publisher),
                        .text = message->text,
                        .text_size = strlen (message->text),
                        .own = json,
                        .json = json};
    view_format (line, sizeof line, &view);
    if (json)
        term_line (line);
    else
        term_log (line);
}

int
private_send (private_t *self, const uint8_t to[WIRE_SENDER_BYTES],
              const uint8_t to_key[WIRE_PUBLIC_BYTES], const char *name, const char *text,
              int64_t now_ms)
{
    waiting_t *message = NULL;
    for (size_t i = 0; i < PRIVATE_WAITING_MAX && !message; i++)
        if (self->waiting[i].number == 0)
            message = &self->waiting[i];
    size_t text_size = strlen (text), name_size = strlen (name);
    if (!message) {
        term_error (_ ("too many private messages are waiting for a receipt: not sent"));
        return -1;
    }
    if (text_size >= sizeof message->text || name_size >= sizeof message->name)
        return -1; //  the caller checked both
    *message = (waiting_t){.number = ++self->number, .sent_ms = now_ms};
    memcpy (message->to, to, WIRE_SENDER_BYTES);
    memcpy (message->key, to_key, WIRE_PUBLIC_BYTES);
    if (identity_box_public (to_key, message->box)) {
        message->number = 0;
        term_error (_ ("%s has no key a message can be sealed to: not sent"), name);
        return -1;
    }
    memcpy (message->name, name, name_size + 1);
    memcpy (message->text, text, text_size + 1);
    if (s_send (self, message)) {
        message->number = 0;
        term_error (_ ("could not send: %s"), zmq_strerror (zmq_errno ()));
        return -1;
    }
    if (term_log_on () || term_json_on ())
        s_log (self, message);
    return 0;
}

//  True when receipt is signed by the recipient of message, whose key it was sealed to.
static bool
s_receipt_valid (const waiting_t *message, const control_request_t *receipt)
{
    uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES];
    if (!receipt->signed_receipt ||
        memcmp (receipt->requester, message->to, WIRE_SENDER_BYTES) != 0)
        return false;
    control_receipt_statement (receipt, statement);
    return identity_verify (message->key, statement, sizeof statement, receipt->signature);
}

void
private_delivered (private_t *self, const control_request_t *receipt)
{
    uint64_t number = receipt->number;
    for (size_t i = 0; i < PRIVATE_WAITING_MAX; i++)
        if (number && self->waiting[i].number == number &&
            s_receipt_valid (&self->waiting[i], receipt)) {
            term_notice (_ ("\xE2\x9C\x93 delivered to %s"), self->waiting[i].name);
            self->waiting[i].number = 0;
        }
}

bool
private_check (private_t *self, int64_t now_ms)
{
    bool waiting = false;
    for (size_t i = 0; i < PRIVATE_WAITING_MAX; i++) {
        waiting_t *message = &self->waiting[i];
        if (message->number == 0)
            continue;
        if (now_ms - message->sent_ms >= PRIVATE_WAIT_MS) {
            term_error (_ ("your message to %s was not delivered (no receipt within %d s)"),
                        message->name, PRIVATE_WAIT_MS / 1000);
            message->number = 0;
            continue;
        }
        if (!message->resent && now_ms - message->sent_ms >= PRIVATE_RESEND_MS) {
            message->resent = true;
            s_send (self, message);
        }
        waiting = true;
    }
    return waiting;
}

private_inbox_t *
private_inbox_new (void *sub, room_t *room)
{
    private_inbox_t *self = calloc (1, sizeof *self);
    if (self) {
        self->sub = sub;
        self->room = room;
    }
    return self;
}

void
private_inbox_destroy (private_inbox_t **self_p)
{
    if (self_p)
        freen (*self_p);
}

//  True the first time private message number from sender is seen.
static bool
s_first_time (private_inbox_t *self, const uint8_t sender[WIRE_SENDER_BYTES], uint64_t number)
{
    for (size_t i = 0; i < PRIVATE_SEEN_MAX; i++)
        if (self->seen[i].number == number &&
            memcmp (self->seen[i].sender, sender, WIRE_SENDER_BYTES) == 0)
            return false;
    seen_t *slot = &self->seen[self->seen_next];
    memcpy (slot->sender, sender, WIRE_SENDER_BYTES);
    slot->number = number;
    self->seen_next = (self->seen_next + 1) % PRIVATE_SEEN_MAX;
    return true;
}

void
private_inbox_set_identity (private_inbox_t *self, const identity_t *identity)
{
    self->identity = identity;
}

//  Open a message sealed (sealed_size bytes: nonce, then crypto_box) by the sender of meta to
//  us, into text (TEXT_MAX_BYTES + 1). Returns its size, or -1 if it does not open.
static int
s_open (private_inbox_t *self, const uint8_t *sealed, size_t sealed_size, const wire_meta_t *meta,
        uint8_t *text)
{
    uint8_t secret[crypto_box_SECRETKEYBYTES], box[crypto_box_PUBLICKEYBYTES];
    size_t overhead = crypto_box_NONCEBYTES + crypto_box_MACBYTES;
    if (!self->identity || !meta->keyed || sealed_size <= overhead ||
        sealed_size - overhead > TEXT_MAX_BYTES || identity_box_public (meta->public_key, box) ||
        identity_box_secret (self->identity, secret))
        return -1;
    int status = crypto_box_open_easy (text, sealed + crypto_box_NONCEBYTES,
                                       sealed_size - crypto_box_NONCEBYTES, sealed, box, secret);
    sodium_memzero (secret, sizeof secret);
    return status == 0 ? (int) (sealed_size - overhead) : -1;
}

int
private_inbox_receive (private_inbox_t *self, const void *sealed, size_t sealed_size,
                       const void *meta_frame, size_t meta_size)
{
    wire_meta_t meta;
    uint8_t text[TEXT_MAX_BYTES + 1];
    if (!sealed || !meta_frame || wire_decode_meta (meta_frame, meta_size, &meta) || meta.seq == 0)
        return -1;
    int opened = s_open (self, sealed, sealed_size, &meta, text);
    if (opened <= 0)
        return -1;
    size_t text_size = (size_t) opened;
    control_request_t ack = {.kind = CONTROL_REQUEST_ACK, .number = meta.seq};
    memcpy (ack.target, meta.sender, WIRE_SENDER_BYTES);
    //  Signed: only we can say we got it
    uint8_t statement[CONTROL_RECEIPT_STATEMENT_BYTES];
    memcpy (ack.requester, identity_sender (self->identity), WIRE_SENDER_BYTES);
    control_receipt_statement (&ack, statement);
    identity_sign (self->identity, statement, sizeof statement, ack.signature);
    ack.signed_receipt = true;
    control_ask (self->sub, &ack); //  every time: the first receipt may have been lost
    if (!s_first_time (self, meta.sender, meta.seq))
        return 0;
    char name[NAME_MAX_BYTES + 8], line[LINE_MAX_BYTES];
    room_line (self->room, meta.sender, meta.nick, name, sizeof name);
    view_line_t view = {.when = time (NULL),
                        .sender = name,
                        .text = (const char *) text,
                        .text_size = text_size,
                        .color = term_color_on (),
                        .json = term_json_on ()};
    view_format (line, sizeof line, &view);
    term_line (line);
    return 0;
}
