# curl (the Linux kernel's TCP) fetches from `ustcp serve --http 80`: the small page and
# 100 MB bodies byte exact, with keep-alive on (one connection for several URLs) and off
# (Connection: close from curl, and --keepalive-timeout 0 on the server); when the server
# closes first, the TIME-WAIT is ustcp's (`ustcp ss state time-wait`), not Linux's.
source "$(dirname "$0")/lib.bash"
need_basics
need_prog curl curl
setup_ns

U=http://198.18.0.2
BIG=$((100 * 1024 * 1024))
# curl_get OUT_PREFIX ARGS...: runs curl in the namespace; one line per URL in $DIR/OUT.w:
# "num_connects local_port http_code size_download".
curl_get() {
  local out=$1; shift
  in_ns curl -sS --max-time 60 -w '%{num_connects} %{local_port} %{http_code} %{size_download}\n' "$@" \
    >"$DIR/$out.w" 2>"$DIR/$out.err"
}
# ustcp_tw NAME PORT: ustcp's TIME-WAIT table holds the connection from Linux's PORT.
ustcp_tw() { ctl "$1" ss state time-wait | awk -v p="198.18.0.1:$2" '$NF == p || $(NF-1) == p { f = 1 } END { exit !f }'; }
# linux_tw PORT: the namespace's kernel holds a TIME-WAIT for its local PORT.
linux_tw() { in_ns ss -tan state time-wait | awk -v p="198.18.0.1:$1" '$3 == p { f = 1 } END { exit !f }'; }
# server_closed_first NAME PORT: ustcp holds the TIME-WAIT of the connection from PORT.
# TCP's state machine makes that the proof: a TIME-WAIT is reached only by the end that sent
# its FIN before receiving the other's (through FIN_WAIT_2, or CLOSING when both FINs
# cross); the end that closes second goes CLOSE_WAIT -> LAST_ACK -> CLOSED. When curl
# closes the instant it has read Content-Length bytes, its FIN can cross ours in flight (a
# simultaneous close, RFC 9293 3.6 case 2): then Linux holds a TIME-WAIT too, which is
# correct and only noted.
server_closed_first() {
  wait_for 3 ustcp_tw "$1" "$2" || return 1
  if linux_tw "$2"; then note "198.18.0.1:$2: the FINs crossed (simultaneous close): both ends hold TIME-WAIT"; fi
  return 0
}
# ports FILE: the local ports curl used, one per line.
ports() { awk '{ print $2 }' "$1" | sort -u; }

# ---- 1. keep-alive on (default keepalive_timeout 75 s) -------------------------------------
start_serve ka --tun tun0 --addr 198.18.0.2/24 --http 80 --pcap "$DIR/ka.pcap"
ka=$SERVE_PID

if curl_get page -o "$DIR/page.html" "$U/" && grep -q 'Hello from ustcp' "$DIR/page.html" &&
   [ "$(awk '{ print $3 }' "$DIR/page.w")" = 200 ]; then
  pass "curl $U/: 200, the page says 'Hello from ustcp'"
else
  fail "curl $U/"; indent "$DIR/page.w"; indent "$DIR/page.err"; indent "$DIR/page.html"
fi

# A port nobody listens on: ustcp answers the SYN with RST, connect() fails with ECONNREFUSED.
in_ns curl -sS -v --max-time 10 -o /dev/null http://198.18.0.2:81/ >"$DIR/refused.err" 2>&1; rc=$?
if [ $rc -eq 7 ] && grep -q 'Connection refused' "$DIR/refused.err"; then
  pass "curl to port 81 (no listener): connection refused (exit 7)"
else
  fail "curl to port 81: exit $rc, want 7 and 'Connection refused'"; indent "$DIR/refused.err"
fi

opens0=$(counter ka TcpPassiveOpens)
if curl_get ka -o "$DIR/k1" "$U/" -o "$DIR/k2" "$U/bytes/100000" -o "$DIR/k3" "$U/bytes/1" \
     -o "$DIR/k4" "$U/bytes/1048576"; then
  pass "curl with 4 URLs (keep-alive) exit 0"
