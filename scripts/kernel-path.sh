#!/usr/bin/env bash
# The Linux kernel's own TCP on an impaired path: a bulk transfer from namespace A
# (10.0.0.1) to namespace B (10.0.0.2) through `ustcp relay`, which applies the impairments
# of `ustcp transfer` (same options, same model, same seed: src/ustcp/link/link_model.hpp).
# Prints the wall time from connect() to the receiver's EOF, the goodput, and the sender's
# retransmission counters (nstat in A), so the kernel's figures can stand beside ustcp's.
#
#   scripts/kernel-path.sh [--ustcp build/ustcp] [--bytes 16M] [--delay 20ms]
#       [--bandwidth 100] [--loss 1%] [--reorder P] [--duplicate P] [--corrupt P]
#       [--queue BYTES] [--seed N] [--cc cubic] [--sysctl [a:|b:]NAME=VALUE]...
#       [--rt-priority 10] [--app-priority 5] [--timeout 900] [--json]
#
# The kernel's defaults apply (SACK, RACK, timestamps, buffer autotuning) with one
# exception: both sockets use the congestion control --cc (default cubic, Linux's built-in
# default; TCP_CONGESTION on the socket), because a new namespace inherits the host's
# default (this host's is bbr) and may only change it to one of the host's
# tcp_allowed_congestion_control. --cc "" keeps the namespace's default. --sysctl sets
# sysctls in A (a:), B (b:) or both; a run's sysctl values are printed.
# Needs root and /dev/net/tun (exit 77 with the reason otherwise). Everything it creates
# (two namespaces, their TUN devices, a temp dir, the processes) is removed on exit; the
# transfer is bounded by --timeout (exit 1 and "timed out" when it does not finish).
# The relay runs under SCHED_FIFO (--rt-priority, 0: not) so that a busy machine does not
# make it release datagrams late; its report says how late they were. The sender and the
# receiver run under SCHED_FIFO too, below the relay (--app-priority, 0: not), so that
# other work on the machine does not starve them (a receiver not scheduled for tens of
# milliseconds closes its window, a measure of the machine rather than of TCP).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=relay-ns.bash
source "$HERE/relay-ns.bash"

USTCP=$HERE/../build/ustcp
BYTES=16M CC=cubic TIMEOUT=900 JSON=0 RT=10 APP_RT=5
RELAY_ARGS=() SYSCTLS=()
usage() { sed -n '/^#   scripts/,/^#       \[--rt-priority/p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --ustcp) USTCP=${2:?}; shift 2 ;;
    --bytes) BYTES=${2:?}; shift 2 ;;
    --delay | --bandwidth | --loss | --reorder | --duplicate | --corrupt | --queue | --seed)
      RELAY_ARGS+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --cc) CC=${2?}; shift 2 ;;
    --rt-priority) RT=${2:?}; shift 2 ;;
    --app-priority) APP_RT=${2:?}; shift 2 ;;
    --sysctl) SYSCTLS+=("${2:?}"); shift 2 ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --json) JSON=1; shift ;;
    -h | --help) usage ;;
    *) echo "kernel-path.sh: unknown option '$1'" >&2; usage ;;
  esac
