# vmtax — build, test, run. `make help` lists the targets.

VERSION    := 0.1.0
GIT        := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= gcc

# The Debian packages vmtax builds and runs with (README "Host requirements");
# `make deps` installs exactly these.
DEPS := linux-libc-dev libnuma-dev libpfm4-dev libjansson-dev gnuplot-nox libcmocka-dev

ifeq ($(SANITIZE),1)
BUILD      ?= build/san
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD      ?= build/release
SANFLAGS   :=
endif

WARN       := -Wall -Wextra -Werror
CFLAGS     ?= -O2 -g
HOST_CFLAGS = $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE -I. -MMD -MP \
              -DVMTAX_VERSION='"$(VERSION)"' -DVMTAX_GIT='"$(GIT)"'
HOST_LDLIBS = -ljansson -lnuma -lpfm -lpthread -lm

# The guest is freestanding: no libc, no red zone (exceptions push onto the stack),
# no SSE in generated code, linked at GUEST_IMAGE_GPA by its own script, which the
# preprocessor makes from guest.ld.S and protocol.h (one place for the layout).
GUEST_CFLAGS = -O2 -g $(WARN) -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie \
               -mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-builtin \
               -fcf-protection=none -fno-asynchronous-unwind-tables \
               -DVMTAX_GUEST -I. -MMD -MP
GUEST_LDFLAGS = -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $(BUILD)/guest/guest.ld

GUEST_SRCS := $(sort $(filter-out %.ld.S,$(wildcard microvm/guest/*.c microvm/guest/*.S bench/*.guest.c bench/*/*.guest.c)))
GUEST_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(basename $(GUEST_SRCS)))

