# tests/lib.sh - helpers for the end-to-end tests: start real chat processes, talk to them
# through pipes, wait (always bounded) for what a user would see, and clean up everything.
#
# A test script sources this file, calls the helpers, and ends with `finish`. Every wait has a
# deadline; a deadline passed is a failure with the evidence printed, never a hang.

set -u
CHAT=${CHAT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/chat}
PYTHON=${PYTHON:-/usr/bin/python3}     # Debian's python3, which has python3-zmq
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WAIT_S=${WAIT_S:-10}                   # default deadline for one wait, in seconds
TMP=$(mktemp -d /tmp/chat-test.XXXXXX)
TEST_NAME=$(basename "$0" .sh)
FAILURES=0
CHECKS=0
declare -A PEER_PID PEER_FD
declare -a CLEANUPS=()

export LC_ALL=${LC_ALL:-C.UTF-8}
# Tests never broadcast on the machine's own network: LAN discovery is off unless a test turns
# it on, inside network namespaces it made itself
export CHAT_NO_DISCOVERY=${CHAT_NO_DISCOVERY:-1}
# Each test makes its own keys (one per nick): a user's own keys are never touched
export XDG_DATA_HOME=$TMP/data

# Run at exit: stop every peer and run every registered cleanup command.
cleanup() {
    local name
    for name in "${!PEER_PID[@]}"; do
        kill -9 "${PEER_PID[$name]}" 2>/dev/null
    done
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[$i]}" >/dev/null 2>&1
    done
    # A chat in a terminal ended just now may still be saving its history into $TMP: wait
    # (bounded) until no process started by this test names $TMP, then remove it
    local try
    for try in $(seq 50); do
        pgrep -f -- "$TMP" >/dev/null || break
        sleep 0.1
    done
    [[ -n ${KEEP_TMP:-} ]] && cp -r "$TMP" "$KEEP_TMP" # KEEP_TMP=DIR: a copy to read after
    rm -rf "$TMP"
}
trap cleanup EXIT
trap '' PIPE # a peer that died makes `say` fail a check instead of killing the script

# Register a command to run at exit (last registered runs first).
on_exit() {
    CLEANUPS+=("$1")
}

# Record one check: ok or not ok with a description.
pass() {
    CHECKS=$((CHECKS + 1))
    echo "ok - $TEST_NAME: $1"
}
fail() {
    CHECKS=$((CHECKS + 1))
    FAILURES=$((FAILURES + 1))
    echo "not ok - $TEST_NAME: $*"
}

# Print a file indented, as evidence after a failure.
show() {
    echo "   --- $1:"
    sed 's/^/   | /' "$1" 2>/dev/null | cat -v | tail -n 40
}

# A TCP port that is free on this machine now. It is taken below the kernel's ephemeral range
# (ip_local_port_range), so no outgoing connection of the chats under test can grab it as its
# source port before the chat binds it, as a kernel-picked port could be.
free_port() {
    # Ports handed out before in this test are never handed out again
    "$PYTHON" - "$TMP/ports" <<'EOF_PORT'
import os, random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
used = set(open(sys.argv[1]).read().split()) if os.path.exists(sys.argv[1]) else set()
for _ in range(1000):
    port = random.randrange(10000, max(low, 10001))
    if str(port) in used:
        continue
    s = socket.socket()
    try:
        s.bind(("", port))
    except OSError:
        continue
    finally:
        s.close()
    open(sys.argv[1], "a").write("%d\n" % port)
    print(port)
    break
EOF_PORT
}

