#!/usr/bin/env bash
# The room forms itself: one \connect is heard both ways; ten peers that each know only the
# first form a full mesh; a clean quit says "left" at once; a crash (kill -9) says it after
# the heartbeats stop; the crashed peer restarted on its port is back with no command typed;
# \who lists the members, and two members with the same nick stay apart.
source "$(dirname "$0")/../lib.sh"
N=10

start_room "$N"

# Two-way: p1 connected to p0 only, yet p0 hears p1 without typing anything
expect "$TMP/p0.err" "^-- n1 joined \\(127\\.0\\.0\\.1:${port[1]}\\)$" "one \\connect is heard both ways"
refute "$TMP/p0.err" 'connecting to' "p0 typed nothing and connected to nobody itself"

# Full mesh: every peer hears the nine others
mesh=1
for ((i = 0; i < N; i++)); do
    if ! wait_count "$TMP/p$i.err" '^-- n[0-9] joined ' $((N - 1)); then
        mesh=0
        fail "p$i hears all $((N - 1)) others (it hears $(grep -c joined "$TMP/p$i.err"))"
    fi
done
((mesh)) && pass "$N peers that each know only the first form a full mesh"
for ((i = 0; i < N; i++)); do
    say "p$i" "rad från n$i"
done
delivered=1
for ((i = 0; i < N; i++)); do
    wait_count "$TMP/p$i.out" '<n[0-9]> rad från n[0-9]$' $((N - 1)) || {
        delivered=0
        fail "p$i gets the lines of all others ($(grep -c 'rad från' "$TMP/p$i.out") of $((N - 1)))"
    }
done
((delivered)) && pass "every peer's line reaches every other peer once"
for ((i = 0; i < N; i++)); do
    if (($(grep -c 'rad från' "$TMP/p$i.out") != N - 1)); then
        fail "p$i shows each line exactly once"
        delivered=0
    fi
done
((delivered)) && pass "no line is shown twice"

# \who: the members, their addresses, channels and states
say p3 '\who'
expect "$TMP/p3.err" "^   n0 +127\\.0\\.0\\.1:${port[0]} +\\[buddy\\] connected$" "\\who lists a member as connected"
(($(grep -c '\[buddy\] connected$' "$TMP/p3.err") == N - 1)) &&
    pass "\\who lists all $((N - 1)) others" ||
    fail "\\who lists all $((N - 1)) others"

# A clean quit: "left" at once, from the goodbye, not from missing heartbeats
stop_peer p9
for i in 0 5; do
    expect "$TMP/p$i.err" '^-- n9 left$' "a clean quit shows \"left\" on p$i" 3
done

# A crash: "left" once the heartbeats stop; printed once
{
    kill -9 "${PEER_PID[p8]}"
    wait "${PEER_PID[p8]}"
} 2>/dev/null
expect "$TMP/p0.err" "^-- n8 left \\(no heartbeat from 127\\.0\\.0\\.1:${port[8]} for 4 s\\)$" \
    "a crash (kill -9) shows \"left\" after the heartbeats stop"
wait_for "$TMP/p1.err" '^-- n8 left' || fail "p1 notices the crash too"
wait_for "$TMP/p1.err" 'never-printed' 2
(($(grep -c '^-- n8 left' "$TMP/p1.err") == 1)) && pass "the crash is reported once" ||
    fail "the crash is reported once"

# Restart on the same port, no -c: the others reconnect, and it connects back to all of them
mv "$TMP/p8.in" "$TMP/p8.old.in"
unset "PEER_FD[p8]" "PEER_PID[p8]"
start_peer p8 -- -n n8 -p "${port[8]}"
wait_count "$TMP/p0.err" '^-- n8 joined ' 2 &&
    pass "the restarted peer rejoins with no command typed" ||
    fail "the restarted peer rejoins with no command typed"
wait_count "$TMP/p8.err" '^-- n[0-9] joined ' $((N - 2)) &&
    pass "the restarted peer hears all $((N - 2)) others again" ||
    fail "the restarted peer hears all $((N - 2)) others again ($(grep -c joined "$TMP/p8.err"))"
wait_count "$TMP/p4.err" '^-- n8 joined ' 2 || fail "p4 hears the restarted peer"
say p8 "tillbaka"
say p4 "välkommen"
expect "$TMP/p0.out" '<n8> tillbaka$' "lines flow from the restarted peer"
expect "$TMP/p8.out" '<n4> välkommen$' "lines flow to the restarted peer"

# Two members with the same nick stay apart
pd=$(free_port)
start_peer dup -- -n n0 -p "$pd" -c "${port[1]}"
expect "$TMP/p2.err" '^-- n0[#?][0-9a-f]{4} joined ' "a second n0 is told apart on joining"
say p2 '\who'
wait_count "$TMP/p2.err" '^   n0[#?][0-9a-f]{4} ' 2 && pass "\\who shows both n0 with their id" ||
    { fail "\\who shows both n0 with their id"; show "$TMP/p2.err"; }

for ((i = 0; i < N - 1; i++)); do
    stop_peer "p$i"
done
stop_peer dup
finish
