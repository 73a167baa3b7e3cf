#!/usr/bin/env bash
# Every member has a key (issue 15): a \msg is sealed to its recipient, so a plain ZeroMQ SUB
# that subscribes to everything on the sender's port gets the message but cannot read it; and
# trust on first use: a new key using a nick seen before is shown apart, with one warning,
# until \trust accepts it; \whois shows the fingerprint to compare.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer a -- -n anna -p "$pa"
start_peer b -- -n bertil -p "$pb" -c "$pa"
await_heard bertil a && await_heard anna b || fail "anna and bertil hear each other"
start_python spy spy.py "$pa"
wait_for "$TMP/spy.out" '^ready$' || fail "the spy subscribes to everything on anna's port"

# Sealed: the spy gets the private message, in ciphertext only
say a '\msg bertil hemlis-4711 ses vid fem'
expect "$TMP/b.out" '^[0-9:]+ \(private\) <anna> hemlis-4711 ses vid fem$' "bertil reads the private message"
expect "$TMP/a.err" '^-- ✓ delivered to bertil$' "anna gets bertil's signed receipt"
wait_for "$TMP/spy.out" '^private msg ' && pass "a subscriber to everything gets the private message" ||
    { fail "a subscriber to everything gets the private message"; show "$TMP/spy.out"; }
plain=$(printf 'hemlis-4711' | od -An -tx1 | tr -d ' \n')
refute "$TMP/spy.out" "$plain" "but not its text: it is sealed to bertil"
refute "$TMP/spy.out" 'hemlis' "nor anything readable of it"

# The first key seen for anna is remembered; a new anna (another key) is shown apart
stop_peer a || fail "anna leaves"
expect "$TMP/b.err" '^-- anna left$' "bertil sees anna leave"
start_peer a2 -- -n anna --throwaway-key -p "$pc" -c "$pb"
expect "$TMP/b.err" '^-- warning: anna writes with another key than before \(fingerprint [0-9a-f ]{39}\), shown as anna\?[0-9a-f]{4}: it may be someone else' \
    "a new key for a remembered nick: one warning"
expect "$TMP/b.err" '^-- anna\?[0-9a-f]{4} joined ' "it joins under its tagged name"
say a2 'jag är anna'
expect "$TMP/b.out" '<anna\?[0-9a-f]{4}> jag är anna$' "its lines are never shown as anna's"
(($(grep -c 'writes with another key' "$TMP/b.err") == 1)) && pass "the warning is given once" ||
    fail "the warning is given once"
say b '\whois anna'
expect "$TMP/b.err" '^-- anna\?[0-9a-f]{4}: key [0-9a-f ]{39}, NOT the one first seen for anna' \
    "\\whois shows the new fingerprint, and that it is not the one first seen"
say b '\trust nobody'
expect "$TMP/b.err" '^!! nobody called nobody in the room \(\\who lists them\)$' \
    "\\trust for a name nobody has says so in one line"
say b '\trust anna'
expect "$TMP/b.err" "^-- anna's key [0-9a-f ]{39} is trusted from now on$" "\\trust accepts it"
say a2 'nu litar du på mig'
expect "$TMP/b.out" '<anna> nu litar du på mig$' "then it is shown as anna"
grep -q "^anna " "$TMP/data/chatt/known-peers" && pass "known-peers remembers anna" ||
    fail "known-peers remembers anna"
finish
