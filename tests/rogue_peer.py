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


def await_subscriber(count=1):
    """Wait (at most 30 s) for a chat's subscription to "~listen PORT" (chat subscribes to every
    channel byte by byte, its private topic, and that); the others are skipped."""
    deadline = time.time() + 30
    while time.time() < deadline:
        if publisher.poll(int((deadline - time.time()) * 1000) + 1):
            if publisher.recv().startswith(b"\x01~listen "):
                count -= 1
                if count == 0:
                    return
    print("no subscriber", flush=True)
    sys.exit(1)


def random_bytes(n):
    return bytes(random.getrandbits(8) for _ in range(n))


def hostile_message():
    kind = random.randrange(9)
    if kind == 6:
        # a heartbeat with good metadata and a body of garbage, or of too many peers
        meta = b"\x01" + random_bytes(16) + struct.pack(">QQ", 0, 0) + bytes([3]) + b"eve"
        body = random_bytes(random.randrange(0, 400)) if random.randrange(2) else \
            b"port 1\n" + b"peer " + b"ab" * 16 + b" 127.0.0.1:1\n" * 100
        return [b"~beat", meta, body]
    if kind == 7:
        # a private message for an id nobody has, or one frame short
        return [b"!" + b"0" * 32, b"msg", random_bytes(20)][: random.randrange(1, 4)]
    if kind == 8:
        # valid-looking metadata with a wrong length byte and an absurd sequence number
        meta = b"\x01" + random_bytes(16) + struct.pack(">QQ", 2**64 - 1, 2**63) + bytes([255])
        return [b"buddy> " + random_bytes(random.randrange(0, 50)), meta + random_bytes(5)]
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


await_subscriber(2)  # both chats of the room
for _ in range(count):
    publisher.send_multipart(hostile_message())
print("sent", count, flush=True)
publisher.send(b"buddy> " + b"A" * (10 << 20))  # 10 MB, over ZMQ_MAXMSGSIZE: chats drop us
print("oversized", flush=True)
await_subscriber()  # the chat is told to connect again and subscribes
publisher.send(b"buddy> efter stormen")
print("done", flush=True)
time.sleep(1)
publisher.close(linger=1000)
context.term()
