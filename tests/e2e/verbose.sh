#!/usr/bin/env bash
# --verbose and \debug show what happens on the wire in plain words, as it happens: the
# listening port, connecting, connected, the handshake, a new subscriber and what it
# subscribes to, each line sent and received with its frames, a broken connection.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pp=$(free_port)
start_peer anna -- --verbose -n anna -p "$pa" -c "$pb"
start_peer bertil -- -n bertil -p "$pb" -c "$pa"
w='^·· '
expect "$TMP/anna.err" "${w}PUB listening on tcp://.*:$pa$" "the listening socket is shown"
expect "$TMP/anna.err" "${w}SUB connecting to tcp://127\\.0\\.0\\.1:$pb" "connecting is shown"
expect "$TMP/anna.err" "${w}SUB TCP connection to tcp://127\\.0\\.0\\.1:$pb open$" "TCP connected"
expect "$TMP/anna.err" "${w}SUB ZeroMQ handshake on tcp://127\\.0\\.0\\.1:$pb done" \
    "the ZeroMQ handshake is shown"
expect "$TMP/anna.err" "${w}PUB a peer opened a TCP connection" "an incoming connection is shown"
expect "$TMP/anna.err" "${w}PUB 127\\.0\\.0\\.1 subscribes to every channel$" \
    "a new subscriber and its subscription are shown"
refute "$TMP/bertil.err" '^·· ' "without --verbose nothing of the wire is shown"

await_heard anna bertil || fail "bertil hears anna"
say anna "hej"
expect "$TMP/anna.err" "${w}PUB sends \"buddy> hej\" \\+ metadata \\(seq 1\\)$" "a line sent, frames shown"
expect "$TMP/bertil.out" '<anna> hej$' "and it arrives"
await_heard bertil anna || fail "anna hears bertil"
say bertil "svar"
# Lines arrive in signed batches: "~lines", metadata, the lines, the signature
batch='SUB got 4 frames from 127\.0\.0\.1: "~lines" \+ metadata \(version 2'
expect "$TMP/anna.err" "$w$batch, nick bertil, seq 1\\)$" \
    "a batch of lines received, frames and metadata shown"
expect "$TMP/anna.out" '<bertil> svar$' "and its line is shown"

# A course peer subscribing to its channel name
start_course_peer python "$pp" --connect "$pa"
expect "$TMP/anna.err" "${w}PUB 127\\.0\\.0\\.1 subscribes to \"buddy\"$" "a channel subscription is shown"

# \debug off hides the wire, \debug on shows it again
say bertil '\debug on'
expect "$TMP/bertil.err" '^-- showing what happens on the wire' "\\\\debug on is confirmed"
say anna '\debug off' "tyst nu"
expect "$TMP/anna.err" '^-- no longer showing the wire' "\\\\debug off is confirmed"
expect "$TMP/bertil.err" "$w$batch, nick anna, seq 2\\)$" \
    "\\\\debug on shows received lines"
refute "$TMP/anna.err" 'tyst nu' "\\\\debug off hides sent lines"

# The other side leaves: the break is shown
stop_peer anna
expect "$TMP/bertil.err" "${w}SUB connection on tcp://127\\.0\\.0\\.1:$pa broke" "a broken connection is shown"
stop_peer python
stop_peer bertil
finish
