// tcp_max_orphans (tcp_close -> tcp_check_oom): connections the application closed but
// that are still finishing are orphans; past the limit a newly orphaned connection is reset
// at once ("too many orphaned sockets", TCPAbortOnMemory).
#include <gtest/gtest.h>

#include <vector>

#include "two_stacks.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kA(10, 0, 0, 1);
const Ipv4Addr kB(10, 0, 0, 2);

using testing::pump;
using testing::run;

TEST(Orphans, PastTcpMaxOrphansAClosedConnectionIsReset) {
  tcp::Config cfg;
  cfg.tcp_max_orphans = 2;
  stack::Stack a(kA, cfg, 1), b(kB, {}, 2);
  TimePoint now{};
  auto l = *b.socket();
  ASSERT_TRUE(b.bind(l, {kB, 80}));
  ASSERT_TRUE(b.listen(l, 16));
  std::vector<stack::SocketId> clients;
  for (int i = 0; i < 3; ++i) {
    auto s = *a.socket();
    (void)a.connect(now, s, {kB, 80});
    clients.push_back(s);
  }
  pump(a, b, now);
  // The server never closes: each client close leaves an orphan in FIN_WAIT_2.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(a.close(now, clients[i]));
    pump(a, b, now);
  }
  EXPECT_EQ(a.orphan_count(), 2u);
  EXPECT_EQ(a.counters().TCPAbortOnMemory, 0u);
  const uint64_t rsts = a.counters().OutRsts;
  ASSERT_TRUE(a.close(now, clients[2]));  // the third orphan is one too many
  EXPECT_EQ(a.counters().TCPAbortOnMemory, 1u);
  EXPECT_EQ(a.counters().OutRsts, rsts + 1);
  EXPECT_EQ(a.orphan_count(), 2u);
  // The orphans that stayed end after tcp_fin_timeout (60 s), and the count with them.
  now = run(a, b, now, now + 61s);
  EXPECT_EQ(a.orphan_count(), 0u);
  EXPECT_EQ(a.connection_count(), 0u);
}

}  // namespace
}  // namespace ustcp
