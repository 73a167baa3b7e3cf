#!/usr/bin/env bash
# e2e: exclusive
# The step-by-step programs in steg/, one per step of the course's exercise: each is built, then
# started in pipe mode and shown to do what its step promises, as a user sees it. Step 7 also
# talks with the real chat ($CHAT). Then all of it again with the programs built under
# AddressSanitizer and UBSan, when the compiler can.
source "$(dirname "$0")/../lib.sh"

STEG_DIR=$(cd "$TESTS_DIR/../steg" && pwd)

# steg NAME BIN PROGRAM [ARGS...]: start the step program BIN/PROGRAM as peer NAME, in pipe mode
# like start_peer (which it uses, with CHAT pointing at the program for this one call).
steg() {
    local name=$1 bin=$2 program=$3
    shift 3
    CHAT="$bin/$program" start_peer "$name" -- "$@"
}

# resend NAME LINE PATTERN LISTENER...: NAME says LINE again until every LISTENER has printed a
# line matching PATTERN, at most 100 times, 0.1 s apart. A PUB socket drops what it sends before
# a new subscriber's subscription has reached it (ZeroMQ's "slow joiner"), and the programs do
# not say when that happens, so a bounded retry is the only way to know they hear each other.
resend() {
    local name=$1 line=$2 pattern=$3 listener tries heard
    shift 3
    for ((tries = 0; tries < 100; tries++)); do
        say "$name" "$line"
        heard=1
        for listener; do
            grep -Eq -- "$pattern" "$TMP/$listener.out" || heard=0
        done
        ((heard)) && return 0
        sleep 0.1
    done
    return 1
}

# check DESCRIPTION COMMAND...: a check that COMMAND succeeds.
check() {
    local description=$1
    shift
    if "$@"; then
        pass "$description"
    else
        fail "$description"
    fi
}

# stopped NAME DESCRIPTION: a check that NAME, its input ended, exits with status 0.
stopped() {
    stop_peer "$1"
    if [[ $(cat "$TMP/$1.status") == 0 ]]; then
        pass "$2"
    else
        fail "$2 (status $(cat "$TMP/$1.status"))"
        show "$TMP/$1.err"
    fi
}

# abandon NAME: end NAME, which waits for a line that will never come (steps 1 and 2 block in
# zmq_recv: the limitation the exercise talks about), without the shell reporting the kill.
abandon() {
    kill "${PEER_PID[$1]}" 2>/dev/null
    wait "${PEER_PID[$1]}" 2>/dev/null
    unset "PEER_PID[$1]"
}

# port_of NAME: the port NAME printed as "your port: PORT" (waits for it).
port_of() {
    wait_for "$TMP/$1.out" '^your port: [0-9]+$' && sed -n 's/^your port: //p' "$TMP/$1.out"
}

# This machine's first LAN (non-loopback) IPv4 address, if `ip` knows one.
LAN=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')

