#!/usr/bin/python3
"""bench.py - the benchmarks of chat against its baselines; `make bench` runs it via bench/run.

Throughput, latency, idle memory, signing and rooms of 2-40 peers, each measured against baselines
in the same invocation (the machine is shared and noisy): rawpipe (raw libzmq C), pypipe.py
(python3-zmq, the course's format) and rawrtt (raw libzmq round trips). Several runs, medians.
Prints one table and writes it to bench/results.md, the scale data to bench/scale.dat and its
plot to bench/scale.png. bench/README.md says how to read every row.

Every process started is registered and stopped at the end (also on error or Ctrl-C); every
wait has a deadline; ports are chosen free at run time below the ephemeral range; all traffic
is on loopback. Knobs (environment): CHAT (binary), BENCH_RUNS (3), BENCH_LINES (200000),
BENCH_RTT (10000), BENCH_SIZES ("2 5 10 20 40"), BENCH_ROOM_LINES (2000), BASELINE_CHAT (an
older chat binary whose 40-peer CPU per delivery is measured beside chat's, and which the hall
runs interleaved with chat; none by default, or `--baseline CHAT`). Arguments: the benchmarks
to run (all by default), numbers after them the hall's sizes (`bench/run hall 10 50`).
"""
import datetime
import os
import re
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(HERE, "bin")
CHAT = os.environ.get("CHAT", os.path.join(ROOT, "chat"))
BASELINE_CHAT = os.environ.get("BASELINE_CHAT") or None
PYTHON = "/usr/bin/python3"  # Debian's, which has python3-zmq

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
LINES = int(os.environ.get("BENCH_LINES", "200000"))
RTT_COUNT = int(os.environ.get("BENCH_RTT", "10000"))
ROOM_SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "2 5 10 20 40").split()]
ROOM_LINES = int(os.environ.get("BENCH_ROOM_LINES", "2000"))   # the burst
ROOM_PACED_LINES = 1000  # then this many lines ...
ROOM_RATE = 1000         # ... at this many lines/s (a busy room, far from any limit)

LINE_BYTES = 90         # every benchmark line is this long, without its newline
READY_S = 20            # a pipe or room must be connected within this
QUIET_S = 1.0           # after the input is sent, this long without output means: all came
PIPE_DEADLINE_S = 120   # one throughput run ends after this, complete or not
RTT_DEADLINE_S = 180    # one latency run ends after this
MESH_DEADLINE_S = 60    # a room must form within this
STOP_S = 10             # a process asked to stop gets this long before SIGKILL
SETTLE_S = 0.5          # idle peers are left this long before their memory is read
PACE_BATCH = 100        # paced input is written this many lines at a time (< HWM 1000)
PACE_TRIES = 5          # paced rates tried going down, each PACE_STEP x the last ...
PACE_STEP = 0.7         # ... until one loses nothing in RUNS runs;
PACE_BISECT = 2         # then this many steps between it and the last rate that lost
PORT_LOW, PORT_HIGH = 20000, 32000  # below Linux's ephemeral range, where connects take ports
SIGN_ROUNDS = 200       # signbench times this many blocks of each operation
TYPED_LINES = 200       # the Signing section's lines typed one at a time

# chat's notices in English; no LAN discovery (UDP broadcast): everything stays on loopback
TMP = tempfile.mkdtemp(prefix="chat-bench.")
# ... and the chats' keys (protocol 2) in TMP, never the user's $XDG_DATA_HOME/chatt
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", CHAT_NO_DISCOVERY="1",
           XDG_DATA_HOME=TMP)
ENV.pop("LANGUAGE", None)
JOINED = b" joined ("  # chat's stderr: "-- a joined (127.0.0.1:PORT)": we hear a, a's lines reach us
# ... and in a room of more than 10, after the first 3 in 5 s: "-- 9 more joined in the last 5 s: ..."
JOINED_SUMMARY = re.compile(rb"-- (\d+) more joined in the last ")


def hits_of(pattern, line):
    """How many times line says pattern: a summary of joins counts each member it names."""
    if pattern in line:
        return 1
    summary = JOINED_SUMMARY.search(line) if pattern == JOINED else None
    return int(summary.group(1)) if summary else 0


def joined_count(data):
    """How many members the stderr data says joined, one line each or summarised."""
    return sum(hits_of(JOINED, line) for line in data.split(b"\n"))

# ---------------------------------------------------------------------------------------------
# Processes: every one started goes in PROCS and is stopped by stop_all(), whatever happens.

PROCS = []


class Reader(threading.Thread):
    """Reads a pipe to its end in a thread: counts lines, keeps the bytes if asked, counts the
    lines that hold a pattern, and notes when the line count reached target."""

    def __init__(self, fd, keep=False, pattern=None, target=None):
        super().__init__(daemon=True)
        self.fd, self.keep, self.pattern, self.target = fd, keep, pattern, target
        self.lines = self.hits = 0
        self.t_last = self.t_target = None
        self.chunks, self.partial, self.eof = [], b"", False
        self.cond = threading.Condition()
        self.start()

    def run(self):
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    break
                self.lines += data.count(b"\n")
                self.t_last = now
                if self.target is not None and self.t_target is None and self.lines >= self.target:
                    self.t_target = now
                if self.keep:
                    self.chunks.append(data)
                if self.pattern is not None:
                    *complete, self.partial = (self.partial + data).split(b"\n")
                    self.hits += sum(hits_of(self.pattern, line) for line in complete)
                self.cond.notify_all()
        os.close(self.fd)

    def wait(self, predicate, deadline):
        """Wait until predicate(self) holds (True) or time.perf_counter() passes deadline."""
        with self.cond:
            while not predicate(self):
                left = deadline - time.perf_counter()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
            return True

    def data(self):
        with self.cond:
            return b"".join(self.chunks)


