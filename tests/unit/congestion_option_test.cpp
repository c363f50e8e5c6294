// TCP_CONGESTION and net.ipv4.tcp_congestion_control: which algorithm a connection runs.
#include <gtest/gtest.h>

#include "harness_data.hpp"

namespace ustcp::testing {
namespace {

TEST(CongestionOption, DefaultIsCubicAndTheSysctlChangesNewConnections) {
  Harness h;
  SocketId s = h.established_client();
  EXPECT_STREQ(h.conn(s)->congestion_control().name(), "cubic");
  EXPECT_EQ(*h.stack.congestion_control(s), "cubic");
  tcp::Config cfg;
  cfg.congestion_control = &tcp::reno();
  Harness r(cfg);
  SocketId t = r.established_client();
  EXPECT_STREQ(r.conn(t)->congestion_control().name(), "reno");
  EXPECT_STREQ(r.conn(t)->info(r.now).ca_name, "reno");
}

TEST(CongestionOption, SetsockoptSwitchesAndRefusesUnknownNames) {
  Harness h;
  SocketId s = h.established_client();
  ASSERT_TRUE(h.stack.set_congestion_control(h.now, s, "reno"));
  EXPECT_EQ(*h.stack.congestion_control(s), "reno");
  auto bad = h.stack.set_congestion_control(h.now, s, "vegas");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), ENOENT);
  EXPECT_EQ(*h.stack.congestion_control(s), "reno");  // unchanged
  EXPECT_EQ(errno_of(h.stack.set_congestion_control(h.now, SocketId{}, "reno")), EBADF);
}

// Set before connect(): the connection starts with it; set on a listener: accepted
// connections inherit it (Linux copies icsk_ca_ops to the child).
TEST(CongestionOption, ChosenBeforeTheHandshakeAndInheritedFromTheListener) {
  Harness h;
  SocketId lst = h.listen();
  ASSERT_TRUE(h.stack.set_congestion_control(h.now, lst, "reno"));
  EXPECT_EQ(*h.stack.congestion_control(lst), "reno");
  h.inject(h.now, Seg{.flags = SYN, .seq = kIrs, .opts = mss_only()});
  h.expect_send(h.now, Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
  h.inject(h.now + 100ms, Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1});
  SocketId child = h.accept();
  ASSERT_TRUE(child.valid());
  EXPECT_STREQ(h.conn(child)->congestion_control().name(), "reno");
}

}  // namespace
}  // namespace ustcp::testing
