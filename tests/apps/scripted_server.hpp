// A test HTTP server with canned answers, to try the client against the servers it will
// meet: python's http.server (HTTP/1.0, closes after each response), chunked bodies,
// bodies delimited by the close, keep-alive races, resets, garbage. Each request head
// (anything up to a blank line) gets respond(n) for the n-th request on the server; then,
// per `after`, the connection stays, is closed, or is reset (SO_LINGER {1, 0}).
#pragma once

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "apps/app.hpp"
#include "apps/socket_io.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::apps::testing {

class ScriptedServer final : public App {
 public:
  enum class After { Stay, Close, Reset };

  ScriptedServer(api::Sockets& net, uint16_t port, std::function<std::string(int)> respond,
                 After after)
      : net_(net), respond_(std::move(respond)), after_(after) {
    listener_ = net_.socket();
    net_.bind(listener_, Endpoint{Ipv4Addr(), port});
    net_.listen(listener_, 16);
  }

  std::optional<TimePoint> step(TimePoint now) override {
    for (int fd; listener_ >= 0 && (fd = net_.accept(now, listener_)) >= 0;) conns_.push_back({fd});
    for (Conn& c : conns_) serve(now, c);
    std::erase_if(conns_, [](const Conn& c) { return c.fd < 0; });
    return std::nullopt;
  }
  void shutdown(TimePoint now) override {
    for (Conn& c : conns_) net_.close(now, c.fd);
    conns_.clear();
    if (listener_ >= 0) net_.close(now, listener_);
    listener_ = -1;
  }
  bool finished() const override { return listener_ < 0 && conns_.empty(); }

  int requests = 0;

 private:
  struct Conn {
    int fd;
    std::string in, out;
    bool ending = false;
  };

  void serve(TimePoint now, Conn& c) {
    for (;;) {
      int64_t n = recv_append(net_, now, c.fd, c.in, 65536);
      if (n == 0 || (n < 0 && n != -EAGAIN)) {
        net_.close(now, c.fd);
        c.fd = -1;
        return;
      }
      if (n < 0) break;
    }
    for (size_t end; !c.ending && (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
      c.in.erase(0, end + 4);
      c.out += respond_(requests++);
      c.ending = after_ != After::Stay;
    }
    while (!c.out.empty()) {
      int64_t n = net_.send(now, c.fd, as_bytes(c.out));
      if (n <= 0) break;
      c.out.erase(0, static_cast<size_t>(n));
    }
    if (c.ending && c.out.empty()) {
      if (after_ == After::Reset) net_.set_linger(now, c.fd, true, 0);
      discard_input(net_, now, c.fd);
      net_.close(now, c.fd);
      c.fd = -1;
    }
  }

  api::Sockets& net_;
  std::function<std::string(int)> respond_;
  After after_;
  int listener_ = -1;
  std::vector<Conn> conns_;
};

}  // namespace ustcp::apps::testing
