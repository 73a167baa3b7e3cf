#!/usr/bin/python3
"""linecount.py - the only listener of a chat in the Signing benchmark: a python3-zmq SUB
subscribed to chat's signed batches of lines ("~lines", metadata, body, signature).

    linecount.py PORT

For every batch it prints "LINES" on stdout (flushed): the lines in its body, each a 2-byte
big-endian size and its bytes. Messages / lines = lines per signature. Ends on SIGTERM.
"""
import os
import signal
import sys

import zmq


def count_lines(body):
    lines, at = 0, 0
    while at + 2 <= len(body):
        at += 2 + int.from_bytes(body[at:at + 2], "big")
        lines += 1
    return lines


def main():
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 0)  # a benchmark that loses batches would count too few
    sub.setsockopt(zmq.SUBSCRIBE, b"~lines")
    sub.connect("tcp://127.0.0.1:%s" % sys.argv[1])
    out = sys.stdout
    while True:
        frames = sub.recv_multipart()
        if frames[0] != b"~lines" or len(frames) < 3:
            continue
        out.write("%d\n" % count_lines(frames[2]))
        out.flush()


if __name__ == "__main__":
    main()
