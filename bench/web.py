#!/usr/bin/python3
"""web.py - the figures of issue 18 (`chatt --web`): `CHAT=./chat /usr/bin/python3 bench/web.py`.

1. Latency of a line from a terminal chat to a browser tab: a pipe-mode chat (the sender) writes
   LINES lines, RATE a second, each carrying time.time() in ms; one headless chromium tab
   (tests/web_browser.py) on a `--web` peer shows them, and each row's data-arrived
   (performance.timeOrigin + performance.now(), the same wall clock on one machine) is its
   arrival. Baseline in the same run: a second pipe-mode chat, whose stdout is stamped with
   time.time() at the read that brought each line. p50 / p99 / max, lost, and tab × terminal.
2. TABS WebSocket clients (python3-websocket, each a tab: its own nick and tab id) on one
   `--web` peer: once all are in the room (the sender's \\who counts them), over IDLE_S seconds:
   CPU % of one core of the web peer and its children together (utime + stime from /proc), and
   VmRSS summed over them, per tab (the sum with TABS tabs less the web peer alone, / TABS);
   baseline: the terminal chat (one member) measured over the same seconds.

Every wait has a deadline; every process started is killed at the end, also on error.
Writes bench/results-web.md and prints it. Knobs: BENCH_WEB_LINES (200), BENCH_WEB_RATE (20),
BENCH_WEB_TABS (50), BENCH_WEB_IDLE_S (20).
"""
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import web_browser  # noqa: E402  (tests/web_browser.py: chromium over DevTools)
import websocket  # noqa: E402  (Debian python3-websocket)

CHAT = os.path.abspath(os.environ.get("CHAT", os.path.join(HERE, "..", "chat")))
LINES = int(os.environ.get("BENCH_WEB_LINES", "200"))
RATE = float(os.environ.get("BENCH_WEB_RATE", "20"))
TABS = int(os.environ.get("BENCH_WEB_TABS", "50"))
IDLE_S = float(os.environ.get("BENCH_WEB_IDLE_S", "20"))
WAIT_S = 60
TICKS = os.sysconf("SC_CLK_TCK")
PROCESSES = []  # every process started, killed at the end
TMPDIRS = []    # every directory made, removed at the end


def progress(text):
    """A progress line on stderr."""
    print("web: " + text, file=sys.stderr, flush=True)


def free_port():
    """A TCP port free now, below the ephemeral range (as tests/lib.sh picks them)."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(1000):
        port = secrets.randbelow(max(low, 10001) - 10000) + 10000
        with socket.socket() as s:
            try:
                s.bind(("", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def start(argv, tmp, name, stdout=None):
    """Start argv with stdin a pipe and stderr (and stdout unless given) in tmp/name.*."""
    env = dict(os.environ, LC_ALL="C.UTF-8", CHAT_NO_DISCOVERY="1",
               XDG_DATA_HOME=os.path.join(tmp, "data"))
    process = subprocess.Popen(
        argv, stdin=subprocess.PIPE, env=env, start_new_session=True,
        stdout=stdout or open(os.path.join(tmp, name + ".out"), "wb"),
        stderr=open(os.path.join(tmp, name + ".err"), "wb"))
    PROCESSES.append(process)
    return process


def wait_file(path, pattern, seconds=WAIT_S):
    """The first match of the regex pattern in the file at path, waited for; None if none."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            match = re.search(pattern, open(path, errors="replace").read(), re.M)
        except OSError:
            match = None
        if match:
            return match
        time.sleep(0.05)
    return None


def family(pid):
    """pid and all its descendants (from /proc/*/stat)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_s(pids):
    """utime + stime of the pids, in seconds (ended threads included, children not)."""
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / TICKS


def rss_kb(pids):
    """VmRSS of the pids summed, in kB."""
    total = 0
    for pid in pids:
        try:
            for line in open("/proc/%d/status" % pid):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def pss_kb(pids):
    """Pss (each shared page split among those who map it) of the pids summed, in kB."""
    total = 0
    for pid in pids:
        try:
            for line in open("/proc/%d/smaps_rollup" % pid):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def percentile(values, fraction):
    """The value at fraction (0..1) of the sorted values (nearest rank)."""
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))]


def stamp_reader(stream, arrived):
    """Thread: for each line of a pipe-mode chat's stdout "lat N T", arrived[N] = now in ms."""
    for raw in stream:
        now = time.time() * 1000
        match = re.search(rb"lat (\d+) ([\d.]+)$", raw.rstrip())
        if match:
            arrived.setdefault(int(match.group(1)), now - float(match.group(2)))


