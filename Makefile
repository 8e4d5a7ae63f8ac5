# crdiag: one entry point. See README.md.
#   make                 build every program into bin/
#   make check           install missing packages (as root), build, run the bats suite
#   make check SANITIZE=1  the same with ASan+UBSan, in build/asan (never mixed)
#   make check-kernel    the same suite inside another kernel under qemu (KERNEL=, default
#                        Debian's linux-image-amd64: 6.1, without PAGEMAP_SCAN)
#   make demo            the main job: a giant reservation, inspected
#   make bench           vmainspect against pmap, smaps and the raw kernel interfaces;
#                        crdiag-check against ss -xap
#   make bench SHORT=1   the speed gate: vmainspect --json and --batch against the floor
#   make report          a bug report for CRIU: build/report/report.md and report.json
#   make deps            install missing Debian packages (root) or print the line
#   make install [PREFIX=/usr/local] [DESTDIR=]   (make uninstall)
#   make deb             the Debian package, lintian-checked: build/deb/crdiag_VERSION_ARCH.deb
VERSION := 0.1.0

CC ?= cc
PKGS := libelf libdw ncursesw
DEB_PKGS := build-essential libelf-dev libdw-dev libncurses-dev binutils bats bats-support \
	bats-assert bats-file tmux iproute2 jq pkg-config procps util-linux \
	clang libclang-rt-14-dev qemu-system-x86 busybox-static criu valgrind strace chromium
# The installed tool: man pages checked (groff, man), completion, the Debian package.
DEB_PKGS += groff-base man-db bash-completion debhelper dpkg-dev fakeroot lintian
PREFIX ?= /usr/local
BINDIR_INSTALL = $(DESTDIR)$(PREFIX)/bin
MANDIR_INSTALL = $(DESTDIR)$(PREFIX)/share/man/man1

ifeq ($(SANITIZE),1)
BUILD := build/asan
BIN := $(BUILD)/bin
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD := build/normal
BIN := bin
SAN :=
endif
TBIN := $(BUILD)/t
# Absolute and quoted for the shell: a checkout's path may hold spaces, which $(abspath)
# would split into words.
QBIN = "$(CURDIR)/$(BIN)"
QTBIN = "$(CURDIR)/$(TBIN)"

# Deferred (=): pkg-config runs only when a compile needs it, after `make deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror $(SAN)
CPPFLAGS += -D_GNU_SOURCE -DCRDIAG_VERSION='"$(VERSION)"' -Isrc -Irepro $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SAN)
LDLIBS += $(PKG_LIBS) -lm -lpthread