class Proc:
    """One process started by the benchmark. stdin/stdout/stderr: a file descriptor, or PIPE
    (stdin: ours to write; stdout, stderr: read by a Reader), or None for /dev/null."""

    def __init__(self, argv, stdin=None, stdout=None, stderr=subprocess.PIPE, keep_out=False,
                 err_pattern=None, out_target=None):
        dev = subprocess.DEVNULL
        self.argv = argv
        self.p = subprocess.Popen(argv, env=ENV, stdin=dev if stdin is None else stdin,
                                  stdout=dev if stdout is None else stdout,
                                  stderr=dev if stderr is None else stderr)
        PROCS.append(self)
        self.pid, self.status, self.rusage = self.p.pid, None, None
        self.stdin_fd = None
        if stdin == subprocess.PIPE:
            self.stdin_fd = os.dup(self.p.stdin.fileno())
            self.p.stdin.close()
        self.out = self.err = None
        if stdout == subprocess.PIPE:
            self.out = Reader(os.dup(self.p.stdout.fileno()), keep=keep_out, target=out_target)
            self.p.stdout.close()
        if stderr == subprocess.PIPE:
            self.err = Reader(os.dup(self.p.stderr.fileno()), keep=True, pattern=err_pattern)
            self.p.stderr.close()

    def close_stdin(self):
        if self.stdin_fd is not None:
            os.close(self.stdin_fd)
            self.stdin_fd = None

    def alive(self):
        return self.status is None and self._poll()

    def _poll(self):
        """Reap the process if it has ended (keeping its rusage). True while it runs."""
        if self.status is not None:
            return False
        pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.status, self.rusage = os.waitstatus_to_exitcode(status), rusage
        self.p.returncode = self.status  # reaped here: Popen must not wait for it again
        return False

    def reap(self, timeout, sig=None):
        """Send sig if given, wait up to timeout for the end, then SIGKILL. Returns the status."""
        if sig is not None and self._poll():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.perf_counter() + timeout
        while self._poll() and time.perf_counter() < deadline:
            time.sleep(0.01)
        if self._poll():
            os.kill(self.pid, signal.SIGKILL)
            _, status, rusage = os.wait4(self.pid, 0)
            self.status, self.rusage = os.waitstatus_to_exitcode(status), rusage
            self.p.returncode = self.status
        self.close_stdin()
        return self.status

    def cpu_s(self):
        """CPU time used so far by its live threads (/proc/PID/task/*/schedstat, in ns), or
        in all (user + system, from wait4) once reaped."""
        if self.rusage is not None:
            return self.rusage.ru_utime + self.rusage.ru_stime
        total = 0
        try:
            for task in os.listdir("/proc/%d/task" % self.pid):
                try:
                    with open("/proc/%d/task/%s/schedstat" % (self.pid, task)) as stat:
                        total += int(stat.read().split()[0])
                except (OSError, IndexError, ValueError):
                    pass  # a thread that just ended
        except OSError:
            return float("nan")
        return total / 1e9

    def memory_kb(self):
        """(VmRSS, VmHWM) in kB from /proc/PID/status, or (nan, nan) if it has ended."""
        values = {}
        try:
            with open("/proc/%d/status" % self.pid) as status:
                for line in status:
                    key, _, rest = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        values[key] = int(rest.split()[0])
        except OSError:
            pass
        return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def stop_all():
    """Stop every process still running: SIGTERM, then SIGKILL after STOP_S."""
    running = [proc for proc in PROCS if proc.status is None]
    for proc in running:
        proc.close_stdin()
        try:
            if proc._poll():
                os.kill(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, ChildProcessError):
            pass
    for proc in running:
        try:
            proc.reap(STOP_S)
        except ChildProcessError:
            pass
    PROCS.clear()


def free_ports(count):
    """count distinct TCP ports free on every interface now, below the ephemeral range."""
    ports = set()
    for _ in range(100 * count):
        if len(ports) == count:
            break
        port = random.randrange(PORT_LOW, PORT_HIGH)
        if port in ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("", port))
                ports.add(port)
            except OSError:
                pass
    if len(ports) < count:
        raise RuntimeError("no %d free ports between %d and %d" % (count, PORT_LOW, PORT_HIGH))
    return sorted(ports, key=lambda _: random.random())


def write_lines(fd, batches, rate, close=True):
    """Write the batches to fd, at once or at rate lines/s (one batch at a time), then close
    fd unless told not to (a chat leaves at end of input)."""
    start = time.perf_counter()
    written = 0
    try:
        for batch in batches:
            if rate:
                delay = start + written / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            view = memoryview(batch)
            while view:
                view = view[os.write(fd, view):]
            written += batch.count(b"\n")
    except OSError:
        pass  # the reader died: the counts will say so
    finally:
        if close:
            os.close(fd)


def make_lines(count):
    """count lines of exactly LINE_BYTES bytes plus a newline: "000042 " and text."""
    filler = ("the quick brown fox jumps over the lazy dog; pack my box with five dozen "
              "liquor jugs; sphinx of black quartz, judge my vow. ")
    return [("%06d %s" % (i, filler))[:LINE_BYTES].encode() + b"\n" for i in range(count)]


def batches_of(lines, size):
    return [b"".join(lines[i:i + size]) for i in range(0, len(lines), size)]


def delivered(output, lines):
    """How many distinct lines of lines arrived intact in output (their text ends each line)."""
    expected = {line[:-1] for line in lines}
    seen = set()
    for line in output.split(b"\n"):
        tail = line[-LINE_BYTES:]
        if tail in expected:
            seen.add(tail)
    return len(seen)


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


# ---------------------------------------------------------------------------------------------
# Throughput: LINES lines from A's stdin to B's stdout.

PIPES = ["raw", "python", "chat"]


def pipe_commands(kind, port_a, port_b):
    if kind == "raw":
        return ([os.path.join(BIN, "rawpipe"), "send", str(port_a)],
                [os.path.join(BIN, "rawpipe"), "recv", str(port_a)])
    if kind == "python":
        script = os.path.join(HERE, "pypipe.py")
        return [PYTHON, script, "send", str(port_a)], [PYTHON, script, "recv", str(port_a)]
    return ([CHAT, "-n", "a", "-p", str(port_a)],
            [CHAT, "-n", "b", "-p", str(port_b), "-c", "127.0.0.1:%d" % port_a])


