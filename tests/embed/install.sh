#!/usr/bin/env bash
# An embedder's view of an installed ustcp: `cmake --install` into a temporary prefix, then
# a tiny consumer (tests/embed/consumer) built against it with find_package(ustcp) and with
# pkg-config, and run. Checks the layout too: headers under include/ustcp/, the library,
# the CMake package with its version file, the .pc file.
# Usage: install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/ustcp/ustcp.hpp include/ustcp/stack/stack.hpp lib/libustcp.a \
         lib/cmake/ustcp/ustcpConfig.cmake lib/cmake/ustcp/ustcpConfigVersion.cmake \
         lib/cmake/ustcp/ustcpTargets.cmake lib/pkgconfig/ustcp.pc; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f is not installed under the prefix"; exit 1; }
done
if find "$prefix/include" -name '*.cpp' | grep -q .; then
  echo "FAIL: sources installed under include/"; exit 1
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# find_package(ustcp 0.1) with only the prefix to find it by.
cmake -S "$src/tests/embed/consumer" -B "$tmp/pkg" -DUSTCP_VIA=package \
      -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
cmake --build "$tmp/pkg" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
out=$("$tmp/pkg/consumer")
echo "find_package: $out"
[ "$out" = "consumer: got hello" ]

# find_package from a project that enables C only: linked by the C driver.
cmake -S "$src/tests/embed/consumer_c" -B "$tmp/pkg_c" -DUSTCP_SOURCE_DIR="$src" \
      -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
cmake --build "$tmp/pkg_c" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
out=$("$tmp/pkg_c/consumer_c")
echo "find_package (C): $out"
[ "$out" = 'echo_c: sent "hello from C", got back "hello from C" (SYN cookies on the server)' ]

# The version file: a version this ustcp does not satisfy is refused.
if cmake -S "$src/tests/embed/consumer" -B "$tmp/pkg9" -DUSTCP_VIA=package -DUSTCP_WANT=9.0 \
      -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/log" 2>&1; then
  echo "FAIL: find_package(ustcp 9.0) succeeded"; exit 1
fi
grep -q "ustcpConfig.cmake, version:" "$tmp/log" || { cat "$tmp/log"; exit 1; }

# pkg-config, as a Makefile would use it.
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config not installed"; exit 77; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags ustcp) libs=$(pkg-config --libs ustcp)
[ "$(pkg-config --modversion ustcp)" = "$(sed -n 's/^project(ustcp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ]
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 $flags "$src/tests/embed/consumer/main.cpp" $libs -o "$tmp/pc_consumer"
out=$("$tmp/pc_consumer")
echo "pkg-config: $out ($flags $libs)"
[ "$out" = "consumer: got hello" ]

# A C program (the C API's example), compiled as C11 by the C compiler and linked by it
# with the plain flags, as a C Makefile would (libstdc++ comes with them).
[ -e "$prefix/include/ustcp/ustcp.h" ] || { echo "FAIL: ustcp/ustcp.h is not installed"; exit 1; }
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -pedantic $flags "$src/examples/echo_c.c" \
  $(pkg-config --libs ustcp) -o "$tmp/c_consumer"
out=$("$tmp/c_consumer")
echo "pkg-config (C): $out"
[ "$out" = 'echo_c: sent "hello from C", got back "hello from C" (SYN cookies on the server)' ]
