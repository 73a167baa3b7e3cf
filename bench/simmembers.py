#!/usr/bin/python3
"""simmembers.py - N simulated room members in one process, for `bench/run relay-idle`.

Usage: simmembers.py RELAY_PORT PORT,PORT,... [--seed HEX --first F --count C] [--lines K]
                     [--via] [--lifetime S]

One member per PORT (or the C of them from the F-th on, so that a room can be played by a few
processes that share --seed): its own Ed25519 key and session (from --seed and its number, so
each process knows every member's id; a random --seed by default), sender id
BLAKE2b-128(public key || session) (PROTOKOLL.md 19.1), nick sI, an XPUB bound on
127.0.0.1:PORT and a SUB connected to the relay on 127.0.0.1:RELAY_PORT that subscribes as a
chat does (PROTOKOLL.md 5): the 94 one-byte channel topics, "~beat", "~bye", "~lines", "!" + its
id and "~listen PORT", so the relay connects back. Each sends a signed heartbeat (meta v2 seq 0,
body "port P / channel buddy / seq S", then "peer RELAY_ID 127.0.0.1:RELAY_PORT" once the relay
is heard, as a chat lists a member it hears directly) every second on its XPUB, the members'
beats spread over the second. Members 0..K-1 (--lines) send one signed batch of one line
once the relay has connected back, so the relay's backlog holds some history. With --via each
member also subscribes "~via RELAY_ID OTHER_ID" for every other member, as a chat that reaches
only the relay does (PROTOKOLL.md 20.2): the relay then forwards N(N-1) heartbeats a second.

What arrives is drained and dropped, except the relay's first heartbeat (its id). Prints on
stdout: "ready", "heard N" when all N members have heard the relay, "back N" when the relay has
subscribed on all N XPUBs (connected back), "via N" when --via has subscribed, "lines K" when
the batches are sent, and with --via every second "forwarded TOTAL T": the forwarded messages
received so far by all its members, at time.monotonic() T. Runs until stdin ends (then a
signed "~bye" from each member) or --lifetime seconds (default 600), whichever comes first.
"""
import argparse
import os
import sys
import time

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
import rogue_v2 as V  # noqa: E402  (the signing of tests/rogue_v2.py: libsodium via ctypes)

BEAT_S = 1.0
COUNT_S = 1.0                # with --via, "forwarded TOTAL MONOTONIC_S" this often
# A chat's one-byte channel topics (PROTOKOLL.md 5): a-z A-Z 0-9 - _ and 0xC2-0xDF
CHANNEL_BYTES = [bytes([c]) for c in
                 list(range(ord("a"), ord("z") + 1)) + list(range(ord("A"), ord("Z") + 1)) +
                 list(range(ord("0"), ord("9") + 1)) + [ord("-"), ord("_")] +
                 list(range(0xC2, 0xE0))]


def identity(seed, index):
    """Member index's key pair, session and sender id, derived from the room's seed."""
    public, secret = V.keypair(V.blake2b(seed + b"key %d" % index, 32))
    session = V.blake2b(seed + b"session %d" % index, 16)
    return public, secret, session, V.blake2b(public + session, 16)


class Member:
    """One simulated member: key, id, an XPUB of its own and a SUB to the relay."""

    def __init__(self, context, index, port, relay_port, seed):
        self.index, self.port = index, port
        self.public, self.secret, self.session, self.id = identity(seed, index)
        self.nick = b"s%d" % index
        self.seq = 0                 # our last line's seq (0: none yet)
        self.back = False            # the relay's SUB has subscribed on our XPUB
        self.xpub = context.socket(zmq.XPUB)
        self.xpub.setsockopt(zmq.LINGER, 0)
        self.xpub.bind("tcp://127.0.0.1:%d" % port)
        self.sub = context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        for topic in CHANNEL_BYTES + [b"~beat", b"~bye", b"~lines",
                                      b"!" + self.id.hex().encode(), b"~listen %d" % port]:
            self.sub.setsockopt(zmq.SUBSCRIBE, topic)
        self.sub.connect("tcp://127.0.0.1:%d" % relay_port)

    def meta(self, seq):
        return V.encode_meta(2, self.id, seq, self.nick, self.public, self.session)

    def signed(self, frames):
        return frames + [V.sign(self.secret, V.frames_statement(frames))]

    def beat(self, relay_line):
        body = b"port %d\nchannel buddy\nseq %d\n%s" % (self.port, self.seq, relay_line)
        self.xpub.send_multipart(self.signed([b"~beat", self.meta(0), body]))

    def bye(self):
        self.xpub.send_multipart(self.signed([b"~bye", self.meta(0), b""]))

    def send_line(self):
        """One batch of one line, seq 1, signed as PROTOKOLL.md 19.4 says."""
        line = b"buddy> history line from %s" % self.nick
        meta = self.meta(1)
        root = V.tree(1, [line])[-1][0]
        signature = V.sign(self.secret, V.batch_statement(meta, 1, root))
        self.xpub.send_multipart([b"~lines", meta, V.encode_body([line]), signature])
        self.seq = 1


