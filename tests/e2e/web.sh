#!/usr/bin/env bash
# e2e: exclusive
# A browser joins the room (issue 18): `chat --web` serves the page; tabs of a real headless
# chromium (tests/web_browser.py mirrors what each tab shows into files) and a terminal chat
# talk in all directions (lines, /me, private messages, channels); a late tab sees the history;
# hostile lines (HTML, escape sequences, from a chat and from a rogue peer) show as text and run
# nothing; the page's headers forbid inline code; the side list follows the room with the
# page's own \who, and only a typed \who reaches the log; a phone and a projector layout; a
# Swedish browser gets Swedish; a reload is the same member with the same key; a closed tab
# leaves once; a tab breaking the rules is dropped with a reason; a tab whose bridge went away
# reconnects by itself; a bridge on a LAN address refuses requests without its token.
source "$(dirname "$0")/../lib.sh"

if [[ ! -x /usr/bin/chromium ]] || ! "$PYTHON" -c 'import websocket' 2>/dev/null; then
    fail "the browser test needs chromium and python3-websocket (./start --check installs them)"
    finish
fi

# browse COMMAND NAME ARGS...: one command to the browser driver; true once it answers "ok".
BROWSED=0
browse() {
    say browser "$*"
    BROWSED=$((BROWSED + 1))
    if ! wait_count "$TMP/browser.out" '^(not )?ok ' "$BROWSED" 30; then
        fail "the browser does: $* (no answer)"
        show "$TMP/browser.out"
        show "$TMP/browser.err"
        return 1
    fi
    local answer
    answer=$(grep -E '^(not )?ok ' "$TMP/browser.out" | sed -n "${BROWSED}p")
    [[ $answer == ok* ]] && return 0
    fail "the browser does: $* ($answer)"
    return 1
}

# expect_js TAB EXPR PATTERN DESCRIPTION: a check that the JavaScript EXPR in TAB has a value
# (as JSON) matching PATTERN.
expect_js() {
    browse eval "$1" "$2" || return 1
    local value
    value=$(grep "^value $1 " "$TMP/browser.out" | tail -n 1 | cut -d' ' -f3-)
    if grep -Eq -- "$3" <<<"$value"; then
        pass "$4"
    else
        fail "$4 ($2 is $value)"
    fi
}

# url_of NAME: the http:// address the web peer NAME printed at start.
url_of() {
    grep -Eho 'https?://[^ ,]+' "$TMP/$1.out" "$TMP/$1.err" 2>/dev/null | head -n 1
}

# await_url NAME ADDR:PORT: wait until web peer NAME prints its address.
await_url() {
    wait_for "$TMP/$1.err" "http://$2/" || wait_for "$TMP/$1.out" "http://$2/" 1
}

# Everything runs in a network namespace of its own when we are root, so that no other test's
# chat on this machine can join our room (and the bridge can listen on 127.0.0.2); without root
# it runs on the machine's loopback, the tabs' chats from a free port up (-p).
ns=()
if [[ $(id -u) == 0 ]] && command -v ip >/dev/null; then
    netns_host web
    ns=(ip netns exec "${NETNS[web]}")
