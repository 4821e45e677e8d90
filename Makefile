# kbundle — a plain, strict Makefile.
#   make              build ./kbundle
#   make test         unit, golden-file and end-to-end tests, built with SANITIZE=address,undefined
#                     (KB_GOLDEN_UPDATE=1 rewrites the golden cases' expected/)
#   make bench        benchmarks beside their baselines
#   make install      PREFIX=/usr/local DESTDIR=: binary, upstreams, man pages, completion
#   make man          regenerate docs/man/ from --help (help2man)
#   make fuzz         each tests/fuzz/fuzz_*.c for FUZZ_SECONDS (default 60) on its corpus
# Knobs: SANITIZE=address,undefined  WERROR=1 (CI)  V=1 (full command lines)  BUILD=dir

CC       ?= gcc
CXX      ?= g++
PREFIX   ?= /usr/local
BUILD    ?= build
PKGS     := libcurl libxml-2.0 libarchive rpm yaml-0.1 openssl apt-pkg libbpf libelf
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

WARN     := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wvla
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
override CFLAGS   += -std=c11 -D_GNU_SOURCE -I. $(WARN) $(shell pkg-config --cflags $(PKGS)) \
                     -DKB_VERSION='"$(VERSION)"' -MMD -MP
override CXXFLAGS += -std=c++17 -I. -Wall -Wextra -Wshadow $(shell pkg-config --cflags apt-pkg) -MMD -MP
LDLIBS   += $(shell pkg-config --libs $(PKGS))

ifdef WERROR
override CFLAGS   += -Werror
override CXXFLAGS += -Werror
endif
ifdef SANITIZE
override CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
override LDFLAGS  += -fsanitize=$(SANITIZE)
endif
ifndef V
Q = @
E = @echo "  $(1)	$(2)";
endif

CORE_DIRS := lib cache toolchain crawler manifest packer bundles pipeline btf vm
CORE_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(addsuffix /*.c,$(CORE_DIRS)))) \
             $(patsubst %.cc,$(BUILD)/%.o,$(wildcard $(addsuffix /*.cc,$(CORE_DIRS))))
CLI_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
GOLDEN_BIN := $(patsubst tests/golden/%.c,$(BUILD)/tests/golden/%,$(wildcard tests/golden/*.c))
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
LIB       := $(BUILD)/libkbundle.a

all: kbundle

kbundle: $(BUILD)/kbundle
	$(Q)ln -sf $(BUILD)/kbundle $@

$(BUILD)/kbundle: $(CLI_OBJ) $(LIB) | $(BUILD)/kbundle-bpfload
	$(call E,LINK,$@)$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The guest's BPF loader (vmtest --bpf): static, against Debian's libbpf.a,
# for an initramfs with nothing else but busybox. No sanitizers: their
# runtimes do not link statically.
GUEST_LIBS := -l:libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a
$(BUILD)/kbundle-bpfload: guest/bpfload.c
	@mkdir -p $(dir $@)
	$(call E,GUEST,$@)$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) $(if $(WERROR),-Werror) -static \
		-o $@ $< $(GUEST_LIBS)

$(LIB): $(CORE_OBJ)
	$(call E,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call E,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(call E,CXX,$@)$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call E,CC,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka -lstdc++

# Drivers for the golden cases (tests/golden/run.sh): library parts no
# command prints, e.g. the VM console parser.
$(BUILD)/tests/golden/%: tests/golden/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call E,CC,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lstdc++

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call E,CC,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lstdc++

unit-bins: $(UNIT_BIN)
golden-bins: $(GOLDEN_BIN)

# The test target builds with sanitizers into its own directory, so a plain
# `make` stays fast and the sanitized objects never mix with it.
TEST_BUILD := build/san
test: deps
	$(Q)$(MAKE) --no-print-directory BUILD=$(TEST_BUILD) SANITIZE=address,undefined $(TEST_BUILD)/kbundle unit-bins golden-bins
	$(Q)tests/run.sh $(TEST_BUILD) $(TESTS)

test-unit:
	$(Q)$(MAKE) --no-print-directory BUILD=$(TEST_BUILD) SANITIZE=address,undefined unit-bins
	$(Q)tests/run.sh $(TEST_BUILD) unit

# Fuzzing: clang's libFuzzer with ASan+UBSan. The library is rebuilt with
# clang and coverage (fuzzer-no-link) into build/fuzz; clang++ builds the
# apt-pkg shim against the same libstdc++ as the distro's g++-built
# libapt-pkg, so the two link together. FUZZ_TARGETS="deb stream" picks some.
FUZZ_BUILD   := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
ifdef FUZZ
override CFLAGS   += -fsanitize=fuzzer-no-link
override CXXFLAGS += -fsanitize=fuzzer-no-link
endif

# Linked by clang++ like kbundle itself: UBSan's C++ checks in the shim
# need its C++ runtime.
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(call E,FUZZ,$@)$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_BIN:$(BUILD)/fuzz/%=$(BUILD)/tests/fuzz/%.o)

fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CXX=clang++ FUZZ=1 \
		SANITIZE=address,undefined fuzz-bins

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: $(BUILD)/kbundle $(BENCH_BIN)
	$(Q)bench/run.sh $(BUILD)

# The binary, the guest's BPF loader (lib/datadir.c finds it), the shipped upstreams (kbundle reads them when there is no
# ./upstreams: lib/datadir.c), the man pages and bash completion.
install: $(BUILD)/kbundle
	install -D -m 0755 $(BUILD)/kbundle $(DESTDIR)$(PREFIX)/bin/kbundle
	install -D -m 0755 $(BUILD)/kbundle-bpfload $(DESTDIR)$(PREFIX)/libexec/kbundle/kbundle-bpfload
	install -d $(DESTDIR)$(PREFIX)/share/kbundle/upstreams $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 upstreams/*.yml $(DESTDIR)$(PREFIX)/share/kbundle/upstreams/
	install -m 0644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 scripts/completion/kbundle.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kbundle

# Regenerate docs/man/ from the commands' --help (help2man); the pages are
# kept in the tree, and test_man_pages checks them against --help.
man: $(BUILD)/kbundle
	$(Q)scripts/gen-man $(BUILD)/kbundle docs/man

# What kbundle needs from Debian (scripts/deps.apt), installed when missing:
# `make test` and `make demo` work on a fresh machine.
deps:
	$(Q)scripts/install-deps --if-missing

# The main job on a sensible default: crawl Debian 12, pack the newest
# kernel of each flavour, boot the newest amd64 one in QEMU and load a
# module built against its bundle; then say where everything went.
DEMO_WORKDIR ?= .kbundle
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./kbundle crawl --workdir $(DEMO_WORKDIR) debian-12
	$(Q)./kbundle manifest
	$(Q)./kbundle pack --workdir $(DEMO_WORKDIR) --upstream debian-12 --arch amd64 --latest
	$(Q)./kbundle vmtest --workdir $(DEMO_WORKDIR) --upstream debian-12 --arch amd64 --latest \
		--release '[0-9]-amd64$$' --json $(DEMO_WORKDIR)/reports/demo.json
	@echo "package list:  lists/debian-12.list"
	@echo "manifest:      manifest.yml"
	@echo "bundles:       $(DEMO_WORKDIR)/bundles/ (index.json lists them)"
	@echo "vmtest report: $(DEMO_WORKDIR)/reports/demo.json"

clean:
	rm -rf build kbundle

.PHONY: all deps demo test test-unit unit-bins golden-bins fuzz fuzz-build fuzz-bins bench install man clean
-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_BIN:$(BUILD)/fuzz/%=$(BUILD)/tests/fuzz/%.d)
