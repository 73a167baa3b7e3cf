#!/usr/bin/env bash
# e2e: exclusive
# Churn: anna stays up while guests, one after another, join with -c to her, write a line and
# leave, half at the end of their input (with a goodbye), half by kill -9. Every line is shown
# once and \who ends empty; a guest that said goodbye is no longer dialled (\peers does not list
# it, and the view of the wire shows no attempt to reach it), a crashed one still is, and a
# crashed guest restarted on its port is back with no command typed.
source "$(dirname "$0")/../lib.sh"
GUESTS=30
[[ $CHAT == */asan/* || $CHAT == */tsan/* ]] && GUESTS=10 # each guest starts a sanitized chat

anna_port=$(free_port)
start_peer anna -- -n anna -p "$anna_port" --verbose
declare -a guest_port
byes=() crashes=()
delivered=1
for ((g = 0; g < GUESTS; g++)); do
    guest_port[g]=$(free_port)
    start_peer "g$g" -- -n "g$g" -p "${guest_port[g]}" -c "$anna_port"
    if ! await_heard "g$g" anna || ! await_heard anna "g$g"; then
        fail "guest g$g and anna hear each other"
        show "$TMP/g$g.err"
        delivered=0
        break
    fi
    say "g$g" "rad från g$g"
    wait_for "$TMP/anna.out" "<g$g> rad från g$g\$" || delivered=0
    if ((g % 2 == 0)); then
        stop_peer "g$g" || fail "g$g quits at the end of its input"
        byes+=("${guest_port[g]}")
    else
        kill -9 "${PEER_PID[g$g]}"
        wait "${PEER_PID[g$g]}" 2>/dev/null
        unset "PEER_PID[g$g]"
        crashes+=("${guest_port[g]}")
    fi
done
((delivered)) && pass "each of $GUESTS guests' lines reaches anna" ||
    fail "each of $GUESTS guests' lines reaches anna"
(($(grep -c '> rad från g' "$TMP/anna.out") == GUESTS)) &&
    [[ -z $(grep '> rad från g' "$TMP/anna.out" | sort | uniq -d) ]] &&
    pass "every line is shown once" || fail "every line is shown once"

# The crashed guests are gone once their heartbeats stop: \who ends empty
deadline=$((SECONDS + 15))
until (($(count_left "$TMP/anna.err") >= GUESTS)) || ((SECONDS >= deadline)); do
    sleep 0.05
done
if (($(count_left "$TMP/anna.err") == GUESTS)); then
    pass "anna sees all $GUESTS guests leave"
else
    fail "anna sees all $GUESTS guests leave ($(count_left "$TMP/anna.err"))"
fi
say anna '\who'
expect "$TMP/anna.err" '^-- nobody else in the room yet$' "\\who ends empty"

# Dialled or not: a window of the view of the wire long enough for libzmq to retry every
# crashed guest (its retries back off to SUBSCRIBER_RECONNECT_IVL_MAX_MS, 3 s)
wait_for "$TMP/anna.err" 'never-printed' 1
mark=$(wc -l <"$TMP/anna.err")
wait_for "$TMP/anna.err" 'never-printed' 4
window=$TMP/window.txt
tail -n +"$((mark + 1))" "$TMP/anna.err" >"$window"
dialled_bye=0 dialled_crash=0
for port in "${byes[@]}"; do
    grep -q "SUB connecting to tcp://127\\.0\\.0\\.1:$port \\.\\.\\.$" "$window" &&
        dialled_bye=$((dialled_bye + 1))
done
for port in "${crashes[@]}"; do
    grep -q "SUB connecting to tcp://127\\.0\\.0\\.1:$port \\.\\.\\.$" "$window" &&
        dialled_crash=$((dialled_crash + 1))
done
if ((dialled_bye == 0)); then
    pass "no guest that said goodbye is dialled again"
else
    fail "no guest that said goodbye is dialled again ($dialled_bye of ${#byes[@]} are)"
    for port in "${byes[@]}"; do
        grep -q "SUB connecting to tcp://127\\.0\\.0\\.1:$port \\.\\.\\.$" "$window" &&
            grep -E "127\\.0\\.0\\.1:$port|^-- g[0-9]+ (left|joined)" "$TMP/anna.err" | grep -v 'SUB got' |
            tail -n 30 >"$TMP/dialled-$port.txt" && show "$TMP/dialled-$port.txt"
    done
fi
((dialled_crash > 0)) && pass "crashed guests are still retried ($dialled_crash of ${#crashes[@]})" ||
    fail "crashed guests are still retried"

# \peers: the crashed guests (retrying), none that said goodbye
say anna '\peers'
listed_crash=0 listed_bye=0
wait_for "$TMP/anna.err" "^   127\\.0\\.0\\.1:${crashes[0]} \\(" || true
for port in "${crashes[@]}"; do
    grep -q "^   127\\.0\\.0\\.1:$port (" "$TMP/anna.err" && listed_crash=$((listed_crash + 1))
done
for port in "${byes[@]}"; do
    grep -q "^   127\\.0\\.0\\.1:$port (" "$TMP/anna.err" && listed_bye=$((listed_bye + 1))
done
((listed_bye == 0 && listed_crash == ${#crashes[@]})) &&
    pass "\\peers lists the ${#crashes[@]} crashed guests and none that said goodbye" ||
    fail "\\peers lists the crashed guests ($listed_crash of ${#crashes[@]}) and none that said goodbye ($listed_bye)"

# A crashed guest restarted on its port, with no -c: anna's retries find it
last=$((GUESTS - 1))
start_peer back -- -n "g$last" -p "${guest_port[last]}"
wait_count "$TMP/anna.err" "^-- g$last joined " 2 &&
    pass "a crashed guest restarted on its port is back" ||
    fail "a crashed guest restarted on its port is back"
say back "tillbaka"
expect "$TMP/anna.out" '<g[0-9]+> tillbaka$' "and its line arrives"
stop_peer back
stop_peer anna
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "anna quits cleanly" || fail "anna quits cleanly"
finish
