# `ustcp ss` lays out sockets byte for byte as iproute2's ss does: the kernel's own TCP
# sockets in a namespace (listeners, ESTAB with data queued and keepalive on, CLOSE-WAIT and
# FIN-WAIT-2, TIME-WAIT, a connection waiting in an accept queue) are read over
# NETLINK_SOCK_DIAG into ustcp's socket JSON (sock_diag.py), rendered by
# `ustcp ss --input` and compared with `ss` itself, option set by option set: columns,
# widths, alignment, state and expression filters, timers (-o), details (-e), memory (-m),
# tcp_info (-i), -O, -H, the Netid column. Figures that move while the two run (timer
# expiries, "ms since" fields) have their digits replaced by 9 in both outputs; a figure
# that grows a digit in between still makes a pair differ: each pair gets 3 tries.
# ss -e prints "cgroup:/" (ustcp sockets have no cgroup): it is taken out of ss's output,
# and trailing blanks of both outputs with it, for the option sets with -e only.
source "$(dirname "$0")/lib.bash"
need_root
need_prog ip iproute2
need_prog ss iproute2
need_prog python3 python3
need_ustcp
setup_ns
# Not bbr (some hosts' default): ss prints a bbr:(...) block from INET_DIAG_BBRINFO, which
# ustcp, without BBR, does not render. Reno's and CUBIC's lines have no block of their own.
in_ns sysctl -qw net.ipv4.tcp_congestion_control=reno || note "could not select reno"

cat >"$DIR/sockets.py" <<'EOF'
import socket, sys, time
keep = []
def listener(port, backlog=8):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port)); l.listen(backlog); keep.append(l); return l
l80, l5555 = listener(80), listener(5555)
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.connect(("127.0.0.1", 80)); a, _ = l80.accept(); keep += [c, a]
c.send(b"x" * 1000); time.sleep(0.05); a.recv(100)          # 900 bytes left unread
c2 = socket.socket(); c2.connect(("127.0.0.1", 5555)); a2, _ = l5555.accept()
a2.close(); keep.append(c2)                                  # FIN-WAIT-2 / CLOSE-WAIT
c3 = socket.socket(); c3.connect(("127.0.0.1", 5555)); a3, _ = l5555.accept()
c3.close(); time.sleep(0.05); a3.close(); keep.append(a3)    # TIME-WAIT
c4 = socket.socket(); c4.connect(("127.0.0.1", 5555)); keep.append(c4)  # not accepted
c5 = socket.socket(); c5.bind(("127.0.0.1", 20000)); c5.connect(("127.0.0.1", 80))
keep.append(c5)                                              # ESTAB, in the accept queue
print("ready", flush=True)
time.sleep(120)
EOF
bg_ns_ready "$DIR/sockets.out" python3 "$DIR/sockets.py"
sleep 0.2

# compare NAME [--strip-cgroup] -- SS_ARGS...
compare() {
  local name=$1 strip=0 try real ours
  shift
  [ "$1" = --strip-cgroup ] && { strip=1; shift; }
  [ "$1" = -- ] && shift
  for try in 1 2 3; do
    in_ns ss "$@" >"$DIR/real.txt" 2>"$DIR/real.err"
    in_ns python3 "$HERE/sock_diag.py" >"$DIR/sockets.json" || die "sock_diag.py failed"
    "$USTCP" ss "$@" --input "$DIR/sockets.json" >"$DIR/ours.txt" 2>&1
    # Figures that move between the two reads: a timer's time left, ms since the last send,
    # receive and ACK. Each digit becomes 9, so widths (and the layout) still count.
    perl -pi -e 's/(timer:\([a-z]+,)([^,]+)/$1.($2=~tr#0-9#9#r)/ge;
                 s/(last(?:snd|rcv|ack):)(\d+)/$1.($2=~tr#0-9#9#r)/ge' "$DIR/real.txt" "$DIR/ours.txt"
    if [ "$strip" -eq 1 ]; then
      sed -i 's/ cgroup:[^ ]*//; s/[[:space:]]*$//' "$DIR/real.txt"
      sed -i 's/[[:space:]]*$//' "$DIR/ours.txt"
    fi
    if cmp -s "$DIR/real.txt" "$DIR/ours.txt"; then
      pass "ss $* = ustcp ss $* ($(wc -l <"$DIR/real.txt") lines, $(wc -c <"$DIR/real.txt") bytes)"
      return
    fi
    sleep 0.3
  done
  fail "ss $*: ustcp's output differs (diff real ours):"
  diff "$DIR/real.txt" "$DIR/ours.txt" | cat -A | head -20 | sed 's/^/     | /'
}

compare table -- -tan
compare resolve -- -ta
compare no-header -- -tanH
compare listening -- -tnl
compare a-then-l -- -tanl
compare l-then-a -- -tlna
compare connected -- -tn
compare netid -- -tw -an
compare two-tables -- -tuan
compare udp -- -un
compare raw -- -wn
compare udp-raw -- -uwn
compare udp-ipv4 -- -4un
compare unix -- -xn
compare unix-listening -- -xln
compare unix-state -- -xn state established
compare ipv4 -- -4tan
compare ipv6-none -- -6tan
compare timers -- -tano
compare memory -- -tanm
compare info -- -tani
compare info-options -- -tanio
compare oneline -- -tanOim
compare details --strip-cgroup -- -tane
compare everything --strip-cgroup -- -tanoiem
compare state -- -tan state established
compare state-two -- -tn state fin-wait-2 state close-wait
compare exclude -- -tn exclude time-wait
compare state-listening -- -tn state listening
compare bucket -- -tn state bucket
compare synchronized -- -tn state synchronized
compare big -- -tn state big
compare dport -- -tan dport = :80
compare sport-name -- -ta sport = :http
compare or -- -tan '( sport = :80 or dport = :80 )'
compare ge -- -tan sport '>=' :1024
compare gt -- -tan sport gt :5555
compare ne -- -tan dport '!=' :5555
compare dst -- -tan dst 127.0.0.1
compare src-prefix -- -tan src 127.0.0.0/8 and not sport = :5555
compare dst-port -- -tan dst 127.0.0.1:5555
compare juxtaposed -- -tan state established sport = :80 dport = :20000
compare left-to-right -- -tan sport = :80 or sport = :5555 and dport = :20000
compare autobound -- -tan autobound

finish
