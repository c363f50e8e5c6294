# `ustcp nstat` against iproute2's nstat on the kernel of the same machine: the same counter
# names in the same order (the kernel's IPv4 groups; ustcp has no IPv6 or MPTCP, and prints
# TcpCurrEstab, which nstat leaves out), the same line layout, the same JSON (-j, -jp), and
# nstat's history semantics: increments by default, -a absolute, -s keeps the history, -r
# resets it, -n only updates it, patterns as case-insensitive globs.
source "$(dirname "$0")/lib.bash"
need_root
need_tun
need_prog ip iproute2
need_prog nstat iproute2
need_prog python3 python3
need_ustcp
setup_ns
export NSTAT_HISTORY="$DIR/nstat.history"

start_serve serve --tun tun0 --addr 198.18.0.2/24 --echo 7
pid=$SERVE_PID

# Names, in order. Linux's: nstat -az in the namespace, IPv6 and MPTCP groups left out.
in_ns nstat -az | awk 'NR > 1 { print $1 }' |
  grep -Ev '^(Ip6|Icmp6|Udp6|UdpLite6|MPTcpExt|IcmpMsg)' >"$DIR/linux.names"
ctl serve nstat -az | awk 'NR > 1 { print $1 }' | grep -v '^IcmpMsg' >"$DIR/ustcp.names"
grep -v '^TcpCurrEstab$' "$DIR/ustcp.names" >"$DIR/ustcp.names.nocurr"
if cmp -s "$DIR/linux.names" "$DIR/ustcp.names.nocurr"; then
  pass "the same $(wc -l <"$DIR/linux.names") counter names as the kernel's nstat -az, in its order"
else
  fail "counter names differ from the kernel's (diff linux ustcp):"
  diff "$DIR/linux.names" "$DIR/ustcp.names.nocurr" | head -20 | sed 's/^/     | /'
fi
[ "$(grep -n . "$DIR/ustcp.names" | grep ':TcpCurrEstab$' | cut -d: -f1)" = \
  "$(($(grep -n . "$DIR/ustcp.names" | grep ':TcpEstabResets$' | cut -d: -f1) + 1))" ] &&
  pass "TcpCurrEstab right after TcpEstabResets" || fail "TcpCurrEstab not after TcpEstabResets"

# Layout: every line is nstat's "%-32s%-16llu%6.1f".
bad=$(ctl serve nstat -az | awk 'NR > 1 && !/^[A-Za-z0-9]+ +[0-9]+ +[0-9]+\.[0-9]$/' | head -3)
[ -z "$bad" ] && pass "every line as nstat's %-32s%-16llu%6.1f" || fail "lines not in nstat's layout: $bad"
line=$(ctl serve nstat -az TcpActiveOpens | sed -n 2p)
kline=$(in_ns nstat -saz TcpActiveOpens | sed -n 2p | sed 's/[0-9][0-9]*  /0  /')
[ "${line//[0-9]/0}" = "${kline//[0-9]/0}" ] && pass "one line, byte for byte in shape: '$line'" ||
  fail "'$line' vs the kernel's '$kline'"

# JSON: -j compact, -jp pretty, as nstat prints them.
in_ns ping -c 2 -i 0.2 -W 1 198.18.0.2 >/dev/null 2>&1
j=$(ctl serve nstat -aj 'IcmpIn*')
[[ $j =~ ^\{\"kernel\":\{\"IcmpInMsgs\":[0-9]+,\"IcmpInEchos\":[0-9]+\}\}$ ]] &&
  pass "nstat -aj: $j" || fail "nstat -aj: $j"
kj=$(in_ns nstat -sajp 'TcpActiveOpens' | tr -d '0-9')
uj=$(ctl serve nstat -sajp 'TcpActiveOpens' | tr -d '0-9')
[ "$kj" = "$uj" ] && pass "nstat -jp: the same pretty JSON shape as the kernel's" ||
  { fail "-jp differs"; echo "$kj"; echo "$uj"; }

# History: -n sets it, then increments; -s does not move it; -r resets it; -a ignores it.
ctl serve nstat -n >/dev/null
in_ns ping -c 1 -W 1 198.18.0.2 >/dev/null 2>&1
a=$(ctl serve nstat -s IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')
b=$(ctl serve nstat IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')
c=$(ctl serve nstat IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')
total=$(ctl serve nstat -a IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')
[ "$a" = 1 ] && [ "$b" = 1 ] && [ -z "$c" ] && pass "increments: -s kept the history (1, 1), then nothing new" ||
  fail "increments after one ping: -s '$a', then '$b', then '$c' (want 1, 1, none)"
r=$(ctl serve nstat -r IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')
[ "$r" = "$total" ] && [ "$total" -ge 3 ] && pass "-r: since the start again ($r)" || fail "-r: '$r', -a: '$total'"
n=$(ctl serve nstat -a icmpinechos | grep -c IcmpInEchos)
[ "$n" = 1 ] && pass "patterns ignore case, as nstat's FNM_CASEFOLD" || fail "pattern icmpinechos: $n lines"

stop_serve serve "$pid"
finish
