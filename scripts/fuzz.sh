#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan + UBSan) and runs each for a bounded
# time from its checked-in seed corpus. New interesting inputs go to BUILD/corpus/<target>
# (the checked-in corpus stays as it is); a crash leaves BUILD/crash-<target>-* and fails.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]      (make fuzz: 60 s; make test: 5 s)
#
# Without clang or libFuzzer it says which and exits 77 (skipped): CI installs them through
# scripts/setup-deps.sh.
set -uo pipefail
secs=${1:-60}
build=${2:-build-fuzz}
src=$(cd "$(dirname "$0")/.." && pwd)
targets=(wire_parser sysctl_parser http_parser drill_parser stack_datagrams)

cxx=$(command -v clang++-14 || command -v clang++ || true)
cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cxx" ] || [ -z "$cc" ]; then
  echo "fuzz: SKIP: clang is not installed (apt-get install clang-14 libclang-rt-14-dev)"
  exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  > "$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
  echo "fuzz: SKIP: $cxx cannot link libFuzzer (apt-get install libclang-rt-14-dev): $(head -1 "$probe/err")"
  exit 77
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUSTCP_FUZZ=ON -DUSTCP_TESTS=OFF -DUSTCP_TOOLS=OFF \
  -DUSTCP_BENCH=OFF -DUSTCP_EXAMPLES=OFF -DUSTCP_INSTALL=OFF "${launcher[@]}" >/dev/null || exit 1
cmake --build "$build" -j "${JOBS:-2}" >"$build/build.log" 2>&1 || { tail -30 "$build/build.log"; exit 1; }

failed=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  log=$build/fuzz-$t.log
  # -max_total_time bounds the run; -timeout catches an input that hangs; -rss_limit_mb a
  # leak that grows without bound.
  "$build/fuzz/fuzz_$t" "$corpus" "$src/fuzz/corpus/$t" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crash-$t-" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz: $t: ${runs:-?} executions in ${secs} s, no crash"
  else
    echo "fuzz: $t: FAILED (exit $rc) after ${runs:-?} executions; see $log"
    grep -m3 -E "invariant broken|ERROR: |SUMMARY" "$log" | sed 's/^/    /'
    failed=1
  fi
done
exit $failed
