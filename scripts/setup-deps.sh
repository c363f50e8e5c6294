#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and only those missing.
# Usage: scripts/setup-deps.sh            (runs apt-get as root, or through sudo)
set -euo pipefail

packages=(
  g++ cmake make            # toolchain
  libgtest-dev libgmock-dev # unit tests
  libbenchmark-dev          # bench/: micro-benchmarks (built, run by hand)
  clang-14 libclang-rt-14-dev  # fuzz/: libFuzzer targets (make fuzz; a short run in make test)
  pkg-config                # tests/embed: a consumer built with pkg-config
  libfmt-dev libcli11-dev nlohmann-json3-dev  # the CLI
  tshark                    # checks that our pcap files read cleanly
  iproute2 iputils-ping curl nginx-light python3  # interop tests: the Linux side of a TUN device
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup-deps: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "setup-deps: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Packages such as nginx start their service when installed; the tests start their own
# copies inside network namespaces, so ask invoke-rc.d not to (policy-rc.d exit 101 =
# "action forbidden"), unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
