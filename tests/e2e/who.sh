#!/usr/bin/env bash
# \who in a room bigger than a screenful, and the news of a crowd (issue 17). Twelve chats form
# a room; vakt joins it last and hears the twelve join in one burst: the first lines alone, the
# rest summed up in one line ("-- 2 more joined in the last 5 s: ..."), all counted. \who lists
# them sorted by name without regard to case and counts them; \who PATTERN filters (a part of
# a name, or a glob) and counts; bad patterns get one clear line. When the twelve quit at once,
# vakt is told the first few and one line for the rest, at once (the room is empty).
source "$(dirname "$0")/../lib.sh"
NAMES=(Adam bertil Cesar david Erik filip Gustav helga Ivan johanna Karin lisa)
N=${#NAMES[@]}
SLOW=$((WAIT_S * 3)) # a room of 13 forming under a sanitizer

declare -a port
for ((i = 0; i < N; i++)); do
    port[i]=$(free_port)
done
start_peer p0 -- -n "${NAMES[0]}" -p "${port[0]}"
for ((i = 1; i < N; i++)); do
    start_peer "p$i" -- -n "${NAMES[i]}" -p "${port[i]}" -c "${port[0]}"
done
expect_who p0 "^-- $((N - 1)) others in the room$" "the room of $N forms" "$SLOW" || finish

# ask NAME LINE PATTERN: type LINE into NAME and wait (bounded) for a line of its stderr
# matching PATTERN after it; what came after it is then in $TMP/NAME.new.
ask() {
    local name=$1 line=$2 pattern=$3 before deadline=$((SECONDS + WAIT_S))
    before=$(wc -l <"$TMP/$name.err")
    say "$name" "$line"
    until tail -n +$((before + 1)) "$TMP/$name.err" | grep -Eq -- "$pattern"; do
        ((SECONDS < deadline)) || break
        sleep 0.05
    done
    tail -n +$((before + 1)) "$TMP/$name.err" >"$TMP/$name.new"
}

# listed NAME: the names of the \who listing in $TMP/NAME.new, in order, on one line.
listed() {
    grep '^   ' "$TMP/$1.new" | awk '{ printf "%s%s", sep, $1; sep = " " }'
}

# told FILE WHAT: how many members FILE tells of as WHAT (joined, left): one by one, and in
# summaries ("-- N more WHAT in the last ...").
told() {
    awk -v what="$2" '
        $1 == "--" && $3 == what { n++ }
        $1 == "--" && $3 == "more" && $4 == what && $5 == "in" { n += $2 }
        END { print n + 0 }' "$1"
}

pv=$(free_port)
start_peer vakt -- -n vakt -p "$pv" -c "${port[0]}"
expect_who vakt "^-- $N others in the room$" "vakt hears all $N" "$SLOW"
# The burst's window ends within ROOMNEWS_WINDOW_MS (5 s) of its first join
wait_for "$TMP/vakt.err" '^-- [0-9]+ more joined in the last [0-9] s: ' "$SLOW"
alone=$(grep -c '^-- [^ ]* joined (' "$TMP/vakt.err")
summary=$(grep -c '^-- [0-9]* more joined in the last [0-9] s: ' "$TMP/vakt.err")
((alone < N && summary >= 1)) &&
    pass "a burst of $N joins: $alone lines alone, the rest summed up in $summary" ||
    { fail "a burst of $N joins is summed up ($alone alone, $summary summaries)"; show "$TMP/vakt.err"; }
(($(told "$TMP/vakt.err" joined) == N)) && pass "every join is counted once" ||
    fail "every join is counted once ($(told "$TMP/vakt.err" joined) of $N)"

ask vakt '\who' '^-- [0-9]+ others in the room$'
[[ $(listed vakt) == "${NAMES[*]}" ]] && pass "\\who lists the $N sorted by name, case aside" ||
    { fail "\\who lists the $N sorted by name ($(listed vakt))"; show "$TMP/vakt.new"; }
expect "$TMP/vakt.new" "^-- $N others in the room$" "\\who counts them" 0
ask vakt '\who AN' ' match "AN"$'
[[ $(listed vakt) == "Ivan johanna" ]] && grep -q "^-- 2 of $N match \"AN\"$" "$TMP/vakt.new" &&
    pass "\\who AN: the names with \"an\" in them, counted" ||
    { fail "\\who AN: the names with \"an\" in them, counted"; show "$TMP/vakt.new"; }
ask vakt '\who *A' ' match "\*A"$'
[[ $(listed vakt) == "helga johanna lisa" ]] && grep -q "^-- 3 of $N match \"\\*A\"$" "$TMP/vakt.new" &&
    pass "\\who *A: a glob, counted" || { fail "\\who *A: a glob, counted"; show "$TMP/vakt.new"; }
ask vakt '\who xyz' 'matches "xyz"'
expect "$TMP/vakt.new" "^-- nobody in the room matches \"xyz\" \\(\\\\who lists all $N\\)$" \
    "\\who with no match says so in one line" 0
ask vakt '\who an na' '^!! '
expect "$TMP/vakt.new" '^!! \\who takes one word at most: ' "\\who with two words: one clear line" 0
ask vakt "\\who $(printf 'a%.0s' {1..65})" '^!! '
expect "$TMP/vakt.new" '^!! the pattern is too long: at most 64 bytes ' \
    "\\who with a pattern too long: one clear line" 0
ask vakt "$(printf '\\who a\033b')" '^!! '
expect "$TMP/vakt.new" '^!! the pattern holds a control character$' \
    "\\who with a control character: one clear line" 0
refute "$TMP/vakt.new" '^   ' "a bad pattern lists nobody"

# All twelve quit at once: their goodbyes come within a window
: >"$TMP/vakt.before"
cp "$TMP/vakt.err" "$TMP/vakt.before"
for ((i = 0; i < N; i++)); do
    exec {PEER_FD[p$i]}>&-
    unset "PEER_FD[p$i]"
done
for ((i = 0; i < N; i++)); do
    stop_peer "p$i" "$SLOW" || fail "p$i quits"
done
wait_for "$TMP/vakt.err" '^-- [0-9]+ more left in the last [0-9] s: ' 3
diff "$TMP/vakt.before" "$TMP/vakt.err" | sed -n 's/^> //p' >"$TMP/vakt.leaves"
alone=$(grep -c '^-- [^ ]* left' "$TMP/vakt.leaves")
summary=$(grep -c '^-- [0-9]* more left in the last [0-9] s: ' "$TMP/vakt.leaves")
((alone < N && summary >= 1)) &&
    pass "$N leaving at once: $alone lines alone, the rest summed up at once" ||
    { fail "$N leaving at once are summed up at once ($alone alone)"; show "$TMP/vakt.leaves"; }
(($(told "$TMP/vakt.leaves" left) == N)) && pass "every leave is counted once" ||
    { fail "every leave is counted once ($(told "$TMP/vakt.leaves" left) of $N)"; show "$TMP/vakt.leaves"; }
ask vakt '\who' 'in the room'
expect "$TMP/vakt.new" '^-- nobody else in the room yet$' "\\who in the empty room" 0
stop_peer vakt
clean=1
for name in vakt $(seq -f 'p%g' 0 $((N - 1))); do
    [[ $(cat "$TMP/$name.status" 2>/dev/null) == 0 ]] || {
        clean=0
        fail "$name exits cleanly (status $(cat "$TMP/$name.status" 2>/dev/null))"
        show "$TMP/$name.err"
    }
done
((clean)) && pass "all $((N + 1)) exit cleanly (no sanitizer report)"
finish
