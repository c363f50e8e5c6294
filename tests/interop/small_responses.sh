# Small HTTP responses on a keep-alive connection leave without waiting for the client's
# ACK. curl fetches /bytes/40 eight times on one connection; in ustcp's pcap, no client
# segment may come between the first and the last segment of a response (header and body in
# one segment, or back to back). When the server writes the header and the body separately
# and Nagle holds the small body until the header is acknowledged, every response waits for
# Linux's delayed ACK (about 40 ms) instead: the pcap shows [header][client ACK][body].
source "$(dirname "$0")/lib.bash"
need_basics
need_prog curl curl
setup_ns

N=8
start_serve http --tun tun0 --addr 198.18.0.2/24 --http 80 --pcap "$DIR/http.pcap"
pid=$SERVE_PID
urls=(); for ((i = 0; i < N; i++)); do urls+=(-o "$DIR/b$i" http://198.18.0.2/bytes/40); done
if in_ns curl -sS --max-time 30 -w '%{num_connects} %{time_total}\n' "${urls[@]}" >"$DIR/curl.w" 2>"$DIR/curl.err"; then
  pass "curl: $N x /bytes/40 on $(awk '{ s += $1 } END { print s }' "$DIR/curl.w") connection(s)"
else
  fail "curl: exit $?"; indent "$DIR/curl.err"
fi
note "curl's time_total per response (s): $(awk '{ printf "%s ", $2 }' "$DIR/curl.w")"
bad=0
for ((i = 0; i < N; i++)); do pattern check 40 "$DIR/b$i" >/dev/null || bad=$((bad + 1)); done
[ $bad -eq 0 ] && pass "$N bodies byte exact" || fail "$bad of $N bodies differ"
stop_serve http "$pid"

# Frames in capture order: source, TCP payload length, HTTP status (on a response's last
# frame, where tshark completes it).
tshark -n -r "$DIR/http.pcap" -T fields -e ip.src -e tcp.len -e http.response.code 2>/dev/null >"$DIR/frames"
read -r responses straddled < <(awk -F'\t' '
  $1 == "198.18.0.2" && $2 > 0 {
    if (!open) { open = 1; seen = 0 }
    if ($3 != "") { responses++; if (seen) straddled++; open = 0 }
    next
  }
  $1 == "198.18.0.1" && open { seen = 1 }
  END { print responses + 0, straddled + 0 }' "$DIR/frames")
if [ "$responses" -eq "$N" ] && [ "$straddled" -eq 0 ]; then
  pass "$N responses, none waited for a client segment between its first and last segment"
else
  fail "$straddled of $responses responses waited for the client's ACK between header and body (want 0 of $N):"
  tshark -n -r "$DIR/http.pcap" 2>/dev/null | sed -n '10,15p' | sed 's/^/     | /'
fi
check_pcap "$DIR/http.pcap" 20
finish
