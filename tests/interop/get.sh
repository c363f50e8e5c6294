# `ustcp get` (ustcp as the HTTP client) against Linux-side servers on the kernel's TCP:
# python3 -m http.server and nginx, byte exact, and several URLs on one keep-alive
# connection to nginx (nginx's own log shows one connection serving them all).
source "$(dirname "$0")/lib.bash"
need_basics
need_prog nginx nginx-light
setup_ns

# The servers bind 198.18.0.1 before ustcp runs, so the test makes the TUN device itself
# (ustcp get uses an existing device as it is).
in_ns ip tuntap add dev tun0 mode tun || die "ip tuntap add dev tun0"
in_ns ip addr add 198.18.0.1/24 dev tun0 && in_ns ip link set tun0 up || die "configuring tun0"

mkdir "$DIR/www" "$DIR/nginx"
head -c 3000000 /dev/urandom >"$DIR/www/random.bin"
head -c 100 /dev/urandom >"$DIR/www/small.bin"
echo "hello from nginx" >"$DIR/www/index.html"

# get NAME URL...: ustcp get in the namespace (at most 60 s), bodies to $DIR/NAME.body,
# status lines to $DIR/NAME.err, pcap checked afterwards.
get() {
  local name=$1; shift
  in_ns timeout 60 "$USTCP" get --tun tun0 --addr 198.18.0.2/24 --control "$DIR/$name.sock" \
    --pcap "$DIR/$name.pcap" -o "$DIR/$name.body" "$@" 2>"$DIR/$name.err"
}

# ---- python3 -m http.server ----------------------------------------------------------------
bg_ns "$DIR/pyhttp.log" python3 -m http.server --bind 198.18.0.1 --directory "$DIR/www" 8000
up() { in_ns ss -ltn | grep -q '198.18.0.1:8000\b'; }
wait_for 10 up || { indent "$DIR/pyhttp.log"; die "python3 -m http.server did not listen on 198.18.0.1:8000 within 10 s"; }

if get py http://198.18.0.1:8000/random.bin; then pass "ustcp get from python3 -m http.server: exit 0"; else fail "ustcp get from http.server: exit $?"; indent "$DIR/py.err"; fi
if cmp "$DIR/www/random.bin" "$DIR/py.body"; then pass "http.server: the random 3 MB file byte exact (cmp)"; else fail "http.server: the body differs"; fi
if grep -q '^ustcp get: 200 http://198.18.0.1:8000/random.bin: 3000000 body bytes' "$DIR/py.err"; then
  pass "ustcp get reports 200 and 3000000 body bytes"
else
  fail "ustcp get's status lines:"; indent "$DIR/py.err"
fi
# http.server speaks HTTP/1.0 (it closes after each response): two URLs, two connections.
if get py2 http://198.18.0.1:8000/small.bin http://198.18.0.1:8000/random.bin &&
   cat "$DIR/www/small.bin" "$DIR/www/random.bin" | cmp - "$DIR/py2.body" &&
   grep -q '^ustcp get: 2 connection(s); the server closed first' "$DIR/py2.err"; then
  pass "two URLs from http.server (HTTP/1.0, closes each time): byte exact, 2 connections, the server closed first"
else
  fail "two URLs from http.server"; indent "$DIR/py2.err"
fi
if get py404 http://198.18.0.1:8000/missing; then
  fail "ustcp get of a missing file exited 0"
elif grep -q '^ustcp get: 404 ' "$DIR/py404.err"; then
  pass "a 404 from http.server: ustcp get exits non-zero and says 404"
else
  fail "a 404 from http.server:"; indent "$DIR/py404.err"
fi
for p in py py2 py404; do check_pcap "$DIR/$p.pcap" 5; done

# ---- nginx -----------------------------------------------------------------------------------
cat >"$DIR/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
user root root;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log info;
events { worker_connections 64; }
http {
  default_type application/octet-stream;
  log_format conn '\$connection \$connection_requests \$status \$body_bytes_sent \$request_uri';
  access_log $DIR/nginx/access.log conn;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  keepalive_timeout 30s;
  server {
    listen 198.18.0.1:8080;
    root $DIR/www;
  }
}
CONF
in_ns nginx -t -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log" >"$DIR/nginx-t.out" 2>&1 ||
  { indent "$DIR/nginx-t.out"; die "nginx -t rejected the test's nginx.conf"; }
bg_ns "$DIR/nginx.out" nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log"
up() { in_ns ss -ltn | grep -q '198.18.0.1:8080\b'; }
wait_for 10 up || { indent "$DIR/nginx/error.log"; die "nginx did not listen on 198.18.0.1:8080 within 10 s"; }

if get ng http://198.18.0.1:8080/random.bin; then pass "ustcp get from nginx: exit 0"; else fail "ustcp get from nginx: exit $?"; indent "$DIR/ng.err"; fi
if cmp "$DIR/www/random.bin" "$DIR/ng.body"; then pass "nginx: the random 3 MB file byte exact (cmp)"; else fail "nginx: the body differs"; fi

cp "$DIR/nginx/access.log" "$DIR/nginx/access.log.before"
urls=(/index.html /random.bin /small.bin /index.html /random.bin)
if get ngka "${urls[@]/#/http://198.18.0.1:8080}"; then pass "ustcp get of 5 URLs from nginx: exit 0"; else fail "ustcp get of 5 URLs from nginx: exit $?"; indent "$DIR/ngka.err"; fi
for u in "${urls[@]}"; do cat "$DIR/www$u"; done >"$DIR/ngka.want"
if cmp "$DIR/ngka.want" "$DIR/ngka.body"; then pass "5 URLs from nginx: the bodies, concatenated, byte exact"; else fail "5 URLs from nginx: bodies differ"; fi
if grep -q '^ustcp get: 1 connection(s)' "$DIR/ngka.err"; then pass "ustcp get says 1 connection"; else fail "ustcp get's summary:"; indent "$DIR/ngka.err"; fi
# nginx's log: the 5 new lines share one $connection, with $connection_requests 1..5.
new_lines() { diff "$DIR/nginx/access.log.before" "$DIR/nginx/access.log" | sed -n 's/^> //p'; }
five() { [ "$(new_lines | grep -c .)" -ge 5 ]; }
wait_for 2 five
new=$(new_lines)
conns=$(echo "$new" | awk 'NF { print $1 }' | sort -u | wc -l)
reqs=$(echo "$new" | awk 'NF { printf "%s ", $2 }')
if [ "$conns" -eq 1 ] && [ "$reqs" = "1 2 3 4 5 " ]; then
  pass "nginx's access log: one connection served the 5 requests (connection_requests $reqs)"
else
  fail "nginx's access log (want one connection, requests 1..5):"; echo "$new" | sed 's/^/     | /'
fi
for p in ng ngka; do check_pcap "$DIR/$p.pcap" 10; done
finish
