# ustcp lab keepalive-who-closes-first: the side with the shorter idle timeout keeps TIME-WAIT.
source "$(dirname "$0")/lab.bash"
lab_scenario keepalive-who-closes-first 2 'TIME-WAIT: 1 on the server, 0 on the client' \
  'TIME-WAIT: 0 on the server, 1 on the client' '^== server_idle=5 client_idle=10 ==$' \
  'svg:keepalive-who-closes-first-server_idle=5_client_idle=10.svg:>server: idle 5 s, closes first<' \
  'svg:keepalive-who-closes-first-server_idle=5_client_idle=10.svg:data-state="TIME-WAIT"'
finish
