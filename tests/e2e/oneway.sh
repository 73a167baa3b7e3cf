#!/usr/bin/env bash
# A host that refuses incoming connections (a laptop firewall, campus Wi-Fi: every incoming TCP
# SYN dropped) and an open host on one LAN (issue 16, part 1): anna, behind the firewall,
# connects to bertil, and the two chat both ways over the connections anna opens; \who says the
# link is one-way and who carries it. An address whose host drops everything gives one line,
# not one per retry.
source "$(dirname "$0")/../lib.sh"

need_netns iptables
netns_switch lan
netns_host anna bertil silent
netns_plug anna 198.18.0.1/24 lan
netns_plug bertil 198.18.0.2/24 lan
netns_plug silent 198.18.0.99/24 lan

# The LAN works (nothing listens yet: refused at once) before anna's firewall goes up
if [[ $(tcp_probe bertil 198.18.0.1 5557) == closed ]] &&
    [[ $(tcp_probe anna 198.18.0.2 5557) == closed ]]; then
    pass "the hosts reach each other on the LAN"
else
    fail "the hosts reach each other on the LAN"
    finish
fi
ip netns exec "${NETNS[anna]}" iptables -A INPUT -p tcp --syn -j DROP
ip netns exec "${NETNS[silent]}" iptables -A INPUT -j DROP
if [[ $(tcp_probe bertil 198.18.0.1 5557) == silent ]] &&
    [[ $(tcp_probe anna 198.18.0.99 5557) == silent ]]; then
    pass "anna's host and 198.18.0.99 drop incoming connections without a word"
else
    fail "anna's host and 198.18.0.99 drop incoming connections without a word"
    finish
fi

start_peer bertil ip netns exec "${NETNS[bertil]}" -- -n bertil -p 5557
wait_for "$TMP/bertil.err" 'listening on port 5557$' || fail "bertil listens on port 5557"
start_peer anna ip netns exec "${NETNS[anna]}" -- -n anna -p 5557 -c 198.18.0.2:5557
expect "$TMP/anna.err" '^-- connected to 198\.18\.0\.2:5557$' "anna connects out to bertil"

# An address whose host drops everything: asked now, checked while the rest goes on
say anna '\connect 198.18.0.99:5557'
silent_line='198\.18\.0\.99:5557 does not answer'
if wait_for "$TMP/anna.err" "$silent_line" 10; then
    pass "an address where nothing answers gives a line within 10 s"
else
    fail "an address where nothing answers gives a line within 10 s"
    show "$TMP/anna.err"
fi
silent_told=$SECONDS

expect "$TMP/anna.err" '^-- bertil joined \(198\.18\.0\.2:5557\)$' "anna hears bertil"
expect "$TMP/bertil.err" '^-- anna joined \(198\.18\.0\.1:5557\)$' \
    "bertil hears anna over the connection she opened"
expect_who anna '^   bertil +198\.18\.0\.2:5557 +\[buddy\] connected, one-way \(we carry it\)$' \
    "\\who at anna says she carries the link to bertil"
carried='connected, one-way \(carried by anna\)$'
expect_who bertil "^   anna +198\\.18\\.0\\.1:5557 +\\[buddy\\] $carried" \
    "\\who at bertil says anna carries the link"

say anna "hej från brandväggen" "andra raden från anna" "slut från anna"
say bertil "hej tillbaka" "andra raden från bertil" "slut från bertil"
expect "$TMP/bertil.out" '\[buddy\] <anna> hej från brandväggen$' "anna's line reaches bertil"
expect "$TMP/anna.out" '\[buddy\] <bertil> hej tillbaka$' "bertil's line reaches anna"
if wait_for "$TMP/bertil.out" '<anna> slut från anna$' &&
    wait_for "$TMP/anna.out" '<bertil> slut från bertil$'; then
    pass "all lines arrive both ways"
else
    fail "all lines arrive both ways"
    show "$TMP/anna.out"
    show "$TMP/bertil.out"
fi
for line in "hej från brandväggen" "andra raden från anna" "slut från anna"; do
    expect_count "$TMP/bertil.out" "<anna> $line\$" 1 "bertil shows '$line' once"
done
for line in "hej tillbaka" "andra raden från bertil" "slut från bertil"; do
    expect_count "$TMP/anna.out" "<bertil> $line\$" 1 "anna shows '$line' once"
done
refute "$TMP/anna.err" 'nobody listens to you yet' "anna is not told that nobody listens"
# Bertil may try anna's address and be told once that it does not answer; never once a retry
n=$(grep -c '198\.18\.0\.1:5557 does not answer' "$TMP/bertil.err")
((n <= 1)) && pass "bertil says at most once that anna's address does not answer" ||
    fail "bertil says at most once that anna's address does not answer (said $n times)"

# Still one line about 198.18.0.99 after 10 s more of retries (a count awaited in vain is a pass)
if wait_count "$TMP/anna.err" "$silent_line" 2 $((silent_told + 10 - SECONDS)); then
    fail "an address where nothing answers gives one line, not one per retry"
    show "$TMP/anna.err"
else
    expect_count "$TMP/anna.err" "$silent_line" 1 \
        "an address where nothing answers gives one line, not one per retry"
fi

stop_peer anna
expect "$TMP/bertil.err" '^-- anna left$' "anna's goodbye reaches bertil over the link she carries"
stop_peer bertil
expect_count "$TMP/bertil.err" '^-- anna left$' 1 "and is told once"
finish
