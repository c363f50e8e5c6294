// Ipv4Addr parsing and printing, Endpoint printing.
#include "ustcp/base/ipv4_addr.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

namespace ustcp {
namespace {

using namespace std::string_view_literals;

TEST(Ipv4Addr, ParsesDottedQuads) {
  struct Case {
    std::string_view text;
    uint32_t raw;
  };
  for (const Case& c : {
           Case{"0.0.0.0", 0},
           Case{"255.255.255.255", 0xFFFFFFFFu},
           Case{"192.0.2.1", 0xC0000201u},
           Case{"10.0.0.1", 0x0A000001u},
           Case{"127.0.0.1", 0x7F000001u},
           Case{"1.2.3.4", 0x01020304u},
           Case{"100.200.10.0", 0x64C80A00u},
       }) {
    std::optional<Ipv4Addr> a = Ipv4Addr::parse(c.text);
    ASSERT_TRUE(a.has_value()) << c.text;
    EXPECT_EQ(a->raw(), c.raw) << c.text;
    EXPECT_EQ(a->to_string(), c.text);
  }
  EXPECT_EQ(Ipv4Addr::parse("192.0.2.1"), Ipv4Addr(192, 0, 2, 1));
  EXPECT_TRUE(Ipv4Addr::parse("127.0.0.1")->is_loopback());
  EXPECT_TRUE(Ipv4Addr::parse("0.0.0.0")->is_unspecified());
}

TEST(Ipv4Addr, RejectsAnythingElse) {
  for (std::string_view text : {
           ""sv,
           "1.2.3"sv,
           "1.2.3.4.5"sv,
           "256.1.1.1"sv,
           "1.2.3.256"sv,
           "1.2.3.4x"sv,
           " 1.2.3.4"sv,
           "1.2.3.4 "sv,
           "01234.1.1.1"sv,
           "1234.1.1.1"sv,
           "1.2.3.0004"sv,
           "99999999999.1.1.1"sv,
           "1..2.3"sv,
           ".1.2.3"sv,
           "1.2.3."sv,
           "1.2.3.4."sv,
           "...."sv,
           "-1.2.3.4"sv,
           "+1.2.3.4"sv,
           "1.-2.3.4"sv,
           "0x1.2.3.4"sv,
           "a.b.c.d"sv,
           "1.2.3.4/24"sv,
           "1.2.3.4:80"sv,
           "1,2,3,4"sv,
           "1.2.3.4\0"sv,  // an embedded NUL is not the end of the text
           "16909060"sv,   // inet_aton would take a plain number; a dotted quad it is not
           // Leading zeros: inet_aton reads them as octal (010 = 8), inet_pton(AF_INET)
           // rejects them; we reject them rather than silently pick a meaning.
           "01.2.3.4"sv,
           "1.2.3.04"sv,
           "010.0.0.1"sv,
           "00.0.0.0"sv,
       }) {
    EXPECT_EQ(Ipv4Addr::parse(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(Ipv4Addr, ParsesAViewThatIsNotNulTerminated) {
  const std::string_view text = "10.0.0.12345"sv;
  EXPECT_EQ(Ipv4Addr::parse(text.substr(0, 8)), Ipv4Addr(10, 0, 0, 1));
  EXPECT_EQ(Ipv4Addr::parse(text.substr(0, 9)), Ipv4Addr(10, 0, 0, 12));
  EXPECT_EQ(Ipv4Addr::parse(text.substr(0, 10)), Ipv4Addr(10, 0, 0, 123));
  EXPECT_EQ(Ipv4Addr::parse(text.substr(0, 11)), std::nullopt);
}

TEST(Ipv4Addr, ToStringRoundTrips) {
  std::mt19937 rng(1);
  for (int i = 0; i < 20'000; ++i) {
    const Ipv4Addr a(static_cast<uint32_t>(rng()));
    const std::string s = a.to_string();
    ASSERT_EQ(Ipv4Addr::parse(s), a) << s;
  }
  EXPECT_EQ(Ipv4Addr(0, 10, 0, 255).to_string(), "0.10.0.255");
  EXPECT_EQ(Ipv4Addr().to_string(), "0.0.0.0");
}

TEST(Ipv4Addr, OrdersAsItsHostOrderValue) {
  EXPECT_LT(Ipv4Addr(9, 255, 255, 255), Ipv4Addr(10, 0, 0, 0));
  EXPECT_FALSE(Ipv4Addr(127, 0, 0, 1).is_unspecified());
  EXPECT_FALSE(Ipv4Addr(128, 0, 0, 1).is_loopback());
  EXPECT_TRUE(Ipv4Addr(127, 255, 0, 3).is_loopback());
}

TEST(Endpoint, ToString) {
  EXPECT_EQ((Endpoint{Ipv4Addr(192, 0, 2, 1), 80}).to_string(), "192.0.2.1:80");
  EXPECT_EQ((Endpoint{Ipv4Addr(), 0}).to_string(), "0.0.0.0:0");
  EXPECT_EQ((Endpoint{Ipv4Addr(255, 255, 255, 255), 65535}).to_string(), "255.255.255.255:65535");
  EXPECT_EQ((Endpoint{Ipv4Addr(10, 0, 0, 1), 8080}), (Endpoint{Ipv4Addr(10, 0, 0, 1), 8080}));
  EXPECT_NE((Endpoint{Ipv4Addr(10, 0, 0, 1), 8080}), (Endpoint{Ipv4Addr(10, 0, 0, 1), 8081}));
}

}  // namespace
}  // namespace ustcp
