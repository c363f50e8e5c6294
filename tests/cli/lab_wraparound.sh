# ustcp lab wraparound: 8 MiB through a sequence-number wrap over a lossy link. The diagram
# tells the first loss: ACKs at the hole carry SACK blocks ("ack N sack L-R"), as tcpdump
# shows them, in the numbers of their ack (as sent here: the incident shows the wrap).
source "$(dirname "$0")/lab.bash"
lab_scenario wraparound 1 '8388608 of 8388608 bytes received' 'snd_una passes 2\^32' \
  'svg:wraparound.svg:>80 &gt; [0-9]+ \[\.\] seq [0-9]+ ack ([0-9]+) sack [0-9]+-[0-9]+(,[0-9]+-[0-9]+)*<'
finish
