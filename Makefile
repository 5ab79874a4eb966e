# kiste: the commands a user and CI type. CMake + Ninja do the real build;
# this file only strings the steps together.
#
#   make run        deps, build, then the demo (a busybox container; needs root)
#   make test       deps, build, then every suite in TEST_SUITES
#   make test-vm    deps, build, then only the QEMU guest suites (VM_SUITES)
#   make build      configure and build into build/ (produces build/kiste)
#   make sanitize   ASan+UBSan build in build-asan/, runs the unit tests
#   make tidy       clang-tidy 16 over src/ and tools/ (slow: not part of `make test`)
#   make format     clang-format -i over every tracked *.cpp/*.hpp
#   make install    cmake --install (PREFIX=/usr/local, DESTDIR honoured)
#   make bench      kiste execute vs lxc-execute vs unshare+chroot (needs root)
#   make clean      removes build/ and build-asan/
#
# Variables: BUILD_DIR, ASAN_DIR, PREFIX, DESTDIR, BUILD_TYPE, JOBS,
# KISTE_SKIP_ROOT=1 (skip root-only suites instead of failing),
# NO_DEPS=1 (do not run scripts/install-deps).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

BUILD_DIR  ?= build
ASAN_DIR   ?= build-asan
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CLANG_TIDY ?= clang-tidy-16

# The suites `make test` runs, in order. Each NAME is a function suite_NAME in
# scripts/run-tests; later issues add theirs here (e.g. cgroup, net, oci, vm).
# The guest suites (tests/vm/) come last: one QEMU guest each, a few minutes.
VM_SUITES ?= vm-cgroup2 vm-net
TEST_SUITES ?= format unit integration $(VM_SUITES)
# What `make sanitize` runs from the ASan+UBSan build.
SANITIZE_SUITES ?= unit

# Fail fast and loud under the sanitizers; LeakSanitizer stays on.
export ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
export KISTE_SKIP_ROOT

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

.PHONY: all build run test test-vm sanitize tidy format install bench clean \
        deps deps-lint deps-bench configure

all: build

# ---- dependencies ------------------------------------------------------------
# A no-op (one dpkg-query) when everything is installed.
deps:
ifneq ($(NO_DEPS),1)
	scripts/install-deps
endif

deps-lint:
ifneq ($(NO_DEPS),1)
	scripts/install-deps --lint
endif

deps-bench:
ifneq ($(NO_DEPS),1)
	scripts/install-deps --bench
endif

# ---- build -------------------------------------------------------------------
# cmake runs every time (a second when nothing changed) so that a new PREFIX
# reaches the paths compiled into kiste (its libexec dir for kiste-init).
configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS)
	@echo "built: $(BUILD_DIR)/kiste"

# ---- the demo ----------------------------------------------------------------
run: build
	scripts/demo $(BUILD_DIR)

# ---- tests -------------------------------------------------------------------
test: build
	scripts/run-tests -B $(BUILD_DIR) $(TEST_SUITES)

# The integration tests on a pure cgroup v2 kernel and the link types this
# host's kernel lacks, in QEMU guests (tests/vm/, docs/testing.md). Fails, never
# skips, when a guest cannot boot.
test-vm: build
	scripts/run-tests -B $(BUILD_DIR) $(VM_SUITES)

# A separate build with -DKISTE_SANITIZE=ON; only what the suites need is built.
sanitize: deps
	cmake -S . -B $(ASAN_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DKISTE_SANITIZE=ON
	ninja -C $(ASAN_DIR) -j $(JOBS) kiste-unit-tests
	scripts/run-tests -B $(ASAN_DIR) $(SANITIZE_SUITES)

# clang-tidy 14 (bookworm's default) cannot parse GCC 12's <expected>: it
# rejects -std=gnu++23, and it lacks conditionally trivial special members
# (P0848), so std::expected's copy/move look deleted. clang-tidy 16 has P0848
# but still reports __cpp_concepts < 202002L, which hides std::expected in
# libstdc++ 12; the extra args below fix both. Slow (~10 s a file), so it is
# not part of `make test`.
TIDY_ARGS := -extra-arg=-std=gnu++2b -extra-arg=-U__cpp_concepts \
             -extra-arg=-D__cpp_concepts=202002L
tidy: deps-lint configure
	ninja -C $(BUILD_DIR) -j $(JOBS)   # generated headers, compile_commands.json
	run-$(CLANG_TIDY) -clang-tidy-binary $$(command -v $(CLANG_TIDY)) -p $(BUILD_DIR) \
	    -j $(JOBS) -quiet $(TIDY_ARGS) '^$(CURDIR)/(src|tools)/.*\.cpp$$'

format:
	git ls-files '*.cpp' '*.hpp' | xargs -r clang-format -i

# ---- install -----------------------------------------------------------------
# FHS paths from GNUInstallDirs: PREFIX/bin/kiste, PREFIX/libexec/kiste/kiste-init,
# PREFIX/share/kiste/templates/. The build is configured with the same PREFIX.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# ---- benchmark (never run by CI) -----------------------------------------------
bench: deps-bench build
	bench/run-all.sh $(BUILD_DIR)

# ---- clean -------------------------------------------------------------------
# Refuses when anything is still mounted below a build dir (a crashed run
# must be unmounted first: rm -rf would walk into the mount).
clean:
	@for d in $(BUILD_DIR) $(ASAN_DIR); do \
	    abs=$$(realpath -m "$$d"); \
	    if awk '{print $$5}' /proc/self/mountinfo | grep -q "^$$abs\(/\|$$\)"; then \
	        echo "make clean: something is mounted below $$abs; unmount it first" >&2; exit 1; \
	    fi; \
	done
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
