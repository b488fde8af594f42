# vmscope: a crash(8) extension.  SPDX-License-Identifier: GPL-2.0-or-later
#
#   make                      build extension/vmscope.so against the default crash
#                             (9.0.2, built into the cache by scripts/build-crash)
#   make CRASH=/usr/bin/crash build against the system crash's defs.h
#   make CRASH_INCLUDE=DIR    use DIR/defs.h (a crash source tree built by hand)
#   make unit                 the core's unit tests (Check), plain and with ASan/UBSan
#   make check                unit tests and the tests on real vmcores (tests/run)
#   make fuzz                 a bounded libFuzzer run over the decoder and walker
#   make bench                benchmarks (not tests): figures against the floor
#   make install [DESTDIR=] [PREFIX=]
#
# Every build lands in build/crash-VERSION/ (one per crash, so both can be
# kept); extension/vmscope.so is the latest.

VMSCOPE_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/vmscope
DEFAULT_CRASH := $(VMSCOPE_CACHE)/crash-9.0.2/bin/crash
CRASH ?= $(DEFAULT_CRASH)
CC ?= gcc
PREFIX ?= /usr
LIBDIR ?= $(PREFIX)/lib
EXTDIR ?= $(LIBDIR)/crash/extensions

crash_version = $(shell $(CRASH) --version 2>/dev/null | awk '$$1 == "crash" { print $$2; exit }')
CRASH_VERSION ?= $(crash_version)
# defs.h: the cache's layout, Debian's crash-dev (/usr/include/crash), or given.
CRASH_INCLUDE ?= $(firstword $(wildcard $(dir $(CRASH))../include/crash) \
                 $(if $(filter /usr/bin/crash,$(CRASH)),/usr/include/crash))
# The -D flags crash's own extensions get (extensions/Makefile: TARGET, GDB_FLAGS).
CRASH_CFLAGS ?= $(or $(shell cat $(dir $(CRASH))../cflags 2>/dev/null), \
                -DX86_64 -D_FILE_OFFSET_BITS=64 \
                $(if $(filter 8.%,$(CRASH_VERSION)),-DGDB_10_2,-DGDB_16_3))

BUILD := build/crash-$(CRASH_VERSION)
CORE := pte walk page account thp fmt runs
GLUE := crash_kernel crash_ctx crash_vma crash_task module \
        cmd_smaps cmd_zerofill cmd_thpmap cmd_pageruns cmd_vmwhere cmd_vmsys
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
MOD_CFLAGS := $(CFLAGS) -fPIC -fvisibility=hidden $(WARN) -Iextension
CORE_OBJS := $(CORE:%=$(BUILD)/%.o)
GLUE_OBJS := $(GLUE:%=$(BUILD)/%.o)

.PHONY: all setup unit check fuzz bench install clean vmcores demo crash-ready
# The default crash is built (once, ~15 min) when missing; then the module
# is built by a second make, which sees the crash's version.
all: crash-ready
	@$(MAKE) --no-print-directory extension/vmscope.so

crash-ready:
	@if [ ! -x "$(CRASH)" ]; then \
	  if [ "$(CRASH)" = "$(DEFAULT_CRASH)" ]; then scripts/build-crash 9.0.2 >/dev/null; \
	  else echo "no crash at $(CRASH)" >&2; exit 1; fi; fi

setup:
	scripts/setup-host

extension/vmscope.so: $(BUILD)/vmscope.so
	cp $< $@

$(BUILD)/vmscope.so: $(CORE_OBJS) $(GLUE_OBJS)
	$(CC) -shared $(LDFLAGS) -o $@ $^

$(CORE_OBJS): $(BUILD)/%.o: extension/%.c extension/*.h | $(BUILD)
	$(CC) $(MOD_CFLAGS) -Werror -c -o $@ $<

$(GLUE_OBJS): $(BUILD)/%.o: extension/%.c extension/*.h $(BUILD)/.defs | $(BUILD)
	$(CC) $(MOD_CFLAGS) $(CRASH_CFLAGS) -I$(CRASH_INCLUDE) \
	  -DVMSCOPE_CRASH_VERSION='"$(CRASH_VERSION)"' -c -o $@ $<

# Check the crash and its defs.h before compiling anything against them.
$(BUILD)/.defs: | $(BUILD)
	@test -n "$(CRASH_VERSION)" || { echo "no crash at $(CRASH): run scripts/build-crash, or give CRASH=" >&2; exit 1; }
	@test -f "$(CRASH_INCLUDE)/defs.h" || { echo "no defs.h for $(CRASH) (give CRASH_INCLUDE=DIR)" >&2; exit 1; }
	@touch $@

$(BUILD):
	@mkdir -p $@

# ---- tests ----
TEST_CFLAGS := -O1 -g $(WARN) -Iextension $(shell pkg-config --cflags check)
TEST_LIBS := $(shell pkg-config --libs check)
CORE_SRC := $(CORE:%=extension/%.c)
TEST_SRC := $(wildcard tests/unit/*.c)

build/unit/check_core: $(CORE_SRC) $(TEST_SRC) extension/*.h tests/unit/*.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $(CORE_SRC) $(TEST_SRC) $(TEST_LIBS)

build/unit/check_core_san: $(CORE_SRC) $(TEST_SRC) extension/*.h tests/unit/*.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer -o $@ $(CORE_SRC) $(TEST_SRC) $(TEST_LIBS)

unit: build/unit/check_core build/unit/check_core_san
	build/unit/check_core
	CK_FORK=no build/unit/check_core_san

check: setup
	tests/run

fuzz:
	tests/fuzz/run

bench: all
	bench/run

vmcores:
	test-vmcores/ensure

demo: setup
	scripts/demo

# The build for CRASH (extension/vmscope.so is only the latest build, which
# may be for another crash).  BUILD is fixed when the Makefile is read,
# possibly before "all" built the default crash, hence the version again.
install: all
	install -d $(DESTDIR)$(EXTDIR)
	install -m 0755 build/crash-$(crash_version)/vmscope.so $(DESTDIR)$(EXTDIR)/vmscope.so

clean:
	rm -rf build extension/vmscope.so
