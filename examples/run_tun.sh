#!/usr/bin/env bash
# Runs a TUN example inside a network namespace of its own (created and removed here), with
# the Linux side played by python3: for echo_tun a client that sends a line and reads it
# back, for http_client_tun a `python3 -m http.server` whose file the example must fetch.
# Skips (exit 77) with the reason without root, /dev/net/tun, ip netns or python3.
# Usage: run_tun.sh echo_tun|http_client_tun PATH_TO_EXAMPLE
set -uo pipefail
which=$1 exe=$2
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (CAP_NET_ADMIN) for a TUN device and a namespace"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (TUN driver missing)"
command -v ip >/dev/null || skip "iproute2 (ip) not installed"
command -v python3 >/dev/null || skip "python3 not installed"
command -v ss >/dev/null || skip "iproute2 (ss) not installed"
ns=ustcp-ex-$$
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns exec "$ns" ip link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

case $which in
  echo_tun)
    in_ns "$exe" tun0 198.18.0.2 >"$dir/out" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do grep -q listening "$dir/out" && break; sleep 0.1; done
    got=$(in_ns python3 -c '
import socket
s = socket.create_connection(("198.18.0.2", 7), timeout=5)
s.sendall(b"hello through a TUN device\n")
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(4096)
    if not b: break
    data += b
print(data.decode().strip())')
    wait "${pids[0]}"; rc=$?
    cat "$dir/out"
    echo "Linux client got back: $got"
    [ "$got" = "hello through a TUN device" ] && [ $rc -eq 0 ] || { echo "FAIL"; exit 1; }
    ;;
  http_client_tun)
    echo "served by Linux's python3 http.server" >"$dir/index.txt"
    in_ns python3 -m http.server 8000 --bind 0.0.0.0 --directory "$dir" >/dev/null 2>&1 &
    pids+=($!)
    # Wait until it listens (a fixed sleep lost the race on a loaded machine).
    for _ in $(seq 100); do
      [ -n "$(in_ns ss -Hltn 'sport = :8000')" ] && break
      sleep 0.1
    done
    in_ns "$exe" tun0 198.18.0.2 8000 /index.txt >"$dir/response" 2>"$dir/err"; rc=$?
    cat "$dir/response" "$dir/err"
    [ $rc -eq 0 ] && grep -q "served by Linux's python3 http.server" "$dir/response" \
      || { echo "FAIL (exit $rc)"; exit 1; }
    ;;
  *) echo "unknown example $which"; exit 2 ;;
esac
echo "ok: $which"
