# ping (Linux's iputils) to ustcp on a TUN device: every echo request is answered, and
# ustcp counts them (IcmpInEchos) as Linux would.
source "$(dirname "$0")/lib.bash"
need_basics
need_prog ping iputils-ping
setup_ns

start_serve serve --tun tun0 --addr 198.18.0.2/24 --echo 7 --pcap "$DIR/serve.pcap"
pid=$SERVE_PID

if in_ns ping -n -c 3 -i 0.2 -W 2 -w 10 198.18.0.2 >"$DIR/ping.out" 2>&1 &&
   grep -q '3 packets transmitted, 3 received' "$DIR/ping.out"; then
  pass "ping -c 3 198.18.0.2: 3 replies ($(grep -o 'rtt.*' "$DIR/ping.out"))"
else
  fail "ping -c 3 198.18.0.2"; indent "$DIR/ping.out"
fi
# A large echo request (IP fragments are not needed: 1400 bytes fits the MTU).
if in_ns ping -n -c 1 -s 1400 -W 2 -w 5 198.18.0.2 >"$DIR/ping2.out" 2>&1 &&
   grep -q '1408 bytes from 198.18.0.2' "$DIR/ping2.out"; then
  pass "ping -s 1400: the 1408-byte reply came back"
else
  fail "ping -s 1400"; indent "$DIR/ping2.out"
fi

n=$(counter serve IcmpInEchos)
if [ "$n" -ge 4 ]; then pass "ustcp nstat -a IcmpInEchos = $n (>= 4)"; else fail "IcmpInEchos = $n, want >= 4"; ctl serve nstat -a | sed 's/^/     | /'; fi
n=$(counter serve IcmpOutEchoReps)
if [ "$n" -ge 4 ]; then pass "ustcp nstat -a IcmpOutEchoReps = $n (>= 4)"; else fail "IcmpOutEchoReps = $n, want >= 4"; fi

stop_serve serve "$pid"
if in_ns ip link show tun0 >/dev/null 2>&1; then fail "tun0 still exists after ustcp serve exited"; else pass "tun0 removed when ustcp serve exited"; fi
check_pcap "$DIR/serve.pcap" 8
finish
