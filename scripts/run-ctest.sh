#!/usr/bin/env bash
# Runs ctest in a build dir and fails when no test ran (zero tests is not a pass).
# Usage: scripts/run-ctest.sh BUILD_DIR [ctest args...]
set -uo pipefail
dir=$1; shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@" | tee "$log"
rc=${PIPESTATUS[0]}
total=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
if [ -z "$total" ] || [ "$total" -eq 0 ]; then
  echo "run-ctest: no tests ran in $dir: failing" >&2
  exit 1
fi
exit "$rc"
