# A SYN flood from spoofed sources against `ustcp serve --http 80` with SYN cookies on and a
# small backlog: during the flood, curl (the kernel's TCP) still fetches "/" several times,
# ustcp keeps no more than backlog + 1 in SYN-RECV, and it counts TcpExtSyncookiesSent.
# The SYN-ACKs to 198.19.x.x come back into the namespace's kernel, which has no route for
# them and does not forward: they go nowhere.
source "$(dirname "$0")/lib.bash"
need_basics
need_prog curl curl
setup_ns

COUNT=${SYNFLOOD_COUNT:-40000}   # at most this many SYNs
SECONDS_MAX=4                    # for at most this long
RATE=${SYNFLOOD_RATE:-12000}     # at most this many per second
BACKLOG=16

start_serve flood --tun tun0 --addr 198.18.0.2/24 --http 80 --backlog $BACKLOG \
  --sysctl net.ipv4.tcp_syncookies=1 --pcap "$DIR/flood.pcap"
pid=$SERVE_PID

# The spoofed sources' replies must stay in the namespace: no forwarding, no route.
if [ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ! in_ns ip route get 198.19.1.1 >/dev/null 2>&1; then
  pass "the namespace neither forwards nor routes 198.19.0.0/16 (the SYN-ACKs go nowhere)"
else
  die "the namespace would route or forward 198.19.0.0/16: not flooding"
fi
in_ns curl -sS --max-time 5 -o "$DIR/before.html" http://198.18.0.2/ || fail "curl before the flood"

sent0=$(counter flood TcpExtSyncookiesSent)
bg_ns "$DIR/flood.out" timeout $((SECONDS_MAX + 5)) python3 "$HERE/synflood.py" 198.18.0.2 80 198.19.0.0 "$COUNT" "$SECONDS_MAX" "$RATE"
flooder=$BG_PID
sleep 0.5  # let the flood fill the SYN queue
ok=0 tries=0 during=0 max_recv=0
for ((i = 0; i < 5; i++)); do
  tries=$((tries + 1))
  if in_ns curl -sS --max-time 3 -o "$DIR/during.$i.html" -w '%{time_total}\n' http://198.18.0.2/ >"$DIR/during.$i.w" 2>&1 &&
     cmp -s "$DIR/before.html" "$DIR/during.$i.html"; then
    ok=$((ok + 1))
    # Still flooding once this fetch is done: it happened during the flood.
    kill -0 "$flooder" 2>/dev/null && during=$((during + 1))
  else
    indent "$DIR/during.$i.w"
  fi
  # SYN-RECV entries while the flood runs: never more than the backlog + 1 (Linux's
  # inet_csk_reqsk_queue_is_full: the queue is full when its length exceeds the backlog).
  n=$(ctl flood ss -H state syn-recv | grep -c .)
  [ "$n" -gt "$max_recv" ] && max_recv=$n
  kill -0 "$flooder" 2>/dev/null || break
  sleep 0.4
done
wait "$flooder"; frc=$?; forget_pid "$flooder"
if [ $frc -eq 0 ]; then pass "the flood: $(cat "$DIR/flood.out")"; else fail "the flooder exited $frc"; indent "$DIR/flood.out"; fi
if [ "$ok" -eq "$tries" ] && [ "$during" -ge 3 ]; then
  pass "curl fetched / $ok times out of $tries, byte exact, $during of them while the flood went on"
else
  fail "curl fetched / $ok times out of $tries, $during while the flood went on (want all, and >= 3 during it)"
fi
if [ "$max_recv" -ge 1 ] && [ "$max_recv" -le $((BACKLOG + 1)) ]; then
  pass "at most $max_recv SYN-RECV entries in ustcp ss during the flood (backlog $BACKLOG): the rest got cookies, no state"
else
  fail "$max_recv SYN-RECV entries during the flood, want 1 to backlog + 1 = $((BACKLOG + 1))"
fi
sent1=$(counter flood TcpExtSyncookiesSent)
if [ "$sent1" -gt "$sent0" ]; then
  pass "ustcp nstat -a TcpExtSyncookiesSent = $sent1 (> 0)"
else
  fail "TcpExtSyncookiesSent = $sent1, want > 0"; ctl flood nstat -a | sed 's/^/     | /'
fi
recv=$(counter flood TcpExtSyncookiesRecv)
if [ "$recv" -ge 1 ]; then
  pass "ustcp nstat -a TcpExtSyncookiesRecv = $recv: curl's connections came in through cookies"
else
  fail "TcpExtSyncookiesRecv = 0: no connection was accepted through a cookie"
fi
ctl flood nstat -a 'TcpExt*Syn*' 'TcpExtListen*' 'TcpExtTCPReqQFull*' 'TcpInSegs' | grep -v '^#' | sed 's/^/#      /'
# And after the flood ustcp still serves.
if in_ns curl -sS --max-time 5 -o "$DIR/after.html" http://198.18.0.2/ && cmp -s "$DIR/before.html" "$DIR/after.html"; then
  pass "after the flood curl fetches / again"
else
  fail "curl after the flood"
fi
stop_serve flood "$pid"
check_pcap "$DIR/flood.pcap" 1000
finish
