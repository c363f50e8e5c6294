/* ustcp's C API: a host (a Stack) with its socket calls and ready list, for C programs.
 * The same calls as the C++ API (<ustcp/ustcp.hpp>), sans-IO: the program moves datagrams
 * and passes the time in. Include as <ustcp/ustcp.h>; link with `pkg-config --libs ustcp`
 * or CMake's ustcp::ustcp (both name libstdc++, which the C++ library needs).
 *
 *   ustcp_config cfg = {.addr = USTCP_IPV4(10, 0, 0, 1)};
 *   ustcp_stack* host = ustcp_stack_create(&cfg, err, sizeof err);
 *   ustcp_receive(host, now, datagram, len);                 -- an IPv4 datagram arrived
 *   while ((n = ustcp_poll_transmit(host, now, buf, sizeof buf)) > 0) send_it(buf, n);
 *   if (ustcp_next_deadline(host, &t)) ... ustcp_on_timer(host, t);
 *   int fd = ustcp_socket(host);
 *   ustcp_connect(host, now, fd, USTCP_IPV4(10, 0, 0, 2), 80);  -- -1, errno EINPROGRESS
 *
 * Times are nanoseconds on the program's clock (virtual or CLOCK_MONOTONIC). Addresses are
 * IPv4 in host byte order, ports in host order. Socket calls return >= 0, or -1 with errno
 * set to Linux's value for the call (EAGAIN, EINPROGRESS, ECONNREFUSED, ...). */
#ifndef USTCP_USTCP_H
#define USTCP_USTCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define USTCP_IPV4(a, b, c, d) \
  (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* poll()/watch events, with Linux's values (EPOLLIN ... EPOLLET, EPOLLONESHOT). */
#define USTCP_IN 0x001u
#define USTCP_OUT 0x004u
#define USTCP_ERR 0x008u
#define USTCP_HUP 0x010u
#define USTCP_RDHUP 0x2000u
#define USTCP_ET 0x80000000u
#define USTCP_ONESHOT 0x40000000u

typedef struct ustcp_stack ustcp_stack;

typedef struct ustcp_config {
  uint32_t addr;       /* the host's IPv4 address */
  const char* sysctls; /* NULL, or sysctl.conf text: "net.ipv4.tcp_syncookies = 2\n..." */
  /* 0: every secret from getrandom() (a real network). Otherwise secrets derived from this
   * seed: reproducible, for simulations and tests only. */
  uint64_t seed;
} ustcp_config;

/* NULL on failure, with the reason in err (a bad sysctl names its line; getrandom). */
ustcp_stack* ustcp_stack_create(const ustcp_config* cfg, char* err, size_t err_len);
void ustcp_stack_destroy(ustcp_stack* s);

/* The driver side. */
void ustcp_receive(ustcp_stack* s, int64_t now, const void* datagram, size_t len);
/* Copies the next datagram to send into buf: its length, 0 when there is none, or -1 with
 * EMSGSIZE when buf is smaller than it (it stays queued). */
long ustcp_poll_transmit(ustcp_stack* s, int64_t now, void* buf, size_t cap);
/* 1 and *deadline when a timer is armed (call ustcp_on_timer then), else 0. */
int ustcp_next_deadline(const ustcp_stack* s, int64_t* deadline);
void ustcp_on_timer(ustcp_stack* s, int64_t now);

/* The socket calls, on descriptors (from 3, lowest free first). */
int ustcp_socket(ustcp_stack* s);
int ustcp_bind(ustcp_stack* s, int fd, uint32_t addr, uint16_t port);
int ustcp_listen(ustcp_stack* s, int fd, int backlog);
int ustcp_accept(ustcp_stack* s, int64_t now, int fd, uint32_t* peer_addr, uint16_t* peer_port);
int ustcp_connect(ustcp_stack* s, int64_t now, int fd, uint32_t addr, uint16_t port);
long ustcp_send(ustcp_stack* s, int64_t now, int fd, const void* buf, size_t len);
long ustcp_recv(ustcp_stack* s, int64_t now, int fd, void* buf, size_t len);
int ustcp_shutdown(ustcp_stack* s, int64_t now, int fd, int how);
int ustcp_close(ustcp_stack* s, int64_t now, int fd);
int ustcp_setsockopt(ustcp_stack* s, int64_t now, int fd, int level, int name, int value);
int ustcp_getsockopt(ustcp_stack* s, int fd, int level, int name, int* value);
/* The socket's poll events now (USTCP_IN | USTCP_OUT ...), or -1 with EBADF. */
int ustcp_poll(ustcp_stack* s, int fd);

/* Readiness, as epoll: watch (add or modify) with events | USTCP_ET / USTCP_ONESHOT and
 * data to hand back; take_ready fills out[0..max) with the descriptors whose state changed
 * and returns how many. */
typedef struct ustcp_event {
  int fd;
  uint32_t events;
  uint64_t data;
} ustcp_event;
int ustcp_watch(ustcp_stack* s, int fd, uint32_t events, uint64_t data);
int ustcp_unwatch(ustcp_stack* s, int fd);
int ustcp_take_ready(ustcp_stack* s, ustcp_event* out, int max);

#ifdef __cplusplus
}
#endif

#endif /* USTCP_USTCP_H */
