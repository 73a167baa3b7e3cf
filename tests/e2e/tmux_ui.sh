#!/usr/bin/env bash
# The terminal client: Tab completion, history (kept across runs, bounded, off with
# --no-history), colours (stable per nick, own lines dimmed, --color and NO_COLOR), the prompt
# with the channel and how many hear you, \nick, \me, \clear, a resize and multi-byte input,
# and the UI in Swedish.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port)
export XDG_STATE_HOME=$TMP/state
start_terminal anna -n anna -p "$pa" --color=always
start_terminal bertil -n bertil -p "$pb" -c "$pa"
expect_screen anna '^-- bertil joined ' "anna sees bertil join"
expect_screen bertil '^-- anna joined ' "bertil sees anna join"
expect_screen anna '^\[buddy · 1\] anna> ?$' "the prompt counts who hears you"

# Tab completion: commands, nicks at the start of a line, channels, addresses
tmux_run send-keys -t bertil '\he' Tab
expect_screen bertil '^\[buddy · 1\] bertil> \\help$' "Tab completes a command"
tmux_run send-keys -t bertil C-u 'ann' Tab 'hej' Enter
expect_screen anna '<bertil> anna: hej$' "Tab completes a nick at the start of a line, as \"anna: \""
tmux_run send-keys -t anna '\channel nyheter' Enter 'i nyheter' Enter '\channel buddy' Enter
expect_screen bertil '\[nyheter\] <anna> i nyheter$' "a line on a new channel"
tmux_run send-keys -t bertil '\disconnect nyh' Tab
expect_screen bertil '> \\disconnect nyheter$' "Tab completes a channel name"
tmux_run send-keys -t bertil C-u '\connect 127.0' Tab
expect_screen bertil "> \\\\connect 127\\.0\\.0\\.1:$pa\$" "Tab completes a peer's address"
tmux_run send-keys -t bertil C-u

# History: the arrow keys bring back earlier lines
tmux_run send-keys -t bertil 'första raden' Enter 'andra raden' Enter Up Up
expect_screen bertil '> första raden$' "Up twice brings back the line before last"
tmux_run send-keys -t bertil Down
expect_screen bertil '> andra raden$' "Down goes forward again"
tmux_run send-keys -t bertil C-u

# Colour: the nick in its colour, own lines dimmed, nothing of it without a terminal
tmux_run send-keys -t anna 'färg' Enter
wait_screen bertil '<anna> färg$' || fail "bertil gets anna's line"
if tmux_run capture-pane -p -e -t anna | grep -q $'\e\\[2m[0-2][0-9]:[0-5][0-9] \\[buddy\\] <anna> färg'; then
    pass "your own line is shown dimmed, as the others see it"
else
    fail "your own line is shown dimmed, as the others see it"
fi
if tmux_run capture-pane -p -e -t anna | grep -q $'<\e\\[[39][1-6]mbertil\e\\[[0-9;]*m>'; then
    pass "a nick is shown in its colour"
else
    fail "a nick is shown in its colour"
fi
if tmux_run capture-pane -p -e -t anna | grep -q $'\e\\[36m-- '; then
    pass "notices have their own style"
else
    fail "notices have their own style"
fi

# \me and \nick
tmux_run send-keys -t bertil '\me dansar' Enter
expect_screen anna '\[buddy\] \* bertil dansar$' "\\me shows an action"
tmux_run send-keys -t bertil '\nick berra' Enter
expect_screen bertil '^-- you are now berra$' "\\nick is confirmed"
expect_screen bertil '^\[buddy · 1\] berra> ?$' "the prompt shows the new nick"
expect_screen anna '^-- bertil is now called berra$' "the others see the new nick"
tmux_run send-keys -t bertil 'nytt namn' Enter
expect_screen anna '<berra> nytt namn$' "lines come with the new nick"
tmux_run send-keys -t bertil '\nick a>b' Enter
expect_screen bertil '^!! bad nick "a>b"' "a bad nick is refused"

