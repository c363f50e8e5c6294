# `ustcp ss` as a user runs it, without root: sockets read from a file (--input, the JSON a
# daemon sends) in ss's layout (tests/interop/ss_format.sh checks that layout against
# iproute2's ss byte for byte), its filters, -s, --json, and bad input: a wrong state name,
# a filter that does not parse, a port that is no port, a missing file, no daemon.
source "$(dirname "$0")/lib.bash"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# A listener with one connection waiting for accept(), a TIME-WAIT record and a SYN_RECV
# request whose SYN-ACK was sent twice.
cat >"$T/s.json" <<'JSON'
{"sockets":[
 {"state":"LISTEN","recv_q":0,"send_q":128,"local":{"addr":"10.0.0.2","port":80},"peer":{"addr":"0.0.0.0","port":0},"orphan":false,"autobound":false,"ino":1,"sk":1,"fd":0,"shutdown":0,
  "skmem":{"r":0,"rb":131072,"t":0,"tb":16384,"f":0,"w":0,"o":0,"bl":0,"d":0},
  "tcp_info":{"state":10,"ca_state":0,"retransmits":0,"probes":0,"backoff":0,"options":0,"snd_wscale":0,"rcv_wscale":0,"delivery_rate_app_limited":false,"rto":0,"ato":0,"snd_mss":0,"rcv_mss":0,"unacked":0,"sacked":128,"lost":0,"retrans":0,"fackets":0,"last_data_sent":0,"last_ack_sent":0,"last_data_recv":0,"last_ack_recv":0,"pmtu":0,"rcv_ssthresh":0,"rtt":0,"rttvar":0,"snd_ssthresh":0,"snd_cwnd":10,"advmss":0,"reordering":3,"rcv_rtt":0,"rcv_space":0,"total_retrans":0,"pacing_rate":0,"max_pacing_rate":0,"bytes_acked":0,"bytes_received":0,"segs_out":0,"segs_in":0,"notsent_bytes":0,"min_rtt":0,"data_segs_in":0,"data_segs_out":0,"delivery_rate":0,"busy_time":0,"rwnd_limited":0,"sndbuf_limited":0,"delivered":0,"delivered_ce":0,"bytes_sent":0,"bytes_retrans":0,"dsack_dups":0,"reord_seen":0,"rcv_ooopack":0,"snd_wnd":0,"rcv_wnd":0,"rehash":0,"total_rto":0,"total_rto_recoveries":0,"total_rto_time":0,"ca_name":"reno"}},
 {"state":"TIME-WAIT","recv_q":0,"send_q":0,"local":{"addr":"10.0.0.2","port":80},"peer":{"addr":"10.0.0.1","port":40001},"orphan":true,"autobound":false,"ino":0,"sk":2,"timer":{"name":"timewait","expires_ms":59500,"retrans":0}},
 {"state":"SYN-RECV","recv_q":0,"send_q":0,"local":{"addr":"10.0.0.2","port":80},"peer":{"addr":"10.0.0.1","port":40002},"orphan":false,"autobound":false,"ino":0,"sk":3,"timer":{"name":"on","expires_ms":1500,"retrans":1}}
],"summary":{"sockets_used":1,"tcp_inuse":1,"tcp_orphan":0,"tcp_tw":1,"tcp_alloc":1,"curr_estab":0},"ip_local_port_range":[32768,60999],"pid":42,"comm":"ustcp"}
JSON
# check NAME WANT_FILE ARGS...: ustcp ss ARGS --input s.json prints exactly WANT_FILE.
check() {
  local name=$1 want=$2; shift 2
  "$USTCP" ss "$@" --input "$T/s.json" >"$T/out" 2>&1
  if cmp -s "$want" "$T/out"; then pass "ss $* ($name)"; else
    fail "ss $* ($name): got (diff want got)"; diff "$want" "$T/out" | cat -A | sed 's/^/     /'; fi
}
printf '%s\n' \
  'State     Recv-Q Send-Q Local Address:Port Peer Address:Port Process' \
  'LISTEN    0      128         10.0.0.2:80        0.0.0.0:*           ' \
  'TIME-WAIT 0      0           10.0.0.2:80       10.0.0.1:40001       ' \
  'SYN-RECV  0      0           10.0.0.2:80       10.0.0.1:40002       ' >"$T/tan"
