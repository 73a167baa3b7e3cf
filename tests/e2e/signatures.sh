#!/usr/bin/env bash
# Protocol version 2: what anna signs cannot be forged. A rogue peer (tests/rogue_v2.py, with a
# key of its own) learns anna's id, seq and key from her signed batches and tries to speak for
# her: lines signed with its own key, an unsigned version 1 line, a private message, goodbyes,
# and history with one byte changed. None of it passes for anna's; her real lines still do,
# also as history passed on by another chat. And the key files: a corrupt one and one open to
# others stop the chat naming the file, --identity FILE uses that file, a second chat with a
# key in use gets a throwaway key.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pr=$(free_port) pc=$(free_port) pd=$(free_port)
forged='^-- dropped a message from 127\.0\.0\.1: its signature does not verify'

# key_of FILE NICK: the fingerprint of the new key the banner in FILE shows for NICK.
key_of() {
    sed -n "s/^-- a new key for $2, in .*: fingerprint //p" "$1"
}
start_peer anna -- -n anna -p "$pa"
start_peer bertil -- -n bertil -p "$pb" -c "$pa" --verbose
start_python rogue rogue_v2.py "$pr" --victim "$pa"
await_heard bertil anna && await_heard anna bertil || fail "anna and bertil hear each other"
expect "$TMP/rogue.out" '^ready$' "the rogue starts"
expect "$TMP/rogue.out" '^greeted by anna: signed, lists [01]$' \
    "a listener that says ~hello gets anna's first heartbeat alone, on its private topic, signed"
say bertil "\\connect $pr"
expect "$TMP/rogue.out" "^listener $pb$" "bertil listens to the rogue"

# The rogue learns anna's id, seq and key from her first line, and checks her signature
say anna "eins"
expect "$TMP/bertil.out" '<anna> eins$' "bertil shows anna's first line"
expect "$TMP/rogue.out" '^learned anna seq 1 count 1 key ' \
    "the rogue checks anna's batch as a chat does (its tree and hashes are right)"

# (a) Lines in anna's name, with her next seq: signed with the rogue's key, and unsigned
say rogue "forge-lines FORGED signed" "forge-v1 FORGED unsigned" "replay" "say marker a"
expect "$TMP/bertil.out" '<127\.0\.0\.1> marker a$' "bertil has read all the rogue sent"
got='^·· SUB got [0-9]+ frames from 127\.0\.0\.1: '
n=$(grep -Ec "$got\"~lines\" \\+ metadata \\(version 2, nick anna, seq 2\\)\$" "$TMP/bertil.err")
((n == 2)) && pass "bertil's socket got both forged batches" ||
    { fail "bertil's socket got both forged batches ($n)"; show "$TMP/bertil.err"; }
refute "$TMP/bertil.out" '<anna> FORGED' "no forged line is shown as anna's"
expect "$TMP/bertil.out" '^[0-9:]+ \[buddy\] <127\.0\.0\.1> FORGED unsigned$' \
    "the unsigned line is shown by its address only"
expect "$TMP/bertil.err" "$forged" "a forged signature is told"
n=$(grep -c "$forged" "$TMP/bertil.err")
((n == 1)) && pass "once for both, not once a message" ||
    { fail "once for both, not once a message ($n)"; show "$TMP/bertil.err"; }
expect "$TMP/bertil.err" '^-- 127\.0\.0\.1 \(anna\) runs an older chat, protocol version 1' \
    "an unsigned line is told as an older chat's"
n=$(grep -c 'eins$' "$TMP/bertil.out")
((n == 1)) && pass "anna's batch replayed is not shown again" ||
    { fail "anna's batch replayed is not shown again ($n times)"; show "$TMP/bertil.out"; }
say anna "zwei"
expect "$TMP/bertil.out" '<anna> zwei$' "anna's real next line is shown at bertil"

# (b) A private message, heartbeats for bertil alone and goodbyes in anna's name: signed with
# the rogue's key, unsigned
private='^·· SUB got 5 frame\(s\) from 127\.0\.0\.1: "![0-9a-f]{32}"$'
before=$(grep -Ec "$private" "$TMP/bertil.err") # anna's own heartbeat to bertil, at the start
say rogue "forge-msg FORGED private" "forge-beat" "forge-bye" "say marker b"
expect "$TMP/bertil.out" '<127\.0\.0\.1> marker b$' "bertil has read the forged goodbyes"
n=$(($(grep -Ec "$private" "$TMP/bertil.err") - before))
((n == 4)) && pass "bertil's socket got both forged private messages and both heartbeats" ||
    { fail "bertil's socket got both forged private messages and both heartbeats ($n)"; show "$TMP/bertil.err"; }
