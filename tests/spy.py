"""spy.py PORT - a plain ZeroMQ SUB that subscribes to everything ("") on a chat's port, as
anybody on the LAN could, and prints each message it receives: "private KIND" and the frames
in hex for one on a private topic, "public TOPIC" for others; "ready" after the first message.
It ends at the end of its stdin or after 60 s."""
import select
import sys
import time

import zmq

ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect("tcp://127.0.0.1:%s" % sys.argv[1])
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
poller.register(sys.stdin, zmq.POLLIN)
deadline, ready = time.time() + 60, False
while time.time() < deadline:
    events = dict(poller.poll(200))
    if sys.stdin.fileno() in events or sys.stdin in events:
        if not sys.stdin.readline():
            break
    if sub in events:
        frames = sub.recv_multipart()
        if not ready:
            print("ready", flush=True)
            ready = True
        if frames[0].startswith(b"!"):
            kind = frames[1].decode("ascii", "replace") if len(frames) > 1 else "?"
            print("private %s %s" % (kind, " ".join(f.hex() for f in frames)), flush=True)
        else:
            print("public %s" % frames[0][:16].decode("utf-8", "replace"), flush=True)