def run_pipe(kind, lines, batches, rate=None):
    """One throughput run. Returns a dict: lines/s, lost, CPU µs per line of both ends."""
    port_a, port_b = free_ports(2)
    send_argv, recv_argv = pipe_commands(kind, port_a, port_b)
    receiver = Proc(recv_argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, keep_out=True,
                    out_target=len(lines), err_pattern=JOINED)
    sender = Proc(send_argv, stdin=subprocess.PIPE, err_pattern=b"subscribed")
    try:
        # The baselines' sender says when the subscriber is there; chat's receiver says when
        # it hears the sender ("a joined"), from when on the sender's lines reach it
        ready = receiver.err if kind == "chat" else sender.err
        if not ready.wait(lambda r: r.hits >= 1, time.perf_counter() + READY_S):
            raise RuntimeError("%s: the receiver did not subscribe within %d s:\n%s" %
                               (kind, READY_S, ready.data().decode(errors="replace")))
        t0 = time.perf_counter()
        writer = threading.Thread(target=write_lines, args=(sender.stdin_fd, batches, rate),
                                  daemon=True)
        sender.stdin_fd = None  # the writer closes it
        writer.start()
        deadline = t0 + PIPE_DEADLINE_S
        out = receiver.out

        def finished(r):
            if r.lines >= len(lines):
                return True
            # Input all written, sender gone, and nothing more for QUIET_S: the rest is lost
            quiet = r.t_last is None or time.perf_counter() - r.t_last > QUIET_S
            return not writer.is_alive() and not sender.alive() and quiet

        out.wait(finished, deadline)
        end = out.t_target if out.t_target is not None else (out.t_last or time.perf_counter())
        sender.reap(STOP_S)  # it ends by itself at end of input
        writer.join(STOP_S)
        receiver.close_stdin()  # chat leaves at end of input; the baselines need a signal
        receiver.reap(STOP_S, None if kind == "chat" else signal.SIGTERM)
        out.join(STOP_S)
        got = delivered(out.data(), lines)
        return {"rate": got / (end - t0), "lost": len(lines) - got, "seconds": end - t0,
                "send_us": sender.cpu_s() / len(lines) * 1e6,
                "recv_us": receiver.cpu_s() / max(got, 1) * 1e6,
                "sender_status": sender.status}
    finally:
        stop_all()


def bench_throughput(report):
    lines = make_lines(LINES)
    fast = batches_of(lines, 4096)
    paced = batches_of(lines, PACE_BATCH)
    results = {kind: [] for kind in PIPES}
    for run in range(RUNS):
        for kind in PIPES:  # interleaved, so a noisy moment hits every pipe alike
            result = run_pipe(kind, lines, fast)
            results[kind].append(result)
            progress("throughput %s run %d: %.0f lines/s, %d lost" %
                     (kind, run + 1, result["rate"], result["lost"]))
    summary = {kind: summarise(results[kind]) for kind in PIPES}
    # "never below 0.5 x raw": the worst run, each chat run against the raw run beside it
    summary["worst_raw_ratio"] = min(c["rate"] / r["rate"] for c, r in
                                     zip(results["chat"], results["raw"]) if r["rate"] > 0)
    # chat has flow control (issue 4) and should lose nothing; if it lost lines all the same,
    # find the fastest input rate its receiver keeps up with, and measure that too
    summary["chat_paced"] = None
    if summary["chat"]["lost"] > 0:
        summary["chat_paced"] = paced_search(lines, paced, 0.8 * summary["chat"]["rate"])
    report["throughput"] = summary


def paced_search(lines, batches, start_rate):
    """The fastest input rate at which chat lost nothing in RUNS runs out of those tried: down
    by PACE_STEP from start_rate until one passes, then PACE_BISECT steps between it and the
    last that lost. Returns its summary (with paced_at and tried), or the last one's if none
    passed."""
    tried = []

    def attempt(rate):
        runs = []
        for run in range(RUNS):
            result = run_pipe("chat", lines, batches, rate)
            runs.append(result)
            progress("throughput chat paced at %.0f lines/s run %d: %.0f lines/s, %d lost" %
                     (rate, run + 1, result["rate"], result["lost"]))
            if result["lost"]:
                break  # this rate failed; no need for more runs of it
        summary = summarise(runs)
        summary["paced_at"] = rate
        tried.append(rate)
        return summary, all(r["lost"] == 0 for r in runs)

    rate, lossy, best = start_rate, None, None
    for _ in range(PACE_TRIES):
        summary, passed = attempt(rate)
        if passed:
            best = summary
            break
        lossy, rate = rate, rate * PACE_STEP
    if best is None:
        summary["tried"] = tried
        return summary
    lossless = rate
    for _ in range(PACE_BISECT if lossy else 0):
        rate = (lossless * lossy) ** 0.5
        summary, passed = attempt(rate)
        if passed:
            best, lossless = summary, rate
        else:
            lossy = rate
    best["tried"] = tried
    return best


def summarise(runs):
    return {"rate": median(r["rate"] for r in runs), "lost": max(r["lost"] for r in runs),
            "lost_median": median(r["lost"] for r in runs),
            "send_us": median(r["send_us"] for r in runs),
            "recv_us": median(r["recv_us"] for r in runs), "runs": len(runs)}


# ---------------------------------------------------------------------------------------------
# Latency: RTT_COUNT round trips, one line in flight.

def read_rtts(path):
    values, lost = [], 0
    with open(path) as f:
        for line in f:
            if line.strip() == "lost":
                lost += 1
            elif line.strip():
                values.append(int(line) / 1000.0)
    return values, lost


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values))) - 1))
    return sorted_values[index]


def rtt_stats(path):
    values, lost = read_rtts(path)
    values.sort()
    return {"p50": percentile(values, 0.50), "p99": percentile(values, 0.99),
            "max": values[-1] if values else float("nan"), "lost": lost, "count": len(values)}


def run_rtt_raw(path):
    """Round trips over raw PUB/SUB: rawrtt ping <-> rawrtt echo."""
    port_ping, port_echo = free_ports(2)
    rawrtt = os.path.join(BIN, "rawrtt")
    try:
        Proc([rawrtt, "echo", str(port_echo), str(port_ping)])
        ping = Proc([rawrtt, "ping", str(port_ping), str(port_echo), str(RTT_COUNT), path])
        if ping.reap(RTT_DEADLINE_S) != 0:
            raise RuntimeError("rawrtt ping failed: %s" % ping.err.data().decode(errors="replace"))
        return rtt_stats(path)
    finally:
        stop_all()


