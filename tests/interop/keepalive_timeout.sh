# Who closes an idle HTTP keep-alive connection first decides who holds the TIME-WAIT.
# (a) `ustcp serve --keepalive-timeout 1`, a Linux client idle up to 4 s: the server (ustcp)
#     closes first, TIME-WAIT is in `ustcp ss`, not in the namespace's `ss -tan`.
# (b) `--keepalive-timeout 10`, the client idle 1 s: the Linux client closes first, TIME-WAIT
#     is in `ss -tan`, not in `ustcp ss`.
# (c) the mirror with ustcp as the client (`ustcp get --keepalive S`) and nginx as the server
#     (keepalive_timeout 1s / 10s).
source "$(dirname "$0")/lib.bash"
need_basics
need_prog ss iproute2
need_prog nginx nginx-light
setup_ns

# kv FILE KEY: the value of "KEY value" in the helper's output.
kv() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
ustcp_sock() { ctl "$1" ss -a | awk -v p="$2" '$NF == p || $(NF-1) == p { f = 1 } END { exit !f }'; }
ustcp_tw() { ctl "$1" ss state time-wait | awk -v p="$2" '$NF == p || $(NF-1) == p { f = 1 } END { exit !f }'; }
linux_sock() { in_ns ss -tan | awk -v p="$1" '$4 == p || $5 == p { f = 1 } END { exit !f }'; }
linux_tw() { in_ns ss -tan state time-wait | awk -v p="$1" '$3 == p || $4 == p { f = 1 } END { exit !f }'; }

# client NAME SERVER_ADDR IDLE: the Python keep-alive client, output in $DIR/NAME.out.
client() {
  in_ns timeout 30 python3 "$HERE/ka_client.py" "$2" 80 / "$3" >"$DIR/$1.out" 2>&1
  local rc=$?
  [ $rc -eq 0 ] && [ "$(kv "$DIR/$1.out" status)" = 200 ] && return 0
  fail "$1: the client exited $rc"; indent "$DIR/$1.out"; return 1
}

# ---- (a) the server times out first ----------------------------------------------------------
start_serve ka1 --tun tun0 --addr 198.18.0.2/24 --http 80 --keepalive-timeout 1 --pcap "$DIR/ka1.pcap"
ka1=$SERVE_PID
if client a 198.18.0.2 4; then
  me=198.18.0.1:$(kv "$DIR/a.out" port)
  if [ "$(kv "$DIR/a.out" closer)" = server ]; then
    pass "(a) keepalive-timeout 1, client idle up to 4 s: the server closed first (after $(kv "$DIR/a.out" idle) s)"
  else
    fail "(a) keepalive-timeout 1, client idle 4 s: the client had to close (the server did not time out)"
  fi
  if wait_for 3 ustcp_tw ka1 "$me"; then
    pass "(a) TIME-WAIT for $me in ustcp ss state time-wait"
  else
    fail "(a) no TIME-WAIT for $me in ustcp ss:"; ctl ka1 ss -a | sed 's/^/     | /'
  fi
  # Linux went through CLOSE-WAIT and LAST-ACK to CLOSED: no socket of its own is left.
  if ! linux_tw "$me" && wait_for 3 eval '! linux_sock "$me"'; then
    pass "(a) no TIME-WAIT (no socket at all) for $me in Linux's ss -tan"
  else
    fail "(a) Linux still has a socket for $me:"; in_ns ss -tan | sed 's/^/     | /'
  fi
fi
stop_serve ka1 "$ka1"
check_pcap "$DIR/ka1.pcap" 8

# ---- (b) the client closes first -------------------------------------------------------------
start_serve ka10 --tun tun0 --addr 198.18.0.2/24 --http 80 --keepalive-timeout 10 --pcap "$DIR/ka10.pcap"
ka10=$SERVE_PID
if client b 198.18.0.2 1; then
  me=198.18.0.1:$(kv "$DIR/b.out" port)
  if [ "$(kv "$DIR/b.out" closer)" = client ]; then
    pass "(b) keepalive-timeout 10, client idle 1 s: the client closed first"
  else
    fail "(b) keepalive-timeout 10: the server closed after $(kv "$DIR/b.out" idle) s, before the client's 1 s"
  fi
  if wait_for 3 linux_tw "$me"; then
    pass "(b) TIME-WAIT for $me in Linux's ss -tan state time-wait"
  else
    fail "(b) no TIME-WAIT for $me in Linux's ss:"; in_ns ss -tan | sed 's/^/     | /'
  fi
  if ! ustcp_tw ka10 "$me" && wait_for 3 eval '! ustcp_sock ka10 "$me"'; then
    pass "(b) no TIME-WAIT (no socket at all) for $me in ustcp ss"
  else
    fail "(b) ustcp still has a socket for $me:"; ctl ka10 ss -a | sed 's/^/     | /'
  fi
