#!/usr/bin/python3
"""hall.py - `bench/run hall [N...]` (issue 17): a lecture hall in one room. N real chats on
this machine, each started as a new user would (pipe mode, --no-discovery, -c to the first
only), for N = 10, 50, 100, 150 by default; per N:

- formed: seconds from the last start until the last peer's \\who lists all N - 1 others (the
  issue's definition), and until every peer's \\who has listed all N - 1 once. \\who is typed
  into the last peer every 0.5 s and into every peer that has not listed all yet every 2 s:
  a listing costs a chat microseconds, so the measurement hardly loads the room it measures;
- idle, over IDLE_S (20) s once formed (or once the deadline passed): CPU % of one core per
  peer (utime + stime from /proc/PID/stat, all threads, ended ones too), bytes sent per peer per
  second (TCP payload: bytes_sent of every socket of the peer, from `ss -tieH`, before and
  after; loopback's own counters would count every other process on the machine, and network
  namespaces per peer are not how a new user runs it), VmRSS per peer at the end, and the
  "left" notices printed meanwhile (a room that flaps);
- after the idle time, \\who in every peer once: how many list all N - 1;
- fan-out: the last peer writes LINES lines, RATE a second, each carrying its CLOCK_MONOTONIC
  nanoseconds; every other peer's stdout goes through bench/bin/linestamp (it stamps each
  line at the read that brought it) into a file: the latency of each delivery, p50 / p99 /
  max over all deliveries, the time until a line had reached all N - 1, and the lines lost
  (never shown) and duplicated (shown more than once) summed over the receivers.

The ratio columns compare with N = 10 of the same binary in the same run (how the cost per
peer grows with the room); with --baseline CHAT (or BASELINE_CHAT) a second binary runs
interleaved with chat, size by size, and is compared at the same N. Every process is registered
with bench.py and stopped at the end of each run (SIGTERM, then SIGKILL), also on error; every
wait has a deadline. The soft limit of open files is raised to the hard one (the driver holds
one stdin pipe per chat; each chat holds 2 (N - 1) TCP connections).
Writes bench/results-hall.md, bench/hall.dat and bench/hall.png (bench/hall.gp).
Knobs: BENCH_HALL_SIZES ("10 50 100 150"), BENCH_HALL_RUNS (1), BENCH_HALL_IDLE_S (20),
BENCH_HALL_FORM_S (60), BENCH_HALL_LINES (20), BENCH_HALL_RATE (5).
"""
import os
import re
import resource
import signal
import subprocess
import time

import bench as B

SIZES = [int(n) for n in os.environ.get("BENCH_HALL_SIZES", "10 50 100 150").split()]
RUNS = int(os.environ.get("BENCH_HALL_RUNS", "1"))
IDLE_S = float(os.environ.get("BENCH_HALL_IDLE_S", "20"))
FORM_S = float(os.environ.get("BENCH_HALL_FORM_S", "60"))  # from the last start
LINES = int(os.environ.get("BENCH_HALL_LINES", "20"))
RATE = float(os.environ.get("BENCH_HALL_RATE", "5"))
DELIVER_S = 15.0           # after the last line, receivers have this long to show them all
LAST_WHO_EVERY_S = 0.5     # \who into the last peer this often while the room forms
ALL_WHO_EVERY_S = 2.0      # ... and into every peer that has not listed all yet
END_WHO_S = 10.0           # after the idle time, every peer's \who must come within this
SS_S = 120                 # one `ss` run must end within this
COMMON = ["--no-discovery", "--throwaway-key"]
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
BASE_N = 10                # the ratio columns compare with this N
SENT = re.compile(rb"bytes_sent:(\d+)")
INODE = re.compile(rb" ino:(\d+) ")
FANOUT = re.compile(rb"^(\d+) .*<[^>]*> hall (\d+) (\d+)$")
TARGETS_N = 100            # the targets, at this N


def nick(i):
    return "h%d" % i


