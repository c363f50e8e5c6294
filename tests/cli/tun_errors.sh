# `ustcp serve`, `get`, `ss` and `nstat` given wrong input, or run where they cannot work:
# a message naming the cause, a non-zero exit, nothing left behind. (The working cases are
# the interop tests in tests/interop/.)
source "$(dirname "$0")/lib.bash"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
out=/tmp/ustcp-cli.$$

# Every command runs bounded in time and, where we can, in a network namespace of its own
# (unshare -n): should one of them get past its checks by mistake, the TUN device it would
# create lives and dies there, and the timeout stops the daemon.
isolate=(timeout 20)
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  isolate+=(unshare -n)
fi

# expect_msg RC PATTERN DESCRIPTION CMD...: exit status RC and PATTERN in the output.
expect_msg() {
  local want=$1 pattern=$2 what=$3; shift 3
  "${isolate[@]}" "$@" >"$out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -qE -- "$pattern" "$out"; then
    pass "$what (exit $rc)"
  else
    fail "$what: exit $rc (want $want), output:"; sed 's/^/     /' "$out"
  fi
}

expect_msg 2 "--addr is required" "serve without --addr" "$USTCP" serve --http 80
expect_msg 2 "--addr '198.18.0.2': expected an IPv4 address with a prefix" "serve --addr without a prefix" \
  "$USTCP" serve --addr 198.18.0.2 --http 80
expect_msg 2 "--addr '198.18.0.300/24'" "serve --addr not an address" "$USTCP" serve --addr 198.18.0.300/24 --http 80
expect_msg 2 "--addr '198.18.0.2/31'" "serve --addr /31 leaves no room for the Linux side" \
  "$USTCP" serve --addr 198.18.0.2/31 --http 80
expect_msg 2 "nothing to serve" "serve with neither --echo nor --http" "$USTCP" serve --addr 198.18.0.2/24
expect_msg 2 "two different ports" "serve --echo and --http on one port" "$USTCP" serve --addr 198.18.0.2/24 --echo 80 --http 80
expect_msg 2 "--http" "serve --http 70000" "$USTCP" serve --addr 198.18.0.2/24 --http 70000
expect_msg 2 "--tun 'bad/name': not a valid interface name" "serve --tun with a slash" \
  "$USTCP" serve --tun bad/name --addr 198.18.0.2/24 --http 80
expect_msg 2 "--peer-addr '10.0.0.1'" "serve --peer-addr outside the subnet" \
  "$USTCP" serve --addr 198.18.0.2/24 --peer-addr 10.0.0.1 --http 80
expect_msg 2 "--sysctl net.ipv4.tcp_syncookies" "serve with a bad sysctl value" \
  "$USTCP" serve --addr 198.18.0.2/24 --http 80 --sysctl net.ipv4.tcp_syncookies=abc
expect_msg 2 "--keepalive-timeout" "serve --keepalive-timeout -1" "$USTCP" serve --addr 198.18.0.2/24 --http 80 --keepalive-timeout -1
expect_msg 2 "invalid value '1x' for --accept-delay: expected seconds, like 5, 1.5 or 500ms" \
  "serve --accept-delay with a bad unit" "$USTCP" serve --addr 198.18.0.2/24 --http 80 --accept-delay 1x
expect_msg 2 "invalid value '2d' for --keepalive" "get --keepalive with a bad unit" \
  "$USTCP" get --addr 198.18.0.2/24 --keepalive 2d http://198.18.0.1/
# A duration with its unit is taken: the next check (the device name) is what fails.
expect_msg 2 "--tun 'bad/name'" "serve --accept-delay 500ms --keepalive-timeout 2s" \
  "$USTCP" serve --tun bad/name --addr 198.18.0.2/24 --http 80 --accept-delay 500ms --keepalive-timeout 2s
expect_msg 2 "--root" "serve --root that does not exist" "$USTCP" serve --addr 198.18.0.2/24 --http 80 --root "$dir/missing"
expect_msg 2 "only http:// URLs" "get ftp://" "$USTCP" get --addr 198.18.0.2/24 ftp://198.18.0.1/x
expect_msg 2 "must be an IPv4 address \(ustcp has no DNS\)" "get with a host name" \
  "$USTCP" get --addr 198.18.0.2/24 http://example.com/
expect_msg 2 "invalid port '99999'" "get with a bad port" "$USTCP" get --addr 198.18.0.2/24 http://198.18.0.1:99999/
expect_msg 2 "every URL must name the same server" "get from two servers" \
  "$USTCP" get --addr 198.18.0.2/24 http://198.18.0.1/a http://198.18.0.3/b
expect_msg 2 "urls is required" "get without a URL" "$USTCP" get --addr 198.18.0.2/24
expect_msg 1 "no ustcp daemon at $dir/none.sock" "ss with no daemon" "$USTCP" ss --control "$dir/none.sock"
expect_msg 1 "no ustcp daemon at /run/ustcp/nosuchtun.sock" "nstat with no daemon (default path from --tun)" \
  "$USTCP" nstat --tun nosuchtun
# ss takes -a and -l together (the later one counts): only the daemon is missing.
expect_msg 1 "no ustcp daemon at $dir/none.sock" "ss -a -l" "$USTCP" ss -a -l --control "$dir/none.sock"
expect_msg 2 "filter: expected dst, src, dport, sport, autobound, ! or [(] at 'foo'" \
  "ss with a filter ss cannot parse" "$USTCP" ss foo
expect_msg 2 "invalid counter pattern" "nstat with a pattern that is a flag" "$USTCP" nstat -- -x

# Where the machine lets us, the cases a user without root or without TUN meets. Each runs
# in a network namespace of its own (unshare -n), so nothing it might create is visible.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null &&
   unshare -n true 2>/dev/null; then
  expect_msg 1 "needs root \(or CAP_NET_ADMIN\)" "serve as an unprivileged user" \
    setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$USTCP" serve --tun ustcp-t0 --addr 198.18.0.2/24 --http 80 --control "$dir/c.sock"
  expect_msg 1 "needs root \(or CAP_NET_ADMIN\)" "get as an unprivileged user" \
    setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$USTCP" get --tun ustcp-t0 --addr 198.18.0.2/24 http://198.18.0.1/ --control "$dir/c.sock"
  echo "precious" >"$dir/out.txt"
  expect_msg 1 "no TUN driver" "get -o FILE where /dev/net/tun is missing" \
    unshare -m bash -c 'mount -t tmpfs none /dev/net && exec "$0" "$@"' \
    "$USTCP" get --tun ustcp-t0 --addr 198.18.0.2/24 -o "$dir/out.txt" http://198.18.0.1/ --control "$dir/c.sock"
  [ "$(cat "$dir/out.txt")" = precious ] && pass "a get that could not start left -o FILE as it was" ||
    fail "a get that could not start truncated -o FILE"
  # No TUN driver: hide /dev/net/tun behind an empty tmpfs in a private mount namespace.
  expect_msg 1 "no TUN driver" "serve where /dev/net/tun is missing" \
    unshare -m bash -c 'mount -t tmpfs none /dev/net && exec "$0" "$@"' \
    "$USTCP" serve --tun ustcp-t0 --addr 198.18.0.2/24 --http 80 --control "$dir/c.sock"
  [ ! -e "$dir/c.sock" ] && pass "no control socket left behind" || fail "control socket left behind"
else
  echo "skip - the unprivileged and no-TUN cases need root, unshare and setpriv"
fi
finish
