# `ustcp drill` as a user runs it: the behaviour suite passes with the summary line; a
# failing script makes the exit status 1 and names file:line; bad arguments exit 2.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT

out=$("$USTCP" drill "$root/tests/drill" 2>&1); rc=$?
summary=$(echo "$out" | tail -1)
if [ $rc -eq 0 ] && grep -Eq '^[1-9][0-9]* passed, 0 failed, 0 skipped$' <<<"$summary"; then
  pass "behaviour suite: $summary"
else
  fail "behaviour suite (exit $rc): $(echo "$out" | grep -v '^PASS' | head -20)"
fi

# One failing, one passing, one skipped script: exit 1 and all three reported.
cp "$root/tests/drill-selftest/fail_wrong_flags.pkt" "$root/tests/drill-selftest/pass_passive_open.pkt" \
  "$root/tests/drill-selftest/skip_tc_command.pkt" "$dir/"
out=$("$USTCP" drill "$dir" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "^FAIL  .*fail_wrong_flags.pkt:8: outbound packet mismatch: flags S instead of S." <<<"$out" \
  && grep -q "^PASS  .*pass_passive_open.pkt" <<<"$out" \
  && grep -q "^SKIP  .*skip_tc_command.pkt:4: unsupported: command" <<<"$out" \
  && [ "$(echo "$out" | tail -1)" = "1 passed, 1 failed, 1 skipped" ] \
  && pass "mixed directory: exit 1, each result named" || fail "mixed directory (exit $rc): $out"

# --verbose shows the timeline with virtual times.
out=$("$USTCP" drill --verbose "$root/tests/drill-selftest/pass_passive_open.pkt")
grep -q "^0.100 s  ustcp sent   > 8080>48000 . 1:1(0) ack 1001" <<<"$out" && pass "--verbose timeline" \
  || fail "--verbose: $out"

# --strict: the leftover FIN fails the script.
expect_rc 0 "leftover packet passes without --strict" "$USTCP" drill "$root/tests/drill-selftest/pass_leftover_not_strict.pkt"
expect_rc 1 "leftover packet fails with --strict" "$USTCP" drill --strict "$root/tests/drill-selftest/pass_leftover_not_strict.pkt"

# Syntax errors: file:line:column and a caret; never a pass.
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0 win 1\n' > "$dir/syntax.pkt"
out=$("$USTCP" drill "$dir/syntax.pkt" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "syntax.pkt:2:12: expected '(' in start:end(length)" <<<"$out" \
  && grep -q '^               \^$' <<<"$out" && pass "syntax error with caret" || fail "syntax (exit $rc): $out"

expect_rc 2 "no arguments" "$USTCP" drill
expect_rc 2 "missing file" "$USTCP" drill "$dir/nope.pkt"
mkdir "$dir/empty"
expect_rc 2 "directory without scripts" "$USTCP" drill "$dir/empty"
expect_rc 2 "unknown option" "$USTCP" drill --bogus "$dir"
printf '\x00\xff garbage\n' > "$dir/binary.pkt"
expect_rc 1 "binary garbage is a failed script" "$USTCP" drill "$dir/binary.pkt"
finish
