# chokepoint — build, test, bench, install.
#   make                 release build in build/ (and ./chokepoint, a link to it)
#   make SANITIZE=1      ASan+UBSan build in build-san/
#   make test            the whole suite on the sanitizer build (what CI runs)
#   make bench           benchmarks against their peers (bench/README.md)
#   make demo            quick start: deps, build, default store, the main job
#   make deps            install what is missing (scripts/deps.sh)
#   make fuzz            time-boxed libFuzzer runs of every parser
#   make install PREFIX=/usr/local   (or PREFIX=~/.local: no root needed)
VERSION := 0.1.0
PREFIX ?= /usr/local
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD ?= build-san
OPT := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else
BUILD ?= build
OPT := -O2 -g
SANFLAGS :=
endif

CC ?= cc
PKGS := libutf8proc icu-uc icu-i18n sqlite3 libmicrohttpd jansson libcrypto zlib libcurl libarchive
# Read when make reads this file.  That is before any recipe runs, so on a
# fresh machine the targets that install the libraries first (demo, test,
# bench) run scripts/deps.sh and then re-enter make, which reads them again.
# A compile or link with a module missing stops with what to do ($(need_pkgs)),
# never with a link that has no libraries.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
PKG_MISSING := $(shell for m in $(PKGS); do pkg-config --exists $$m 2>/dev/null || printf '%s ' $$m; done)
need_pkgs = $(if $(PKG_MISSING),$(error pkg-config finds no $(PKG_MISSING)module(s): \
  run 'make deps' (scripts/deps.sh) first, or 'make demo' / 'make test', which do))
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS := -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -DCKP_VERSION='"$(VERSION)"'
CFLAGS := -std=c11 $(WARN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS := $(SANFLAGS)
LDLIBS := $(PKG_LIBS) -lm -lpthread

LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c) $(wildcard server/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
HELP_FILES := $(BUILD)/chokepoint.1 $(BUILD)/completion/chokepoint $(BUILD)/completion/_chokepoint
HELP_DATA := $(wildcard data/groups.csv data/controls/*/*.csv data/ref/countries/*.csv)

.PHONY: all deps test check unit bench demo fuzz install clean tidy chokepoint
all: $(BUILD)/chokepoint
ifeq ($(SANITIZE),0)
# ./chokepoint: the release binary at the root, so the README's commands paste
all: chokepoint $(HELP_FILES)
chokepoint: $(BUILD)/chokepoint
	@ln -sfn $(BUILD)/chokepoint $@
endif

# The man page and the shell completions, written by the binary from the
# verbs' option tables (cli/doc.h) and the shipped data (groups, measures,
# countries), so they never drift from --help.
$(BUILD)/chokepoint.1: $(BUILD)/chokepoint
	CHOKEPOINT_DATA=data $(BUILD)/chokepoint help --man > $@.tmp && mv $@.tmp $@
$(BUILD)/completion/%: $(BUILD)/chokepoint $(HELP_DATA)
	@mkdir -p $(dir $@)
	CHOKEPOINT_DATA=data $(BUILD)/chokepoint help --completion \
	  $(if $(filter _chokepoint,$*),zsh,bash) > $@.tmp && mv $@.tmp $@

# Web assets (web/ + the npm chart library) inlined into the library for the
# report and the server (scripts/gen_assets.sh; regenerated when missing).
ASSETS_INC := $(BUILD)/gen/assets_gen.inc
# node_modules itself too: deps.sh touches it after npm install (npm keeps the
# package's old file dates), so a stub written before deps is replaced.
$(ASSETS_INC): scripts/gen_assets.sh $(wildcard web/*) $(wildcard node_modules) \
  $(wildcard node_modules/chart.js/dist/chart.umd.min.js)
	bash scripts/gen_assets.sh $@
$(BUILD)/obj/src/report/assets.o: $(ASSETS_INC)
$(BUILD)/obj/src/report/assets.o: CPPFLAGS += -I$(BUILD)/gen

# The verb registry: every `CKP_VERB_DEFINE(name, order, flows) = {` line of
# the library, in order (scripts/gen_verbs.sh; rewritten only when it changes,
# and refused when a verb is defined without the macro).
VERBS_INC := $(BUILD)/gen/verbs_registry.h
$(VERBS_INC): scripts/gen_verbs.sh $(LIB_SRC)
	bash scripts/gen_verbs.sh $@ $(LIB_SRC)
$(BUILD)/obj/src/verb/verbs.o: $(VERBS_INC)
$(BUILD)/obj/src/verb/verbs.o: CPPFLAGS += -I$(BUILD)/gen

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(need_pkgs)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libchokepoint.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/chokepoint: $(CLI_OBJ) $(BUILD)/libchokepoint.a
	$(need_pkgs)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libchokepoint.a $(LDLIBS)

# Unit tests: every CKP_TEST(name) in tests/unit/*.c is registered here.
$(BUILD)/tests_registry.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	grep -ho '^CKP_TEST([a-z0-9_]*)' $(TEST_SRC) | sed 's/^CKP_TEST(\(.*\))/X(\1)/' > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/tests/unit/%.o: CPPFLAGS += -I$(BUILD) -Itests/unit
$(TEST_OBJ): $(BUILD)/tests_registry.h

$(BUILD)/unit_tests: $(TEST_OBJ) $(BUILD)/libchokepoint.a
	$(need_pkgs)$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libchokepoint.a $(LDLIBS)

unit: $(BUILD)/unit_tests $(BUILD)/chokepoint

$(BUILD)/bench/%: bench/%.c $(BUILD)/libchokepoint.a
	@mkdir -p $(dir $@)
	$(need_pkgs)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libchokepoint.a $(LDLIBS)

# The targets a newcomer types first install the dependencies and then build
# in a second make, which reads pkg-config's answers after the install (a
# prerequisite 'deps' would not: this make read them before deps ran, and
# with -j the build would race the install).
# The whole suite under ASan+UBSan; the last line is "tests: N passed, N failed".
test:
	@scripts/deps.sh
	$(MAKE) SANITIZE=1 unit
	$(MAKE) all
	bash tests/run.sh build-san
check: test

bench:
	scripts/deps.sh bench
	$(MAKE) all $(BENCH_BIN)
	bash bench/run.sh

demo:
	@scripts/deps.sh
	$(MAKE) all
	BIN=$(BUILD)/chokepoint bash scripts/demo.sh

fuzz:
	bash fuzz/run.sh $${FUZZ_SECONDS:-60}

install: all $(HELP_FILES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/chokepoint $(DESTDIR)$(PREFIX)/share/chokepoint \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BUILD)/chokepoint $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/chokepoint.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(BUILD)/completion/chokepoint \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 644 $(BUILD)/completion/_chokepoint $(DESTDIR)$(PREFIX)/share/zsh/site-functions/
	install -m 644 $(BUILD)/libchokepoint.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/chokepoint/*.h $(DESTDIR)$(PREFIX)/include/chokepoint/
	cp -R data/. $(DESTDIR)$(PREFIX)/share/chokepoint/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@PKGS@|$(PKGS)|' chokepoint.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/chokepoint.pc

tidy:
	clang-format -i include/chokepoint/*.h src/*/*.c cli/*.c cli/*.h

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
