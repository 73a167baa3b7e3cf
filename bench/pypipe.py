#!/usr/bin/python3
"""pypipe.py - baseline 2: the line pipe the course would write, in python3-zmq.

Usage:  pypipe.py send PORT     bind 127.0.0.1:PORT, send each stdin line as "buddy> text"
        pypipe.py recv PORT     connect to 127.0.0.1:PORT, print each message as "[buddy] text"

The course's one-frame format ("<kanal>> <text>", PROTOKOLL.md 2.1) with send_string and
recv_string, as the exercise's solution does. Two things differ from a naive course program,
both so that the benchmark measures speed and not loss or buffering: the high-water marks are
unlimited (0), and the sender binds an XPUB only to learn when the subscriber has arrived
("subscribed" on stderr; after that it sends exactly like a PUB). The receiver flushes stdout
whenever no message is waiting, like rawpipe.
"""
import sys

import zmq

LINGER_MS = 10000          # at end of input, wait at most this long for unsent lines
SUBSCRIBE_WAIT_MS = 30000  # the sender gives up if nobody subscribes within this
CHANNEL = "buddy"


def send(port):
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.SNDHWM, 0)
    pub.setsockopt(zmq.LINGER, LINGER_MS)
    pub.setsockopt(zmq.RCVTIMEO, SUBSCRIBE_WAIT_MS)
    pub.bind("tcp://127.0.0.1:%d" % port)
    try:
        pub.recv()                      # the first subscription: the slow joiner has joined
    except zmq.Again:
        sys.exit("pypipe: nobody subscribed within %d ms" % SUBSCRIBE_WAIT_MS)
    print("subscribed", file=sys.stderr, flush=True)
    for line in sys.stdin:
        pub.send_string("%s> %s" % (CHANNEL, line.rstrip("\n")))
    pub.close()                         # lingers until every line is out
    ctx.term()


def recv(port):
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.setsockopt_string(zmq.SUBSCRIBE, "")
    sub.connect("tcp://127.0.0.1:%d" % port)
    out = sys.stdout
    while True:
        try:
            message = sub.recv_string(zmq.NOBLOCK)
        except zmq.Again:
            out.flush()
            message = sub.recv_string()
        channel, _, text = message.partition("> ")
        print("[%s] %s" % (channel, text), file=out)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("send", "recv"):
        sys.exit("usage: pypipe.py send|recv PORT")
    (send if sys.argv[1] == "send" else recv)(int(sys.argv[2]))