def others_in_room(sender, tmp, want):
    """Type \\who into the sender every second until it counts want others; True if it did."""
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        sender.stdin.write(b"\\who\n")
        sender.stdin.flush()
        time.sleep(1)
        counts = re.findall(r"(\d+) others in the room", open(os.path.join(tmp, "sender.err")).read())
        if counts and int(counts[-1]) >= want:
            return True
    return False


def bench_latency(tmp, url, sender, receiver_arrived):
    """Lines from the sender to a tab and to a terminal chat; their latencies in ms."""
    browser = web_browser.Browser(os.path.join(tmp, "chromium"))
    try:
        tab = browser.open(url)
        tab.call("Page.bringToFront")  # a tab in the background may be throttled
        if not tab.wait("!document.querySelector('#nick-form').hidden"):
            raise RuntimeError("the page shows no nick form")
        tab.eval("document.querySelector('#nick-input').value = 'tab';"
                 " document.querySelector('#nick-form').requestSubmit()")
        if not wait_file(os.path.join(tmp, "sender.err"), r"^-- tab (joined|anslöt)"):
            raise RuntimeError("the tab did not join the sender's room")
        progress("latency: %d lines at %g/s" % (LINES, RATE))
        for n in range(LINES):
            sender.stdin.write(b"lat %d %.3f\n" % (n, time.time() * 1000))
            sender.stdin.flush()
            time.sleep(1 / RATE)
        expression = """Array.from(document.querySelectorAll('#log .row.line')).map((r) =>
            [r.querySelector('.text').textContent, Number(r.dataset.arrived)])"""
        end = time.monotonic() + 10
        rows = []
        while time.monotonic() < end:
            rows = tab.eval(expression)
            if sum(1 for text, _ in rows if text.startswith("lat ")) >= LINES:
                break
            time.sleep(0.2)
        tab_ms = {}
        for text, arrived in rows:
            match = re.match(r"lat (\d+) ([\d.]+)$", text)
            if match:
                tab_ms.setdefault(int(match.group(1)), arrived - float(match.group(2)))
        return tab_ms, dict(receiver_arrived)
    finally:
        browser.stop()


def drain(sockets, stop):
    """Thread: read and drop what the WebSocket clients get, until stop is set."""
    while not stop.is_set():
        live = [s for s in sockets if s.connected]
        if not live:
            time.sleep(0.1)
            continue
        readable, _, _ = select.select([s.sock for s in live], [], [], 0.2)
        for s in live:
            if s.sock in readable:
                try:
                    s.recv()
                except (websocket.WebSocketException, OSError):
                    s.close()


def bench_tabs(tmp, port, web, sender):
    """TABS WebSocket clients on the web peer: RSS and idle CPU, with the sender as baseline."""
    web_alone_kb = rss_kb(family(web.pid))
    sockets, stop = [], threading.Event()
    progress("tabs: %d WebSocket clients" % TABS)
    for i in range(TABS):
        url = "ws://127.0.0.1:%d/ws?nick=t%02d&tab=%s&lang=en" % (port, i, secrets.token_hex(16))
        sockets.append(websocket.create_connection(url, timeout=WAIT_S))
    drainer = threading.Thread(target=drain, args=(sockets, stop), daemon=True)
    drainer.start()
    try:
        formed = others_in_room(sender, tmp, TABS + 1)
        pids = family(web.pid)
        progress("tabs: %s; %d processes; idle %g s" % ("in the room" if formed else
                                                         "NOT all in the room", len(pids), IDLE_S))
        before, before_sender, before_bridge = cpu_s(pids), cpu_s([sender.pid]), cpu_s([web.pid])
        time.sleep(IDLE_S)  # the measurement window, not a synchronisation
        pids = family(web.pid)
        after, after_sender = cpu_s(pids), cpu_s([sender.pid])
        total_kb, bridge_kb = rss_kb(pids), rss_kb([web.pid])
        pss_total_kb = pss_kb(pids)
        bridge_cpu = cpu_s([web.pid])
        return {"formed": formed, "processes": len(pids),
                "cpu_pct": 100 * (after - before) / IDLE_S,
                "sender_cpu_pct": 100 * (after_sender - before_sender) / IDLE_S,
                "rss_mb": total_kb / 1024, "web_alone_mb": web_alone_kb / 1024,
                "bridge_mb": bridge_kb / 1024,
                "bridge_cpu_pct": 100 * (bridge_cpu - before_bridge) / IDLE_S,
                "per_tab_mb": (total_kb - web_alone_kb) / 1024 / TABS,
                "pss_mb": pss_total_kb / 1024,
                "per_tab_pss_mb": (pss_total_kb - pss_kb([web.pid])) / 1024 / TABS,
                "sender_rss_mb": rss_kb([sender.pid]) / 1024}
    finally:
        stop.set()
        drainer.join(2)
        for s in sockets:
            s.close()


