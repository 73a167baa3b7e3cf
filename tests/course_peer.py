#!/usr/bin/python3
"""A peer speaking the course's format, as the course's own Python solution does.

Binds a publisher on PORT and subscribes to CHANNEL (a prefix, like the course's solution) at
each --connect PORT. Every stdin line is published as one frame "CHANNEL> line". Every message
received is printed as "got N FRAME1" (N = number of frames). The publisher is an XPUB only so
that the test can wait for subscriptions ("subscribed TOPIC" lines): on the wire it sends the
course's frames unchanged. Used by tests/e2e/course_peer.sh.
"""
import argparse
import sys
import zmq

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--connect", type=int, action="append", default=[])
parser.add_argument("--channel", default="buddy")
args = parser.parse_args()

context = zmq.Context()
publisher = context.socket(zmq.XPUB)
publisher.setsockopt(zmq.XPUB_VERBOSE, 1)
publisher.bind("tcp://127.0.0.1:%d" % args.port)
subscriber = context.socket(zmq.SUB)
subscriber.setsockopt(zmq.SUBSCRIBE, args.channel.encode())
for port in args.connect:
    subscriber.connect("tcp://localhost:%d" % port)

poller = zmq.Poller()
poller.register(publisher, zmq.POLLIN)
poller.register(subscriber, zmq.POLLIN)
poller.register(sys.stdin.fileno(), zmq.POLLIN)
print("ready", flush=True)
while True:
    for item, _ in poller.poll(30000):
        if item is publisher:
            event = publisher.recv()
            if event[:1] == b"\x01":
                print("subscribed", event[1:].decode("utf-8", "replace"), flush=True)
        elif item is subscriber:
            frames = subscriber.recv_multipart()
            print("got", len(frames), frames[0].decode("utf-8", "replace"), flush=True)
        else:
            line = sys.stdin.readline()
            if not line:
                publisher.close(linger=1000)
                subscriber.close(linger=0)  # else context.term() waits for ever
                context.term()
                sys.exit(0)
            publisher.send(("%s> %s" % (args.channel, line.rstrip("\n"))).encode())
