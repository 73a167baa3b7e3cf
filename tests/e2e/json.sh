#!/usr/bin/env bash
# chat --json, the pipe mode for a program (web-protocol.md, section 1): three chats on
# localhost print only JSON objects on stdout, one a line, each of which parses: self (port,
# fingerprint, key), prompt, notice, error, text, line (a peer's, our own with own:true, /me
# with action:true, a private one with channel null, and "to" on the one we sent), who
# (names sorted, lines, the count), debug (--verbose); a hostile line arrives sanitized and
# escaped, and parses back to the sanitized text; stderr stays empty.
source "$(dirname "$0")/../lib.sh"

# json_wait FILE EXPR [SECONDS]: true once a line of FILE is a JSON object o for which the
# Python expression EXPR holds; false after SECONDS (default WAIT_S). Lines that do not parse
# are skipped here (all_json checks them).
cat >"$TMP/json_wait.py" <<'EOF_PY'
import json, sys, time
path, expr, deadline = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
while True:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    o = json.loads(line)
                except ValueError:
                    continue
                if isinstance(o, dict) and eval(expr, {"o": o}):
                    sys.exit(0)
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.05)
EOF_PY
json_wait() {
    "$PYTHON" "$TMP/json_wait.py" "$1" "$2" "${3:-$WAIT_S}"
}

# json_expect FILE EXPR DESCRIPTION [SECONDS]: a check that waits for an object matching EXPR.
json_expect() {
    if json_wait "$1" "$2" "${4:-$WAIT_S}"; then
        pass "$3"
    else
        fail "$3 (no object in $(basename "$1") for which $2)"
        show "$1"
    fi
}

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer anna -- --json -n anna -p "$pa" -c "$pb" -c "$pc"
start_peer bertil -- --json --verbose -n bertil -p "$pb" -c "$pa" -c "$pc"
start_peer cecilia -- --json -n cecilia -p "$pc" -c "$pa" -c "$pb"
joined() { # joined NAME OBSERVER: OBSERVER's stdout has the notice "NAME joined ..."
    json_wait "$TMP/$2.out" "o['t'] == 'notice' and o['text'].startswith('$1 joined ')"
}
for pair in "bertil anna" "cecilia anna" "anna bertil" "cecilia bertil" "anna cecilia" \
    "bertil cecilia"; do
    # shellcheck disable=SC2086 # two words on purpose
    joined $pair || fail "${pair#* } hears ${pair% *}"
done

# Who we are, once, after the banner; and the prompt
json_expect "$TMP/anna.out" "o['t'] == 'self' and o['nick'] == 'anna' and o['port'] == $pa \
    and o['channel'] == 'buddy' and o['key'].endswith('/anna.key') and \
    __import__('re').fullmatch('[0-9a-f]{4}( [0-9a-f]{4}){7}', o['fingerprint'])" \
    "self: nick, port (an int), channel, fingerprint, key"
json_expect "$TMP/anna.out" "o['t'] == 'prompt' and o['channel'] == 'buddy' and \
    o['nick'] == 'anna' and type(o['listeners']) is int" "prompt: channel, listeners, nick"
json_expect "$TMP/anna.out" "o['t'] == 'prompt' and o['listeners'] == 2" \
    "prompt again when the listeners change"
json_expect "$TMP/anna.out" "o['t'] == 'notice' and o['text'] == 'bertil joined (127.0.0.1:$pb)'" \
    "a notice, without its \"-- \""
json_expect "$TMP/bertil.out" "o['t'] == 'debug' and o['text'].startswith('SUB ')" \
    "--verbose: the wire view as debug objects, from the subscriber thread"

# A line from bertil at anna and cecilia; our own line back to us with own:true
say bertil "hej från bertil"
for name in anna cecilia; do
    json_expect "$TMP/$name.out" "o['t'] == 'line' and o['nick'] == 'bertil' and \
        o['channel'] == 'buddy' and o['text'] == 'hej från bertil' and o['own'] is False and \
        o['action'] is False and o['history'] is False and type(o['time']) is int and \
        o['color'].isdigit() and 'to' not in o" "$name gets bertil's line as a line object"
done
json_expect "$TMP/bertil.out" "o['t'] == 'line' and o['nick'] == 'bertil' and \
    o['text'] == 'hej från bertil' and o['own'] is True and o['channel'] == 'buddy'" \
    "bertil's own line comes back to him with own:true"
say bertil '/me dansar'
json_expect "$TMP/anna.out" "o['t'] == 'line' and o['nick'] == 'bertil' and \
    o['text'] == 'dansar' and o['action'] is True" "/me gives action:true, the text after it"
json_expect "$TMP/bertil.out" "o['t'] == 'line' and o['text'] == 'dansar' and \
    o['action'] is True and o['own'] is True" "our own /me with own:true"

# A private message: channel null at the recipient; "to" on the sender's own line
say bertil '\msg anna hemligt'
json_expect "$TMP/anna.out" "o['t'] == 'line' and o['channel'] is None and \
    o['nick'] == 'bertil' and o['text'] == 'hemligt' and 'to' not in o and o['own'] is False" \
    "a private line has channel null"
