#!/usr/bin/python3
"""compare.py - A/B of chat binaries on the hot path, in one run, with the baselines beside.

Usage:  bench/compare.py CHAT [CHAT...]      (build bench/bin first: make -C bench)

For each binary: throughput with input as fast as it comes (lines/s, lost), throughput with
input paced at COMPARE_RATE lines/s (default 100000; CPU µs per line at both ends, the figure
least disturbed by a noisy machine), the round trip (p50, p99), and the idle memory of a chat
that listens and is listened to (VmRSS, as bench.py's memory benchmark measures it). Runs are interleaved, so a
noisy moment hits every binary alike; medians of BENCH_RUNS (default 5). This is how the
measurements in bench/PROPOSALS.md were made: build a patched chat elsewhere, compare it here.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

RATE = float(os.environ.get("COMPARE_RATE", "100000"))


def run_memory(binary):
    """VmRSS in kB of one of two idle chats of binary that listen to each other."""
    try:
        port_a, port_b = bench.free_ports(2)
        a = bench.Proc([binary, "-n", "a", "-p", str(port_a), "-c", "127.0.0.1:%d" % port_b],
                       stdin=bench.subprocess.PIPE, err_pattern=bench.JOINED)
        b = bench.Proc([binary, "-n", "b", "-p", str(port_b), "-c", "127.0.0.1:%d" % port_a],
                       stdin=bench.subprocess.PIPE, err_pattern=bench.JOINED)
        deadline = bench.time.perf_counter() + bench.READY_S
        if not all(p.err.wait(lambda r: r.hits >= 1, deadline) for p in (a, b)):
            raise RuntimeError("memory: two chats did not connect within %d s" % bench.READY_S)
        bench.time.sleep(bench.SETTLE_S)  # a measurement, not a handshake
        return a.memory_kb()[0]
    finally:
        bench.stop_all()


def main(binaries):
    lines = bench.make_lines(bench.LINES)
    fast = bench.batches_of(lines, 4096)
    paced = bench.batches_of(lines, bench.PACE_BATCH)
    names = ["raw", "python"] + binaries
    results = {name: {"fast": [], "paced": [], "rtt": [], "rss": []} for name in names}
    for run in range(bench.RUNS):
        for name in names:
            r = results[name]
            if name in ("raw", "python"):
                r["fast"].append(bench.run_pipe(name, lines, fast))
                continue
            bench.CHAT = name
            r["fast"].append(bench.run_pipe("chat", lines, fast))
            r["paced"].append(bench.run_pipe("chat", lines, paced, RATE))
            path = os.path.join(bench.TMP, "rtt")
            r["rtt"].append(bench.run_rtt_lines("chat", path))
            r["rss"].append(run_memory(name))
            bench.progress("%s run %d: %.0f lines/s (%d lost); paced: send %.2f µs, receive "
                           "%.2f µs, %d lost; rtt p50 %.0f µs; idle RSS %.0f kB" %
                           (name, run + 1, r["fast"][-1]["rate"], r["fast"][-1]["lost"],
                            r["paced"][-1]["send_us"], r["paced"][-1]["recv_us"],
                            r["paced"][-1]["lost"], r["rtt"][-1]["p50"], r["rss"][-1]))
    med = bench.median
    print("%s; %d runs, medians\n" % (bench.machine(), bench.RUNS))
    print("| binary | lines/s, input as fast as it comes | lost (worst run) | paced at %s/s: "
          "CPU µs/line send | receive | lost | round trip p50 µs | p99 µs | idle RSS kB |" %
          bench.fmt(RATE))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        r = results[name]
        fast_rate = med(x["rate"] for x in r["fast"])
        lost = max(x["lost"] for x in r["fast"])
        if not r["paced"]:
            print("| %s | %s | %s | - | - | - | - | - | - |" %
                  (name, bench.fmt(fast_rate), bench.fmt(lost)))
            continue
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" %
              (name, bench.fmt(fast_rate), bench.fmt(lost),
               bench.fmt(med(x["send_us"] for x in r["paced"]), 2),
               bench.fmt(med(x["recv_us"] for x in r["paced"]), 2),
               bench.fmt(max(x["lost"] for x in r["paced"])),
               bench.fmt(med(x["p50"] for x in r["rtt"])),
               bench.fmt(med(x["p99"] for x in r["rtt"])),
               bench.fmt(med(r["rss"]))))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        main([os.path.abspath(b) for b in sys.argv[1:]])
    finally:
        bench.stop_all()
        bench.subprocess.run(["rm", "-rf", bench.TMP])
