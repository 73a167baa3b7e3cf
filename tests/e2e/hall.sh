#!/usr/bin/env bash
# e2e: exclusive
# A hall in one room (issue 17): 30 peers, each started with -c to the first only, form one
# room (every peer's \who lists all 29 others); a line from each of three peers (the first, a
# middle one, the last) reaches every other peer exactly once; a crash (kill -9) is noticed by
# every other peer within 5 s ("left"); at end of input every peer leaves cleanly.
# The checks are what a user sees (\who, the lines, the notices), not how often heartbeats go.
# Every build runs 30 peers: on 2 cores (2026-12-07, chat 2ddf89c) the script took 8.0 s with
# the normal build, 8.8 s under ASan and 8.3 s under TSan (the CHAT path would tell them apart;
# HALL_N=12 makes the room smaller, should a sanitizer ever need it). It passes unchanged on
# 051c59c and main 446ff27 (\who sorted and counted, join/leave news).
source "$(dirname "$0")/../lib.sh"
N=${HALL_N:-30}
FORM_S=40 # the whole room must have formed within this
CRASH_S=5 # a crash must be noticed by all within this

# now_ms: the time in milliseconds (EPOCHREALTIME, no subprocess)
now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
}

# since T_MS: seconds since T_MS, with one decimal
since() {
    local ds=$((($(now_ms) - $1 + 50) / 100))
    echo "$((ds / 10)).$((ds % 10))"
}

# listed NAME FROM: how many other members (nicks nK, not NAME's own) the \who listings in
# NAME's stderr after line FROM name
listed() {
    tail -n "+$(($2 + 1))" "$TMP/$1.err" | grep -Eo '^ +n[0-9]+ ' | tr -d ' ' |
        grep -vx "n${1#p}" | sort -u | wc -l
}

# who_lists NAME COUNT DEADLINE_MS: type \who into NAME until a listing names COUNT others, or
# the clock passes DEADLINE_MS; each \who is given 2 s to list them all
who_lists() {
    local name=$1 count=$2 end=$3 from until
    while (($(now_ms) < end)); do
        from=$(wc -l <"$TMP/$name.err")
        say "$name" '\who'
        until=$(($(now_ms) + 2000))
        while (($(now_ms) < until)); do
            (($(listed "$name" "$from") >= count)) && return 0
            sleep 0.1
        done
    done
    return 1
}

t0=$(now_ms)
start_room "$N"

# The room forms: every peer's \who lists all N - 1 others
end=$(($(now_ms) + FORM_S * 1000))
formed=1
for ((i = N - 1; i >= 0; i--)); do # the last started first: it has the most to learn
    if ! who_lists "p$i" $((N - 1)) "$end"; then
        formed=0
        fail "p$i's \\who lists all $((N - 1)) others (it lists $(listed "p$i" 0))"
        show "$TMP/p$i.err"
        break
    fi
done
((formed)) && pass "$N peers, each -c to the first only, form one room within $(since "$t0") s (every \\who lists all $((N - 1)) others)"

# A line from each of three peers reaches every other peer
speakers=(0 $((N / 2)) $((N - 1)))
for s in "${speakers[@]}"; do
    say "p$s" "hallå från n$s"
done
t1=$(now_ms)
delivered=1
for ((i = 0; i < N; i++)); do
    want=${#speakers[@]}
    [[ " ${speakers[*]} " == *" $i "* ]] && want=$((want - 1)) # its own line is not shown
    if ! wait_count "$TMP/p$i.out" '<n[0-9]+> hallå från n[0-9]+$' "$want" 20; then
        delivered=0
        fail "p$i shows the lines of the others ($(grep -c 'hallå från' "$TMP/p$i.out") of $want)"
        show "$TMP/p$i.out"
    fi
done
((delivered)) && pass "a line from each of ${#speakers[@]} peers reaches all others within $(since "$t1") s"

# A crash: every other peer says the crashed one left within CRASH_S
victim=$((N / 3))
{
    kill -9 "${PEER_PID[p$victim]}"
    wait "${PEER_PID[p$victim]}"
} 2>/dev/null
unset "PEER_PID[p$victim]"
fd=${PEER_FD[p$victim]}
exec {fd}>&-
unset "PEER_FD[p$victim]"
t2=$(now_ms)
end=$((t2 + CRASH_S * 1000))
pending=()
for ((i = 0; i < N; i++)); do
    ((i != victim)) && pending+=("$i")
done
while ((${#pending[@]})) && (($(now_ms) < end)); do
    still=()
    for i in "${pending[@]}"; do
        grep -E '^-- .*left' "$TMP/p$i.err" | grep -qw "n$victim" || still+=("$i")
    done
    pending=("${still[@]}")
    ((${#pending[@]})) && sleep 0.1
done
if ((${#pending[@]} == 0)); then
    pass "a crash (kill -9) is noticed by all $((N - 1)) others within $(since "$t2") s"
else
    fail "a crash (kill -9) is noticed by all $((N - 1)) others within $CRASH_S s" \
        "(not by: ${pending[*]/#/p})"
    show "$TMP/p${pending[0]}.err"
fi

# Each line was shown once: the crash's seconds gave any second copy time to come
once=1
for ((i = 0; i < N; i++)); do
    ((i == victim)) && continue
    for s in "${speakers[@]}"; do
        ((s == i)) && continue
        n=$(grep -c "<n$s> hallå från n$s\$" "$TMP/p$i.out")
        if ((n != 1)); then
            once=0
            fail "p$i shows n$s's line once (it shows it $n times)"
        fi
    done
done
((once)) && pass "every line is shown exactly once by every peer"

# End of input: every peer says goodbye and exits cleanly (a sanitizer's report would not)
for name in "${!PEER_FD[@]}"; do
    fd=${PEER_FD[$name]}
    exec {fd}>&-
    unset "PEER_FD[$name]"
done
clean=1
for ((i = 0; i < N; i++)); do
    ((i == victim)) && continue
    stop_peer "p$i" 20
    if [[ $(cat "$TMP/p$i.status") != 0 ]]; then
        clean=0
        fail "p$i exits with status 0 at end of input ($(cat "$TMP/p$i.status"))"
        show "$TMP/p$i.err"
    fi
done
((clean)) && pass "all $((N - 1)) peers leave cleanly at end of input"
finish
