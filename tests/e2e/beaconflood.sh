#!/usr/bin/env bash
# e2e: exclusive
# A flood of beacons: one host on the LAN broadcasts thousands of beacons of an open room,
# each with a new id and a port where nothing listens. Anna tries only a few of those
# addresses at a time (PEERS_PENDING_PER_SOURCE_MAX from one host), gives each up after a
# few refused attempts, and once the flood is over keeps none of them and dials none of them
# again; bertil, found by discovery before the flood, is still heard. Hosts are network
# namespaces of the test's own on 198.18.0.0/15.
source "$(dirname "$0")/../lib.sh"
need_netns
BEACONS=2000 FLOOD_S=4
[[ $CHAT == */asan/* || $CHAT == */tsan/* ]] && BEACONS=1000 FLOOD_S=5
PENDING_PER_SOURCE_MAX=8 # peers.h

netns_switch lan
netns_host anna bertil flood
netns_plug anna 198.18.5.1/24 lan
netns_plug bertil 198.18.5.2/24 lan
netns_plug flood 198.18.5.3/24 lan

export CHAT_NO_DISCOVERY=0
start_peer anna ip netns exec "${NETNS[anna]}" -- -n anna --verbose
start_peer bertil ip netns exec "${NETNS[bertil]}" -- -n bertil
expect "$TMP/anna.err" '^-- bertil joined \(198\.18\.5\.2:5557\)$' "anna finds bertil by discovery"
await_heard anna bertil || fail "bertil hears anna"

background ip netns exec "${NETNS[flood]}" "$PYTHON" "$TESTS_DIR/beacon_flood.py" 198.18.5.255 \
    "$BEACONS" 10000 "$FLOOD_S" >"$TMP/flood.out"
flood_pid=$!
on_exit "kill $flood_pid"
# While it lasts: only a few of its addresses are tried at once
most=0
for ((i = 0; i < FLOOD_S; i++)); do
    wait_for "$TMP/anna.err" 'never-printed' 1
    n=$(listing anna '\peers' | grep -c '^   198\.18\.5\.3:')
    ((n > most)) && most=$n
done
wait "$flood_pid" 2>/dev/null
tried=$(grep -o 'SUB connecting to tcp://198\.18\.5\.3:[0-9]*' "$TMP/anna.err" | sort -u | wc -l)
echo "# beaconflood: $BEACONS beacons in $FLOOD_S s; anna tried $tried of their addresses, at most $most at once"
((tried > 0)) && pass "anna hears the flood (tries $tried of its addresses)" ||
    fail "anna hears the flood"
((most <= PENDING_PER_SOURCE_MAX)) &&
    pass "at most $PENDING_PER_SOURCE_MAX of the flood's addresses are tried at once ($most)" ||
    fail "at most $PENDING_PER_SOURCE_MAX of the flood's addresses are tried at once ($most)"

# After it: none kept, none dialled
deadline=$((SECONDS + 15))
until ! listing anna '\peers' | grep -q '^   198\.18\.5\.3:'; do
    ((SECONDS < deadline)) || break
    wait_for "$TMP/anna.err" 'never-printed' 1
done
listing anna '\peers' >"$TMP/peers.txt"
if grep -q '^   198\.18\.5\.3:' "$TMP/peers.txt"; then
    fail "after the flood anna keeps none of its addresses"
    show "$TMP/peers.txt"
else
    pass "after the flood anna keeps none of its addresses"
fi
grep -q '^   198\.18\.5\.2:5557 (connected)' "$TMP/peers.txt" && pass "and still listens to bertil" ||
    fail "and still listens to bertil"
mark=$(wc -l <"$TMP/anna.err")
wait_for "$TMP/anna.err" 'never-printed' 3
tail -n +"$((mark + 1))" "$TMP/anna.err" >"$TMP/window.txt"
refute "$TMP/window.txt" 'SUB connecting to tcp://198\.18\.5\.3:' \
    "anna dials none of the flood's addresses any more"
say bertil "efter floden"
expect "$TMP/anna.out" '<bertil> efter floden$' "a line from bertil still arrives"
say anna "svar"
expect "$TMP/bertil.out" '<anna> svar$' "and anna's reaches him"
stop_peer anna
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "anna quits cleanly" || fail "anna quits cleanly"
finish
