#include "incident_server.hpp"

#include <fmt/core.h>

#include <cerrno>

namespace ustcp::cli {

bool IncidentServer::start(TimePoint now, std::string& error) {
  // api::Sockets answers as system calls do: a value >= 0, or -errno.
  listener_ = net_.socket();
  int r = listener_ < 0 ? listener_ : net_.bind(listener_, opt_.local);
  const char* call = "bind";
  if (r >= 0) {
    call = "listen";
    r = net_.listen(listener_, opt_.backlog);
  }
  if (r < 0) {
    error = fmt::format("{} {}: {}", call, opt_.local.to_string(), stack::errno_name(-r));
    if (listener_ >= 0) net_.close(now, listener_);
    listener_ = -1;
    return false;
  }
  return true;
}

std::optional<TimePoint> IncidentServer::step(TimePoint now) {
  while (listener_ >= 0 && now >= next_accept_) {
    const int fd = net_.accept(now, listener_);
    if (fd < 0) break;
    conns_.push_back({fd});
    if (opt_.accept_delay > Duration::zero()) next_accept_ = now + opt_.accept_delay;
  }
  char buf[16384];
  for (size_t i = 0; i < conns_.size();) {
    Conn& c = conns_[i];
    bool gone = false;
    while (!c.eof) {
      const int64_t n =
          net_.recv(now, c.fd, MutBytes(reinterpret_cast<std::byte*>(buf), sizeof buf));
      if (n == 0) {
        c.eof = true;  // the peer's FIN: close now, or never (no_close)
        break;
      }
      if (n < 0) {
        gone = n != -EAGAIN;
        break;
      }
      if (!opt_.http) {
        (void)net_.send(now, c.fd,
                        Bytes(reinterpret_cast<const std::byte*>(buf), static_cast<size_t>(n)));
        continue;
      }
      c.in.append(buf, static_cast<size_t>(n));
      for (size_t end; (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
        static const std::string kReply =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
        (void)net_.send(now, c.fd,
                        Bytes(reinterpret_cast<const std::byte*>(kReply.data()), kReply.size()));
        c.in.erase(0, end + 4);
      }
    }
    if (gone || (c.eof && !opt_.no_close)) {
      net_.close(now, c.fd);
      conns_[i] = conns_.back();
      conns_.pop_back();
    } else {
      ++i;
    }
  }
  // A slow accepter comes back when its next accept() is due.
  if (listener_ >= 0 && opt_.accept_delay > Duration::zero()) return next_accept_;
  return std::nullopt;
}

void IncidentServer::shutdown(TimePoint now) {
  for (const Conn& c : conns_) net_.close(now, c.fd);
  conns_.clear();
  if (listener_ >= 0) net_.close(now, listener_);
  listener_ = -1;
}

}  // namespace ustcp::cli
