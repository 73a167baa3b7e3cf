#!/usr/bin/python3
"""relay.py - the Relay section of `make bench` (issue 16): lines forwarded round a missing
link, and `chat --relay`, measured in network namespaces against a baseline of the same run.

bench.py runs it (`bench/run relay`, and in `make bench` when run as root); it uses bench.py's
processes, waits and tables. Three benchmarks, bench/README.md says how to read them:

- latency: anna (ns A) and cesar (ns C) each -c bertil (ns B, on both nets, no IP forwarding),
  or a `chat --relay` in B; anna's lines carry their CLOCK_MONOTONIC send time, bertil and
  dora (anna's neighbour in A) hear them directly, cesar only through B; one-way latency,
  loss and order at each;
- room: a relay (ns R) and N members (ns M) that cannot dial each other (iptables drops their
  SYNs to M's addresses), so every line goes through the relay; one member sends a burst;
  against the same room as a full mesh without the relay;
- idle: N members on one relay, idle; the relay's RSS and CPU, against the same relay before
  anyone joined.

Every namespace made is removed at the end, also on an error or Ctrl-C (bench.py's finally),
after every process is stopped; every wait has a deadline.
"""
import os
import re
import subprocess
import time

import bench as B

RUNS = int(os.environ.get("BENCH_RELAY_RUNS", str(B.RUNS)))
LAT_LINES = int(os.environ.get("BENCH_RELAY_LAT_LINES", "2000"))  # paced, then as many in a burst
LAT_GAP_S = 0.002          # one paced line every 2 ms
ROOM_SIZE = int(os.environ.get("BENCH_RELAY_ROOM", "40"))
ROOM_LINES = int(os.environ.get("BENCH_RELAY_LINES", "5000"))  # the room's burst
# idle rooms: members that reach only the relay ("isolated"), and members that reach each
# other too ("mesh"), of these sizes
IDLE_PLAN = [(int(n), how) for how, knob, sizes in (
    ("isolated", "BENCH_RELAY_IDLE", "50 100 200"), ("mesh", "BENCH_RELAY_IDLE_MESH", "50 100"))
    for n in os.environ.get(knob, sizes).split()]
IDLE_RUNS = int(os.environ.get("BENCH_RELAY_IDLE_RUNS", "3"))
IDLE_FORM_S = 45           # an idle room must be formed within this (100 members take 8 s)
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
PARTS = os.environ.get("BENCH_RELAY_PARTS", "latency room idle").split()
IDLE_S = float(os.environ.get("BENCH_RELAY_IDLE_S", "20"))
BATCH = 25                 # idle members are started this many at a time ...
BATCH_S = 60               # ... and each batch must hear the relay within this
VIA_DEADLINE_S = 90        # a room must be formed (\who says so) within this
WHO_EVERY_S = 0.5          # \who is typed this often while waiting
PORT = 5557                # in a namespace of its own every port is free
MEMBER_PORT0 = 21000       # members sharing ns M listen on 21000, 21001, ...
COMMON = ["--no-discovery", "--throwaway-key"]
TAG = "cb%d" % (os.getpid() % 100000)  # our namespaces and veths: cbPID...
NETNS = []                 # the namespaces made, removed by remove_netns()
VETHS = []                 # one entry per veth pair made: its number names it
LINE = re.compile(rb"^(\d+) .* rl ([pb]) (\d+) (\d+)$")  # linestamp + chat's "... <anna> rl ..."


# ---------------------------------------------------------------------------------------------
# Namespaces