def run_rtt_lines(kind, path):
    """Round trips of lines: linertt -> A ... B -> lineecho -> B ... A -> linertt, where A and
    B are two chats (kind "chat") or two raw line pipes (kind "rawlines")."""
    to_a, from_b, to_b, from_a = os.pipe(), os.pipe(), os.pipe(), os.pipe()
    open_fds = {*to_a, *from_b, *to_b, *from_a}

    def close(*fds):  # each of our pipe ends is closed exactly once
        for fd in fds:
            if fd in open_fds:
                open_fds.discard(fd)
                os.close(fd)

    try:
        port_a, port_b = free_ports(2)
        if kind == "chat":
            senders = [Proc([CHAT, "-n", "a", "-p", str(port_a), "-c", "127.0.0.1:%d" % port_b],
                            stdin=to_a[0], stdout=from_a[1], err_pattern=JOINED),
                       Proc([CHAT, "-n", "b", "-p", str(port_b), "-c", "127.0.0.1:%d" % port_a],
                            stdin=to_b[0], stdout=from_b[1], err_pattern=JOINED)]
        else:
            rawpipe = os.path.join(BIN, "rawpipe")
            senders = [Proc([rawpipe, "send", str(port_a)], stdin=to_a[0],
                            err_pattern=b"subscribed"),
                       Proc([rawpipe, "send", str(port_b)], stdin=to_b[0],
                            err_pattern=b"subscribed")]
            Proc([rawpipe, "recv", str(port_a)], stdout=from_b[1])
            Proc([rawpipe, "recv", str(port_b)], stdout=from_a[1])
        Proc([os.path.join(BIN, "lineecho")], stdin=from_b[0], stdout=to_b[1], stderr=None)
        close(to_a[0], from_b[0], from_b[1], to_b[0], to_b[1], from_a[1])
        deadline = time.perf_counter() + READY_S
        for proc in senders:
            if not proc.err.wait(lambda r: r.hits >= 1, deadline):
                raise RuntimeError("%s: no listener within %d s" % (kind, READY_S))
        driver = Proc([os.path.join(BIN, "linertt"), str(RTT_COUNT), path], stdin=from_a[0],
                      stdout=to_a[1])
        close(from_a[0], to_a[1])
        if driver.reap(RTT_DEADLINE_S) != 0:
            raise RuntimeError("linertt failed: %s" % driver.err.data().decode(errors="replace"))
        return rtt_stats(path)
    finally:
        close(*list(open_fds))
        stop_all()


def bench_latency(report):
    sign_costs(report)  # the p50 target allows two signatures and two verifications
    runs = {"raw": [], "rawlines": [], "chat": []}
    for run in range(RUNS):
        for kind in runs:
            path = os.path.join(TMP, "rtt-%s-%d" % (kind, run))
            stats = run_rtt_raw(path) if kind == "raw" else run_rtt_lines(kind, path)
            runs[kind].append(stats)
            progress("latency %s run %d: p50 %.0f µs, p99 %.0f µs, max %.0f µs, %d lost" %
                     (kind, run + 1, stats["p50"], stats["p99"], stats["max"], stats["lost"]))
    report["latency"] = {kind: {key: median(s[key] for s in stats) if key != "lost" else
                                max(s[key] for s in stats)
                                for key in ("p50", "p99", "max", "lost")}
                         for kind, stats in runs.items()}


# ---------------------------------------------------------------------------------------------
# Memory: idle RSS of one peer that listens and is listened to, against a raw peer.

def bench_memory(report):
    runs = {"chat": [], "chat_alone": [], "raw": []}
    rawrtt = os.path.join(BIN, "rawrtt")
    for run in range(RUNS):
        try:
            port_a, port_b, port_c, port_d, port_e = free_ports(5)
            a = Proc([CHAT, "-n", "a", "-p", str(port_a), "-c", "127.0.0.1:%d" % port_b],
                     stdin=subprocess.PIPE, err_pattern=JOINED)
            b = Proc([CHAT, "-n", "b", "-p", str(port_b), "-c", "127.0.0.1:%d" % port_a],
                     stdin=subprocess.PIPE, err_pattern=JOINED)
            deadline = time.perf_counter() + READY_S
            if not all(p.err.wait(lambda r: r.hits >= 1, deadline) for p in (a, b)):
                raise RuntimeError("memory: two chats did not connect within %d s" % READY_S)
            alone = Proc([CHAT, "-n", "c", "-p", str(port_c)], stdin=subprocess.PIPE,
                         err_pattern=b"others reach you")
            # Two raw peers listening to each other, each one PUB and one SUB, as a chat pair
            raw_a = Proc([rawrtt, "echo", str(port_d), str(port_e)])
            Proc([rawrtt, "echo", str(port_e), str(port_d)])
            alone.err.wait(lambda r: r.hits >= 1, time.perf_counter() + READY_S)
            time.sleep(SETTLE_S)  # let startup finish; this is a measurement, not a handshake
            runs["chat"].append(a.memory_kb())
            runs["chat_alone"].append(alone.memory_kb())
            runs["raw"].append(raw_a.memory_kb())
        finally:
            stop_all()
        progress("memory run %d: chat %s kB, alone %s kB, raw %s kB" %
                 (run + 1, runs["chat"][-1][0], runs["chat_alone"][-1][0], runs["raw"][-1][0]))
    report["memory"] = {kind: (median(v[0] for v in values), median(v[1] for v in values))
                        for kind, values in runs.items()}


# ---------------------------------------------------------------------------------------------
# Scale: rooms of N peers, each started with -c to all the others (until the mesh issue lands).

class FileCount:
    """Counts the lines a process writes to a regular file (read as it grows, by the caller's
    thread). Rooms print to files, not pipes: one Python thread reading 40 pipes would be what
    the benchmark measured."""

    def __init__(self, path):
        self.path, self.fd, self.lines = path, os.open(path, os.O_RDONLY), 0
        self.t_last = None

    def poll(self, now):
        while True:
            data = os.read(self.fd, 1 << 20)
            if not data:
                return
            self.lines += data.count(b"\n")
            self.t_last = now

    def close(self):
        os.close(self.fd)


