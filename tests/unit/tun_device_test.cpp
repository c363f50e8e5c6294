// The parts of the TUN driver that need no device: interface names the kernel accepts, and
// the address the Linux side of a link gets by default.
#include "ustcp/link/tun_device.hpp"

#include <gtest/gtest.h>

namespace ustcp::link {
namespace {

TEST(TunDevice, InterfaceNamesFollowDevValidName) {
  EXPECT_TRUE(valid_interface_name("tun0"));
  EXPECT_TRUE(valid_interface_name("ustcp0"));
  EXPECT_TRUE(valid_interface_name("a23456789012345"));    // 15 bytes: the most IFNAMSIZ allows
  EXPECT_FALSE(valid_interface_name("a234567890123456"));  // 16
  EXPECT_FALSE(valid_interface_name(""));
  EXPECT_FALSE(valid_interface_name("."));
  EXPECT_FALSE(valid_interface_name(".."));
  EXPECT_FALSE(valid_interface_name("tun/0"));
  EXPECT_FALSE(valid_interface_name("tun 0"));
  EXPECT_FALSE(valid_interface_name("tun:0"));
  EXPECT_FALSE(valid_interface_name("tun%d"));
}

TEST(TunDevice, OpenRejectsABadNameBeforeTouchingTheSystem) {
  auto t = TunDevice::open("bad/name");
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().find("invalid interface name 'bad/name'"), std::string::npos) << t.error();
}

TEST(TunDevice, NetmaskOfAPrefixLength) {
  EXPECT_EQ(Ipv4Addr::netmask(24), Ipv4Addr(255, 255, 255, 0));
  EXPECT_EQ(Ipv4Addr::netmask(15), Ipv4Addr(255, 254, 0, 0));
  EXPECT_EQ(Ipv4Addr::netmask(32), Ipv4Addr(255, 255, 255, 255));
  EXPECT_EQ(Ipv4Addr::netmask(0), Ipv4Addr(0, 0, 0, 0));
}

TEST(TunDevice, OtherHostIsTheFirstHostThatIsNotUs) {
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 2), 24), Ipv4Addr(198, 18, 0, 1));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 1), 24), Ipv4Addr(198, 18, 0, 2));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 7, 9), 16), Ipv4Addr(198, 18, 0, 1));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 6), 30), Ipv4Addr(198, 18, 0, 5));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 5), 30), Ipv4Addr(198, 18, 0, 6));
  // RFC 3021: a /31 has two addresses and no broadcast.
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 4), 31), Ipv4Addr(198, 18, 0, 5));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 5), 31), Ipv4Addr(198, 18, 0, 4));
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 5), 32), std::nullopt);
  EXPECT_EQ(other_host(Ipv4Addr(198, 18, 0, 5), -1), std::nullopt);
}

}  // namespace
}  // namespace ustcp::link