def ip(*args):
    done = subprocess.run(["ip"] + list(args), timeout=20, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("ip %s: %s" % (" ".join(args), done.stderr.strip()))


def ns_add(name):
    """A new network namespace TAG+name with lo up; registered for remove_netns()."""
    full = TAG + name
    ip("netns", "add", full)
    NETNS.append(full)
    ip("-n", full, "link", "set", "lo", "up")
    return full


def veth(ns1, addr1, ns2, addr2):
    """A veth pair between ns1 (addr1, CIDR) and ns2 (addr2), both ends up."""
    VETHS.append(ns1)
    one, two = "%sv%d" % (TAG, len(VETHS)), "%sw%d" % (TAG, len(VETHS))
    ip("link", "add", one, "netns", ns1, "type", "veth", "peer", "name", two, "netns", ns2)
    for ns, dev, addr in ((ns1, one, addr1), (ns2, two, addr2)):
        ip("-n", ns, "addr", "add", addr, "dev", dev)
        ip("-n", ns, "link", "set", dev, "up")


def isolate(ns, on):
    """Drop (on) or allow again the SYNs ns sends to its own addresses: its chats cannot dial
    each other, only be dialled from outside."""
    for dest in ("198.18.0.2", "127.0.0.1"):
        subprocess.run(["ip", "netns", "exec", ns, "iptables", "-A" if on else "-D", "OUTPUT",
                        "-d", dest, "-p", "tcp", "--syn", "-j", "DROP"], check=on, timeout=20,
                       capture_output=True)


def remove_netns():
    """Remove every namespace made (their veths go with them). Processes are stopped first."""
    B.stop_all()
    for ns in reversed(NETNS):
        subprocess.run(["ip", "netns", "del", ns], timeout=20, capture_output=True)
    NETNS.clear()


def usable():
    """None if the benchmark can run here, else why not."""
    if os.geteuid() != 0:
        return "not root (network namespaces need root)"
    for tool in ("ip", "iptables"):
        if subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True).returncode:
            return "no %s (iproute2, iptables)" % tool
    return None


def chat_in(ns, *args):
    return ["ip", "netns", "exec", ns, B.CHAT] + list(args) + COMMON


# ---------------------------------------------------------------------------------------------
# \who: the members a chat shows, and how

def who_block(text):
    """The members of the last \\who listings in a chat's stderr (lines that start with 3
    spaces; listings typed one after another run together): the latest line for each name."""
    block, current = {}, {}
    for line in text.split("\n"):
        if line.startswith("   ") and line.strip():
            current[line.split()[0]] = line
        else:
            if current:
                block = current
            current = {}
    return list(block.values())  # a listing still being written is not the last one yet


def shown(text, how):
    """How many members the last \\who shows: via the relay (how "relay"), via bertil
    ("bertil"), or directly and not the relay ("direct")."""
    block = who_block(text)
    if how == "direct":
        return sum(1 for line in block if "via " not in line and "(relay)" not in line)
    return sum(1 for line in block if line.rstrip().endswith("via " + how))


def type_who(procs):
    for proc in procs:
        if proc.stdin_fd is not None:
            try:
                os.write(proc.stdin_fd, b"\\who\n")
            except OSError:
                pass


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def wait_shown(procs, texts, how, count, deadline):
    """Type \\who into procs until each shows count members how (texts(i): its stderr so far).
    Returns True, or False at the deadline."""
    while time.perf_counter() < deadline:
        type_who(procs)
        time.sleep(WHO_EVERY_S)
        if all(shown(texts(i), how) >= count for i in range(len(procs))):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Latency: anna - B - cesar, B a member (bertil) or a relay

def stamped(argv, path, **kwargs):
    """Start argv with its stdout through linestamp into path."""
    read_end, write_end = os.pipe()
    try:
        with open(path, "wb") as out:
            B.Proc([os.path.join(B.BIN, "linestamp")], stdin=read_end, stdout=out, stderr=None)
        return B.Proc(argv, stdout=write_end, **kwargs)
    finally:
        os.close(read_end)
        os.close(write_end)


def stamp_lines(path):
    """[(phase, seq, latency µs)] of the anna lines in a linestamp file, in arrival order."""
    lines = []
    with open(path, "rb") as f:
        for line in f:
            m = LINE.match(line.rstrip(b"\n"))
            if m:
                lines.append((m.group(2), int(m.group(3)),
                              (int(m.group(1)) - int(m.group(4))) / 1000.0))
    return lines


def lat_stats(lines, phase, count):
    got = [(seq, us) for p, seq, us in lines if p == phase]
    seqs = [seq for seq, _ in got]
    values = sorted(us for _, us in got)
    return {"p50": B.percentile(values, 0.5), "p99": B.percentile(values, 0.99),
            "lost": count - len(set(seqs) & set(range(count))),
            "disorder": sum(1 for a, b in zip(seqs, seqs[1:]) if b < a),
            "twice": len(seqs) - len(set(seqs))}


def send_lines(fd, phase, count, gap):
    """count lines "rl PHASE SEQ NS" into fd, one every gap s, or (gap 0) all in one write."""
    now = time.clock_gettime_ns
    mono = time.CLOCK_MONOTONIC
    if not gap:
        data = b"".join(b"rl %s %d %d\n" % (phase, i, now(mono)) for i in range(count))
        B.write_lines(fd, [data], None, close=False)
        return
    start = time.perf_counter()
    for i in range(count):
        delay = start + i * gap - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        os.write(fd, b"rl %s %d %d\n" % (phase, i, now(mono)))


