#!/usr/bin/env bash
# Private messages (issue 4): \msg NICK text reaches that peer only: a third peer's SUB socket
# never receives it (its view of the wire lists every message its socket gets), and the
# sender sees the receipt. An unknown or ambiguous nick, and a recipient that does not answer,
# each give one clear line. --log FILE keeps a transcript of what the user saw.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer a -- -n anna -p "$pa"
start_peer b -- -n bertil -p "$pb" -c "$pa" --log "$TMP/bertil.log"
start_peer c -- -n cecilia -p "$pc" -c "$pa" --verbose
await_heard bertil a c && await_heard cecilia a b && await_heard anna b c ||
    fail "the three form a room"

say a '\msg bertil hemligt: ses vid 5'
expect "$TMP/b.out" '^[0-9:]+ \(private\) <anna> hemligt: ses vid 5$' "the recipient gets the private message"
expect "$TMP/a.err" '^-- ✓ delivered to bertil$' "the sender sees the receipt"
say a "offentligt efteråt"
expect "$TMP/c.out" '<anna> offentligt efteråt$' "the third peer gets the public line after it"
batch='"~lines" \+ metadata \(version 2, nick anna, seq 1\)$'
expect "$TMP/c.err" "^·· SUB got 4 frames from 127\\.0\\.0\\.1: $batch" \
    "its view of the wire lists what its socket receives"
# The private topics anna and bertil subscribe to at cecilia are theirs; every private message
# cecilia's socket got must be on her own topic, none on theirs
theirs=$(grep -o '^·· PUB [^ ]* subscribes to "![0-9a-f]*"' "$TMP/c.err" | grep -o '![0-9a-f]*' |
    sort -u)
got=$(grep -o '^·· SUB got [0-9]* frame(s) from [^ ]* "![0-9a-f]*"' "$TMP/c.err" |
    grep -o '![0-9a-f]*' | sort -u)
(($(wc -w <<<"$theirs") == 2)) && [[ -z $(comm -12 <(echo "$theirs") <(echo "$got")) ]] &&
    pass "the third peer's SUB socket never received the private message" ||
    { fail "the third peer's SUB socket never received the private message"; show "$TMP/c.err"; }
refute "$TMP/c.err" 'hemligt' "nor any line of its view of the wire names it"
refute "$TMP/c.out" 'hemligt' "nor does it show it"
refute "$TMP/b.out" 'offentligt.*hemligt|hemligt.*hemligt' "the recipient shows it once"
[[ $(grep -c 'hemligt' "$TMP/b.out") == 1 ]] && pass "exactly once" || fail "exactly once"

say a '\msg nobody hej'
expect "$TMP/a.err" '^!! nobody called nobody in the room \(\\who lists them\)$' "an unknown nick: one clear line"
say a '\msg bertil'
expect "$TMP/a.err" '^!! wrong arguments for \\msg' "no text: one clear line"

# Two members called bertil: the bare nick is ambiguous, the name \who shows is not
pd=$(free_port)
start_peer d -- -n bertil -p "$pd" -c "$pa"
wait_for "$TMP/a.err" '^-- bertil[#?][0-9a-f]{4} joined' || fail "a second bertil joins"
say a '\msg bertil hej'
expect "$TMP/a.err" '^!! several members are called bertil' "an ambiguous nick: one clear line"
second=$(grep -o 'bertil[#?][0-9a-f]\{4\} joined' "$TMP/a.err" | head -n 1 | cut -d' ' -f1)
second_re=${second//\?/\\?} # "bertil?3f2a" (another key than the first bertil's) as a pattern
say a "\\msg $second till den andra"
expect "$TMP/d.out" '\(private\) <anna> till den andra$' "the name \\who shows picks one of them"
refute "$TMP/b.out" 'till den andra' "and only that one"

# A recipient that does not answer: the sender is told, once
freeze d || fail "bertil#... stops"
say a "\\msg $second är du där?"
expect "$TMP/a.err" "^!! your message to $second_re was not delivered \\(no receipt within 5 s\\)$" \
    "no receipt within a few seconds: one clear line" 15
kill -CONT "${PEER_PID[d]}"

# The transcript: what bertil saw, with date and time, flushed per line, no colour codes
expect "$TMP/bertil.log" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [0-9:]+ \(private\) <anna> hemligt: ses vid 5$' \
    "--log has the private message, stamped"
expect "$TMP/bertil.log" '^[0-9-]+ [0-9:]+ -- anna joined' "--log has the notices"
say b "min egen rad"
expect "$TMP/bertil.log" '^[0-9-]+ [0-9:]+ [0-9:]+ \[buddy\] <bertil> min egen rad$' "--log has one's own lines"
say b '\msg anna tack'
expect "$TMP/bertil.log" '^[0-9-]+ [0-9:]+ [0-9:]+ \(private -> anna\) <bertil> tack$' \
    "--log has one's own private messages, and to whom"
refute "$TMP/bertil.log" $'\e' "--log has no escape codes"

finish
