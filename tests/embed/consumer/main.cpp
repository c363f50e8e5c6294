// Two hosts on ustcp's simulated network: a client connects to a listener and says hello.
// Prints "consumer: got hello" and exits 0 only if the bytes arrived, in virtual time.
#include <cerrno>
#include <cstdio>
#include <string_view>
#include <ustcp/ustcp.hpp>

using namespace ustcp;

int main() {
  link::SimNetwork net(1);
  stack::Stack a(Ipv4Addr(10, 0, 0, 1), {}, 1), b(Ipv4Addr(10, 0, 0, 2), {}, 2);
  link::StackNode na(a), nb(b);
  net.attach(na, Ipv4Addr(10, 0, 0, 1));
  net.attach(nb, Ipv4Addr(10, 0, 0, 2));
  auto l = *b.socket();
  if (!b.bind(l, {Ipv4Addr(10, 0, 0, 2), 7}) || !b.listen(l, 8)) return 1;
  auto c = *a.socket();
  if (a.connect(net.now(), c, {Ipv4Addr(10, 0, 0, 2), 7}).error() != EINPROGRESS) return 1;
  net.run_for(std::chrono::seconds(1));
  auto s = b.accept(net.now(), l);
  const std::string_view hello = "hello";
  if (!s || !a.send(net.now(), c, Bytes(reinterpret_cast<const std::byte*>(hello.data()), 5)))
    return 1;
  net.run_for(std::chrono::seconds(1));
  std::byte buf[16];
  auto n = b.recv(net.now(), *s, buf);
  if (!n || std::string_view(reinterpret_cast<const char*>(buf), *n) != hello) return 1;
  std::printf("consumer: got %.*s\n", static_cast<int>(*n), reinterpret_cast<const char*>(buf));
  return 0;
}
