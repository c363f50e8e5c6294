# ustcp's TCP counters (`ustcp nstat -a`) mean what Linux's mean, checked against the pcap
# and against the namespace's own kernel doing the same transfer the other way: a Python
# client sends 1 MB to ustcp's echo server, which sends it back, over one connection without
# loss.
#   TcpInSegs / TcpOutSegs        = the TCP segments in the pcap to / from ustcp
#   TcpExtTCPOrigDataSent         = the data-bearing segments from ustcp in the pcap
#   TcpExtTCPDelivered            = data segments delivered (acknowledged): with no loss the
#                                   same as TCPOrigDataSent, give or take the SYN and FIN
#                                   (Linux: tcp_newly_delivered adds tp->delivered, counted in
#                                   segments, not ACKs); the kernel in the namespace is the
#                                   reference and is checked the same way.
source "$(dirname "$0")/lib.bash"
need_basics
need_prog nstat iproute2
setup_ns

start_serve echo --tun tun0 --addr 198.18.0.2/24 --echo 7 --pcap "$DIR/echo.pcap"
pid=$SERVE_PID
in_ns timeout 60 python3 "$HERE/echo_client.py" 198.18.0.2 7 roundtrip 1048576 >"$DIR/rt.out" 2>&1
rc=$?; cat "$DIR/rt.out"; fails=$((fails + $(grep -c '^FAIL' "$DIR/rt.out"))); [ $rc -eq 0 ] || fail "the round trip: exit $rc"
gone() { [ "$(ctl echo ss -H | grep -c .)" -eq 0 ]; }
wait_for 3 gone || fail "ustcp still has the connection 3 s after the client closed"

declare -A U L
while read -r name value _; do U[$name]=$value; done < <(ctl echo nstat -az | grep -v '^#')
while read -r name value _; do L[$name]=$value; done < <(in_ns nstat -asz | grep -v '^#')
stop_serve echo "$pid"

# From the pcap: segments each way, and ustcp's data-bearing segments.
count() { tshark -n -r "$DIR/echo.pcap" -Y "$1" 2>/dev/null | grep -vc '^Running as'; }
p_out=$(count 'tcp && ip.src == 198.18.0.2')
p_in=$(count 'tcp && ip.src == 198.18.0.1')
p_data=$(count 'tcp.len > 0 && ip.src == 198.18.0.2')
p_rexmit=$(count 'tcp.analysis.retransmission && ip.src == 198.18.0.2')
note "pcap: $p_out segments from ustcp ($p_data with data, $p_rexmit retransmitted), $p_in to it"
note "ustcp: TcpOutSegs ${U[TcpOutSegs]:-?} TcpInSegs ${U[TcpInSegs]:-?} TcpRetransSegs ${U[TcpRetransSegs]:-?} TCPOrigDataSent ${U[TcpExtTCPOrigDataSent]:-?} TCPDelivered ${U[TcpExtTCPDelivered]:-?}"
note "Linux: TcpOutSegs ${L[TcpOutSegs]:-?} TcpInSegs ${L[TcpInSegs]:-?} TcpRetransSegs ${L[TcpRetransSegs]:-?} TCPOrigDataSent ${L[TcpExtTCPOrigDataSent]:-?} TCPDelivered ${L[TcpExtTCPDelivered]:-?}"

eq() { if [ "${2:-x}" = "${3:-y}" ]; then pass "$1 = $2"; else fail "$1 = ${2:-missing}, want ${3:-?}"; fi; }
eq "ustcp TcpPassiveOpens" "${U[TcpPassiveOpens]:-}" 1
eq "ustcp TcpRetransSegs (no loss on the TUN; the pcap shows $p_rexmit)" "${U[TcpRetransSegs]:-}" "$p_rexmit"
eq "ustcp TcpOutSegs (the pcap's segments from ustcp)" "${U[TcpOutSegs]:-}" "$p_out"
eq "ustcp TcpInSegs (the pcap's segments to ustcp)" "${U[TcpInSegs]:-}" "$p_in"
eq "ustcp TcpExtTCPOrigDataSent (the pcap's data segments from ustcp)" "${U[TcpExtTCPOrigDataSent]:-}" "$p_data"
# delivered SIDE DELIVERED ORIGDATASENT: with no loss, Delivered is OrigDataSent (+ SYN/FIN).
delivered() {
  local who=$1 d=${2:-0} o=${3:-0}
  if [ "$o" -gt 100 ] && [ "$d" -ge "$o" ] && [ "$d" -le $((o + 2)) ]; then
    pass "$who TcpExtTCPDelivered = $d, TcpExtTCPOrigDataSent = $o: every data segment counted once delivered"
  else
    fail "$who TcpExtTCPDelivered = $d, want TcpExtTCPOrigDataSent ($o) to +2: Linux counts delivered segments (tp->delivered), not ACKs"
  fi
}
delivered "Linux (the reference)" "${L[TcpExtTCPDelivered]:-}" "${L[TcpExtTCPOrigDataSent]:-}"
delivered "ustcp" "${U[TcpExtTCPDelivered]:-}" "${U[TcpExtTCPOrigDataSent]:-}"
check_pcap "$DIR/echo.pcap" 100
finish
