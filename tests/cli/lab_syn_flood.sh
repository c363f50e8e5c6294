# ustcp lab syn-flood: tcp_syncookies 0 (the client cannot get in), 1 and 2 (it can).
source "$(dirname "$0")/lab.bash"
lab_scenario syn-flood 3 'tcp_syncookies=0: the legitimate client could not get in' \
  'tcp_syncookies=1: the client connected every time \(100%\)' \
  'tcp_syncookies=2: the client connected every time \(100%\)' 'TcpExtSyncookiesSent +[1-9]' \
  'svg:syn-flood-tcp_syncookies=0.svg:\[S\] seq 0 \(dropped by server: TCPReqQFullDrop\)'
finish
