# Makefile for chat. `make` builds ./chat, `make check` runs every test, `make check-sanitize`
# runs them again under ASan+UBSan and under TSan. The user's CFLAGS and LDFLAGS are kept.

PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
LOCALEDIR ?= $(PREFIX)/share/locale
CC ?= cc

PACKAGES = libzmq libczmq readline libsodium
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PACKAGES))
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs $(PACKAGES)) -lcivetweb -lpthread # civetweb: no .pc
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARNINGS = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
CFLAGS ?= -O2 -g
WEBDIR ?= $(PREFIX)/share/chatt/web
ALL_CFLAGS = -std=gnu11 $(WARNINGS) $(DEPS_CFLAGS) -DLOCALEDIR='"$(LOCALEDIR)"' -DWEBDIR='"$(WEBDIR)"' \
             $(CFLAGS)

# Modules shared by chat and the unit tests; chat.c holds main
MODULES = address answers backlog banner channels commands complete control discovery history i18n inbox input \
          monitor options outbox peers presence private publisher ratelimit repair resend room \
          roomlock roomseal signing identity known trust streams subscriber term text view wire \
          forward routes receive fdio roomnews who web webtab webguard webcmd json jsonview keepalive
UNIT_TESTS = test_text test_wire test_address test_commands test_channels test_view test_peers test_control \
             test_room test_streams test_backlog test_resend test_outbox test_ratelimit test_options \
             test_roomlock test_publisher test_answers test_private test_inbox test_subscriber \
             test_identity test_known test_signing test_routes test_term test_roomseal test_relay test_digest

# \who and the news of who joined and left (issue 17)
UNIT_TESTS += test_roomnews test_who

# The web bridge (issue 18)
UNIT_TESTS += test_webguard test_webtab test_webcmd
# --json, the pipe mode for a program (issue 18)
UNIT_TESTS += test_json

# A build variant: objects and binary under $(B); the default one is ./chat
B ?= build/default
VARIANT_CFLAGS ?=
OBJECTS = $(MODULES:%=$(B)/%.o)

.PHONY: all install uninstall steg check check-fast check-unit check-e2e check-sanitize check-asan check-tsan \
        translations clean bench lint

all: chat translations

chat: $(B)/chat
	cp $(B)/chat $@.new && mv -f $@.new $@ # a rename works even while ./chat runs

$(B)/%.o: %.c $(wildcard *.h) | $(B)
	@echo "CC $@"; $(CC) $(ALL_CFLAGS) $(VARIANT_CFLAGS) -c $< -o $@

$(B)/chat: $(OBJECTS) $(B)/chat.o | $(B)/web
	@echo "CC $@"; $(CC) $(ALL_CFLAGS) $(VARIANT_CFLAGS) $^ -o $@ $(LDFLAGS) $(DEPS_LIBS)

# The web page (chat --web), found beside the binary in the build tree
$(B)/web: | $(B)
	ln -sfn $(CURDIR)/web $@

# A unit test: its own file, the modules, and what the unit tests share (tests/testlib.h)
$(B)/test_%: tests/test_%.c $(OBJECTS) $(B)/testlib.o tests/testlib.h
	@echo "CC $@"; $(CC) $(ALL_CFLAGS) $(VARIANT_CFLAGS) -iquote . $(filter %.c %.o,$^) -o $@ $(LDFLAGS) \
	    $(DEPS_LIBS) $(CMOCKA_LIBS)

$(B)/testlib.o: tests/testlib.c tests/testlib.h $(wildcard *.h) | $(B)
	@echo "CC $@"; $(CC) $(ALL_CFLAGS) $(VARIANT_CFLAGS) -iquote . -c $< -o $@

$(B):
	mkdir -p $@
	ln -sfn $(CURDIR)/locale $@/locale

# Installing. Debian's ppp package has a program called chat already (/usr/sbin/chat, which
# dial-up scripts run by name), so ours installs as chatt, Swedish for chat: the binary, its
# man pages (English and Swedish) and its message catalogue all carry that name. PROGRAM=chat
# installs it as chat instead, for those without ppp.
PROGRAM ?= chatt
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
INSTALLED = $(DESTDIR)$(BINDIR)/$(PROGRAM) $(DESTDIR)$(MANDIR)/man1/$(PROGRAM).1 \
            $(DESTDIR)$(MANDIR)/sv/man1/$(PROGRAM).1 \
            $(LANGUAGES:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/chatt.mo) \
            $(WEB_FILES:%=$(DESTDIR)$(WEBDIR)/%)
WEB_FILES = index.html chat.css chat.js

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/sv/man1
	install -m 755 chat $(DESTDIR)$(BINDIR)/$(PROGRAM)
	install -m 644 man/chat.1 $(DESTDIR)$(MANDIR)/man1/$(PROGRAM).1
	install -m 644 man/sv/chat.1 $(DESTDIR)$(MANDIR)/sv/man1/$(PROGRAM).1
	install -d $(DESTDIR)$(WEBDIR)
	install -m 644 $(WEB_FILES:%=web/%) $(DESTDIR)$(WEBDIR)/
	for lang in $(LANGUAGES); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES && \
	    install -m 644 locale/$$lang/LC_MESSAGES/chatt.mo $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES/; \
	done

uninstall:
	rm -f $(INSTALLED)
	rmdir $(DESTDIR)$(WEBDIR) $(DESTDIR)$(PREFIX)/share/chatt 2>/dev/null || true

# Benchmarks against raw libzmq and the course's Python, and rooms of 2-40 peers: prints a table
# and writes bench/results.md and bench/scale.png. Not part of check; bench/README.md reads it.
bench: all
	bench/run

# The course's exercise step by step: one small program per step, in steg/
steg:
	$(MAKE) -C steg

