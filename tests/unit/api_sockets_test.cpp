// The descriptor layer: BSD-shaped calls returning values or -errno, lowest free fd,
// EBADF for unknown descriptors, poll() revents.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "two_stacks.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kA(10, 0, 0, 1);
const Ipv4Addr kB(10, 0, 0, 2);

using testing::pump;

TEST(ApiSockets, DescriptorsAreSmallestFreeFromThree) {
  stack::Stack s(kA);
  api::Sockets net(s);
  EXPECT_EQ(net.socket(), 3);
  EXPECT_EQ(net.socket(), 4);
  EXPECT_EQ(net.close(TimePoint{}, 3), 0);
  EXPECT_EQ(net.socket(), 3);
  EXPECT_EQ(net.close(TimePoint{}, 42), -EBADF);
  EXPECT_EQ(net.bind(42, {kA, 80}), -EBADF);
  char buf[4];
  EXPECT_EQ(net.recv(TimePoint{}, 42, MutBytes(reinterpret_cast<std::byte*>(buf), 4)), -EBADF);
}

TEST(ApiSockets, SeveralClosedDescriptorsAreReusedLowestFirst) {
  stack::Stack s(kA);
  api::Sockets net(s);
  for (int want = 3; want <= 9; ++want) ASSERT_EQ(net.socket(), want);
  for (int fd : {7, 4, 5}) ASSERT_EQ(net.close(TimePoint{}, fd), 0);
  EXPECT_EQ(net.close(TimePoint{}, 4), -EBADF);  // closed twice
  EXPECT_EQ(net.fionread(4), -EBADF);
  EXPECT_EQ(net.socket(), 4);
  EXPECT_EQ(net.socket(), 5);
  EXPECT_EQ(net.socket(), 7);
  EXPECT_EQ(net.socket(), 10);
  EXPECT_EQ(net.close(TimePoint{}, -1), -EBADF);
  EXPECT_EQ(net.close(TimePoint{}, 2), -EBADF);  // never handed out
}

TEST(ApiSockets, ConnectAcceptSendRecvPollClose) {
  stack::Stack a(kA), b(kB);
  api::Sockets ca(a), cb(b);
  TimePoint now{};
  int l = cb.socket();
  ASSERT_EQ(cb.setsockopt(now, l, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  ASSERT_EQ(cb.bind(l, {kB, 80}), 0);
  ASSERT_EQ(cb.listen(l, 8), 0);
  int c = ca.socket();
  EXPECT_EQ(ca.connect(now, c, {kB, 80}), -EINPROGRESS);
  api::PollFd p[1] = {{.fd = c, .events = stack::events::OUT}};
  EXPECT_EQ(ca.poll(p), 0);  // still connecting
  pump(a, b, now);
  EXPECT_EQ(ca.poll(p), 1);
  EXPECT_EQ(p[0].revents, stack::events::OUT);
  EXPECT_EQ(ca.connect(now, c, {kB, 80}), 0);  // the first call after completion
  EXPECT_EQ(ca.connect(now, c, {kB, 80}), -EISCONN);
  Endpoint peer;
  int s = cb.accept(now, l, &peer);
  ASSERT_GE(s, 3);
  EXPECT_EQ(peer.addr, kA);
  EXPECT_EQ(ca.send(now, c, Bytes(reinterpret_cast<const std::byte*>("hello"), 5)), 5);
  pump(a, b, now);
  EXPECT_EQ(cb.fionread(s), 5);
  char buf[16] = {};
  EXPECT_EQ(cb.recv(now, s, MutBytes(reinterpret_cast<std::byte*>(buf), sizeof buf)), 5);
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(cb.recv(now, s, MutBytes(reinterpret_cast<std::byte*>(buf), sizeof buf)), -EAGAIN);
  EXPECT_EQ(ca.getsockopt(c, IPPROTO_TCP, TCP_MAXSEG), 1448);  // 1460 less timestamps
  // The client closes: the server reads end of file and sees POLLIN | RDHUP.
  EXPECT_EQ(ca.close(now, c), 0);
  pump(a, b, now);
  api::PollFd q[2] = {{.fd = s, .events = stack::events::IN | stack::events::RDHUP},
                      {.fd = 99, .events = stack::events::IN}};
  EXPECT_EQ(cb.poll(q), 2);
  EXPECT_EQ(q[0].revents, stack::events::IN | stack::events::RDHUP);
  EXPECT_EQ(q[1].revents, 0x020);  // POLLNVAL
  EXPECT_EQ(cb.recv(now, s, MutBytes(reinterpret_cast<std::byte*>(buf), sizeof buf)), 0);
}

TEST(ApiSockets, ErrnoOfOptions) {
  stack::Stack a(kA);
  api::Sockets net(a);
  int fd = net.socket();
  EXPECT_EQ(net.setsockopt(TimePoint{}, fd, IPPROTO_TCP, TCP_MAXSEG, 10), -EINVAL);
  EXPECT_EQ(net.setsockopt(TimePoint{}, fd, SOL_SOCKET, 12345, 1), -ENOPROTOOPT);
  EXPECT_EQ(net.setsockopt(TimePoint{}, fd, SOL_SOCKET, SO_RCVBUF, 10000), 0);
  EXPECT_EQ(net.getsockopt(fd, SOL_SOCKET, SO_RCVBUF), 20000);  // Linux doubles it
  EXPECT_EQ(net.setsockopt(TimePoint{}, fd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  EXPECT_EQ(net.getsockopt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ(net.getsockopt(fd, SOL_SOCKET, SO_ERROR), 0);
  char b[4];
  EXPECT_EQ(net.recv(TimePoint{}, fd, MutBytes(reinterpret_cast<std::byte*>(b), 4)), -ENOTCONN);
  // tcp_sendmsg -> sk_stream_wait_connect: EPIPE, not ENOTCONN (tests/drill's
  // connect-refused.pkt, checked on Linux 6.18).
  EXPECT_EQ(net.send(TimePoint{}, fd, Bytes(reinterpret_cast<const std::byte*>("x"), 1)), -EPIPE);
}

}  // namespace
}  // namespace ustcp