def render(lat, tabs):
    """The Markdown table of both figures."""
    tab_ms, term_ms = lat
    def row(name, ms, base=None):
        values = list(ms.values())
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        ratio = "%.2f" % (p99 / percentile(list(base.values()), 0.99)) if base else "1.00"
        return "| %s | %d | %d | %.1f | %.1f | %.1f | %s |" % (
            name, len(values), LINES - len(values), p50, p99, max(values, default=0), ratio)
    out = ["## Web (issue 18): %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "",
           "Latency, a line from a terminal chat (%d lines, %g/s):" % (LINES, RATE), "",
           "| to | lines | lost | p50 ms | p99 ms | max ms | p99 × terminal |",
           "|---|---:|---:|---:|---:|---:|---:|",
           row("a browser tab (chromium, --web)", tab_ms, term_ms),
           row("a terminal chat (pipe mode)", term_ms), "",
           "Target (issue 18): a line reaches the tab within 50 ms p99 on loopback: %s (p99 %.1f ms,"
           " %d of %d lines)." % (
               "met" if tab_ms and len(tab_ms) == LINES and
               percentile(list(tab_ms.values()), 0.99) <= 50 else "MISSED",
               percentile(list(tab_ms.values()), 0.99), len(tab_ms), LINES), ""]
    if tabs:
        out += ["%d tabs (WebSocket clients) on one --web peer, idle %g s (%s):" % (
                    TABS, IDLE_S, "all in the room" if tabs["formed"] else "NOT all in the room"),
                "", "| | processes | CPU % of a core | VmRSS MB |", "|---|---:|---:|---:|",
                "| web peer + children, %d tabs | %d | %.2f | %.1f |" % (
                    TABS, tabs["processes"], tabs["cpu_pct"], tabs["rss_mb"]),
                "| per tab | | %.3f | %.2f |" % (tabs["cpu_pct"] / TABS, tabs["per_tab_mb"]),
                "| of which the web peer itself (the bridge) | 1 | %.2f | %.1f |" % (
                    tabs["bridge_cpu_pct"], tabs["bridge_mb"]),
                "| the web peer alone, before the tabs | 1 | | %.1f |" % tabs["web_alone_mb"],
                "| a terminal chat in the same room (baseline) | 1 | %.2f | %.1f |" % (
                    tabs["sender_cpu_pct"], tabs["sender_rss_mb"]),
                "| per tab × terminal chat | | %.2f | %.2f |" % (
                    tabs["cpu_pct"] / TABS / max(tabs["sender_cpu_pct"], 0.01),
                    tabs["per_tab_mb"] / max(tabs["sender_rss_mb"], 0.01)),
                "",
                "Pss (shared pages split among the processes that map them, the memory the tabs"
                " really take): %.1f MB for the web peer and its children, %.2f MB per tab's"
                " chat." % (tabs["pss_mb"], tabs["per_tab_pss_mb"]), ""]
    return "\n".join(out)


def main():
    """Start the room, measure, write the table."""
    tmp = tempfile.mkdtemp(prefix="chat-bench-web.")
    TMPDIRS.append(tmp)
    pt, pr, pw, ptabs = free_port(), free_port(), free_port(), free_port()
    sender = start([CHAT, "-n", "sender", "-p", str(pt)], tmp, "sender")
    receiver = start([CHAT, "-n", "receiver", "-p", str(pr), "-c", "127.0.0.1:%d" % pt], tmp,
                     "receiver", stdout=subprocess.PIPE)
    arrived = {}
    threading.Thread(target=stamp_reader, args=(receiver.stdout, arrived), daemon=True).start()
    web = start([CHAT, "--web", "127.0.0.1:%d" % pw, "-p", str(ptabs), "-c", "127.0.0.1:%d" % pt],
                tmp, "web")
    if not wait_file(os.path.join(tmp, "sender.err"), r"^-- receiver (joined|anslöt)"):
        sys.exit("web: the receiver did not join")
    found = (wait_file(os.path.join(tmp, "web.err"), r"(http://[^\s,]+)", 10) or
             wait_file(os.path.join(tmp, "web.out"), r"(http://[^\s,]+)", 1))
    if not found:
        sys.exit("web: the web peer printed no address")
    lat = bench_latency(tmp, found.group(1), sender, arrived)
    tabs = bench_tabs(tmp, pw, web, sender) if TABS else None
    table = render(lat, tabs)
    with open(os.path.join(HERE, "results-web.md"), "w") as f:
        f.write(table + "\n")
    print(table)


def stop_all():
    """Kill every process started (its whole session)."""
    while PROCESSES:
        process = PROCESSES.pop()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    while TMPDIRS:
        shutil.rmtree(TMPDIRS.pop(), ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main()
    finally:
        stop_all()
