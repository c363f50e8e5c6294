// BSD-style sockets over a Stack: small integer file descriptors, struct-free arguments,
// and results as the kernel's system calls give them: a value >= 0, or -errno.
//
//   api::Sockets net(stack);
//   int fd = net.socket();
//   if (int r = net.connect(now, fd, {Ipv4Addr(192, 0, 2, 1), 80}); r != -EINPROGRESS) ...
//
// Everything is non-blocking (a sans-IO stack cannot wait); poll() tells when to retry,
// as with O_NONBLOCK sockets and poll(2). Descriptors start at 3, like a process's.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <span>
#include <vector>

#include "ustcp/stack/stack.hpp"

namespace ustcp::api {

struct PollFd {
  int fd = -1;
  int events = 0;   // stack::events::IN | OUT ...
  int revents = 0;  // filled by poll()
};

// One descriptor take_ready() found ready (epoll_event): its events and the data given to
// watch().
struct ReadyFd {
  int fd = -1;
  int events = 0;
  uint64_t data = 0;
};

class Sockets {
 public:
  explicit Sockets(stack::Stack& s) : stack_(s) {}

  int socket();
  int bind(int fd, Endpoint local);
  int listen(int fd, int backlog);
  int accept(TimePoint now, int fd, Endpoint* peer = nullptr);
  int connect(TimePoint now, int fd, Endpoint remote);
  // eor: as MSG_EOR, the data ends a record.
  int64_t send(TimePoint now, int fd, Bytes data, bool eor = false);
  int64_t recv(TimePoint now, int fd, MutBytes out, bool peek = false);
  int shutdown(TimePoint now, int fd, int how);
  // Never blocks: with SO_LINGER {1, N > 0} the FIN goes out and the connection is orphaned
  // at once, where Linux's close() would wait for the FIN's ACK (Stack::close, linger_wait).
  int close(TimePoint now, int fd);
  int setsockopt(TimePoint now, int fd, int level, int name, int value);
  int set_linger(TimePoint now, int fd, bool on, int seconds);
  // The option's value, or -errno.
  int getsockopt(int fd, int level, int name);
  int getsockname(int fd, Endpoint& out) const;
  int getpeername(int fd, Endpoint& out) const;
  // Fills revents (only bits asked for, plus ERR and HUP, which are always reported);
  // returns how many descriptors have something. A bad fd gets POLLNVAL (0x020).
  int poll(std::span<PollFd> fds) const;
  int fionread(int fd) const;

  // The stack's ready list (stack/readiness.hpp) by descriptor, as epoll_ctl/epoll_wait:
  // watch() registers or changes interest (events::IN | OUT ..., | ET, | ONESHOT);
  // take_ready() fills `out` with descriptors whose state changed and returns how many.
  int watch(int fd, int events, uint64_t data);
  int unwatch(int fd);
  int take_ready(std::span<ReadyFd> out);

  stack::Stack& stack() { return stack_; }
  // The stack's handle behind a descriptor (tests, TCP_INFO); invalid id for a bad fd.
  stack::SocketId id(int fd) const;

 private:
  template <typename T>
  static int64_t ret(const stack::Result<T>& r);
  static constexpr size_t kFirstFd = 3;  // 0, 1 and 2 are a process's stdin/out/err
  int add(stack::SocketId id);
  bool open(int fd) const;
  stack::Stack& stack_;
  std::vector<stack::SocketId> fds_;  // indexed by descriptor; an invalid id: closed
  std::vector<uint64_t> data_;        // watch() data by descriptor (the stack holds the fd)
  std::priority_queue<int, std::vector<int>, std::greater<int>> closed_;  // reusable fds
};

}  // namespace ustcp::api
