# SPDX-License-Identifier: Apache-2.0
# Thin wrapper over CMake for the README commands.
MAKEFLAGS += --no-print-directory
BUILD    ?= build
ASAN     ?= build-asan
FUZZDIR  ?= build-fuzz
PREFIX   ?= /usr/local
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all deps build demo test sanitize valgrind fuzz fuzz-build bench install format clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The demo needs only the CLI: build just that target (fast on a fresh clone).
demo: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target tlcp
	./$(BUILD)/tlcp demo

# The whole suite twice: on our SM2, then on OpenSSL's (TLCP_TEST_SM2_EVP=1,
# honoured by test builds only). unit.test_sm2_diff runs both paths itself.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD) && TLCP_TEST_SM2_EVP=1 ctest --output-on-failure -j $(JOBS) -E 'unit\.test_sm2_diff$$'

sanitize: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DTLCP_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	$(MAKE) valgrind

# The e2e test programs and `tlcp demo` of the normal build under valgrind
# memcheck (see docs/DEVELOPMENT.md).
valgrind: build
	scripts/valgrind.sh $(BUILD) $(JOBS)

# libFuzzer targets (clang): every target for FUZZ_SECONDS on a copy of its
# seed corpus; fails on any crash, leak, timeout or OOM (docs/FUZZING.md).
fuzz-build:
	@scripts/deps.sh clang libclang-rt-14-dev
	cmake -S . -B $(FUZZDIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTLCP_FUZZ=ON -DTLCP_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(FUZZDIR) --target tlcp_fuzzers -j $(JOBS)

# Then the setup-failure check of the real targets: a missing fixture is a
# clear "fuzz setup failed", never a crash-* file (tests/cli/fuzz_setup.sh).
fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZDIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
	TLCP_FUZZ_BUILD=$(FUZZDIR) bash tests/cli/fuzz_setup.sh -

# tlcp-bench (primitives, records, handshakes, in process), then the loopback
# scripts: the proxy (handshakes/s, latency, relay vs haproxy) and the key
# server (handshakes/s with keys local, on a key server over unix and TCP).
bench: build
	./$(BUILD)/tlcp-bench
	bench/proxy.sh $(BUILD)
	bench/keyserver.sh $(BUILD)

install: deps
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZDIR)
