// The C API (<ustcp/ustcp.h>, api/c_api.cpp): results as -1 with errno, creation errors in
// the caller's buffer, a datagram too large for the caller's buffer kept, take_ready past
// its internal batch of 64. Two hosts whose datagrams the test carries by hand (as
// examples/echo_c.c does), in virtual time.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "ustcp/ustcp.h"

namespace {

constexpr uint32_t kClient = USTCP_IPV4(10, 0, 0, 1);
constexpr uint32_t kServer = USTCP_IPV4(10, 0, 0, 2);
constexpr int64_t kMs = 1'000'000;

ustcp_stack* create(uint32_t addr, uint64_t seed, const char* sysctls = nullptr) {
  ustcp_config cfg = {.addr = addr, .sysctls = sysctls, .seed = seed};
  char err[256] = "";
  ustcp_stack* s = ustcp_stack_create(&cfg, err, sizeof err);
  EXPECT_NE(s, nullptr) << err;
  return s;
}

// Moves every queued datagram from one host to the other; returns how many.
int carry(ustcp_stack* from, ustcp_stack* to, int64_t now) {
  unsigned char d[2048];
  long n;
  int count = 0;
  while ((n = ustcp_poll_transmit(from, now, d, sizeof d)) > 0) {
    ustcp_receive(to, now, d, static_cast<size_t>(n));
    ++count;
  }
  return count;
}

void exchange(ustcp_stack* a, ustcp_stack* b, int64_t now) {
  while (carry(a, b, now) + carry(b, a, now) > 0) {
  }
}

TEST(CApi, CreateNamesTheBadSysctlLine) {
  ustcp_config cfg = {.addr = kServer,
                      .sysctls = "net.ipv4.tcp_syncookies = 2\nnet.ipv4.tcp_no_such = 1\n",
                      .seed = 1};
  char err[256] = "";
  EXPECT_EQ(ustcp_stack_create(&cfg, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("tcp_no_such"), std::string::npos) << err;
  EXPECT_NE(std::string(err).find('2'), std::string::npos) << err;  // line 2
  EXPECT_EQ(ustcp_stack_create(nullptr, err, sizeof err), nullptr);
  EXPECT_NE(std::string(err), "");
}

TEST(CApi, ErrorsAreMinusOneWithLinuxErrno) {
  ustcp_stack* s = create(kClient, 2);
  char buf[8] = {};
  errno = 0;
  EXPECT_EQ(ustcp_send(s, 0, 42, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EBADF);
  errno = 0;
  EXPECT_EQ(ustcp_poll(s, 42), -1);
  EXPECT_EQ(errno, EBADF);
  const int fd = ustcp_socket(s);
  EXPECT_EQ(fd, 3);  // descriptors from 3, lowest free first
  errno = 0;
  EXPECT_EQ(ustcp_connect(s, 0, fd, kServer, 80), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  int64_t deadline = 0;
  EXPECT_EQ(ustcp_next_deadline(s, &deadline), 1);  // the SYN's retransmission timer
  EXPECT_GT(deadline, 0);
  errno = 0;
  EXPECT_EQ(ustcp_recv(s, 0, fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(ustcp_setsockopt(s, 0, fd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  int v = -1;
  EXPECT_EQ(ustcp_getsockopt(s, fd, IPPROTO_TCP, TCP_NODELAY, &v), 0);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(ustcp_close(s, 0, fd), 0);
  errno = 0;
  EXPECT_EQ(ustcp_close(s, 0, fd), -1);
  EXPECT_EQ(errno, EBADF);
  ustcp_stack_destroy(s);
}

TEST(CApi, ADatagramTooLargeForTheBufferStaysQueued) {
  ustcp_stack* s = create(kClient, 2);
  const int fd = ustcp_socket(s);
  ASSERT_EQ(ustcp_connect(s, 0, fd, kServer, 80), -1);
  unsigned char small[20], big[2048];
  errno = 0;
  EXPECT_EQ(ustcp_poll_transmit(s, 0, small, sizeof small), -1);  // the SYN is 60 bytes
  EXPECT_EQ(errno, EMSGSIZE);
  EXPECT_EQ(ustcp_poll_transmit(s, 0, big, sizeof big), 60);
  EXPECT_EQ(big[0] >> 4, 4);                                 // IPv4
  EXPECT_EQ(big[20 + 13], 0x02);                             // SYN
  EXPECT_EQ(ustcp_poll_transmit(s, 0, big, sizeof big), 0);  // nothing else
  ustcp_stack_destroy(s);
}

// 100 connections become writable at once: take_ready hands them all out, across its
// internal batches of 64, and each once (edge-triggered).
TEST(CApi, TakeReadyReturnsEveryChangedSocketOnce) {
  ustcp_stack* server = create(kServer, 1);
  ustcp_stack* client = create(kClient, 2);
  const int l = ustcp_socket(server);
  ASSERT_EQ(ustcp_bind(server, l, kServer, 7), 0);
  ASSERT_EQ(ustcp_listen(server, l, 128), 0);
  std::vector<int> fds;
  for (int i = 0; i < 100; ++i) {
    const int fd = ustcp_socket(client);
    ASSERT_EQ(ustcp_watch(client, fd, USTCP_OUT | USTCP_ET, 1000 + i), 0);
    ASSERT_EQ(ustcp_connect(client, 0, fd, kServer, 7), -1);
    fds.push_back(fd);
  }
  ustcp_event ev[128];
  EXPECT_EQ(ustcp_take_ready(client, ev, 128), 0);  // nothing connected yet
  exchange(client, server, 10 * kMs);
  std::vector<bool> seen(100);
  int n = ustcp_take_ready(client, ev, 70);
  EXPECT_EQ(n, 70);
  n += ustcp_take_ready(client, ev + 70, 58);
  EXPECT_EQ(n, 100);
  for (int i = 0; i < n; ++i) {
    ASSERT_GE(ev[i].data, 1000u);
    ASSERT_LT(ev[i].data, 1100u);
    const size_t k = ev[i].data - 1000;
    EXPECT_FALSE(seen[k]) << "twice: " << k;
    seen[k] = true;
    EXPECT_EQ(ev[i].fd, fds[k]);
    EXPECT_TRUE(ev[i].events & USTCP_OUT);
  }
  EXPECT_EQ(ustcp_take_ready(client, ev, 128), 0);  // edge-triggered: no change, no event
  uint32_t peer = 0;
  uint16_t port = 0;
  EXPECT_GE(ustcp_accept(server, 10 * kMs, l, &peer, &port), 0);
  EXPECT_EQ(peer, kClient);
  EXPECT_NE(port, 0);
  ustcp_stack_destroy(client);
  ustcp_stack_destroy(server);
}

}  // namespace
