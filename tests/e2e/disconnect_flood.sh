#!/usr/bin/env bash
# e2e: exclusive
# \disconnect from a peer that sends all the time, then \connect again, eight times over: the
# chat stays up. Until this test, libzmq aborted the chat (Assertion failed: !_more, fq.cpp):
# the subscriber thread cut the connection after its poll had taken the first frame of a
# message from it, before reading the rest (libzmq#2163); 6 runs of 6 crashed. The flooder is
# a plain ZeroMQ PUB (tests/flooder.py) sending three-frame messages without pause.
source "$(dirname "$0")/../lib.sh"

pf=$(free_port) pa=$(free_port)
start_python f flooder.py "$pf"
wait_for "$TMP/f.out" '^ready$' || fail "the flooder binds its port"
start_peer a -- -n anna -p "$pa" -c "$pf"
wait_count "$TMP/a.err" "^-- connected to 127\.0\.0\.1:$pf\$" 1 || fail "anna connects to the flooder"
up=1
for ((round = 1; round <= 8 && up; round++)); do
    say a "\\disconnect $pf"
    wait_count "$TMP/a.err" "^-- no longer listening to 127\.0\.0\.1:$pf\$" "$round" || up=0
    say a "\\connect $pf"
    wait_count "$TMP/a.err" "^-- connected to 127\.0\.0\.1:$pf\$" $((round + 1)) || up=0
done
if ((up)) && kill -0 "${PEER_PID[a]}" 2>/dev/null; then
    pass "anna disconnects from and reconnects to a flooding peer 8 times and stays up"
else
    fail "anna disconnects from and reconnects to a flooding peer 8 times and stays up (round $((round - 1)))"
    show "$TMP/a.err"
fi
refute "$TMP/a.err" 'Assertion failed' "libzmq asserts nothing"
stop_peer f
stop_peer a
[[ $(cat "$TMP/a.status") == 0 ]] && pass "anna leaves cleanly at end of input" ||
    { fail "anna leaves cleanly at end of input ($(cat "$TMP/a.status"))"; show "$TMP/a.err"; }
finish
