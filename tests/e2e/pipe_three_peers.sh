#!/usr/bin/env bash
# Three peers in pipe mode on localhost: every line reaches the two others with the sender's
# nick and channel; channels filter exactly; \disconnect KANAL silences only that channel;
# end of input flushes what was sent and exits 0.
source "$(dirname "$0")/../lib.sh"

pa=$(free_port) pb=$(free_port) pc=$(free_port)
start_peer anna -- -n anna -p "$pa" -c "$pb" -c "$pc"
start_peer bertil -- --verbose -n bertil -p "$pb" -c "$pa" -c "$pc"
start_peer cecilia -- -n cecilia -p "$pc" -c "$pa" -c "127.0.0.1:$pb"
await_heard anna bertil cecilia || fail "anna is heard by the others"
await_heard bertil anna cecilia || fail "bertil is heard by the others"
await_heard cecilia anna bertil || fail "cecilia is heard by the others"

say anna "hej från anna"
say bertil "hej från bertil"
say cecilia "hej från cecilia 😀"
line='^[0-2][0-9]:[0-5][0-9] \[buddy\] '
expect "$TMP/bertil.out" "$line<anna> hej från anna$" "bertil sees anna's line"
expect "$TMP/cecilia.out" "$line<anna> hej från anna$" "cecilia sees anna's line"
expect "$TMP/anna.out" "$line<bertil> hej från bertil$" "anna sees bertil's line"
expect "$TMP/cecilia.out" "$line<bertil> hej från bertil$" "cecilia sees bertil's line"
expect "$TMP/anna.out" "$line<cecilia> hej från cecilia 😀$" "anna sees cecilia's emoji intact"
expect "$TMP/bertil.out" "$line<cecilia> hej från cecilia 😀$" "bertil sees cecilia's line"
refute "$TMP/anna.out" "<anna>" "anna's own lines are not printed back to her"

# Channels: bertil silences "bud" (not "buddy"), cecilia silences "news"
say bertil '\disconnect bud'
say cecilia '\disconnect news'
expect "$TMP/bertil.err" 'no longer listening to \[bud\]' "\\disconnect KANAL is confirmed"
expect "$TMP/cecilia.err" 'no longer listening to \[news\]' "\\disconnect news is confirmed"
say anna '\channel news' "nyheter" '\channel bud' "till bud" '\channel buddy' "barriär"
expect "$TMP/anna.err" 'writing to \[news\]' "\\channel is confirmed"
expect "$TMP/bertil.out" '\[buddy\] <anna> barriär$' "bertil gets the barrier line"
expect "$TMP/cecilia.out" '\[buddy\] <anna> barriär$' "cecilia gets the barrier line"
expect "$TMP/bertil.out" '\[news\] <anna> nyheter$' "bertil hears news"
refute "$TMP/bertil.out" '\[bud\] <anna>' "bertil does not hear the silenced bud"
refute "$TMP/cecilia.out" '\[news\]' "cecilia does not hear the silenced news"
expect "$TMP/cecilia.out" '\[bud\] <anna> till bud$' "silencing news leaves bud alone"

# \channel on a silenced channel listens to it again
say cecilia '\channel news' '\channels'
expect "$TMP/cecilia.err" '\* news' "\\channels marks the channel written to"
say anna '\channel news' "nyheter igen"
expect "$TMP/cecilia.out" '\[news\] <anna> nyheter igen$' "\\channel KANAL listens again"

# A line that only starts with a backslash is sent with "\\"
say bertil '\\o/ hurra'
expect "$TMP/anna.out" '<bertil> \\o/ hurra$' "a line starting with \\\\ is sent as text"

# \disconnect HOST:PORT stops listening to that peer; bare \connect asks address and port
say cecilia "\\disconnect 127.0.0.1:$pb"
expect "$TMP/cecilia.err" "no longer listening to 127\\.0\\.0\\.1:$pb" "\\disconnect HOST:PORT is confirmed"
wait_for "$TMP/bertil.err" '^·· PUB .*unsubscribes from every channel$' || fail "cecilia unsubscribes from bertil"
say bertil "efter disconnect"
expect "$TMP/anna.out" '<bertil> efter disconnect$' "anna still hears bertil"
refute "$TMP/cecilia.out" 'efter disconnect' "cecilia no longer hears bertil"
say cecilia '\connect' '' "$pb"
wait_count "$TMP/cecilia.err" "connecting to 127\\.0\\.0\\.1:$pb" 2 &&
    pass "bare \\connect asks for address (empty = localhost) and port" ||
    fail "bare \\connect asks for address (empty = localhost) and port"
await_listeners bertil 3 || fail "cecilia listens to bertil again"
say bertil "igen"
expect "$TMP/cecilia.out" '<bertil> igen$' "cecilia hears bertil again"

# End of input: the last line is still delivered, and every peer exits 0
say cecilia "sista raden"
stop_peer cecilia
expect "$TMP/anna.out" '<cecilia> sista raden$' "the line before end of input is delivered"
# SIGINT (Ctrl-C) leaves as cleanly as end of input
say anna "före ctrl-c"
expect "$TMP/bertil.out" '<anna> före ctrl-c$' "anna's line before Ctrl-C is delivered"
kill -INT "${PEER_PID[anna]}"
stop_peer anna
stop_peer bertil
for peer in anna bertil cecilia; do
    if [[ $(cat "$TMP/$peer.status") == 0 ]]; then
        pass "$peer exits 0 at end of input (anna: at SIGINT)"
    else
        fail "$peer exits 0 at end of input (status $(cat "$TMP/$peer.status"))"
        show "$TMP/$peer.err"
    fi
done
finish