fi
stop_serve ka10 "$ka10"
check_pcap "$DIR/ka10.pcap" 8

# ---- (c) the mirror: ustcp get as the client, nginx as the server ----------------------------
in_ns ip tuntap add dev tun1 mode tun || die "ip tuntap add dev tun1"
in_ns ip addr add 198.18.1.1/24 dev tun1 && in_ns ip link set tun1 up || die "configuring tun1"
mkdir "$DIR/www" "$DIR/nginx"
echo "hello from nginx" >"$DIR/www/index.html"
cat >"$DIR/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
user root root;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log info;
events { worker_connections 64; }
http {
  default_type text/html;
  access_log $DIR/nginx/access.log;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  server { listen 198.18.1.1:8081; root $DIR/www; keepalive_timeout 1s; }
  server { listen 198.18.1.1:8082; root $DIR/www; keepalive_timeout 10s; }
}
CONF
bg_ns "$DIR/nginx.out" nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log"
up() { in_ns ss -ltn | grep -q '198.18.1.1:8082\b'; }
wait_for 10 up || { indent "$DIR/nginx/error.log"; die "nginx did not listen on 198.18.1.1:8082 within 10 s"; }
get() {
  local name=$1 keepalive=$2 url=$3
  in_ns timeout 30 "$USTCP" get --tun tun1 --addr 198.18.1.2/24 --control "$DIR/$name.sock" \
    --pcap "$DIR/$name.pcap" --keepalive "$keepalive" -o "$DIR/$name.body" "$url" 2>"$DIR/$name.err"
}
if get c1 4 http://198.18.1.1:8081/ && cmp -s "$DIR/www/index.html" "$DIR/c1.body"; then
  if grep -q '^ustcp get: 1 connection(s); the server closed first' "$DIR/c1.err"; then
    pass "(c) ustcp get --keepalive 4 vs nginx keepalive_timeout 1s: the server (nginx) closed first"
  else
    fail "(c) ustcp get --keepalive 4 vs nginx keepalive_timeout 1s:"; indent "$DIR/c1.err"
  fi
  if in_ns ss -tan state time-wait | grep -q '198.18.1.1:8081\b'; then
    pass "(c) nginx's side (Linux) holds the TIME-WAIT"
  else
    fail "(c) no TIME-WAIT from 198.18.1.1:8081 in Linux's ss:"; in_ns ss -tan | sed 's/^/     | /'
  fi
else
  fail "(c) ustcp get --keepalive 4 from nginx :8081 failed"; indent "$DIR/c1.err"
fi
if get c2 1 http://198.18.1.1:8082/ && cmp -s "$DIR/www/index.html" "$DIR/c2.body"; then
  if grep -q '^ustcp get: 1 connection(s); the client closed first' "$DIR/c2.err"; then
    pass "(c) ustcp get --keepalive 1 vs nginx keepalive_timeout 10s: the client (ustcp) closed first"
  else
    fail "(c) ustcp get --keepalive 1 vs nginx keepalive_timeout 10s:"; indent "$DIR/c2.err"
  fi
  nginx_side() { in_ns ss -tan | grep -q '198.18.1.1:8082[[:space:]]*198.18.1.2'; }
  if wait_for 3 eval '! nginx_side'; then
    pass "(c) nginx's side (Linux) holds no socket (no TIME-WAIT) for that connection"
  else
    fail "(c) Linux still has nginx's socket:"; in_ns ss -tan | sed 's/^/     | /'
  fi
else
  fail "(c) ustcp get --keepalive 1 from nginx :8082 failed"; indent "$DIR/c2.err"
fi
for p in c1 c2; do check_pcap "$DIR/$p.pcap" 8; done
finish