refute "$TMP/bertil.out" 'FORGED private' "a forged private message is not shown"
refute "$TMP/bertil.err" 'mallory' "a forged heartbeat for bertil alone does not rename anna"
n=$(grep -Ec "$got\"~bye\" \\+ metadata \\(version [12], nick anna, seq 0\\)\$" "$TMP/bertil.err")
((n == 4)) && pass "bertil's socket got the four forged goodbyes" ||
    { fail "bertil's socket got the four forged goodbyes ($n)"; show "$TMP/bertil.err"; }
refute "$TMP/bertil.err" '^-- anna left' "a forged goodbye does not make anna leave"
say anna "drei"
expect "$TMP/bertil.out" '<anna> drei$' "anna's line after it is still shown"
refute "$TMP/bertil.err" 'lost|gick förlorade' "and no line of hers is lost"

# (c) History passed on: cecilia, joining later through bertil, gets anna's lines from him with
# anna's signatures, and they verify. Anna is stopped meanwhile: a heartbeat of hers that came
# between two lines of the history would have the rest come from her as resent lines instead
freeze anna || fail "anna stops for a moment"
start_peer cecilia -- -n cecilia -p "$pc" -c "$pb"
for word in eins zwei drei; do
    expect "$TMP/cecilia.out" "^\\(history\\) [0-9:]+ \\[buddy\\] <anna> $word\$" \
        "cecilia gets anna's '$word' as history"
done
kill -CONT "${PEER_PID[anna]}"
await_heard anna cecilia || fail "cecilia hears anna herself"
expect "$TMP/bertil.err" '^·· PUB sends 3 lines of history to a peer that joined$' \
    "bertil served them"
refute "$TMP/cecilia.out" 'FORGED|marker' "nothing forged or unsigned is passed on as history"
refute "$TMP/cecilia.err" "$forged" "every signature bertil passed on verifies"

# ... and the rogue, a member now, serves david anna's lines with her signatures but one byte of
# "zwei" changed: the line is dropped, the others verify (the rogue passes them on right)
say rogue "serve-history 2" "beat"
expect "$TMP/bertil.err" '^-- rogue joined' "the rogue becomes a member"
start_peer david -- -n david -p "$pd" -c "$pr"
expect "$TMP/rogue.out" '^history to [0-9a-f]{32}: 3 lines$' "david asks the rogue for history"
expect "$TMP/david.out" '^\(history\) [0-9:]+ \[buddy\] <anna> drei$' \
    "david shows the history lines that are anna's"
expect "$TMP/david.out" '^\(history\) [0-9:]+ \[buddy\] <anna> eins$' "all of them"
refute "$TMP/david.out" 'zwe' "the line with one byte changed is not shown"
expect "$TMP/david.err" "$forged" "and its signature is told not to verify"
for peer in cecilia david; do
    stop_peer "$peer" || fail "$peer quits"
done
stop_peer rogue || fail "the rogue quits at the end of its input"

# A real goodbye does make anna leave
stop_peer anna || fail "anna quits"
expect "$TMP/bertil.err" '^-- anna left$' "anna's own goodbye is heard"
stop_peer bertil || fail "bertil quits"

# (d) Key files. What a first start made: the folder is 0700, the file 0600, and the key in it
# is the one anna's lines carry
keys=$XDG_DATA_HOME/chatt
[[ $(stat -c %a "$keys") == 700 && $(stat -c %a "$keys/anna.key") == 600 ]] &&
    pass "the key folder is 0700 and a key file 0600" ||
    fail "the key folder is 0700 and a key file 0600 ($(stat -c '%n %a' "$keys" "$keys"/*))"
expect "$TMP/rogue.out" "^learned anna seq 1 count 1 key $(key_of "$TMP/anna.err" anna)\$" \
    "anna's lines carry the key of her key file"

# run_chat NAME ARGS...: run a chat that ends at once (no input), bounded; its exit status in
# $TMP/NAME.status
run_chat() {
    local name=$1
    shift
    timeout -k 2 "$WAIT_S" "$CHAT" "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
    echo $? >"$TMP/$name.status"
}

