#!/bin/sh
# Runs packetdrill scripts against the running Linux kernel with Google's packetdrill, to
# check that what tests/drill claims about Linux is what Linux does.
#
#   sudo scripts/drill-on-linux.sh PACKETDRILL [SCRIPT|DIR...]     (default: tests/drill)
#
# Each script runs as root in a network namespace of its own (unshare -n, loopback up),
# with tests/drill/common/defaults.sh (packetdrill's harness sysctls) applied inside it
# first, from the script's own directory and with the options and -D defines of upstream's
# run_all.py for IPv4. Prints `PASS path` or `FAIL path` with packetdrill's output per script,
# then `N passed, N failed`; the exit status is 0 only when every script passed, 2 for bad
# usage.
# packetdrill's timing tolerance is 4 ms, which assumes a kernel timer is at most a few ms
# late: true with HZ=1000, not with the common HZ=250, where a timer due now fires at the
# next 4 ms tick. So the tolerance given is two jiffies (8 ms at HZ=250), at least 4 ms.
# Extra packetdrill options go in PACKETDRILL_ARGS (e.g. --tolerance_usecs=20000 on a loaded
# machine; a later option wins).
set -u

usage() {
  echo "usage: $0 PACKETDRILL [SCRIPT|DIR...]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
case "$1" in -h | --help) usage ;; esac
pd=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
defaults=$here/tests/drill/common/defaults.sh

if [ ! -x "$pd" ] || [ -d "$pd" ]; then
  echo "$0: '$pd' is not an executable packetdrill binary" >&2
  exit 2
fi
pd=$(cd "$(dirname "$pd")" && pwd)/$(basename "$pd")
if [ "$(id -u)" -ne 0 ]; then
  echo "$0: needs root (network namespaces, a TUN device and sysctls)" >&2
  exit 2
fi
for tool in unshare ip sysctl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "$0: '$tool' is not installed" >&2
    exit 2
  }
done
[ -f "$defaults" ] || {
  echo "$0: $defaults is missing" >&2
  exit 2
}
[ $# -gt 0 ] || set -- "$here/tests/drill"

# Every *.pkt under the arguments, sorted; a missing path is an error.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for p in "$@"; do
  if [ -d "$p" ]; then
    find "$p" -name '*.pkt' -type f | sort >>"$list"
  elif [ -f "$p" ]; then
    echo "$p" >>"$list"
  else
    echo "$0: $p: no such file or directory" >&2
    exit 2
  fi
done
[ -s "$list" ] || {
  echo "$0: no .pkt scripts in: $*" >&2
  exit 2
}

# CONFIG_HZ of the running kernel, from its config if readable (else the usual 250).
hz=$( (zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null) |
  sed -n 's/^CONFIG_HZ=//p')
[ -n "$hz" ] || hz=250
tolerance=$((2000000 / hz))
[ "$tolerance" -ge 4000 ] || tolerance=4000

# defaults.sh asks for cubic; a namespace may only pick one the host allows
# (net.ipv4.tcp_allowed_congestion_control is global). A host that has cubic but does not
# allow it (some distributions allow only "reno bbr") would run every script under another
# algorithm, so cubic is added to the host's allowed list, and said so.
allowed=$(sysctl -n net.ipv4.tcp_allowed_congestion_control 2>/dev/null)
available=$(sysctl -n net.ipv4.tcp_available_congestion_control 2>/dev/null)
case " $allowed " in
  *" cubic "*) ;;
  *)
    case " $available " in
      *" cubic "*)
        if sysctl -qw net.ipv4.tcp_allowed_congestion_control="$allowed cubic"; then
          echo "note: added cubic to this host's net.ipv4.tcp_allowed_congestion_control" \
            "(was '$allowed', now '$(sysctl -n net.ipv4.tcp_allowed_congestion_control)')"
        fi
        ;;
    esac
    ;;
esac
cc=$(unshare -n sh -c 'sh "$1" >/dev/null 2>&1; sysctl -n net.ipv4.tcp_congestion_control' \
  sh "$defaults" 2>/dev/null)
if [ "$cc" != cubic ]; then
  echo "note: the scripts run with congestion control '$cc', not cubic: this host's" \
    "net.ipv4.tcp_allowed_congestion_control ($(sysctl -n net.ipv4.tcp_allowed_congestion_control))" \
    "lacks it, and a network namespace may only choose an allowed one"
fi

passed=0
failed=0
while IFS= read -r script; do
  dir=$(cd "$(dirname "$script")" && pwd)
  base=$(basename "$script")
  # packetdrill lets the command line override a script's own option lines: keep theirs.
  tol=$tolerance
  grep -q '^--tolerance_usecs' "$script" && tol=
  # shellcheck disable=SC2086 # PACKETDRILL_ARGS is a list of options
  out=$(unshare -n sh -c '
      ip link set lo up && sh "$1" >/dev/null 2>&1
      cd "$2" && exec "$3" --send_omit_free --ip_version=ipv4 --local_ip=192.168.0.1 \
        --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 \
        -D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IP \
        -D CMSG_TYPE_RECVERR=IP_RECVERR ${5:+--tolerance_usecs=$5} '"${PACKETDRILL_ARGS:-}"' "$4"' \
    sh "$defaults" "$dir" "$pd" "$base" "$tol" 2>&1 </dev/null)
  status=$?
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASS  $script"
  else
    failed=$((failed + 1))
    echo "FAIL  $script"
    printf '%s\n' "$out" | sed 's/^/      /'
  fi
done <"$list"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
