#!/usr/bin/python3
"""A rogue member whose heartbeats name thousands of members, for tests/e2e/rogue_dialler.sh.

Usage: rogue_dialler.py PORT --chat CPORT --victim VPORT --victim-chat WPORT
                        [--beats N] [--rate R]

Binds an XPUB on 127.0.0.1:PORT and has the chat at 127.0.0.1:CPORT listen to it (its SUB
subscribes "~listen PORT", so the chat connects back). Once the chat's SUB has connected, it
sends N signed heartbeats (version 2, tests/rogue_v2.py's signing), R a second, each listing 64
members that do not exist, each with a new random id: 48 at ports of 127.0.0.1 where nothing
listens (a new port each, from 20000 on), 8 at the victim, a TCP port (VPORT) that counts the
connections it accepts and closes them, and 8 at the chat at WPORT, which is some other member.
Prints "ready", "beating" when the chat connects, "beaten N NAMED" after the last heartbeat
(NAMED: the distinct addresses named); on the command "count" (stdin), "victim N" (connections
the victim accepted so far). Bounded: exits at the end of its input, or after 120 s in all.
"""
import argparse
import os
import socket
import sys
import time
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rogue_v2 import blake2b, encode_meta, frames_statement, keypair, sign  # noqa: E402

LIFETIME_S = 120
PEERS_PER_BEAT = 64  # CONTROL_PEERS_MAX
AT_VICTIM = 8
AT_VICTIM_CHAT = 8
FIRST_DEAD_PORT = 20000


class Rogue:
    def __init__(self, args):
        self.args = args
        self.public, self.secret = keypair(os.urandom(32))
        self.session = os.urandom(16)
        self.id = blake2b(self.public + self.session, 16)
        self.context = zmq.Context()
        self.pub = self.context.socket(zmq.XPUB)
        self.pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        self.pub.setsockopt(zmq.LINGER, 0)
        self.pub.setsockopt(zmq.SNDHWM, 100000)
        self.pub.bind("tcp://127.0.0.1:%d" % args.port)
        self.sub = self.context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"~listen %d" % args.port)
        self.sub.connect("tcp://127.0.0.1:%d" % args.chat)
        self.victim = socket.socket()
        self.victim.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.victim.bind(("127.0.0.1", args.victim))
        self.victim.listen(64)
        self.victim_count = 0
        self.next_dead = FIRST_DEAD_PORT
        self.named = set()
        self.sent = 0

    def say(self, *words):
        print(*words, flush=True)

    def beat(self):
        lines = [b"port %d" % self.args.port, b"channel buddy", b"seq 0"]
        addresses = ["127.0.0.1:%d" % self.args.victim] * AT_VICTIM
        addresses += ["127.0.0.1:%d" % self.args.victim_chat] * AT_VICTIM_CHAT
        while len(addresses) < PEERS_PER_BEAT:
            addresses.append("127.0.0.1:%d" % self.next_dead)
            self.next_dead = self.next_dead + 1 if self.next_dead < 60000 else FIRST_DEAD_PORT
        for address in addresses:
            lines.append(b"peer %s %s" % (os.urandom(16).hex().encode(), address.encode()))
            self.named.add(address)
        body = b"\n".join(lines) + b"\n"
        meta = encode_meta(2, self.id, 0, b"rogue", self.public, self.session)
        frames = [b"~beat", meta, body]
        self.pub.send_multipart(frames + [sign(self.secret, frames_statement(frames))])
        self.sent += 1

    def run(self):
        deadline = time.time() + LIFETIME_S
        poller = zmq.Poller()
        poller.register(self.pub, zmq.POLLIN)
        poller.register(self.victim, zmq.POLLIN)
        poller.register(sys.stdin.fileno(), zmq.POLLIN)
        beating, next_beat = False, 0.0
        self.say("ready")
        while time.time() < deadline:
            now = time.time()
            if beating and self.sent < self.args.beats and now >= next_beat:
                self.beat()
                next_beat = now + 1.0 / self.args.rate
                if self.sent == self.args.beats:
                    self.say("beaten", self.sent, len(self.named))
            for item, _ in poller.poll(5):
                if item is self.pub:
                    event = self.pub.recv()
                    if not beating and event.startswith(b"\x01"):
                        beating = True
                        self.say("beating")
                elif item in (self.victim, self.victim.fileno()):
                    connection, _ = self.victim.accept()
                    connection.close()
                    self.victim_count += 1
                else:
                    data = os.read(sys.stdin.fileno(), 4096)
                    if not data:
                        return
                    for _ in range(data.count(b"count")):
                        self.say("victim", self.victim_count)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--chat", type=int, required=True)
    parser.add_argument("--victim", type=int, required=True)
    parser.add_argument("--victim-chat", type=int, required=True)
    parser.add_argument("--beats", type=int, default=400)
    parser.add_argument("--rate", type=float, default=50)
    rogue = Rogue(parser.parse_args())
    try:
        rogue.run()
    finally:
        rogue.victim.close()
        rogue.pub.close()
        rogue.sub.close()
        rogue.context.term()


if __name__ == "__main__":
    main()
