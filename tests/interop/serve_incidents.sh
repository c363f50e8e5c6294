# `ustcp serve` on a TUN device, made to misbehave as the incidents of `ustcp lab` need, with
# the Linux kernel's TCP on the other side:
#  --trace         a line per segment and per state change, as `ustcp demo` prints them;
#  --no-close      CLOSE-WAIT piles up on ustcp (Recv-Q 1), FIN-WAIT-2 on Linux;
#  --accept-delay  a slow accepter: the accept queue fills (backlog + 1), ListenOverflows.
source "$(dirname "$0")/lib.bash"
need_root
need_tun
need_prog ip iproute2
need_prog ss iproute2
need_prog python3 python3
need_prog curl curl
need_ustcp
setup_ns

# ---- --trace -------------------------------------------------------------------------------
start_serve trace --tun tun0 --addr 198.18.0.2/24 --http 80 --trace
in_ns curl -s -m 5 -o /dev/null http://198.18.0.2/ || fail "curl through a --trace daemon"
sleep 0.3
out="$DIR/trace.out"
grep -Eq '^ +[0-9]+\.[0-9]{6}  198\.18\.0\.1 > ustcp +S +seq 0 +ack - ' "$out" &&
  pass "--trace: curl's SYN as a demo line (time, from > to, flags, relative seq)" ||
  { fail "--trace: no SYN line"; indent "$out"; }
grep -Eq '^ +[0-9.]+  \* ustcp 198\.18\.0\.2:80 198\.18\.0\.1:[0-9]+: CLOSED -> SYN-RECV$' "$out" &&
  grep -Eq ': SYN-RECV -> ESTAB$' "$out" &&
  pass "--trace: the state changes (CLOSED -> SYN-RECV -> ESTAB)" || { fail "--trace: state lines"; indent "$out"; }
grep -Eq 'ustcp > 198\.18\.0\.1 P\. +seq 1 ' "$out" && pass "--trace: the response segment" ||
  fail "--trace: no response segment"
stop_serve trace "$SERVE_PID"

# ---- --no-close: a CLOSE-WAIT leak ---------------------------------------------------------
start_serve leak --tun tun1 --addr 198.18.1.2/24 --http 80 --no-close
cat >"$DIR/leak.py" <<'EOF'
import socket
for i in range(5):
    s = socket.socket(); s.connect(("198.18.1.2", 80))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); s.recv(1000); s.close()
EOF
in_ns python3 "$DIR/leak.py" || fail "the leak clients failed"
sleep 0.5
n=$(ctl leak ss -Htn state close-wait | awk '$1 == 1' | wc -l)
[ "$n" -eq 5 ] && pass "--no-close: 5 connections in CLOSE-WAIT on ustcp, Recv-Q 1 (the FIN)" ||
  { fail "--no-close: $n CLOSE-WAIT with Recv-Q 1, want 5"; ctl leak ss -tan | sed 's/^/     | /'; }
n=$(in_ns ss -Htno state fin-wait-2 | grep -c 'timer:(timewait,')
[ "$n" -eq 5 ] && pass "--no-close: Linux's orphans wait in FIN-WAIT-2 (timer:(timewait,...))" ||
  { fail "Linux FIN-WAIT-2: $n, want 5"; in_ns ss -tano | sed 's/^/     | /'; }
stop_serve leak "$SERVE_PID"

# ---- --accept-delay: the accept queue overflows ------------------------------------------
start_serve slow --tun tun2 --addr 198.18.2.2/24 --http 80 --accept-delay 30 --backlog 2
cat >"$DIR/burst.py" <<'EOF'
import socket, time
keep = []
for i in range(8):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("198.18.2.2", 80))
    except BlockingIOError: pass
    keep.append(s)
time.sleep(1.5)
EOF
in_ns python3 "$DIR/burst.py"
ctl slow ss -Htln >"$DIR/slow.ss"
grep -Eq '^LISTEN +3 +2 ' "$DIR/slow.ss" &&
  pass "--accept-delay: the accept queue holds backlog + 1 = 3 (ss: Recv-Q 3, Send-Q 2)" ||
  { fail "accept queue"; indent "$DIR/slow.ss"; }
n=$(counter slow TcpExtListenOverflows)
[ "$n" -gt 0 ] && pass "--accept-delay: TcpExtListenOverflows = $n" || fail "no ListenOverflows"
stop_serve slow "$SERVE_PID"
finish
