// Which listener a SYN reaches (inet_lhash2_lookup): the one bound to the SYN's destination
// address and port, else one bound to 0.0.0.0 on that port, else none (a RST: connect()
// fails with ECONNREFUSED). Listeners are found by port, so closing one must forget it.
#include <gtest/gtest.h>

#include <cerrno>

#include "two_stacks.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kClient(10, 0, 0, 1);
const Ipv4Addr kServer1(10, 0, 0, 2);
const Ipv4Addr kServer2(10, 0, 0, 3);

// connect() from `a` to `to` after both stacks settle: 0, or the errno.
int connect_result(stack::Stack& a, stack::Stack& b, Endpoint to) {
  TimePoint now{};
  auto s = *a.socket();
  (void)a.connect(now, s, to);
  testing::run(a, b, now, now + std::chrono::seconds(1));
  auto r = a.connect(now + std::chrono::seconds(1), s, to);
  (void)a.close(now, s);
  return r ? 0 : r.error();
}

stack::SocketId listen_on(stack::Stack& b, Endpoint local) {
  auto l = *b.socket();
  EXPECT_TRUE(b.setsockopt({}, l, 1 /*SOL_SOCKET*/, 2 /*SO_REUSEADDR*/, 1));
  EXPECT_TRUE(b.bind(l, local));
  EXPECT_TRUE(b.listen(l, 16));
  return l;
}

TEST(ListenerLookup, WildcardSpecificAndClosed) {
  stack::Stack a(kClient, {}, 1), b(kServer1, {}, 2);
  b.add_address(kServer2);

  auto any80 = listen_on(b, {Ipv4Addr(), 80});
  EXPECT_EQ(connect_result(a, b, {kServer1, 80}), 0);
  EXPECT_EQ(connect_result(a, b, {kServer2, 80}), 0);

  auto one81 = listen_on(b, {kServer1, 81});
  EXPECT_EQ(connect_result(a, b, {kServer1, 81}), 0);
  EXPECT_EQ(connect_result(a, b, {kServer2, 81}), ECONNREFUSED);  // bound to the other address

  // Linux refuses a specific listener beside a wildcard one on the same port, even with
  // SO_REUSEADDR on both (inet_csk_bind_conflict: the other socket is listening).
  auto clash = *b.socket();
  ASSERT_TRUE(b.setsockopt({}, clash, 1, 2, 1));
  auto r = b.bind(clash, {kServer2, 80});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), EADDRINUSE);
  ASSERT_TRUE(b.close({}, clash));

  ASSERT_TRUE(b.close({}, any80));
  EXPECT_EQ(connect_result(a, b, {kServer1, 80}), ECONNREFUSED);
  EXPECT_EQ(connect_result(a, b, {kServer2, 80}), ECONNREFUSED);
  EXPECT_EQ(connect_result(a, b, {kServer1, 81}), 0);  // one81 still listens
  ASSERT_TRUE(b.close({}, one81));
  EXPECT_EQ(connect_result(a, b, {kServer2, 80}), ECONNREFUSED);
  EXPECT_EQ(connect_result(a, b, {kServer1, 81}), ECONNREFUSED);

  // The port can be listened on again after all its listeners closed.
  listen_on(b, {Ipv4Addr(), 81});
  EXPECT_EQ(connect_result(a, b, {kServer2, 81}), 0);
}

}  // namespace
}  // namespace ustcp
