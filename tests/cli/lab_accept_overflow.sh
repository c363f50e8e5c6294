# ustcp lab accept-overflow: a slow accepter; tcp_abort_on_overflow 0 (late) and 1 (reset).
source "$(dirname "$0")/lab.bash"
lab_scenario accept-overflow 2 'tcp_abort_on_overflow=0: every client was served in the end, none reset' \
  'tcp_abort_on_overflow=1: the server answered the overflowing ACKs with RST' \
  'TcpExtListenOverflows +[1-9]' \
  'svg:accept-overflow-tcp_abort_on_overflow=0.svg:\[\.\] seq 1 ack 1 \(dropped by server: ListenOverflows\)'
finish
