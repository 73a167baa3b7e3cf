#!/usr/bin/python3
"""Drive Debian's chromium (headless) over the DevTools protocol, for tests/e2e/web.sh.

Usage: web_browser.py serve DIR

Starts chromium with its profile in DIR/profile (its process group id in DIR/chromium.pgid),
then reads commands on stdin, one a line; each prints one line on stdout when done ("ok COMMAND
NAME" or "not ok COMMAND NAME: why"):

  open NAME URL [LANG] a new tab NAME showing URL (navigator.language LANG, e.g. sv-SE)
  nick NAME NICK       type NICK into NAME's nick form and send it
  type NAME LINE       type LINE into NAME's input box and press Enter
  channel NAME CHAN    pick CHAN in NAME's channel selector
  close NAME           close tab NAME (its WebSocket closes with it)
  eval NAME EXPR       print "value NAME JSON" of the JavaScript EXPR in NAME
  view NAME WxH [dark] emulate a window of W x H pixels (a phone: 360x740), light or dark
  screenshot NAME FILE save what NAME shows as a PNG

While it runs, every 50 ms it mirrors what each tab shows into files a shell test can wait on:
DIR/NAME.rows gets one line per new row of #log, "CLASSES | TEXT" (CLASSES: the row's classes
but "row", TEXT: its textContent), and DIR/NAME.state is rewritten (atomically) with "key: value"
lines: who (the side list, ", "-separated), channel, listeners, fingerprint, banner ("hidden"
or its text), nickform (hidden/shown), input (enabled/disabled), img (<img> elements in #log),
script (<script> elements in #log), dialogs (alert/confirm/prompt dialogs opened in the tab),
exceptions (uncaught JavaScript exceptions), csp (console messages about the Content Security
Policy). Dialogs are dismissed at once and also printed: "dialog NAME TYPE MESSAGE"; a tab that
can no longer be read (it crashed) is printed once, "mirror stopped NAME: why", and left.

Ends at end of input, on SIGTERM or SIGINT, or after 300 s, and always kills chromium and
removes its profile. Every wait has a deadline (WAIT_S, 10 s by default).

As a library (bench/web.py): Browser() starts chromium, Browser.open(url) gives a Tab with
eval(), wait() and close(); Browser.stop() ends it all.
"""
import atexit
import base64
import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # Debian python3-websocket

WAIT_S = float(os.environ.get("WAIT_S", "10"))
LIFETIME_S = 300
POLL_S = 0.05
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def deadline_loop(seconds=WAIT_S):
    """Yield until seconds have passed, sleeping POLL_S between tries."""
    end = time.monotonic() + seconds
    while True:
        yield
        if time.monotonic() >= end:
            return
        time.sleep(POLL_S)