else
  fail "curl with 4 URLs: exit $?"; indent "$DIR/ka.err"
fi
opens1=$(counter ka TcpPassiveOpens)
if [ "$(awk '{ print $1 }' "$DIR/ka.w" | tr '\n' ' ')" = "1 0 0 0 " ] && [ "$(ports "$DIR/ka.w" | wc -l)" = 1 ]; then
  pass "keep-alive: curl made 1 connection for 4 URLs (num_connects 1 0 0 0, one local port)"
else
  fail "keep-alive: curl's num_connects/local_port per URL:"; indent "$DIR/ka.w"
fi
if [ $((opens1 - opens0)) -eq 1 ]; then pass "keep-alive: ustcp TcpPassiveOpens grew by 1"; else fail "keep-alive: TcpPassiveOpens $opens0 -> $opens1, want +1"; fi
if cmp -s "$DIR/page.html" "$DIR/k1"; then pass "keep-alive: / again, same page"; else fail "keep-alive: / differs the second time"; fi
for n in 100000 1; do
  f=$DIR/k2; [ "$n" = 1 ] && f=$DIR/k3
  if r=$(pattern check "$n" "$f"); then pass "keep-alive: /bytes/$n byte exact"; else fail "keep-alive: /bytes/$n: $r"; fi
done
if r=$(pattern check 1048576 "$DIR/k4"); then pass "keep-alive: /bytes/1048576 byte exact"; else fail "keep-alive: /bytes/1048576: $r"; fi
# curl closed the idle connection when it exited: the client closed first, Linux's TIME-WAIT.
port=$(ports "$DIR/ka.w" | head -1)
if wait_for 3 linux_tw "$port" && ! ustcp_tw ka "$port"; then
  pass "keep-alive: curl closed first (at exit): TIME-WAIT in Linux's ss, not in ustcp ss"
else
  fail "keep-alive: after curl's close, want TIME-WAIT for :$port in Linux only"
  in_ns ss -tan | sed 's/^/     | linux: /'; ctl ka ss -a | sed 's/^/     | ustcp: /'
fi

# ---- 2. keep-alive off from the client: Connection: close -----------------------------------
opens0=$(counter ka TcpPassiveOpens)
if curl_get close -H 'Connection: close' -o "$DIR/c1" "$U/bytes/5000" -o "$DIR/c2" "$U/"; then
  pass "curl -H 'Connection: close' with 2 URLs exit 0"
else
  fail "curl -H 'Connection: close': exit $?"; indent "$DIR/close.err"
fi
opens1=$(counter ka TcpPassiveOpens)
if [ "$(awk '{ print $1 }' "$DIR/close.w" | tr '\n' ' ')" = "1 1 " ] && [ $((opens1 - opens0)) -eq 2 ]; then
  pass "Connection: close: one connection per URL (num_connects 1 1, TcpPassiveOpens +2)"
else
  fail "Connection: close: TcpPassiveOpens $opens0 -> $opens1, curl says:"; indent "$DIR/close.w"
fi
if r=$(pattern check 5000 "$DIR/c1") && cmp -s "$DIR/page.html" "$DIR/c2"; then
  pass "Connection: close: bodies byte exact"
else
  fail "Connection: close: bodies differ ($r)"
fi
for port in $(ports "$DIR/close.w"); do
  if server_closed_first ka "$port"; then
    pass "Connection: close: the server closed first: TIME-WAIT for 198.18.0.1:$port in ustcp ss"
  else
    fail "Connection: close: want TIME-WAIT for :$port on ustcp's side"
    ctl ka ss -a | sed 's/^/     | ustcp: /'; in_ns ss -tan | sed 's/^/     | linux: /'
  fi
done
stop_serve ka "$ka"
check_pcap "$DIR/ka.pcap" 100

# ---- 3. keep-alive off on the server: --keepalive-timeout 0 -----------------------------------
start_serve noka --tun tun0 --addr 198.18.0.2/24 --http 80 --keepalive-timeout 0 --pcap "$DIR/noka.pcap"
noka=$SERVE_PID
if curl_get noka -o "$DIR/n1" "$U/" -o "$DIR/n2" "$U/bytes/1048576"; then
  pass "curl 2 URLs from --keepalive-timeout 0: exit 0"
