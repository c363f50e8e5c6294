#include "apps/socket_io.hpp"

#include <algorithm>

namespace ustcp::apps {

int64_t recv_append(api::Sockets& net, TimePoint now, int fd, std::string& into, size_t max) {
  // Through a buffer on the stack, so that `into` grows only by what arrived: a string
  // resized for every attempt would keep that capacity on every idle connection.
  std::byte buf[kRecvPiece];
  const int64_t n = net.recv(now, fd, MutBytes(buf, std::min(max, sizeof buf)));
  if (n > 0) into.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  return n;
}

void discard_input(api::Sockets& net, TimePoint now, int fd) {
  std::byte sink[4096];
  while (net.recv(now, fd, MutBytes(sink, sizeof sink)) > 0) {
  }
}

std::string errno_text(int64_t result) {
  return stack::errno_name(static_cast<int>(result < 0 ? -result : result));
}

}  // namespace ustcp::apps
