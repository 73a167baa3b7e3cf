#!/usr/bin/python3
"""relayidle.py - `bench/run relay-idle` (issue 16): the RSS and CPU of `chat --relay` with N
idle members, the members simulated (bench/simmembers.py), so that N = 200 fits on 2 cores.

200 real chats on one 2-core machine spend all its CPU checking each other's heartbeats (N^2,
bench/README.md, Relay), and the room never forms; but the figure is the relay's. Here one
Python process plays up to 100 members (each with its own key, id, XPUB and SUB, a signed
heartbeat a second), all on loopback, no root needed. Two modes:

- direct: the members subscribe as a chat does and list the relay in their heartbeats; the
  relay hears N members and lists them (64 a beat), forwards nothing;
- via: each member also subscribes "~via RELAY OTHER" for every other member, as a chat that
  reaches only the relay does: the relay forwards N(N-1) heartbeats a second.

A run: a fresh relay (its RSS 1 s after start is the baseline), the members (10 of them send a
one-line batch, so the backlog holds some history), until the relay has said "joined" for all
and connected back to all; then a real chat (probe) -c the relay until it has said "joined"
for N + 1 members (the relay and the N), one \\who, and it leaves; then IDLE_S idle, and
the relay's VmRSS, VmHWM, CPU %, and the simulators' CPU %. Every wait has a deadline;
everything is stopped at the end of each run (bench.py's stop_all).
"""
import os
import subprocess
import time

import bench as B
import relay as R  # who_block, cpu_s, read_text

SIZES = [int(n) for n in os.environ.get("BENCH_RELAY_IDLE_SIM", "50 100 200").split()]
MODES = os.environ.get("BENCH_RELAY_IDLE_SIM_MODES", "direct via").split()
RUNS = int(os.environ.get("BENCH_RELAY_IDLE_RUNS", "3"))
IDLE_S = float(os.environ.get("BENCH_RELAY_IDLE_S", "20"))
PER_PROCESS = 100          # members one simulator plays (via: 100 drain ~20,000 messages/s)
HISTORY_LINES = 10         # members 0..9 send one line each
JOIN_S = 60                # the relay must hear and connect back to all within this
WHO_S = 30                 # the probe must list all within this (64 members a relay beat)
WHO_EVERY_S = 1.0
COMMON = ["--no-discovery", "--throwaway-key"]
SIM = os.path.join(B.HERE, "simmembers.py")


def wait_until(what, predicate, seconds):
    deadline = time.perf_counter() + seconds
    while not predicate():
        if time.perf_counter() > deadline:
            raise RuntimeError("relay-idle: %s not within %d s" % (what, seconds))
        time.sleep(0.1)


def start_sims(size, mode, relay_port, ports):
    """The simulators playing size members (one process, or one per PER_PROCESS with --via);
    each prints milestones on stdout, read by a Reader."""
    count = size if mode == "direct" else PER_PROCESS
    seed = os.urandom(16).hex()
    sims = []
    for first in range(0, size, count):
        argv = [B.PYTHON, SIM, str(relay_port), ",".join(map(str, ports)), "--seed", seed,
                "--first", str(first), "--count", str(min(count, size - first)),
                "--lines", str(HISTORY_LINES), "--lifetime", "600"] + \
            (["--via"] if mode == "via" else [])
        sims.append(B.Proc(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, keep_out=True))
    return sims


def forwarded(sims):
    """(forwarded messages received by all simulators so far, monotonic s), from their last
    "forwarded TOTAL T" lines; (nan, nan) without --via."""
    total, when = 0, []
    for sim in sims:
        lines = [line for line in sim.out.data().split(b"\n") if line.startswith(b"forwarded ")]
        if not lines:
            return float("nan"), float("nan")
        words = lines[-1].split()
        total += int(words[1])
        when.append(float(words[2]))
    return total, B.median(when)


def probe_shows(relay_port, probe_port, size):
    """A real chat -c the relay, until it has said "joined" for size + 1 members (the relay
    and every simulated one), then one \\who; returns how many \\who listed, the joins and the
    history lines it printed, and stops it."""
    probe = B.Proc([B.CHAT, "-n", "probe", "-p", str(probe_port), "-c",
                    "127.0.0.1:%d" % relay_port] + COMMON, stdin=subprocess.PIPE,
                   stdout=subprocess.PIPE, keep_out=True)
    deadline = time.perf_counter() + WHO_S
    # all size + 1 joined; \who lists only what fits in its 8 KB (about 125 members)
    while time.perf_counter() < deadline and B.joined_count(probe.err.data()) < size + 1:
        time.sleep(0.1)
    R.type_who([probe])
    time.sleep(WHO_EVERY_S)
    listed = len(R.who_block(probe.err.data().decode(errors="replace")))
    joined = B.joined_count(probe.err.data())
    probe.close_stdin()  # end of input: it says ~bye and leaves
    probe.reap(B.STOP_S)
    return listed, joined, probe.out.data().count(b"(history)")


