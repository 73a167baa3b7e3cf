#!/usr/bin/env bash
# e2e: exclusive
# make install DESTDIR=... PREFIX=... installs exactly the binary (as chatt, beside ppp's
# chat), its two man pages, the Swedish catalogue and the web page; the installed binary runs,
# speaks Swedish and serves the page (chatt --web) from where it was installed; make uninstall removes exactly those files. (The outer
# make's variables, a sanitizer build's B and CC among them, are kept out of these makes: make
# exports command-line variables to the environment, and B=build/asan there would make
# `make install` copy the sanitizer build to ./chat.)
source "$(dirname "$0")/../lib.sh"
REPO=$(cd "$TESTS_DIR/.." && pwd)
root=$TMP/root

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B -u CC -u VARIANT_CFLAGS make -s -C "$REPO" install DESTDIR="$root" PREFIX=/usr/local >"$TMP/install.log" 2>&1 ||
    { fail "make install DESTDIR=... succeeds"; show "$TMP/install.log"; finish; }
(cd "$root" && find . -type f | sort) >"$TMP/files"
cat >"$TMP/expected" <<'EOF_FILES'
./usr/local/bin/chatt
./usr/local/share/chatt/web/chat.css
./usr/local/share/chatt/web/chat.js
./usr/local/share/chatt/web/index.html
./usr/local/share/locale/sv/LC_MESSAGES/chatt.mo
./usr/local/share/man/man1/chatt.1
./usr/local/share/man/sv/man1/chatt.1
EOF_FILES
if diff -u "$TMP/expected" "$TMP/files" >"$TMP/diff"; then
    pass "make install installs exactly the binary, two man pages, the catalogue and the page"
else
    fail "make install installs exactly the binary, two man pages, the catalogue and the page"
    show "$TMP/diff"
fi
[[ -x $root/usr/local/bin/chatt ]] && pass "the binary is executable" || fail "the binary is executable"
"$root/usr/local/bin/chatt" --version >"$TMP/version" 2>&1
expect "$TMP/version" '^chatt [0-9]+\.[0-9]+\.[0-9]+$' "the installed binary runs"
LC_ALL=sv_SE.UTF-8 "$root/usr/local/bin/chatt" --help >"$TMP/help.sv" 2>&1
expect "$TMP/help.sv" '^Användning:' "the installed binary finds its Swedish catalogue"
# The installed binary serves the installed page (no build tree beside it)
CHAT=$root/usr/local/bin/chatt
web=$(free_port)
start_peer web -- --web "127.0.0.1:$web"
wait_for "$TMP/web.err" "web page is at http://127\\.0\\.0\\.1:$web/" ||
    fail "the installed chatt --web starts"
/usr/bin/python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$web/" \
    >"$TMP/page" 2>&1
cmp -s "$TMP/page" <(cat "$root/usr/local/share/chatt/web/index.html"; echo) &&
    pass "the installed chatt --web serves the installed page" ||
    fail "the installed chatt --web serves the installed page ($(head -c 200 "$TMP/page"))"
stop_peer web
[[ $(cat "$TMP/web.status") == 0 ]] && pass "chatt --web leaves at end of input" ||
    fail "chatt --web leaves at end of input (status $(cat "$TMP/web.status"))"

if command -v man >/dev/null; then
    LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$root/usr/local/share/man/man1/chatt.1" >"$TMP/man" 2>&1
    expect "$TMP/man" 'chatt' "the man page renders"
fi

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B -u CC -u VARIANT_CFLAGS make -s -C "$REPO" uninstall DESTDIR="$root" PREFIX=/usr/local >"$TMP/uninstall.log" 2>&1
left=$(cd "$root" && find . -type f | wc -l)
((left == 0)) && pass "make uninstall removes every installed file" ||
    fail "make uninstall removes every installed file ($left left)"

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B -u CC -u VARIANT_CFLAGS make -s -C "$REPO" install DESTDIR="$root" PREFIX=/opt/chat PROGRAM=chat >"$TMP/install2.log" 2>&1
[[ -x $root/opt/chat/bin/chat && -f $root/opt/chat/share/man/man1/chat.1 ]] &&
    pass "PREFIX and PROGRAM choose where and under what name" ||
    fail "PREFIX and PROGRAM choose where and under what name"
finish
