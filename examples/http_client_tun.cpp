// An HTTP/1.1 client on ustcp with a TUN device, fetching from a server on the Linux side.
//   http_client_tun tun0 198.18.0.2 8000 /index.html   (root; Linux gets 198.18.0.1/24)
#include <cstdio>
#include <string>
#include <ustcp/ustcp.hpp>

using namespace ustcp;

int main(int argc, char** argv) {
  if (argc != 5 || !Ipv4Addr::parse(argv[2])) {
    std::fprintf(stderr, "usage: http_client_tun TUN_NAME IPV4_ADDR PORT PATH\n");
    return 2;
  }
  const Ipv4Addr addr = *Ipv4Addr::parse(argv[2]);
  const Ipv4Addr linux_addr = *link::other_host(addr, 24);
  auto tun = link::TunDevice::open(argv[1]);
  if (!tun) return std::fprintf(stderr, "http_client_tun: %s\n", tun.error().c_str()), 1;
  if (auto e = tun->configure(linux_addr, 24); !e.empty())
    return std::fprintf(stderr, "http_client_tun: %s\n", e.c_str()), 1;
  auto secrets = link::random_secrets();
  if (!secrets) return std::fprintf(stderr, "http_client_tun: %s\n", secrets.error().c_str()), 1;
  stack::Stack host(addr, {}, *secrets);
  link::StackNode node(host);

  const auto sock = *host.socket();
  const Endpoint server{linux_addr, static_cast<uint16_t>(std::stoi(argv[3]))};
  (void)host.connect(link::TunLoop::now(), sock, server);
  const std::string get = std::string("GET ") + argv[4] +
                          " HTTP/1.1\r\nHost: " + server.to_string() +
                          "\r\nConnection: close\r\n\r\n";
  std::string response;
  bool sent = false;
  int error = 0;
  const TimePoint give_up = link::TunLoop::now() + std::chrono::seconds(10);
  link::TunLoop loop(*tun, node);
  loop.run([&](TimePoint now, TimePoint& wake) {
    wake = give_up;
    if (!sent && (host.poll(sock) & stack::events::OUT))
      sent = host.send(now, sock, Bytes(reinterpret_cast<const std::byte*>(get.data()), get.size()))
                 .has_value();
    std::byte buf[4096];
    for (;;) {
      auto r = host.recv(now, sock, buf);
      if (r && *r > 0) response.append(reinterpret_cast<char*>(buf), *r);
      if (r && *r > 0) continue;
      if (!r && r.error() == EAGAIN) return now < give_up;
      error = r ? 0 : r.error();
      (void)host.close(now, sock);  // the server closed (Connection: close): done
      return false;
    }
  });
  std::fwrite(response.data(), 1, response.size(), stdout);
  std::fprintf(stderr, "http_client_tun: %zu bytes from %s%s\n", response.size(),
               server.to_string().c_str(), error ? " (error)" : "");
  return !error && response.starts_with("HTTP/1.") ? 0 : 1;
}