check "all sockets, ss's columns" "$T/tan" -tan
printf '%s\n' \
  'State     Recv-Q Send-Q Local Address:Port Peer Address:Port Process                  ' \
  'LISTEN    0      128         10.0.0.2:80        0.0.0.0:*                             ' \
  'TIME-WAIT 0      0           10.0.0.2:80       10.0.0.1:40001 timer:(timewait,59sec,0)' \
  'SYN-RECV  0      0           10.0.0.2:80       10.0.0.1:40002 timer:(on,1.500ms,1)    ' >"$T/tano"
check "timers as print_ms_timer() writes them" "$T/tano" -tano
printf '%s\n' \
  'Recv-Q Send-Q Local Address:Port Peer Address:Port Process' \
  '0      0           10.0.0.2:80       10.0.0.1:40001       ' >"$T/tw"
check "one state: no State column" "$T/tw" -tn state time-wait
printf '%s\n' 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess' \
  'tcp   LISTEN 0      128         10.0.0.2:http      0.0.0.0:*          ' >"$T/l"
check "no table named: Netid; port names" "$T/l" -l
printf '%s\n' 'SYN-RECV 0      0      10.0.0.2:80 10.0.0.1:40002' >"$T/f"
check "expression filter, no header" "$T/f" -tanH '( dport = :40002 or dport = :9 )'
check "the same with and/not" "$T/f" -tanH dport '>=' :40000 and not dport = :40001
printf 'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' >"$T/none"
check "-6: ustcp has no IPv6 sockets" "$T/none" -6tan
"$USTCP" ss -s --input "$T/s.json" >"$T/out"
grep -qx 'TCP:   2 (estab 0, closed 1, orphaned 0, timewait 1)' "$T/out" &&
  pass "ss -s: the TCP line" || { fail "ss -s"; cat "$T/out"; }
n=$("$USTCP" ss -ta --json --input "$T/s.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sockets"]))')
[ "$n" = 3 ] && pass "--json: 3 sockets" || fail "--json: $n sockets"

# Bad input: a message naming it, exit 2 (1 for what is missing on the machine).
expect_msg() {
  local want_rc=$1 pattern=$2; shift 2
  "$USTCP" "$@" >"$T/out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want_rc" ] && grep -q -- "$pattern" "$T/out"; then pass "$* -> $(head -1 "$T/out")"
  else fail "$*: exit $rc, want $want_rc and '$pattern'"; sed 's/^/     /' "$T/out"; fi
}
expect_msg 2 "^ustcp ss: wrong state name: listen " ss -t state listen --input "$T/s.json"
expect_msg 2 "^ustcp ss: filter: 'abc' does not look like a port" ss dport = :abc --input "$T/s.json"
expect_msg 2 "^ustcp ss: filter: expected ')' at end" ss '(' dport = :80 --input "$T/s.json"
expect_msg 2 "^ustcp ss: filter: '10.0.0.300': an inet prefix is expected" ss dst 10.0.0.300 --input "$T/s.json"
expect_msg 2 "^ustcp ss: filter: 'dev' is not supported" ss dev eth0 --input "$T/s.json"
expect_msg 1 "^ustcp ss: --input $T/nope.json: No such file" ss --input "$T/nope.json"
echo '{"sockets": 3}' >"$T/bad.json"
expect_msg 1 "^ustcp ss: --input $T/bad.json: malformed socket data" ss --input "$T/bad.json"
expect_msg 1 "^ustcp ss: no ustcp daemon at $T/none.sock" ss --control "$T/none.sock"
expect_msg 1 "^ustcp nstat: no ustcp daemon at $T/none.sock" nstat --control "$T/none.sock"
expect_msg 2 "^ustcp nstat: invalid counter pattern '-x'" nstat -- -x
finish