LIB_SRCS := $(wildcard src/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libcrdiag.a
# The repros' shared modules (verdicts, the CRIU mode, the network lab, ...): librepro.a.
# Static archives: a program links only the objects whose symbols it uses.
RLIB_SRCS := $(wildcard repro/*.c)
RLIB_OBJS := $(RLIB_SRCS:%.c=$(BUILD)/%.o)
RLIB := $(BUILD)/librepro.a

# A program is a directory: src/NAME/ -> bin/NAME, repro/NAME/ -> bin/repro-NAME (all
# the directory's .c files), or a test helper: bats/helpers/NAME.c or the directory
# bats/helpers/NAME/ -> $(TBIN)/NAME.
PROGS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard src/*/*.c)))))
REPROS := $(addprefix repro-,$(sort $(notdir $(patsubst %/,%,$(dir $(wildcard repro/*/*.c))))))
HELPERS := $(basename $(notdir $(wildcard bats/helpers/*.c)))
HELPER_DIRS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard bats/helpers/*/*.c)))))
# A script program is src/NAME/NAME.sh -> bin/NAME, with @VERSION@ filled in and each
# line "@include FILE" replaced by src/NAME/FILE (crdiag-report's jq programs: termsafe.jq,
# render.jq, tap.jq, in files of their own so that each is tested alone).
SCRIPTS := $(notdir $(basename $(wildcard src/*/*.sh)))

ALL_BINS := $(PROGS:%=$(BIN)/%) $(SCRIPTS:%=$(BIN)/%) $(REPROS:%=$(BIN)/%) $(HELPERS:%=$(TBIN)/%) \
	$(HELPER_DIRS:%=$(TBIN)/%)
MANPAGES := $(wildcard src/*/*.1 repro/*.1 repro/*/*.1)

.PHONY: all clean deps check check-kernel demo report install bench fuzz fuzzers FORCE
all: $(ALL_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.a:
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(LIB): $(LIB_OBJS)
$(RLIB): $(RLIB_OBJS)

# The one link rule: $(1) the program, $(2) its sources. Every program links librepro.a
# and libcrdiag.a; the archives give it only what it calls (check with nm).
define link_rule
$(1): $(patsubst %.c,$(BUILD)/%.o,$(2)) $(RLIB) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call link_rule,$(BIN)/$(p),$(wildcard src/$(p)/*.c))))
$(foreach r,$(REPROS),$(eval $(call link_rule,$(BIN)/$(r),$(wildcard repro/$(r:repro-%=%)/*.c))))
$(foreach h,$(HELPERS),$(eval $(call link_rule,$(TBIN)/$(h),bats/helpers/$(h).c)))
$(foreach h,$(HELPER_DIRS),$(eval $(call link_rule,$(TBIN)/$(h),$(wildcard bats/helpers/$(h)/*.c))))

# A line "@JQ FILE@" in the script is replaced by src/NAME/FILE: jq programs live in
# files of their own (tested alone) and the built script stays one file.
define script_rule
$(BIN)/$(1): src/$(1)/$(1).sh $(wildcard src/$(1)/*.jq) Makefile
	@mkdir -p $$(@D)
	awk -v dir=src/$(1) -v version=$$(VERSION) '/^@include / { f = dir "/" $$$$2; n = 0; \
		while ((r = (getline l < f)) > 0) { print l; n++ } \
		if (r < 0 || n == 0) { print "include: " f ": cannot read" > "/dev/stderr"; exit 1 } \
		close(f); next } { gsub(/@VERSION@/, version); print }' $$< >$$@.tmp && \
		chmod 0755 $$@.tmp && mv $$@.tmp $$@
endef
$(foreach s,$(SCRIPTS),$(eval $(call script_rule,$(s))))

# libFuzzer targets: bats/fuzz/fuzz-*.c, built with clang against the library sources.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZERS := $(patsubst bats/fuzz/%.c,build/fuzz/%,$(wildcard bats/fuzz/fuzz-*.c))
fuzzers: $(FUZZERS)
build/fuzz/%: bats/fuzz/%.c $(LIB_SRCS) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
		$(PKG_CFLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -lm

# make fuzz [FUZZ_SECONDS=60]: each target for that long from a fresh seed corpus (plus
# the read-only corpora seeds.sh names, e.g. the real CRIU logs); a crash is saved in
# build/fuzz/crash-* and the run fails.
fuzz: deps
	@$(MAKE) --no-print-directory fuzzers
	@for f in $(FUZZERS); do \
		t=$$(basename $$f); c=build/fuzz/corpus-$$t; \
		extra=$$(bats/fuzz/seeds.sh $$c $$t) || exit 1; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build/fuzz/crash-$$t- $$c $${extra:+"$$extra"} \
			2>build/fuzz/$$t.log || { tail -40 build/fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' build/fuzz/$$t.log; \
	done

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "crdiag: missing Debian packages; as root run:" >&2; \
		echo "apt-get update && apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "crdiag: installing$$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

# bats writes TAP to the terminal and to $(BUILD)/report.tap, which .ci/run counts.
BATS_FLAGS ?= --tap --print-output-on-failure
TESTS ?= bats
check: deps
	@$(MAKE) --no-print-directory all fuzzers
	@mkdir -p $(BUILD)
	CRDIAG_BIN=$(QBIN) CRDIAG_TBIN=$(QTBIN) CRDIAG_SANITIZE=$(SANITIZE) \
		bats $(BATS_FLAGS) --report-formatter tap --output $(BUILD) $(TESTS)

# The guest runs what the host built: build first, then boot (bats/kernel/check-kernel.sh).
# The kernel package and initramfs stay cached in build/kernel; the guest's TAP report,
# console and kernel log land in $(BUILD)/kernel.
KERNEL ?= linux-image-amd64
KERNEL_TIMEOUT ?= 900
# KERNEL_CACHE: where the kernel package and initramfs are kept (.ci/run's clone reuses
# the checkout's); KERNEL_OUT: the guest's report, console, kernel log.
KERNEL_CACHE ?= build/kernel
KERNEL_OUT ?= $(BUILD)/kernel
check-kernel: deps
	@$(MAKE) --no-print-directory all
	CRDIAG_BIN=$(QBIN) CRDIAG_TBIN=$(QTBIN) CRDIAG_SANITIZE=$(SANITIZE) \
		BATS_FLAGS="$(BATS_FLAGS)" bats/kernel/check-kernel.sh --kernel $(KERNEL) \
		--cache "$(KERNEL_CACHE)" --out "$(KERNEL_OUT)" --timeout $(KERNEL_TIMEOUT) $(TESTS)

# make report [REPORT_DIR=build/report] [REPORT_FLAGS="--quick --pid PID"]: the whole
# suite, every repro and the facts in one Markdown file to paste into a CRIU issue.
REPORT_DIR ?= $(BUILD)/report
REPORT_FLAGS ?=
report: deps
	@$(MAKE) --no-print-directory all fuzzers
	$(BIN)/crdiag-report --output $(REPORT_DIR) $(REPORT_FLAGS)

demo: deps
	@$(MAKE) --no-print-directory all
	@repro/demo.sh $(QBIN)

# make bench: the full tables (bats/bench/results.md), reported, never failed on speed.
# make bench SHORT=1: the gate, vmainspect --json and --batch against the floor (best
# CPU time of interleaved rounds), exit 1 when a ratio misses BENCH_TARGET (1.15).
bench: deps
	@$(MAKE) --no-print-directory all
	bats/bench/bench.sh $(if $(filter 1,$(SHORT)),--short) $(QBIN) $(QTBIN)
	$(if $(filter 1,$(SHORT)),,bats/bench/check-bench.sh $(QBIN) $(QTBIN))

# --- make install [PREFIX=/usr/local] [DESTDIR=], make uninstall ----------------------
# On PATH: the front door, vmainspect and the repros (people type them; criu dump -t and
# pidof show a repro's name). The other programs go to libexec/crdiag, with links to the
# ones on PATH, so that directory holds every program as a clone's bin/ does (crdiag-test
# and crdiag-report run the programs next to them). The user's suite (the bats files
# holding a test tagged `user`, and the helpers those tests start) goes to
# share/crdiag/tests and libexec/crdiag/tests; man pages; bash completion, one link per
# command on PATH.
LIBEXEC_INSTALL = $(DESTDIR)$(PREFIX)/libexec/crdiag
SUITE_INSTALL = $(DESTDIR)$(PREFIX)/share/crdiag/tests
COMPLETION_INSTALL = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INSTALL_PROGS = $(notdir $(filter $(BIN)/%,$(ALL_BINS)))
ON_PATH = crdiag vmainspect $(filter repro-%,$(INSTALL_PROGS))
IN_LIBEXEC = $(filter-out $(ON_PATH),$(INSTALL_PROGS))
USER_TESTS = $(shell grep -lE '^# bats (test|file)_tags=(.*[ ,])?user([ ,]|$$)' bats/*.bats)
USER_HELPERS := pattern
.PHONY: uninstall
install: all
	install -d $(BINDIR_INSTALL) $(MANDIR_INSTALL) $(LIBEXEC_INSTALL)/tests \
		$(SUITE_INSTALL)/helpers $(COMPLETION_INSTALL)
	install -m 0755 $(ON_PATH:%=$(BIN)/%) $(BINDIR_INSTALL)
	install -m 0755 $(IN_LIBEXEC:%=$(BIN)/%) $(LIBEXEC_INSTALL)
	for p in $(filter-out crdiag,$(ON_PATH)); do ln -sfn ../../bin/$$p $(LIBEXEC_INSTALL)/$$p; done
	install -m 0755 $(USER_HELPERS:%=$(TBIN)/%) $(LIBEXEC_INSTALL)/tests
	install -m 0644 $(MANPAGES) $(MANDIR_INSTALL)
	install -m 0644 src/crdiag/crdiag.bash $(COMPLETION_INSTALL)/crdiag
	for p in $(filter-out crdiag,$(ON_PATH)); do ln -sfn crdiag $(COMPLETION_INSTALL)/$$p; done
	# bats reads these files (crdiag test): not scripts to execute, so no #! line
	for f in $(USER_TESTS); do sed '1{/^#!/d}' $$f >$(SUITE_INSTALL)/$${f##*/} && \
		chmod 0644 $(SUITE_INSTALL)/$${f##*/} || exit 1; done
	install -m 0644 bats/helpers/common.bash $(SUITE_INSTALL)/helpers

# Removes what install wrote, and the directories of crdiag's own.
uninstall:
	rm -f $(ON_PATH:%=$(BINDIR_INSTALL)/%) $(patsubst %,$(MANDIR_INSTALL)/%,$(notdir $(MANPAGES))) \
		$(ON_PATH:%=$(COMPLETION_INSTALL)/%)
	rm -rf $(LIBEXEC_INSTALL) $(DESTDIR)$(PREFIX)/share/crdiag

# --- make deb: the Debian package, lintian-checked, in build/deb -------------------------
# Built from a copy of the tree (no bin/, build/ or .git), so dpkg-buildpackage writes its
# ../*.deb into build/deb/src and nothing lands beside the checkout; the .deb, .changes
# and .buildinfo are moved to build/deb, then lintian must report no error or warning.
DEB_DIR := build/deb
DEB_SRC = $(DEB_DIR)/src/crdiag-$(VERSION)
.PHONY: deb
deb: deps
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	tar -c --exclude=./build --exclude=./bin --exclude=./.git . | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	lintian --fail-on error,warning $(DEB_DIR)/*.changes >$(DEB_DIR)/lintian.txt 2>&1; \
		rc=$$?; cat $(DEB_DIR)/lintian.txt; exit $$rc
	@ls $(DEB_DIR)/crdiag_$(VERSION)_*.deb

clean:
	rm -rf build bin

# Keep object files of repros and test helpers: they are not throw-away intermediates.
.SECONDARY:

# build/kernel holds an unpacked kernel package (check-kernel), not dependency files.

-include $(shell find build -path build/kernel -prune -o -name '*.d' -print 2>/dev/null)
