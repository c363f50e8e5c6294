// An echo server on ustcp with a TUN device: the Linux kernel is the other host.
//   echo_tun tun0 198.18.0.2      (root; Linux gets 198.18.0.1/24 on tun0)
//   nc 198.18.0.2 7               (from Linux; the server exits after one connection)
#include <cstdio>
#include <ustcp/ustcp.hpp>

using namespace ustcp;
namespace ev = stack::events;

int main(int argc, char** argv) {
  if (argc != 3 || !Ipv4Addr::parse(argv[2])) {
    std::fprintf(stderr, "usage: echo_tun TUN_NAME IPV4_ADDR\n");
    return 2;
  }
  const Ipv4Addr addr = *Ipv4Addr::parse(argv[2]);
  auto tun = link::TunDevice::open(argv[1]);
  if (!tun) return std::fprintf(stderr, "echo_tun: %s\n", tun.error().c_str()), 1;
  if (auto e = tun->configure(*link::other_host(addr, 24), 24); !e.empty())
    return std::fprintf(stderr, "echo_tun: %s\n", e.c_str()), 1;
  auto secrets = link::random_secrets();  // a real network: secrets from getrandom()
  if (!secrets) return std::fprintf(stderr, "echo_tun: %s\n", secrets.error().c_str()), 1;
  stack::Stack host(addr, {}, *secrets);
  link::StackNode node(host);

  const auto listener = *host.socket();
  if (!host.bind(listener, {addr, 7}) || !host.listen(listener, 16)) return 1;
  (void)host.watch(listener, ev::IN, 0);
  std::printf("echo_tun: listening on %s:7 (%s)\n", addr.to_string().c_str(), tun->name().c_str());
  std::fflush(stdout);
  bool served = false;
  link::TunLoop loop(*tun, node);
  loop.run([&](TimePoint now, TimePoint&) {
    stack::Ready ready[16];
    for (size_t i = 0, n = host.take_ready(ready); i < n; ++i) {
      const auto s = ready[i].socket;
      if (s == listener) {
        while (auto a = host.accept(now, listener)) (void)host.watch(*a, ev::IN | ev::ET, 1);
        continue;
      }
      std::byte buf[2048];
      for (;;) {  // edge-triggered: until EAGAIN, or EOF (close) / error
        auto r = host.recv(now, s, buf);
        if (r && *r > 0) {
          (void)host.send(now, s, Bytes(buf, *r));
          continue;
        }
        if (!r && r.error() == EAGAIN) break;
        (void)host.close(now, s);  // the client closed: so do we, and we are done
        served = true;
        break;
      }
    }
    return !served;
  });
  std::printf("echo_tun: served one connection, exiting\n");
  return loop.error().empty() ? 0 : 1;
}