def s_die_with_parent():
    """In the child before exec: chromium gets SIGKILL when this driver dies, even by kill -9."""
    libc = ctypes.CDLL(None)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Tab:
    """One tab (a DevTools target), talked to over its own WebSocket."""

    def __init__(self, browser, target):
        self.browser = browser
        self.id = target["id"]
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"],
                                                  timeout=WAIT_S, suppress_origin=True)
        self.next_id = 0
        self.dialogs = []      # (type, message) of every dialog the page opened
        self.exceptions = []   # text of every uncaught exception
        self.console = []      # text of every console / log entry
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")

    def call(self, method, **params):
        """Send one DevTools command and return its result; events that come first are kept."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        end = time.monotonic() + WAIT_S
        while time.monotonic() < end:  # no sleep: recv() waits (at most WAIT_S) for a message
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            self.s_event(message)
        raise TimeoutError(method)

    def s_event(self, message):
        """Keep what an event tells: dialogs (dismissed at once), exceptions, console lines."""
        method, params = message.get("method"), message.get("params", {})
        if method == "Page.javascriptDialogOpening":
            self.dialogs.append((params.get("type"), params.get("message")))
            self.socket.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                         "params": {"accept": False}}))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.exceptions.append(details.get("exception", {}).get("description")
                                   or details.get("text", "?"))
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", "")))
                                         for a in params.get("args", [])))
        elif method == "Log.entryAdded":
            self.console.append(params.get("entry", {}).get("text", ""))

    def eval(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError("eval: %s" % result["exceptionDetails"].get("text"))
        return result.get("result", {}).get("value")

    def wait(self, expression, seconds=WAIT_S):
        """The first truthy value of expression, polled until the deadline; None if none came."""
        for _ in deadline_loop(seconds):
            value = self.eval(expression)
            if value:
                return value
        return None

    def navigate(self, url):
        """Load url and wait until the document is complete."""
        self.call("Page.navigate", url=url)
        return self.wait("document.readyState === 'complete' && location.href !== 'about:blank'")

    def close(self):
        """Close the tab, as a user closing it would."""
        try:
            self.socket.close()
        finally:
            self.browser.s_http("/json/close/" + self.id)


class Browser:
    """A headless chromium of our own, with its own profile directory."""

    def __init__(self, directory=None):
        self.own_directory = directory is None  # made here: removed whole by stop()
        self.directory = directory or tempfile.mkdtemp(prefix="chat-chromium.")
        self.profile = os.path.join(self.directory, "profile")
        os.makedirs(self.profile, exist_ok=True)
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-port=0", "--user-data-dir=" + self.profile, "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--lang=en-US",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.directory, "chromium.log"), "wb"),
            start_new_session=True, preexec_fn=s_die_with_parent)
        with open(os.path.join(self.directory, "chromium.pgid"), "w") as f:
            f.write("%d\n" % self.process.pid)
        atexit.register(self.stop)
        self.port = None
        for _ in deadline_loop(30):  # a cold start on a busy machine takes a while
            try:
                with open(os.path.join(self.profile, "DevToolsActivePort")) as f:
                    self.port = int(f.readline())
                break
            except (OSError, ValueError):
                if self.process.poll() is not None:
                    break
        if self.port is None:
            self.stop()
            raise RuntimeError("chromium did not start (see %s/chromium.log)" % self.directory)

    def s_http(self, path, method="GET"):
        """A request to chromium's DevTools HTTP endpoint; its JSON (or text) answer."""
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                         method=method)
        with urllib.request.urlopen(request, timeout=WAIT_S) as answer:
            body = answer.read().decode()
        try:
            return json.loads(body)
        except ValueError:
            return body

    def open(self, url, language=None):
        """A new tab showing url, loaded; with language (e.g. "sv-SE") its navigator.language."""
        tab = Tab(self, self.s_http("/json/new?about:blank", method="PUT"))
        if language:
            tab.call("Page.addScriptToEvaluateOnNewDocument", source=(
                "Object.defineProperty(navigator, 'language', {get: () => %s});"
                "Object.defineProperty(navigator, 'languages', {get: () => [%s]});"
                % (json.dumps(language), json.dumps(language))))
        tab.navigate(url)
        return tab

    def stop(self):
        """Kill chromium (its whole process group) and remove its directory; safe twice."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        shutil.rmtree(self.directory if self.own_directory else self.profile, ignore_errors=True)


# What each tab shows, as one JavaScript object (for the files of `serve`)
STATE_JS = r"""(() => {
  const q = (s) => document.querySelector(s);
  const text = (s) => (q(s) ? q(s).textContent : "");
  const rows = Array.from(document.querySelectorAll("#log .row"))
    .filter((r) => Number(r.dataset.arrived) > %s)
    .map((r) => [r.dataset.arrived,
                 Array.from(r.classList).filter((c) => c !== "row").join(" "), r.textContent]);
  return {rows,
    who: Array.from(document.querySelectorAll("#who li")).map((li) => li.textContent),
    channel: text("#channel"), listeners: text("#listeners"), fingerprint: text("#fingerprint"),
    banner: q("#banner") && !q("#banner").hidden ? text("#banner-text") : "hidden",
    nickform: q("#nick-form") && !q("#nick-form").hidden ? "shown" : "hidden",
    input: q("#input") && !q("#input").disabled ? "enabled" : "disabled",
    img: document.querySelectorAll("#log img").length,
    script: document.querySelectorAll("#log script").length};
})()"""


class Mirror:
    """Writes what one tab shows into DIR/NAME.rows and DIR/NAME.state."""

    def __init__(self, directory, name, tab):
        self.directory, self.name, self.tab = directory, name, tab
        self.last_arrived = "0"

    def update(self):
        """Append the tab's new rows and rewrite its state file."""
        shown = self.tab.eval(STATE_JS % json.dumps(float(self.last_arrived)))
        if not shown:
            return
        with open(os.path.join(self.directory, self.name + ".rows"), "a") as rows:
            for arrived, classes, text in shown.pop("rows"):
                rows.write("%s | %s\n" % (classes, text.replace("\n", " ")))
                self.last_arrived = arrived
        shown["dialogs"] = len(self.tab.dialogs)
        shown["exceptions"] = len(self.tab.exceptions)
        shown["csp"] = sum("Content Security Policy" in c for c in self.tab.console)
        shown["who"] = ", ".join(shown["who"])
        path = os.path.join(self.directory, self.name + ".state")
        with open(path + ".new", "w") as state:
            for key, value in shown.items():
                state.write("%s: %s\n" % (key, value))
            for text in self.tab.exceptions:
                state.write("exception: %s\n" % text.replace("\n", " "))
        os.replace(path + ".new", path)


