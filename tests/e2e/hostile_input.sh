#!/usr/bin/env bash
# A rogue peer floods a chat with 2,000 random and malformed multi-frame messages and one
# oversized frame: the chat stays up, keeps chatting, rate-limits its notices, and no raw
# control byte reaches its output.
source "$(dirname "$0")/../lib.sh"

pr=$(free_port) pa=$(free_port) pb=$(free_port)
"$PYTHON" "$TESTS_DIR/rogue_peer.py" "$pr" 2000 >"$TMP/rogue.out" 2>&1 &
rogue=$!
on_exit "kill -9 $rogue"
start_peer anna -- -n anna -p "$pa" -c "$pr" -c "$pb"
start_peer bertil -- -n bertil -p "$pb" -c "$pa"
expect "$TMP/rogue.out" '^sent 2000$' "the rogue peer sends its 2,000 messages" 30
expect "$TMP/rogue.out" '^oversized$' "the rogue peer sends a 1 MiB frame" 30
expect "$TMP/anna.err" "127\\.0\\.0\\.1:$pr was cut off: it sent a broken or oversized message" \
    "the peer sending an oversized frame is cut off with one notice"
say anna "\\connect $pr"
expect "$TMP/rogue.out" '^done$' "the user can connect to it again" 30
expect "$TMP/anna.out" '<127\.0\.0\.1> efter stormen$' "the chat still shows good lines afterwards"

await_heard anna bertil || fail "bertil hears anna"
say anna "lever fortfarande"
expect "$TMP/bertil.out" '<anna> lever fortfarande$' "the chat keeps chatting"
if kill -0 "${PEER_PID[anna]}" 2>/dev/null; then pass "the chat is still running"; else fail "the chat is still running"; fi

notices=$(grep -c 'bad message from' "$TMP/anna.err")
((notices >= 1 && notices <= 200)) && pass "bad messages give rate-limited notices ($notices lines)" ||
    fail "bad messages give rate-limited notices ($notices lines)"
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP/anna.out" "$TMP/anna.err"; then
    fail "no raw control byte reaches the output"
    LC_ALL=C grep -n $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP/anna.out" "$TMP/anna.err" | head -3 | cat -v
else
    pass "no raw control byte reaches the output"
fi
if LC_ALL=C grep -qP '\xc2[\x80-\x9f]' "$TMP/anna.out" "$TMP/anna.err"; then
    fail "no raw C1 control reaches the output"
else
    pass "no raw C1 control reaches the output"
fi
if iconv -f UTF-8 -t UTF-8 "$TMP/anna.out" >/dev/null 2>&1; then
    pass "the output is valid UTF-8"
else
    fail "the output is valid UTF-8"
fi
stop_peer anna
stop_peer bertil
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "the chat exits 0 afterwards" ||
    fail "the chat exits 0 afterwards (status $(cat "$TMP/anna.status"))"
finish
