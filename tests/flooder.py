"""flooder.py PORT - a plain ZeroMQ PUB bound on PORT that sends three-frame messages on the
channel buddy as fast as it can: "ready" once bound; it stops at the end of its stdin, after
20 s, or after 5,000,000 messages, whichever comes first."""
import select
import sys
import time

import zmq

ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.setsockopt(zmq.LINGER, 0)
pub.bind("tcp://127.0.0.1:%s" % sys.argv[1])
print("ready", flush=True)
deadline, sent = time.time() + 20, 0
while time.time() < deadline and sent < 5_000_000:
    for _ in range(1000):
        pub.send_multipart([b"buddy> flood", b"x" * 16, b"y" * 16])
    sent += 1000
    if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.readline():
        break
pub.close()
ctx.term()