def room_phase(counts, batches, count, rate, speaker_fd):
    """Write count lines (batches) to the speaker, at once or at rate lines/s, and wait until
    every listener printed them or went quiet. Returns (seconds until the last listener had
    them all, or its last line; lines each listener got)."""
    base = [c.lines for c in counts]
    got_all = [None] * len(counts)
    writer = threading.Thread(target=write_lines, args=(speaker_fd, batches, rate, False),
                              daemon=True)
    t1 = time.perf_counter()
    writer.start()
    deadline = t1 + PIPE_DEADLINE_S + (count / rate if rate else 0)
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        for i, c in enumerate(counts):
            c.poll(now)
            if got_all[i] is None and c.lines - base[i] >= count:
                got_all[i] = now
        if all(g is not None for g in got_all):
            break
        quiet = all(c.t_last is None or now - c.t_last > QUIET_S for c in counts)
        if not writer.is_alive() and quiet and now - t1 > QUIET_S:
            break
        time.sleep(0.002)
    writer.join(STOP_S)
    ends = [g if g is not None else (c.t_last or t1) for g, c in zip(got_all, counts)]
    return max(ends) - t1, [c.lines - b for c, b in zip(counts, base)]


def room_cpu_s(peers):
    return sum(p.cpu_s() for p in peers)


def run_room(size, how, burst, paced, binary=CHAT):
    """One room of size chats. how "all": each is started with -c to all the others; "first":
    each (but the first) with -c to the first only, and the room forms itself (issue 3).
    Then peer 0 sends the burst as fast as it can, and the paced lines at ROOM_RATE."""
    ports = free_ports(size)
    peers, counts = [], []
    try:
        t0 = time.perf_counter()
        for i, port in enumerate(ports):
            argv = [binary, "-n", "p%d" % i, "-p", str(port)]
            others = [p for p in ports if p != port] if how == "all" else ports[:1] if i else []
            for other in others:
                argv += ["-c", "127.0.0.1:%d" % other]
            path = os.path.join(TMP, "room-%d.out" % i)
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            peers.append(Proc(argv, stdin=subprocess.PIPE, stdout=out, err_pattern=JOINED))
            os.close(out)
            counts.append(FileCount(path))
        deadline = t0 + MESH_DEADLINE_S
        # Full mesh: every peer says "joined" for each of the others (it hears them all)
        formed = all(p.err.wait(lambda r: r.hits >= size - 1, deadline) for p in peers)
        mesh_s = time.perf_counter() - t0 if formed else float("nan")
        if not formed:
            progress("room of %d: no full mesh within %d s (members heard per peer: %s)" %
                     (size, MESH_DEADLINE_S, [p.err.hits for p in peers]))
        time.sleep(SETTLE_S)  # a measurement of idle peers, not a handshake
        idle = [p.memory_kb() for p in peers]
        # The speaker's stdin stays open: at end of input it would leave while others read
        speaker_fd, listeners = peers[0].stdin_fd, counts[1:]
        burst_s, burst_got = room_phase(listeners, burst[1], len(burst[0]), None, speaker_fd)
        cpu_before = room_cpu_s(peers)
        paced_s, paced_got = room_phase(listeners, paced[1], len(paced[0]), ROOM_RATE,
                                        speaker_fd)
        cpu_after = room_cpu_s(peers)
        busy = [p.memory_kb() for p in peers]
        burst_n, paced_n = len(burst[0]), len(paced[0])
        return {"mesh_s": mesh_s, "formed": formed,
                "rate": min(burst_got) / burst_s if burst_s > 0 else float("nan"),
                "deliveries": sum(min(g, burst_n) for g in burst_got) / burst_s
                if burst_s > 0 else float("nan"),
                "lost": sum(burst_n - min(g, burst_n) for g in burst_got),
                "paced_lost": sum(paced_n - min(g, paced_n) for g in paced_got),
                "rss_idle": median(m[0] for m in idle), "rss_idle_max": max(m[0] for m in idle),
                "rss_busy": median(m[0] for m in busy), "hwm": max(m[1] for m in busy),
                "cpu_us": (cpu_after - cpu_before) / max(sum(paced_got), 1) * 1e6}
    finally:
        for c in counts:
            c.close()
        stop_all()


ROOM_HOWS = {"all": "-c to all others", "first": "-c to the first only (forms itself)"}


def bench_scale(report):
    lines = make_lines(ROOM_LINES)
    burst = (lines, batches_of(lines, 4096))
    lines = make_lines(ROOM_PACED_LINES)
    paced = (lines, batches_of(lines, 10))
    rows = []
    for size, how in [(size, how) for size in ROOM_SIZES for how in ROOM_HOWS]:
        runs = []
        for run in range(RUNS):
            result = run_room(size, how, burst, paced)
            runs.append(result)
            progress("room of %d (%s) run %d: mesh %.2f s; burst %.0f lines/s to all, %d lost;"
                     " paced %d lost, %.1f CPU µs/delivery; RSS %.0f kB" %
                     (size, how, run + 1, result["mesh_s"], result["rate"], result["lost"],
                      result["paced_lost"], result["cpu_us"], result["rss_idle"]))
        row = {key: median(r[key] for r in runs)
               for key in ("mesh_s", "rate", "deliveries", "rss_idle", "rss_busy", "cpu_us")}
        row.update(size=size, how=how, lost=max(r["lost"] for r in runs),
                   paced_lost=max(r["paced_lost"] for r in runs),
                   rss_idle_max=max(r["rss_idle_max"] for r in runs),
                   hwm=max(r["hwm"] for r in runs),
                   formed=sum(1 for r in runs if r["formed"]), runs=len(runs))
        if BASELINE_CHAT and size == 40:
            # The same room of the older binary, for CPU per delivery only (issue 15: halved)
            before = []
            for run in range(RUNS):
                result = run_room(size, how, burst, paced, BASELINE_CHAT)
                before.append(result["cpu_us"])
                progress("room of %d (%s) run %d, BASELINE_CHAT: %.1f CPU µs/delivery, "
                         "%d lost" % (size, how, run + 1, result["cpu_us"],
                                      result["paced_lost"]))
            row["baseline_cpu_us"] = median(before)
        rows.append(row)
    report["scale"] = rows


# ---------------------------------------------------------------------------------------------
# Signing (protocol version 2): what a signature, a verification and a hash cost here, and how
# many lines share one signature, piped as fast as they come and typed one at a time.

