#!/usr/bin/python3
"""A hostile publisher for tests/e2e/hostile_input.sh.

Binds on PORT, waits for a subscriber, then sends COUNT random messages: random frame counts,
random bytes, valid-looking "buddy> " lines with control bytes and bad UTF-8, metadata frames
with wrong lengths. Then one frame larger than chat accepts, then, once the subscriber is back,
one good line "buddy> efter stormen" (libzmq does not reconnect to a
peer cut off for a protocol error: the test makes the chat \connect again). Prints "sent N" and "done". Bounded: at most COUNT + 2
messages and 30 s of waiting.
"""
import random
import struct
import sys
import time
import zmq

port, count = int(sys.argv[1]), int(sys.argv[2])
random.seed(7)
context = zmq.Context()
publisher = context.socket(zmq.XPUB)
publisher.setsockopt(zmq.XPUB_VERBOSE, 1)
publisher.setsockopt(zmq.SNDHWM, 0)
publisher.bind("tcp://127.0.0.1:%d" % port)


def await_subscriber():
    """Wait (at most 30 s) for a chat's subscription to "~listen PORT" (chat subscribes to every
    channel byte by byte, its private topic, and that); the others are skipped."""
    deadline = time.time() + 30
    while time.time() < deadline:
        if publisher.poll(int((deadline - time.time()) * 1000) + 1):
            if publisher.recv().startswith(b"\x01~listen "):
                return
    print("no subscriber", flush=True)
    sys.exit(1)


def random_bytes(n):
    return bytes(random.getrandbits(8) for _ in range(n))


def hostile_message():
    kind = random.randrange(6)
    if kind == 0:
        return [random_bytes(random.randrange(0, 300))]
    if kind == 1:
        text = random_bytes(random.randrange(0, 200))
        return [b"buddy> " + text]
    if kind == 2:
        return [b"buddy> \x1b]52;c;aGFjaw==\x07\x1b[2J\x9b6n\xc0\x80\xed\xa0\x80 \xe2\x80\xae"]
    if kind == 3:
        # metadata that claims a longer nick than it carries
        meta = b"\x01" + random_bytes(16) + struct.pack(">QQ", 1, 0) + bytes([60]) + b"eve"
        return [b"buddy> kort metadata", meta]
    if kind == 4:
        return [random_bytes(random.randrange(1, 80)) for _ in range(random.randrange(1, 5))]
    return [b"x" * random.randrange(60, 70) + b"> " + random_bytes(10)]


await_subscriber()
for _ in range(count):
    publisher.send_multipart(hostile_message())
print("sent", count, flush=True)
publisher.send(b"buddy> " + b"A" * (1 << 20))  # over ZMQ_MAXMSGSIZE: the chat drops us
print("oversized", flush=True)
await_subscriber()  # the chat is told to connect again and subscribes
publisher.send(b"buddy> efter stormen")
print("done", flush=True)
time.sleep(1)
publisher.close(linger=1000)
context.term()
