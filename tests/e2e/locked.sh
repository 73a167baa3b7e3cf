#!/usr/bin/env bash
# Locked rooms (issue 5): chats started with the same passphrase (--key, or CHAT_KEY so it
# stays out of ps) talk, encrypted with CURVE; a chat with another passphrase, or with none,
# can neither read nor write, is told so in one line, and the room says at most one line about
# it; a plain ZeroMQ subscriber gets nothing; \invite prints one line to pass on.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pc=$(free_port) pd=$(free_port)
start_peer a -- -n anna -p "$pa" --key "korv med bröd"
CHAT_KEY="korv med bröd" start_peer b -- -n bertil -p "$pb" -c "$pa"
await_heard bertil a && await_heard anna b || fail "two chats with the same passphrase form a room"
expect "$TMP/a.err" '^-- the room is locked: only those with its passphrase get in \(key [0-9a-f]{4}-[0-9a-f]{4}\)$' \
    "the banner says the room is locked, with the key's fingerprint"
fa=$(grep -o 'key [0-9a-f-]*)' "$TMP/a.err") fb=$(grep -o 'key [0-9a-f-]*)' "$TMP/b.err")
[[ -n $fa && $fa == "$fb" ]] && pass "the same passphrase (--key or CHAT_KEY) gives the same fingerprint" ||
    fail "the same passphrase gives the same fingerprint ($fa, $fb)"
say a "hemlig hälsning"
expect "$TMP/b.out" '<anna> hemlig hälsning$' "members of a locked room chat"
say b "svar"
expect "$TMP/a.out" '<bertil> svar$' "both ways"
if [[ ! -r /proc/${PEER_PID[b]}/cmdline ]] || tr '\0' ' ' <"/proc/${PEER_PID[b]}/cmdline" | grep -q 'korv'; then
    fail "CHAT_KEY keeps the passphrase out of ps"
else
    pass "CHAT_KEY keeps the passphrase out of ps"
fi

# Another passphrase: one clear line, nothing read, nothing written
start_peer c -- -n cecilia -p "$pc" -c "$pa" --key "fel nyckel"
expect "$TMP/c.err" "^!! 127\\.0\\.0\\.1:$pa does not accept our key \\(it has another passphrase, or none\\); not connecting to it$" \
    "a chat with another passphrase is told in one line"
say c "inkräktare"
say a "efter inkräktaren"
expect "$TMP/b.out" '<anna> efter inkräktaren$' "the room goes on"
refute "$TMP/a.out" 'inkräktare$' "the other passphrase's lines never appear"
refute "$TMP/c.out" 'hemlig|efter inkräktaren' "it receives nothing"

# No passphrase: refused clearly on both sides
start_peer d -- -n david -p "$pd" -c "$pa"
expect "$TMP/d.err" "^!! 127\\.0\\.0\\.1:$pa refused us: it is a locked room \\(start with --key to join it\\), or not a chat; not connecting to it$" \
    "a chat without a passphrase is told the room is locked"
say a "bara för rummet"
expect "$TMP/b.out" '<anna> bara för rummet$' "the room still chats"
refute "$TMP/d.out" 'bara för rummet' "the chat without a passphrase reads nothing"
refused=$(grep -c '^-- refused' "$TMP/a.err")
((refused >= 1 && refused <= 2)) && pass "the room says at most one line per refused chat ($refused)" ||
    fail "the room says at most one line per refused chat ($refused)"

# A plain ZeroMQ subscriber (no CURVE) gets nothing
timeout 10 "$PYTHON" - "$pa" >"$TMP/sniff.out" 2>&1 <<'PY'
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.SUBSCRIBE, b"")
s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
got = s.poll(3000)
print("got" if got else "nothing")
PY
say a "ingen tjuvlyssnar"
expect "$TMP/sniff.out" '^nothing$' "a plain ZeroMQ subscriber receives nothing from a locked room"

say a '\invite'
expect "$TMP/a.err" "^-- invite: chat -c [0-9a-f.:]+:$pa --key - \\(give the passphrase in person, not in the chat\\)$" \
    "\\invite prints one line to pass on"

# --key - asks in the terminal, without echo
pe=$(free_port)
start_terminal erik -n erik -p "$pe" -c "$pa" --no-history --key -
expect_screen erik '^Passphrase of the room: ?$' "--key - asks for the passphrase"
tmux_run send-keys -t erik "korv med bröd" Enter
expect_screen erik '^-- anna joined' "with the right one typed, it joins the room"
if screen erik | grep -q 'korv'; then
    fail "the passphrase typed is not echoed"
else
    pass "the passphrase typed is not echoed"
fi

finish
