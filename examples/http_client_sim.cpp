// An HTTP/1.1 client on ustcp fetching a page from a tiny server on a second ustcp host, over
// the simulated network with 5% loss, in virtual time.
#include <cstdio>
#include <string>
#include <ustcp/ustcp.hpp>

using namespace ustcp;
using namespace std::chrono_literals;

static Bytes bytes(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

int main() {
  const Ipv4Addr web_addr(10, 0, 0, 80), client_addr(10, 0, 0, 1);
  stack::Stack web(web_addr, {}, 1), client(client_addr, {}, 2);
  link::StackNode web_node(web), client_node(client);
  link::SimNetwork net(/*seed=*/3);
  net.attach(web_node, web_addr, {.delay = 20ms, .loss = 0.05});
  net.attach(client_node, client_addr, {.delay = 20ms, .loss = 0.05});
  // The server accepts one connection, reads the request head, answers and closes.
  const auto listener = *web.socket();
  if (!web.bind(listener, {web_addr, 80}) || !web.listen(listener, 8)) return 1;
  stack::SocketId conn;  // the server's side of the connection, once accepted
  std::string request;
  // The client: connect, send the request, read until the server closes.
  const auto sock = *client.socket();
  (void)client.connect(net.now(), sock, {web_addr, 80});
  const std::string get = "GET / HTTP/1.1\r\nHost: 10.0.0.80\r\nConnection: close\r\n\r\n";
  std::string response;
  bool sent = false, eof = false;
  std::byte buf[1024];
  while (!eof && net.now() < at(60s)) {
    net.run_for(1ms);
    if (!conn.valid()) {
      if (auto a = web.accept(net.now(), listener)) conn = *a;
    } else if (auto r = web.recv(net.now(), conn, buf); r && *r > 0) {
      request.append(reinterpret_cast<char*>(buf), *r);
      if (request.find("\r\n\r\n") != std::string::npos) {
        const std::string body = "<h1>hello from ustcp</h1>\n";
        (void)web.send(net.now(), conn,
                       bytes("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n" + body));
        (void)web.close(net.now(), conn);  // FIN after the response
      }
    }
    if (!sent && (client.poll(sock) & stack::events::OUT))
      sent = client.send(net.now(), sock, bytes(get)).has_value();
    while (auto r = client.recv(net.now(), sock, buf)) {
      if (*r == 0 && (eof = true)) break;  // the server's FIN: the response is complete
      response.append(reinterpret_cast<char*>(buf), *r);
    }
  }
  std::printf("%s--\nhttp_client_sim: %zu bytes, server closed: %s, at %.3f s (5%% loss)\n",
              response.c_str(), response.size(), eof ? "yes" : "no",
              std::chrono::duration<double>(net.now().time_since_epoch()).count());
  (void)client.close(net.now(), sock);
  return eof && response.starts_with("HTTP/1.1 200 OK") ? 0 : 1;
}
