#include "ustcp/api/sockets.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

namespace ustcp::api {

template <typename T>
int64_t Sockets::ret(const stack::Result<T>& r) {
  if (!r) return -r.error();
  if constexpr (std::is_same_v<T, size_t>) {
    return static_cast<int64_t>(*r);
  } else {
    return 0;
  }
}

stack::SocketId Sockets::id(int fd) const {
  return fd >= 0 && static_cast<size_t>(fd) < fds_.size() ? fds_[fd] : stack::SocketId{};
}

bool Sockets::open(int fd) const { return id(fd).valid(); }

// The lowest free descriptor, as POSIX requires of socket() and accept(): the smallest
// closed one if any (a min-heap), else the next past the table, in O(log n) with a million
// descriptors open.
int Sockets::add(stack::SocketId id) {
  int fd;
  if (!closed_.empty()) {
    fd = closed_.top();
    closed_.pop();
  } else {
    fd = static_cast<int>(std::max<size_t>(fds_.size(), kFirstFd));
    fds_.resize(static_cast<size_t>(fd) + 1);
  }
  fds_[fd] = id;
  return fd;
}

int Sockets::socket() {
  auto r = stack_.socket();
  return r ? add(*r) : -r.error();
}

int Sockets::bind(int fd, Endpoint local) {
  return static_cast<int>(ret(stack_.bind(id(fd), local)));
}
int Sockets::listen(int fd, int backlog) {
  return static_cast<int>(ret(stack_.listen(id(fd), backlog)));
}

int Sockets::accept(TimePoint now, int fd, Endpoint* peer) {
  auto r = stack_.accept(now, id(fd), peer);
  return r ? add(*r) : -r.error();
}

int Sockets::connect(TimePoint now, int fd, Endpoint remote) {
  return static_cast<int>(ret(stack_.connect(now, id(fd), remote)));
}
int64_t Sockets::send(TimePoint now, int fd, Bytes data, bool eor) {
  return ret(stack_.send(now, id(fd), data, eor));
}
int64_t Sockets::recv(TimePoint now, int fd, MutBytes out, bool peek) {
  return ret(stack_.recv(now, id(fd), out, peek));
}
int Sockets::shutdown(TimePoint now, int fd, int how) {
  return static_cast<int>(ret(stack_.shutdown(now, id(fd), how)));
}

int Sockets::close(TimePoint now, int fd) {
  if (!open(fd)) return -EBADF;
  auto r = stack_.close(now, fds_[fd]);
  fds_[fd] = stack::SocketId{};
  closed_.push(fd);
  return static_cast<int>(ret(r));
}

int Sockets::setsockopt(TimePoint now, int fd, int level, int name, int value) {
  return static_cast<int>(ret(stack_.setsockopt(now, id(fd), level, name, value)));
}
int Sockets::set_linger(TimePoint now, int fd, bool on, int seconds) {
  return static_cast<int>(ret(stack_.set_linger(now, id(fd), on, seconds)));
}
int Sockets::getsockopt(int fd, int level, int name) {
  auto r = stack_.getsockopt(id(fd), level, name);
  return r ? *r : -r.error();
}
int Sockets::getsockname(int fd, Endpoint& out) const {
  auto r = stack_.getsockname(id(fd));
  if (!r) return -r.error();
  out = *r;
  return 0;
}
int Sockets::getpeername(int fd, Endpoint& out) const {
  auto r = stack_.getpeername(id(fd));
  if (!r) return -r.error();
  out = *r;
  return 0;
}

int Sockets::poll(std::span<PollFd> fds) const {
  int ready = 0;
  for (PollFd& p : fds) {
    if (!open(p.fd)) {
      p.revents = 0x020;  // POLLNVAL
    } else {
      int ev = stack_.poll(id(p.fd));
      p.revents = ev & (p.events | stack::events::ERR | stack::events::HUP);
    }
    if (p.revents) ++ready;
  }
  return ready;
}

int Sockets::fionread(int fd) const {
  if (!open(fd)) return -EBADF;
  return static_cast<int>(stack_.readable(id(fd)));
}

int Sockets::watch(int fd, int events, uint64_t data) {
  if (!open(fd)) return -EBADF;
  if (data_.size() <= static_cast<size_t>(fd)) data_.resize(static_cast<size_t>(fd) + 1);
  data_[fd] = data;
  return static_cast<int>(ret(stack_.watch(fds_[fd], events, static_cast<uint64_t>(fd))));
}

int Sockets::unwatch(int fd) { return static_cast<int>(ret(stack_.unwatch(id(fd)))); }

int Sockets::take_ready(std::span<ReadyFd> out) {
  std::array<stack::Ready, 64> buf;
  size_t n = 0;
  while (n < out.size()) {
    const size_t want = std::min(buf.size(), out.size() - n);
    const size_t got = stack_.take_ready(std::span(buf.data(), want));
    for (size_t i = 0; i < got; ++i) {
      const int fd = static_cast<int>(buf[i].data);
      out[n++] = ReadyFd{fd, buf[i].events, data_[fd]};
    }
    if (got < want) break;
  }
  return static_cast<int>(n);
}

}  // namespace ustcp::api
