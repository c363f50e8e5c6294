# Wrong input gets a message naming it and exit status 2, never a crash.
source "$(dirname "$0")/lib.bash"
expect_rc 2 "no subcommand" "$USTCP"
expect_rc 2 "unknown subcommand" "$USTCP" frobnicate
expect_rc 2 "unknown option" "$USTCP" transfer --frob
expect_rc 2 "bad size" "$USTCP" transfer --bytes 12X
expect_rc 2 "negative size" "$USTCP" transfer --bytes -5
expect_rc 2 "bad delay unit" "$USTCP" transfer --delay 5parsecs
expect_rc 2 "loss over 100%" "$USTCP" transfer --loss 150%
expect_rc 2 "loss not a number" "$USTCP" transfer --loss lots
expect_rc 2 "missing value" "$USTCP" transfer --seed
expect_rc 2 "bad seed" "$USTCP" transfer --seed -1x
expect_rc 2 "demo bad delay" "$USTCP" demo --delay x
expect_rc 2 "unwritable pcap" "$USTCP" demo --pcap /nonexistent/dir/x.pcap
msg=$("$USTCP" transfer --bytes 12X 2>&1)
grep -q -- "--bytes" <<<"$msg" && pass "message names the option: $msg" || fail "message does not name --bytes: $msg"
expect_rc 0 "--help" "$USTCP" --help
finish