# expect_refused NAME PATTERN DESCRIPTION: NAME's chat exited with status 2 and one line
expect_refused() {
    local status lines
    status=$(cat "$TMP/$1.status") lines=$(wc -l <"$TMP/$1.err")
    if [[ $status == 2 ]] && ((lines == 1)) && grep -Eq -- "$2" "$TMP/$1.err"; then
        pass "$3"
    else
        fail "$3 (status $status, $lines lines)"
        show "$TMP/$1.err"
    fi
}

printf 'chatt identity 1\npublic 00\n' >"$keys/zoe.key"
chmod 600 "$keys/zoe.key"
run_chat zoe -n zoe -p "$(free_port)"
expect_refused zoe "^chat: the key file $keys/zoe\\.key is corrupt" \
    "a corrupt key file: exit 2, one line naming it"
# One hex digit of the public key changed: the seed no longer gives it
public=$(sed -n 's/^public //p' "$keys/anna.key")
[[ ${public:0:1} == 0 ]] && digit=1 || digit=0
sed "s/^public .*/public $digit${public:1}/" "$keys/anna.key" >"$keys/ylva.key"
chmod 600 "$keys/ylva.key"
run_chat ylva -n ylva -p "$(free_port)"
expect_refused ylva "^chat: the key file $keys/ylva\\.key is corrupt" \
    "a key file whose public key is not its seed's: exit 2, one line naming it"
chmod 644 "$keys/bertil.key"
run_chat open -n bertil -p "$(free_port)"
expect_refused open "^chat: the key file $keys/bertil\\.key may be read or written by others: chmod 600" \
    "a key file open to others: exit 2, one line naming it"

# --identity FILE: that file is made, and used; the nick's own file is not
mine=$TMP/mine.key
run_chat made -n ulla -p "$(free_port)" --identity "$mine"
[[ $(cat "$TMP/made.status") == 0 ]] && pass "--identity FILE: a first start" ||
    { fail "--identity FILE: a first start"; show "$TMP/made.err"; }
expect "$TMP/made.err" "^-- a new key for ulla, in $mine: fingerprint " "it makes FILE"
[[ -f $mine && $(stat -c %a "$mine") == 600 && ! -e $keys/ulla.key ]] &&
    pass "FILE is 0600, and ulla.key is not made" ||
    fail "FILE is 0600, and ulla.key is not made ($(ls -l "$mine" "$keys"))"
mine_key=$(key_of "$TMP/made.err" ulla)
pu=$(free_port) pw=$(free_port)
start_peer ulla -- -n ulla -p "$pu" --identity "$mine" --verbose
start_python watcher rogue_v2.py "$pw" --victim "$pu"
wait_for "$TMP/ulla.err" '^·· PUB 127\.0\.0\.1 subscribes to "~lines"$' ||
    fail "a watcher listens to ulla"
say ulla "linje"
expect "$TMP/watcher.out" "^learned ulla seq 1 count 1 key $mine_key\$" \
    "ulla's lines carry the key of FILE"
refute "$TMP/ulla.err" 'new key|throwaway' "FILE is read the second time, silently"

# Two chats with one key at once: the second has a throwaway key, and says so
run_chat busy -n ulla -p "$(free_port)" --identity "$mine"
expect "$TMP/busy.err" \
    "^-- $mine is in use by another chat: this one has a throwaway key \\(fingerprint " \
    "--identity FILE in use: the second chat has a throwaway key"
refute "$TMP/busy.err" "$mine_key" "another key than FILE's"
start_peer vera -- -n vera -p "$(free_port)"
wait_for "$TMP/vera.err" '^-- a new key for vera' || fail "vera starts with a new key"
run_chat vera2 -n vera -p "$(free_port)"
throwaway='this one has a throwaway key \(fingerprint [0-9a-f ]+\), so the others see a new key$'
expect "$TMP/vera2.err" "^-- $keys/vera\\.key is in use by another chat: $throwaway" \
    "a second chat with the same nick at once has a throwaway key, and says so"
refute "$TMP/vera2.err" "$(key_of "$TMP/vera.err" vera)" "another key than vera's"
[[ $(cat "$TMP/vera2.status") == 0 ]] && pass "and runs" || fail "and runs"
for peer in ulla vera watcher; do
    stop_peer "$peer" || fail "$peer quits"
done
finish