def run_latency(middle, run):
    """One run with B a member ("bertil") or a relay ("relay"). Returns {receiver: {phase:
    stats}} and the seconds until cesar showed anna via B."""
    a, b, c = ns_add("a"), ns_add("b"), ns_add("c")
    try:
        veth(a, "198.18.1.1/24", b, "198.18.1.2/24")
        veth(c, "198.18.2.3/24", b, "198.18.2.2/24")
        subprocess.run(["ip", "netns", "exec", b, "sysctl", "-qw", "net.ipv4.ip_forward=0"],
                       check=True, timeout=20, capture_output=True)
        path = lambda who: os.path.join(B.TMP, "lat-%s-%d-%s" % (middle, run, who))  # noqa
        t0 = time.perf_counter()
        listeners = {}
        if middle == "bertil":
            listeners["bertil"] = stamped(chat_in(b, "-n", "bertil", "-p", str(PORT)),
                                          path("bertil"), stdin=subprocess.PIPE,
                                          err_pattern=b"anna joined (")
        else:
            B.Proc(chat_in(b, "--relay", "-p", str(PORT)))
        anna = B.Proc(chat_in(a, "-n", "anna", "-p", str(PORT), "-c", "198.18.1.2:%d" % PORT),
                      stdin=subprocess.PIPE)
        listeners["dora"] = stamped(chat_in(a, "-n", "dora", "-p", str(PORT + 1), "-c",
                                            "198.18.1.1:%d" % PORT), path("dora"),
                                    stdin=subprocess.PIPE, err_pattern=b"anna joined (")
        cesar = stamped(chat_in(c, "-n", "cesar", "-p", str(PORT), "-c", "198.18.2.2:%d" % PORT),
                        path("cesar"), stdin=subprocess.PIPE)
        deadline = time.perf_counter() + VIA_DEADLINE_S
        if not all(p.err.wait(lambda r: r.hits >= 1, deadline) for p in listeners.values()):
            raise RuntimeError("latency %s: anna not heard directly within %d s" %
                               (middle, VIA_DEADLINE_S))
        # cesar shows anna "via bertil" (or "via relay"): the forwarding is subscribed
        text = lambda _: cesar.err.data().decode(errors="replace")  # noqa
        if not wait_shown([cesar], text, middle, 2, deadline):  # anna and dora
            raise RuntimeError("latency %s: cesar never showed anna via %s:\n%s" %
                               (middle, middle, text(0)[-2000:]))
        via_s = time.perf_counter() - t0
        send_lines(anna.stdin_fd, b"p", LAT_LINES, LAT_GAP_S)
        time.sleep(0.5)
        send_lines(anna.stdin_fd, b"b", LAT_LINES, 0)
        listeners["cesar"] = cesar
        files = {who: path(who) for who in listeners}

        def count():
            return {who: sum(1 for line in open(f, "rb") if b" rl " in line)
                    for who, f in files.items()}

        quiet_until, last = time.perf_counter() + B.QUIET_S, None
        end = time.perf_counter() + B.PIPE_DEADLINE_S
        while time.perf_counter() < end:
            counts = count()
            if all(n >= 2 * LAT_LINES for n in counts.values()):
                break
            if counts != last:
                last, quiet_until = counts, time.perf_counter() + B.QUIET_S
            elif time.perf_counter() > quiet_until:
                break  # nothing more for QUIET_S: the rest is lost
            time.sleep(0.05)
        B.stop_all()  # linestamp ends when its chat does, so the files are complete
        result = {}
        for who, f in files.items():
            lines = stamp_lines(f)
            result[who] = {phase.decode(): lat_stats(lines, phase, LAT_LINES)
                           for phase in (b"p", b"b")}
        return result, via_s
    finally:
        remove_netns()


