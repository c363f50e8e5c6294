// An echo server and a client on ustcp, two hosts on the simulated network, in virtual
// time. The server learns which sockets are ready from the Stack's ready list.
#include <cstdio>
#include <string>
#include <ustcp/ustcp.hpp>

using namespace ustcp;
using namespace std::chrono_literals;
namespace ev = stack::events;

int main() {
  const Ipv4Addr server_addr(10, 0, 0, 2), client_addr(10, 0, 0, 1);
  stack::Stack server(server_addr, {}, /*seed=*/1), client(client_addr, {}, /*seed=*/2);
  link::StackNode server_node(server), client_node(client);
  link::SimNetwork net(/*seed=*/7);
  net.attach(server_node, server_addr, {.delay = 10ms});
  net.attach(client_node, client_addr, {.delay = 10ms});

  const auto listener = *server.socket();
  if (!server.bind(listener, {server_addr, 7}) || !server.listen(listener, 16)) return 1;
  (void)server.watch(listener, ev::IN, 0);
  const auto sock = *client.socket();
  (void)client.connect(net.now(), sock, {server_addr, 7});  // EINPROGRESS

  const std::string hello = "hello, ustcp";
  std::string reply;
  bool sent = false;
  while (reply.size() < hello.size() && net.now() < at(10s)) {
    net.run_for(1ms);
    stack::Ready ready[16];
    for (size_t i = 0, n = server.take_ready(ready); i < n; ++i) {
      const auto s = ready[i].socket;
      if (s == listener) {
        while (auto a = server.accept(net.now(), listener))
          (void)server.watch(*a, ev::IN | ev::ET, 1);
        continue;
      }
      std::byte buf[512];  // edge-triggered: read until EAGAIN
      while (auto r = server.recv(net.now(), s, buf)) {
        if (*r == 0) break;
        (void)server.send(net.now(), s, Bytes(buf, *r));
      }
    }
    if (!sent && (client.poll(sock) & ev::OUT)) {
      sent = client
                 .send(net.now(), sock,
                       Bytes(reinterpret_cast<const std::byte*>(hello.data()), hello.size()))
                 .has_value();
    }
    std::byte buf[64];
    if (auto r = client.recv(net.now(), sock, buf)) reply.append(reinterpret_cast<char*>(buf), *r);
  }
  std::printf("echo_sim: sent \"%s\", got back \"%s\" after %.0f ms of virtual time\n",
              hello.c_str(), reply.c_str(),
              std::chrono::duration<double, std::milli>(net.now().time_since_epoch()).count());
  return reply == hello ? 0 : 1;
}