def raise_nofile(size):
    """Raise the soft limit of open files to the hard one if size chats might need more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 16 * size + 256
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        B.progress("hall: open files limit raised from %d to %s" % (soft, hard))


class Peer:
    """One chat of the hall: stdin a pipe of ours, stderr a file, stdout through linestamp into
    a file; offsets of what the driver has read of both."""

    def __init__(self, binary, i, port, first_port, tmp):
        self.name = nick(i)
        self.err_path = os.path.join(tmp, "%s.err" % self.name)
        self.out_path = os.path.join(tmp, "%s.out" % self.name)
        argv = [binary, "-n", self.name, "-p", str(port)] + COMMON
        if first_port is not None:
            argv += ["-c", "127.0.0.1:%d" % first_port]
        read_end, write_end = os.pipe()
        err = os.open(self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        out = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            self.stamper = B.Proc([os.path.join(B.BIN, "linestamp")], stdin=read_end, stdout=out,
                                  stderr=None)
            self.chat = B.Proc(argv, stdin=subprocess.PIPE, stdout=write_end, stderr=err)
        finally:
            for fd in (read_end, write_end, err, out):
                os.close(fd)
        self.err_seen = 0      # bytes of err_path looked at by new_err
        self.listed = 0        # members its latest complete \who listed
        self.listed_at = None  # when it first listed all

    def type(self, text):
        """Write text to its stdin; False if it cannot take it (it has ended)."""
        try:
            os.write(self.chat.stdin_fd, text)
            return True
        except (OSError, TypeError):
            return False

    def new_err(self):
        """What its stderr has gained since the last call (complete lines only)."""
        with open(self.err_path, "rb") as f:
            f.seek(self.err_seen)
            data = f.read()
        cut = data.rfind(b"\n") + 1
        self.err_seen += cut
        return data[:cut]


def who_count(text, names):
    """Members of the last \\who listing in text (complete lines): the lines of a listing start
    with 3 spaces and a member's name; a listing ends at the first line that does not. None if
    text holds no listing."""
    count, current, inside = None, set(), False
    for line in text.split(b"\n"):
        words = line.split()
        if line.startswith(b"   ") and words and words[0] in names:
            current.add(words[0])
            inside = True
        elif inside:
            count, current, inside = len(current), set(), False
    # A listing is written in one go: one that ends the text (at a line's end) is complete
    return len(current) if inside else count


def cpu_s(pid):
    """CPU seconds (user + system) of pid so far, all its threads, ended ones too."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * TICK_S
    except (OSError, IndexError, ValueError):
        return float("nan")


def socket_owners(pids):
    """{socket inode: pid} of the sockets the processes pids hold (/proc/PID/fd)."""
    owners = {}
    for pid in pids:
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                owners[int(target[8:-1])] = pid
    return owners


