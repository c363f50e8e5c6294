// net.ipv4.tcp_challenge_ack_limit (RFC 5961 7), host-wide after the per-socket
// tcp_invalid_ratelimit, as Linux 6.x's tcp_send_challenge_ack applies it: INT_MAX (the
// default) is no limit; otherwise each second's budget is drawn from [limit/2, limit/2 +
// limit - 1] with the host's secret, so it cannot be counted from outside (CVE-2016-5696).
// Before this, the sysctl was accepted and never read.
#include "ustcp/tcp/challenge_ack.hpp"

#include <climits>
#include <set>

#include "harness.hpp"
#include "ustcp/tcp/secrets.hpp"

namespace ustcp::testing {
namespace {

const SipKey kKey = tcp::Secrets::from_seed(1).challenge_ack;

TEST(ChallengeAckLimit, IntMaxIsNoLimit) {
  tcp::ChallengeAckLimit l(kKey);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(l.allow(INT_MAX, at(1s)));
}

TEST(ChallengeAckLimit, EachSecondsBudgetIsDrawnBetweenHalfAndOneAndAHalfLimit) {
  tcp::ChallengeAckLimit l(kKey);
  std::set<int> budgets;
  for (int s = 0; s < 300; ++s) {
    int n = 0;
    while (n < 100 && l.allow(10, at(std::chrono::seconds(s) + 500ms))) ++n;
    EXPECT_GE(n, 5);   // half = (10 + 1) / 2
    EXPECT_LE(n, 14);  // limit + half - 1
    budgets.insert(n);
  }
  EXPECT_EQ(budgets.size(), 10u);  // every value of the range comes up: not countable
  // Another host's secret draws other budgets.
  tcp::ChallengeAckLimit a(kKey), b(tcp::Secrets::from_seed(2).challenge_ack);
  int differ = 0;
  for (int s = 0; s < 50; ++s) {
    int na = 0, nb = 0;
    while (na < 100 && a.allow(10, at(std::chrono::seconds(s)))) ++na;
    while (nb < 100 && b.allow(10, at(std::chrono::seconds(s)))) ++nb;
    differ += na != nb;
  }
  EXPECT_GT(differ, 20);
}

// In-window RSTs on an established connection, each asking for a challenge ACK, with the
// per-socket rate limit off (tcp_invalid_ratelimit = 0): how many ACKs go out.
int challenge_acks(int rsts, Harness& h) {
  h.established_client();
  for (int k = 0; k < rsts; ++k) {
    h.inject(at(1s) + std::chrono::milliseconds(k), Seg{.flags = RST, .seq = kIrs + 1000 + k});
  }
  return static_cast<int>(h.stack.counters().TCPChallengeACK);
}

TEST(ChallengeAckLimit, TheStackReadsTheSysctl) {
  tcp::Config cfg;
  cfg.tcp_invalid_ratelimit = 0;
  {
    Harness h(cfg);  // default: INT_MAX
    EXPECT_EQ(challenge_acks(5, h), 5);
    for (int k = 0; k < 5; ++k)
      h.expect_send(at(1s) + std::chrono::milliseconds(k),
                    Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  }
  cfg.tcp_challenge_ack_limit = 1;  // budget: exactly 1 a second ([1, 1])
  Harness h(cfg);
  EXPECT_EQ(challenge_acks(5, h), 1);
  h.expect_send(at(1s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.expect_nothing();
  // The next second has a budget again.
  h.inject(at(2s), Seg{.flags = RST, .seq = kIrs + 3000});
  h.inject(at(2s) + 1ms, Seg{.flags = RST, .seq = kIrs + 3001});
  h.expect_send(at(2s), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
  h.expect_nothing();
  EXPECT_EQ(h.stack.counters().TCPChallengeACK, 2u);
  EXPECT_EQ(h.state(), State::Established);
}

}  // namespace
}  // namespace ustcp::testing