def s_fill(tab, selector, form, value):
    """Wait for an enabled, visible selector, set its value and submit form as Enter would."""
    ready = tab.wait("(() => { const e = document.querySelector(%s);"
                     " return !!e && !e.disabled && e.offsetParent !== null; })()"
                     % json.dumps(selector))
    if not ready:
        return "%s is not there to type into" % selector
    tab.eval("(() => { const e = document.querySelector(%s); e.value = %s;"
             " document.querySelector(%s).requestSubmit(); })()"
             % (json.dumps(selector), json.dumps(value), json.dumps(form)))
    return None


def s_run(browser, directory, tabs, mirrors, line):
    """Carry out one command line of `serve`; returns None or why it failed."""
    words = line.split(" ", 2)
    command, name, rest = (words + ["", "", ""])[:3]
    if command == "open":
        url, _, language = rest.partition(" ")
        tabs[name] = browser.open(url, language or None)
        mirrors[name] = Mirror(directory, name, tabs[name])
        return None
    if name not in tabs:
        return "no tab called %s" % name
    tab = tabs[name]
    if command == "nick":  # the "change name" link first if the form is not shown
        tab.eval("document.querySelector('#nick-form').hidden &&"
                 " document.querySelector('#nick-change').click()")
        return s_fill(tab, "#nick-input", "#nick-form", rest)
    if command == "type":
        return s_fill(tab, "#input", "#input-form", rest)
    if command == "channel":
        return s_fill(tab, "#channel-input", "#channel-form", rest)
    if command == "eval":
        print("value %s %s" % (name, json.dumps(tab.eval(rest))), flush=True)
        return None
    if command == "view":  # view NAME WIDTHxHEIGHT [dark]: the window size and colour scheme
        size, _, scheme = rest.partition(" ")
        width, height = (int(n) for n in size.split("x"))
        tab.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                 deviceScaleFactor=1, mobile=width < 600)
        tab.call("Emulation.setEmulatedMedia", features=[
            {"name": "prefers-color-scheme", "value": scheme or "light"}])
        return None
    if command == "screenshot":  # screenshot NAME FILE.png
        tab.call("Page.bringToFront")  # a tab in the background draws nothing
        shot = tab.call("Page.captureScreenshot", format="png")
        with open(rest, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return None
    if command == "close":
        mirrors.pop(name).update()
        tabs.pop(name).close()
        return None
    return "unknown command"


def serve(directory):
    """The command loop of `serve`: commands from stdin, the mirrors updated in between."""
    browser = Browser(directory)
    tabs, mirrors = {}, {}
    end = time.monotonic() + LIFETIME_S
    print("ready", flush=True)
    pending, at_end = b"", False  # stdin read by hand: select() knows nothing of a buffer
    try:
        while time.monotonic() < end and not (at_end and not pending):
            if not at_end and select.select([sys.stdin], [], [], POLL_S)[0]:
                chunk = os.read(sys.stdin.fileno(), 65536)
                at_end = not chunk
                pending += chunk if chunk else b"\n"
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                line = raw.decode(errors="replace")
                if not line:
                    continue
                try:
                    why = s_run(browser, directory, tabs, mirrors, line)
                except (RuntimeError, OSError, TimeoutError,
                        websocket.WebSocketException) as error:
                    why = "%s: %s" % (type(error).__name__, error)
                head = " ".join(line.split(" ", 2)[:2])
                print("ok %s" % head if why is None else "not ok %s: %s" % (head, why),
                      flush=True)
            if at_end and not pending:
                break
            for name, mirror in list(mirrors.items()):
                before = len(mirror.tab.dialogs)
                try:
                    mirror.update()
                except (RuntimeError, OSError, TimeoutError,
                        websocket.WebSocketException) as error:
                    print("mirror stopped %s: %s" % (name, error), flush=True)
                    del mirrors[name]
                for kind, message in mirror.tab.dialogs[before:]:
                    print("dialog %s %s %s" % (name, kind, message), flush=True)
    finally:
        browser.stop()


def main():
    """Entry point: `serve DIR`."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(1))
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