def sockets_sent(pids):
    """{(pid, socket inode): bytes_sent} of every established TCP socket of pids, from one
    `ss -tieH` (a socket's first line has its inode, the next its counters; ss's own -p is
    left out: it reads every process's fds and took over a minute with 150 chats running),
    or None if ss fails."""
    owners = socket_owners(pids)
    try:
        text = subprocess.run(["ss", "-tieH", "state", "established"], capture_output=True,
                              timeout=SS_S, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    result, key = {}, None
    for line in text.split(b"\n"):
        if not line.startswith((b"\t", b" ")):
            inode = INODE.search(line)
            pid = owners.get(int(inode.group(1))) if inode else None
            key = (pid, int(inode.group(1))) if pid else None
            sent = SENT.search(line)  # some ss versions put the counters on the same line
        else:
            sent = SENT.search(line)
        if key is not None and sent:
            result[key] = int(sent.group(1))
            key = None
    return result


def sent_per_pid(before, after):
    """Bytes each pid sent between two sockets_sent snapshots; a socket made in between counts
    from zero, and the bytes of one closed in between are not counted (the number of such
    sockets is returned too)."""
    if before is None or after is None:
        return None, 0
    per_pid = {}
    for key, sent in after.items():
        per_pid[key[0]] = per_pid.get(key[0], 0) + sent - before.get(key, 0)
    return per_pid, sum(1 for key in before if key not in after)


def top(values):
    """The largest of values that are numbers (NaN: a peer that had ended)."""
    values = [v for v in values if v == v]
    return max(values) if values else float("nan")


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return float("nan")


def count_left(text):
    return sum(1 for line in text.split(b"\n") if line.startswith(b"-- ") and b" left" in line)


def start_hall(binary, size, tmp):
    """size chats: the first, once it listens, then every other at once with -c to it."""
    ports = B.free_ports(size)
    first = Peer(binary, 0, ports[0], None, tmp)
    t0 = time.perf_counter()
    deadline = t0 + B.READY_S
    while b"others reach you at" not in open(first.err_path, "rb").read():
        if time.perf_counter() > deadline or not first.chat.alive():
            raise RuntimeError("hall: the first chat does not start (%s)" % first.err_path)
        time.sleep(0.02)
    peers = [first] + [Peer(binary, i, ports[i], ports[0], tmp) for i in range(1, size)]
    return peers, t0, time.perf_counter()


def await_formed(peers, t_last):
    """Type \\who until the last peer, then every peer, has listed all others, or FORM_S after
    the last start. Returns (seconds until the last peer listed all, until every peer had)."""
    names = {p.name.encode() for p in peers}
    last, want = peers[-1], len(peers) - 1
    deadline = t_last + FORM_S
    texts = {id(p): b"" for p in peers}
    asked_all = 0.0
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        pending = [p for p in peers if p.listed_at is None]
        if not pending:
            break
        ask = [last] if last.listed_at is None else []
        if now - asked_all >= ALL_WHO_EVERY_S:
            ask, asked_all = pending, now
        for p in ask:
            p.type(b"\\who\n")
        time.sleep(LAST_WHO_EVERY_S)
        for p in pending:
            data = p.new_err()
            if not data:
                continue
            texts[id(p)] = (texts[id(p)] + data)[-(1 << 16):]  # two listings of 256 fit
            count = who_count(texts[id(p)], names - {p.name.encode()})
            if count is not None:
                p.listed = count
                if count >= want and p.listed_at is None:
                    p.listed_at = time.perf_counter()
    done = [p.listed_at for p in peers]
    return (last.listed_at - t_last if last.listed_at else float("nan"),
            max(done) - t_last if all(done) else float("nan"))


def measure_idle(peers):
    """IDLE_S idle seconds: CPU %, bytes sent per second and 'left' notices of each peer."""
    pids = {p.chat.pid for p in peers}
    for p in peers:
        p.new_err()  # what came before the idle time is not counted
    sent0 = sockets_sent(pids)
    cpu0 = [cpu_s(p.chat.pid) for p in peers]
    t0 = time.perf_counter()
    time.sleep(IDLE_S)
    elapsed = time.perf_counter() - t0
    cpu1 = [cpu_s(p.chat.pid) for p in peers]
    sent, closed = sent_per_pid(sent0, sockets_sent(pids))
    return {"cpu": [(b - a) / elapsed * 100 for a, b in zip(cpu0, cpu1)],
            "bytes": [sent.get(p.chat.pid, 0) / elapsed if sent is not None else float("nan")
                      for p in peers],
            "rss": [rss_kb(p.chat.pid) / 1024 for p in peers],
            "left": sum(count_left(p.new_err()) for p in peers), "closed": closed,
            "alive": sum(1 for p in peers if p.chat.alive())}


def listing_all(peers):
    """\\who into every peer once: (peers whose listing shows all others, fewest listed)."""
    names = {p.name.encode() for p in peers}
    for p in peers:
        p.type(b"\\who\n")
    deadline = time.perf_counter() + END_WHO_S
    counts = {}
    while time.perf_counter() < deadline and len(counts) < len(peers):
        time.sleep(0.2)
        for p in peers:
            if p.name not in counts:
                count = who_count(open(p.err_path, "rb").read()[p.err_seen:],
                                  names - {p.name.encode()})
                if count is not None:
                    counts[p.name] = count
    listed = [counts.get(p.name, 0) for p in peers]
    return sum(1 for c in listed if c >= len(peers) - 1), min(listed)


def fan_out(peers):
    """The last peer writes LINES stamped lines at RATE a second; every other peer's stamped
    stdout is read until all have all, or DELIVER_S after the last line."""
    sender, receivers = peers[-1], peers[:-1]
    sent_at = {}
    offsets = {p.name: os.path.getsize(p.out_path) for p in receivers}
    start = time.perf_counter()
    for seq in range(LINES):
        delay = start + seq / RATE - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent_at[seq] = time.monotonic_ns()
        sender.type(b"hall %03d %d\n" % (seq, sent_at[seq]))
    seen = {p.name: {} for p in receivers}  # seq -> [ns of each time it was shown]
    deadline = time.perf_counter() + DELIVER_S
    while True:
        for p in receivers:
            with open(p.out_path, "rb") as f:
                f.seek(offsets[p.name])
                data = f.read()
            cut = data.rfind(b"\n") + 1
            offsets[p.name] += cut
            for line in data[:cut].split(b"\n"):
                match = FANOUT.match(line)
                if match and int(match.group(3)) == sent_at.get(int(match.group(2))):
                    seen[p.name].setdefault(int(match.group(2)), []).append(int(match.group(1)))
        if all(len(s) == LINES for s in seen.values()) or time.perf_counter() > deadline:
            break
        time.sleep(0.1)
    return fan_out_figures(sent_at, seen)


def fan_out_figures(sent_at, seen):
    """Latencies (ms) of first deliveries, per line the time until the last receiver had it,
    lost and duplicated deliveries."""
    latencies, to_all = [], []
    for seq, ns in sent_at.items():
        firsts = [min(s[seq]) - ns for s in seen.values() if seq in s]
        latencies += firsts
        if len(firsts) == len(seen):
            to_all.append(max(firsts) / 1e6)
    latencies = sorted(x / 1e6 for x in latencies)
    return {"p50": B.percentile(latencies, 0.50) if latencies else float("nan"),
            "p99": B.percentile(latencies, 0.99) if latencies else float("nan"),
            "max": latencies[-1] if latencies else float("nan"),
            "to_all": B.median(to_all), "reached_all": len(to_all),
            "lost": sum(len(sent_at) - len(s) for s in seen.values()),
            "dup": sum(len(v) - 1 for s in seen.values() for v in s.values())}


def stop_hall():
    """SIGTERM to every process of the run at once, one common deadline of STOP_S, then
    SIGKILL to the rest (bench.stop_all gives each its own STOP_S: with 150 chats that do not
    end on SIGTERM that is minutes). Returns how many chats had to be killed."""
    procs = [p for p in B.PROCS if p.status is None]
    for p in procs:
        p.close_stdin()
        if p._poll():
            os.kill(p.pid, signal.SIGTERM)
    deadline = time.perf_counter() + B.STOP_S
    while any(p._poll() for p in procs) and time.perf_counter() < deadline:
        time.sleep(0.05)
    killed = 0
    for p in procs:
        if p._poll():
            killed += os.path.basename(p.argv[0]) != "linestamp"
            os.kill(p.pid, signal.SIGKILL)
    B.stop_all()
    return killed


def run_once(binary, size):
    """One hall of size chats of binary; returns its figures."""
    tmp = os.path.join(B.TMP, "hall-%d-%d" % (size, time.monotonic_ns()))
    os.makedirs(tmp)
    try:
        peers, t0, t_last = start_hall(binary, size, tmp)
        formed_last, formed_all = await_formed(peers, t_last)
        idle = measure_idle(peers)
        listed, fewest = listing_all(peers)
        result = {"started_s": t_last - t0, "formed_last": formed_last, "formed_all": formed_all,
                  "formed_peers": sum(1 for p in peers if p.listed_at is not None),
                  "fewest_formed": min(p.listed for p in peers),
                  "end_listing_all": listed, "end_fewest": fewest,
                  "cpu_med": B.median(idle["cpu"]), "cpu_max": top(idle["cpu"]),
                  "cpu_sum": sum(v for v in idle["cpu"] if v == v),
                  "bytes_med": B.median(idle["bytes"]), "bytes_max": top(idle["bytes"]),
                  "rss_med": B.median(idle["rss"]), "rss_max": top(idle["rss"]),
                  "left": idle["left"], "closed": idle["closed"], "alive": idle["alive"],
                  "load": os.getloadavg()[0]}
        result.update(fan_out(peers))
        result["killed"] = stop_hall()
        return result
    finally:
        B.stop_all()
        subprocess.run(["rm", "-rf", tmp])


def bench_hall(report):
    raise_nofile(max(SIZES))
    binaries = [("chat", B.CHAT)] + ([("baseline", B.BASELINE_CHAT)] if B.BASELINE_CHAT else [])
    runs = {(label, size): [] for size in SIZES for label, _ in binaries}
    for run in range(RUNS):
        for k, size in enumerate(SIZES):
            # Interleaved, and the order turned round size by size: a noisy moment hits both
            for label, binary in binaries if k % 2 == 0 else binaries[::-1]:
                r = run_once(binary, size)
                runs[(label, size)].append(r)
                B.progress("hall %s N=%d run %d: started in %.1f s; last peer listed all %.1f s "
                           "after the last start, every peer %.1f s (%d of %d, fewest %d); idle "
                           "CPU %.2f %% median, %.2f %% max, %.0f %% in all; %.0f B/s sent "
                           "median; RSS %.1f MB median, %.1f max; %d 'left' while idle; "
                           "after: %d list all (fewest %d); fan-out p50 %.1f ms, p99 %.1f ms, "
                           "%d lost, %d twice; %d chats needed SIGKILL; load %.2f" % (
                               label, size, run + 1, r["started_s"], r["formed_last"],
                               r["formed_all"], r["formed_peers"], size, r["fewest_formed"],
                               r["cpu_med"], r["cpu_max"], r["cpu_sum"], r["bytes_med"],
                               r["rss_med"], r["rss_max"], r["left"], r["end_listing_all"],
                               r["end_fewest"], r["p50"], r["p99"], r["lost"], r["dup"],
                               r["killed"], r["load"]))
    rows = []
    for (label, size), results in runs.items():
        row = {k: B.median(r[k] for r in results) for k in results[0]}
        row.update({k: max(r[k] for r in results)
                    for k in ("cpu_max", "bytes_max", "rss_max", "p99", "max", "lost", "dup",
                              "left")})
        row.update(label=label, size=size, runs=len(results),
                   binary=dict(binaries)[label])
        rows.append(row)
    report["hall"] = rows
    write_results(report, rows)


def base_of(rows, row):
    for r in rows:
        if r["label"] == row["label"] and r["size"] == BASE_N:
            return r
    return None


def ratio_to(rows, row, key, other=None):
    base = other if other is not None else base_of(rows, row)
    return B.ratio(row[key], base[key]) if base else "-"


def secs(value):
    return "not in %.0f s" % FORM_S if value != value else B.fmt(value, 1)


def render(rows):
    out = ["", "## Hall: N chats in one room (issue 17), each -c to the first only; "
           "after %.0f s idle; medians of %d run(s)" % (IDLE_S, RUNS), ""]
    add = out.append
    add("| N | chat | formed: last peer lists all, s | every peer lists all, s (peers) "
        "| idle CPU % per peer, median (max) | × N=10 | sent B/s per peer, median (max) "
        "| × N=10 | VmRSS MB per peer, median (max) | × N=10 | fan-out p50 ms | p99 ms "
        "| line to all N-1, ms | lost | twice | after idle: list all (fewest) "
        "| 'left' while idle |")
    add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: (r["label"] != "chat", r["size"])):
        add("| %d | %s | %s | %s (%d) | %s (%s) | %s | %s (%s) | %s | %s (%s) | %s | %s | %s "
            "| %s | %s | %s | %d of %d (%d) | %s |" % (
                r["size"], r["label"], secs(r["formed_last"]), secs(r["formed_all"]),
                r["formed_peers"], B.fmt(r["cpu_med"], 2), B.fmt(r["cpu_max"], 2),
                ratio_to(rows, r, "cpu_med"), B.fmt(r["bytes_med"]), B.fmt(r["bytes_max"]),
                ratio_to(rows, r, "bytes_med"), B.fmt(r["rss_med"], 1), B.fmt(r["rss_max"], 1),
                ratio_to(rows, r, "rss_med"), B.fmt(r["p50"], 1), B.fmt(r["p99"], 1),
                B.fmt(r["to_all"], 1), B.fmt(r["lost"]), B.fmt(r["dup"]),
                r["end_listing_all"], r["size"], r["end_fewest"], B.fmt(r["left"])))
    add("")
    add("Formed: seconds after the last chat started (they start at once, once the first "
        "listens), until its \\who lists all N - 1 others, and until every peer's \\who has "
        "(how many did within %.0f s). Idle CPU %% of one core (utime + stime, /proc/PID/stat); "
        "this machine has %d. Sent: TCP payload bytes per second (`ss -tieH` bytes_sent, all "
        "the peer's sockets). Fan-out: the last peer writes %d lines, %.0f a second; latency "
        "from its write to the read of each other peer's stdout (bench/bin/linestamp), over all "
        "deliveries; line to all: median time until a line had reached all N - 1; lost: "
        "deliveries that never came (of %d × (N - 1)), twice: shown more than once. After idle: "
        "\\who typed into every peer once. × N=10: against N = 10 of the same binary." % (
            FORM_S, os.cpu_count(), LINES, RATE, LINES))
    chats = {r["size"]: r for r in rows if r["label"] == "chat"}
    bases = {r["size"]: r for r in rows if r["label"] == "baseline"}
    if bases:
        add("")
        add("chat against the baseline (%s) at the same N, same run:" %
            next(iter(bases.values()))["binary"])
        add("")
        add("| N | idle CPU × baseline | sent B/s × baseline | VmRSS × baseline "
            "| p99 × baseline |")
        add("|---:|---:|---:|---:|---:|")
        for size in sorted(set(chats) & set(bases)):
            c, b = chats[size], bases[size]
            add("| %d | %s | %s | %s | %s |" % (size, ratio_to(rows, c, "cpu_med", b),
                                                ratio_to(rows, c, "bytes_med", b),
                                                ratio_to(rows, c, "rss_med", b),
                                                ratio_to(rows, c, "p99", b)))
    out.extend(render_targets(chats))
    return out