fi
# curl ARGS...: curl in the test's namespace
curl() {
    if ((${#ns[@]})); then "${ns[@]}" curl "$@"; else command curl "$@"; fi
}

pt=$(free_port) pw=$(free_port) pr=$(free_port) ptabs=$(free_port)
web=127.0.0.1:$pw

# The terminal chat, and a rogue one-frame publisher (no member, no key) whose line carries HTML
# and escape sequences, sent each time a chat subscribes, for at most 120 s
start_peer term "${ns[@]}" -- -n terminal -p "$pt"
cat >"$TMP/rogue.py" <<'EOF_ROGUE'
import sys, time, zmq
publisher = zmq.Context().socket(zmq.XPUB)
publisher.bind("tcp://127.0.0.1:%s" % sys.argv[1])
end = time.time() + 120
while time.time() < end:
    if publisher.poll(1000) and publisher.recv().startswith(b"\x01~listen "):
        publisher.send(b"buddy> <script>alert(2)</script>\x1b]0;HACKED\x07\x1b[2J<b>fet</b>")
        print("sent", flush=True)
EOF_ROGUE
background "${ns[@]}" "$PYTHON" "$TMP/rogue.py" "$pr" >"$TMP/rogue.out" 2>&1
on_exit "kill -9 $!"

# The web peer: each tab's child connects to the terminal chat and to the rogue
start_peer web "${ns[@]}" -- --web "$web" -p "$ptabs" -c "127.0.0.1:$pt" -c "127.0.0.1:$pr"
await_url web "$web" && pass "the web peer prints its address" ||
    { fail "the web peer prints its address"; show "$TMP/web.err"; finish; }
url=$(url_of web)

# The page's headers: no inline code can run, no type sniffing, no caching; nothing else served
headers=$(curl -s -D- -o /dev/null "$url")
grep -qi "^content-security-policy: default-src 'self'" <<<"$headers" &&
    ! grep -qi "^content-security-policy:.*unsafe-inline" <<<"$headers" &&
    pass "the page comes with a CSP of default-src 'self', no unsafe-inline" ||
    fail "the page comes with a CSP of default-src 'self', no unsafe-inline ($headers)"
grep -qi '^x-content-type-options: nosniff' <<<"$headers" && pass "and nosniff" ||
    fail "and nosniff ($headers)"
grep -qi '^cache-control: no-store' <<<"$headers" && pass "and no-store" ||
    fail "and no-store ($headers)"
for path in chat.js chat.css; do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$web/$path") == 200 ]] &&
        pass "/$path is served" || fail "/$path is served"
done
for path in nothing ../chat.c web/index.html; do
    code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "http://$web/$path")
    [[ $code == 404 ]] && pass "/$path is not served (404)" || fail "/$path is not served ($code)"
done

# Two tabs join under their own nicks
# The browser driver (tests/web_browser.py), in the namespace too, with its input from a FIFO
mkdir -p "$TMP/browser"
mkfifo "$TMP/browser.in"
(
    for fd in "${PEER_FD[@]}"; do
        exec {fd}>&-
    done
    exec "${ns[@]}" "$PYTHON" "$TESTS_DIR/web_browser.py" serve "$TMP/browser" \
        <"$TMP/browser.in" >"$TMP/browser.out" 2>"$TMP/browser.err"
) &
PEER_PID[browser]=$!
exec {fd}>"$TMP/browser.in"
PEER_FD[browser]=$fd
on_exit "kill -9 -- -\$(cat $TMP/browser/chromium.pgid)"
wait_for "$TMP/browser.out" '^ready$' 30 || { fail "chromium starts"; show "$TMP/browser.err"; finish; }
A=$TMP/browser/A B=$TMP/browser/B C=$TMP/browser/C
browse open A "$url"
expect "$A.state" '^nickform: shown$' "a new tab asks for a nick"
browse nick A anna
browse open B "$url"
browse nick B bertil
await_heard anna term && pass "the terminal chat hears tab A join as anna" ||
    { fail "the terminal chat hears tab A join as anna"; show "$TMP/term.err"; show "$TMP/web.err"; }
await_heard bertil term && pass "the terminal chat hears tab B join as bertil" ||
    { fail "the terminal chat hears tab B join as bertil"; show "$TMP/term.err"; }
expect "$A.state" '^fingerprint: Your key is held by the bridge \(fingerprint [0-9a-f]{4}( [0-9a-f]{4}){7}\)$' \
    "the tab says the bridge holds its key, with the fingerprint"
expect "$A.state" '^channel: buddy$' "the header shows the channel"
expect "$A.state" '^listeners: [1-9]' "the header shows listeners"
expect "$A.state" '^who: anna \(you\), (bertil, terminal|terminal, bertil)$' \
    "the side list shows the tab's own nick first, then the room (an automatic \\who)"
expect "$B.state" '^who: bertil \(you\), (anna, terminal|terminal, anna)$' "tab B's list too"
refute "$A.rows" 'others in the room' "the page's own \\who answers stay out of the log"

# All directions: terminal -> tabs, tab -> terminal and other tab, /me, private messages
say term "hej från terminalen"
line='^line \| [0-2][0-9]:[0-5][0-9] \[buddy\] '
expect "$A.rows" "${line}terminal: hej från terminalen$" "tab A shows the terminal chat's line"
expect "$B.rows" "${line}terminal: hej från terminalen$" "tab B shows it"
browse type A "hej från anna"
expect "$TMP/term.out" '\[buddy\] <anna> hej från anna$' "the terminal chat shows tab A's line"
expect "$B.rows" "${line}anna: hej från anna$" "tab B shows tab A's line"
expect "$A.rows" '^line own \| .*\[buddy\] anna: hej från anna$' "tab A shows its own line, marked own"
browse type B "/me vinkar"
expect "$TMP/term.out" '\* bertil vinkar$' "an action from a tab reaches the terminal chat"
expect "$A.rows" '^line action \| .*\[buddy\] \* bertil vinkar$' "and shows as '* nick text' in a tab"
say term '\msg anna bara till dig'
expect "$A.rows" '^line private \| [0-9:]+ \(private\) terminal: bara till dig$' \
    "a private message reaches its tab, marked private"
browse type A '\msg terminal tack'
expect "$TMP/term.out" '\(private\) <anna> tack$' "a private message from a tab reaches the terminal"
refute "$B.rows" 'bara till dig|tack$' "the other tab sees neither private message"
expect_js A 'document.querySelector("#log .row.line .nick").className' '^"nick c[39][0-7]"$' \
    "nicks have the terminal's colour as a class"

# Channels: the selector sends \channel
browse channel A news
expect "$A.state" '^channel: news$' "the channel selector switches the channel"
browse type A "på news"
expect "$TMP/term.out" '\[news\] <anna> på news$' "and the line goes to that channel"
browse channel A buddy

# A typed \who is answered in the log
browse type A '\who'
expect "$A.rows" '^notice \| .*2 others in the room$' "a \\who typed in the tab is shown in its log"
browse type A '\who a b'
expect "$A.rows" '^error \| .*who takes one word at most' "a \\who the chat refuses shows its error"

# Hostile lines: HTML and escape sequences from the terminal chat and from a rogue peer
say term '<img src=x onerror=alert(1)>' "$(printf '\033[31mRED\033[0m')"
expect "$A.rows" "${line}terminal: <img src=x onerror=alert\\(1\\)>$" "an HTML line shows as text"
expect "$A.rows" "${line}terminal: \\^\\[\\[31mRED\\^\\[\\[0m$" "an escape sequence shows as ^["
expect "$A.rows" "${line}127\\.0\\.0\\.1: <script>alert\\(2\\)</script>\\^\\[\\]0;HACKED\\^G\\^\\[\\[2J<b>fet</b>$" \
    "a rogue peer's line with HTML and escapes shows as text"
expect "$A.state" '^img: 0$' "no <img> element was made from a line"
expect "$A.state" '^script: 0$' "no <script> element was made from a line"
expect "$A.state" '^dialogs: 0$' "no alert() ran"
refute "$TMP/browser.out" '^dialog ' "no dialog opened in any tab"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$A.rows"; then
    fail "no raw control character reaches the page"
else
    pass "no raw control character reaches the page"
fi
expect "$A.state" '^csp: 0$' "the page itself needs nothing the CSP forbids"
expect "$A.state" '^exceptions: 0$' "the page throws no JavaScript exception"

# Every row is stamped with its arrival; two tabs are two members with two keys
expect_js A 'Array.from(document.querySelectorAll("#log .row")).every((r) => Number(r.dataset.arrived) > 1.6e12)' \
    '^true$' "every row has data-arrived, a time in ms"
fa=$(sed -n 's/^fingerprint: //p' "$A.state")
fb=$(sed -n 's/^fingerprint: //p' "$B.state")
[[ -n $fa && $fa != "$fb" ]] && pass "two tabs are two members with two keys" ||
    fail "two tabs are two members with two keys ($fa / $fb)"

# A phone: nothing wider than the screen; a reader scrolled up stays there, with a button
browse view A 360x400
expect_js A 'document.documentElement.scrollWidth <= 360 && document.querySelector("#input").getBoundingClientRect().right <= 360' \
    '^true$' "at 360 px wide nothing is wider than the screen"
browse eval A 'document.querySelector("#log").scrollTop = 0'
say term "medan anna läser högre upp"
expect "$A.rows" "${line}terminal: medan anna läser högre upp$" "a line comes while the reader is scrolled up"
expect_js A '!document.querySelector("#new-lines").hidden && document.querySelector("#log").scrollTop === 0' \
    '^true$' "the log stays where the reader is, and a 'new lines' button shows"
browse eval A 'document.querySelector("#new-lines").click()'
say term "och en rad till"
expect "$A.rows" "${line}terminal: och en rad till$" "another line comes"
expect_js A 'document.querySelector("#new-lines").hidden && atBottom()' '^true$' \
    "the button scrolls down, and from there new lines scroll into view"
# A projector: larger text, and A+ makes it larger still, kept for the next visit
browse view A 1920x1080
expect_js A 'parseFloat(getComputedStyle(document.body).fontSize) >= 20' '^true$' \
    "a projector-sized window gets large text"
browse eval A 'document.querySelector("#font-up").click()'
expect_js A 'localStorage.getItem("chatt.font") + " " + document.documentElement.className' '^"4 font-4"$' \
    "A+ makes the text larger and is remembered"
browse eval A 'document.querySelector("#font-down").click()'

# A tab in Swedish: the page and its chat speak Swedish
browse open E "$url" sv-SE
browse nick E erik
expect "$TMP/browser/E.state" '^fingerprint: Din nyckel finns hos bryggan \(fingeravtryck [0-9a-f ]+\)$' \
    "a Swedish browser gets the page in Swedish"
expect "$TMP/browser/E.rows" '^notice \| .*anslöt' "and its chat speaks Swedish"

# A late tab sees the history, dimmed and marked
browse open C "$url"
browse nick C cecilia
expect "$C.rows" '^line history \| .*\[buddy\] terminal: hej från terminalen$' "a late tab sees history"
expect "$C.rows" '^line history( own)? \| .*\[buddy\] anna: hej från anna$' "a late tab sees a tab's history"

# Closing a tab: that member leaves once, the others see it. (Closed first, erik's tab id
# would be the late tab's: a browser that comes back is the member it was, under that nick.)
browse close E
browse close B
wait_for "$TMP/term.err" '^-- bertil left' && pass "closing a tab makes its member leave" ||
    { fail "closing a tab makes its member leave"; show "$TMP/term.err"; }
expect "$A.state" '^who: anna \(you\), (cecilia, terminal|terminal, cecilia)$' "the others' lists drop them"
browse type A "efter stängningen" # a barrier: what came before it has arrived
expect "$TMP/term.out" '<anna> efter stängningen$' "the room goes on"
expect_count "$TMP/term.err" '^-- bertil (left|lämnade)' 1 "the terminal chat says it left exactly once"
expect_count "$A.rows" 'others in the room$' 1 \
    "the side list's own \\who answers never reach the log, also after a refused \\who"

# Typing faster than the bridge allows (20 lines in 2 s): the page holds lines back instead of
# being dropped, and every line arrives, in order
left=$(grep -c '^-- anna left' "$TMP/term.err")
browse eval A 'for (let i = 1; i <= 30; i++) send("rad " + i)'
expect "$TMP/term.out" '<anna> rad 30$' "30 lines typed at once all arrive (the page paces them)"
[[ $(grep -Eo '<anna> rad [0-9]+$' "$TMP/term.out" | tr -dc '0-9\n' | paste -sd' ') == "$(seq -s' ' 30)" ]] &&
    pass "in order, each once" || fail "in order, each once ($(grep -c '<anna> rad ' "$TMP/term.out") lines)"
expect "$A.state" '^banner: hidden$' "and the tab is not dropped"
expect_count "$TMP/term.err" '^-- anna left' "$left" "its member stays in the room"
browse type A '\help'
expect "$A.rows" '^listing \| .*\\who' "\\help is shown as a listing in the log"

# A reload is the same member with the same key
left=$(grep -c '^-- anna left' "$TMP/term.err")
browse eval A 'setTimeout(() => location.reload(), 0)'
wait_count "$TMP/term.err" '^-- anna left' $((left + 1)) || fail "a reloaded tab leaves first"
wait_count "$TMP/term.err" '^-- anna joined' 2 && pass "a reloaded tab joins again" ||
    { fail "a reloaded tab joins again"; show "$TMP/term.err"; }
expect "$A.state" "^fingerprint: .*\\(fingerprint ${fa##*fingerprint }\$" "with the same key"
refute "$TMP/term.err" 'anna writes with another key' "the terminal chat sees no new key for anna"

# A tab that breaks the rules (a frame over 4096 bytes) is dropped with a reason, not reconnected
# in a loop; its member leaves; "join again" brings it back
left=$(grep -c '^-- anna left' "$TMP/term.err")
browse eval A 'state.socket.send("x".repeat(5000))'
expect "$A.state" '^banner: .*4096' "a tab sending too long a frame is dropped and told why"
wait_count "$TMP/term.err" '^-- anna left' $((left + 1)) && pass "its member leaves the room" ||
    fail "its member leaves the room"
expect "$A.state" '^input: disabled$' "the dropped tab cannot be typed into"
browse eval A 'document.querySelector("#rejoin").click()'
expect "$A.state" '^banner: hidden$' "'join again' reconnects it"
wait_count "$TMP/term.err" '^-- anna joined' 3 && pass "and its member is back" ||
    { fail "and its member is back"; show "$TMP/term.err"; }

# The bridge goes away: the tab says it is reconnecting, and reconnects when it is back
kill -TERM "${PEER_PID[web]}"
stop_peer web
expect "$A.state" '^banner: Reconnecting…$' "a tab whose bridge went away shows the reconnecting banner"
start_peer web2 "${ns[@]}" -- --web "$web" -p "$ptabs" -c "127.0.0.1:$pt"
expect "$A.state" '^banner: hidden$' "it reconnects by itself when the bridge is back" 20
expect "$A.state" '^input: enabled$' "and can be typed into again"
# The tab's chat is a new session: a line it writes before the terminal chat hears it would be
# history to the terminal chat (PROTOKOLL.md 12), so the room must have it first
wait_count "$TMP/term.err" '^-- anna joined' 4 && pass "the terminal chat hears the tab join again" ||
    { fail "the terminal chat hears the tab join again"; show "$TMP/term.err"; }
browse type A "tillbaka"
expect "$TMP/term.out" '<anna> tillbaka$' "the reconnected tab talks to the room again"

# A nick the chat refuses: its error shows at the nick form, which asks again; no loop
H=$TMP/browser/H
browse open H "$url"
browse nick H "a b"
expect "$H.rows" '^error \| .*bad nick "a b"' "a refused nick shows the chat's error"
expect "$H.state" '^nickform: shown$' "and the nick form asks again"
browse nick H hugo
expect "$H.state" '^who: hugo \(you\)' "another nick then joins"
wait_for "$TMP/term.err" '^-- hugo joined' && pass "and the room hears it" ||
    fail "and the room hears it"
browse close H

# A bridge on an address that is not loopback wants its token. In the namespace that is a real
# one (198.18.0.1, on a veth link of its own), where the page is no secure context (no Web
# Locks: the tabs ask each other for their ids); without it 127.0.0.2, which the bridge also
# treats as not loopback
lan=127.0.0.2
if ((${#ns[@]})); then
    lan=198.18.0.1
    ip -n "${NETNS[web]}" link add lan0 type veth peer name lan1 &&
        ip -n "${NETNS[web]}" addr add "$lan/24" dev lan0 &&
        ip -n "${NETNS[web]}" link set lan0 up && ip -n "${NETNS[web]}" link set lan1 up ||
        fail "a LAN address in the namespace"
fi
pw2=$(free_port)
start_peer lan "${ns[@]}" -- --web "$lan:$pw2" -p "$(free_port)"
if await_url lan "$lan:$pw2"; then
    lan_url=$(url_of lan)
    token=$(grep -Eo 't=[0-9a-f]{32}' <<<"$lan_url" | cut -c3-)
    [[ -n $token ]] && pass "a non-loopback bridge prints a URL with a 32-hex token" ||
        fail "a non-loopback bridge prints a URL with a 32-hex token ($lan_url)"
    base=http://$lan:$pw2
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/")
    [[ $code == 403 ]] && pass "a request without the token gets 403" ||
        fail "a request without the token gets 403 ($code)"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/chat.js?t=00000000000000000000000000000000")
    [[ $code == 403 ]] && pass "a wrong token gets 403" || fail "a wrong token gets 403 ($code)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
        -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
        "$base/ws?nick=eve&tab=0123456789abcdef0123456789abcdef&lang=en")
    [[ $code == 403 ]] && pass "a WebSocket without the token gets 403" ||
        fail "a WebSocket without the token gets 403 (HTTP status $code)"
    refute "$TMP/lan.err" 'joined as eve' "and no chat is started for it"
    cookie=$(curl -s -D- -o /dev/null "$base/?t=$token" | grep -i '^set-cookie:')
    grep -qi "chatt_token=$token" <<<"$cookie" && grep -qi 'httponly' <<<"$cookie" &&
        grep -qi 'samesite=strict' <<<"$cookie" &&
        pass "the right token sets an HttpOnly, SameSite=Strict cookie" ||
        fail "the right token sets an HttpOnly, SameSite=Strict cookie ($cookie)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "chatt_token=$token" "$base/chat.css")
    [[ $code == 200 ]] && pass "the cookie alone is let in" || fail "the cookie alone is let in ($code)"

    # Tabs on it: the token URL, then the bare address (the cookie); two members; a reload is
    # the same one; a tab opened after one was closed is the member that tab was
    D=$TMP/browser/D F=$TMP/browser/F G=$TMP/browser/G
    browse open D "$lan_url"
    browse nick D dora
    expect "$D.state" '^fingerprint: Your key' "a tab opened with the token URL joins"
    expect_js D 'location.search' '^""$' "the page takes the token out of the address bar"
    ((${#ns[@]})) && expect_js D '!window.isSecureContext && !navigator.locks' '^true$' \
        "on a LAN address the page is no secure context and has no Web Locks"
    browse open F "$base/"
    browse nick F frida
    expect "$F.state" '^fingerprint: Your key' "a second tab with the bare address joins (the cookie)"
    wait_for "$TMP/lan.err" 'joined as frida' || fail "the bridge says frida joined"
    fd=$(sed -n 's/^fingerprint: //p' "$D.state")
    ff=$(sed -n 's/^fingerprint: //p' "$F.state")
    [[ -n $fd && $fd != "$ff" ]] && pass "two tabs without Web Locks are two members" ||
        fail "two tabs without Web Locks are two members ($fd / $ff)"
    browse eval D 'setTimeout(() => location.reload(), 0)'
    wait_count "$TMP/lan.err" 'joined as dora' 2 || fail "the reloaded tab joins again"
    expect "$D.state" "^fingerprint: .*${fd##*fingerprint }" "a reload without Web Locks keeps the key"
    browse close F
    browse open G "$base/"
    expect "$G.state" "^fingerprint: .*${ff##*fingerprint }" \
        "a tab opened after one was closed is that member again, with its name and key"
    expect "$G.state" '^who: frida \(you\)' "under its name"
else
    fail "a bridge on $lan starts"
    show "$TMP/lan.err"
fi

stop_peer browser

# Every bridge leaves cleanly, its tabs' chats with it; no sanitizer (in a sanitizer build) said
# anything, in a bridge or in a tab's chat (whose stderr the bridge passes on)
[[ $(cat "$TMP/web.status") == 0 ]] && pass "a bridge ends on SIGTERM with status 0" ||
    fail "a bridge ends on SIGTERM with status 0 ($(cat "$TMP/web.status"))"
for name in web2 lan term; do
    [[ -n ${PEER_PID[$name]:-} ]] && stop_peer "$name"
done
[[ $(cat "$TMP/web2.status" 2>/dev/null) == 0 ]] && pass "a bridge ends at end of input with status 0" ||
    fail "a bridge ends at end of input with status 0 ($(cat "$TMP/web2.status" 2>/dev/null))"
reports=$(grep -l -E 'Sanitizer|runtime error:' "$TMP"/*.err 2>/dev/null)
[[ -z $reports ]] && pass "no sanitizer report from a bridge or a tab's chat" ||
    { fail "no sanitizer report from a bridge or a tab's chat ($reports)"; show $reports; }
finish
