# Two network namespaces joined by `ustcp relay`, for scripts/kernel-path.sh and
# tests/interop/relay.sh. Source it, then:
#
#   relay_ns_need "$USTCP" || { echo "skip: $RELAY_NS_WHY"; exit 77; }
#   relay_ns_setup kp                   # namespaces kp-PID-a and kp-PID-b, temp dir, trap
#   relay_ns_start "$USTCP" --delay 20ms --loss 1% ...   # the relay; waits for "ready"
#   relay_ns_exec a CMD...              # CMD in namespace A (10.0.0.1); b: B (10.0.0.2)
#   relay_ns_bg b LOG CMD...            # in the background, stopped on exit
#   relay_ns_stop                       # SIGTERM: the relay prints its report and exits
#
# The namespaces hold only lo and the relay's TUN device (relay0); IPv6 is off in them so the
# devices stay quiet. The relay itself runs in the caller's namespace and creates the
# devices inside the two (setns), so nothing is added to the caller's network. The EXIT
# trap stops every process started here and deletes both namespaces and the temp dir; the
# relay also stops by itself after --duration (relay_ns_start passes RELAY_NS_BOUND
# seconds), should this shell be killed without its trap.
#
# The addresses are those of `ustcp transfer` (10.0.0.1 and 10.0.0.2): the relay seeds each
# direction from the sender's address as the simulator does, so the same --seed gives the
# n-th datagram each way the same fate in both.
RELAY_NS_A="" RELAY_NS_B=""       # the namespaces (relay_ns_setup)
RELAY_NS_DIR=""                   # temp dir (relay_ns_setup)
RELAY_NS_PID=""                   # the relay
RELAY_NS_OUT=""                   # its output (ready line, then the report)
RELAY_NS_WHY=""                   # why relay_ns_need failed
RELAY_NS_BG_PID=""                # the last relay_ns_bg process
RELAY_NS_BOUND=${RELAY_NS_BOUND:-1200}
RELAY_NS_ADDR_A=10.0.0.1
RELAY_NS_ADDR_B=10.0.0.2
RELAY_NS_PIDS=()

# relay_ns_need USTCP: root, TUN, ip, the binary with its relay command.
relay_ns_need() {
  if [ "$(id -u)" -ne 0 ]; then RELAY_NS_WHY="needs root (network namespaces and TUN devices)"; return 1; fi
  if [ ! -c /dev/net/tun ]; then RELAY_NS_WHY="no /dev/net/tun (TUN driver not available)"; return 1; fi
  if ! command -v ip >/dev/null 2>&1; then RELAY_NS_WHY="ip is not installed (apt-get install iproute2)"; return 1; fi
  if [ ! -x "$1" ]; then RELAY_NS_WHY="$1 is not an executable (cmake --build build --target ustcp_cli)"; return 1; fi
  if ! "$1" relay --help >/dev/null 2>&1; then RELAY_NS_WHY="$1 has no relay command"; return 1; fi
  return 0
}

relay_ns_exec() {
  local side=$1; shift
  case $side in a) ip netns exec "$RELAY_NS_A" "$@" ;; b) ip netns exec "$RELAY_NS_B" "$@" ;; *) return 2 ;; esac
}

# relay_ns_bg SIDE LOG CMD...: CMD in the namespace, in the background; `ip netns exec`
# execs CMD, so RELAY_NS_BG_PID is CMD's pid.
relay_ns_bg() {
  local side=$1 log=$2; shift 2
  relay_ns_exec "$side" "$@" >"$log" 2>&1 &
  RELAY_NS_BG_PID=$!
  RELAY_NS_PIDS+=("$RELAY_NS_BG_PID")
}

# relay_ns_kill PID [SECONDS]: SIGTERM, SIGKILL after the bound; returns once it is gone.
relay_ns_kill() {
  local pid=$1 bound=${2:-5} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < bound * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  sleep 0.1
}

relay_ns_cleanup() {
  local rc=$? pid ns
  trap - EXIT INT TERM
  for pid in "${RELAY_NS_PIDS[@]}"; do relay_ns_kill "$pid" 3; done
  [ -z "$RELAY_NS_PID" ] || relay_ns_kill "$RELAY_NS_PID" 5
  for ns in "$RELAY_NS_A" "$RELAY_NS_B"; do
    [ -n "$ns" ] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do relay_ns_kill "$pid" 2; done
    ip netns del "$ns" 2>/dev/null || echo "# ip netns del $ns failed" >&2
  done
  [ -z "$RELAY_NS_DIR" ] || rm -rf "$RELAY_NS_DIR"
  exit "$rc"
}

# Namespaces PREFIX-PID-{a,b} of runs killed without their trap: deleted when PID is gone and
# they hold no process.
relay_ns_remove_stale() {
  local prefix=$1 ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$prefix-[0-9]+-[ab]\$"); do
    pid=${ns#"$prefix"-}; pid=${pid%-?}
    kill -0 "$pid" 2>/dev/null && continue
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || continue
    ip netns del "$ns" 2>/dev/null && echo "# deleted the stale namespace $ns" >&2
  done
}

# relay_ns_setup PREFIX: the two namespaces, lo up, IPv6 off, the temp dir, the trap.
relay_ns_setup() {
  local prefix=$1 side ns
  relay_ns_remove_stale "$prefix"
  trap relay_ns_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RELAY_NS_DIR=$(mktemp -d "/tmp/$prefix-$$.XXXXXX") || { echo "mktemp -d failed" >&2; exit 1; }
  for side in a b; do
    ns="$prefix-$$-$side"
    ip netns add "$ns" || { echo "ip netns add $ns failed" >&2; exit 1; }
    if [ "$side" = a ]; then RELAY_NS_A=$ns; else RELAY_NS_B=$ns; fi
    relay_ns_exec "$side" ip link set lo up || exit 1
    relay_ns_exec "$side" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      >/dev/null 2>&1 || true
  done
}

# relay_ns_start USTCP RELAY_ARGS...: starts the relay between the namespaces and waits (at
# most 10 s) for its ready line. Returns 1 (the output in RELAY_NS_OUT) if it does not come.
relay_ns_start() {
  local ustcp=$1 i; shift
  RELAY_NS_OUT="$RELAY_NS_DIR/relay.out"
  : >"$RELAY_NS_OUT"
  "$ustcp" relay --a "$RELAY_NS_A:$RELAY_NS_ADDR_A/24" --b "$RELAY_NS_B:$RELAY_NS_ADDR_B/24" \
    --duration "$RELAY_NS_BOUND" "$@" >"$RELAY_NS_OUT" 2>&1 &
  RELAY_NS_PID=$!
  for ((i = 0; i < 100; i++)); do
    grep -q '^ustcp relay: ready' "$RELAY_NS_OUT" && return 0
    kill -0 "$RELAY_NS_PID" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# relay_ns_stop: SIGTERM; the relay writes its report to RELAY_NS_OUT and exits. Returns its
# exit status.
relay_ns_stop() {
  local rc
  relay_ns_kill "$RELAY_NS_PID" 5
  wait "$RELAY_NS_PID"; rc=$?
  RELAY_NS_PID=""
  return "$rc"
}
