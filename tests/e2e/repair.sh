#!/usr/bin/env bash
# e2e: exclusive
# Repair and history (issue 4). A peer stopped with SIGSTOP for 5 s during a burst of 100,000
# lines: the others lose nothing and their memory stays bounded; when it wakes it catches up
# in order, and whatever could not be repaired is reported as lost, exactly. A peer killed
# with kill -9 mid-burst and restarted is shown, marked as history, the lines it missed.
source "$(dirname "$0")/../lib.sh"
BURST=${REPAIR_BURST:-100000}

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer a -- -n anna -p "$pa"
start_peer b -- -n bertil -p "$pb" -c "$pa"
start_peer c -- -n cecilia -p "$pc" -c "$pa"
await_heard bertil a c && await_heard cecilia a b && await_heard anna b c ||
    fail "the three form a room"

# inorder FILE NICK PREFIX: the lines "<NICK> PREFIX SEQ" of FILE have strictly increasing SEQs
# (none twice, none out of order); prints how many there are.
inorder() {
    awk -v who="<$2> $3 " 'index($0, who) {
            q = substr($0, index($0, who) + length(who)) + 0
            if (q <= last) { print "out of order: " q " after " last; exit 1 }
            last = q; n++
        }
        END { print n + 0 }' "$1"
}

rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/${PEER_PID[a]}/status")
freeze c || fail "cecilia stops"
stopped=$SECONDS
seq -f "burst %.0f" 1 "$BURST" >&"${PEER_FD[a]}" &
expect "$TMP/b.out" "<anna> burst $BURST\$" "bertil gets anna's burst while cecilia is stopped" 120
count=$(inorder "$TMP/b.out" anna burst)
[[ $count == "$BURST" ]] && pass "bertil loses nothing: all $BURST lines, once each, in order" ||
    fail "bertil loses nothing: all $BURST lines, once each, in order ($count)"
hwm_a=$(awk '/^VmHWM/ {print $2}' "/proc/${PEER_PID[a]}/status")
hwm_b=$(awk '/^VmHWM/ {print $2}' "/proc/${PEER_PID[b]}/status")
echo "# repair: RSS of anna before the burst $((rss_before / 1024)) MB; peak anna $((hwm_a / 1024)) MB, bertil $((hwm_b / 1024)) MB"
# The bound: the queues (SOCKET_HWM_MESSAGES per connection each way), the outbox, the resend
# buffer and the backlog, all bounded; 160 MB is far above what they add up to here
((hwm_a < 160 * 1024 && hwm_b < 160 * 1024)) && pass "the others' memory stays bounded" ||
    fail "the others' memory stays bounded (anna $hwm_a kB, bertil $hwm_b kB)"
while ((SECONDS - stopped < 5)); do
    sleep 0.2 # the test's subject: a peer stopped for 5 s
done
kill -CONT "${PEER_PID[c]}"
# Cecilia catches up: the lines she shows are in order and once each, and those she does not
# show are reported lost, so that together they are the whole burst
caught_up() {
    local shown lost
    shown=$(inorder "$TMP/c.out" anna burst) || return 1
    lost=$(awk '/messages? from anna (was|were) lost/ {n += $2} END {print n + 0}' "$TMP/c.err")
    ((shown + lost == BURST))
}
deadline=$((SECONDS + 120))
until caught_up || ((SECONDS > deadline)); do
    sleep 0.2
done
shown=$(inorder "$TMP/c.out" anna burst)
lost=$(awk '/messages? from anna (was|were) lost/ {n += $2} END {print n + 0}' "$TMP/c.err")
echo "# repair: cecilia, stopped 5 s: $shown lines shown, $lost reported lost in $(grep -c ' lost' "$TMP/c.err") notice(s)"
caught_up && pass "the stopped peer catches up: lines in order, once each, the rest reported lost" ||
    fail "the stopped peer catches up ($shown shown + $lost lost of $BURST)"
expect "$TMP/c.out" "<anna> burst $BURST\$" "the stopped peer shows the end of the burst"
say a "efter pausen"
expect "$TMP/c.out" '<anna> efter pausen$' "and goes on chatting"

# Kill -9 mid-burst, restart: the lines missed meanwhile come as history
seq -f "andra %.0f" 1 2000 >&"${PEER_FD[b]}" &
wait_for "$TMP/c.out" '<bertil> andra 500$' || fail "cecilia gets bertil's second burst"
kill -9 "${PEER_PID[c]}"
wait "${PEER_PID[c]}" 2>/dev/null
expect "$TMP/b.err" '^-- cecilia left' "the crash is noticed" 15
# anna's lines must be the channel's newest, so the end of bertil's burst comes first (on a
# slow build it may still be going)
wait_for "$TMP/a.out" '<bertil> andra 2000$' 30 || fail "anna gets the end of bertil's burst"
for i in 1 2 3; do
    say a "medan du var borta $i"
done
expect "$TMP/b.out" '<anna> medan du var borta 3$' "bertil hears what cecilia misses"
start_peer c2 -- -n cecilia -p "$pc" -c "$pa"
expect "$TMP/c2.out" '^\(history\) .*<anna> medan du var borta 3$' \
    "after a restart the missed lines are shown as history" 30
history=$(grep -c '^(history) .*medan du var borta' "$TMP/c2.out")
[[ $history == 3 ]] && pass "each missed line once" || fail "each missed line once ($history)"
awk '/^\(history\) .*medan du var borta/ {print $NF}' "$TMP/c2.out" | tr '\n' ' ' |
    grep -qx '1 2 3 ' && pass "in order" || fail "in order"
count=$(grep -c '^(history) ' "$TMP/c2.out")
((count <= 50)) && pass "at most 50 lines of history per channel by default ($count)" ||
    fail "at most 50 lines of history per channel by default ($count)"
say b "välkommen tillbaka"
expect "$TMP/c2.out" '^[0-9:]+ \[buddy\] <bertil> välkommen tillbaka$' "live lines follow the history"

finish
