#!/usr/bin/env bash
# e2e: exclusive
# A rogue member (tests/rogue_dialler.py) whose signed heartbeats name thousands of members
# that do not exist: at ports where nothing listens, many times at one victim's port, and at
# another chat's. Anna does not become its dialler: she tries only a few of those addresses at
# once (PEERS_PENDING_PER_SOURCE_MAX per heartbeat sender), gives each up after a few refused
# attempts, the victim sees a handful of connections, the other chat is dropped as soon as its
# heartbeat shows it is not the member named; her memory stays bounded, a line from bertil
# still arrives, and once the rogue stops she dials none of those addresses any more.
source "$(dirname "$0")/../lib.sh"
BEATS=400 RATE=50
[[ $CHAT == */asan/* || $CHAT == */tsan/* ]] && BEATS=150 RATE=25
PENDING_PER_SOURCE_MAX=8 QUIET_TRIES=5 # peers.h

anna_port=$(free_port) bertil_port=$(free_port) cecilia_port=$(free_port)
rogue_port=$(free_port) victim_port=$(free_port)
start_peer anna -- -n anna -p "$anna_port" --verbose
start_peer bertil -- -n bertil -p "$bertil_port" -c "$anna_port"
start_peer cecilia -- -n cecilia -p "$cecilia_port" --verbose
await_heard bertil anna && await_heard anna bertil || fail "anna and bertil hear each other"
rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/${PEER_PID[anna]}/status")

start_python rogue rogue_dialler.py "$rogue_port" --chat "$anna_port" --victim "$victim_port" \
    --victim-chat "$cecilia_port" --beats "$BEATS" --rate "$RATE"
expect "$TMP/rogue.out" '^beating$' "anna listens to the rogue"
started=$SECONDS
# While it beats: only a few of the addresses it names are tried at once (cecilia, a chat
# that listens to anna once anna has dialled her, is counted apart)
most=0
until grep -q '^beaten ' "$TMP/rogue.out" || ((SECONDS - started > 30)); do
    n=$(listing anna '\peers' | grep -E '^   127\.0\.0\.1:[0-9]+ \(' |
        grep -cvE "^   127\\.0\\.0\\.1:($bertil_port|$rogue_port|$cecilia_port) ")
    ((n > most)) && most=$n
    wait_for "$TMP/anna.err" 'never-printed' 1
done
attack_s=$((SECONDS - started))
expect "$TMP/rogue.out" '^beaten ' "the rogue sends $BEATS heartbeats"
named=$(awk '/^beaten / {print $3}' "$TMP/rogue.out")
say bertil "mitt i stormen"
expect "$TMP/anna.out" '<bertil> mitt i stormen$' "a line from bertil arrives"
rss_after=$(awk '/^VmRSS/ {print $2}' "/proc/${PEER_PID[anna]}/status")

tried=$(grep -oE 'SUB connecting to tcp://127\.0\.0\.1:[0-9]+' "$TMP/anna.err" |
    grep -vE ":($bertil_port|$rogue_port)\$" | sort -u | wc -l)
echo "# rogue_dialler: $BEATS heartbeats in ${attack_s} s named $named addresses; anna tried $tried, at most $most at once; RSS $((rss_before / 1024)) -> $((rss_after / 1024)) MB"
((most <= PENDING_PER_SOURCE_MAX)) &&
    pass "at most $PENDING_PER_SOURCE_MAX of the named addresses are tried at once ($most)" ||
    fail "at most $PENDING_PER_SOURCE_MAX of the named addresses are tried at once ($most)"
# Each of the 8 places is taken for about 3 s (5 refusals of libzmq's back-off) at least
bound=$((PENDING_PER_SOURCE_MAX * (attack_s / 2 + 3)))
((tried > 0 && tried <= bound)) && pass "anna tries $tried of $named named addresses (at most $bound)" ||
    fail "anna tries $tried of $named named addresses (at most $bound)"
say rogue count
expect "$TMP/rogue.out" '^victim ' "the victim counts its connections"
victim=$(awk '/^victim / {n = $2} END {print n + 0}' "$TMP/rogue.out")
((victim <= QUIET_TRIES + 1)) &&
    pass "the victim named $((BEATS * 8)) times is reached $victim times" ||
    fail "the victim named $((BEATS * 8)) times is reached $victim times (at most $((QUIET_TRIES + 1)))"
expect "$TMP/anna.err" "SUB stops listening to 127\\.0\\.0\\.1:$cecilia_port: it is not the member it was named for" \
    "the chat that answers as another member is dropped"
reached=$(grep -cE "·· SUB connecting to tcp://127\\.0\\.0\\.1:$cecilia_port " "$TMP/anna.err")
((reached <= 2)) && pass "and not dialled again ($reached times in all)" ||
    fail "and not dialled again ($reached times in all)"
grow=$((32 * 1024))
[[ $CHAT == */asan/* || $CHAT == */tsan/* ]] && grow=$((128 * 1024))
((rss_after - rss_before < grow)) &&
    pass "anna's memory stays bounded (+$(((rss_after - rss_before) / 1024)) MB)" ||
    fail "anna's memory stays bounded (+$(((rss_after - rss_before) / 1024)) MB)"

# Once the rogue has stopped: the pending addresses are given up, and none is dialled again
stop_peer rogue
deadline=$((SECONDS + 15))
until ! listing anna '\peers' | grep -qE '^   127\.0\.0\.1:[0-9]+ \((connecting|unreachable)'; do
    ((SECONDS < deadline)) || break
    wait_for "$TMP/anna.err" 'never-printed' 1
done
mark=$(wc -l <"$TMP/anna.err")
wait_for "$TMP/anna.err" 'never-printed' 3
tail -n +"$((mark + 1))" "$TMP/anna.err" | grep -E 'SUB connecting to' |
    grep -vE ":($bertil_port|$rogue_port) " >"$TMP/window.txt"
[[ ! -s $TMP/window.txt ]] && pass "after the rogue, anna dials none of the named addresses" || {
    fail "after the rogue, anna dials none of the named addresses"
    show "$TMP/window.txt"
}
say anna "lugnt igen"
expect "$TMP/bertil.out" '<anna> lugnt igen$' "anna's line reaches bertil"
stop_peer anna
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "anna quits cleanly" || fail "anna quits cleanly"
finish
