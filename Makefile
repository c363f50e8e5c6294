# The two commands a newcomer runs: `make demo` and `make test`.
# Everything else is CMake; these targets only chain setup, build and run.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
# ccache when the machine has it (rebuilds and the embedding tests' consumer builds reuse it).
LAUNCHER   := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

.PHONY: all demo test deps build build-asan test-fast test-asan test-fuzz fuzz clean

all: build

deps:
	@scripts/setup-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/ustcp demo

# Every test, then the unit suite again under AddressSanitizer + UBSan, then a few seconds
# of each fuzz target (skipped, with the reason, without clang/libFuzzer).
test: test-fast test-asan test-fuzz

test-fast: build
	@scripts/run-ctest.sh $(BUILD)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUSTCP_SANITIZE=ON -DUSTCP_TOOLS=OFF -DUSTCP_BENCH=OFF $(LAUNCHER) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

test-asan: build-asan
	@scripts/run-ctest.sh $(ASAN_BUILD) -L "unit|drill"

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

# Each libFuzzer target (fuzz/) for FUZZ_SECONDS, from the checked-in seed corpus.
fuzz: deps
	@JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BUILD)

test-fuzz: deps
	@JOBS=$(JOBS) scripts/fuzz.sh 5 $(FUZZ_BUILD); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
