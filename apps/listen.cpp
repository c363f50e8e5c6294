#include "apps/listen.hpp"

#include "apps/socket_io.hpp"

namespace ustcp::apps {

namespace {
// Linux's SOL_SOCKET and SO_REUSEADDR (asm-generic/socket.h), as Stack::setsockopt takes them.
constexpr int kSolSocket = 1;
constexpr int kSoReuseAddr = 2;
}  // namespace

std::optional<int> open_listener(api::Sockets& net, TimePoint now, Endpoint& local, int backlog,
                                 std::string& error) {
  int fd = net.socket();
  if (fd < 0) {
    error = "socket: " + errno_text(fd);
    return std::nullopt;
  }
  auto fail = [&](const char* call, int r) -> std::optional<int> {
    error = std::string(call) + " " + local.to_string() + ": " + errno_text(r);
    net.close(now, fd);
    return std::nullopt;
  };
  (void)net.setsockopt(now, fd, kSolSocket, kSoReuseAddr, 1);
  if (int r = net.bind(fd, local); r < 0) return fail("bind", r);
  if (int r = net.listen(fd, backlog); r < 0) return fail("listen", r);
  Endpoint bound;
  if (net.getsockname(fd, bound) == 0) local = bound;
  return fd;
}

}  // namespace ustcp::apps
