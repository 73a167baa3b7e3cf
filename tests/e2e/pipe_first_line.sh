#!/usr/bin/env bash
# A chat started with -c whose first line comes at once, as in `echo hej | chat -c anna`: the
# line waits until anna listens (FIRST_LINES_HOLD_MS at most), so she shows it as a line, not
# as history, or not at all (what a member wrote before she heard it is history to her,
# PROTOKOLL.md 12). Five such guests one after another, each exiting at end of input at once;
# a guest whose -c peer starts later; and a guest whose -c peer never answers still ends by
# itself, with status 0.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port)
start_peer anna -- -n anna -p "$pa"
wait_for "$TMP/anna.err" "listening on port $pa" || fail "anna starts"

line='^[0-2][0-9]:[0-5][0-9] \[buddy\] '
for i in 1 2 3 4 5; do
    port=$(free_port)
    if printf 'hej %s\n' "$i" | timeout 20 "$CHAT" -n "gast$i" -p "$port" -c "$pa" \
        >"$TMP/gast$i.out" 2>"$TMP/gast$i.err"; then pass "guest $i ends at end of input, status 0"; else
        fail "guest $i ends at end of input, status 0 (status $?)"
        show "$TMP/gast$i.err"
    fi
    expect "$TMP/anna.out" "$line<gast$i> hej $i$" "anna shows guest $i's line as a line"
done
refute "$TMP/anna.out" '\(history\)' "none of them as history"
for i in 1 2 3 4 5; do
    expect_count "$TMP/anna.out" "<gast$i> hej $i$" 1 "guest $i's line once"
done

# The peer named with -c starts after the guest's line: it still gets it as a line
pb=$(free_port) pg=$(free_port)
start_peer sen -- -n sen -p "$pg" -c "$pb"
say sen "tidig rad"
wait_for "$TMP/sen.err" "127.0.0.1:$pb does not answer" || fail "the guest says bertil does not answer yet"
start_peer bertil -- -n bertil -p "$pb"
expect "$TMP/bertil.out" "$line<sen> tidig rad$" "a peer that starts after the line shows it as a line"
refute "$TMP/bertil.out" '\(history\)' "not as history"

# Nobody ever answers: the guest gives up holding and ends by itself
pc=$(free_port) pd=$(free_port)
if echo "till ingen" | timeout 20 "$CHAT" -n ensam -p "$pd" -c "$pc" >"$TMP/ensam.out" \
    2>"$TMP/ensam.err"; then pass "a guest whose peer never answers ends by itself, status 0"; else
    fail "a guest whose peer never answers ends by itself, status 0 (status $?)"
    show "$TMP/ensam.err"
fi
finish
