#!/usr/bin/env bash
# e2e: exclusive
# A rogue peer floods a room of two chats with 10,000 random and malformed multi-frame messages
# (random sizes and bytes, heartbeats of garbage, private messages for nobody, metadata with
# wrong lengths) and one 10 MB frame: both chats stay up, keep chatting, rate-limit their
# notices, and no raw control byte reaches their output.
source "$(dirname "$0")/../lib.sh"

pr=$(free_port) pa=$(free_port) pb=$(free_port)
"$PYTHON" "$TESTS_DIR/rogue_peer.py" "$pr" 10000 >"$TMP/rogue.out" 2>&1 &
rogue=$!
on_exit "kill -9 $rogue"
start_peer anna -- -n anna -p "$pa" -c "$pr" -c "$pb"
start_peer bertil -- -n bertil -p "$pb" -c "$pa" -c "$pr"
expect "$TMP/rogue.out" '^sent 10000$' "the rogue peer sends its 10,000 messages" 60
expect "$TMP/rogue.out" '^oversized$' "the rogue peer sends a 10 MB frame" 30
for name in anna bertil; do
    expect "$TMP/$name.err" "127\\.0\\.0\\.1:$pr was cut off: it sent a broken or oversized message" \
        "$name cuts the peer sending an oversized frame off, with one notice"
    [[ $(grep -c 'was cut off' "$TMP/$name.err") == 1 ]] && pass "$name: one notice" ||
        fail "$name: one notice ($(grep -c 'was cut off' "$TMP/$name.err"))"
done
say anna "\\connect $pr"
expect "$TMP/rogue.out" '^done$' "the user can connect to it again" 30
expect "$TMP/anna.out" '<127\.0\.0\.1> efter stormen$' "the chat still shows good lines afterwards"

await_heard anna bertil || fail "bertil hears anna"
say anna "lever fortfarande"
expect "$TMP/bertil.out" '<anna> lever fortfarande$' "the chat keeps chatting"
say bertil "jag med"
expect "$TMP/anna.out" '<bertil> jag med$' "both ways"
for name in anna bertil; do
    kill -0 "${PEER_PID[$name]}" 2>/dev/null && pass "$name is still running" || fail "$name is still running"
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/${PEER_PID[$name]}/status")
    ((hwm < 100 * 1024)) && pass "$name's memory stayed bounded ($((hwm / 1024)) MB)" ||
        fail "$name's memory stayed bounded ($((hwm / 1024)) MB)"
done

# A peer asking anna 200 times to resend all her lines gets one answer, not 200: a request
# cannot make a chat an amplifier
seq -f "rad %.0f" 1 300 >&"${PEER_FD[anna]}"
expect "$TMP/bertil.out" '<anna> rad 300$' "anna has lines to resend"
timeout 20 "$PYTHON" - "$pa" >"$TMP/amplify.out" 2>&1 <<'PY'
import sys, time, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.SUBSCRIBE, b"~beat")
fake = b"ab" * 16
s.setsockopt(zmq.SUBSCRIBE, b"!" + fake)
s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
anna = None
while anna is None and s.poll(10000):
    frames = s.recv_multipart()
    if frames[0] == b"~beat" and len(frames) > 1:
        anna = frames[1][1:17].hex().encode()
for _ in range(200):
    request = b"~resend " + anna + b" " + fake + b" 1"
    s.setsockopt(zmq.SUBSCRIBE, request)
    s.setsockopt(zmq.UNSUBSCRIBE, request)
lines, end = 0, time.time() + 3
while time.time() < end:
    if s.poll(100):
        frames = s.recv_multipart()
        if frames[0].startswith(b"!") and frames[1] == b"line":
            lines += 1
print("resent", lines)
PY
resent=$(awk '/^resent/ {print $2}' "$TMP/amplify.out")
((resent >= 300 && resent <= 600)) &&
    pass "200 resend requests at once get one answer ($resent lines resent, not 60,000)" ||
    fail "200 resend requests at once get one answer ($resent lines resent; $(cat "$TMP/amplify.out"))"

notices=$(cat "$TMP/anna.err" "$TMP/bertil.err" | grep -c 'bad message from')
((notices >= 1 && notices <= 400)) && pass "bad messages give rate-limited notices ($notices lines)" ||
    fail "bad messages give rate-limited notices ($notices lines)"
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP"/{anna,bertil}.{out,err}; then
    fail "no raw control byte reaches the output"
    LC_ALL=C grep -n $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP"/{anna,bertil}.{out,err} | head -3 | cat -v
else
    pass "no raw control byte reaches the output"
fi
if LC_ALL=C grep -qP '\xc2[\x80-\x9f]' "$TMP"/{anna,bertil}.{out,err}; then
    fail "no raw C1 control reaches the output"
else
    pass "no raw C1 control reaches the output"
fi
if cat "$TMP"/{anna,bertil}.{out,err} | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    pass "the output is valid UTF-8"
else
    fail "the output is valid UTF-8"
fi
stop_peer anna
stop_peer bertil
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "the chat exits 0 afterwards" ||
    fail "the chat exits 0 afterwards (status $(cat "$TMP/anna.status"))"
finish
