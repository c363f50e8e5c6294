#include "apps/echo_server.hpp"

#include <algorithm>
#include <cerrno>

#include "apps/listen.hpp"
#include "apps/socket_io.hpp"

namespace ustcp::apps {

EchoServer::EchoServer(api::Sockets& net, Endpoint local, int backlog)
    : net_(net), local_(local), backlog_(backlog) {}

bool EchoServer::start(TimePoint now, std::string& error) {
  if (listener_ >= 0) return true;
  auto fd = open_listener(net_, now, local_, backlog_, error);
  if (!fd) return false;
  listener_ = *fd;
  return true;
}

std::optional<TimePoint> EchoServer::step(TimePoint now) {
  if (listener_ >= 0) {
    for (int fd; (fd = net_.accept(now, listener_)) >= 0;) {
      conns_.push_back(Conn{fd});
      ++stats_.accepted;
    }
  }
  for (Conn& c : conns_) {
    if (!serve(now, c)) c.fd = -1;
  }
  std::erase_if(conns_, [](const Conn& c) { return c.fd < 0; });
  stats_.open = conns_.size();
  return std::nullopt;  // no timers: everything happens on packets
}

void EchoServer::lost(TimePoint now, Conn& c, int64_t result) {
  if (result == -ECONNRESET) ++stats_.resets;
  net_.close(now, c.fd);
  c.fd = -1;
}

bool EchoServer::serve(TimePoint now, Conn& c) {
  for (;;) {
    // Send back what is pending.
    while (c.sent < c.pending.size()) {
      int64_t n = net_.send(now, c.fd, as_bytes(std::string_view(c.pending).substr(c.sent)));
      if (n == -EAGAIN) break;
      if (n < 0) {
        lost(now, c, n);
        return false;
      }
      c.sent += static_cast<size_t>(n);
      stats_.bytes_echoed += static_cast<uint64_t>(n);
    }
    if (c.sent == c.pending.size()) {
      // Drained: give the memory back (an idle connection holds no buffer).
      std::string().swap(c.pending);
      c.sent = 0;
    } else if (c.sent > 0 && c.sent >= c.pending.size() / 2) {
      c.pending.erase(0, c.sent);
      c.sent = 0;
    }
    const size_t unsent = c.pending.size() - c.sent;
    if (c.peer_eof) {
      if (unsent > 0) return true;  // wait for room, then finish
      net_.shutdown(now, c.fd, kShutWr);
      net_.close(now, c.fd);
      c.fd = -1;
      return false;
    }
    if (unsent >= kMaxPending) return true;  // the client does not read: stop reading
    int64_t n = recv_append(net_, now, c.fd, c.pending, kMaxPending - unsent);
    if (n == -EAGAIN) return true;
    if (n < 0) {
      lost(now, c, n);
      return false;
    }
    if (n == 0) c.peer_eof = true;
  }
}

void EchoServer::shutdown(TimePoint now) {
  if (listener_ >= 0) {
    net_.close(now, listener_);
    listener_ = -1;
  }
  for (Conn& c : conns_) {
    discard_input(net_, now, c.fd);
    net_.close(now, c.fd);
  }
  conns_.clear();
  stats_.open = 0;
}

}  // namespace ustcp::apps