# A resize, then multi-byte input: the cursor stays right
tmux_run resize-window -t bertil -x 60 -y 20 2>/dev/null || tmux_run resize-pane -t bertil -x 60
tmux_run send-keys -t bertil 'åäö 😀'
expect_screen bertil '^\[buddy · 1\] berra> åäö 😀$' "multi-byte input after a resize"
want=$(($(printf '%s' '[buddy · 1] berra> åäö ' | wc -m) + 2))
wait_pane bertil cursor_x "$want" && pass "the cursor stands after the emoji (two columns)" ||
    fail "the cursor stands after the emoji (x=$(pane bertil cursor_x), want $want)"
tmux_run send-keys -t bertil C-u

# \clear
tmux_run send-keys -t anna '\clear'
tmux_run send-keys -t anna Enter
if wait_screen anna '^\[buddy · 1\] anna> ?$' && ! screen anna | grep -q 'joined'; then
    pass "\\clear clears the screen"
else
    fail "\\clear clears the screen"
fi

# History is kept across runs, bounded; --no-history keeps none
tmux_run send-keys -t bertil '\quit' Enter
wait_exit bertil || fail "bertil leaves"
[[ -s $XDG_STATE_HOME/chat/history ]] && pass "the history is saved in \$XDG_STATE_HOME/chat/history" ||
    fail "the history is saved in \$XDG_STATE_HOME/chat/history"
rm -f "$TMP/bertil.status"
start_terminal bertil2 -n bertil -p "$pb" -c "$pa"
expect_screen bertil2 '^\[buddy' "bertil starts again"
tmux_run send-keys -t bertil2 Up
expect_screen bertil2 '> \\quit$' "Up brings back the last line of the previous run"
tmux_run send-keys -t bertil2 C-u '\quit' Enter
wait_exit bertil2 || fail "bertil leaves again"
lines=$(wc -l <"$XDG_STATE_HOME/chat/history")
((lines <= 1000)) && pass "the history file is bounded ($lines lines)" || fail "the history file is bounded"
before=$(md5sum <"$XDG_STATE_HOME/chat/history")
start_terminal carl -n carl --no-history -p "$(free_port)" --no-discovery
expect_screen carl '^\[buddy' "a chat with --no-history starts"
tmux_run send-keys -t carl 'hemlig rad' Enter '\quit' Enter
wait_exit carl || fail "carl leaves"
[[ $(md5sum <"$XDG_STATE_HOME/chat/history") == "$before" ]] &&
    pass "--no-history writes no history" || fail "--no-history writes no history"

# Two chats sharing a history file: the one leaving last keeps the other's lines too
tmux_run send-keys -t anna '\quit' Enter
wait_exit anna || fail "anna leaves"
grep -q '^första raden$' "$XDG_STATE_HOME/chat/history" && grep -q '^färg$' "$XDG_STATE_HOME/chat/history" &&
    pass "two chats on one machine both keep their history" ||
    { fail "two chats on one machine both keep their history"; show "$XDG_STATE_HOME/chat/history"; }

# NO_COLOR and --color=never: no colour codes at all
pd=$(free_port)
start_terminal anna2 -n anna -p "$pa" --no-history
NO_COLOR=1 start_terminal dora -n dora -p "$pd" -c "$pa"
expect_screen dora '^-- anna joined' "dora starts"
if tmux_run capture-pane -p -e -t dora | grep -q $'\e\\['; then
    fail "NO_COLOR: no colour"
else
    pass "NO_COLOR: no colour"
fi

# The UI in Swedish, in a terminal
LC_ALL=sv_SE.UTF-8 start_terminal eva -n eva -p "$(free_port)" -c "$pa"
expect_screen eva '^-- chat .*: du är eva, skriver i \[buddy\]' "the banner in Swedish"
expect_screen eva '^-- anna anslöt ' "presence in Swedish"
tmux_run send-keys -t eva '\frobnicate' Enter
expect_screen eva '^!! okänt kommando \\frobnicate' "errors in Swedish"

# A pasted line over the limit gets one clear line, not a silent cut
tmux_run send-keys -t eva -l "$(printf 'z%.0s' $(seq 1 4200))"
tmux_run send-keys -t eva Enter
expect_screen eva '^!! för lång rad \(4200 byte, högst 4096\): skickades inte' \
    "a pasted line over 4096 bytes: one clear line"
finish
