// chat.js - the page of `chatt --web`: each tab is one member of the room, talking to its own
// `chatt --json` child through one WebSocket (PROTOKOLL.md, section 22, says what goes over it).
//
// Everything from the room is put into the page with textContent / createTextNode, never as
// HTML: a line "<img src=x onerror=...>" is shown as those characters and runs nothing.
"use strict";

const STRINGS = {
    en: {
        listening: "listening", channel: "Channel", switch: "Switch", smaller: "Smaller text",
        larger: "Larger text", change: "change name", choose: "Choose a name", enter: "Join",
        newLines: "new lines ↓", inRoom: "In the room", placeholder: "Write a line, or \\help",
        send: "Send", private: "(private)", history: "history", you: "you",
        fingerprint: "Your key is held by the bridge (fingerprint %s)",
        reconnecting: "Reconnecting…", tooLong: "The line is too long (4096 bytes at most)",
        rejoin: "Join again",
    },
    sv: {
        listening: "lyssnar", channel: "Kanal", switch: "Byt", smaller: "Mindre text",
        larger: "Större text", change: "byt namn", choose: "Välj ett namn", enter: "Gå in",
        newLines: "nya rader ↓", inRoom: "I rummet", placeholder: "Skriv en rad, eller \\help",
        send: "Skicka", private: "(privat)", history: "historik", you: "du",
        fingerprint: "Din nyckel finns hos bryggan (fingeravtryck %s)",
        reconnecting: "Återansluter…", tooLong: "Raden är för lång (högst 4096 byte)",
        rejoin: "Gå in igen",
    },
};
const LANG = (navigator.language || "en").toLowerCase().startsWith("sv") ? "sv" : "en";
const T = STRINGS[LANG];

const LINE_MAX_BYTES = 4096;     // the bridge drops a tab sending a bigger frame
const SEND_BURST = 15;           // frames per SEND_WINDOW_MS; the bridge drops a tab over 20
const SEND_WINDOW_MS = 2000;
const WHO_DEBOUNCE_MS = 300;     // ask \who this long after the last notice
// A \who the chat answers with a `who` object (with two words or more it answers an error)
const WHO_ANSWERED = /^\\who(\s+\S+)?\s*$/;
const RETRY_FIRST_MS = 500;      // reconnect back-off: 0.5 s doubling to 10 s
const RETRY_MAX_MS = 10000;
const STABLE_MS = 10000;         // a connection that lived this long resets the back-off
const ROWS_MAX = 2000;           // older rows are removed from the log
const FONT_STEPS = 9;            // classes font-0 .. font-8 in chat.css; font-3 is 100 %
const FONT_DEFAULT = 3;

const $ = (id) => document.getElementById(id);
const state = {
    socket: null,          // the WebSocket, or null
    tab: null,             // this tab's id (32 hex chars)
    nick: "",              // the nick asked for
    self: null,            // the child's `self` object once it came
    names: [],             // who.names of the last \who the page asked itself
    colors: new Map(),     // nick -> SGR colour seen on its lines
    whoQueue: [],          // one entry per \who sent: true if the page asked, false if the user did
    whoTimer: null,        // the debounced \who after a notice
    outbox: [],            // lines waiting for room in the send window
    sentAt: [],            // times of the frames sent in the last SEND_WINDOW_MS
    pumpTimer: null,       // pump() again when the send window has room
    retryMs: RETRY_FIRST_MS, // the next reconnect's delay
    retryTimer: null,      // the pending reconnect
    openedAt: 0,           // when the socket opened (performance.now()), 0 if it is not open
    leaving: false,        // the page is being closed or reloaded: never reconnect
    releaseTab: () => {},  // lets the Web Lock on this tab's id go
    tabChannel: null,      // without Web Locks: the BroadcastChannel the tabs ask each other on
    closedText: "",        // why the bridge closed this socket ("closed"), "" if it did not say
    token: null,           // the token of a non-loopback bridge, from the URL's ?t=
    font: FONT_DEFAULT,    // the A+/A- step
    following: true,       // the reader is at the bottom of the log (not scrolled up)
};

