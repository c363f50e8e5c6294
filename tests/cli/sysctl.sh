# --sysctl / --sysctl-file on every command that builds a stack; errors name the file and
# line, nothing is half-applied, tcp_tw_recycle is refused with the reason.
source "$(dirname "$0")/lib.bash"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
out=$("$USTCP" sysctl net.ipv4.tcp_syncookies net.ipv4.tcp_syn_retries)
[ "$out" = "net.ipv4.tcp_syncookies = 1
net.ipv4.tcp_syn_retries = 6" ] && pass "Linux defaults" || fail "defaults: $out"
out=$("$USTCP" sysctl net.ipv4.tcp_syncookies --sysctl net.ipv4.tcp_syncookies=2 --sysctl net/ipv4/tcp_syncookies=0)
[ "$out" = "net.ipv4.tcp_syncookies = 0" ] && pass "later --sysctl wins, slash names" || fail "$out"
# A setting takes effect: without timestamps the demo's SYN carries no TS option.
syn=$("$USTCP" demo --sysctl net.ipv4.tcp_timestamps=0 | grep -F "client > server S ")
[ -n "$syn" ] && ! grep -q "TS val" <<<"$syn" && pass "tcp_timestamps=0 reaches the stack" ||
  fail "tcp_timestamps=0 ignored, or no SYN in the demo: '$syn'"
printf '# ustcp test\n\nnet.ipv4.tcp_timestamps = 0\n; another comment\nnet.ipv4.tcp_sack=0\n' > "$dir/ok.conf"
syn=$("$USTCP" demo --sysctl-file "$dir/ok.conf" | grep -F "client > server S ")
[ -n "$syn" ] && ! grep -q "sackOK" <<<"$syn" && pass "--sysctl-file applies" ||
  fail "file ignored, or no SYN in the demo: '$syn'"
printf 'net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_bogus = 1\n' > "$dir/bad.conf"
msg=$("$USTCP" transfer --sysctl-file "$dir/bad.conf" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "bad.conf:2: net.ipv4.tcp_bogus: unknown name" <<<"$msg" \
  && pass "unknown name: $msg" || fail "unknown name (exit $rc): $msg"
printf 'net.ipv4.tcp_syncookies\n' > "$dir/malformed.conf"
msg=$("$USTCP" sysctl --sysctl-file "$dir/malformed.conf" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "malformed.conf:1" <<<"$msg" && pass "malformed line: $msg" || fail "malformed (exit $rc): $msg"
expect_rc 2 "out of range" "$USTCP" demo --sysctl net.ipv4.tcp_tw_reuse=3
expect_rc 2 "not a number" "$USTCP" demo --sysctl net.ipv4.tcp_syncookies=7x
expect_rc 2 "no '='" "$USTCP" demo --sysctl net.ipv4.tcp_syncookies
expect_rc 2 "missing file" "$USTCP" demo --sysctl-file "$dir/none.conf"
msg=$("$USTCP" demo --sysctl net.ipv4.tcp_tw_recycle=1 2>&1)
grep -q "removed in Linux 4.12" <<<"$msg" && pass "tw_recycle refused: $msg" || fail "tw_recycle: $msg"
finish
