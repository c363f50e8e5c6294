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
  net_.watch(listener_, stack::events::IN, watch_token());
  return true;
}

// Edge-triggered: an event means "something changed"; serve() then works until the socket
// says EAGAIN, so nothing is left for an event that will not come.
constexpr int kConnEvents =
    stack::events::IN | stack::events::OUT | stack::events::RDHUP | stack::events::ET;

void EchoServer::accept_all(TimePoint now, std::vector<int>& ready) {
  for (int fd; (fd = net_.accept(now, listener_)) >= 0;) {
    if (conns_.size() <= static_cast<size_t>(fd)) conns_.resize(static_cast<size_t>(fd) + 1);
    conns_[fd] = Conn{fd};
    ++open_;
    ++stats_.accepted;
    net_.watch(fd, kConnEvents, watch_token());
    ready.push_back(fd);  // it may hold data already: served in this step
  }
}

std::optional<TimePoint> EchoServer::step(TimePoint now) {
  for_each_ready(
      ready_, listener_, [&](std::vector<int>& ready) { accept_all(now, ready); },
      [&](int fd) {
        if (static_cast<size_t>(fd) >= conns_.size() || conns_[fd].fd != fd) return;
        if (!serve(now, conns_[fd])) close_conn(conns_[fd]);
      });
  stats_.open = open_;
  return std::nullopt;  // no timers: everything happens on packets
}

void EchoServer::close_conn(Conn& c) {
  c = Conn{};
  --open_;
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
    if (c.fd < 0) continue;
    discard_input(net_, now, c.fd);
    net_.close(now, c.fd);
  }
  conns_.clear();
  open_ = 0;
  ready_.clear();
  stats_.open = 0;
}

}  // namespace ustcp::apps