def bench_latency(report):
    runs = {"bertil": [], "relay": []}
    for run in range(RUNS):
        for middle in runs:  # interleaved
            result, via_s = run_latency(middle, run)
            runs[middle].append((result, via_s))
            B.progress("relay latency, B = %s, run %d: via after %.1f s; %s" % (
                middle, run + 1, via_s, "; ".join(
                    "%s p50 %.0f/%.0f µs lost %d/%d" % (who, r["p"]["p50"], r["b"]["p50"],
                                                        r["p"]["lost"], r["b"]["lost"])
                    for who, r in result.items())))
    summary = {}
    for middle, results in runs.items():
        summary[middle] = {"via_s": B.median(v for _, v in results)}
        for who in results[0][0]:
            summary[middle][who] = {}
            for phase in ("p", "b"):
                stats = [r[who][phase] for r, _ in results]
                row = {key: B.median(s[key] for s in stats) for key in ("p50", "p99")}
                row.update({key: max(s[key] for s in stats)
                            for key in ("lost", "disorder", "twice")})
                # the difference of p50s, run by run (relayed - direct), then its median
                row["diff_runs"] = [r["cesar"][phase]["p50"] - r[who][phase]["p50"]
                                    for r, _ in results]
                summary[middle][who][phase] = row
    report["latency"] = summary


# ---------------------------------------------------------------------------------------------
# Rooms: N members through a relay (members cannot dial each other), or a full mesh

def start_members(m, size, first, how, stdin=True):
    """Members first..size-1 in ns m, on ports MEMBER_PORT0+i, stdout and stderr into files.
    how "relay": each -c the relay; "mesh": each -c member 0."""
    members = []
    target = "198.18.0.1:%d" % PORT if how == "relay" else "198.18.0.2:%d" % MEMBER_PORT0
    for i in range(first, size):
        out = os.path.join(B.TMP, "m%d.out" % i)
        err = os.path.join(B.TMP, "m%d.err" % i)
        args = ["-n", "m%d" % i, "-p", str(MEMBER_PORT0 + i)]
        if how == "relay" or i > 0:
            args += ["-c", target]
        with open(out, "wb") as fo, open(err, "wb") as fe:
            proc = B.Proc(chat_in(m, *args), stdin=subprocess.PIPE if stdin else None,
                          stdout=fo, stderr=fe)
        proc.out_path, proc.err_path = out, err
        members.append(proc)
    return members


def room_netns(how):
    r, m = ns_add("r"), ns_add("m")
    veth(r, "198.18.0.1/24", m, "198.18.0.2/24")
    if how in ("relay", "isolated"):
        isolate(m, True)
    return r, m


def start_relay(r):
    relay = B.Proc(chat_in(r, "--relay", "-p", str(PORT)), err_pattern=b"others reach you at")
    if not relay.err.wait(lambda p: p.hits >= 1, time.perf_counter() + B.READY_S):
        raise RuntimeError("the relay did not start within %d s" % B.READY_S)
    return relay


def run_room(how, run):
    """One room of ROOM_SIZE members, through a relay or as a full mesh; member 0 sends
    ROOM_LINES lines at once. Returns its figures."""
    r, m = room_netns(how)
    try:
        t0 = time.perf_counter()
        relay = start_relay(r) if how == "relay" else None
        members = start_members(m, ROOM_SIZE, 0, how)
        texts = lambda i: read_text(members[i].err_path)  # noqa
        kind = "relay" if how == "relay" else "direct"
        if not wait_shown(members, texts, kind, ROOM_SIZE - 1,
                          time.perf_counter() + VIA_DEADLINE_S):
            worst = min(range(ROOM_SIZE), key=lambda i: shown(texts(i), kind))
            raise RuntimeError("room %s: m%d shows %d of %d members %s after %d s" % (
                how, worst, shown(texts(worst), kind), ROOM_SIZE - 1,
                "via the relay" if how == "relay" else "directly", VIA_DEADLINE_S))
        formed_s = time.perf_counter() - t0
        counts = [B.FileCount(p.out_path) for p in members[1:]]
        lines = B.make_lines(ROOM_LINES + B.ROOM_PACED_LINES)  # a burst, then paced lines
        result = {"formed_s": formed_s}
        for phase, part, batch, rate in (("", lines[:ROOM_LINES], 4096, None),
                                         ("paced_", lines[ROOM_LINES:], 1, B.ROOM_RATE)):
            cpu0 = relay.cpu_s() if relay else 0.0
            members_cpu0 = B.room_cpu_s(members)
            seconds, _ = B.room_phase(counts, B.batches_of(part, batch), len(part), rate,
                                      members[0].stdin_fd)
            relay_cpu = relay.cpu_s() - cpu0 if relay else float("nan")
            members_cpu = B.room_cpu_s(members) - members_cpu0
            got = sum(B.delivered(open(p.out_path, "rb").read(), part) for p in members[1:])
            result.update({phase + "deliveries": got / seconds,
                           phase + "rate": got / (ROOM_SIZE - 1) / seconds,
                           phase + "lost": len(part) * (ROOM_SIZE - 1) - got,
                           phase + "relay_us": relay_cpu / max(got, 1) * 1e6,
                           phase + "members_us": members_cpu / max(got, 1) * 1e6})
        for c in counts:
            c.close()
        return result
    finally:
        remove_netns()


