#!/usr/bin/env bash
# LAN discovery: three hosts (network namespaces) on one bridge find each other with no
# \connect at all and chat; --no-discovery keeps a chat out; two hosts of a locked room find
# each other and never try the open ones (nor the open ones them); a host with no broadcast
# interface says so in one line, and two chats on it still find each other by the port. Broadcasts never leave the
# namespaces this test makes (198.18.0.0/15, the range reserved for network tests).
source "$(dirname "$0")/../lib.sh"

if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
    fail "network namespaces need root and iproute2"
    finish
fi
s=$$
lan=chat-br-$s
ip netns add "$lan" && on_exit "ip netns del $lan"
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set br0 up
for i in 1 2 3 4 7 8; do
    host=chat-h$i-$s
    ip netns add "$host" && on_exit "ip netns del $host"
    ip link add "e$i-$s" netns "$host" type veth peer name "b$i" netns "$lan"
    ip -n "$lan" link set "b$i" master br0 up
    ip -n "$host" addr add "198.18.1.$i/24" dev "e$i-$s"
    ip -n "$host" link set "e$i-$s" up
    ip -n "$host" link set lo up
done
lonely=chat-h5-$s
ip netns add "$lonely" && on_exit "ip netns del $lonely"
ip -n "$lonely" link set lo up

export CHAT_NO_DISCOVERY=0
for i in 1 2 3; do
    start_peer "h$i" ip netns exec "chat-h$i-$s" -- -n "n$i"
done
start_peer h4 ip netns exec "chat-h4-$s" -- -n n4 --no-discovery
for i in 1 2 3; do
    wait_count "$TMP/h$i.err" '^-- n[123] joined \(198\.18\.1\.[123]:5557\)$' 2 &&
        pass "host $i finds the two others by discovery" ||
        { fail "host $i finds the two others by discovery"; show "$TMP/h$i.err"; }
done
refute "$TMP/h1.err" 'connecting to' "nobody typed \\connect"
say h2 "hej från värd 2"
expect "$TMP/h1.out" '<n2> hej från värd 2$' "discovered hosts chat"
expect "$TMP/h3.out" '<n2> hej från värd 2$' "all of them"
refute "$TMP/h1.err" 'n4 joined' "a chat with --no-discovery is not found"
refute "$TMP/h4.err" 'joined' "and finds nobody"

# A locked room on the same LAN: its two hosts find each other, and nobody tries the other kind
for i in 7 8; do
    start_peer "h$i" ip netns exec "chat-h$i-$s" -- -n "n$i" --key "lan-nyckel"
done
expect "$TMP/h7.err" '^-- n8 joined \(198\.18\.1\.8:5557\)$' "two hosts of a locked room find each other"
expect "$TMP/h8.err" '^-- n7 joined \(198\.18\.1\.7:5557\)$' "both ways"
say h7 "låst hej"
expect "$TMP/h8.out" '<n7> låst hej$' "and chat"
for i in 1 2 3; do
    refute "$TMP/h$i.err" 'locked|refused|does not accept|n[78] joined' \
        "open host $i never tries the locked room, nor is tried by it"
done
for i in 7 8; do
    refute "$TMP/h$i.err" 'refused|does not accept|tried to listen|n[123] joined' \
        "locked host $i never tries an open chat, nor is tried by one"
done

# No interface that can broadcast: one line, and \connect still works
start_peer h5 ip netns exec "$lonely" -- -n n5
expect "$TMP/h5.err" '^-- no network to find other chats on' "no broadcast interface: one notice"
n=$(grep -c 'discovery' "$TMP/h5.err")
((n == 1)) && pass "only one line about it" || fail "only one line about it ($n)"
refute "$TMP/h5.out" '.' "nothing about it among the chat lines (czmq's own log stays quiet)"
# The banner is two lines, and a third on a first start with this nick: the new key
key_line="^-- a new key for n5, in $XDG_DATA_HOME/chatt/n5\\.key: fingerprint( [0-9a-f]{4}){8}$"
expect "$TMP/h5.err" "$key_line" "a first start names the new key file and its fingerprint"
(($(wc -l <"$TMP/h5.err") == 4)) && pass "the banner, the key and that one line, nothing else" ||
    { fail "the banner, the key and that one line, nothing else"; show "$TMP/h5.err"; }

# Two chats on one machine find each other with no typing: the second, pushed off port
# 5557, connects to the chat holding it (here on a host with no broadcast at all)
start_peer h6 ip netns exec "$lonely" -- -n n6
expect "$TMP/h6.err" 'listening on port 5558$' "the second chat on a machine takes port 5558"
expect "$TMP/h6.err" '^-- n5 joined \(127\.0\.0\.1:5557\)$' "it finds the first with no typing"
expect "$TMP/h5.err" '^-- n6 joined \(127\.0\.0\.1:5558\)$' "and the first hears it"

for i in 1 2 3 4 5 6 7 8; do
    stop_peer "h$i"
done
finish
