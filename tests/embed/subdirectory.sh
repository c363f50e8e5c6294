#!/usr/bin/env bash
# A parent project that vendors ustcp with add_subdirectory(ustcp): it configures with
# GTest, Google Benchmark and the CLI's packages made unfindable, gets only the library
# (tests/embed/consumer checks no test or tool target exists), builds and runs.
# Usage: subdirectory.sh SOURCE_DIR
set -euo pipefail
src=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
no_deps=()
for p in GTest benchmark fmt CLI11 nlohmann_json; do no_deps+=(-DCMAKE_DISABLE_FIND_PACKAGE_$p=ON); done

cmake -S "$src/tests/embed/consumer" -B "$tmp/b" -DUSTCP_VIA=subdirectory \
      -DUSTCP_SOURCE_DIR="$src" "${no_deps[@]}" "${launcher[@]}" >"$tmp/log" 2>&1 ||
  { cat "$tmp/log"; exit 1; }
cmake --build "$tmp/b" -j2 --target consumer >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
out=$("$tmp/b/consumer")
echo "add_subdirectory: $out"
[ "$out" = "consumer: got hello" ]