// Fill every element marked data-i18n* with the string of the page's language.
function translate() {
    document.documentElement.lang = LANG;
    for (const node of document.querySelectorAll("[data-i18n]"))
        node.textContent = T[node.dataset.i18n];
    for (const node of document.querySelectorAll("[data-i18n-title]"))
        node.title = T[node.dataset.i18nTitle];
    for (const node of document.querySelectorAll("[data-i18n-placeholder]"))
        node.placeholder = T[node.dataset.i18nPlaceholder];
}

// A new tab id: 32 lowercase hex chars from the browser's random generator.
function newTabId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const TAB_LOCK_WAIT_MS = 3000;   // how long a reload waits for its old page to let its id go
const TAB_ASK_MS = 200;          // without Web Locks: how long the other tabs have to answer

// Hold the Web Lock named after id for the life of the page; resolves true once held, false if
// it is taken (wait: false) or still taken after TAB_LOCK_WAIT_MS (wait: true).
function lockTab(id, wait) {
    return new Promise((resolve) => {
        const options = wait ? { signal: AbortSignal.timeout(TAB_LOCK_WAIT_MS) }
                             : { ifAvailable: true };
        navigator.locks.request("chatt-tab-" + id, options, (lock) => {
            resolve(lock !== null);
            // Kept until the page goes (pagehide lets it go at once, for the page after it)
            return lock ? new Promise((release) => { state.releaseTab = release; }) : undefined;
        }).catch(() => resolve(false)); // the wait timed out
    });
}

// The tab ids this browser used before (localStorage "chatt.tabs"), the valid ones.
function storedTabIds() {
    try {
        const ids = JSON.parse(localStorage.getItem("chatt.tabs") || "[]");
        return Array.isArray(ids) ? ids.filter((id) => /^[0-9a-f]{32}$/.test(id)) : [];
    } catch (e) {
        return []; // not JSON: start again
    }
}

// Without Web Locks (plain http on a LAN address is no secure context): the ids the other open
// tabs of this browser hold, asked over a BroadcastChannel (each page answers for its own).
function heldByOthers() {
    return new Promise((resolve) => {
        const held = new Set();
        const listen = (e) => e.data && e.data.held && held.add(e.data.held);
        state.tabChannel.addEventListener("message", listen);
        state.tabChannel.postMessage({ ask: true });
        setTimeout(() => {
            state.tabChannel.removeEventListener("message", listen);
            resolve(held);
        }, TAB_ASK_MS);
    });
}

// This tab's id, kept in sessionStorage for a reload and in localStorage for the next visit:
// after a reload the id this tab had (its old page may still hold it for a moment); else one
// this browser used before that no other open tab holds; else a new one. So a reload is the
// same member with the same key, and two tabs are two members.
async function claimTabId() {
    const valid = (id) => /^[0-9a-f]{32}$/.test(id || "");
    const mine = sessionStorage.getItem("chatt.tab");
    const ids = storedTabIds();
    let id = null;
    if (navigator.locks) {
        id = valid(mine) && await lockTab(mine, true) ? mine : null;
        for (const known of ids)
            if (!id && known !== mine && await lockTab(known, false))
                id = known;
    } else if (window.BroadcastChannel) {
        state.tabChannel = new BroadcastChannel("chatt-tabs");
        const held = await heldByOthers();
        id = [mine, ...ids].find((known) => valid(known) && !held.has(known)) || null;
        state.tabChannel.addEventListener("message", (e) => {
            if (e.data && e.data.ask && !state.leaving)
                state.tabChannel.postMessage({ held: id });
        });
    } else {
        id = valid(mine) ? mine : null; // nobody to ask: the id lasts as long as the tab
    }
    if (!id) {
        id = newTabId();
        if (navigator.locks)
            await lockTab(id, false);
    }
    if (!ids.includes(id))
        ids.push(id);
    localStorage.setItem("chatt.tabs", JSON.stringify(ids.slice(-20)));
    sessionStorage.setItem("chatt.tab", id);
    return id;
}

// An element of tag with class names and text, the text set as text only.
function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className)
        node.className = className;
    if (text !== undefined)
        node.textContent = text;
    return node;
}

