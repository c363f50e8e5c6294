# ustcp lab close-wait-leak: CLOSE-WAIT piles up behind an application that never closes.
source "$(dirname "$0")/lab.bash"
lab_scenario close-wait-leak 1 'server CLOSE-WAIT: 200 before the application closed \(200 with Recv-Q 1\)' \
  'server\$ ss -tn state close-wait' '^ +1 +0 +10\.0\.0\.2:80 +10\.0\.0\.1:[0-9]+'
finish
