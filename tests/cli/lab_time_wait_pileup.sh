# ustcp lab time-wait-pileup: ports run out through TIME-WAIT (tcp_tw_reuse 0 and 2), reuse
# saves them (1), tcp_max_tw_buckets caps the table.
source "$(dirname "$0")/lab.bash"
lab_scenario time-wait-pileup 4 \
  'tcp_tw_reuse=0: every port \(2000\) held by TIME-WAIT, then connect\(\) failed with EADDRNOTAVAIL' \
  'tcp_tw_reuse=1: no EADDRNOTAVAIL; connect\(\) reused [0-9]+ TIME-WAIT 4-tuples' \
  'tcp_max_tw_buckets=1000: TIME-WAIT never above it \(1000\)' \
  'client\$ ss -tn state time-wait' 'TcpExtTWRecycled +[0-9]+'
finish
