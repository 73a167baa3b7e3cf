#!/usr/bin/python3
"""A flood of LAN discovery beacons, for tests/e2e/beaconflood.sh.

Usage: beacon_flood.py BROADCAST COUNT FIRST_PORT SECONDS

Sends COUNT beacons of an open room (discovery.c: "CHAT", version 1, the port big-endian,
a sender id of 16 random bytes) to BROADCAST on UDP port 5657, each with a new random id and
the next port from FIRST_PORT on (where nothing listens), spread evenly over SECONDS; then
prints "sent COUNT" and exits.
"""
import os
import socket
import struct
import sys
import time

BEACON_PORT = 5657  # limits.h


def main():
    broadcast, count, first_port, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        float(sys.argv[4])
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    start = time.monotonic()
    for i in range(count):
        beacon = b"CHAT" + bytes([1]) + struct.pack(">H", first_port + i) + os.urandom(16)
        udp.sendto(beacon, (broadcast, BEACON_PORT))
        delay = start + seconds * (i + 1) / count - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    udp.close()
    print("sent", count, flush=True)


if __name__ == "__main__":
    main()