def bench_room(report):
    runs = {"relay": [], "mesh": []}
    for run in range(RUNS):
        for how in runs:
            result = run_room(how, run)
            runs[how].append(result)
            B.progress("relay room %s run %d: formed in %.1f s, %.0f deliveries/s, %d lost, "
                       "relay %.2f µs/delivery; paced: %d lost, relay %.2f µs/delivery" % (
                           how, run + 1, result["formed_s"], result["deliveries"],
                           result["lost"], result["relay_us"], result["paced_lost"],
                           result["paced_relay_us"]))
    report["room"] = {how: {key: (max if key.endswith("lost") else B.median)(r[key] for r in results)
                            for key in results[0]} for how, results in runs.items()}


# ---------------------------------------------------------------------------------------------
# Idle: N members on one relay

def queued_kb(ns):
    """kB waiting in the send queues of ns's TCP sockets (ss's Send-Q): what its peers have not
    read yet."""
    done = subprocess.run(["ip", "netns", "exec", ns, "ss", "-tnH"], capture_output=True,
                          text=True, timeout=20)
    total = 0
    for line in done.stdout.splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2].isdigit():
            total += int(fields[2])
    return total / 1024.0


def cpu_s(procs):
    """CPU seconds (user + system) used so far by procs, all their threads, also those that
    have ended (/proc/PID/stat; schedstat misses threads that ended, and counts threads that
    started in between from their start)."""
    total = 0.0
    for proc in procs:
        try:
            with open("/proc/%d/stat" % proc.pid) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * TICK_S
        except (OSError, IndexError, ValueError):
            total += float("nan")
    return total


