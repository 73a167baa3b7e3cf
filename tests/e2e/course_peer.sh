#!/usr/bin/env bash
# chat and a peer in the course's exact format (python3-zmq, one frame "kanal> text", channel
# buddy), both directions, with and without --plain.
source "$(dirname "$0")/../lib.sh"

pp=$(free_port) pa=$(free_port) pb=$(free_port)
start_course_peer python "$pp" --connect "$pa" --connect "$pb"
start_peer anna -- -n anna -p "$pa" -c "$pp" -c "$pb"
start_peer plain -- -n plain --plain -p "$pb" -c "$pp" -c "$pa"

expect "$TMP/python.out" '^ready' "the course peer starts"
wait_count "$TMP/python.out" '^subscribed ~listen ' 2 || fail "both chats subscribe to the course peer"
wait_for "$TMP/anna.err" 'listens to "buddy"' && wait_for "$TMP/plain.err" 'listens to "buddy"' ||
    fail "the course peer subscribes to both chats"
await_heard anna plain && await_heard plain anna || fail "the two chats hear each other"
expect "$TMP/anna.err" 'listens to "buddy" \(a course peer\? it gets each line in its own one-frame format\)' \
    "a course-style subscriber is recognised, and told it gets the course's format"
refute "$TMP/plain.err" 'restart with --plain' "no --plain hint when already plain"

# Course peer -> chat: shown with the sender's address, as the course has no nicks
say python "hej från kursen"
expect "$TMP/anna.out" '^[0-2][0-9]:[0-5][0-9] \[buddy\] <127\.0\.0\.1> hej från kursen$' \
    "chat shows the course peer's line with its address"
expect "$TMP/plain.out" '\[buddy\] <127\.0\.0\.1> hej från kursen$' "so does a --plain chat"

# chat -> course peer: exactly the course's one frame "buddy> text"; the signed batch and its
# metadata go to chats only
say anna "hej från anna"
expect "$TMP/python.out" '^got 1 buddy> hej från anna$' \
    "the course peer gets 'buddy> text' as one frame"
say plain "hej från plain"
expect "$TMP/python.out" '^got 1 buddy> hej från plain$' \
    "with --plain the course peer gets exactly one frame"
expect "$TMP/anna.out" '\[buddy\] <127\.0\.0\.1> hej från plain$' \
    "a --plain chat's line reaches another chat as a plain peer's"
expect "$TMP/plain.out" '\[buddy\] <anna> hej från anna$' \
    "a --plain chat still shows a chat's signed line with its nick"
refute "$TMP/plain.out" '<127\.0\.0\.1> hej från anna$' \
    "and not the course peers' copy of it as a plain peer's"
[[ $(grep -c 'hej från anna$' "$TMP/python.out") == 1 ]] && pass "the course peer gets it once" ||
    fail "the course peer gets it once"

# The course peer's channel filter is a prefix: a line to another channel does not reach it
say anna '\channel news' "nyheter"
expect "$TMP/plain.out" '\[news\] <anna> nyheter$' "chat's channel switch reaches chats"
refute "$TMP/python.out" 'nyheter' "the course peer, listening to buddy, misses news"

# Heartbeats and goodbyes travel on "~" topics: the course peer, subscribed to "buddy", never
# sees them (it prints every message it gets)
refute "$TMP/python.out" '^got [0-9]+ ~' "the course peer never sees control traffic"
refute "$TMP/python.out" '^got ([02-9]|[0-9]{2,}) ' "no metadata frame ever reaches the course peer"

stop_peer python
stop_peer anna
stop_peer plain
finish
