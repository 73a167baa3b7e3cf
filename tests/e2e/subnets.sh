#!/usr/bin/env bash
# Two subnets with no route between them, joined only by a host on both that does not forward
# IP (issue 16, part 2): anna on net 1 and cesar on net 2 each connect to bertil, and bertil's
# chat forwards their lines to each other: each line once, in order; \who says "via bertil";
# anna's address for cesar, which she cannot reach, costs at most one line.
source "$(dirname "$0")/../lib.sh"

need_netns
netns_host anna bertil cesar
netns_link anna 198.18.1.1/24 bertil 198.18.1.2/24
netns_link cesar 198.18.2.3/24 bertil 198.18.2.2/24

# The setup: each net works, bertil forwards nothing, and no route leads from one net to the other
if [[ $(tcp_probe anna 198.18.1.2 5557) == closed ]] &&
    [[ $(tcp_probe cesar 198.18.2.2 5557) == closed ]]; then
    pass "anna and cesar each reach bertil on their own net"
else
    fail "anna and cesar each reach bertil on their own net"
    finish
fi
if [[ $(ip netns exec "${NETNS[bertil]}" sysctl -n net.ipv4.ip_forward) == 0 ]] &&
    ! ip -n "${NETNS[anna]}" route get 198.18.2.3 >/dev/null 2>&1 &&
    ! ip -n "${NETNS[cesar]}" route get 198.18.1.1 >/dev/null 2>&1; then
    pass "the two nets have no route between them"
else
    fail "the two nets have no route between them"
    finish
fi

start_peer bertil ip netns exec "${NETNS[bertil]}" -- -n bertil -p 5557
wait_for "$TMP/bertil.err" 'listening on port 5557$' || fail "bertil listens on port 5557"
start_peer anna ip netns exec "${NETNS[anna]}" -- -n anna -p 5557 -c 198.18.1.2:5557
start_peer cesar ip netns exec "${NETNS[cesar]}" -- -n cesar -p 5557 -c 198.18.2.2:5557
await_heard bertil anna cesar && await_heard anna bertil && await_heard cesar bertil &&
    pass "anna and cesar each talk with bertil" || fail "anna and cesar each talk with bertil"

# Each hears the other through bertil
expect_who anna '^   cesar +198\.18\.2\.3:5557 +\[buddy\] connected, via bertil$' \
    "\\who at anna shows cesar via bertil" || show "$TMP/bertil.err"
expect_who cesar '^   anna +198\.18\.1\.1:5557 +\[buddy\] connected, via bertil$' \
    "\\who at cesar shows anna via bertil" || show "$TMP/bertil.err"

for i in $(seq 20); do
    say anna "rad $i från anna"
    say cesar "rad $i från cesar"
done

# in_order FILE AUTHOR: true when FILE shows AUTHOR's lines 1..20, each once, in order
in_order() {
    [[ $(grep -o "<$2> rad [0-9]* från $2\$" "$1" | awk '{print $3}' | tr '\n' ' ') == \
        "$(seq -s ' ' 20) " ]]
}
# check_lines OBSERVER AUTHOR: a check that OBSERVER shows AUTHOR's 20 lines once each, in order
check_lines() {
    if wait_for "$TMP/$1.out" "<$2> rad 20 från $2\$" && in_order "$TMP/$1.out" "$2"; then
        pass "$1 shows $2's 20 lines, each once, in order"
    else
        fail "$1 shows $2's 20 lines, each once, in order"
        show "$TMP/$1.out"
    fi
}
check_lines anna cesar
check_lines cesar anna
check_lines bertil anna
check_lines bertil cesar

# Cesar's address, which anna cannot reach: at most one line (the \who table and the join aside)
# at_most_one OBSERVER OTHER ADDRESS: a check that OBSERVER says at most one line about OTHER's
# ADDRESS (a regex), which it cannot reach; the \who table and OTHER's join aside
at_most_one() {
    local n
    n=$(grep -E "$3" "$TMP/$1.err" | grep -Evc "^   |^-- $2 (joined|anslöt) ")
    if ((n <= 1)); then
        pass "$1 says at most one line about $2's address, which it cannot reach"
    else
        fail "$1 says at most one line about $2's address, which it cannot reach ($n lines)"
        show "$TMP/$1.err"
    fi
}
at_most_one anna cesar '198\.18\.2\.3'
at_most_one cesar anna '198\.18\.1\.1\>'

# A private message round the missing link: sealed to cesar, passed on by bertil as it is, and
# cesar's signed receipt passed back
say anna '\msg cesar bara för dig, runt bertil'
expect "$TMP/cesar.out" '\(private\) <anna> bara för dig, runt bertil$' \
    "anna's \\msg reaches cesar through bertil"
expect "$TMP/anna.err" '^-- ✓ delivered to cesar$' "and cesar's receipt reaches anna through bertil"
refute "$TMP/bertil.out" 'bara för dig' "bertil, who passed it on, cannot read it"

stop_peer anna
expect "$TMP/cesar.err" '^-- anna left$' "anna's goodbye reaches cesar through bertil"
stop_peer cesar
stop_peer bertil
finish
