#!/usr/bin/env bash
# Two chats in two real terminals (tmux): type in one, read the other; a half-typed line
# survives an incoming message intact, cursor included; Ctrl-C and Ctrl-D leave cleanly.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port)
start_terminal anna -n anna -p "$pa" -c "$pb"
start_terminal bertil -n bertil -p "$pb" -c "$pa"
expect_screen anna 'listening on port '"$pa" "anna's banner shows her port"
expect_screen anna '^\[buddy · [01]\] anna> ?$' "the prompt shows the channel, the listeners and the nick"
expect_screen anna '^-- bertil joined \(127\.0\.0\.1:'"$pb"'\)$' "anna sees bertil join"
expect_screen bertil '^-- anna joined \(127\.0\.0\.1:'"$pa"'\)$' "bertil sees anna join"

tmux_run send-keys -t anna "hej bertil" Enter
expect_screen bertil '^[0-2][0-9]:[0-5][0-9] \[buddy\] <anna> hej bertil$' \
    "a line typed in one terminal appears in the other"

# Half a line in bertil's terminal, then a message arrives
tmux_run send-keys -t bertil -l "halvskriven åäö"
wait_screen bertil '^\[buddy · 1\] bertil> halvskriven åäö$' || fail "bertil's typing shows"
tmux_run send-keys -t anna "avbrott" Enter
expect_screen bertil '<anna> avbrott$' "the incoming line is printed"
last=$(screen bertil | grep -v '^$' | tail -n 1)
if [[ $last == "[buddy · 1] bertil> halvskriven åäö" ]]; then
    pass "the half-typed line is redrawn intact below the incoming line"
else
    fail "the half-typed line is redrawn intact below the incoming line (last line: '$last')"
fi
prompt_width=${#last}
if wait_pane bertil cursor_x "$prompt_width"; then
    pass "the cursor stays at the end of the half-typed line"
else
    fail "the cursor stays at the end of the half-typed line (x=$(pane bertil cursor_x), want $prompt_width)"
fi
tmux_run send-keys -t bertil " klar" Enter
expect_screen anna '<bertil> halvskriven åäö klar$' "the finished line arrives whole"

# \help and a mistake: one clear line each, in the terminal
tmux_run send-keys -t anna '\help' Enter
expect_screen anna '\\disconnect CHANNEL' "\\help lists the commands"
tmux_run send-keys -t anna '\frobnicate' Enter
expect_screen anna '^!! unknown command \\frobnicate' "an unknown command gives one line"

# Bare \connect asks for the address, then the port, as the course's exercise does
tmux_run send-keys -t anna '\connect' Enter
expect_screen anna '^address \(empty = localhost\): ?$' "bare \\connect asks for the address"
tmux_run send-keys -t anna Enter
expect_screen anna '^port \(empty = 5557\): ?$' "then for the port (empty = 5557)"
tmux_run send-keys -t anna "$pb" Enter
expect_screen anna "already listening to 127\\.0\\.0\\.1:$pb" "the answers connect (empty = localhost)"
expect_screen anna '^\[buddy · 1\] anna> ?$' "the prompt comes back after the questions"

# A peer's escape sequences reach the screen as visible text, not as terminal commands
pp=$(free_port)
start_course_peer rogue "$pp"
tmux_run send-keys -t anna "\\connect $pp" Enter
wait_for "$TMP/rogue.out" '^subscribed ~listen ' || fail "anna listens to the rogue peer"
say rogue $'\e]0;HACKED\a\e[2J\e[31mröd\rX\u202eabc'
expect_screen anna '<127\.0\.0\.1> \^\[\]0;HACKED\^G\^\[\[2J\^\[\[31mröd\^MX<U\+202E>abc$' \
    "escape sequences, CR and bidi overrides show as visible text"
[[ $(pane anna pane_title) != HACKED ]] && pass "a peer cannot set the terminal title" ||
    fail "a peer cannot set the terminal title"
expect_screen anna '^!! unknown command' "a peer cannot clear the screen"
tmux_run send-keys -t bertil "färg" Enter
expect_screen anna '<bertil> färg$' "Swedish letters pass untouched"

# Leaving: Ctrl-C in one terminal, Ctrl-D in the other; both exit 0
tmux_run send-keys -t anna C-c
if wait_exit anna; then
    pass "Ctrl-C leaves"
    [[ $(cat "$TMP/anna.status") == 0 ]] && pass "Ctrl-C exits 0" ||
        fail "Ctrl-C exits 0 (status $(cat "$TMP/anna.status"))"
    if grep -Eq '(^| )icanon( |$)' "$TMP/anna.stty" && grep -Eq '(^| )echo( |$)' "$TMP/anna.stty"; then
        pass "the terminal is restored (canonical mode, echo) after leaving"
    else
        fail "the terminal is restored (canonical mode, echo) after leaving"
        show "$TMP/anna.stty"
    fi
else
    fail "Ctrl-C leaves"
fi
expect_screen bertil 'lost the connection to 127\.0\.0\.1:'"$pa" "the other side notices"
tmux_run send-keys -t bertil C-d
if wait_exit bertil; then
    pass "Ctrl-D leaves"
    [[ $(cat "$TMP/bertil.status") == 0 ]] && pass "Ctrl-D exits 0" ||
        fail "Ctrl-D exits 0 (status $(cat "$TMP/bertil.status"))"
else
    fail "Ctrl-D leaves"
fi
finish