def sign_costs(report):
    """Median sign, verify and hash µs over RUNS runs of bin/signbench, measured once per
    invocation (the Signing section and the round-trip target both use them)."""
    if "sign_costs" not in report:
        runs = []
        for run in range(RUNS):
            out = subprocess.run([os.path.join(BIN, "signbench"), str(SIGN_ROUNDS)],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
            runs.append([float(v) for v in out.split()])
            progress("signbench run %d: sign %.1f µs, verify %.1f µs, hash %.2f µs" %
                     (run + 1, *runs[-1]))
        report["sign_costs"] = {key: median(r[i] for r in runs)
                                for i, key in enumerate(("sign_us", "verify_us", "hash_us"))}
    return report["sign_costs"]


def batch_sizes(counter):
    """The lines of each batch bin/linecount.py has reported so far."""
    return [int(v) for v in counter.out.data().split()]


def run_signing_lines(lines, typed):
    """chat A in pipe mode whose only listener is bin/linecount.py (a python3-zmq SUB of
    "~lines"). The lines go in as fast as the pipe takes them, or typed: one, then wait for its
    batch. Returns (messages, lines) counted by the listener."""
    port = free_ports(1)[0]
    try:
        chat = Proc([CHAT, "-n", "a", "-p", str(port)], stdin=subprocess.PIPE)
        counter = Proc([PYTHON, os.path.join(HERE, "linecount.py"), str(port)],
                       stdout=subprocess.PIPE, keep_out=True)
        # No chat notice says a bare SUB has arrived: probe lines until one is heard
        deadline = time.perf_counter() + READY_S
        while counter.out.lines == 0:
            if time.perf_counter() > deadline or not chat.alive():
                raise RuntimeError("signing: linecount.py heard nothing within %d s" % READY_S)
            write_lines(chat.stdin_fd, [b"probe\n"], None, close=False)
            counter.out.wait(lambda r: r.lines > 0, time.perf_counter() + 0.1)
        time.sleep(0.2)  # the last probes' batches arrive
        base = counter.out.lines
        total = len(lines)
        if typed:
            for line in lines:
                before = counter.out.lines
                write_lines(chat.stdin_fd, [line], None, close=False)
                if not counter.out.wait(lambda r: r.lines > before,
                                        time.perf_counter() + READY_S):
                    break
        else:
            writer = threading.Thread(target=write_lines, daemon=True,
                                      args=(chat.stdin_fd, batches_of(lines, 4096), None, False))
            writer.start()
            deadline = time.perf_counter() + PIPE_DEADLINE_S

            def finished(r):
                quiet = r.t_last is None or time.perf_counter() - r.t_last > QUIET_S
                return sum(batch_sizes(counter)[base:]) >= total or (not writer.is_alive()
                                                                      and quiet)

            counter.out.wait(finished, deadline)
            writer.join(STOP_S)
        sizes = batch_sizes(counter)[base:]
        return len(sizes), sum(sizes)
    finally:
        stop_all()


def bench_signing(report):
    costs = dict(sign_costs(report))
    lines = make_lines(LINES)
    typed = make_lines(TYPED_LINES)
    piped_runs, typed_runs = [], []
    for run in range(RUNS):
        messages, got = run_signing_lines(lines, False)
        piped_runs.append((messages, got))
        progress("signing piped run %d: %d lines in %d signed batches" % (run + 1, got, messages))
        messages, got = run_signing_lines(typed, True)
        typed_runs.append((messages, got))
        progress("signing typed run %d: %d lines in %d signed batches" % (run + 1, got, messages))
    for key, runs in (("piped", piped_runs), ("typed", typed_runs)):
        costs[key] = {"per_signature": median(g / m if m else float("nan") for m, g in runs),
                      "messages": median(m for m, _ in runs), "lines": median(g for _, g in runs)}
    report["signing"] = costs


# ---------------------------------------------------------------------------------------------
# The report

def progress(text):
    print("  .. " + text, file=sys.stderr, flush=True)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores, Linux %s" % (model, os.cpu_count(), platform.release())


def chat_version():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev = "?"
    return rev or "?"


def zmq_version():
    try:
        return subprocess.run(["pkg-config", "--modversion", "libzmq"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def fmt(value, digits=0):
    if value != value:
        return "-"
    return "{:,.{}f}".format(value, digits).replace(",", " ")


def ratio(a, b):
    return "-" if not b or a != a or b != b else "%.2f" % (a / b)


def verdict(ok):
    return "met" if ok else "MISSED"


def render(report):
    out = []
    add = out.append
    add("# chat benchmarks")
    add("")
    add("%s; %s; libzmq %s; chat %s; %d runs per figure, medians; load average at start %s, "
        "at end %s; %.0f s in all." % (report["date"], report["machine"], report["zmq"],
                                       report["chat"], RUNS, report["load_start"],
                                       report["load_end"], report["seconds"]))
    t = report.get("throughput")
    if t:
        raw, py = t["raw"]["rate"], t["python"]["rate"]
        add("")
        add("## Throughput: %d lines of %d bytes, A's stdin -> B's stdout on localhost" %
            (LINES, LINE_BYTES))
        add("")
        add("| pipe | lines/s | lost (worst run) | CPU µs/line send | CPU µs/line receive "
            "| × raw | × python |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        rows = [("raw libzmq C pipe (rawpipe)", t["raw"]),
                ("python3-zmq pipe, course format (pypipe.py)", t["python"]),
                ("chat, input as fast as it comes", t["chat"])]
        if t.get("chat_paced"):
            p = t["chat_paced"]
            rows.append(("chat, input paced at %s lines/s (%s of %d rates tried)" %
                         (fmt(p["paced_at"]), "fastest lossless" if p["lost"] == 0 else
                          "none lossless; the slowest", len(p["tried"])), p))
        for name, r in rows:
            lost = "%s (%.1f %%)" % (fmt(r["lost"]), 100.0 * r["lost"] / LINES)
            add("| %s | %s | %s | %s | %s | %s | %s |" %
                (name, fmt(r["rate"]), lost, fmt(r["send_us"], 2), fmt(r["recv_us"], 2),
                 ratio(r["rate"], raw), ratio(r["rate"], py)))
    l = report.get("latency")
    if l:
        add("")
        add("## Latency: %d round trips of a %d-byte line, one in flight" % (RTT_COUNT, LINE_BYTES))
        add("")
        add("| round trip | p50 µs | p99 µs | max µs | lost (worst run) | p50 × raw | p99 × raw "
            "| p50 × raw pipes | p99 × raw pipes |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        names = {"raw": "raw libzmq PUB/SUB echo (rawrtt)",
                 "rawlines": "raw line pipes + stdio + lineecho (rawpipe)",
                 "chat": "chat A -> chat B -> lineecho -> B -> A"}
        for kind in ("raw", "rawlines", "chat"):
            r = l[kind]
            pipes = l["rawlines"]
            add("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" %
                (names[kind], fmt(r["p50"]), fmt(r["p99"]), fmt(r["max"]), fmt(r["lost"]),
                 ratio(r["p50"], l["raw"]["p50"]), ratio(r["p99"], l["raw"]["p99"]),
                 ratio(r["p50"], pipes["p50"]) if kind != "raw" else "-",
                 ratio(r["p99"], pipes["p99"]) if kind != "raw" else "-"))
    m = report.get("memory")
    if m:
        add("")
        add("## Memory: one idle peer")
        add("")
        add("| peer | VmRSS kB | VmHWM kB | RSS × raw |")
        add("|---|---:|---:|---:|")
        for kind, name in (("raw", "raw libzmq peer, one PUB + one SUB, connected (rawrtt echo)"),
                           ("chat", "chat, listening and listened to by one chat"),
                           ("chat_alone", "chat alone, no connection")):
            add("| %s | %s | %s | %s |" % (name, fmt(m[kind][0]), fmt(m[kind][1]),
                                         ratio(m[kind][0], m["raw"][0])))
    g = report.get("signing")
    if g:
        add("")
        add("## Signing (protocol version 2): one Ed25519 signature per batch of lines")
        add("")
        add("| operation | µs (median) |")
        add("|---|---:|")
        add("| Ed25519 sign, 48-byte message (crypto_sign_detached) | %s |" % fmt(g["sign_us"], 1))
        add("| Ed25519 verify, 48-byte message | %s |" % fmt(g["verify_us"], 1))
        add("| BLAKE2b-256, 101-byte input | %s |" % fmt(g["hash_us"], 2))
        add("")
        add("| chat A's input, heard by a bare SUB of ~lines | lines heard | signed batches "
            "| lines per signature |")
        add("|---|---:|---:|---:|")
        for key, name in (("piped", "%d lines piped as fast as they come" % LINES),
                          ("typed", "%d lines typed one at a time (the round-trip path)" %
                           TYPED_LINES)):
            r = g[key]
            add("| %s | %s | %s | %s |" % (name, fmt(r["lines"]), fmt(r["messages"]),
                                           fmt(r["per_signature"], 1)))
    s = report.get("scale")
    if s:
        add("")
        add("## Scale: rooms of N chats on localhost; peer 0 sends %d lines to the room" %
            ROOM_LINES)
        add("")
        add("| N | started with | full mesh s | lines/s to all | deliveries/s | lost (worst run) "
            "| RSS/peer idle kB | RSS/peer after kB | max VmHWM kB | CPU µs/delivery |")
        add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in s:
            mesh = fmt(r["mesh_s"], 2)
            if r["formed"] < r["runs"]:
                mesh += " (%d of %d runs formed)" % (r["formed"], r["runs"])
            add("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" %
                (r["size"], ROOM_HOWS[r["how"]], mesh, fmt(r["rate"]), fmt(r["deliveries"]),
                 fmt(r["lost"]), fmt(r["rss_idle"]), fmt(r["rss_busy"]), fmt(r["hwm"]),
                 fmt(r["cpu_us"], 1)))
    if report.get("relay"):
        out.extend(sys.modules["relay"].render(report["relay"]))
    if report.get("relay_idle"):
        out.extend(sys.modules["relayidle"].render(report["relay_idle"]))
    if report.get("hall"):
        out.extend(sys.modules["hall"].render(report["hall"]))
    if not (t or l or m or s):
        return "\n".join(out) + "\n"  # no figure of issue 15's targets was measured
    add("")
    add("## Targets (issue 15)")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    if t:
        best = t["chat_paced"] if t["chat"]["lost"] and t.get("chat_paced") else t["chat"]
        lossless = best["lost"] == 0
        add("| throughput ≥ 1 × raw | %s × raw (%s lines/s%s) | %s |" %
            (ratio(best["rate"], raw), fmt(best["rate"]),
             ", input paced: the fastest rate tried that lost nothing" if best is not t["chat"]
             else "",
             verdict(lossless and best["rate"] >= raw)))
        add("| throughput ≥ 4 × python | %s × python | %s |" %
            (ratio(best["rate"], py), verdict(lossless and best["rate"] >= 4 * py)))
        worst = t["worst_raw_ratio"]
        add("| throughput never below 0.5 × raw | %.2f × raw in the worst of %d runs | %s |" %
            (worst, RUNS, verdict(lossless and worst >= 0.5)))
    if l:
        c = report.get("sign_costs")
        if c:
            budget = 1.1 * (l["rawlines"]["p50"] + 2 * (c["sign_us"] + c["verify_us"]))
            add("| round trip p50 ≤ 1.1 × (raw line pipes p50 + 2 × (sign + verify)) "
                "| %s µs vs %s µs = 1.1 × (%s + 2 × (%s + %s)) | %s |" %
                (fmt(l["chat"]["p50"]), fmt(budget), fmt(l["rawlines"]["p50"]),
                 fmt(c["sign_us"], 1), fmt(c["verify_us"], 1),
                 verdict(l["chat"]["p50"] <= budget)))
        add("| round trip p99 ≤ 1000 µs | %s µs | %s |" %
            (fmt(l["chat"]["p99"]), verdict(l["chat"]["p99"] <= 1000)))
    if m:
        add("| idle RSS ≤ 1.5 × raw | %s × raw (%s kB vs %s kB) | %s |" %
            (ratio(m["chat"][0], m["raw"][0]), fmt(m["chat"][0]), fmt(m["raw"][0]),
             verdict(m["chat"][0] <= 1.5 * m["raw"][0])))
    if s:
        for r in s:
            if r["size"] == 40:
                add("| 40-peer room full mesh ≤ 3 s | %s s, started with %s | %s |" %
                    (fmt(r["mesh_s"], 2), ROOM_HOWS[r["how"]],
                     verdict(r["formed"] == r["runs"] and r["mesh_s"] <= 3)))
        for r in s:
            if r["size"] == 40:
                before = r.get("baseline_cpu_us")
                add("| 40-peer room CPU µs/delivery ≤ 0.5 × before | %s µs, started with %s; "
                    "before (BASELINE_CHAT): %s µs; ratio %s | %s |" %
                    (fmt(r["cpu_us"], 1), ROOM_HOWS[r["how"]],
                     fmt(before, 1) if before is not None else "-",
                     ratio(r["cpu_us"], before) if before is not None else "-",
                     verdict(r["cpu_us"] <= 0.5 * before) if before is not None else
                     "no baseline"))
    losses = []
    if t:
        losses += [("throughput " + k, t[k]["lost"]) for k in ("raw", "python", "chat")]
        if t.get("chat_paced"):
            losses.append(("throughput chat paced", t["chat_paced"]["lost"]))
    if l:
        losses += [("latency " + k, l[k]["lost"]) for k in l]
    if s:
        losses += [("room of %d (%s)" % (r["size"], r["how"]), r["lost"]) for r in s]
    lossy = ["%s: %s" % (name, fmt(n)) for name, n in losses if n]
    add("| no lost line in any benchmark | %s | %s |" %
        ("lost: " + "; ".join(lossy) if lossy else "none lost", verdict(not lossy)))
    return "\n".join(out) + "\n"


def write_scale(report):
    """bench/scale.dat for gnuplot, then bench/scale.png from bench/scale.gp."""
    rows = report.get("scale")
    if not rows:
        return
    with open(os.path.join(HERE, "scale.dat"), "w") as dat:
        # One block per way of starting the room (gnuplot: index 0, index 1)
        for how in ROOM_HOWS:
            dat.write("# rooms started with %s\n" % ROOM_HOWS[how])
            dat.write("# N mesh_s lines_per_s_to_all deliveries_per_s rss_idle_kB rss_after_kB "
                      "hwm_kB cpu_us_per_delivery lost lost_percent\n")
            for r in rows:
                if r["how"] == how:
                    percent = 100.0 * r["lost"] / (ROOM_LINES * (r["size"] - 1))
                    dat.write("%d %.3f %.0f %.0f %.0f %.0f %.0f %.2f %d %.1f\n" %
                              (r["size"], r["mesh_s"], r["rate"], r["deliveries"], r["rss_idle"],
                               r["rss_busy"], r["hwm"], r["cpu_us"], r["lost"], percent))
            dat.write("\n\n")
    try:
        subprocess.run(["gnuplot", "-e", "title='%s'" % report["date"], "scale.gp"], cwd=HERE,
                       check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        progress("gnuplot failed (%s): no bench/scale.png" % error)


def bench_relay(report):
    """The Relay section (issue 16), in bench/relay.py: it needs root for network namespaces."""
    sys.modules.setdefault("bench", sys.modules[__name__])  # relay.py's "import bench" is us
    sys.dont_write_bytecode = True  # no bench/__pycache__
    import relay
    relay.bench_relay(report)


def bench_relay_idle(report):
    """A relay with 50-200 simulated idle members (issue 16), in bench/relayidle.py."""
    sys.modules.setdefault("bench", sys.modules[__name__])
    sys.dont_write_bytecode = True
    import relayidle
    relayidle.bench_relay_idle(report)


def bench_hall(report):
    """N chats in one room, N = 10-150 (issue 17), in bench/hall.py."""
    sys.modules.setdefault("bench", sys.modules[__name__])
    sys.dont_write_bytecode = True
    import hall
    hall.bench_hall(report)


def parse_args(args):
    """The benchmarks named in args (all but relay's by default), after taking out
    "--baseline CHAT" (sets BASELINE_CHAT) and the sizes after "hall" (BENCH_HALL_SIZES)."""
    global BASELINE_CHAT
    if "--baseline" in args:
        at = args.index("--baseline")
        if at + 1 >= len(args):
            sys.exit("bench: --baseline needs a chat binary")
        BASELINE_CHAT = os.path.abspath(args[at + 1])
        del args[at:at + 2]
    sizes = [a for a in args if a.isdigit()]
    if sizes:
        os.environ["BENCH_HALL_SIZES"] = " ".join(sizes)
        args = [a for a in args if not a.isdigit()]
    return args or ["throughput", "latency", "memory", "signing", "scale", "relay",
                    "relay-idle", "hall"]


def main():
    for program in ("rawpipe", "rawrtt", "linertt", "lineecho", "linestamp", "signbench"):
        if not os.access(os.path.join(BIN, program), os.X_OK):
            sys.exit("bench: %s/%s is missing: run make -C bench" % (BIN, program))
    if not os.access(CHAT, os.X_OK):
        sys.exit("bench: %s is missing: run make" % CHAT)
    which = parse_args(sys.argv[1:])
    if BASELINE_CHAT and not os.access(BASELINE_CHAT, os.X_OK):
        sys.exit("bench: the baseline %s is not a program" % BASELINE_CHAT)
    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), "zmq": zmq_version(), "chat": chat_version(),
              "load_start": "%.2f" % os.getloadavg()[0]}
    print("chat benchmarks: %s, %s" % (report["machine"], report["date"]), file=sys.stderr)
    start = time.perf_counter()
    steps = {"throughput": bench_throughput, "latency": bench_latency, "memory": bench_memory,
             "signing": bench_signing, "scale": bench_scale, "relay": bench_relay,
             "relay-idle": bench_relay_idle, "hall": bench_hall}
    unknown = [name for name in which if name not in steps]
    if unknown:
        sys.exit("bench: no benchmark called %s (there are %s)" % (", ".join(unknown),
                                                                 ", ".join(steps)))
    for name in which:
        steps[name](report)
    report["seconds"] = time.perf_counter() - start
    report["load_end"] = "%.2f" % os.getloadavg()[0]
    table = render(report)
    if which != ["hall"]:  # the hall alone writes only its own bench/results-hall.md
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(table)
    write_scale(report)
    print(table)


def on_signal(number, _frame):
    raise SystemExit(128 + number)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        main()
    finally:
        stop_all()
        if "relay" in sys.modules:
            sys.modules["relay"].remove_netns()  # the network namespaces it made
        subprocess.run(["rm", "-rf", TMP])
