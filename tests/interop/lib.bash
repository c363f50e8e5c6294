# Shared helpers for the interop tests: ustcp on a TUN device against the Linux kernel's own
# TCP, each test in a network namespace of its own. Each test is
# `bash tests/interop/NAME.sh PATH_TO_USTCP`; exit 0 = pass, 1 = fail, 77 = skipped.
#
# A test sources this file, calls the need_* checks, then setup_ns (which creates the
# namespace $NS and the temp dir $DIR and installs the cleanup trap), then start_serve ...
# Everything Linux-side runs through in_ns. Every pcap goes through check_pcap.
set -uo pipefail
USTCP=${1:?usage: $0 PATH_TO_USTCP}
case $USTCP in /*) ;; *) USTCP=$PWD/$USTCP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST=$(basename "$0" .sh)
NS=""                # the test's network namespace (setup_ns)
DIR=""               # the test's temp dir (setup_ns)
DAEMONS=()           # pids of background processes started by the test (killed on exit)
fails=0
T0=$SECONDS

pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
note() { echo "#      $*"; }
skip() { echo "SKIP: $TEST: $*"; exit 77; }
# die: a failure after which the test cannot go on (the trap still cleans up).
die() { fail "$*"; echo "$fails check(s) failed"; exit 1; }
finish() {
  echo "# $TEST: $((SECONDS - T0)) s"
  [ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
  exit 0
}
# indent FILE: show a file's content under a failure (bounded).
indent() { [ -f "$1" ] && head -n "${2:-40}" "$1" | sed 's/^/     | /'; }

# ---- skip checks --------------------------------------------------------------------------

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (TUN devices and network namespaces)"; }
need_tun() { [ -c /dev/net/tun ] || skip "no /dev/net/tun (TUN driver not available)"; }
# need_prog PROGRAM DEBIAN_PACKAGE
need_prog() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (apt-get install $2)"; }
need_ustcp() {
  # Someone may be relinking the binary: wait a little for it to reappear.
  local i
  for ((i = 0; i < 60; i++)); do [ -x "$USTCP" ] && return 0; sleep 1; done
  echo "FAIL: $TEST: $USTCP is not an executable (build it: cmake --build build --target ustcp_cli)"
  exit 1
}
# The checks every test needs: root, TUN, ip, python3 and tshark, the binary.
need_basics() {
  need_root
  need_tun
  need_prog ip iproute2
  need_prog python3 python3
  need_prog tshark tshark
  need_ustcp
}

# ---- namespace, temp dir, cleanup -----------------------------------------------------------

in_ns() { ip netns exec "$NS" "$@"; }
# bg_ns LOG CMD...: starts CMD in the namespace in the background, output to LOG; its pid
# (`ip netns exec` execs CMD: the pid is CMD's) goes to BG_PID and to the cleanup list.
BG_PID=""
bg_ns() {
  local log=$1; shift
  ip netns exec "$NS" "$@" >"$log" 2>&1 &
  BG_PID=$!
  DAEMONS+=("$BG_PID")
}

# forget_pid PID: a background process the test has waited for leaves the cleanup list (its
# pid may belong to someone else by the time the test ends).
forget_pid() {
  local keep=() p
  for p in "${DAEMONS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  DAEMONS=("${keep[@]}")
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after a bound. Returns once it is gone.
stop_pid() {
  local pid=$1 bound=${2:-5} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < bound * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "#      pid $pid ignored SIGTERM for ${bound} s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  sleep 0.1
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${DAEMONS[@]}"; do stop_pid "$pid" 5; done
  DAEMONS=()
  if [ -n "$NS" ]; then
    # Anything else still running in our namespace was started by this test.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do stop_pid "$pid" 2; done
    ip netns del "$NS" 2>/dev/null || echo "#      ip netns del $NS failed"
  fi
  if [ -n "$DIR" ]; then
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${KEEP:-}" ]; then
      echo "# kept $DIR (KEEP is set)"
    else
      rm -rf "$DIR"
    fi
  fi
  exit "$rc"
}

# remove_stale_ns: a run killed without its trap (SIGKILL) leaves ustcp-it-TEST-PID behind;
# such a namespace whose PID is gone and that holds no process is deleted.
remove_stale_ns() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^ustcp-it-$TEST-[0-9]*$"); do
    pid=${ns##*-}
    kill -0 "$pid" 2>/dev/null && continue
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || { note "stale namespace $ns still has processes: left alone"; continue; }
    ip netns del "$ns" 2>/dev/null && note "deleted the stale namespace $ns (a killed earlier run)"
  done
}

# setup_ns: creates the namespace and the temp dir, installs the cleanup trap.
setup_ns() {
  remove_stale_ns
  NS="ustcp-it-$TEST-$$"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! ip netns add "$NS" 2>/tmp/ustcp-it-ns.$$; then
    local why; why=$(head -1 /tmp/ustcp-it-ns.$$); rm -f /tmp/ustcp-it-ns.$$
    NS=""
    skip "ip netns add failed: $why"
  fi
  rm -f /tmp/ustcp-it-ns.$$
  in_ns ip link set lo up || die "ip link set lo up in $NS"
  DIR=$(mktemp -d "/tmp/ustcp-it-$TEST.XXXXXX") || die "mktemp -d"
  chmod 755 "$DIR"
}

# ---- the ustcp daemon -------------------------------------------------------------------------

# start_serve NAME ARGS...: runs `ustcp serve ARGS --control $DIR/NAME.sock` in the namespace
# (ARGS name the TUN device, the address, --pcap, the servers), output in $DIR/NAME.out; waits
# (at most 10 s) for its "ready" line. Sets SERVE_PID.
SERVE_PID=""
start_serve() {
  local name=$1; shift
  local out="$DIR/$name.out" i
  : >"$out"
  # `ip netns exec` execs the command: $! is the daemon itself.
  ip netns exec "$NS" "$USTCP" serve "$@" --control "$DIR/$name.sock" >"$out" 2>&1 &
  SERVE_PID=$!
  DAEMONS+=("$SERVE_PID")
  for ((i = 0; i < 100; i++)); do
    if grep -q '^ustcp serve: ready' "$out"; then
      [ -S "$DIR/$name.sock" ] || die "ustcp serve ($name): ready, but no control socket $DIR/$name.sock"
      return 0
    fi
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  indent "$out"
  die "ustcp serve $* did not print its ready line within 10 s"
}

# stop_serve NAME PID: SIGTERM; checks it exits 0 within 8 s (it waits at most 3 s for the
# FINs) and printed "stopped".
stop_serve() {
  local name=$1 pid=$2 i rc
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 80; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    forget_pid "$pid"
    fail "ustcp serve ($name) still running 8 s after SIGTERM (killed)"
    return
  fi
  wait "$pid"; rc=$?
  forget_pid "$pid"
  if [ "$rc" -eq 0 ] && grep -q '^ustcp serve: stopped' "$DIR/$name.out"; then
    pass "ustcp serve ($name) stopped on SIGTERM: $(sed -n 's/^ustcp serve: stopped: //p' "$DIR/$name.out")"
  else
    fail "ustcp serve ($name) after SIGTERM: exit $rc, want 0 and a 'stopped' line"
    indent "$DIR/$name.out"
  fi
}

# ctl NAME ARGS...: `ustcp ARGS --control $DIR/NAME.sock` (ss, nstat).
ctl() { local name=$1 cmd=$2; shift 2; timeout 10 "$USTCP" "$cmd" --control "$DIR/$name.sock" "$@"; }

# counter NAME COUNTER: the value of one counter from `ustcp nstat -a` (0 when absent).
counter() {
  local v
  v=$(ctl "$1" nstat -a "$2" 2>/dev/null | awk -v c="$2" '$1 == c { print $2 }')
  echo "${v:-0}"
}

# ---- checks ----------------------------------------------------------------------------------

# check_pcap FILE [MIN_PACKETS]: tshark reads the file with checksum validation on and shows
# no malformed packet and no bad checksum: neither in its one-line summaries (as
# tests/cli/pcap.sh checks) nor through a display filter on the checksum status fields (a bad
# IPv4 header checksum shows in no summary line). One case is tolerated in segments Linux
# sent (not in ustcp's): a TCP checksum 0xFFFF where 0x0000 is computed. Both are ones'-
# complement zero; Linux's software checksum (skb_checksum_help) writes CSUM_MANGLED_0 =
# 0xFFFF for a zero checksum, about once in 65536 segments, and Wireshark marks it "Bad (see
# RFC 1624)". Deletes the file afterwards (pcaps of big transfers are big; KEEP_PCAP=DIR
# keeps a copy in DIR).
PCAP_BAD='_ws.malformed || _ws.expert.severity == "Error" || tcp.checksum.status == "Bad" || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad"'
USTCP_ADDR_RE='^198[.]18[.][0-9]+[.]2$'   # ustcp's side in every test (Linux's is .1)
check_pcap() {
  local f=$1 min=${2:-5} out rc n flagged rc2 bad tolerated
  if [ ! -s "$f" ]; then fail "$(basename "$f"): missing or empty"; return; fi
  local opts=(-n -r "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE)
  out=$(tshark "${opts[@]}" 2>&1); rc=$?
  n=$(printf '%s\n' "$out" | grep -v '^Running as user' | grep -c .)
  # Flagged frames: number, source, malformed, TCP checksum, TCP/IP/ICMP checksum status
  # (0 = bad), expert severities (Error = 8388608).
  flagged=$(tshark "${opts[@]}" -Y "$PCAP_BAD" -T fields -E separator=/t -e frame.number -e ip.src \
    -e _ws.malformed -e tcp.checksum -e tcp.checksum.status -e ip.checksum.status \
    -e icmp.checksum.status -e _ws.expert.severity 2>&1); rc2=$?
  flagged=$(printf '%s\n' "$flagged" | grep -v '^Running as user' | grep .)
  tolerated=$(printf '%s\n' "$flagged" | awk -F'\t' -v us="$USTCP_ADDR_RE" '
    NF && $2 !~ us && $3 == "" && $4 == "0xffff" && $6 != "0" && $7 != "0" && $8 !~ /8388608/' | grep -c .)
  bad=$(printf '%s\n' "$flagged" | awk -F'\t' -v us="$USTCP_ADDR_RE" '
    NF && !($2 !~ us && $3 == "" && $4 == "0xffff" && $6 != "0" && $7 != "0" && $8 !~ /8388608/)')
  if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$n" -ge "$min" ] && [ -z "$bad" ] &&
     ! grep -qiE 'malformed|bad checksum|incorrect|\[checksum.*bad' <<<"$out"; then
    pass "$(basename "$f"): $n packets, tshark shows no malformed packet or bad checksum"
    [ "$tolerated" -eq 0 ] || note "$tolerated segment(s) from Linux with TCP checksum 0xFFFF for 0x0000 (Linux's CSUM_MANGLED_0; tolerated)"
  else
    fail "$(basename "$f") (tshark exit $rc/$rc2, $n packets, want >= $min):"
    { [ -z "$bad" ] || { echo "frame/src/malformed/tcp.checksum/tcp,ip,icmp status/severity:"; printf '%s\n' "$bad"; }
      printf '%s\n' "$out" | grep -iE 'malformed|bad|incorrect'; } | head -8 | sed 's/^/     | /'
  fi
  [ -n "${KEEP_PCAP:-}" ] && { cp "$f" "$KEEP_PCAP/" && echo "#      kept $KEEP_PCAP/$(basename "$f")"; }
  rm -f "$f"
}

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds or SECONDS pass.
wait_for() {
  local bound=$1 i; shift
  for ((i = 0; i < bound * 10; i++)); do "$@" && return 0; sleep 0.1; done
  "$@"
}

# pattern ARGS: tests/interop/pattern.py (the /bytes/N pattern: write N FILE, check N [FILE]).
pattern() { python3 "$HERE/pattern.py" "$@"; }

# bg_ns_ready LOG CMD...: bg_ns, then waits (at most 5 s) for CMD to print a line "ready".
bg_ns_ready() {
  local log=$1 i
  bg_ns "$@"
  for ((i = 0; i < 50; i++)); do grep -q '^ready' "$log" && return 0; sleep 0.1; done
  die "$2 ${3:-} did not get ready: $(head -5 "$log")"
}
