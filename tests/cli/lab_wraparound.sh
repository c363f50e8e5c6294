# ustcp lab wraparound: 8 MiB through a sequence-number wrap over a lossy link. The diagram
# tells the first loss: ACKs at the hole carry SACK blocks ("ack N sack L-R"), as tcpdump
# shows them, in the numbers of their ack (as sent here: the incident shows the wrap).
source "$(dirname "$0")/lab.bash"
lab_scenario wraparound 1 '8388608 of 8388608 bytes received' 'snd_una passes 2\^32' \
  'svg:wraparound.svg:>80 &gt; [0-9]+ \[\.\] seq [0-9]+ ack ([0-9]+) sack [0-9]+-[0-9]+(,[0-9]+-[0-9]+)*<'
# The data lost on the way comes back marked "(retransmission)", as Wireshark marks it.
svg="$LAB_DIR/wraparound.svg" pairs=0
for seq in $(grep -oE '&gt; 80 \[P?\.\] seq [0-9]+ ack [0-9]+ len [0-9]+ \(lost\)' "$svg" | awk '{print $5}'); do
  grep -qE "&gt; 80 \[P?\.\] seq $seq ack [0-9]+ len [0-9]+ \(retransmission\)" "$svg" && pairs=$((pairs + 1))
done
[ "$pairs" -gt 0 ] && pass "$pairs lost segment(s) shown again as retransmissions" ||
  fail "no lost segment shown again as a retransmission"
finish
