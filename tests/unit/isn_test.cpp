// RFC 6528 initial sequence numbers: ISN = M + F(4-tuple, secret), M ticking every 64 ns
// as in Linux's secure_tcp_seq(); the timestamp offset is per address pair.
#include "ustcp/tcp/isn.hpp"

#include <gtest/gtest.h>

#include "ustcp/tcp/secrets.hpp"

namespace ustcp::tcp {
namespace {

IsnGenerator generator(uint64_t seed) {
  const Secrets s = Secrets::from_seed(seed);
  return IsnGenerator(s.isn, s.ts_offset);
}

const FourTuple kT{{Ipv4Addr(10, 0, 0, 1), 40000}, {Ipv4Addr(10, 0, 0, 2), 80}};

TEST(Isn, KeyedHashOfTheTuplePlusClock) {
  const IsnGenerator g = generator(1), other = generator(2);
  const TimePoint t0 = at(100s);
  EXPECT_EQ(g.isn(kT, t0), g.isn(kT, t0));
  EXPECT_NE(g.isn(kT, t0), other.isn(kT, t0));  // the secret matters
  FourTuple t2 = kT;
  t2.local.port = 40001;
  EXPECT_NE(g.isn(kT, t0), g.isn(t2, t0));  // so does every part of the tuple
  // M: one tick per 64 ns, so one second moves the ISN by 10^9 / 64.
  EXPECT_EQ(g.isn(kT, t0 + 1s) - g.isn(kT, t0), 15625000);
  // The same tuple reopened later starts further on: old segments fall behind.
  EXPECT_TRUE(g.isn(kT, t0 + 1ms).after(g.isn(kT, t0)));
}

TEST(Isn, TimestampOffsetIsPerAddressPair) {
  const IsnGenerator g = generator(1);
  FourTuple other_port = kT;
  other_port.remote.port = 443;
  FourTuple other_host = kT;
  other_host.remote.addr = Ipv4Addr(10, 0, 0, 3);
  EXPECT_EQ(g.ts_offset(kT), g.ts_offset(other_port));
  EXPECT_NE(g.ts_offset(kT), g.ts_offset(other_host));
}

}  // namespace
}  // namespace ustcp::tcp