# run_steps LABEL BIN: every step's checks, on the programs in BIN; LABEL names the peers.
run_steps() {
    local l=$1 bin=$2 pa pb pc
    local out="$TMP/$l"

    # Step 1: PAIR, strict turns. A line typed out of turn waits until it is that side's turn.
    pa=$(free_port)
    steg "${l}1s" "$bin" steg1_pair server "$pa"
    steg "${l}1c" "$bin" steg1_pair client "$pa"
    expect "${out}1s.out" "^listening on tcp://\\*:$pa" "$l step 1: the server listens on its port"
    say "${l}1s" "hej från servern" "otur"
    expect "${out}1c.out" '^peer: hej från servern$' "$l step 1: the client prints the line"
    refute "${out}1c.out" 'otur' "$l step 1: a line typed out of turn is not sent yet"
    say "${l}1c" "hej tillbaka"
    expect "${out}1s.out" '^peer: hej tillbaka$' "$l step 1: the client's reply comes back"
    expect "${out}1c.out" '^peer: otur$' "$l step 1: the server's next line goes at its turn"
    stopped "${l}1c" "$l step 1: the client exits 0 at end of input"
    abandon "${l}1s" # it waits for a reply that never comes: the limitation of step 1

    # Step 2: a random port, printed and usable; the other side's port typed in
    steg "${l}2a" "$bin" steg2_ports
    pa=$(port_of "${l}2a")
    check "$l step 2: a random port is printed ($pa)" test -n "$pa"
    pb=$(free_port)
    steg "${l}2b" "$bin" steg2_ports "$pb"
    expect "${out}2b.out" "^your port: $pb$" "$l step 2: the port given as argument is used"
    say "${l}2a" ""      # a waits for the connection, and then writes first
    say "${l}2b" "$pa"   # b connects to a's random port
    say "${l}2a" "hej via slumpad port"
    expect "${out}2b.out" '^peer: hej via slumpad port$' "$l step 2: the random port is usable"
    say "${l}2b" "svar"
    expect "${out}2a.out" '^peer: svar$' "$l step 2: the reply comes back"
    stopped "${l}2a" "$l step 2: exits 0 at end of input, at its turn"
    abandon "${l}2b"
    "$bin/steg2_ports" 70000 </dev/null >/dev/null 2>&1
    check "$l step 2: port 70000 is refused with status 2" test $? = 2

    # Step 3: two threads, two PAIR sockets each way: no turns; the quit word exits 0
    pa=$(free_port) pb=$(free_port)
    steg "${l}3a" "$bin" steg3_threads "$pa"
    steg "${l}3b" "$bin" steg3_threads "$pb"
    expect "${out}3a.out" '^\\exit quits' "$l step 3: the quit word is shown at start"
    say "${l}3a" "$pb"
    say "${l}3b" "$pa"
    say "${l}3b" "b skriver först"
    say "${l}3a" "ett" "två" "tre"
    expect "${out}3a.out" '^peer: b skriver först$' "$l step 3: b writes first, a hears it"
    expect "${out}3b.out" '^peer: tre$' "$l step 3: three lines in a row from a arrive"
    check "$l step 3: none of them is lost" wait_count "${out}3b.out" '^peer: (ett|två|tre)$' 3
    say "${l}3b" "svar utan att vänta"
    expect "${out}3a.out" '^peer: svar utan att vänta$' "$l step 3: b answers, a hears it"
    say "${l}3a" '\exit'
    stopped "${l}3a" "$l step 3: \\exit quits with status 0"
    stopped "${l}3b" "$l step 3: end of input quits with status 0"

    # Step 4: the LAN address is shown; an empty address means localhost
    steg "${l}4a" "$bin" steg4_lan
    expect "${out}4a.out" '^(your LAN address: [0-9]+(\.[0-9]+){3} \(.+\)|no LAN address: .*)$' \
        "$l step 4: a LAN address line is printed"
    if [[ -n $LAN ]]; then
        expect "${out}4a.out" "^your LAN address: ${LAN//./\\.} " "$l step 4: it shows $LAN"
    fi
    pa=$(port_of "${l}4a")
    steg "${l}4b" "$bin" steg4_lan
    pb=$(port_of "${l}4b")
    say "${l}4a" "" "$pb" # empty address: localhost
    say "${l}4b" "${LAN:-}" "$pa" # the LAN address a neighbour would type (or localhost)
    expect "${out}4a.out" "^listening to tcp://localhost:$pb;" \
        "$l step 4: an empty address is localhost"
    say "${l}4b" "hej grannen"
    expect "${out}4a.out" '^peer: hej grannen$' "$l step 4: a hears b through localhost"
    say "${l}4a" "hej själv"
    expect "${out}4b.out" '^peer: hej själv$' "$l step 4: b hears a through ${LAN:-localhost}"
    stopped "${l}4a" "$l step 4: exits 0"
    stopped "${l}4b" "$l step 4: the other exits 0"

    # Step 5: PUB/SUB, three peers: one line reaches the two others
    pa=$(free_port) pb=$(free_port) pc=$(free_port)
    steg "${l}5a" "$bin" steg5_pubsub "$pa" "$pb" "$pc"
    steg "${l}5b" "$bin" steg5_pubsub "$pb" "$pa" "$pc"
    steg "${l}5c" "$bin" steg5_pubsub "$pc" "$pa" "$pb"
    resend "${l}5a" "synk a" '^peer: synk a$' "${l}5b" "${l}5c" || fail "$l step 5: b and c hear a"
    resend "${l}5b" "synk b" '^peer: synk b$' "${l}5a" "${l}5c" || fail "$l step 5: a and c hear b"
    say "${l}5a" "hej alla"
    expect "${out}5b.out" '^peer: hej alla$' "$l step 5: b hears a's line"
    expect "${out}5c.out" '^peer: hej alla$' "$l step 5: c hears a's line"
    say "${l}5b" "hej från b"
    expect "${out}5a.out" '^peer: hej från b$' "$l step 5: a hears b's line"
    expect "${out}5c.out" '^peer: hej från b$' "$l step 5: c hears b's line"
    say "${l}5a" '\exit'
    stopped "${l}5a" "$l step 5: \\exit quits with status 0"
    stopped "${l}5b" "$l step 5: b exits 0"
    stopped "${l}5c" "$l step 5: c exits 0"

    # Step 6: \help, and \connect while running
    pa=$(free_port) pb=$(free_port) pc=$(free_port)
    steg "${l}6a" "$bin" steg6_commands "$pa"
    steg "${l}6b" "$bin" steg6_commands "$pb" "$pa"
    say "${l}6a" '\help'
    expect "${out}6a.out" '^\\connect PEER ' "$l step 6: \\help lists \\connect"
    expect "${out}6a.out" '^\\exit ' "$l step 6: \\help lists \\exit"
    say "${l}6b" "före connect" '\help' # \help's output: b has sent the line before it
    wait_for "${out}6b.out" '^\\help ' || fail "$l step 6: b answers \\help"
    say "${l}6a" "\\connect $pb"
    expect "${out}6a.out" "^listening to tcp://localhost:$pb$" "$l step 6: \\connect is confirmed"
    check "$l step 6: after \\connect, a hears b" resend "${l}6b" "synk b" '^peer: synk b$' "${l}6a"
    refute "${out}6a.out" 'före connect' "$l step 6: a did not hear b before \\connect"
    steg "${l}6c" "$bin" steg6_commands "$pc"
    say "${l}6a" "\\connect 127.0.0.1:$pc"
    check "$l step 6: \\connect HOST:PORT to a peer started later" \
        resend "${l}6c" "synk c" '^peer: synk c$' "${l}6a"
    say "${l}6a" '\connect nonsense' '\nope'
    expect "${out}6a.out" '^bad peer "nonsense"' "$l step 6: a bad peer is refused"
    expect "${out}6a.out" '^unknown command \\nope' "$l step 6: an unknown command is refused"
    say "${l}6a" '\exit'
    stopped "${l}6a" "$l step 6: \\exit quits with status 0"
    stopped "${l}6b" "$l step 6: b exits 0"
    stopped "${l}6c" "$l step 6: c exits 0"

    # Step 7: channels as "kanal> text", with the real chat on the other end too
    pa=$(free_port) pb=$(free_port) pc=$(free_port)
    steg "${l}7a" "$bin" steg7_channels "$pa"
    steg "${l}7b" "$bin" steg7_channels "$pb" "$pa"
    resend "${l}7a" "synk" '^\[buddy\] synk$' "${l}7b" || fail "$l step 7: b hears a"
    say "${l}7a" '\channel news'
    expect "${out}7a.out" '^writing to \[news\]$' "$l step 7: \\channel is confirmed"
    say "${l}7a" "nyheter"
    expect "${out}7b.out" '^\[news\] nyheter$' "$l step 7: a line on news is shown with its channel"
    say "${l}7a" '\channel bad>name'
    expect "${out}7a.out" '^bad channel name "bad>name"' "$l step 7: a bad channel name is refused"
    start_peer "${l}7chat" -- --verbose -n kalle -p "$pc" -c "$pa"
    say "${l}7a" "\\connect $pc"
    await_listeners "${l}7chat" 1 || fail "$l step 7: steg7 subscribes to the real chat"
    say "${l}7chat" "hej från chatten"
    expect "${out}7a.out" '^\[buddy\] hej från chatten$' \
        "$l step 7: the real chat's line (two frames) is printed with its channel"
    resend "${l}7a" "synk chatten" '\[news\] <127\.0\.0\.1> synk chatten$' "${l}7chat" ||
        fail "$l step 7: the real chat hears steg7"
    say "${l}7a" "till chatten"
    expect "${out}7chat.out" '^[0-2][0-9]:[0-5][0-9] \[news\] <127\.0\.0\.1> till chatten$' \
        "$l step 7: the real chat prints steg7's one-frame line"
    stopped "${l}7a" "$l step 7: exits 0"
    stopped "${l}7b" "$l step 7: b exits 0"
    stop_peer "${l}7chat"

    # Step 8: \disconnect KANAL silences that channel only
    pa=$(free_port) pb=$(free_port)
    steg "${l}8a" "$bin" steg8_disconnect "$pa" "$pb"
    steg "${l}8b" "$bin" steg8_disconnect "$pb"
    resend "${l}8b" "synk" '^\[buddy\] synk$' "${l}8a" || fail "$l step 8: a hears b"
    say "${l}8b" '\channel news' "nyhet 1"
    expect "${out}8a.out" '^\[news\] nyhet 1$' "$l step 8: a hears news before \\disconnect"
    say "${l}8a" '\disconnect news'
    expect "${out}8a.out" '^no longer listening to \[news\]$' "$l step 8: \\disconnect is confirmed"
    say "${l}8b" "nyhet 2" '\channel buddy' "barriär"
    expect "${out}8a.out" '^\[buddy\] barriär$' "$l step 8: a still hears buddy"
    refute "${out}8a.out" 'nyhet 2' "$l step 8: a no longer prints news"
    stopped "${l}8a" "$l step 8: exits 0"
    stopped "${l}8b" "$l step 8: b exits 0"
}

if make -C "$STEG_DIR" >"$TMP/build.log" 2>&1; then
    pass "steg/ builds with -Wall -Wextra -Werror"
else
    fail "steg/ builds with -Wall -Wextra -Werror"
    show "$TMP/build.log"
    finish
fi
run_steps plain "$STEG_DIR"

# The sanitizer run, if the compiler has the sanitizers at all; if it has, steg/ must build
# with them (-O1 also lets the compiler find more, e.g. snprintf calls that may cut).
SANITIZE="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
if ! echo 'int main (void) { return 0; }' |
    ${CC:-cc} -x c -fsanitize=address,undefined -o "$TMP/probe" - 2>/dev/null; then
    echo "# the compiler has no ASan+UBSan here: the sanitizer run is skipped"
elif make -C "$STEG_DIR" OUT="$TMP/asan" CFLAGS="$SANITIZE" >"$TMP/asan-build.log" 2>&1; then
    pass "steg/ builds under ASan+UBSan"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
    run_steps asan "$TMP/asan"
else
    fail "steg/ builds under ASan+UBSan"
    show "$TMP/asan-build.log"
fi
finish