# The host code in its layers (README "Layout"), bottom to top, each its own archive:
# a test links the archives and gets only the objects it uses. tests/layers.sh checks
# that includes point down.
objs = $(patsubst %.c,$(BUILD)/%.o,$(sort $(filter-out %.guest.c,$(1))))
LIB_OBJS     := $(call objs,$(wildcard harness/lib/*.c))
VMM_OBJS     := $(call objs,$(wildcard microvm/*.c)) $(BUILD)/microvm/guest_image.o
BENCH_OBJS   := $(call objs,$(wildcard bench/*.c bench/*/*.c))
REPORTS_OBJS := $(call objs,$(wildcard reports/*.c))
CLI_OBJS     := $(filter-out $(BUILD)/harness/main.o,$(call objs,$(wildcard harness/*.c)))
LAYERS       := cli reports bench vmm lib
ARCHIVES     := $(LAYERS:%=$(BUILD)/lib%.a)
# Benchmarks register through a linker section nothing references by name: whoever
# needs the registry (the binary, the e2e tests, a test calling bench_all) takes the
# whole bench archive.
LINK_ALL     = $(BUILD)/libcli.a $(BUILD)/libreports.a -Wl,--whole-archive $(BUILD)/libbench.a \
               -Wl,--no-whole-archive $(BUILD)/libvmm.a $(BUILD)/liblib.a
LINK_USED    = $(ARCHIVES)
TEST_SRCS  := $(sort $(wildcard tests/unit/test_*.c tests/e2e/test_*.c))
TEST_BINS  := $(TEST_SRCS:%.c=$(BUILD)/%)
REGISTRY_USE   := bench_all[(]|bench_e2e[.]h
REGISTRY_TESTS := $(shell grep -lE '$(REGISTRY_USE)' $(TEST_SRCS))

.PHONY: all deps lab-deps lab run check test fuzz install uninstall clean help
all: vmtax

help:
	@echo "make            build ./vmtax (guest image embedded)"
	@echo "make deps       install the Debian packages vmtax needs (root), else print the apt-get line"
	@echo "make run        deps + build + full default suite -> out/results.json + out/report/"
	@echo "make check      deps + build + every test (SANITIZE=1 for ASan+UBSan)"
	@echo "make lab        the host lab: vmtax on kvm_amd (npt, shadow) and 4 NUMA nodes under QEMU TCG"
	@echo "make fuzz       libFuzzer on the results reader (clang + libclang-rt-dev; FUZZ_TIME=s)"
	@echo "make install    install vmtax to \$$(DESTDIR)\$$(PREFIX)/bin"

# Install the Debian packages $(1) when missing (root), else print the apt-get line.
define apt_install
	@if dpkg-query -W -f='$${Status}\n' $(1) 2>/dev/null | grep -qv 'install ok installed' \
	    || [ $$(dpkg-query -W -f='$${Status}\n' $(1) 2>/dev/null | wc -l) -ne $(words $(1)) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "$(2): installing $(1)"; \
	    (apt-get install -y -q --no-install-recommends $(1) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q --no-install-recommends $(1))) || exit 1; \
	  else \
	    echo "$(2) needs: apt-get install -y $(1)"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call apt_install,$(DEPS),vmtax)

# The host lab (tests/lab/): QEMU's TCG emulating AMD SVM, a busybox initramfs, jq for
# the checks, a static libc for the lab's helper; the kernel package is downloaded and
# extracted by tests/lab/lab.sh, never installed.
LAB_DEPS := qemu-system-x86 busybox-static cpio kmod jq libc6-dev gcc
lab-deps:
	$(call apt_install,$(LAB_DEPS),the lab)

lab: deps lab-deps
	$(MAKE) vmtax $(filter build/release/tests/e2e/%,$(TEST_SRCS:%.c=build/release/%))
	tests/lab/lab.sh $(LAB_SCENARIOS)

vmtax: $(BUILD)/vmtax
	cp $< $@

$(BUILD)/vmtax: $(BUILD)/harness/main.o $(ARCHIVES)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LINK_ALL) $(HOST_LDLIBS)

$(BUILD)/liblib.a: $(LIB_OBJS)
$(BUILD)/libvmm.a: $(VMM_OBJS)
$(BUILD)/libbench.a: $(BENCH_OBJS)
$(BUILD)/libreports.a: $(REPORTS_OBJS)
$(BUILD)/libcli.a: $(CLI_OBJS)
$(ARCHIVES):
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

# The guest image: compiled freestanding, linked, flattened, then .incbin'd into the host.
$(BUILD)/guest/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(BUILD)/guest/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(BUILD)/guest/guest.ld: microvm/guest/guest.ld.S
	@mkdir -p $(dir $@)
	$(CPP) -P -undef -x assembler-with-cpp -I. -MMD -MP -MT $@ -o $@ $<
$(BUILD)/guest/guest.elf: $(GUEST_OBJS) $(BUILD)/guest/guest.ld
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS)
$(BUILD)/guest/guest.bin: $(BUILD)/guest/guest.elf
	objcopy -O binary $< $@
$(BUILD)/microvm/guest_image.o: microvm/guest_image.S $(BUILD)/guest/guest.bin
	@mkdir -p $(dir $@)
	$(CC) -c -DGUEST_BIN='"$(BUILD)/guest/guest.bin"' -o $@ $<

$(BUILD)/tests/%: tests/%.c $(ARCHIVES)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(if $(filter $<,$(REGISTRY_TESTS)),$(LINK_ALL),$(LINK_USED)) \
	      $(HOST_LDLIBS) -lcmocka

run: deps
	$(MAKE) vmtax
	./vmtax run -o out/results.json --report out/report

check test: deps
	$(MAKE) $(BUILD)/vmtax $(TEST_BINS) $(BUILD)/tests/fuzz/replay
	BUILD=$(BUILD) tests/run.sh $(TEST_BINS)

# The fuzz target, replayed with gcc by `make check` (tests/cli/test_fuzz_replay.sh) so CI
# needs no clang; `make fuzz` runs libFuzzer on it, a developer tool outside `make deps`.
FUZZ_SRCS := $(addprefix harness/lib/,results.c results_read.c result_runs.c stats.c util.c mem_reserve.c compare.c table.c) \
             $(sort $(wildcard reports/*.c)) tests/fuzz/fuzz_results.c
FUZZ_TIME ?= 600
# report --profile models a workload on the results.
FUZZ_SRCS += harness/lib/model.c harness/lib/profile.c
$(BUILD)/tests/fuzz/replay: tests/fuzz/replay.c $(FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $^ -ljansson -lm

build/fuzz/fuzz_results: $(FUZZ_SRCS)
	@command -v clang >/dev/null || { echo "make fuzz needs clang and libclang-rt-dev"; exit 1; }
	@mkdir -p $(dir $@)
	clang -O1 -g -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -fsanitize=fuzzer,address,undefined \
	      -o $@ $^ -ljansson -lm

# New inputs collect in build/fuzz/work; crashers go straight to tests/fuzz/crashers/.
# Afterwards `-merge=1` keeps only the inputs that add coverage in tests/fuzz/corpus.
fuzz: build/fuzz/fuzz_results
	@mkdir -p build/fuzz/work
	cp -n tests/fuzz/corpus/* build/fuzz/work/
	build/fuzz/fuzz_results -max_total_time=$(FUZZ_TIME) -max_len=8192 \
	    -dict=tests/fuzz/results.dict -artifact_prefix=tests/fuzz/crashers/ build/fuzz/work
	build/fuzz/fuzz_results -merge=1 tests/fuzz/corpus build/fuzz/work

install: vmtax
	install -D -m 0755 vmtax $(DESTDIR)$(PREFIX)/bin/vmtax

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vmtax

clean:
	rm -rf build vmtax

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