def run_idle(size, how, run):
    """size idle members on one relay, isolated (they reach only the relay) or mesh (they
    reach each other too). Returns the relay's figures before and after."""
    r, m = room_netns(how)
    try:
        relay = start_relay(r)
        time.sleep(B.SETTLE_S * 2)  # a fresh relay, settled
        fresh_rss, fresh_hwm = relay.memory_kb()
        t0 = time.perf_counter()
        members = []
        for first in range(0, size, BATCH):
            batch = start_members(m, min(size, first + BATCH), first, "relay")
            members += batch
            deadline = time.perf_counter() + BATCH_S
            for proc in batch:
                while b"relay joined (" not in open(proc.err_path, "rb").read():
                    if time.perf_counter() > deadline or not proc.alive():
                        raise RuntimeError("idle %d %s: m%d never heard the relay" %
                                           (size, how, members.index(proc)))
                    time.sleep(0.1)
        # three members show all others (via the relay when isolated)
        sample = [members[0], members[size // 2], members[-1]]
        texts = lambda i: read_text(sample[i].err_path)  # noqa
        formed = wait_shown(sample, texts, "relay" if how == "isolated" else "direct",
                            size - 1, time.perf_counter() + IDLE_FORM_S)
        formed_s = time.perf_counter() - t0
        shows = min(shown(texts(i), "relay" if how == "isolated" else "direct")
                    for i in range(3))
        rss_formed = relay.memory_kb()[0]
        left0 = sum(read_text(p.err_path).count(" left") for p in members)
        cpu0, members_cpu0, t1 = cpu_s([relay]), cpu_s(members), time.perf_counter()
        time.sleep(IDLE_S)
        elapsed = time.perf_counter() - t1
        rss, hwm = relay.memory_kb()
        send_q = queued_kb(r)
        left = sum(read_text(p.err_path).count(" left") for p in members) - left0
        alive = sum(1 for p in members if p.alive())
        member_rss = B.median(p.memory_kb()[0] for p in members)
        return {"fresh_rss": fresh_rss, "fresh_hwm": fresh_hwm, "rss": rss, "hwm": hwm,
                "cpu_pct": (cpu_s([relay]) - cpu0) / elapsed * 100,
                "members_cpu_pct": (cpu_s(members) - members_cpu0) / elapsed * 100,
                "member_rss": member_rss, "formed": formed, "formed_s": formed_s,
                "shows": shows, "alive": alive, "rss_formed": rss_formed, "send_q": send_q,
                "left": left}
    finally:
        remove_netns()


def bench_idle(report):
    report["idle"] = []
    for size in sorted({size for size, _ in IDLE_PLAN}):
        runs = {how: [] for n, how in IDLE_PLAN if n == size}
        for run in range(IDLE_RUNS):
            for how in runs:  # interleaved
                result = run_idle(size, how, run)
                runs[how].append(result)
                B.progress("relay idle %d %s run %d: relay %s kB (fresh %s kB, %s kB when "
                           "formed), %.1f %% CPU, %.0f kB in TCP send queues; members %.0f %% "
                           "CPU, %d 'left' notices while idle; formed %s in %.1f s (%d shown), "
                           "%d alive" % (
                               size, how, run + 1, result["rss"], result["fresh_rss"],
                               result["rss_formed"], result["cpu_pct"], result["send_q"],
                               result["members_cpu_pct"], result["left"], result["formed"],
                               result["formed_s"], result["shows"], result["alive"]))
        for how, results in runs.items():
            row = {key: B.median(r[key] for r in results) for key in results[0]
                   if key not in ("formed", "alive", "shows", "left")}
            row.update({"size": size, "how": how, "runs": len(results),
                        "formed": sum(1 for r in results if r["formed"]),
                        "alive": min(r["alive"] for r in results),
                        "shows": min(r["shows"] for r in results),
                        "left": max(r["left"] for r in results),
                        "hwm": max(r["hwm"] for r in results)})
            report["idle"].append(row)


def bench_relay(report):
    why = usable()
    if why:
        B.progress("relay: skipped: " + why)
        report["relay"] = {"skipped": why}
        return
    result = {}
    try:
        steps = {"latency": bench_latency, "room": bench_room, "idle": bench_idle}
        for part in PARTS:
            steps[part](result)
    finally:
        remove_netns()
    report["relay"] = result


# ---------------------------------------------------------------------------------------------
# The table

LAT_ROWS = {"bertil": [("bertil", "bertil, in B: direct"), ("dora", "dora, in A beside anna: direct"),
                       ("cesar", "cesar, in C: via bertil")],
            "relay": [("dora", "dora, in A beside anna: direct"),
                      ("cesar", "cesar, in C: via the relay")]}


def render(relay):
    """The Relay section's lines (Markdown)."""
    out = ["", "## Relay (issue 16): lines round a missing link, and `chat --relay`, in network "
           "namespaces"]
    add = out.append
    if relay.get("skipped"):
        add("")
        add("Not measured: %s." % relay["skipped"])
        return out
    fmt, ms = B.fmt, lambda v: B.fmt(v, 0)
    lat, room, idle = relay.get("latency"), relay.get("room"), relay.get("idle")
    if lat:
        add("")
        add("### One-way latency: anna (ns A) -> B -> cesar (ns C), A and C not routed; %d lines "
            "one every %.0f ms, then %d at once; µs, medians of %d runs" %
            (LAT_LINES, LAT_GAP_S * 1000, LAT_LINES, RUNS))
        add("")
        add("| B | receiver | paced p50 | paced p99 | burst p50 | burst p99 | lost (worst run) "
            "| out of order | twice | cesar p50 - this p50, paced | burst |")
        add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for middle, rows in LAT_ROWS.items():
            name = "bertil (a member)" if middle == "bertil" else "`chat --relay`"
            for who, label in rows:
                r = lat[middle][who]
                diff = ["-", "-"] if who == "cesar" else \
                    [ms(B.median(r[ph]["diff_runs"])) for ph in ("p", "b")]
                add("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    name, label, ms(r["p"]["p50"]), ms(r["p"]["p99"]), ms(r["b"]["p50"]),
                    ms(r["b"]["p99"]), fmt(r["p"]["lost"] + r["b"]["lost"]),
                    fmt(r["p"]["disorder"] + r["b"]["disorder"]),
                    fmt(r["p"]["twice"] + r["b"]["twice"]), diff[0], diff[1]))
        add("")
        add("cesar showed anna `via B` %.1f s (bertil) and %.1f s (relay) after the first chat "
            "started (medians)." % (lat["bertil"]["via_s"], lat["relay"]["via_s"]))
    if room:
        add("")
        add("### A room of %d members (ns M) that cannot dial each other, through `chat --relay` "
            "(ns R); member 0 sends %d lines at once; medians of %d runs" %
            (ROOM_SIZE, ROOM_LINES, RUNS))
        add("")
        add("| room | formed s | lines/s to all | deliveries/s | lost (worst run) "
            "| relay CPU µs/delivery | members' CPU µs/delivery | paced: lost "
            "| relay CPU µs/delivery | members' CPU µs/delivery |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for how, label in (("relay", "through the relay (members reach only it)"),
                           ("mesh", "full mesh, no relay (baseline)")):
            r = room[how]
            add("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, fmt(r["formed_s"], 1), fmt(r["rate"]), fmt(r["deliveries"]),
                fmt(r["lost"]), fmt(r["relay_us"], 2), fmt(r["members_us"], 2),
                fmt(r["paced_lost"]), fmt(r["paced_relay_us"], 2), fmt(r["paced_members_us"], 2)))
        add("")
        add("Paced: then %d lines at %d lines/s (a busy room); CPU from /proc/PID/task/*/schedstat, "
            "heartbeats included." % (B.ROOM_PACED_LINES, B.ROOM_RATE))
    if idle:
        add("")
        add("### One relay with N idle members, after %.0f s idle; medians of %d runs" %
            (IDLE_S, IDLE_RUNS))
        add("")
        add("| N | members | formed (runs) | others shown (fewest) | 'left' while idle (most) "
            "| relay VmRSS kB | relay VmRSS when formed | fresh relay VmRSS | relay max VmHWM "
            "| relay CPU % | all members' CPU % | member VmRSS kB |")
        add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in idle:
            label = ("reach only the relay" if r["how"] == "isolated"
                     else "reach each other too")
            add("| %d | %s | %d of %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["size"], label, r["formed"], r["runs"], fmt(r["shows"]), fmt(r["left"]),
                fmt(r["rss"]), fmt(r["rss_formed"]), fmt(r["fresh_rss"]), fmt(r["hwm"]),
                fmt(r["cpu_pct"], 1), fmt(r["members_cpu_pct"], 0), fmt(r["member_rss"])))
        add("")
        add("Formed: three members' \\who (the first, the middle, the last) show all N - 1 others "
            "(via the relay, or directly) within %d s. CPU %% of one core, from /proc/PID/stat "
            "over the idle time; this machine has %d." % (IDLE_FORM_S, os.cpu_count()))
    add("")
    add("### Targets (issue 16)")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    if lat:
        for middle, direct in (("bertil", "bertil"), ("relay", "dora")):
            r = lat[middle][direct]
            diff = B.median(r["p"]["diff_runs"])
            add("| relayed p50 ≤ direct p50 + 1 ms (B = %s) | cesar %s µs, %s %s µs: %s µs "
                "| %s |" % (middle, ms(lat[middle]["cesar"]["p"]["p50"]), direct,
                            ms(r["p"]["p50"]), ms(diff), B.verdict(diff <= 1000)))
            c = lat[middle]["cesar"]
            bad = sum(c[ph][k] for ph in ("p", "b") for k in ("lost", "disorder", "twice"))
            add("| relayed lines: none lost, in order, once (B = %s) | %s lost, %s out of order, "
                "%s twice | %s |" % (middle, fmt(c["p"]["lost"] + c["b"]["lost"]),
                                     fmt(c["p"]["disorder"] + c["b"]["disorder"]),
                                     fmt(c["p"]["twice"] + c["b"]["twice"]), B.verdict(not bad)))
    if room:
        r = room["relay"]
        add("| relay ≥ 100,000 lines/s in all to a %d-peer room | %s deliveries/s, %s lost | %s |"
            % (ROOM_SIZE, fmt(r["deliveries"]), fmt(r["lost"]),
               B.verdict(r["deliveries"] >= 100000 and not r["lost"])))
    for r in idle or []:
        if r["size"] == 200:
            formed = r["formed"] == r["runs"]
            add("| relay RSS with 200 idle peers ≤ 64 MB (members %s) | %s kB%s | %s |" % (
                "reach only the relay" if r["how"] == "isolated" else "reach each other too",
                fmt(r["rss"]), "" if formed else ", but the room did not form in %d of %d runs"
                % (r["runs"] - r["formed"], r["runs"]),
                B.verdict(r["rss"] <= 64 * 1024) if formed else "NOT MEASURED"))
    return out
