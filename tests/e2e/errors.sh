#!/usr/bin/env bash
# Mistakes get one clear line and never a crash or a hang: bad options exit 2 naming the
# problem; bad commands, bad addresses, unreachable and non-chat ports are reported while the
# chat keeps chatting.
source "$(dirname "$0")/../lib.sh"

# Bad command-line input: exit status 2 and one line on stderr that names the problem
taken=$(free_port)
"$PYTHON" -c "import socket,time; s=socket.socket(); s.bind(('',$taken)); s.listen(); time.sleep(30)" &
holder=$!
disown
on_exit "kill -9 $holder"
while IFS='|' read -r args pattern; do
    # shellcheck disable=SC2086 # args are words on purpose
    timeout 10 "$CHAT" $args </dev/null >"$TMP/bad.out" 2>"$TMP/bad.err"
    status=$?
    lines=$(wc -l <"$TMP/bad.err")
    if [[ $status == 2 && $lines == 1 && ! -s $TMP/bad.out ]] &&
        grep -Eq -- "$pattern" "$TMP/bad.err"; then
        pass "chat $args: exit 2, one line"
    else
        fail "chat $args: exit 2, one line matching '$pattern', nothing on stdout (got status $status, $lines lines)"
        show "$TMP/bad.err"
    fi
done <<EOF_TABLE
-p 0|bad port "0"
-p 70000|bad port "70000"
-p abc|bad port "abc"
99999|bad port "99999"
--frobnicate|unknown option --frobnicate
-x|unknown option -x
-p|option -p needs a value
--channel bad>name|bad channel name "bad>name"
--channel för-lång-kanal-med-mer-än-32-tecken|bad channel name
-n x>y|bad nick "x>y"
--nick=|bad nick ""
--nick a b|bad port "b"
-c no-such-host.invalid:5557|cannot connect to no-such-host\.invalid:5557: unknown host
-c 1:2:3|cannot connect to 1:2:3: write an IPv6 address in brackets
5557 5558|unexpected argument "5558"
-p $taken|port $taken is taken
--key=|bad --key ""
--history abc|bad --history "abc"
--history 1001|bad --history "1001"
--log=|bad --log ""
--log /nonexistent/dir/x.log|cannot append to the log file /nonexistent/dir/x\.log
--json --relay|--json does not go with --relay: a relay writes for the system.s journal
EOF_TABLE

# Bad commands in a running chat: one line each, and the chat keeps going
pa=$(free_port) pb=$(free_port) silent=$(free_port)
start_peer anna -- -n anna -p "$pa" -c "$pb"
start_peer bertil -- -n bertil -p "$pb" -c "$pa"
await_heard bertil anna || fail "anna hears bertil"
say bertil '\frobnicate' '\channel' '\channel dålig kanal' '\channel a>b' '\disconnect' \
    '\disconnect 192.0.2.1:9' '\connect nosuch.invalid:1' '\connect 1:2:3' '\connect 70000' \
    "\\connect $pb" "\\connect $pa" '\help me' '\disconnect 192.0.2.7' '\'
expect "$TMP/bertil.err" '^!! unknown command \\frobnicate' "unknown command"
expect "$TMP/bertil.err" '^!! wrong arguments for \\channel' "\\channel without a name"
expect "$TMP/bertil.err" '^!! wrong arguments for \\channel .*' "\\channel with a space"
expect "$TMP/bertil.err" '^!! "a>b" is not a channel name' "\\channel with '>'"
expect "$TMP/bertil.err" '^!! wrong arguments for \\disconnect' "\\disconnect without argument"
expect "$TMP/bertil.err" '^!! not listening to 192\.0\.2\.1:9' "\\disconnect of an unknown peer"
expect "$TMP/bertil.err" '^!! cannot connect to nosuch\.invalid:1: unknown host' "unknown host"
expect "$TMP/bertil.err" '^!! cannot connect to 1:2:3: write an IPv6' "ambiguous IPv6"
expect "$TMP/bertil.err" '^!! cannot connect to 70000: the port must be' "port out of range"
expect "$TMP/bertil.err" "^!! 127\\.0\\.0\\.1:$pb is this chat itself" "connecting to yourself"
expect "$TMP/bertil.err" "^-- already listening to 127\\.0\\.0\\.1:$pa" "connecting twice"
expect "$TMP/bertil.err" '^!! wrong arguments for \\help' "\\help with an argument"
expect "$TMP/bertil.err" '^!! not listening to 192\.0\.2\.7$' "\\disconnect of a host not listened to"
expect "$TMP/bertil.err" '^!! a lone \\ is not a command' "a lone backslash"

# Nothing listens on a port: one notice, and chatting goes on
say bertil "\\connect $silent" "fortfarande här"
expect "$TMP/bertil.err" "127\\.0\\.0\\.1:$silent does not answer" "an unreachable port gives a notice"
expect "$TMP/anna.out" '<bertil> fortfarande här$' "the chat keeps chatting after mistakes"
wait_for "$TMP/bertil.err" 'will-never-appear' 2
n=$(grep -c "$silent does not answer" "$TMP/bertil.err")
[[ $n == 1 ]] && pass "the unreachable notice is printed once, not per retry" ||
    fail "the unreachable notice is printed once, not per retry ($n times)"

# A port where something else listens (not ZeroMQ): refused after the handshake fails
web=$(free_port)
cat >"$TMP/web.py" <<'EOF_WEB'
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen()
end = time.time() + 30
server.settimeout(1)
while time.time() < end:
    try:
        connection, _ = server.accept()
    except socket.timeout:
        continue
    connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hej</html>\r\n")
    connection.close()
EOF_WEB
background "$PYTHON" "$TMP/web.py" "$web"
on_exit "kill -9 $!"
disown
say bertil "\\connect $web"
expect "$TMP/bertil.err" "127\\.0\\.0\\.1:$web (is not a chat|refused us: it is a locked room .*, or not a chat)|127\\.0\\.0\\.1:$web was cut off" \
    "a port that is not a chat is reported" 15
say bertil "\\peers"
say bertil "efter webben"
expect "$TMP/anna.out" '<bertil> efter webben$' "the chat keeps chatting after a non-chat port"

# Over-long lines: the longest allowed arrives whole; one byte more gives one clear line,
# never a silent cut
longest=$(printf 'x%.0s' $(seq 1 4096))
say bertil "$longest" "${longest}y" "efter den långa"
expect "$TMP/anna.out" "<bertil> $longest\$" "a line of exactly 4096 bytes arrives whole"
expect "$TMP/bertil.err" '^!! line too long \(4097 bytes, at most 4096\): not sent$' \
    "a longer line: one clear line, not a silent cut"
expect "$TMP/anna.out" '<bertil> efter den långa$' "and the next line goes on"
refute "$TMP/anna.out" "${longest}y|<bertil> y\$" "no part of the longer line was sent"

stop_peer anna
stop_peer bertil
[[ $(cat "$TMP/bertil.status") == 0 ]] && pass "exit 0 after all the mistakes" ||
    { fail "exit 0 after all the mistakes (status $(cat "$TMP/bertil.status"))"; show "$TMP/bertil.err"; show "$TMP/bertil.stuck"; }
finish
