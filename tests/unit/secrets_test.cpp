// A host's secrets (tcp/secrets.hpp): the driver draws them (link::random_secrets(), 128
// bits of getrandom() per key) and the Stack only uses what it is given. Each key steers
// exactly its own output (ISN, timestamp offset, SYN cookie, ephemeral port), and two
// stacks given the same secrets behave identically: the core reads no randomness of its
// own. (tests/embed/core_randomness.sh checks the library's symbols for the same.)
#include "ustcp/tcp/secrets.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "ustcp/link/random_secrets.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp {
namespace {

using namespace std::chrono_literals;
using tcp::Secrets;

const Ipv4Addr kA(10, 0, 0, 1), kB(10, 0, 0, 2);

std::vector<uint64_t> words(const Secrets& s) {
  std::vector<uint64_t> w;
  for (const SipKey* k : s.all()) w.insert(w.end(), k->begin(), k->end());
  return w;
}

TEST(RandomSecrets, TwoStacksGetIndependentKeys) {
  auto a = link::random_secrets(), b = link::random_secrets();
  ASSERT_TRUE(a) << a.error();
  ASSERT_TRUE(b) << b.error();
  // 28 words of 64 bits: a repeat (or a zero) would mean keys derived from one another
  // or never filled; by chance it happens with probability ~2^-55.
  std::set<uint64_t> seen;
  for (const auto& s : {*a, *b}) {
    for (uint64_t w : words(s)) {
      EXPECT_NE(w, 0u);
      EXPECT_TRUE(seen.insert(w).second) << "a 64-bit word of the secrets repeats";
    }
  }
  EXPECT_EQ(seen.size(), 28u);
}

TEST(Secrets, FromSeedIsReproducibleAndSeedsDiffer) {
  EXPECT_EQ(Secrets::from_seed(7), Secrets::from_seed(7));
  std::set<uint64_t> seen;
  for (uint64_t w : words(Secrets::from_seed(7))) seen.insert(w);
  for (uint64_t w : words(Secrets::from_seed(8))) seen.insert(w);
  EXPECT_EQ(seen.size(), 28u);
}

struct Syn {
  uint32_t isn = 0;
  uint32_t tsval = 0;
  uint16_t port = 0;
  std::vector<std::byte> datagram;
};

// The SYN a stack with these secrets sends for connect(kB:80) at 5 s.
Syn first_syn(const Secrets& secrets) {
  stack::Stack s(kA, {}, secrets);
  auto id = *s.socket();
  EXPECT_FALSE(s.connect(at(5s), id, {kB, 80}));
  auto d = s.poll_transmit(at(5s));
  EXPECT_TRUE(d);
  Syn syn;
  syn.datagram.assign(d->begin(), d->end());
  auto ip = wire::Ipv4View::parse(syn.datagram);
  auto seg = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
  syn.isn = seg->seq().raw();
  syn.tsval = seg->options().timestamp->val;
  syn.port = seg->src_port();
  return syn;
}

// The ISN of the cookie SYN-ACK (tcp_syncookies = 2) a listener with these secrets sends
// in answer to `syn`.
uint32_t cookie_isn(const Secrets& secrets, const std::vector<std::byte>& syn) {
  tcp::Config cfg;
  cfg.tcp_syncookies = 2;
  stack::Stack s(kB, cfg, secrets);
  auto l = *s.socket();
  EXPECT_TRUE(s.bind(l, {kB, 80}));
  EXPECT_TRUE(s.listen(l, 16));
  s.receive(at(5s), syn);
  auto d = s.poll_transmit(at(5s));
  EXPECT_TRUE(d);
  EXPECT_EQ(s.counters().SyncookiesSent, 1u);
  auto ip = wire::Ipv4View::parse(*d);
  return wire::TcpView::parse(ip->payload(), ip->src(), ip->dst())->seq().raw();
}

TEST(Secrets, EachKeySteersItsOwnOutputAndNothingElse) {
  const Secrets base = Secrets::from_seed(1);
  const Syn syn = first_syn(base);
  // Same secrets, same inputs: the same SYN to the bit (no hidden source of randomness).
  EXPECT_EQ(first_syn(base).datagram, syn.datagram);

  // One key replaced at a time: which of the SYN's fields change.
  struct Row {
    SipKey Secrets::*key;
    bool isn, tsval, port;
  };
  for (const Row& row :
       {Row{&Secrets::isn, true, false, false}, Row{&Secrets::ts_offset, false, true, false},
        // Another port is another 4-tuple, so another ISN as well.
        Row{&Secrets::port_offset, true, false, true}}) {
    Secrets other = base;
    other.*row.key = Secrets::from_seed(2).*row.key;
    const Syn a = first_syn(other);
    EXPECT_EQ(a.isn != syn.isn, row.isn);
    EXPECT_EQ(a.tsval != syn.tsval, row.tsval);
    EXPECT_EQ(a.port != syn.port, row.port);
  }

  // SYN cookies: the listener's cookie keys, and only they, change the SYN-ACK's ISN.
  const uint32_t cookie = cookie_isn(base, syn.datagram);
  EXPECT_EQ(cookie_isn(base, syn.datagram), cookie);
  Secrets other_cookie = base;
  other_cookie.syncookie = Secrets::from_seed(2).syncookie;
  EXPECT_NE(cookie_isn(other_cookie, syn.datagram), cookie);
  Secrets other_isn = base;
  other_isn.isn = Secrets::from_seed(2).isn;
  EXPECT_EQ(cookie_isn(other_isn, syn.datagram), cookie);
}

TEST(Secrets, DemuxHashUsesAll128Bits) {
  const tcp::FourTuple t{{kA, 40000}, {kB, 80}};
  const tcp::FourTupleHash h{1, 2};
  EXPECT_NE(h(t), (tcp::FourTupleHash{3, 2}(t)));
  EXPECT_NE(h(t), (tcp::FourTupleHash{1, 4}(t)));
  EXPECT_EQ(h(t), (tcp::FourTupleHash{1, 2}(t)));
}

}  // namespace
}  // namespace ustcp
