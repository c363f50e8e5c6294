# Python sockets (the Linux kernel's TCP) against ustcp's echo server (`ustcp serve --echo 7`):
# byte-exact round trips up to a few MB, half-close, Linux's RST on close with unread data
# (ustcp drops the connection and counts TcpEstabResets), and 1,000 short connections in a row.
source "$(dirname "$0")/lib.bash"
need_basics
need_prog ss iproute2
setup_ns

client() { in_ns timeout 120 python3 "$HERE/echo_client.py" 198.18.0.2 7 "$@"; }
# report FILE: echoes the helper's ok/FAIL lines and counts its FAILs.
report() {
  cat "$1"
  local n; n=$(grep -c '^FAIL' "$1")
  fails=$((fails + n))
}

start_serve echo --tun tun0 --addr 198.18.0.2/24 --echo 7 --pcap "$DIR/echo.pcap"
pid=$SERVE_PID

# ---- round trips and half-close --------------------------------------------------------------
client roundtrip 1 100 1448 1449 65536 100000 1048576 4194304 >"$DIR/rt.out" 2>&1
rc=$?; report "$DIR/rt.out"; [ $rc -eq 0 ] || fail "round trips: the helper exited $rc"
client halfclose 2000000 >"$DIR/hc.out" 2>&1
rc=$?; report "$DIR/hc.out"; [ $rc -eq 0 ] || fail "half-close: the helper exited $rc"

# ---- RST on close with unread data -----------------------------------------------------------
resets0=$(counter echo TcpEstabResets)
client unread 30000 >"$DIR/rst.out" 2>&1
rc=$?; grep -v '^port' "$DIR/rst.out"; fails=$((fails + $(grep -c '^FAIL' "$DIR/rst.out")))
[ $rc -eq 0 ] || fail "unread: the helper exited $rc"
port=$(awk '$1 == "port" { print $2 }' "$DIR/rst.out")
linux_aborts=$(in_ns nstat -as TcpExtTCPAbortOnClose 2>/dev/null | awk '$1 == "TcpExtTCPAbortOnClose" { print $2 }')
if [ "${linux_aborts:-0}" -ge 1 ]; then
  pass "Linux counted the abortive close (TcpExtTCPAbortOnClose = $linux_aborts)"
else
  fail "Linux's TcpExtTCPAbortOnClose = ${linux_aborts:-0}, want >= 1 (no RST sent?)"
fi
# ustcp_has_peer PORT: ustcp still has a socket (any state) with 198.18.0.1:PORT.
ustcp_has_peer() { ctl echo ss -a | awk -v p="198.18.0.1:$1" '$NF == p || $(NF-1) == p { f = 1 } END { exit !f }'; }
gone() { ! ustcp_has_peer "$1"; }
if [ -n "$port" ] && wait_for 3 gone "$port"; then
  pass "after Linux's RST, ustcp has no socket left for 198.18.0.1:$port (no ESTAB, CLOSE-WAIT, TIME-WAIT)"
else
  fail "after Linux's RST, ustcp still has the connection from :${port:-?}"; ctl echo ss -a | sed 's/^/     | /'
fi
resets1=$(counter echo TcpEstabResets)
if [ "$resets1" -gt "$resets0" ]; then
  pass "ustcp TcpEstabResets grew ($resets0 -> $resets1)"
else
  fail "ustcp TcpEstabResets $resets0 -> $resets1, want it to grow"
fi
client roundtrip 5000 >"$DIR/after.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then pass "after the RST, the echo server serves a new connection"; else fail "after the RST, a new echo connection failed"; indent "$DIR/after.out"; fi

# ---- 1,000 short connections -----------------------------------------------------------------
opens0=$(counter echo TcpPassiveOpens)
client many 1000 60 >"$DIR/many.out" 2>&1
rc=$?; report "$DIR/many.out"; [ $rc -eq 0 ] || fail "1000 connections: the helper exited $rc"
opens1=$(counter echo TcpPassiveOpens)
if [ $((opens1 - opens0)) -eq 1000 ]; then
  pass "ustcp TcpPassiveOpens grew by exactly 1000"
else
  fail "ustcp TcpPassiveOpens grew by $((opens1 - opens0)), want 1000"
fi
# The clients closed first: every TIME-WAIT is Linux's; ustcp keeps nothing but its listener.
no_conns() { [ "$(ctl echo ss -H | grep -c .)" -eq 0 ]; }
if wait_for 3 no_conns; then
  pass "after 1000 client-closed connections ustcp holds no connection (ustcp ss is empty)"
else
  fail "ustcp still holds connections:"; ctl echo ss | head -10 | sed 's/^/     | /'
fi
tw=$(in_ns ss -tan state time-wait | grep -c '198.18.0.2:7\b')
if [ "$tw" -ge 1000 ]; then pass "Linux holds the TIME-WAITs ($tw to 198.18.0.2:7)"; else fail "Linux holds $tw TIME-WAITs to :7, want >= 1000"; fi

stop_serve echo "$pid"
rsts=$(tshark -n -r "$DIR/echo.pcap" -Y "tcp.flags.reset == 1 && ip.src == 198.18.0.1 && tcp.srcport == ${port:-0}" 2>/dev/null | grep -vc '^Running as')
if [ "$rsts" -ge 1 ]; then pass "the pcap shows Linux's RST from :$port"; else fail "no RST from :$port in the pcap"; fi
check_pcap "$DIR/echo.pcap" 1000
finish