# Message catalogues: po/LANG.po -> locale/LANG/LC_MESSAGES/chatt.mo, found beside the binary
LANGUAGES = sv
translations: $(LANGUAGES:%=locale/%/LC_MESSAGES/chatt.mo)

locale/%/LC_MESSAGES/chatt.mo: po/%.po
	mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

po/chat.pot: $(MODULES:%=%.c) chat.c
	xgettext --from-code=UTF-8 -k_ -kN_ -o $@ $^

# Tests. `make check` is the whole suite: unit and end-to-end tests on the normal build (with
# valgrind on a clean quit), then all of them again under ASan+UBSan and under TSan, those two
# side by side (each prints its output when it is done). The end-to-end scripts mostly wait, so
# two run at once; a script marked "# e2e: exclusive" (heavy, or on a port of the machine's
# own) runs alone (tests/run-e2e). CHAT names the binary the end-to-end tests drive.
check: all
	$(MAKE) lint check-unit check-e2e
	$(MAKE) -j2 --output-sync=recurse check-sanitize
	$(MAKE) fuzz
	@echo "make check: every suite passed"

# The house rules a compiler does not check (tests/lint): file and function size, complexity,
# snprintf results, include circles, clang-format
lint:
	tests/lint

# The normal build only: the quick loop while developing
check-fast: all
	$(MAKE) check-unit check-e2e

check-unit: $(UNIT_TESTS:%=$(B)/%)
	@failed=0; for t in $^; do echo "== $$t"; $$t || failed=$$((failed + 1)); done; \
	    echo "unit: $$failed of $(words $^) test programs failed"; test $$failed = 0

check-e2e: $(B)/chat translations
	CHAT=$(CURDIR)/$(B)/chat tests/run-e2e

# ASan+UBSan and TSan builds, each running the whole suite
check-sanitize: check-asan check-tsan

# ASan keeps freed memory in a quarantine (256 MB by default) to catch use after free; a smaller
# one still catches it, and lets the tests that bound memory measure the program, not the cache
check-asan: export ASAN_OPTIONS = quarantine_size_mb=16
check-asan:
	$(MAKE) -j1 B=build/asan CC=clang \
	    VARIANT_CFLAGS="-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    check-unit check-e2e

check-tsan: export TSAN_OPTIONS = suppressions=$(CURDIR)/tests/tsan.supp exitcode=66
check-tsan:
	$(MAKE) -j1 B=build/tsan CC=clang VARIANT_CFLAGS="-O1 -fno-omit-frame-pointer -fsanitize=thread" \
	    check-unit check-e2e

# Fuzzing (fuzz/README.md): libFuzzer targets for a peer's message (fuzz_wire), a typed line
# (fuzz_commands) and a signed batch of lines with its proofs (fuzz_signing), built with clang under ASan+UBSan in build/fuzz/. `make fuzz` runs each for
# FUZZ_SECONDS on a copy of its seed corpus in build/fuzz/corpus-NAME/, so the inputs it finds
# stay out of the repository; a crash fails it, with its input saved as build/fuzz/NAME-crash-*.
# The target's own stdout and stderr are closed (-close_fd_mask=3): fuzz_wire runs the real
# inbox, which prints; libFuzzer and the sanitizers keep their reports on a stderr of their own.
FUZZ_SECONDS ?= 30
FUZZ_DIR = build/fuzz
FUZZ_SANITIZE = -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_OBJECTS = $(MODULES:%=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/fuzz_check.o $(FUZZ_DIR)/fuzz_twin.o

.PHONY: fuzz fuzz-wire fuzz-commands fuzz-signing

fuzz: fuzz-wire fuzz-commands fuzz-signing

fuzz-wire fuzz-commands fuzz-signing: fuzz-%: $(FUZZ_DIR)/fuzz_%
	@mkdir -p $(FUZZ_DIR)/corpus-$* && cp fuzz/corpus/$*/* $(FUZZ_DIR)/corpus-$*/
	@echo "== fuzz_$* for $(FUZZ_SECONDS) s"; \
	if $< -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -timeout=10 -dict=fuzz/$*.dict -close_fd_mask=3 \
	        -artifact_prefix=$(FUZZ_DIR)/$*- -print_final_stats=1 \
	        $(FUZZ_DIR)/corpus-$* >$(FUZZ_DIR)/$*.log 2>&1; then \
	    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' \
	        $(FUZZ_DIR)/$*.log; \
	else \
	    grep -v -E '^#[0-9]+[[:space:]]' $(FUZZ_DIR)/$*.log; \
	    echo "fuzz_$*: FAILED; the input is $(FUZZ_DIR)/$*-crash-* (or -timeout-, -oom-, -leak-)"; \
	    exit 1; \
	fi

$(FUZZ_DIR)/fuzz_wire $(FUZZ_DIR)/fuzz_commands $(FUZZ_DIR)/fuzz_signing: \
    $(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJECTS) fuzz/fuzz_check.h fuzz/fuzz_twin.h
	@echo "CC $@"; clang $(ALL_CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer,address,undefined -iquote . \
	    $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(DEPS_LIBS)

$(FUZZ_DIR)/%.o: %.c $(wildcard *.h) | $(FUZZ_DIR)
	@echo "CC $@"; clang $(ALL_CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link,address,undefined \
	    -c $< -o $@

$(FUZZ_DIR)/%.o: fuzz/%.c fuzz/%.h fuzz/fuzz_check.h $(wildcard *.h) | $(FUZZ_DIR)
	@echo "CC $@"; clang $(ALL_CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link,address,undefined \
	    -iquote . -c $< -o $@

$(FUZZ_DIR):
	mkdir -p $@

clean:
	rm -rf build chat locale po/chat.pot
	$(MAKE) -C steg clean