# wait_for FILE PATTERN [SECONDS]: true once FILE has a line matching the extended regex
# PATTERN; false after SECONDS (default WAIT_S).
wait_for() {
    local file=$1 pattern=$2 deadline=$((SECONDS + ${3:-$WAIT_S}))
    until grep -Eq -- "$pattern" "$file" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# wait_count FILE PATTERN COUNT [SECONDS]: true once COUNT lines of FILE match PATTERN.
wait_count() {
    local file=$1 pattern=$2 count=$3 deadline=$((SECONDS + ${4:-$WAIT_S}))
    until (($(grep -Ec -- "$pattern" "$file" 2>/dev/null || true) >= count)); do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# expect FILE PATTERN DESCRIPTION [SECONDS]: a check that waits for PATTERN in FILE.
expect() {
    if wait_for "$1" "$2" "${4:-$WAIT_S}"; then
        pass "$3"
    else
        fail "$3 (no line matching '$2' in $(basename "$1"))"
        show "$1"
    fi
}

# refute FILE PATTERN DESCRIPTION: a check that FILE has no line matching PATTERN now.
refute() {
    if grep -Eq -- "$2" "$1" 2>/dev/null; then
        fail "$3 (found '$2' in $(basename "$1"))"
        show "$1"
    else
        pass "$3"
    fi
}

# start_peer NAME [PREFIX...] -- ARGS...: start chat in pipe mode with stdin from a FIFO that
# `say` writes to; stdout in $TMP/NAME.out, stderr in $TMP/NAME.err. PREFIX (before --) is a
# command to run chat under, e.g. "ip netns exec host1".
start_peer() {
    local name=$1
    shift
    local prefix=()
    while (($#)) && [[ $1 != -- ]]; do
        prefix+=("$1")
        shift
    done
    [[ ${1:-} == -- ]] && shift
    mkfifo "$TMP/$name.in"
    (
        # The other peers' input ends must not stay open in this one, or they never see EOF
        for fd in "${PEER_FD[@]}"; do
            exec {fd}>&-
        done
        exec "${prefix[@]}" "$CHAT" "$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err"
    ) &
    PEER_PID[$name]=$!
    local fd
    exec {fd}>"$TMP/$name.in"
    PEER_FD[$name]=$fd
}

# start_room N: start N pipe-mode peers p0..p(N-1), nicks n0..n(N-1), each on a free port kept
# in port[i]; p0 first, every other one with -c to p0 only (the room forms itself).
start_room() {
    local count=$1 i
    declare -g -a port
    for ((i = 0; i < count; i++)); do
        port[i]=$(free_port)
    done
    start_peer p0 -- -n n0 -p "${port[0]}"
    for ((i = 1; i < count; i++)); do
        start_peer "p$i" -- -n "n$i" -p "${port[i]}" -c "${port[0]}"
    done
}

# background COMMAND...: run a helper process in the background without the peers' input ends
# (a helper holding one open would keep that peer from ever seeing end of input). Sets $!.
background() {
    (
        for fd in "${PEER_FD[@]}"; do
            exec {fd}>&-
        done
        exec "$@"
    ) &
}

# say NAME LINE...: type lines into a pipe-mode peer.
say() {
    local name=$1
    shift
    printf '%s\n' "$@" >&"${PEER_FD[$name]}" 2>/dev/null ||
        fail "$name takes input (it has exited: $(tail -n 1 "$TMP/$name.err" 2>/dev/null))"
}

# stop_peer NAME [SECONDS]: end the peer's input and wait (bounded) for it to exit; its exit
# status is stored in $TMP/NAME.status ("timeout" if it did not exit and was killed).
stop_peer() {
    local name=$1 deadline=$((SECONDS + ${2:-$WAIT_S})) pid=${PEER_PID[$1]}
    if [[ -n ${PEER_FD[$name]:-} ]]; then
        exec {PEER_FD[$name]}>&-
        unset "PEER_FD[$name]"
    fi
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            # Evidence for the failure this is: where each thread of the stuck chat waits
            if command -v gdb >/dev/null; then
                gdb -p "$pid" -batch -ex "thread apply all bt 12" 2>/dev/null |
                    grep -E '^(#|Thread)' >"$TMP/$name.stuck"
            fi
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            echo timeout >"$TMP/$name.status"
            unset "PEER_PID[$name]"
            return 1
        fi
        sleep 0.05
    done
    wait "$pid"
    echo $? >"$TMP/$name.status"
    unset "PEER_PID[$name]"
}

# await_heard NAME OBSERVER...: wait until each OBSERVER hears NAME, that is, until its
# stderr says "NAME joined" (or, in Swedish, "NAME anslöt"), or names NAME in a crowd's
# summary ("-- 4 more joined in the last 5 s: anna, NAME"; roomnews.h): from then on what
# NAME says reaches it.
await_heard() {
    local name=$1 observer
    shift
    for observer in "$@"; do
        wait_for "$TMP/$observer.err" \
            "^-- $name (joined|anslöt) |^-- [0-9]+ (more joined|till anslöt) .*: (.*, )?$name(,|\$)" ||
            return 1
    done
}

# count_left FILE: how many leaves FILE's lines tell, alone ("-- anna left") or summed up
# ("-- 5 more left in the last 5 s: ...", "-- 2 more joined and left again ..."; roomnews.h).
count_left() {
    awk '/^-- [^ ]+ (left|lämnade)/ { n++ }
         /^-- [0-9]+ (more left|more joined and left|till lämnade|till anslöt och lämnade)/ { n += $2 }
         END { print n + 0 }' "$1" 2>/dev/null
}

# freeze NAME: stop the peer with SIGSTOP and wait (bounded) until the kernel shows it stopped.
freeze() {
    local pid=${PEER_PID[$1]} deadline=$((SECONDS + WAIT_S))
    kill -STOP "$pid"
    until [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == T ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 0.01
    done
}

# await_listeners NAME COUNT: wait until COUNT subscribers of any kind subscribed to everything
# (a plain ZeroMQ subscriber) or to every channel (a chat)
# on NAME's PUB socket. NAME must run with --verbose, which shows subscriptions.
await_listeners() {
    wait_count "$TMP/$1.err" '^·· PUB .* subscribes to every(thing| channel)$' "$2"
}

# finish: print the summary line of this script and exit non-zero on any failure.
finish() {
    echo "# $TEST_NAME: $((CHECKS - FAILURES)) passed, $FAILURES failed"
    exit $((FAILURES > 0))
}

# start_python NAME SCRIPT ARGS...: start tests/SCRIPT (a peer in Python) with stdin from a
# FIFO that `say` writes to, stdout in $TMP/NAME.out and stderr in $TMP/NAME.err.
start_python() {
    start_python_on "" "$@"
}

# start_python_on HOST NAME SCRIPT ARGS...: start_python on the netns_host HOST ("": here).
start_python_on() {
    local host=$1 name=$2 script=$3 prefix=()
    shift 3
    [[ $host ]] && prefix=(ip netns exec "${NETNS[$host]}")
    mkfifo "$TMP/$name.in"
    (
        for fd in "${PEER_FD[@]}"; do
            exec {fd}>&-
        done
        exec "${prefix[@]}" "$PYTHON" "$TESTS_DIR/$script" "$@" <"$TMP/$name.in" \
            >"$TMP/$name.out" 2>"$TMP/$name.err"
    ) &
    PEER_PID[$name]=$!
    local fd
    exec {fd}>"$TMP/$name.in"
    PEER_FD[$name]=$fd
}

# start_course_peer NAME PORT ARGS...: start tests/course_peer.py (the course's format).
start_course_peer() {
    local name=$1
    shift
    start_python "$name" course_peer.py "$@"
}

# Terminal helpers: chats in real terminals, on a tmux server of the test's own.
TMUX_SOCKET=chat-test-$$

# tmux_run ARGS...: a command on the test's own tmux server.
tmux_run() {
    tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
}

# start_terminal NAME ARGS...: start chat ARGS in a new 100x24 terminal named NAME, under
# $TERMINAL_WRAPPER (a command line, e.g. valgrind's) if set.
start_terminal() {
    local name=$1
    shift
    if ((${#CLEANUPS[@]} == 0)) || [[ ${CLEANUPS[*]} != *kill-server* ]]; then
        on_exit "tmux -L $TMUX_SOCKET kill-server"
    fi
    # The shell records the terminal's modes after chat in $TMP/NAME.stty and chat's exit status
    # in $TMP/NAME.status, then the pane closes
    tmux_run new-session -d -s "$name" -x 100 -y 24 \
        "env LC_ALL=$LC_ALL NO_COLOR=${NO_COLOR:-} ${TERMINAL_WRAPPER:-} $(printf '%q ' "$CHAT" "$@"); s=\$?; stty -a >$TMP/$name.stty; echo \$s >$TMP/$name.status"
}

# wait_exit NAME [SECONDS]: true once terminal NAME's chat has exited; its status is then in
# $TMP/NAME.status.
wait_exit() {
    local deadline=$((SECONDS + ${2:-$WAIT_S}))
    until [[ -s $TMP/$1.status ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# screen NAME: print what terminal NAME shows now.
screen() {
    tmux_run capture-pane -p -t "$1"
}

# wait_screen NAME PATTERN [SECONDS]: true once terminal NAME shows a line matching PATTERN.
wait_screen() {
    local deadline=$((SECONDS + ${3:-$WAIT_S}))
    until screen "$1" | grep -Eq -- "$2"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# expect_screen NAME PATTERN DESCRIPTION: a check that waits for PATTERN on NAME's screen.
expect_screen() {
    if wait_screen "$1" "$2"; then
        pass "$3"
    else
        fail "$3 (terminal $1 shows no line matching '$2')"
        screen "$1" >"$TMP/screen-$1.txt"
        show "$TMP/screen-$1.txt"
    fi
}

# pane NAME FORMAT: a tmux format value of NAME's pane (cursor_x, pane_dead, ...).
pane() {
    tmux_run display-message -p -t "$1" "#{$2}"
}

# wait_pane NAME FORMAT VALUE [SECONDS]: true once the pane's FORMAT equals VALUE.
wait_pane() {
    local deadline=$((SECONDS + ${4:-$WAIT_S}))
    until [[ $(pane "$1" "$2") == "$3" ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# Network helpers: hosts of the test's own, each a network namespace, joined by veth links with
# addresses from 198.18.0.0/15 (reserved for network tests, never routed out). Everything in a
# namespace (links, addresses, routes, iptables rules) goes with it when it is removed at exit.
declare -A NETNS
NETNS_LINKS=0

# need_netns [COMMAND...]: end the test with a failure unless it runs as root with iproute2 and
# each COMMAND (iptables, say).
need_netns() {
    local tool
    if [[ $(id -u) != 0 ]]; then
        fail "network namespaces need root"
        finish
    fi
    for tool in ip "$@"; do
        if ! command -v "$tool" >/dev/null; then
            fail "network namespaces need $tool (./start --check installs it)"
            finish
        fi
    done
}

# netns_host NAME...: make one host per NAME, the network namespace chat-NAME-PID (its name in
# NETNS[NAME]) with lo up, no other link and no IP forwarding; removed at exit.
netns_host() {
    local name ns
    for name in "$@"; do
        ns=chat-$name-$$
        if ! ip netns add "$ns"; then
            fail "make the network namespace $ns"
            finish
        fi
        on_exit "ip netns del $ns"
        NETNS[$name]=$ns
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
    done
}

# netns_link HOST_A ADDR_A HOST_B ADDR_B: a veth link between hosts A and B, up, with the address
# ADDR (a.b.c.d/len) on each end.
netns_link() {
    local n=$((++NETNS_LINKS))
    local end_a=v${n}a$$ end_b=v${n}b$$ # at most 15 bytes, as interface names must be
    if ! { ip link add "$end_a" netns "${NETNS[$1]}" type veth peer name "$end_b" \
        netns "${NETNS[$3]}" &&
        ip -n "${NETNS[$1]}" addr add "$2" dev "$end_a" &&
        ip -n "${NETNS[$3]}" addr add "$4" dev "$end_b" &&
        ip -n "${NETNS[$1]}" link set "$end_a" up &&
        ip -n "${NETNS[$3]}" link set "$end_b" up; }; then
        fail "link $1 ($2) and $3 ($4)"
        finish
    fi
}

# netns_switch NAME: a host that is a switch: every host netns_plug plugs into it is on one LAN.
netns_switch() {
    netns_host "$1"
    if ! { ip -n "${NETNS[$1]}" link add br0 type bridge &&
        ip -n "${NETNS[$1]}" link set br0 up; }; then
        fail "make the switch $1"
        finish
    fi
}

# netns_plug HOST ADDR SWITCH: plug HOST into SWITCH's LAN, with the address ADDR (a.b.c.d/len).
netns_plug() {
    local n=$((++NETNS_LINKS))
    local end=v${n}a$$ switch_port=v${n}b$$
    if ! { ip link add "$end" netns "${NETNS[$1]}" type veth peer name "$switch_port" \
        netns "${NETNS[$3]}" &&
        ip -n "${NETNS[$1]}" addr add "$2" dev "$end" &&
        ip -n "${NETNS[$3]}" link set "$switch_port" master br0 up &&
        ip -n "${NETNS[$1]}" link set "$end" up; }; then
        fail "plug $1 ($2) into $3"
        finish
    fi
}

# tcp_probe HOST IP PORT: print what a TCP connection from HOST to IP:PORT meets within 3 s:
# "open" (accepted), "closed" (refused, or no route: told at once) or "silent" (no answer).
tcp_probe() {
    ip netns exec "${NETNS[$1]}" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
    case $? in
    0) echo open ;;
    124) echo silent ;;
    *) echo closed ;;
    esac
}

# expect_count FILE PATTERN COUNT DESCRIPTION: a check that exactly COUNT lines of FILE match
# PATTERN now.
expect_count() {
    local n
    n=$(grep -Ec -- "$2" "$1" 2>/dev/null)
    if ((${n:-0} == $3)); then
        pass "$4"
    else
        fail "$4 (${n:-0} lines match '$2' in $(basename "$1"), not $3)"
        show "$1"
    fi
}

# expect_who NAME PATTERN DESCRIPTION [SECONDS]: a check that \who typed into NAME shows a line
# matching PATTERN: \who is asked again every 2 s (it shows the state of that moment) until a
# new matching line comes or SECONDS (default WAIT_S) have passed.
expect_who() {
    local name=$1 pattern=$2 deadline=$((SECONDS + ${4:-$WAIT_S})) before
    before=$(grep -Ec -- "$pattern" "$TMP/$name.err" 2>/dev/null)
    while :; do
        say "$name" '\who'
        if wait_count "$TMP/$name.err" "$pattern" $((${before:-0} + 1)) 2; then
            pass "$3"
            return 0
        fi
        ((SECONDS < deadline)) || break
    done
    fail "$3 (\\who at $name shows no line matching '$pattern')"
    show "$TMP/$name.err"
    return 1
}

# memory_holds PID TEXT...: status 0 when one of the TEXTs (as UTF-8) is in the process's
# memory, read (as root) from /proc/PID/mem region by region, in chunks: what the process keeps,
# not just prints; 1 when none is; 2 when the memory could not be read (the caller fails). A
# region over 1 GiB (a sanitizer's reserved shadow or allocator space, mostly never touched) is
# not read, and a line says how much was left out, so a reader knows what was searched.
memory_holds() {
    "$PYTHON" - "$@" <<'EOF_MEMORY'
import sys
pid, texts = sys.argv[1], [t.encode() for t in sys.argv[2:]]
CHUNK, REGION_MAX = 16 << 20, 1 << 30
overlap = max(len(t) for t in texts) - 1
searched = skipped = 0
try:
    with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith("r") or line.rstrip().endswith("[vvar]"):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            if end - start > REGION_MAX:
                skipped += end - start
                continue
            tail = b""
            for at in range(start, end, CHUNK):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(CHUNK, end - at))
                except (OSError, ValueError, OverflowError):
                    break  # a region that cannot be read (a guard page, say)
                searched += len(data) - len(tail)
                if any(t in data for t in texts):
                    sys.exit(0)
                tail = data[-overlap:] if overlap > 0 else b""
except (OSError, MemoryError) as error:
    print("# memory_holds: cannot read the memory of %s: %s" % (pid, error))
    sys.exit(2)
if skipped:
    print("# memory_holds: searched %d MB, left out %d GB of regions over 1 GiB" %
          (searched >> 20, skipped >> 30))
sys.exit(1 if searched else 2)
EOF_MEMORY
}

# listing NAME COMMAND: print what COMMAND typed into NAME lists; a marker (an unknown command)
# typed after it says when the listing is complete.
LISTINGS=0
listing() {
    local from marker=listed$((++LISTINGS))
    from=$(wc -l <"$TMP/$1.err")
    say "$1" "$2" "\\$marker"
    wait_for "$TMP/$1.err" "unknown command \\\\$marker " || return 1
    tail -n +"$((from + 1))" "$TMP/$1.err" | sed "/unknown command \\\\$marker /q"
}
