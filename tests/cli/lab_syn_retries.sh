# ustcp lab syn-retries: Linux's SYN schedules, linear (6.x) and classic, then ETIMEDOUT.
source "$(dirname "$0")/lab.bash"
lab_scenario syn-retries 2 'SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; connect\(\) failed with ETIMEDOUT at 131' \
  'SYNs at 0, 1, 3, 7, 15, 31, 63 s; connect\(\) failed with ETIMEDOUT at 127' \
  'svg:syn-retries-tcp_syn_linear_timeouts=0.svg:>black hole 10\.0\.0\.2<'
# Every SYN after the first is a retransmission of it, marked as Wireshark marks it: 6 of
# the 7 on the classic schedule, 10 of the 11 on the linear one.
for v in 0:7 4:11; do
  svg="$LAB_DIR/syn-retries-tcp_syn_linear_timeouts=${v%:*}.svg" want=${v#*:}
  syns=$(grep -cE '&gt; 80 \[S\] seq 0' "$svg") again=$(grep -cE '&gt; 80 \[S\] seq 0 \(retransmission\)' "$svg")
  [ "$syns" -eq "$want" ] && [ "$again" -eq $((want - 1)) ] && pass "linear_timeouts=${v%:*}: $again of $syns SYNs marked retransmissions" ||
    fail "linear_timeouts=${v%:*}: $again of $syns SYNs marked, want $((want - 1)) of $want"
done
finish
