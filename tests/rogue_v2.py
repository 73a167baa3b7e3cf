#!/usr/bin/python3
"""A rogue peer of protocol version 2, for tests/e2e/signatures.sh and vanish.sh.

Usage: rogue_v2.py PORT --victim VPORT [--nick NICK] [--host IP] [--victim-host IP]
                    [--every MS]

Binds an XPUB on IP:PORT (127.0.0.1) and subscribes to the signed batches ("~lines") of the
chat at IP:VPORT (--victim-host, 127.0.0.1), the victim. From those it learns the victim's
sender id, nick, key, session, its last seq, and each line with its signature; it checks every
batch with its own copy of the hash tree (PROTOKOLL.md, signing.h), so a rogue that got the
format wrong says so instead of making the test pass for the wrong reason. It has a key of its
own (a random seed), and signs with it whatever it forges. tests/e2e/vanish.sh uses it as an
honest member of a big room (--every) on a host of its own.

Commands, one a line on stdin; each prints one line on stdout when done:
  forge-lines TEXT  a batch "buddy> TEXT" with the victim's id and next seq, twice: with our key
                    in the metadata, and with the victim's key and session copied; both signed
                    with our key
  forge-v1 TEXT     a version 1 two-frame line "buddy> TEXT" with the victim's id, nick, next seq
  replay            the victim's first batch again, exactly as she sent it
  forge-msg TEXT    a private message TEXT to each chat listening to us, from the victim's id,
                    signed with our key (our key, then hers in the metadata)
  forge-beat        a heartbeat for one new listener ("beat", PROTOKOLL.md 21.6) to each chat
                    listening to us, from the victim's id and named "mallory", signed with our
                    key (our key, then hers in the metadata)
  forge-bye         four goodbyes with the victim's id: signed with our key (our key, then hers
                    in the metadata), unsigned with version 2 metadata, unsigned with version 1
  say TEXT          a plain one-frame line "buddy> TEXT" (shown by address: a marker that all
                    sent before it has been read)
  beat              from now on a signed heartbeat of our own every second (we become a member);
                    with --every MS, every MS milliseconds, and the heartbeat says so ("every
                    MS", PROTOKOLL.md 21): a member of a big room
  serve-history SEQ from now on answer "~history" requests addressed to us with the victim's
                    lines, her signatures passed on, but line SEQ with one byte changed

Also printed: "ready", "listener PORT" for each chat that subscribes "~listen PORT",
"greeted by NICK: signed, lists N" for the victim's first heartbeat, which it sends to us alone
(we subscribe "~hello ID", PROTOKOLL.md 21.6) and which we check ("greeted ... unverified"
otherwise),
"learned NICK seq N count C key FINGERPRINT" for each batch of the victim's that verifies
("unverified ..." otherwise), "history to ID: N lines" for each answer. Bounded: exits at the
end of its input, or after 120 s in all.
"""
import argparse
import ctypes
import ctypes.util
import os
import struct
import sys
import time
import zmq

LIFETIME_S = 120
BEAT_S = 1.0

sodium = ctypes.CDLL(ctypes.util.find_library("sodium"))  # libsodium23
if sodium.sodium_init() < 0:
    sys.exit("libsodium does not start")


def blake2b(data, size=32):
    """BLAKE2b with size bytes of output, no key (crypto_generichash)."""
    out = ctypes.create_string_buffer(size)
    sodium.crypto_generichash(out, ctypes.c_size_t(size), data, ctypes.c_ulonglong(len(data)),
                              None, ctypes.c_size_t(0))
    return out.raw


def keypair(seed):
    """An Ed25519 key pair (public 32 bytes, secret 64) from a 32-byte seed."""
    public, secret = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    sodium.crypto_sign_seed_keypair(public, secret, seed)
    return public.raw, secret.raw


def sign(secret, message):
    signature = ctypes.create_string_buffer(64)
    sodium.crypto_sign_detached(signature, None, message, ctypes.c_ulonglong(len(message)),
                                secret)
    return signature.raw


