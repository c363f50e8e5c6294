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
# sysctl(8)'s ways of writing: ustcp keeps no sysctl state to write to, so each says where
# the setting goes instead (exit 2, nothing on stdout), and the command it shows works.
for form in "net.ipv4.tcp_syncookies=2" "-w net.ipv4.tcp_syncookies=2" "--write net/ipv4/tcp_syncookies=2"; do
  # shellcheck disable=SC2086
  out=$("$USTCP" sysctl $form 2>"$dir/err"); rc=$?; msg=$(cat "$dir/err")
  setting=${form##* }
  if [ $rc -eq 2 ] && [ -z "$out" ] && grep -q "^ustcp sysctl: cannot set $setting: ustcp keeps no sysctl settings" <<<"$msg" &&
     grep -q "demo, transfer, lab, serve or get" <<<"$msg" && grep -qx "  ustcp transfer --sysctl $setting" <<<"$msg"; then
    pass "ustcp sysctl $form: exit 2, says where it goes"
  else
    fail "ustcp sysctl $form (exit $rc, stdout '$out'): $msg"
  fi
done
# The check it offers shows the value the setting gives.
shown=$(sed -n 's/.*`ustcp sysctl \(.*\)` shows.*/\1/p' <<<"$msg")
# shellcheck disable=SC2086
[ -n "$shown" ] && [ "$("$USTCP" sysctl $shown)" = "net.ipv4.tcp_syncookies = 2" ] &&
  pass "the offered check works: ustcp sysctl $shown" || fail "offered check '$shown' in: $msg"
# The hinted command line runs and takes the setting (a short transfer).
expect_rc 0 "ustcp transfer --sysctl net.ipv4.tcp_syncookies=2" "$USTCP" transfer --bytes 10K --sysctl net.ipv4.tcp_syncookies=2
# A wrong setting gets its own error first.
msg=$("$USTCP" sysctl net.ipv4.tcp_bogus=1 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "net.ipv4.tcp_bogus: unknown name" <<<"$msg" && pass "unknown name to write: $msg" || fail "unknown write (exit $rc): $msg"
msg=$("$USTCP" sysctl -w net.ipv4.tcp_tw_reuse=3 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "out of range" <<<"$msg" && pass "value out of range: $msg" || fail "out of range write (exit $rc): $msg"
msg=$("$USTCP" sysctl -w net.ipv4.tcp_syncookies 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "'net.ipv4.tcp_syncookies': expected name=value, e.g." <<<"$msg" && pass "-w without '=': $msg" || fail "-w without = (exit $rc): $msg"
expect_rc 2 "-w alone" "$USTCP" sysctl -w
msg=$("$USTCP" sysctl net.ipv4.tcp_syncookies = 2 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "expected name=value with no spaces around '='" <<<"$msg" && pass "spaces around '=': $msg" || fail "spaced (exit $rc): $msg"
msg=$("$USTCP" sysctl -q -w net.ipv4.tcp_tw_recycle=1 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "removed in Linux 4.12" <<<"$msg" && pass "-q -w tcp_tw_recycle: Linux's reason" || fail "-q -w tw_recycle (exit $rc): $msg"
# -p [FILE] and --system: load a file into nothing; the file goes to --sysctl-file.
msg=$("$USTCP" sysctl -p "$dir/ok.conf" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "cannot load $dir/ok.conf (-p)" <<<"$msg" && grep -qx "  ustcp transfer --sysctl-file $dir/ok.conf" <<<"$msg" &&
  pass "-p FILE: exit 2, --sysctl-file FILE" || fail "-p FILE (exit $rc): $msg"
msg=$("$USTCP" sysctl -p 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "cannot load /etc/sysctl.conf (-p)" <<<"$msg" && pass "-p: sysctl(8)'s default file named" || fail "-p (exit $rc): $msg"
msg=$("$USTCP" sysctl --system 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--sysctl-file FILE" <<<"$msg" && pass "--system: exit 2, --sysctl-file" || fail "--system (exit $rc): $msg"
# sysctl(8)'s ways of reading: -a, -n, -N, -e, names with slashes, a short name.
[ "$("$USTCP" sysctl -a)" = "$("$USTCP" sysctl)" ] && [ "$("$USTCP" sysctl | wc -l)" -gt 20 ] &&
  pass "-a lists every sysctl" || fail "-a differs from the full list"
[ "$("$USTCP" sysctl -n net.ipv4.tcp_syn_retries --sysctl net.ipv4.tcp_syn_retries=3)" = 3 ] && pass "-n: the value alone" || fail "-n"
[ "$("$USTCP" sysctl -N net/ipv4/tcp_fin_timeout)" = net.ipv4.tcp_fin_timeout ] && pass "-N: the name alone, with dots" || fail "-N"
expect_rc 2 "-n and -N together" "$USTCP" sysctl -n -N net.ipv4.tcp_syn_retries
out=$("$USTCP" sysctl -e net.ipv4.tcp_bogus net.ipv4.tcp_syn_retries); rc=$?
[ $rc -eq 0 ] && [ "$out" = "net.ipv4.tcp_syn_retries = 6" ] && pass "-e leaves the unknown name out" || fail "-e (exit $rc): $out"
msg=$("$USTCP" sysctl tcp_syncookies 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "did you mean net.ipv4.tcp_syncookies?" <<<"$msg" && pass "short name: $msg" || fail "short name (exit $rc): $msg"
msg=$("$USTCP" sysctl net.ipv4.ip_forward 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "not a sysctl ustcp reads" <<<"$msg" && pass "a name ustcp does not read: $msg" || fail "ip_forward (exit $rc): $msg"
finish
