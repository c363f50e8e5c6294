# `ustcp relay` between two namespaces (scripts/relay-ns.bash): it forwards IPv4 both ways,
# drops exactly the datagrams its seed says (predicted by an independent implementation of
# the model's random stream, relay_udp.py predict) at a rate within 3 sigma of --loss,
# duplicates and reorders the ones the seed says, never delivers before the configured
# delay, and scripts/kernel-path.sh moves bytes across it with the kernel's TCP. Timing is
# printed, not asserted beyond "never early" (timing belongs in a benchmark).
source "$(dirname "$0")/lib.bash"
need_root
need_tun
need_prog ip iproute2
need_prog python3 python3
need_prog ping iputils-ping
need_ustcp
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/scripts/relay-ns.bash"
RELAY_NS_BOUND=120
relay_ns_setup ustcp-it-relay
UDP="$HERE/relay_udp.py"
A=$RELAY_NS_ADDR_A B=$RELAY_NS_ADDR_B

# relay_run NAME RELAY_ARGS...: starts the relay (dies when it does not start).
relay_run() {
  local name=$1; shift
  relay_ns_start "$USTCP" --json "$@" || { indent "$RELAY_NS_OUT"; die "$name: the relay did not start"; }
}
# relay_report: stops the relay; its JSON report goes to $REPORT.
REPORT=""
relay_report() {
  relay_ns_stop || fail "the relay exited $? on SIGTERM, want 0"
  REPORT=$(tail -1 "$RELAY_NS_OUT")
}
# field JSONPATH: a value of the relay's report, e.g. field a_to_b.lost
field() { python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$REPORT" "$1"; }

# udp_through N RECV_OUT RELAY...: N datagrams A -> B through a relay with RELAY options.
udp_through() {
  local n=$1 out=$2; shift 2
  relay_run udp "$@"
  relay_ns_bg b "$out.log" python3 "$UDP" recv --bind "$B" --idle 1
  local rpid=$RELAY_NS_BG_PID
  wait_for 10 grep -q listening "$out.log" || die "the UDP receiver did not start"
  relay_ns_exec a python3 "$UDP" send --to "$B" --count "$n" || fail "the UDP sender failed"
  wait "$rpid"
  grep -v listening "$out.log" >"$out"
  relay_report
}

# ---- forwarding both ways, never early ----------------------------------------------------
relay_run ping --delay 20ms --seed 1
if relay_ns_exec a ping -n -c 5 -i 0.2 -W 3 -w 15 "$B" >"$RELAY_NS_DIR/ping.out" 2>&1 &&
   grep -q '5 packets transmitted, 5 received' "$RELAY_NS_DIR/ping.out"; then
  pass "ping A -> B through the relay: 5 of 5 answered (both directions forwarded)"
else
  fail "ping A -> B through the relay"; indent "$RELAY_NS_DIR/ping.out"
fi
min=$(sed -n 's|.*rtt min/avg/max/mdev = \([0-9.]*\)/.*|\1|p' "$RELAY_NS_DIR/ping.out")
if [ -n "$min" ] && python3 -c "import sys; sys.exit(0 if float('$min') >= 40.0 else 1)"; then
  pass "no reply earlier than 2 x --delay 20ms: rtt min/avg/max $(grep -o 'rtt.*= [0-9./]*' "$RELAY_NS_DIR/ping.out" | sed 's/.*= //') ms"
else
  fail "rtt min '$min' ms: a reply came back before 40 ms"
fi
relay_report
note "relay lateness (ping): $(field lateness_us.releases) releases, median $(field lateness_us.p50) us, max $(field lateness_us.max) us"

# ---- loss: exactly the datagrams the seed says ------------------------------------------------
N=2000 P=0.1 SEED=7
udp_through $N "$RELAY_NS_DIR/loss.rx" --loss 10% --seed $SEED --delay 1ms
python3 "$UDP" predict --seed $SEED --addr "$A" --count $N --loss $P >"$RELAY_NS_DIR/loss.predict"
read_a=$(field a_to_b.read)
[ "$read_a" = $N ] && pass "the relay read $N datagrams to B from A" ||
  fail "the relay read $read_a datagrams from A, want $N (the TUN ring dropped some?)"
python3 - "$RELAY_NS_DIR/loss.predict" "$RELAY_NS_DIR/loss.rx" "$(field a_to_b.lost)" $N $P <<'EOF' && pass "loss: $(cat "$RELAY_NS_DIR/loss.verdict")" || { fail "loss:"; indent "$RELAY_NS_DIR/loss.verdict"; }
import json, math, sys
predicted = json.load(open(sys.argv[1]))
received = [int(x) for x in open(sys.argv[2]).read().split()]
relay_lost, n, p = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
lost = set(predicted["lost"])
want = [i for i in range(n) if i not in lost]
sigma = math.sqrt(n * p * (1 - p))
problems = []
if sorted(received) != want:
    missing = sorted(set(want) - set(received))[:10]
    extra = sorted(set(received) - set(want))[:10]
    problems.append(f"received {len(received)}, predicted {len(want)}; missing {missing}, "
                    f"unexpected {extra}")
if relay_lost != len(lost):
    problems.append(f"the relay counts {relay_lost} lost, the seed says {len(lost)}")
if abs(len(lost) - n * p) > 3 * sigma:
    problems.append(f"{len(lost)} lost is not within 3 sigma ({3 * sigma:.1f}) of {n * p:.0f}")
verdict = (f"{len(lost)} of {n} lost, exactly the datagrams seed 7 predicts; within 3 sigma "
           f"of {n * p:.0f} +- {sigma:.1f}")
open(sys.argv[2].replace(".rx", ".verdict"), "w").write("\n".join(problems) or verdict)
sys.exit(1 if problems else 0)
EOF

# ---- duplication and reordering -------------------------------------------------------------
N=1000 SEED=11
udp_through $N "$RELAY_NS_DIR/dup.rx" --duplicate 5% --reorder 5% --delay 5ms --seed $SEED
python3 "$UDP" predict --seed $SEED --addr "$A" --count $N --duplicate 0.05 --reorder 0.05 \
  >"$RELAY_NS_DIR/dup.predict"
python3 - "$RELAY_NS_DIR/dup.predict" "$RELAY_NS_DIR/dup.rx" "$(field a_to_b.duplicated)" \
  "$(field a_to_b.reordered)" $N <<'EOF' && pass "$(cat "$RELAY_NS_DIR/dup.verdict")" || { fail "duplication/reordering:"; indent "$RELAY_NS_DIR/dup.verdict"; }
import collections, json, sys
predicted = json.load(open(sys.argv[1]))
received = [int(x) for x in open(sys.argv[2]).read().split()]
relay_dup, relay_reord, n = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
dup, reord = set(predicted["duplicated"]), set(predicted["reordered"])
count = collections.Counter(received)
problems = []
wrong = [i for i in range(n) if count[i] != (2 if i in dup else 1)]
if wrong:
    problems.append(f"copies differ from the seed's for {len(wrong)} datagrams, e.g. "
                    + ", ".join(f"{i}: {count[i]}" for i in wrong[:5]))
if relay_dup != len(dup) or relay_reord != len(reord):
    problems.append(f"the relay counts {relay_dup} duplicated, {relay_reord} reordered; the seed "
                    f"says {len(dup)}, {len(reord)}")
# With one delay and no bandwidth limit, the datagrams that are not reordered arrive in the
# order they were sent; only reordered ones may arrive after a later one.
firsts = list(dict.fromkeys(received))
in_order = [i for i in firsts if i not in reord]
if in_order != sorted(in_order):
    problems.append("datagrams the seed does not reorder arrived out of order")
overtaken = [i for k, i in enumerate(firsts) if any(j > i for j in firsts[:k])]
if not set(overtaken) <= reord:
    problems.append(f"overtaken but not reordered by the seed: {sorted(set(overtaken) - reord)[:10]}")
if not overtaken:
    problems.append("no datagram was overtaken: reordering had no effect")
verdict = (f"duplication: {len(dup)} of {n} arrived twice, exactly those seed 11 duplicates; "
           f"reordering: {len(reord)} delayed by the seed, {len(overtaken)} of them overtaken, "
           "all others in order")
open(sys.argv[2].replace(".rx", ".verdict"), "w").write("\n".join(problems) or verdict)
sys.exit(1 if problems else 0)
EOF

# ---- the kernel's TCP across it: scripts/kernel-path.sh ---------------------------------------
out=$(bash "$ROOT/scripts/kernel-path.sh" --ustcp "$USTCP" --bytes 1M --delay 5ms --bandwidth 100 \
  --loss 1% --seed 3 --timeout 60 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^bytes received   1048576 of 1048576' <<<"$out"; then
  pass "kernel-path.sh: 1 MiB over the kernel's TCP at 1% loss ($(sed -n 's/^time *//p' <<<"$out" | cut -d' ' -f1-2), $(grep -o 'TcpRetransSegs [0-9]*' <<<"$out"))"
else
  fail "kernel-path.sh exited $rc"; printf '%s\n' "$out" | head -20 | sed 's/^/     | /'
fi
finish
