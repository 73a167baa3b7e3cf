#!/usr/bin/env bash
# e2e: exclusive
# valgrind finds no leak and no memory error when chat quits cleanly: in pipe mode at end of
# input, in a terminal with \quit (readline's path), and as a web bridge (--web) at end of
# input after a tab came and went. Not run on sanitizer builds, which
# valgrind cannot run.
source "$(dirname "$0")/../lib.sh"

if [[ $CHAT == */asan/* || $CHAT == */tsan/* ]]; then
    echo "# skipped: valgrind does not run sanitizer builds"
    finish
fi
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no)

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer bertil -- -n bertil -p "$pb" -c "$pa" -c "$pc"
start_peer anna "${VALGRIND[@]}" --log-file="$TMP/anna.valgrind" -- -n anna -p "$pa" -c "$pb"
WAIT_S=30 await_heard anna bertil || fail "bertil hears anna under valgrind"
WAIT_S=30 await_heard bertil anna || fail "anna hears bertil under valgrind"
say anna "hej under valgrind" '\channel news' '\disconnect spam' '\channels' '\peers' '\help'
say bertil "hej tillbaka"
expect "$TMP/bertil.out" '<anna> hej under valgrind$' "a line is sent under valgrind" 30
expect "$TMP/anna.out" '<bertil> hej tillbaka$' "a line is received under valgrind" 30
stop_peer anna 60
[[ $(cat "$TMP/anna.status") == 0 ]] && pass "pipe mode: clean quit, exit 0, no leak, no error" || {
    fail "pipe mode: clean quit, exit 0, no leak, no error (status $(cat "$TMP/anna.status"))"
    show "$TMP/anna.valgrind"
}
grep -q 'definitely lost: 0 bytes\|no leaks are possible' "$TMP/anna.valgrind" &&
    pass "pipe mode: valgrind reports nothing definitely lost" ||
    { fail "pipe mode: valgrind reports nothing definitely lost"; show "$TMP/anna.valgrind"; }

# In a terminal, through readline, leaving with \quit
TERMINAL_WRAPPER="${VALGRIND[*]} --log-file=$TMP/cecilia.valgrind" \
    start_terminal cecilia -n cecilia -p "$pc" -c "$pb"
WAIT_S=30 await_heard cecilia bertil || fail "bertil hears cecilia under valgrind"
tmux_run send-keys -t cecilia "hej från terminalen" Enter
expect "$TMP/bertil.out" '<cecilia> hej från terminalen$' "a typed line is sent under valgrind" 30
tmux_run send-keys -t cecilia '\quit' Enter
if wait_exit cecilia 60; then
    [[ $(cat "$TMP/cecilia.status") == 0 ]] && pass "terminal: \\quit, exit 0, no leak, no error" || {
        fail "terminal: \\quit, exit 0, no leak, no error (status $(cat "$TMP/cecilia.status"))"
        show "$TMP/cecilia.valgrind"
    }
else
    fail "terminal: \\quit leaves under valgrind"
fi
# A web bridge with a tab (a WebSocket client) that types a line and leaves; the bridge leaves
# at end of input
pw=$(free_port)
start_peer web "${VALGRIND[@]}" --log-file="$TMP/web.valgrind" -- --web "$pw" -p "$(free_port)" \
    -c "$pb"
WAIT_S=30 wait_for "$TMP/web.err" 'web page is at' || fail "the bridge starts under valgrind"
"$PYTHON" - "$pw" >"$TMP/tab.out" 2>&1 <<'EOF_TAB'
import sys, time, websocket
tab = websocket.create_connection("ws://127.0.0.1:%s/ws?nick=dora&tab=%s&lang=en"
                                  % (sys.argv[1], "d" * 32), timeout=30)
deadline = time.time() + 30
while time.time() < deadline and '"t":"self"' not in tab.recv():
    pass
tab.send("hej från en flik")
tab.close()
EOF_TAB
expect "$TMP/bertil.out" '<dora> hej från en flik$' "a tab's line is sent under valgrind" 30
wait_for "$TMP/web.err" 'the tab of dora has left' 30 || fail "the tab leaves under valgrind"
stop_peer web 60
[[ $(cat "$TMP/web.status") == 0 ]] && pass "web bridge: clean quit, exit 0, no leak, no error" || {
    fail "web bridge: clean quit, exit 0, no leak, no error (status $(cat "$TMP/web.status"))"
    show "$TMP/web.valgrind"
}
stop_peer bertil
finish
