# Shared helpers for the CLI tests: each test is `bash test.sh PATH_TO_USTCP`.
set -uo pipefail
USTCP=${1:?usage: $0 PATH_TO_USTCP}
fails=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
# expect_rc WANT DESCRIPTION CMD...: runs CMD, checks its exit status.
expect_rc() {
  local want=$1 what=$2; shift 2
  "$@" >/tmp/ustcp-cli.$$ 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, want $want"; sed 's/^/     /' /tmp/ustcp-cli.$$; fi
}
finish() { rm -f /tmp/ustcp-cli.$$; [ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }; exit 0; }
