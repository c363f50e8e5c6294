# SIGTERM to `ustcp serve` with connections open: it closes each with a FIN (the Linux
# clients read EOF, not a reset), waits for the FINs to be acknowledged, exits 0, and removes
# what it created (the TUN device and the control socket).
source "$(dirname "$0")/lib.bash"
need_basics
setup_ns

start_serve serve --tun tun0 --addr 198.18.0.2/24 --echo 7 --http 80 --pcap "$DIR/serve.pcap"
pid=$SERVE_PID
bg_ns "$DIR/client.out" timeout 30 python3 "$HERE/shutdown.py" 198.18.0.2 7 80 "$DIR/ready"
client=$BG_PID
wait_for 10 test -e "$DIR/ready" || die "the python client did not connect"
if [ "$(ctl serve ss state established | grep -c 198.18.0.1)" -eq 2 ]; then
  pass "two connections ESTABLISHED before SIGTERM"
else
  fail "want two ESTABLISHED connections"; ctl serve ss -a | sed 's/^/     | /'
fi

# nstat without -a prints increments since the previous call, as nstat does: with the
# connections idle, a second call right after the first has nothing to report.
ctl serve nstat >/dev/null
if [ "$(ctl serve nstat)" = "#kernel" ]; then
  pass "ustcp nstat: increments since the last call (none while idle)"
else
  fail "a second ustcp nstat while idle printed:"; ctl serve nstat -a | sed 's/^/     | /'
fi
if out=$(ctl serve ss state bogus 2>&1); then
  fail "ustcp ss state bogus: exit 0"
else
  rc=$?
  [ "$rc" -eq 2 ] && [[ $out == *"wrong state name: bogus"* ]] && pass "ustcp ss state bogus: exit 2, the name is refused" ||
    fail "ustcp ss state bogus: exit $rc: $out"
fi

stop_serve serve "$pid"
wait "$client"; rc=$?
forget_pid "$client"
if [ "$rc" -eq 0 ]; then
  pass "both clients read EOF: $(tr '\n' ' ' <"$DIR/client.out")"
else
  fail "clients (exit $rc):"; indent "$DIR/client.out"
fi
if grep -q "closing 2 connection(s) with FIN" "$DIR/serve.out"; then
  pass "the daemon said it closed 2 connections with FIN"
else
  fail "no 'closing 2 connection(s) with FIN' line"; indent "$DIR/serve.out"
fi
if grep -q "did not finish closing" "$DIR/serve.out"; then
  fail "the daemon left connections unfinished"; indent "$DIR/serve.out"
else
  pass "every FIN was acknowledged before the daemon exited"
fi
# The pcap: ustcp sent a FIN on both connections and no RST at all.
fins=$(tshark -n -r "$DIR/serve.pcap" -Y 'ip.src == 198.18.0.2 && tcp.flags.fin == 1' 2>/dev/null | grep -c .)
rsts=$(tshark -n -r "$DIR/serve.pcap" -Y 'ip.src == 198.18.0.2 && tcp.flags.reset == 1' 2>/dev/null | grep -c .)
if [ "$fins" -eq 2 ] && [ "$rsts" -eq 0 ]; then
  pass "pcap: ustcp sent 2 FINs and no RST"
else
  fail "pcap: ustcp sent $fins FIN(s) and $rsts RST(s), want 2 and 0"
fi
if in_ns ip link show tun0 >/dev/null 2>&1; then fail "tun0 still exists"; else pass "tun0 removed"; fi
if [ -e "$DIR/serve.sock" ]; then fail "control socket $DIR/serve.sock left behind"; else pass "control socket removed"; fi
check_pcap "$DIR/serve.pcap" 10
finish