def drain(socket):
    """Read and drop all that waits on socket; returns the messages read."""
    messages = []
    while True:
        try:
            messages.append(socket.recv_multipart(zmq.NOBLOCK))
        except zmq.Again:
            return messages


class Room:
    def __init__(self, args):
        self.args = args
        self.context = zmq.Context()
        self.context.setsockopt(zmq.MAX_SOCKETS, 4 * len(args.ports) + 64)
        count = len(args.ports) - args.first if args.count is None else args.count
        self.members = [Member(self.context, i, args.ports[i], args.relay_port, args.seed)
                        for i in range(args.first, args.first + count)]
        # every member's id, also those other processes play (for --via)
        self.all_ids = [m.id for m in self.members] if not args.via else \
            [identity(args.seed, i)[3] for i in range(len(args.ports))]
        self.by_socket = {}
        self.poller = zmq.Poller()
        for member in self.members:
            for socket in (member.xpub, member.sub):
                self.poller.register(socket, zmq.POLLIN)
                self.by_socket[socket] = member
        self.relay_id = None
        self.relay_line = b""
        self.heard = set()           # members that have heard the relay's heartbeat
        self.said = set()            # what has been printed: "heard", "back", "via", "lines"
        self.forwarded = 0           # forwarded messages ("~via ...") received, all members
        self.next_count = 0.0        # when "forwarded TOTAL" is printed next

    def say(self, *words):
        print(*words, flush=True)

    def received(self, socket):
        member = self.by_socket[socket]
        messages = drain(socket)
        if socket is member.sub:
            self.forwarded += sum(1 for frames in messages if frames[0].startswith(b"~via "))
            if self.relay_id is None:
                for frames in messages:
                    meta = V.decode_meta(frames[1]) if len(frames) == 4 and \
                        frames[0] == b"~beat" else None
                    if meta and b"relay 1" in frames[2].split(b"\n"):
                        self.relay_id = meta["sender"]
                        self.relay_line = b"peer %s 127.0.0.1:%d\n" % (
                            self.relay_id.hex().encode(), self.args.relay_port)
            if any(frames[0] == b"~beat" for frames in messages):
                self.heard.add(member.index)
        elif any(frames[0].startswith(b"\x01~listen ") for frames in messages):
            member.back = True

    def progress(self):
        """Print each milestone once; send the lines and the ~via subscriptions when due."""
        n = len(self.members)
        if "heard" not in self.said and len(self.heard) == n:
            self.said.add("heard")
            self.say("heard", n)
        if "back" not in self.said and all(m.back for m in self.members):
            self.said.add("back")
            self.say("back", n)
        if "back" in self.said and "lines" not in self.said:
            self.said.add("lines")
            lines = [m for m in self.members if m.index < self.args.lines]
            for member in lines:
                member.send_line()
            self.say("lines", len(lines))
        if self.args.via and self.relay_id and "via" not in self.said:
            self.said.add("via")
            relay = self.relay_id.hex().encode()
            for member in self.members:
                for other in self.all_ids:
                    if other != member.id:
                        member.sub.setsockopt(zmq.SUBSCRIBE, b"~via %s %s" % (
                            relay, other.hex().encode()))
            self.say("via", n)

    def run(self):
        n = len(self.members)
        start = time.monotonic()
        due = [start + BEAT_S * i / n for i in range(n)]  # beats spread over the second
        deadline = start + self.args.lifetime
        self.poller.register(sys.stdin.fileno(), zmq.POLLIN)
        self.say("ready")
        turn = 0                   # the member whose beat is due next
        while time.monotonic() < deadline:
            now = time.monotonic()
            while due[turn] <= now:
                self.members[turn].beat(self.relay_line)
                due[turn] += BEAT_S
                turn = (turn + 1) % n
            timeout = max(0, int((due[turn] - time.monotonic()) * 1000) + 1)
            for item, _ in self.poller.poll(timeout):
                if item == sys.stdin.fileno():
                    if not os.read(item, 4096):
                        for member in self.members:
                            member.bye()
                        return
                else:
                    self.received(item)
            self.progress()
            if self.args.via and time.monotonic() >= self.next_count:
                self.next_count = time.monotonic() + COUNT_S
                self.say("forwarded %d %.3f" % (self.forwarded, time.monotonic()))
        self.say("lifetime over")

    def close(self):
        for member in self.members:
            member.xpub.close(linger=200)
            member.sub.close(linger=0)
        self.context.term()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relay_port", type=int)
    parser.add_argument("ports", type=lambda s: [int(p) for p in s.split(",")])
    parser.add_argument("--seed", type=bytes.fromhex, default=os.urandom(16))
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--via", action="store_true")
    parser.add_argument("--lifetime", type=float, default=600)
    room = Room(parser.parse_args())
    try:
        room.run()
    finally:
        room.close()


if __name__ == "__main__":
    main()