done
case $USTCP in /*) ;; *) USTCP=$PWD/$USTCP ;; esac
[[ $TIMEOUT =~ ^[0-9]+$ ]] && [ "$TIMEOUT" -ge 1 ] ||
  { echo "kernel-path.sh: --timeout '$TIMEOUT': expected whole seconds" >&2; exit 2; }
# --bytes as `ustcp transfer` reads it (K, M, G: powers of 1024).
NBYTES=$(python3 -c '
import re, sys
m = re.fullmatch(r"(\d+)(|B|[Kk]|KiB|M|MiB|G|GiB)", sys.argv[1])
mult = {"": 1, "B": 1, "K": 1 << 10, "k": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20,
        "G": 1 << 30, "GiB": 1 << 30}
print(int(m.group(1)) * mult[m.group(2)] if m and int(m.group(1)) > 0 else "")' "$BYTES")
[ -n "$NBYTES" ] || { echo "kernel-path.sh: --bytes '$BYTES': expected a size like 16M" >&2; exit 2; }
for v in RT APP_RT; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -le 99 ] ||
    { echo "kernel-path.sh: priority '${!v}': expected 0 to 99" >&2; exit 2; }
done
APP=()  # how the sender and receiver are started
[ "$APP_RT" -gt 0 ] && APP=(chrt -f "$APP_RT")

relay_ns_need "$USTCP" || { echo "SKIP: kernel-path.sh: $RELAY_NS_WHY"; exit 77; }
for prog in python3 nstat timeout chrt; do
  command -v $prog >/dev/null 2>&1 || { echo "SKIP: kernel-path.sh: $prog is not installed"; exit 77; }
done

RELAY_NS_BOUND=$((TIMEOUT + 60))
relay_ns_setup kp
D=$RELAY_NS_DIR
export NSTAT_HISTORY=$D/nstat.history  # never the user's history file

for s in "${SYSCTLS[@]}"; do
  case $s in a:* | b:*) sides=${s%%:*}; s=${s#?:} ;; *) sides="a b" ;; esac
  for side in $sides; do
    relay_ns_exec "$side" sysctl -qw "$s" || { echo "kernel-path.sh: --sysctl $s refused" >&2; exit 2; }
  done
done
SYSCTL_NAMES="net.ipv4.tcp_congestion_control net.ipv4.tcp_sack net.ipv4.tcp_recovery net.ipv4.tcp_timestamps net.ipv4.tcp_rmem net.ipv4.tcp_wmem"
for s in "${SYSCTLS[@]}"; do s=${s#?:}; SYSCTL_NAMES+=" ${s%%=*}"; done
relay_ns_exec a sysctl $SYSCTL_NAMES >"$D/sysctl-a" 2>&1
relay_ns_exec b sysctl $SYSCTL_NAMES >"$D/sysctl-b" 2>&1

relay_ns_start "$USTCP" --json --rt-priority "$RT" "${RELAY_ARGS[@]}" ||
  { echo "kernel-path.sh: the relay did not start:" >&2; cat "$RELAY_NS_OUT" >&2; exit 1; }

relay_ns_bg b "$D/recv.json" timeout "$TIMEOUT" "${APP[@]}" python3 "$HERE/kernel_transfer.py" recv \
  --bind "$RELAY_NS_ADDR_B" --timeout "$TIMEOUT" --cc "$CC"
recv_pid=$RELAY_NS_BG_PID
for ((i = 0; i < 100; i++)); do grep -q listening "$D/recv.json" && break; sleep 0.1; done
grep -q listening "$D/recv.json" || { echo "kernel-path.sh: the receiver did not start:" >&2; cat "$D/recv.json" >&2; exit 1; }

relay_ns_exec a timeout "$TIMEOUT" "${APP[@]}" python3 "$HERE/kernel_transfer.py" send --to "$RELAY_NS_ADDR_B" \
  --bytes "$NBYTES" --timeout "$TIMEOUT" --cc "$CC" >"$D/send.json" 2>&1
send_rc=$?
wait "$recv_pid"; recv_rc=$?
# The counters, absolute (a fresh namespace counts only this run), zeros included.
relay_ns_exec a nstat -asz >"$D/nstat-a" 2>&1
relay_ns_exec b nstat -asz >"$D/nstat-b" 2>&1
relay_ns_exec a ip -s link show relay0 >"$D/link-a" 2>&1
relay_ns_exec b ip -s link show relay0 >"$D/link-b" 2>&1
relay_ns_stop; relay_rc=$?

python3 "$HERE/kernel_transfer.py" report --dir "$D" --send-rc "$send_rc" --recv-rc "$recv_rc" \
  --relay-rc "$relay_rc" --timeout "$TIMEOUT" --bytes "$NBYTES" --cc "$CC" \
  $([ "$JSON" = 1 ] && echo --json) -- "${RELAY_ARGS[@]}"