def run_once(size, mode):
    """One relay with size simulated members in mode; returns its figures."""
    try:
        relay_port, back_port, probe_port, *ports = B.free_ports(size + 3)
        relay = B.Proc([B.CHAT, "--relay", "-p", str(relay_port), "--back-port",
                        str(back_port)] + COMMON, err_pattern=b" joined (")
        wait_until("the relay's start", lambda: b"others reach you at" in relay.err.data(),
                   B.READY_S)
        time.sleep(1.0)
        fresh_rss, _ = relay.memory_kb()
        t0 = time.perf_counter()
        sims = start_sims(size, mode, relay_port, ports)
        milestones = [b"back ", b"lines "] + ([b"via "] if mode == "via" else [])
        wait_until("every member connected back and heard", lambda: relay.err.hits >= size and all(
            m in s.out.data() for s in sims for m in milestones), JOIN_S)
        joined_s = time.perf_counter() - t0
        listed, probe_joined, history = probe_shows(relay_port, probe_port, size)
        time.sleep(2.0)  # the relay hears the probe's ~bye, the simulators settle
        left0 = relay.err.data().count(b" left")
        cpu0, sims0, t1 = R.cpu_s([relay]), R.cpu_s(sims), time.perf_counter()
        fwd0 = forwarded(sims)
        time.sleep(IDLE_S)
        elapsed = time.perf_counter() - t1
        fwd1 = forwarded(sims)
        rss, hwm = relay.memory_kb()
        result = {"fresh_rss": fresh_rss, "rss": rss, "hwm": hwm,
                  "cpu_pct": (R.cpu_s([relay]) - cpu0) / elapsed * 100,
                  "sims_cpu_pct": (R.cpu_s(sims) - sims0) / elapsed * 100,
                  "sims": len(sims), "joined_s": joined_s, "listed": listed,
                  "probe_joined": probe_joined, "history": history,
                  "forwarded_s": (fwd1[0] - fwd0[0]) / (fwd1[1] - fwd0[1]) if fwd1[1] > fwd0[1]
                  else float("nan"), "left": relay.err.data().count(b" left") - left0,
                  "alive": relay.alive() and all(s.alive() for s in sims),
                  "load": os.getloadavg()[0]}
        return result
    finally:
        B.stop_all()


def bench_relay_idle(report):
    runs = {(size, mode): [] for size in SIZES for mode in MODES}
    for run in range(RUNS):
        for key in runs:  # interleaved: a noisy moment hits all alike
            r = run_once(*key)
            runs[key].append(r)
            B.progress("relay-idle %d %s run %d: relay %s kB (fresh %s, VmHWM %s), %.1f %% CPU; "
                       "%d simulator(s) %.0f %% CPU; joined in %.1f s; probe listed %d, heard "
                       "%d join, %d history lines; %.0f forwarded/s received; %d 'left' while "
                       "idle; load %.2f" % (
                           key[0], key[1], run + 1, r["rss"], r["fresh_rss"], r["hwm"],
                           r["cpu_pct"], r["sims"], r["sims_cpu_pct"], r["joined_s"],
                           r["listed"], r["probe_joined"], r["history"], r["forwarded_s"],
                           r["left"], r["load"]))
    rows = []
    for (size, mode), results in runs.items():
        row = {k: B.median(r[k] for r in results)
               for k in ("fresh_rss", "rss", "cpu_pct", "sims_cpu_pct", "joined_s",
                         "forwarded_s")}
        row.update({"size": size, "mode": mode, "runs": len(results),
                    "hwm": max(r["hwm"] for r in results),
                    "listed": min(r["listed"] for r in results),
                    "probe_joined": min(r["probe_joined"] for r in results),
                    "history": min(r["history"] for r in results),
                    "left": max(r["left"] for r in results),
                    "alive": all(r["alive"] for r in results), "sims": results[0]["sims"]})
        rows.append(row)
    report["relay_idle"] = rows


MODE_LABELS = {"direct": "heard directly, nothing forwarded",
               "via": "each asks `~via relay` for all others: N(N-1) beats/s forwarded"}


def render(rows):
    out = ["", "## Relay with N idle simulated members (issue 16; bench/simmembers.py); "
           "after %.0f s idle, medians of %d runs" % (IDLE_S, RUNS), ""]
    add = out.append
    add("| N | members | relay VmRSS kB | fresh relay VmRSS kB | kB per member | relay max VmHWM "
        "kB | relay CPU % | forwarded/s received | simulators' CPU % (processes) "
        "| probe: joined, \\who listed (fewest) | history lines (fewest) "
        "| 'left' while idle (most) |")
    add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: (MODES.index(r["mode"]), r["size"])):
        add("| %d | %s | %s | %s | %s | %s | %s | %s | %s (%d) | %s, %s of %d | %s of %d | %s |" % (
            r["size"], MODE_LABELS[r["mode"]], B.fmt(r["rss"]), B.fmt(r["fresh_rss"]),
            B.fmt((r["rss"] - r["fresh_rss"]) / r["size"], 0), B.fmt(r["hwm"]),
            B.fmt(r["cpu_pct"], 1), B.fmt(r["forwarded_s"]) if r["mode"] == "via" else "-",
            B.fmt(r["sims_cpu_pct"], 0), r["sims"], B.fmt(r["probe_joined"]),
            B.fmt(r["listed"]), r["size"] + 1,
            B.fmt(r["history"]), HISTORY_LINES, B.fmt(r["left"])))
    add("")
    add("CPU %% of one core over the idle time (/proc/PID/stat); this machine has %d. Probe: a "
        "real chat -c the relay before the idle time: the members it said joined (the relay and "
        "the N), and how many its \\who listed (at most about 125 fit in its 8 KB). History: "
        "the lines it was given as history (%d members sent one)." % (os.cpu_count(),
                                                                    HISTORY_LINES))
    for r in rows:
        if r["size"] == 200:
            add("")
            add("Target: relay RSS with 200 idle peers ≤ 64 MB (%s): %s kB, %s" % (
                r["mode"], B.fmt(r["rss"]), B.verdict(r["rss"] <= 64 * 1024 and r["alive"] and
                                                     r["probe_joined"] == 201)))
    return out