def verify(public, message, signature):
    return sodium.crypto_sign_verify_detached(signature, message,
                                              ctypes.c_ulonglong(len(message)), public) == 0


LINES_CONTEXT = b"chatt lines 2".ljust(16, b"\0")
FRAMES_CONTEXT = b"chatt frames 2".ljust(16, b"\0")


def fingerprint(public):
    """As chat shows a key: BLAKE2b-128 of it, 8 groups of 4 hex digits."""
    digits = blake2b(public, 16).hex()
    return " ".join(digits[i:i + 4] for i in range(0, 32, 4))


def encode_meta(version, sender, seq, nick, public=b"", session=b""):
    """Frame 2: version, sender id, seq, time, nick; from version 2 the key and session."""
    meta = struct.pack(">B16sQQB", version, sender, seq, int(time.time() * 1000), len(nick))
    return meta + nick + (public + session if version >= 2 else b"")


def decode_meta(frame):
    """A version 2 metadata frame as a dict, or None."""
    if len(frame) < 34 or frame[0] < 2 or len(frame) < 34 + frame[33] + 48:
        return None
    n = frame[33]
    return {"sender": frame[1:17], "seq": struct.unpack(">Q", frame[17:25])[0],
            "nick": frame[34:34 + n], "public": frame[34 + n:66 + n],
            "session": frame[66 + n:82 + n], "size": 82 + n}


def frames_statement(frames):
    """What a signed message's last frame signs: all the frames before it."""
    return FRAMES_CONTEXT + blake2b(b"".join(struct.pack(">I", len(f)) + f for f in frames))


def tree(first_seq, lines):
    """The levels of a batch's hash tree, leaves first."""
    level = [blake2b(b"\0" + struct.pack(">Q", first_seq + i) + line)
             for i, line in enumerate(lines)]
    levels = [level]
    while len(level) > 1:
        level = [blake2b(b"\1" + level[j] + level[j + 1]) if j + 1 < len(level) else level[j]
                 for j in range(0, len(level), 2)]
        levels.append(level)
    return levels


def batch_statement(meta, count, root):
    return LINES_CONTEXT + blake2b(meta + struct.pack(">H", count) + root)


def path(levels, index):
    """The siblings of line index up the tree; a node alone at its level has none."""
    out = b""
    for level in levels[:-1]:
        if index ^ 1 < len(level):
            out += level[index ^ 1]
        index //= 2
    return out


def encode_body(lines):
    return b"".join(struct.pack(">H", len(line)) + line for line in lines)


def decode_body(body):
    lines = []
    while body:
        size = struct.unpack(">H", body[:2])[0]
        lines.append(body[2:2 + size])
        body = body[2 + size:]
    return lines