def render_targets(chats):
    out = ["", "#### Targets (issue 17), chat at N = %d" % TARGETS_N, "", "| target | measured | |",
           "|---|---|---|"]
    r = chats.get(TARGETS_N)
    if r:
        rows = [("idle CPU ≤ 0.2 % per peer", "%s %% median, %s %% max" % (
            B.fmt(r["cpu_med"], 2), B.fmt(r["cpu_max"], 2)), r["cpu_med"] <= 0.2),
            ("formed ≤ 10 s after the last start", "%s s (every peer: %s)" % (
                secs(r["formed_last"]), secs(r["formed_all"])), r["formed_last"] <= 10),
            ("a line reaches all %d with p99 ≤ 250 ms" % (TARGETS_N - 1), "p99 %s ms, %d of "
             "%d lines reached all" % (B.fmt(r["p99"], 1), r["reached_all"], LINES),
             r["p99"] <= 250 and r["reached_all"] == LINES),
            ("0 lost", "%s lost, %s twice" % (B.fmt(r["lost"]), B.fmt(r["dup"])),
             r["lost"] == 0 and r["dup"] == 0),
            ("RSS ≤ 16 MB per peer", "%s MB median, %s MB max" % (
                B.fmt(r["rss_med"], 1), B.fmt(r["rss_max"], 1)), r["rss_med"] <= 16)]
        for name, measured, ok in rows:
            out.append("| %s | %s | %s |" % (name, measured, B.verdict(ok)))
    big = chats.get(150)
    if big:
        ok = big["formed_last"] == big["formed_last"] and big["reached_all"] == LINES
        formed = secs(big["formed_last"])
        formed += "" if formed.startswith("not") else " s"
        out.append("| N = 150 still forms and delivers | last peer lists all: %s; %d of %d "
                   "lines reached all 149, %s lost | %s |" % (
                       formed, big["reached_all"], LINES, B.fmt(big["lost"]),
                       B.verdict(ok)))
    return out


