# ustcp lab keepalive-who-closes-first: the side with the shorter idle timeout keeps TIME-WAIT.
source "$(dirname "$0")/lab.bash"
lab_scenario keepalive-who-closes-first 2 'TIME-WAIT: 1 on the server, 0 on the client' \
  'TIME-WAIT: 0 on the server, 1 on the client'
finish