else
  fail "curl from --keepalive-timeout 0: exit $?"; indent "$DIR/noka.err"
fi
if [ "$(awk '{ print $1 }' "$DIR/noka.w" | tr '\n' ' ')" = "1 1 " ]; then
  pass "--keepalive-timeout 0: the server closed after each response (num_connects 1 1)"
else
  fail "--keepalive-timeout 0: curl's num_connects per URL:"; indent "$DIR/noka.w"
fi
if cmp -s "$DIR/page.html" "$DIR/n1" && r=$(pattern check 1048576 "$DIR/n2"); then
  pass "--keepalive-timeout 0: bodies byte exact"
else
  fail "--keepalive-timeout 0: bodies differ (${r:-})"
fi
for port in $(ports "$DIR/noka.w"); do
  if server_closed_first noka "$port"; then
    pass "--keepalive-timeout 0: the server closed first: TIME-WAIT for 198.18.0.1:$port in ustcp ss"
  else
    fail "--keepalive-timeout 0: want TIME-WAIT for :$port on ustcp's side"
    ctl noka ss -a | sed 's/^/     | ustcp: /'; in_ns ss -tan | sed 's/^/     | linux: /'
  fi
done
stop_serve noka "$noka"
check_pcap "$DIR/noka.pcap" 20

# ---- 4. 100 MB, keep-alive on and off, from --root --------------------------------------------
# No pcap here: the 100 MB bodies would make it a 200+ MB file.
mkdir "$DIR/www"
head -c "$BIG" /dev/urandom >"$DIR/www/random.bin"
echo "small file" >"$DIR/www/small.txt"
start_serve big --tun tun0 --addr 198.18.0.2/24 --http 80 --root "$DIR/www"
big=$SERVE_PID
if curl_get big1 -o "$DIR/b1" "$U/random.bin" -o "$DIR/b2" "$U/small.txt" &&
   [ "$(awk '{ print $1 " " $3 }' "$DIR/big1.w" | tr '\n' ' ')" = "1 200 0 200 " ]; then
  pass "keep-alive: 100 MB file then a small one on one connection (num_connects 1 0)"
else
  fail "keep-alive: 100 MB file then small.txt"; indent "$DIR/big1.w"; indent "$DIR/big1.err"
fi
if cmp "$DIR/www/random.bin" "$DIR/b1" && cmp -s "$DIR/www/small.txt" "$DIR/b2"; then
  pass "keep-alive: the random 100 MB file byte exact (cmp)"
else
  fail "keep-alive: the 100 MB file differs"
fi
rm -f "$DIR/b1"
if curl_get big2 -H 'Connection: close' -o "$DIR/b3" "$U/random.bin" -o "$DIR/b4" "$U/small.txt" &&
   [ "$(awk '{ print $1 " " $3 }' "$DIR/big2.w" | tr '\n' ' ')" = "1 200 1 200 " ]; then
  pass "Connection: close: 100 MB file, then a new connection for the small one (num_connects 1 1)"
else
  fail "Connection: close: 100 MB file then small.txt"; indent "$DIR/big2.w"; indent "$DIR/big2.err"
fi
if cmp "$DIR/www/random.bin" "$DIR/b3" && cmp -s "$DIR/www/small.txt" "$DIR/b4"; then
  pass "Connection: close: the random 100 MB file byte exact (cmp)"
else
  fail "Connection: close: the 100 MB file differs"
fi
rm -f "$DIR/b3" "$DIR/www/random.bin"
port=$(awk 'NR == 1 { print $2 }' "$DIR/big2.w")
if server_closed_first big "$port"; then
  pass "Connection: close after 100 MB: the server closed first: TIME-WAIT for 198.18.0.1:$port in ustcp ss"
else
  fail "Connection: close after 100 MB: want TIME-WAIT for :$port on ustcp's side"
  ctl big ss -a | sed 's/^/     | ustcp: /'; in_ns ss -tan | sed 's/^/     | linux: /'
fi
stop_serve big "$big"
finish