def write_results(report, rows):
    """bench/results-hall.md, bench/hall.dat and bench/hall.png (gnuplot bench/hall.gp)."""
    text = ["# chat benchmarks: hall", "",
            "%s; %s; libzmq %s; chat %s; load average %.2f at the end." % (
                report["date"], report["machine"], report["zmq"], report["chat"],
                os.getloadavg()[0])]
    with open(os.path.join(B.HERE, "results-hall.md"), "w") as f:
        f.write("\n".join(text + render(rows)) + "\n")
    with open(os.path.join(B.HERE, "hall.dat"), "w") as dat:
        for label in ("chat", "baseline"):  # gnuplot: index 0 chat, index 1 the baseline
            dat.write("# %s\n# N formed_last_s formed_all_s cpu_med_pct cpu_max_pct "
                      "bytes_med_per_s bytes_max_per_s rss_med_MB rss_max_MB p50_ms p99_ms "
                      "to_all_ms lost dup\n" % label)
            for r in sorted((r for r in rows if r["label"] == label), key=lambda r: r["size"]):
                dat.write("%d %s\n" % (r["size"], " ".join(
                    "%.4f" % r[k] if r[k] == r[k] else "NaN"
                    for k in ("formed_last", "formed_all", "cpu_med", "cpu_max", "bytes_med",
                              "bytes_max", "rss_med", "rss_max", "p50", "p99", "to_all",
                              "lost", "dup"))))
            if not any(r["label"] == label for r in rows):
                dat.write("NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN\n")
            dat.write("\n\n")
    try:
        # quiet: without a baseline it warns about its empty block
        subprocess.run(["gnuplot", "-e", "title='%s'" % report["date"], "hall.gp"], cwd=B.HERE,
                       check=True, timeout=60, capture_output=True)
    except subprocess.CalledProcessError as error:
        B.progress("gnuplot failed: no bench/hall.png:\n" + error.stderr.decode(errors="replace"))
    except (OSError, subprocess.SubprocessError) as error:
        B.progress("gnuplot failed (%s): no bench/hall.png" % error)
