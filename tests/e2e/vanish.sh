#!/usr/bin/env bash
# A member whose machine vanishes without a word (a closed lid, a pulled cable: no FIN, no
# RST, nothing answers any more) is noticed by TCP keepalive, not only by our heartbeats
# (issue 17, keepalive.h). The member (tests/rogue_v2.py as an honest member, on a host of its
# own) beats every 20 s and says so, as in a room of 100: by its heartbeats alone anna would
# wait 4 intervals, 80 s. Its host then drops everything; anna says it left within 30 s (the
# kernel's probes: 10 s idle, 3 probes 2 s apart, then MEMBER_GONE_MS), and \who no longer
# lists it. Every connection of anna's carries the kernel's keepalive timer.
source "$(dirname "$0")/../lib.sh"

EVERY_MS=20000 # the member's interval: 80 s until anna would time it out by heartbeats
NOTICED_S=30   # anna must say it left within this after its host went silent

need_netns iptables ss
netns_switch lan
netns_host anna lid
netns_plug anna 198.18.0.1/24 lan
netns_plug lid 198.18.0.2/24 lan

start_peer anna ip netns exec "${NETNS[anna]}" -- -n anna -p 5557
wait_for "$TMP/anna.err" 'listening on port 5557$' || fail "anna listens on port 5557"
start_python_on lid lid rogue_v2.py 5557 --host 198.18.0.2 --victim-host 198.18.0.1 \
    --victim 5557 --nick lid --every "$EVERY_MS"
expect "$TMP/lid.out" '^ready$' "the member on the other host starts"
say lid "beat"
say anna '\connect 198.18.0.2:5557'
expect "$TMP/anna.err" '^-- lid joined \(198\.18\.0\.2:5557\)$' "anna hears the member"
expect_who anna '^   lid +198\.18\.0\.2:5557 +\[buddy\] connected' "\\who at anna lists it"

# The kernel keeps anna's connections alive: each has a keepalive timer (ss -o)
timers=$(ip netns exec "${NETNS[anna]}" ss -tnoH state established | grep -c 'timer:(keepalive')
conns=$(ip netns exec "${NETNS[anna]}" ss -tnH state established | grep -c .)
if ((conns >= 2 && timers == conns)); then
    pass "each of anna's $conns connections has the kernel's keepalive timer"
else
    fail "each of anna's connections has the kernel's keepalive timer ($timers of $conns)"
    ip netns exec "${NETNS[anna]}" ss -tno state established >&2
fi

# The lid closes: the member's host answers nothing any more, not even TCP
ip netns exec "${NETNS[lid]}" iptables -A INPUT -j DROP
ip netns exec "${NETNS[lid]}" iptables -A OUTPUT -j DROP
closed=$SECONDS
if wait_for "$TMP/anna.err" '^-- lid left' "$NOTICED_S"; then
    pass "anna says the member left $((SECONDS - closed)) s after its host went silent (at most $NOTICED_S s; its heartbeats alone: $((4 * EVERY_MS / 1000)) s)"
else
    fail "anna says the member left within $NOTICED_S s after its host went silent"
    show "$TMP/anna.err"
fi
expect_who anna '^-- nobody else in the room yet$' "\\who at anna no longer lists it"
finish
