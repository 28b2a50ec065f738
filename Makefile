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
LIB_SRCS := src/table_read.c
# The compiler front end, checks and table writer.
COMPILER_SRCS := src/arena.c src/strmap.c src/source.c src/diag.c src/diag_text.c src/ast.c \
                 src/parse.c src/load.c src/resolve.c src/suggest.c src/lower.c src/lint.c \
                 src/lint_roles.c src/lint_members.c src/lint_constraints.c src/diag_json.c src/emit.c \
                 src/table_write.c
CLI_SRCS := src/cli_main.c src/cli_check.c src/cli_compile.c src/cli_query.c src/cli_dump.c src/cli_util.c
GEN_SRCS := $(GEN)/policy.tab.c $(GEN)/policy.lex.c
TEST_SRCS := $(wildcard tests/check_*.c) tests/testlib.c

LIB_OBJS      := $(LIB_SRCS:%.c=$(B)/obj/%.o)
COMPILER_OBJS := $(COMPILER_SRCS:%.c=$(B)/obj/%.o) $(GEN_SRCS:%.c=%.o)
CLI_OBJS      := $(CLI_SRCS:%.c=$(B)/obj/%.o)
TEST_OBJS     := $(TEST_SRCS:%.c=$(B)/obj/%.o)

.PHONY: all deps run check check-unit check-golden check-e2e check-example clean install
.DEFAULT_GOAL := all

all: $(B)/kkpolc $(B)/libkkpol.a $(B)/libkkpol.so $(B)/kkpol.pc

deps:
	@sh .ci/deps

$(GEN)/policy.tab.c $(GEN)/policy.tab.h: grammar/policy.y
	@mkdir -p $(GEN)
	$(BISON) -Wall -Werror --defines=$(GEN)/policy.tab.h -o $(GEN)/policy.tab.c $<

$(GEN)/policy.lex.c $(GEN)/policy.lex.h: grammar/policy.l $(GEN)/policy.tab.h
	@mkdir -p $(GEN)
	$(FLEX) --header-file=$(GEN)/policy.lex.h -o $(GEN)/policy.lex.c $<

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
	$(MAKE) --no-print-directory check-unit check-golden check-e2e check-example

check-unit: $(B)/check_kkpol
	cd tests && CK_TAP_LOG_FILE_NAME= ../$(B)/check_kkpol

check-golden: $(B)/kkpolc
	sh tests/golden.sh $(B)/kkpolc

check-e2e: $(B)/kkpolc
	sh tests/e2e.sh $(B)/kkpolc

check-example: $(B)/example/bin/query_example $(B)/example-org.kkpt
	LD_LIBRARY_PATH=$(B)/example/lib $(B)/example/bin/query_example $(B)/example-org.kkpt

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

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
