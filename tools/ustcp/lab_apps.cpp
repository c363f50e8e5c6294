#include "lab_apps.hpp"

#include <cerrno>
#include <stdexcept>

#include "lab.hpp"

namespace ustcp::cli {

using stack::SocketId;
namespace ev = stack::events;

LabServer::LabServer(stack::Stack& st, Endpoint at, int backlog) : s(st) {
  listener = s.socket().value();
  if (!s.bind(listener, at) || !s.listen(listener, backlog)) {
    throw std::runtime_error("lab: the server cannot listen on " + at.to_string());
  }
}

void LabServer::step(TimePoint now) {
  for (size_t n = 0; n < accept_per_step; ++n) {
    auto a = s.accept(now, listener);
    if (!a) break;
    conns.push_back(*a);
    ++accepted;
  }
  std::byte buf[4096];
  for (size_t i = 0; i < conns.size();) {
    const SocketId c = conns[i];
    bool done = false;
    for (;;) {
      auto r = s.recv(now, c, buf);
      if (!r) {
        // EAGAIN: nothing yet; anything else (a reset): the connection is over.
        done = r.error() != EAGAIN;
        break;
      }
      if (*r == 0) {
        ++eofs;
        done = close_on_eof;
        break;
      }
      if (!reply.empty()) (void)s.send(now, c, as_bytes(std::span(reply)));
    }
    if (done) {
      (void)s.close(now, c);
      conns[i] = conns.back();
      conns.pop_back();
    } else {
      ++i;
    }
  }
}

void LabServer::close_all(TimePoint now) {
  for (SocketId c : conns) (void)s.close(now, c);
  conns.clear();
  close_on_eof = true;
}

void LabClient::step(TimePoint now) {
  for (int k = 0; k < per_step; ++k) {
    ++attempts;
    SocketId c = s.socket().value();
    auto r = s.connect(now, c, server);
    if (!r && r.error() == EINPROGRESS) {
      ++started;
      connecting.push_back(c);
      continue;
    }
    if (!r && r.error() == EADDRNOTAVAIL) {
      ++addr_not_avail;
      if (first_addr_not_avail == kNever) first_addr_not_avail = now;
    }
    (void)s.close(now, c);
  }
  for (size_t i = 0; i < connecting.size();) {
    const SocketId c = connecting[i];
    const int e = s.poll(c);
    if (!(e & (ev::OUT | ev::ERR | ev::HUP))) {
      ++i;
      continue;
    }
    const int err = s.getsockopt(c, kSolSocket, kSoError).value_or(0);
    if (err == 0 && (e & ev::OUT)) {
      ++established;
      if (!request.empty()) (void)s.send(now, c, as_bytes(std::span(request)));
      if (close_first) {
        (void)s.close(now, c);
      } else {
        open.push_back(c);
      }
    } else {
      refused += err == ECONNREFUSED;
      reset += err == ECONNRESET;
      timed_out += err == ETIMEDOUT;
      (void)s.close(now, c);
    }
    connecting[i] = connecting.back();
    connecting.pop_back();
  }
}

}  // namespace ustcp::cli
