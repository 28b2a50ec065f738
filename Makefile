# kkpol: the policy compiler kkpolc and the runtime library libkkpol.
# Non-recursive; every output goes under build/.

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
DESTDIR ?=
BISON   ?= bison
FLEX    ?= flex

VERSION    := 0.1.0
SOVERSION  := 0
B          := build
GEN        := $(B)/gen
PKG_CFLAGS := $(shell pkg-config --cflags libxxhash jansson 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libxxhash jansson 2>/dev/null)
LIB_LIBS   := $(shell pkg-config --libs libxxhash 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

BASE_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -DKKP_VERSION='"$(VERSION)"' \
               -Iinclude -Isrc -I$(GEN) $(PKG_CFLAGS)
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ALL_CFLAGS  := $(BASE_CFLAGS) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
# Generated scanner and parser: their own object group with the warnings
# flex and bison code is known to trip.
GEN_CFLAGS  := $(BASE_CFLAGS) -Wall -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter \
               $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS      := $(PKG_LIBS) $(EXTRA_LDFLAGS)

# The runtime library: table reading and lookup only.
LIB_SRCS := src/table_read.c src/reload.c
# The compiler front end, checks and table writer.
COMPILER_SRCS := src/arena.c src/strmap.c src/source.c src/diag.c src/diag_text.c src/ast.c \
                 src/parse.c src/load.c src/resolve.c src/suggest.c src/lower.c src/lint.c \
                 src/lint_roles.c src/lint_members.c src/lint_constraints.c src/diag_json.c src/emit.c \
                 src/table_write.c src/diff.c src/diff_render.c
CLI_SRCS := src/cli_main.c src/cli_check.c src/cli_compile.c src/cli_query.c src/cli_dump.c src/cli_util.c \
            src/cli_diff.c
GEN_SRCS := $(GEN)/policy.tab.c $(GEN)/policy.lex.c
TEST_SRCS := $(wildcard tests/check_*.c) tests/testlib.c
# Review tools: explain, test, matrix and the provenance section.
LIB_SRCS += src/table_provenance.c
COMPILER_SRCS += src/provenance.c src/explain.c
CLI_SRCS += src/cli_explain.c src/cli_test.c src/cli_matrix.c

LIB_OBJS      := $(LIB_SRCS:%.c=$(B)/obj/%.o)
COMPILER_OBJS := $(COMPILER_SRCS:%.c=$(B)/obj/%.o) $(GEN_SRCS:%.c=%.o)
CLI_OBJS      := $(CLI_SRCS:%.c=$(B)/obj/%.o)
TEST_OBJS     := $(TEST_SRCS:%.c=$(B)/obj/%.o)

.PHONY: all deps run check check-unit check-golden check-e2e check-schemas check-example check-bench clean install \
        bench bench-deps
.DEFAULT_GOAL := all

all: $(B)/kkpolc $(B)/libkkpol.a $(B)/libkkpol.so $(B)/kkpol.pc

deps:
	@sh .ci/deps

$(GEN)/policy.tab.c $(GEN)/policy.tab.h: grammar/policy.y
	@mkdir -p $(GEN)
	$(BISON) -Wall -Werror --defines=$(GEN)/policy.tab.h -o $(GEN)/policy.tab.c $<

# -Cf: full, uncompressed scanner tables. They make the scanner a few
# hundred kilobytes larger and cut the compiler's instructions by about a
# quarter (callgrind, 100,000-member policy).
FLEX_TABLES := -Cf

$(GEN)/policy.lex.c $(GEN)/policy.lex.h: grammar/policy.l $(GEN)/policy.tab.h
	@mkdir -p $(GEN)
	$(FLEX) $(FLEX_TABLES) --header-file=$(GEN)/policy.lex.h -o $(GEN)/policy.lex.c $<

$(GEN)/%.o: $(GEN)/%.c $(GEN)/policy.tab.h $(GEN)/policy.lex.h
	$(CC) $(GEN_CFLAGS) -fPIC -c -o $@ $<

$(B)/obj/%.o: %.c | $(GEN)/policy.tab.h $(GEN)/policy.lex.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(B)/libkkpol.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/libkkpol.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libkkpol.so.$(SOVERSION) -o $(B)/libkkpol.so.$(VERSION) $^ $(LIB_LIBS) $(LDFLAGS)
	ln -sf libkkpol.so.$(VERSION) $(B)/libkkpol.so.$(SOVERSION)
	ln -sf libkkpol.so.$(VERSION) $@

$(B)/kkpol.pc: kkpol.pc.in Makefile
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

$(B)/kkpolc: $(CLI_OBJS) $(COMPILER_OBJS) $(B)/libkkpol.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $(CLI_OBJS) $(COMPILER_OBJS) $(B)/libkkpol.a $(LDLIBS) $(LDFLAGS)

$(B)/check_kkpol: $(TEST_OBJS) $(COMPILER_OBJS) $(B)/libkkpol.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $(TEST_OBJS) $(COMPILER_OBJS) $(B)/libkkpol.a \
	    $(CHECK_LIBS) $(LDLIBS) $(LDFLAGS)

$(TEST_OBJS): ALL_CFLAGS += $(CHECK_CFLAGS) -Itests

# The example program is built against an installed copy, through pkg-config.
$(B)/example/bin/query_example: examples/query_example.c all
	rm -rf $(B)/example
	$(MAKE) --no-print-directory install DESTDIR= PREFIX=$(CURDIR)/$(B)/example
	PKG_CONFIG_PATH=$(CURDIR)/$(B)/example/lib/pkgconfig sh -c \
	    '$(CC) $(CFLAGS) -o $@ $< $$(pkg-config --cflags --libs --static kkpol)'

$(B)/example-org.kkpt: $(B)/kkpolc $(wildcard policies/*.kkp)
	$(B)/kkpolc compile -o $@ policies/example-org.kkp

run: deps all $(B)/example-org.kkpt
	sh examples/sample-queries.sh $(B)/kkpolc $(B)/example-org.kkpt

check: deps
	$(MAKE) --no-print-directory all $(B)/check_kkpol
	$(MAKE) --no-print-directory check-unit check-golden check-e2e check-schemas check-example check-bench \
	    check-limits check-fuzz-replay check-hostile check-safe-output check-diff check-review

check-unit: $(B)/check_kkpol
	cd tests && ../$(B)/check_kkpol

check-golden: $(B)/kkpolc
	sh tests/golden.sh $(B)/kkpolc

check-e2e: $(B)/kkpolc
	sh tests/e2e.sh $(B)/kkpolc

# explain, test and matrix end to end (docs/review.md).
.PHONY: check-review check-html
check-review: $(B)/kkpolc
	sh tests/review.sh $(B)/kkpolc

# The matrix page in headless Chromium; skips when Chromium is missing. Not
# part of check, so CI needs no browser.
check-html: $(B)/kkpolc
	sh tests/check-html.sh $(B)/kkpolc $(B)/check-html

# kkpolc diff end to end: equivalent rewrites, breaking changes, --git.
check-diff: $(B)/kkpolc
	sh tests/diff.sh $(B)/kkpolc

# JSON and SARIF outputs against their schemas; the validators come from npm
# into build/npm, and the test says it skipped where npm is missing.
check-schemas: $(B)/kkpolc
	sh tests/schemas.sh $(B)/kkpolc $(CURDIR)/build/npm

check-example: $(B)/example/bin/query_example $(B)/example-org.kkpt
	LD_LIBRARY_PATH=$(B)/example/lib $(B)/example/bin/query_example $(B)/example-org.kkpt

# Benchmarks (docs/benchmarks.md). QUICK=1 runs the scaled-down set. The
# full run installs the Node.js peers first (make bench-deps); QUICK=1 runs
# them only when they are installed already.
BENCH_SRCS := bench/kkpbench.c bench/gen.c bench/measure.c
BENCH_OBJS := $(BENCH_SRCS:%.c=$(B)/obj/%.o)
BENCH_NODE := $(B)/bench-deps/node_modules

$(B)/kkpbench: $(BENCH_OBJS) $(B)/libkkpol.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $(BENCH_OBJS) $(B)/libkkpol.a $(LDLIBS) -lm $(LDFLAGS)

bench: $(B)/kkpolc $(B)/kkpbench
	$(if $(QUICK),,@$(MAKE) --no-print-directory bench-deps || echo "bench: the peers could not be installed; they will be skipped")
	$(B)/kkpbench $(if $(QUICK),--quick) --kkpolc $(B)/kkpolc --policies policies \
	    --out $(B)/bench --peers bench/peers --node-modules $(CURDIR)/$(BENCH_NODE)

bench-deps:
	@command -v npm > /dev/null || { echo "bench-deps: npm is not installed; the peers will be skipped"; exit 1; }
	mkdir -p $(B)/bench-deps
	cp bench/peers/package.json $(B)/bench-deps/package.json
	cd $(B)/bench-deps && npm install --no-audit --no-fund

# A tiny benchmark run that must produce every figure; no timing is asserted.
check-bench: $(B)/kkpolc $(B)/kkpbench
	$(B)/kkpbench --smoke --kkpolc $(B)/kkpolc --policies policies --out $(B)/bench-smoke > /dev/null

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(B)/kkpolc $(DESTDIR)$(PREFIX)/bin/kkpolc
	install -m 644 $(B)/libkkpol.a $(DESTDIR)$(PREFIX)/lib/libkkpol.a
	install -m 755 $(B)/libkkpol.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libkkpol.so.$(VERSION)
	ln -sf libkkpol.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libkkpol.so.$(SOVERSION)
	ln -sf libkkpol.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libkkpol.so
	install -m 644 include/kkpol.h $(DESTDIR)$(PREFIX)/include/kkpol.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' kkpol.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/kkpol.pc

# Hardening: sanitizer builds, fuzzing, lowered limits, hostile input and
# safe output (docs/hardening.md). Each sanitizer or fuzz build is a full
# build in its own folder under $(B).
.PHONY: check-asan check-valgrind check-tsan check-limits check-fuzz-replay check-hostile \
        check-safe-output fuzz
SAN_FLAGS    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
TSAN_FLAGS   := -O1 -g -fsanitize=thread
# A lowered build reaches the member and file-size limits cheaply.
LIMIT_FLAGS  := -DKKP_MAX_MEMBERS=1000 -DKKP_MAX_FILE_SIZE=65536
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := policy table roundtrip
# Plain builds link the fuzz target bodies with a main that replays saved
# inputs; make fuzz links them with libFuzzer instead.
FUZZ_MAIN    ?= tests/fuzz/replay_main.c

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(filter %.c,$(FUZZ_MAIN)) $(COMPILER_OBJS) $(B)/libkkpol.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(FUZZ_MAIN) $(COMPILER_OBJS) $(B)/libkkpol.a $(LDLIBS) $(LDFLAGS)

check-asan: deps
	$(MAKE) --no-print-directory B=$(B)/asan CFLAGS='$(SAN_FLAGS)' \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    CK_TIMEOUT_MULTIPLIER=4 check

check-valgrind: deps all
	sh tests/valgrind.sh $(B)/kkpolc

check-tsan: deps
	$(MAKE) --no-print-directory B=$(B)/tsan CFLAGS='$(TSAN_FLAGS)' $(B)/tsan/check_kkpol
	cd tests && TSAN_OPTIONS=halt_on_error=1 CK_RUN_SUITE=reload KKP_RELOAD_ROUNDS=3000 \
	    CK_DEFAULT_TIMEOUT=600 ../$(B)/tsan/check_kkpol

check-limits: $(B)/check_kkpol
	$(MAKE) --no-print-directory B=$(B)/limits EXTRA_CFLAGS='$(LIMIT_FLAGS)' $(B)/limits/check_kkpol
	cd tests && CK_RUN_SUITE=limits ../$(B)/limits/check_kkpol

check-fuzz-replay: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%) $(B)/example-org.kkpt
	$(B)/fuzz/fuzz_policy tests/fuzz/regressions/policy policies tests/golden
	$(B)/fuzz/fuzz_table tests/fuzz/regressions/table $(B)/example-org.kkpt
	$(B)/fuzz/fuzz_roundtrip tests/fuzz/regressions/roundtrip policies

check-hostile: $(B)/kkpolc
	sh tests/hostile.sh $(B)/kkpolc

check-safe-output: $(B)/kkpolc
	sh tests/safe-output.sh $(B)/kkpolc

# make fuzz FUZZ_SECONDS=N runs each target for N seconds, one after another.
fuzz: deps all
	$(MAKE) --no-print-directory B=$(B)/libfuzzer CC=$(FUZZ_CC) CFLAGS='-O1 -g' \
	    EXTRA_CFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all' \
	    FUZZ_MAIN=-fsanitize=fuzzer $(FUZZ_TARGETS:%=$(B)/libfuzzer/fuzz/fuzz_%)
	sh tests/fuzz/run.sh $(B)/libfuzzer $(B)/kkpolc $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
