// tcp/syncookie and the listener's cookie path: making and checking a SYN cookie, and a
// Stack answering SYNs statelessly (net.ipv4.tcp_syncookies = 2), as under a SYN flood.
#include <benchmark/benchmark.h>

#include "bench_util.hpp"
#include "ustcp/tcp/secrets.hpp"
#include "ustcp/tcp/syncookie.hpp"

namespace ustcp::bench {
namespace {

using namespace wire::tcp_flags;

const tcp::FourTuple kTuple{{kServerAddr, kServerPort}, {Ipv4Addr(10, 0, 0, 1), 40000}};

// SynCookies::make: two SipHash-2-4 of the 4-tuple plus arithmetic.
void BM_SynCookieMake(benchmark::State& state) {
  const tcp::SynCookies cookies(tcp::Secrets::from_seed(1).syncookie);
  const TimePoint now = at(600s);
  const SeqNum c0 = cookies.make(kTuple, SeqNum(kPeerIsn), 1460, now);
  require(cookies.check(kTuple, SeqNum(kPeerIsn + 1), c0 + 1, now) == uint16_t{1460},
          "a fresh cookie does not check");
  uint32_t isn = 0;
  for (auto _ : state) {
    SeqNum c = cookies.make(kTuple, SeqNum(isn++), 1460, now);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynCookieMake);

// SynCookies::check of a valid cookie made a minute earlier (the second minute of its
// validity, the longer path).
void BM_SynCookieCheck(benchmark::State& state) {
  const tcp::SynCookies cookies(tcp::Secrets::from_seed(1).syncookie);
  const TimePoint made = at(600s), now = at(660s);
  const SeqNum c = cookies.make(kTuple, SeqNum(kPeerIsn), 1460, made);
  require(cookies.check(kTuple, SeqNum(kPeerIsn + 1), c + 1, now) == uint16_t{1460},
          "a one-minute-old cookie does not check");
  require(!cookies.check(kTuple, SeqNum(kPeerIsn + 1), c + 2, now), "a wrong cookie checks");
  int64_t bad = 0;
  for (auto _ : state) {
    auto mss = cookies.check(kTuple, SeqNum(kPeerIsn + 1), c + 1, now);
    bad += !mss;
    benchmark::DoNotOptimize(mss);
  }
  require(bad == 0, "a valid cookie failed inside the loop");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynCookieCheck);

// Stack::receive of a SYN (mss, sackOK, TS, wscale) for a listener with tcp_syncookies = 2,
// and the SYN-ACK taken from the stack: parse, demux miss, listener lookup, option
// negotiation, the cookie, the SYN-ACK built (TS-encoded options) and checksummed. The
// SYNs come from 64K distinct 4-tuples in turn. Afterwards a cookie is completed with its
// ACK to prove the SYN-ACKs carried valid cookies.
void BM_ListenerSynCookie(benchmark::State& state) {
  tcp::Config cfg;
  cfg.tcp_syncookies = 2;
  stack::Stack s(kServerAddr, cfg);
  const stack::SocketId listener = listen_on(s);
  const TimePoint now = at(600s);

  constexpr size_t kSyns = 1 << 16;
  const size_t stride = make_datagram(kClientAddr, kServerAddr, linux_syn(1, 80, 0)).size();
  std::vector<std::byte> syns(kSyns * stride);
  for (size_t i = 0; i < kSyns; ++i) {
    const Endpoint peer = scripted_peer(i);
    write_datagram(MutBytes(syns).subspan(i * stride, stride), peer.addr, kServerAddr,
                   linux_syn(peer.port, kServerPort, kPeerIsn + static_cast<uint32_t>(i)));
  }

  const tcp::Counters before = s.counters();
  const uint64_t allocs = allocations();
  size_t k = 0;
  for (auto _ : state) {
    s.receive(now, Bytes(syns).subspan(k * stride, stride));
    benchmark::DoNotOptimize(s.poll_transmit(now));
    k = (k + 1) & (kSyns - 1);
  }
  report_allocations(state, allocs);
  const tcp::Counters after = s.counters();
  require(after.SyncookiesSent - before.SyncookiesSent == static_cast<uint64_t>(state.iterations()),
          "not every SYN was answered with a cookie");
  require(s.request_count() == 0 && s.connection_count() == 0, "a cookie SYN left state behind");

  // The proof: SYN 0 again, its SYN-ACK, the ACK completes a connection.
  s.receive(now, Bytes(syns).first(stride));
  auto p = s.poll_transmit(now);
  require(p.has_value(), "no SYN-ACK");
  auto ip = wire::Ipv4View::parse(*p);
  require(ip.has_value(), "bad SYN-ACK datagram");
  auto synack = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
  require(synack.has_value() && synack->flags() == (SYN | ACK), "not a SYN-ACK");
  const Endpoint peer = scripted_peer(0);
  wire::TcpRepr ack;
  ack.src_port = peer.port;
  ack.dst_port = kServerPort;
  ack.seq = SeqNum(kPeerIsn + 1);
  ack.ack = synack->seq() + 1;
  ack.flags = ACK;
  ack.window = 502;
  ack.options.timestamp = wire::TcpTimestamp{kPeerTsVal, synack->options().timestamp->val};
  s.receive(now, make_datagram(peer.addr, kServerAddr, ack));
  require(s.counters().SyncookiesRecv == 1 && s.accept(now, listener).has_value(),
          "the cookie's ACK did not complete a connection");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListenerSynCookie);

}  // namespace
}  // namespace ustcp::bench
