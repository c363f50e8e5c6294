// The C API (<ustcp/ustcp.h>) over stack::Stack and api::Sockets: results as -1 with errno.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "ustcp/api/sockets.hpp"
#include "ustcp/link/random_secrets.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/stack/sysctl.hpp"
#include "ustcp/ustcp.h"

struct ustcp_stack {
  ustcp_stack(ustcp::Ipv4Addr addr, const ustcp::tcp::Config& cfg,
              const ustcp::tcp::Secrets& secrets)
      : stack(addr, cfg, secrets), net(stack) {}
  ustcp::stack::Stack stack;
  ustcp::api::Sockets net;
  std::vector<std::byte> pending;  // a datagram too large for the caller's buffer
};

namespace {

using ustcp::Bytes;
using ustcp::Endpoint;
using ustcp::Ipv4Addr;
using ustcp::MutBytes;
using ustcp::TimePoint;

TimePoint tp(int64_t ns) { return TimePoint(ustcp::Duration(ns)); }

// api::Sockets gives a value or -errno; C wants -1 and errno.
template <typename T>
T c_result(T r) {
  if (r >= 0) return r;
  errno = static_cast<int>(-r);
  return -1;
}

void set_error(char* err, size_t len, const std::string& what) {
  if (err == nullptr || len == 0) return;
  std::snprintf(err, len, "%s", what.c_str());
}

}  // namespace

extern "C" {

ustcp_stack* ustcp_stack_create(const ustcp_config* cfg, char* err, size_t err_len) {
  if (cfg == nullptr) {
    set_error(err, err_len, "ustcp_stack_create: no configuration");
    return nullptr;
  }
  ustcp::tcp::Config config;
  if (cfg->sysctls != nullptr) {
    auto r = ustcp::stack::sysctl::apply_file(config, cfg->sysctls, "sysctls");
    if (!r) {
      set_error(err, err_len, r.error().front().message());
      return nullptr;
    }
  }
  ustcp::tcp::Secrets secrets;
  if (cfg->seed != 0) {
    secrets = ustcp::tcp::Secrets::from_seed(cfg->seed);
  } else {
    auto drawn = ustcp::link::random_secrets();
    if (!drawn) {
      set_error(err, err_len, drawn.error());
      return nullptr;
    }
    secrets = *drawn;
  }
  return new ustcp_stack(Ipv4Addr(cfg->addr), config, secrets);
}

void ustcp_stack_destroy(ustcp_stack* s) { delete s; }

void ustcp_receive(ustcp_stack* s, int64_t now, const void* datagram, size_t len) {
  s->stack.receive(tp(now), Bytes(static_cast<const std::byte*>(datagram), len));
}

long ustcp_poll_transmit(ustcp_stack* s, int64_t now, void* buf, size_t cap) {
  // Peeking is not possible; a datagram that does not fit is kept for the next call.
  if (s->pending.empty()) {
    auto d = s->stack.poll_transmit(tp(now));
    if (!d) return 0;
    s->pending.assign(d->begin(), d->end());
  }
  if (s->pending.size() > cap) {
    errno = EMSGSIZE;
    return -1;
  }
  std::memcpy(buf, s->pending.data(), s->pending.size());
  const long n = static_cast<long>(s->pending.size());
  s->pending.clear();
  return n;
}

int ustcp_next_deadline(const ustcp_stack* s, int64_t* deadline) {
  auto d = s->stack.next_deadline();
  if (!d) return 0;
  if (deadline) *deadline = d->time_since_epoch().count();
  return 1;
}

void ustcp_on_timer(ustcp_stack* s, int64_t now) { s->stack.on_timer(tp(now)); }

int ustcp_socket(ustcp_stack* s) { return c_result(s->net.socket()); }

int ustcp_bind(ustcp_stack* s, int fd, uint32_t addr, uint16_t port) {
  return c_result(s->net.bind(fd, Endpoint{Ipv4Addr(addr), port}));
}

int ustcp_listen(ustcp_stack* s, int fd, int backlog) {
  return c_result(s->net.listen(fd, backlog));
}

int ustcp_accept(ustcp_stack* s, int64_t now, int fd, uint32_t* peer_addr, uint16_t* peer_port) {
  Endpoint peer;
  const int r = s->net.accept(tp(now), fd, &peer);
  if (r >= 0 && peer_addr) *peer_addr = peer.addr.raw();
  if (r >= 0 && peer_port) *peer_port = peer.port;
  return c_result(r);
}

int ustcp_connect(ustcp_stack* s, int64_t now, int fd, uint32_t addr, uint16_t port) {
  return c_result(s->net.connect(tp(now), fd, Endpoint{Ipv4Addr(addr), port}));
}

long ustcp_send(ustcp_stack* s, int64_t now, int fd, const void* buf, size_t len) {
  return static_cast<long>(
      c_result(s->net.send(tp(now), fd, Bytes(static_cast<const std::byte*>(buf), len))));
}

long ustcp_recv(ustcp_stack* s, int64_t now, int fd, void* buf, size_t len) {
  return static_cast<long>(
      c_result(s->net.recv(tp(now), fd, MutBytes(static_cast<std::byte*>(buf), len))));
}

int ustcp_shutdown(ustcp_stack* s, int64_t now, int fd, int how) {
  return c_result(s->net.shutdown(tp(now), fd, how));
}

int ustcp_close(ustcp_stack* s, int64_t now, int fd) { return c_result(s->net.close(tp(now), fd)); }

int ustcp_setsockopt(ustcp_stack* s, int64_t now, int fd, int level, int name, int value) {
  return c_result(s->net.setsockopt(tp(now), fd, level, name, value));
}

int ustcp_getsockopt(ustcp_stack* s, int fd, int level, int name, int* value) {
  const int r = s->net.getsockopt(fd, level, name);
  if (r >= 0 && value) *value = r;
  return c_result(r) < 0 ? -1 : 0;
}

int ustcp_poll(ustcp_stack* s, int fd) {
  ustcp::api::PollFd p{fd, ~0, 0};
  s->net.poll(std::span(&p, 1));
  if (p.revents == 0x020) {  // POLLNVAL
    errno = EBADF;
    return -1;
  }
  return p.revents;
}

int ustcp_watch(ustcp_stack* s, int fd, uint32_t events, uint64_t data) {
  return c_result(s->net.watch(fd, static_cast<int>(events), data));
}

int ustcp_unwatch(ustcp_stack* s, int fd) { return c_result(s->net.unwatch(fd)); }

int ustcp_take_ready(ustcp_stack* s, ustcp_event* out, int max) {
  if (max <= 0) return 0;
  ustcp::api::ReadyFd buf[64];
  int n = 0;
  while (n < max) {
    const int want = std::min(max - n, 64);
    const int got = s->net.take_ready(std::span(buf, static_cast<size_t>(want)));
    for (int i = 0; i < got; ++i) {
      out[n++] = ustcp_event{buf[i].fd, static_cast<uint32_t>(buf[i].events), buf[i].data};
    }
    if (got < want) break;
  }
  return n;
}

}  // extern "C"
