#!/usr/bin/env bash
# The UI speaks Swedish under a Swedish locale and English otherwise; commands keep their
# names and chat lines their format in both.
source "$(dirname "$0")/../lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^sv_SE\.utf-\?8$'; then
    fail "the sv_SE.UTF-8 locale exists (./start --check generates it)"
    finish
fi
SV=sv_SE.UTF-8

LC_ALL=$SV "$CHAT" --help >"$TMP/help.sv" 2>&1
LC_ALL=C "$CHAT" --help >"$TMP/help.en" 2>&1
expect "$TMP/help.sv" '^Användning: chat \[FLAGGA\]\.\.\. \[PORT\]$' "--help in Swedish"
expect "$TMP/help.en" '^Usage: chat \[OPTION\]\.\.\. \[PORT\]$' "--help in English"
expect "$TMP/help.sv" '--plain' "options keep their names in Swedish"
lines=$(wc -l <"$TMP/help.sv")
((lines <= 24)) && pass "--help fits one screen ($lines lines)" || fail "--help fits one screen ($lines lines)"
LC_ALL=$SV "$CHAT" --bogus >/dev/null 2>"$TMP/bad.sv"
[[ $? == 2 ]] && grep -q '^chat: okänd flagga --bogus' "$TMP/bad.sv" &&
    pass "a bad option is explained in Swedish, exit 2" ||
    { fail "a bad option is explained in Swedish, exit 2"; show "$TMP/bad.sv"; }

pa=$(free_port) pb=$(free_port)
LC_ALL=$SV start_peer anna -- -n anna -p "$pa" -c "$pb"
LC_ALL=C start_peer bertil -- -n bertil -p "$pb" -c "$pa"
expect "$TMP/anna.err" "^-- ansluten till 127\\.0\\.0\\.1:$pb$" "notices in Swedish"
expect "$TMP/bertil.err" "^-- connected to 127\\.0\\.0\\.1:$pa$" "notices in English"
await_heard bertil anna || fail "anna hears bertil"
await_heard anna bertil || fail "bertil hears anna"
say anna '\frobnicate' '\channel nyheter' "hej"
say bertil '\frobnicate' "hello"
expect "$TMP/anna.err" '^!! okänt kommando \\frobnicate \(\\help visar kommandona\)$' \
    "errors in Swedish, command names unchanged"
expect "$TMP/bertil.err" '^!! unknown command \\frobnicate \(\\help lists the commands\)$' \
    "errors in English"
expect "$TMP/anna.err" '^-- skriver nu i \[nyheter\]$' "\\\\channel works under a Swedish UI"
expect "$TMP/bertil.out" '^[0-2][0-9]:[0-5][0-9] \[nyheter\] <anna> hej$' \
    "chat lines have the same format from a Swedish UI"
expect "$TMP/anna.out" '^[0-2][0-9]:[0-5][0-9] \[buddy\] <bertil> hello$' \
    "and the same format in a Swedish UI"
stop_peer anna
stop_peer bertil
finish
