#!/usr/bin/env bash
# Two LAN hosts, each a network namespace with its own address on one veth link
# (198.18.0.0/15, reserved for network tests, never routed out): the chats find each other
# by IP:port, the banner shows the address a neighbour types, and lines flow both ways.
source "$(dirname "$0")/../lib.sh"

if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
    fail "network namespaces need root and iproute2"
    finish
fi
suffix=$$
host1=chat-lan1-$suffix host2=chat-lan2-$suffix
ip netns add "$host1" && on_exit "ip netns del $host1"
ip netns add "$host2" && on_exit "ip netns del $host2"
ip link add "v1-$suffix" netns "$host1" type veth peer name "v2-$suffix" netns "$host2"
ip -n "$host1" addr add 198.18.0.1/24 dev "v1-$suffix"
ip -n "$host2" addr add 198.18.0.2/24 dev "v2-$suffix"
for host in "$host1" "$host2"; do
    ip -n "$host" link set lo up
done
ip -n "$host1" link set "v1-$suffix" up
ip -n "$host2" link set "v2-$suffix" up

# The default port on both hosts: each host has its own 5557
start_peer anna ip netns exec "$host1" -- -n anna -c 198.18.0.2:5557
start_peer bertil ip netns exec "$host2" -- -n bertil -c 198.18.0.1
expect "$TMP/anna.err" 'others reach you at: 198\.18\.0\.1, 127\.0\.0\.1 \(port 5557\)' \
    "the banner shows the LAN address and the default port"
say bertil '\connect 198.18.0.1:5557'
expect "$TMP/bertil.err" 'already listening to 198\.18\.0\.1:5557' \
    "an address without a port means the default port"
expect "$TMP/bertil.err" 'connected to 198\.18\.0\.1:5557' "bertil connects across the link"
expect "$TMP/anna.err" 'connected to 198\.18\.0\.2:5557' "anna connects across the link"
expect "$TMP/anna.err" '^-- bertil joined \(198\.18\.0\.2:5557\)$' "anna sees bertil join from his LAN address"
expect "$TMP/bertil.err" '^-- anna joined \(198\.18\.0\.1:5557\)$' "bertil sees anna join from hers"

say anna "hej över nätet"
say bertil "hej tillbaka"
expect "$TMP/bertil.out" '\[buddy\] <anna> hej över nätet$' "anna's line crosses the LAN"
expect "$TMP/anna.out" '\[buddy\] <bertil> hej tillbaka$' "bertil's line crosses back"

# A host that is not there: one clear line, the chat keeps going
say anna '\connect 198.18.0.9:5557' "fortfarande här"
expect "$TMP/anna.err" '198\.18\.0\.9:5557 does not answer' "an unreachable host gives one line"
expect "$TMP/bertil.out" '<anna> fortfarande här$' "the chat keeps working meanwhile"

# A second chat on the same host finds the default port taken and takes the next one
# david names anna twice, by 127.0.0.1 and by the LAN address: he still shows each line once
start_peer david ip netns exec "$host1" -- -n david -c 5557 -c 198.18.0.1:5557
expect "$TMP/david.err" 'listening on port 5558$' "a second chat on a host takes port 5558"
await_heard anna david || fail "david hears anna"
wait_for "$TMP/david.err" 'connected to 198\.18\.0\.1:5557' || fail "david connects by both addresses"
say anna "hej david" "andra raden"
expect "$TMP/david.out" '\[buddy\] <anna> hej david$' "two chats on one host talk"
expect "$TMP/david.out" '\[buddy\] <anna> andra raden$' "and go on talking"
n=$(grep -c 'hej david' "$TMP/david.out")
((n == 1)) && pass "a member heard at two addresses shows each line once" ||
    fail "a member heard at two addresses shows each line once (shown $n times)"

stop_peer david
stop_peer anna
stop_peer bertil
finish