// "HH:MM" of epoch seconds, local time.
function clock(seconds) {
    const d = seconds ? new Date(seconds * 1000) : new Date();
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

// The CSS class of an SGR colour number ("31" -> "c31"), or "" for anything else.
function colorClass(sgr) {
    return /^(3[0-7]|9[0-7])$/.test(String(sgr)) ? "c" + sgr : "";
}

// True when the log shows its last row (the reader has not scrolled up).
function atBottom() {
    const log = $("log");
    return log.scrollHeight - log.scrollTop - log.clientHeight < 30;
}

// Scroll the log to its last row; the "new lines" button goes.
function toBottom() {
    $("log").scrollTop = $("log").scrollHeight;
    $("new-lines").hidden = true;
}

// Append a row to the log, stamped with its arrival time; scroll to it unless scrolled up.
function addRow(row) {
    const log = $("log");
    const follow = atBottom();
    row.dataset.arrived = String(performance.timeOrigin + performance.now());
    log.appendChild(row);
    while (log.childElementCount > ROWS_MAX)
        log.firstElementChild.remove();
    if (follow)
        toBottom();
    else
        $("new-lines").hidden = false;
}

// A row of one kind ("notice", "error", ...) showing text, with the time in front.
function addTextRow(kind, text) {
    const row = el("div", "row " + kind);
    row.append(el("span", "time", clock()), " ", el("span", "text", text));
    addRow(row);
}

// A chat line (contract section 1, t = "line") as a row.
function addLine(msg) {
    const kinds = ["row", "line"];
    if (msg.history) kinds.push("history");
    if (msg.own) kinds.push("own");
    if (msg.channel === null) kinds.push("private");
    if (msg.action) kinds.push("action");
    const row = el("div", kinds.join(" "));
    if (msg.history)
        row.append(el("span", "marker", "↶"), " ");
    row.append(el("span", "time", clock(msg.time)), " ");
    const place = msg.channel === null ? T.private : "[" + msg.channel + "]";
    row.append(el("span", "place", place), " ");
    if (msg.action)
        row.append("* ");
    const nick = el("span", ("nick " + colorClass(msg.color)).trim(), msg.nick);
    row.append(nick);
    if (msg.to)
        row.append(" → ", el("span", "to", msg.to));
    row.append(msg.action ? " " : ": ", el("span", "text", msg.text));
    if (msg.history)
        row.title = T.history;
    addRow(row);
    if (state.colors.get(msg.nick) !== msg.color) { // the side list shows it in its colour
        state.colors.set(msg.nick, msg.color);
        drawWho();
    }
    if (msg.channel)
        rememberChannel(msg.channel);
}

// Offer a channel in the channel selector's list (once).
function rememberChannel(name) {
    const list = $("channel-list");
    for (const option of list.options)
        if (option.value === name)
            return;
    const option = document.createElement("option");
    option.value = name;
    list.appendChild(option);
}

// Redraw the side list: our own nick first, then the names of the last \who.
function drawWho() {
    const who = $("who");
    who.replaceChildren();
    const own = state.self ? state.self.nick : state.nick;
    const me = el("li", "me", own);
    me.append(" ", el("span", "you", "(" + T.you + ")"));
    who.appendChild(me);
    for (const name of state.names) {
        const color = state.colors.get(name) || state.colors.get(name.replace(/[#?].*/, ""));
        const li = el("li", colorClass(color), name);
        who.appendChild(li);
    }
}

// Handle one JSON object from the bridge.
function receive(msg) {
    switch (msg.t) {
    case "self":
        state.self = msg;
        $("fingerprint").textContent = T.fingerprint.replace("%s", () => msg.fingerprint);
        $("fingerprint").title = $("fingerprint").textContent; // whole, where it is cut
        drawWho();
        break;
    case "prompt":
        $("channel").textContent = msg.channel;
        $("listeners").textContent = String(msg.listeners);
        rememberChannel(msg.channel);
        if (state.self && msg.nick) {
            state.self.nick = msg.nick;
            drawWho();
        }
        break;
    case "line":
        addLine(msg);
        break;
    case "notice":
        addTextRow("notice", msg.text);
        askWhoSoon();
        break;
    case "error":
    case "closed":
        addTextRow("error", msg.text);
        if (!state.self)
            $("nick-error").textContent = msg.text;
        if (msg.t === "closed")
            state.closedText = msg.text;
        break;
    case "text":
        addTextRow("listing", msg.text);
        break;
    case "debug":
        addTextRow("debug", msg.text);
        break;
    case "bridge":
        addTextRow("bridge", msg.text);
        break;
    case "who":
        receiveWho(msg);
        break;
    default: // unknown kinds are ignored, as the contract says
    }
}

// A \who answer: the page's own update the side list, the user's are shown in the log.
function receiveWho(msg) {
    const pageAsked = state.whoQueue.length ? state.whoQueue.shift() : false;
    if (pageAsked) {
        state.names = Array.isArray(msg.names) ? msg.names.map(String) : [];
        drawWho();
        return;
    }
    for (const line of msg.lines || [])
        addTextRow("listing", line);
    addTextRow("notice", msg.text);
}

// Ask \who ourselves WHO_DEBOUNCE_MS after the last of a run of notices.
function askWhoSoon() {
    clearTimeout(state.whoTimer);
    state.whoTimer = setTimeout(() => send("\\who", true), WHO_DEBOUNCE_MS);
}

// Queue one line for the bridge; pageAsked marks a \who the page sends itself.
function send(line, pageAsked = false) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN)
        return;
    if (WHO_ANSWERED.test(line))
        state.whoQueue.push(pageAsked);
    state.outbox.push(line);
    pump();
}

// Send what the outbox holds, at most SEND_BURST frames per SEND_WINDOW_MS (the bridge drops a
// tab that sends faster); the rest waits for room.
function pump() {
    clearTimeout(state.pumpTimer);
    const now = performance.now();
    state.sentAt = state.sentAt.filter((t) => now - t < SEND_WINDOW_MS);
    while (state.outbox.length && state.sentAt.length < SEND_BURST) {
        state.socket.send(state.outbox.shift());
        state.sentAt.push(now);
    }
    if (state.outbox.length)
        state.pumpTimer = setTimeout(pump, SEND_WINDOW_MS - (now - state.sentAt[0]) + 1);
}

// The WebSocket URL for our nick and tab, with the token if the page was opened with one.
function socketUrl() {
    const query = new URLSearchParams({ nick: state.nick, tab: state.tab, lang: LANG });
    if (state.token)
        query.set("t", state.token);
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?" + query;
}

// Open the WebSocket and wire its events.
function connect() {
    clearTimeout(state.retryTimer);
    state.self = null;
    state.closedText = "";
    state.whoQueue = [];
    state.outbox = [];
    const socket = new WebSocket(socketUrl());
    state.socket = socket;
    socket.onopen = () => {
        state.openedAt = performance.now();
        $("banner").hidden = true;
        $("input").disabled = false;
        $("input").focus();
        send("\\who", true);
    };
    socket.onmessage = (event) => {
        let msg;
        try {
            msg = JSON.parse(event.data);
        } catch (e) {
            return; // not one JSON object: ignored
        }
        if (msg && typeof msg === "object")
            receive(msg);
    };
    socket.onclose = () => closed(socket);
}

// The socket closed: ask for another nick if the child never started (a bad nick); if the
// bridge said why it closed (the member left, the tab was dropped), show that and a button to
// join again; else (the bridge or the network went away) reconnect after the back-off, which
// doubles unless the connection had lived a while.
function closed(socket) {
    if (socket !== state.socket || state.leaving)
        return; // one we closed ourselves, or the page is going
    state.socket = null;
    $("input").disabled = true;
    if (!state.self && $("nick-error").textContent) {
        showNickForm();
        return;
    }
    if (state.openedAt && performance.now() - state.openedAt > STABLE_MS)
        state.retryMs = RETRY_FIRST_MS;
    state.openedAt = 0;
    if (state.closedText) {
        $("banner-text").textContent = state.closedText;
        $("rejoin").hidden = false;
    } else {
        $("banner-text").textContent = T.reconnecting;
        $("rejoin").hidden = true;
        state.retryTimer = setTimeout(connect, state.retryMs);
        state.retryMs = Math.min(state.retryMs * 2, RETRY_MAX_MS);
    }
    $("banner").hidden = false;
}

// Close our socket on purpose (a new nick): no reconnect for it.
function disconnect() {
    clearTimeout(state.retryTimer);
    const socket = state.socket;
    state.socket = null;
    if (socket)
        socket.close();
}

// Show the nick form, filled with the nick of this tab or the last one used.
function showNickForm() {
    disconnect();
    $("banner").hidden = true;
    $("nick-form").hidden = false;
    $("nick-input").value = state.nick || localStorage.getItem("chatt.nick") || "";
    $("nick-input").focus();
}

// The nick form was sent: remember the nick (for this tab id, and as the next default) and join.
function nickChosen(event) {
    event.preventDefault();
    const nick = $("nick-input").value.trim();
    if (!nick)
        return;
    state.nick = nick;
    localStorage.setItem("chatt.nick", nick);
    localStorage.setItem("chatt.nick." + state.tab, nick);
    $("nick-form").hidden = true;
    $("nick-error").textContent = "";
    state.retryMs = RETRY_FIRST_MS;
    drawWho();
    connect();
}

// The input box was sent: the line goes to the bridge exactly as typed.
function inputSent(event) {
    event.preventDefault();
    const input = $("input");
    const line = input.value.replace(/[\r\n\0]/g, " ");
    if (!line)
        return;
    if (new TextEncoder().encode(line).length > LINE_MAX_BYTES) {
        addTextRow("error", T.tooLong);
        return;
    }
    send(line);
    input.value = "";
}

// The channel selector was sent: \channel NAME.
function channelChosen(event) {
    event.preventDefault();
    const name = $("channel-input").value.trim();
    if (name)
        send("\\channel " + name);
    $("channel-input").value = "";
}

// Set the font step (A+ / A-), kept in localStorage.
function setFont(step) {
    state.font = Math.max(0, Math.min(FONT_STEPS - 1, step));
    for (let i = 0; i < FONT_STEPS; i++)
        document.documentElement.classList.toggle("font-" + i, i === state.font);
    localStorage.setItem("chatt.font", String(state.font));
}

// The reader scrolled: at the bottom (again), the log follows new rows, and the button goes.
function scrolled() {
    state.following = atBottom();
    if (state.following)
        $("new-lines").hidden = true;
}

// Start: strings, font, handlers, the tab id (then the nick handlers), then the nick form or
// straight in.
async function start() {
    translate();
    const font = parseInt(localStorage.getItem("chatt.font"), 10);
    setFont(Number.isInteger(font) ? font : FONT_DEFAULT);
    state.token = new URLSearchParams(location.search).get("t");
    if (state.token) // the cookie carries it from now on: keep it out of the address bar
        history.replaceState(null, "", location.pathname);
    $("input-form").addEventListener("submit", inputSent);
    $("channel-form").addEventListener("submit", channelChosen);
    $("font-up").addEventListener("click", () => setFont(state.font + 1));
    $("font-down").addEventListener("click", () => setFont(state.font - 1));
    $("rejoin").addEventListener("click", () => { state.retryMs = RETRY_FIRST_MS; connect(); });
    $("log").addEventListener("scroll", scrolled);
    // A phone's keyboard or a turned screen resizes the log: stay at the bottom if we were
    addEventListener("resize", () => state.following && toBottom());
    addEventListener("pagehide", () => {
        state.leaving = true;
        disconnect();
        state.releaseTab();
    });
    addEventListener("pageshow", (e) => e.persisted && location.reload()); // back from bfcache
    $("new-lines").addEventListener("click", toBottom);
    $("nick-change").addEventListener("click", (e) => e.preventDefault());
    state.tab = await claimTabId();
    state.nick = localStorage.getItem("chatt.nick." + state.tab) || "";
    // Only now a nick can be chosen: it is kept for this tab's id
    $("nick-form").addEventListener("submit", nickChosen);
    $("nick-change").addEventListener("click", showNickForm);
    drawWho();
    if (state.nick)
        connect();
    else
        showNickForm();
}

start();
