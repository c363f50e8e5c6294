# ustcp lab as a user drives it: --list, an unknown name, a bad --sysctl, a sysctl that
# overrides the scenario's variants (one run), --no-pcap.
source "$(dirname "$0")/lib.bash"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$USTCP" lab --list >"$T/list"
n=$(grep -cE '^(time-wait-pileup|close-wait-leak|accept-overflow|syn-flood|keepalive-who-closes-first|syn-retries|fin-wait-2|wraparound) ' "$T/list")
[ "$n" -eq 8 ] && pass "--list: the 8 incidents" || { fail "--list: $n of 8"; cat "$T/list"; }
expect_msg() {
  local rc_want=$1 re=$2; shift 2
  "$USTCP" "$@" >"$T/out" 2>&1; local rc=$?
  [ "$rc" -eq "$rc_want" ] && grep -Eq -- "$re" "$T/out" && pass "$* -> $(head -1 "$T/out")" ||
    { fail "$*: exit $rc"; cat "$T/out"; }
}
expect_msg 2 "^ustcp lab: unknown scenario 'frob' \(one of: time-wait-pileup, " lab frob
expect_msg 2 "^ustcp lab: name an incident" lab
expect_msg 2 "^ustcp lab: .*tcp_tw_reuse.*range" lab time-wait-pileup --sysctl net.ipv4.tcp_tw_reuse=7
"$USTCP" lab syn-retries --sysctl net.ipv4.tcp_syn_linear_timeouts=0 --sysctl net.ipv4.tcp_syn_retries=2 \
  --no-pcap --out "$T/o" >"$T/out" 2>&1; rc=$?
[ "$rc" -eq 0 ] && [ "$(grep -c '^== ' "$T/out")" -eq 1 ] && grep -q 'SYNs at 0, 1, 3 s; connect() failed with ETIMEDOUT at 7.000 s' "$T/out" &&
  [ "$(ls "$T/o")" = "syn-retries-tcp_syn_linear_timeouts=0_tcp_syn_retries=2.svg" ] &&
  pass "--sysctl on a varied sysctl: one run with it (SYNs at 0, 1, 3 s, ETIMEDOUT at 7 s), no pcap" ||
  { fail "override run: exit $rc"; cat "$T/out"; ls "$T/o"; }
# Linux reads tcp_syncookies 0..255, and any value but 0 and 2 as 1 (cookies when the SYN
# queue is full): so does the scenario.
"$USTCP" lab syn-flood --sysctl net.ipv4.tcp_syncookies=7 --no-pcap --out "$T/o7" >"$T/out" 2>&1; rc=$?
[ "$rc" -eq 0 ] && grep -q 'tcp_syncookies=7: the client connected every time' "$T/out" &&
  grep -q 'cookies once the SYN queue was full' "$T/out" &&
  pass "syn-flood with tcp_syncookies=7: as 1" || { fail "tcp_syncookies=7: exit $rc"; cat "$T/out"; }
finish
