# --sysctl-file naming a directory (found by fuzzing the options): refused with exit 2 and a
# message naming it, not read as an empty file and accepted.
source "$(dirname "$0")/lib.bash"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
msg=$("$USTCP" sysctl --sysctl-file "$dir" net.ipv4.tcp_syncookies 2>&1); rc=$?
[ $rc -eq 2 ] && grep -qF -- "--sysctl-file: '$dir' is a directory" <<<"$msg" \
  && pass "directory refused: $msg" || fail "directory (exit $rc): $msg"
expect_rc 2 "directory on demo" "$USTCP" demo --sysctl-file "$dir"
finish
