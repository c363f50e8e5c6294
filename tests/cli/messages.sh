# Error messages name what is wrong and say once which command they are about: "ustcp SUB:
# ..." for a subcommand's errors (never a bare "ustcp:" nor "ss: ss:"), "ustcp: ..." only
# when there is no subcommand to name; an unknown subcommand is named. CLI11's parse errors
# read like ours: lower case, the option or argument named.
source "$(dirname "$0")/lib.bash"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# msg WANT_RC FIRST_LINE_REGEX ARGS...
msg() {
  local want=$1 re=$2; shift 2
  "$USTCP" "$@" >"$T/out" 2>&1
  local rc=$? first
  first=$(head -1 "$T/out")
  if [ "$rc" -eq "$want" ] && [[ $first =~ $re ]] && ! grep -Eq '(^| )([a-z]+): \2:' "$T/out"; then
    pass "ustcp $* -> $first"
  else
    fail "ustcp $*: exit $rc, first line '$first', want /$re/"
  fi
}
msg 2 "^ustcp: unknown subcommand 'frobnicate' \(one of: demo, transfer, .*, lab, .*\)$" frobnicate
msg 2 "^ustcp: a subcommand is required \(one of: demo, " 
# CLI11's own parse errors in the same words: lower case, naming the option or argument.
msg 2 "^ustcp transfer: unknown option '--frob'$" transfer --frob
msg 2 "^ustcp ss: unknown option '--bogus'$" ss --bogus
msg 2 "^ustcp: unknown option '--frob'$" --frob
msg 2 "^ustcp sysctl: unexpected arguments '--frob' and '--bar'$" sysctl --frob --bar
msg 2 "^ustcp version: unexpected argument 'now'$" version now
msg 2 "^ustcp transfer: invalid value '-1x' for --seed: expected a whole number, 0 or more$" \
  transfer --seed -1x
msg 2 "^ustcp transfer: --seed needs a value \(a whole number, 0 or more\)$" transfer --seed
msg 2 "^ustcp serve: invalid value '0' for --backlog: expected a number from 1 to 65535$" \
  serve --addr 198.18.0.2/24 --http 80 --backlog 0
msg 2 "^ustcp transfer: invalid value '-3' for --bandwidth: expected 0 or more$" transfer --bandwidth -3
msg 2 "^ustcp serve: --root: directory does not exist: /nonexistent$" \
  serve --addr 198.18.0.2/24 --http 80 --root /nonexistent
msg 2 "^ustcp drill: paths is required$" drill
msg 2 "^ustcp demo: invalid value '5' for --delay: expected a duration with its unit, like 5ms" demo --delay 5
msg 2 "^ustcp transfer: invalid value '5' for --delay: expected a duration with its unit" transfer --delay 5
msg 2 "^ustcp serve: --addr is required" serve --http 80
msg 2 "^ustcp serve: --snaplen '5': expected a number of bytes from 20 to 65535$" \
  serve --addr 198.18.0.2/24 --http 80 --pcap "$T/x.pcap" --snaplen 5
msg 2 "^ustcp serve: --pcap-files needs --pcap-size" \
  serve --addr 198.18.0.2/24 --http 80 --pcap "$T/x.pcap" --pcap-files 3
msg 2 "^ustcp get: --snaplen, --pcap-size and --pcap-files need --pcap FILE$" \
  get --addr 198.18.0.2/24 --snaplen 100 http://198.18.0.1/
msg 2 "^ustcp transfer: --pcap-size 'lots': expected a size like 100M$" \
  transfer --pcap "$T/t.pcap" -C lots
msg 2 "^ustcp demo: --snaplen, --pcap-size and --pcap-files need --pcap FILE$" demo -s 96
msg 2 "^ustcp ss: wrong state name: bogus " ss state bogus
msg 2 "^ustcp nstat: invalid counter pattern '-x'$" nstat -- -x
msg 2 "^ustcp lab: unknown scenario 'x' " lab x
# A duration of 0 needs no unit; with one, as before.
"$USTCP" demo --delay 0 >/dev/null 2>&1 && pass "demo --delay 0: accepted without a unit" || fail "demo --delay 0"
"$USTCP" demo --delay 2ms >/dev/null 2>&1 && pass "demo --delay 2ms: accepted" || fail "demo --delay 2ms"
finish
