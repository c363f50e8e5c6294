# The two commands a newcomer runs: `make demo` and `make test`.
# Everything else is CMake; these targets only chain setup, build and run.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)

.PHONY: all demo test deps build build-asan test-fast test-asan clean

all: build

deps:
	@scripts/setup-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/ustcp demo

# Every test, then the unit suite again under AddressSanitizer + UBSan.
test: test-fast test-asan

test-fast: build
	@scripts/run-ctest.sh $(BUILD)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUSTCP_SANITIZE=ON -DUSTCP_TOOLS=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

test-asan: build-asan
	@scripts/run-ctest.sh $(ASAN_BUILD) -L "unit|drill"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