class Rogue:
    def __init__(self, args):
        self.port = args.port
        self.public, self.secret = keypair(os.urandom(32))
        self.session = os.urandom(16)
        self.id = blake2b(self.public + self.session, 16)
        self.nick = args.nick.encode()
        self.victim = None        # what we learned of the victim: her last metadata, decoded
        self.next_seq = 1         # the victim's next seq
        self.batches = []         # the victim's batches: (meta frame, lines, signature)
        self.tamper_seq = None    # serve-history: the line to change, None: do not answer
        self.private_topics = set()  # "!id" of each chat listening to us
        self.beating = False
        self.next_beat = 0.0
        self.every_ms = args.every
        self.beat_s = args.every / 1000 if args.every else BEAT_S
        self.context = zmq.Context()
        self.pub = self.context.socket(zmq.XPUB)
        self.pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        self.pub.setsockopt(zmq.LINGER, 1000)
        self.pub.bind("tcp://%s:%d" % (args.host, args.port))
        self.sub = self.context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"~lines")
        self.sub.setsockopt(zmq.SUBSCRIBE, b"!" + self.id.hex().encode())
        self.sub.setsockopt(zmq.SUBSCRIBE, b"~hello " + self.id.hex().encode())
        self.sub.connect("tcp://%s:%d" % (args.victim_host, args.victim))

    def say(self, *words):
        print(*words, flush=True)

    def my_meta(self, seq):
        return encode_meta(2, self.id, seq, self.nick, self.public, self.session)

    def signed(self, frames):
        return frames + [sign(self.secret, frames_statement(frames))]

    def greeted(self, frames):
        """The victim's heartbeat to us alone: our topic, "beat", body, meta, signature."""
        meta = decode_meta(frames[3]) if len(frames) == 5 and frames[1] == b"beat" else None
        if not meta or frames[0] != b"!" + self.id.hex().encode():
            self.say("greeted by ?: unverified, malformed")
            return
        nick = meta["nick"].decode()
        if blake2b(meta["public"] + meta["session"], 16) != meta["sender"] or \
                not verify(meta["public"], frames_statement(frames[:4]), frames[4]):
            self.say("greeted by", nick + ": unverified")
            return
        peers = [line for line in frames[2].split(b"\n") if line.startswith(b"peer ")]
        self.say("greeted by", nick + ": signed, lists", len(peers))

    def learn(self, frames):
        """A batch of the victim's: check it as a chat would, and keep it."""
        if frames[0].startswith(b"!"):
            self.greeted(frames)
            return
        meta = decode_meta(frames[1]) if len(frames) == 4 else None
        if not meta:
            self.say("unverified batch: malformed")
            return
        lines = decode_body(frames[2])
        levels = tree(meta["seq"], lines)
        statement = batch_statement(frames[1], len(lines), levels[-1][0])
        if blake2b(meta["public"] + meta["session"], 16) != meta["sender"] or \
                not verify(meta["public"], statement, frames[3]):
            self.say("unverified batch of", meta["nick"].decode())
            return
        self.victim = meta
        self.next_seq = meta["seq"] + len(lines)
        self.batches.append((frames[1], lines, frames[3]))
        self.say("learned", meta["nick"].decode(), "seq", meta["seq"], "count", len(lines), "key",
                 fingerprint(meta["public"]))

    def forge_lines(self, text):
        v = self.victim
        line = b"buddy> " + text
        for public, session in ((self.public, self.session), (v["public"], v["session"])):
            meta = encode_meta(2, v["sender"], self.next_seq, v["nick"], public, session)
            root = tree(self.next_seq, [line])[-1][0]
            signature = sign(self.secret, batch_statement(meta, 1, root))
            self.pub.send_multipart([b"~lines", meta, encode_body([line]), signature])

    def forge_v1(self, text):
        v = self.victim
        self.pub.send_multipart([b"buddy> " + text,
                                 encode_meta(1, v["sender"], self.next_seq, v["nick"])])

    def replay(self):
        meta, lines, signature = self.batches[0]
        self.pub.send_multipart([b"~lines", meta, encode_body(lines), signature])

    def forge_msg(self, text):
        v = self.victim
        for topic in sorted(self.private_topics):
            for public, session in ((self.public, self.session), (v["public"], v["session"])):
                meta = encode_meta(2, v["sender"], 1, v["nick"], public, session)
                self.pub.send_multipart(self.signed([topic, b"msg", text, meta]))

    def forge_beat(self):
        v = self.victim
        body = b"port %d\nchannel buddy\nseq 0\n" % self.port
        for topic in sorted(self.private_topics):
            for public, session in ((self.public, self.session), (v["public"], v["session"])):
                meta = encode_meta(2, v["sender"], 0, b"mallory", public, session)
                self.pub.send_multipart(self.signed([topic, b"beat", body, meta]))

    def forge_bye(self):
        v = self.victim
        ours = encode_meta(2, v["sender"], 0, v["nick"], self.public, self.session)
        hers = encode_meta(2, v["sender"], 0, v["nick"], v["public"], v["session"])
        self.pub.send_multipart(self.signed([b"~bye", ours, b""]))
        self.pub.send_multipart(self.signed([b"~bye", hers, b""]))
        self.pub.send_multipart([b"~bye", hers, b""])
        self.pub.send_multipart([b"~bye", encode_meta(1, v["sender"], 0, v["nick"]), b""])

    def beat(self):
        body = b"port %d\nchannel buddy\nseq 0\n" % self.port
        if self.every_ms:
            body += b"every %d\n" % self.every_ms
        self.pub.send_multipart(self.signed([b"~beat", self.my_meta(0), body]))

    def serve_history(self, requester):
        """Each line of the victim's as "history" with its proof; then our signed history-end."""
        topic = b"!" + requester.hex().encode()
        served = 0
        for meta, lines, signature in self.batches:
            first_seq = struct.unpack(">Q", meta[17:25])[0]
            levels = tree(first_seq, lines)
            for i, line in enumerate(lines):
                seq = first_seq + i
                line_meta = meta[:17] + struct.pack(">Q", seq) + meta[25:] + \
                    struct.pack(">QH", first_seq, len(lines)) + signature + path(levels, i)
                if seq == self.tamper_seq:
                    line = line[:-1] + bytes([line[-1] ^ 0x01])  # one byte of the text
                self.pub.send_multipart([topic, b"history", line, line_meta])
                served += 1
        self.pub.send_multipart(self.signed([topic, b"history-end", self.my_meta(served)]))
        self.say("history to", requester.hex() + ":", served, "lines")

    def subscription(self, event):
        if event.startswith(b"\x01!") and len(event) == 34:
            self.private_topics.add(event[1:])
        elif event.startswith(b"\x01~listen "):
            self.say("listener", event[len(b"\x01~listen "):].decode())
            self.next_beat = 0.0  # a new listener hears our heartbeat at once, as from a chat
        elif event.startswith(b"\x01~history ") and self.tamper_seq is not None:
            words = event[1:].split(b" ")
            if len(words) == 4 and words[1] == self.id.hex().encode():
                self.serve_history(bytes.fromhex(words[2].decode()))

    def command(self, line):
        word, _, rest = line.partition(b" ")
        needs_victim = word in (b"forge-lines", b"forge-v1", b"replay", b"forge-msg", b"forge-beat",
                               b"forge-bye")
        if needs_victim and not self.victim:
            self.say("no victim yet:", word.decode())
            return
        if word == b"forge-lines":
            self.forge_lines(rest)
        elif word == b"forge-v1":
            self.forge_v1(rest)
        elif word == b"replay":
            self.replay()
        elif word == b"forge-msg":
            self.forge_msg(rest)
        elif word == b"forge-beat":
            self.forge_beat()
        elif word == b"forge-bye":
            self.forge_bye()
        elif word == b"say":
            self.pub.send(b"buddy> " + rest)
        elif word == b"beat":
            self.beating = True
        elif word == b"serve-history":
            self.tamper_seq = int(rest)
        else:
            self.say("unknown command:", word.decode("utf-8", "replace"))
            return
        self.say("done", word.decode())

    def run(self):
        poller = zmq.Poller()
        poller.register(self.pub, zmq.POLLIN)
        poller.register(self.sub, zmq.POLLIN)
        poller.register(sys.stdin.fileno(), zmq.POLLIN)
        deadline = time.time() + LIFETIME_S
        pending = b""
        self.say("ready")
        while time.time() < deadline:
            if self.beating and time.time() >= self.next_beat:
                self.beat()
                self.next_beat = time.time() + self.beat_s
            for item, _ in poller.poll(int(BEAT_S * 1000 / 4)):
                if item is self.pub:
                    self.subscription(self.pub.recv())
                elif item is self.sub:
                    self.learn(self.sub.recv_multipart())
                else:
                    # Unbuffered: every command that came is run now, not at the next input
                    data = os.read(sys.stdin.fileno(), 65536)
                    if not data:
                        return
                    pending += data
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        self.command(line)
        self.say("lifetime over")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--victim", type=int, required=True)
    parser.add_argument("--nick", default="rogue")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--victim-host", default="127.0.0.1")
    parser.add_argument("--every", type=int, default=0)
    rogue = Rogue(parser.parse_args())
    try:
        rogue.run()
    finally:
        rogue.pub.close()
        rogue.sub.close(linger=0)
        rogue.context.term()


if __name__ == "__main__":
    main()