json_expect "$TMP/bertil.out" "o['t'] == 'line' and o['channel'] is None and \
    o['to'] == 'anna' and o['text'] == 'hemligt' and o['own'] is True" \
    "the private line we sent has channel null, to and own:true"
json_expect "$TMP/bertil.out" "o['t'] == 'notice' and o['text'].endswith('delivered to anna')" \
    "its receipt is a notice"

# \who: one object, names sorted, the listing's lines, the count line
say anna '\who'
json_expect "$TMP/anna.out" "o['t'] == 'who' and o['names'] == ['bertil', 'cecilia'] and \
    len(o['lines']) == 2 and 'bertil' in o['lines'][0] and 'cecilia' in o['lines'][1] and \
    o['text'] == '2 others in the room'" "\\who gives a who object"
say anna '\who ce'
json_expect "$TMP/anna.out" "o['t'] == 'who' and o['names'] == ['cecilia'] and \
    len(o['lines']) == 1 and o['text'] == '1 of 2 matches \"ce\"'" "\\who PATTERN filters"
say anna '\who zz'
json_expect "$TMP/anna.out" "o['t'] == 'who' and o['names'] == [] and o['lines'] == [] and \
    o['text'].startswith('nobody in the room matches')" "\\who with no match: still one who object"
refute "$TMP/anna.out" '"t":"notice","text":"2 others in the room"' \
    "\\who's count is not a notice as well"

# An error, help text, and the prompt after \channel
say anna '\frobnicate' '\help' '\channel news'
json_expect "$TMP/anna.out" "o['t'] == 'error' and \
    o['text'] == 'unknown command \\\\frobnicate (\\\\help lists the commands)'" \
    "an error, without its \"!! \""
json_expect "$TMP/anna.out" "o['t'] == 'text' and o['text'] == 'Commands:'" \
    "help text: one text object per line"
json_expect "$TMP/anna.out" "o['t'] == 'prompt' and o['channel'] == 'news'" \
    "prompt when the channel changes"
say anna '\channel buddy'

# A hostile line: markup, an escape sequence, a quote and a backslash arrive sanitized (as the
# terminal shows them) and escaped, and parse back to that text
say cecilia $'<img src=x onerror=alert(1)> \e[31mröd "citat" \\ slut\x7f'
sanitized='<img src=x onerror=alert(1)> ^[[31mröd "citat" \\ slut^?'
json_expect "$TMP/anna.out" "o['t'] == 'line' and o['nick'] == 'cecilia' and \
    o['text'] == '''$sanitized'''" "a hostile line parses back to the sanitized text"
expect "$TMP/anna.out" '"text":"<img src=x onerror=alert\(1\)> \^\[\[31mröd \\"citat\\" \\\\ slut\^\?"' \
    "... escaped: \\\" and \\\\"
refute "$TMP/anna.out" $'\e' "no raw ESC on stdout"
# The longest line, all of it to escape, still fits one line of JSON (checked at the end)
say cecilia "$(printf '"%.0s' $(seq 4096))"
json_expect "$TMP/anna.out" "o['t'] == 'line' and o['text'] == '\"' * 4096" \
    "a line of 4096 quotes arrives whole"

# The end: every line of every stdout is one JSON object with a "t", at most 16 KiB; nothing
# on stderr; every chat exits 0
say anna "hej då"
json_expect "$TMP/bertil.out" "o['t'] == 'line' and o['text'] == 'hej då'" "the last line arrives"
for name in anna bertil cecilia; do
    stop_peer "$name"
done
for name in anna bertil cecilia; do
    if "$PYTHON" -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$TMP/$name.out" &&
        "$PYTHON" -c '
import json, sys
for line in sys.stdin.buffer:
    assert line.endswith(b"\n") and len(line) <= 16384, line[:80]
    o = json.loads(line)
    assert isinstance(o, dict) and isinstance(o.get("t"), str), line[:80]
' <"$TMP/$name.out"; then
        pass "$name: every stdout line parses as one JSON object ($(wc -l <"$TMP/$name.out") lines)"
    else
        fail "$name: every stdout line parses as one JSON object"
        show "$TMP/$name.out"
    fi
    [[ ! -s $TMP/$name.err ]] && pass "$name: stderr is empty" || {
        fail "$name: stderr is empty"
        show "$TMP/$name.err"
    }
    [[ $(cat "$TMP/$name.status") == 0 ]] && pass "$name exits 0" ||
        fail "$name exits 0 (status $(cat "$TMP/$name.status"))"
done
expect_count "$TMP/anna.out" '"t":"self"' 1 "self comes once"
if "$PYTHON" -c '
import json, sys
prompts = [l for l in sys.stdin if json.loads(l)["t"] == "prompt"]
sys.exit(any(a == b for a, b in zip(prompts, prompts[1:])))' <"$TMP/anna.out"; then
    pass "no prompt object repeats the one before"
else
    fail "no prompt object repeats the one before"
    show "$TMP/anna.out"
fi
finish
