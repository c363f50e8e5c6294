// TcpExtTCPDelivered counts segments, not ACKs (tcp_newly_delivered adds the packets each
// ACK covers): after a clean transfer it equals the data segments sent plus the FIN.
#include <gtest/gtest.h>

#include <vector>

#include "two_stacks.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp {
namespace {

const Ipv4Addr kA(10, 0, 0, 1);
const Ipv4Addr kB(10, 0, 0, 2);

TEST(Delivered, CountsEverySegmentAnAckCovers) {
  stack::Stack a(kA, {}, 1), b(kB, {}, 2);
  TimePoint now{};
  auto l = *b.socket();
  ASSERT_TRUE(b.bind(l, {kB, 80}));
  ASSERT_TRUE(b.listen(l, 16));
  auto c = *a.socket();
  (void)a.connect(now, c, {kB, 80});
  testing::pump(a, b, now);
  auto s = *b.accept(now, l);

  // Writes of assorted sizes, so segments are full and partial and the receiver's ACKs
  // (every second full segment, or delayed) each cover one or several of them.
  std::vector<std::byte> data(300000, std::byte{7});
  size_t sent = 0, got = 0;
  std::vector<std::byte> buf(65536);
  for (size_t step = 0; sent < data.size() && step < 10000; ++step) {
    const size_t chunk = std::min<size_t>({data.size() - sent, 1000 + (step * 7919) % 9000});
    if (auto n = a.send(now, c, Bytes(data).subspan(sent, chunk))) sent += *n;
    now = testing::run(a, b, now, now + std::chrono::milliseconds(1));
    while (auto n = b.recv(now, s, buf)) {
      if (*n == 0) break;
      got += *n;
    }
  }
  ASSERT_EQ(sent, data.size());
  ASSERT_TRUE(a.close(now, c));
  now = testing::run(a, b, now, now + std::chrono::seconds(1));
  while (auto n = b.recv(now, s, buf)) {
    if (*n == 0) break;
    got += *n;
  }
  EXPECT_EQ(got, data.size());
  const auto m = a.counters();
  EXPECT_EQ(m.RetransSegs, 0u);
  EXPECT_GT(m.TCPOrigDataSent, 200u);                // 300 KB in 1448-byte segments at least
  EXPECT_EQ(m.TCPDelivered, m.TCPOrigDataSent + 1);  // + the FIN
}

}  // namespace
}  // namespace ustcp
