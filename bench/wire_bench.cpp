// wire/: parsing an IPv4 + TCP datagram, emitting one, and the Internet checksum.
#include <benchmark/benchmark.h>

#include "bench_util.hpp"
#include "ustcp/wire/checksum.hpp"

namespace ustcp::bench {
namespace {

using namespace wire::tcp_flags;

const Ipv4Addr kSrc(10, 0, 0, 1);
const Ipv4Addr kDst(10, 0, 0, 2);

// An ACK as a receiver with losses sends it: timestamps and three SACK blocks, which
// fill the 40 bytes of option space (nop,nop,TS + nop,nop,sack x3), and `payload` bytes.
wire::TcpRepr sack_segment(Bytes payload) {
  wire::TcpRepr r;
  r.src_port = 443;
  r.dst_port = 50000;
  r.seq = SeqNum(123456789);
  r.ack = SeqNum(987654321);
  r.flags = ACK | (payload.empty() ? 0 : PSH);
  r.window = 501;
  r.options.timestamp = wire::TcpTimestamp{1000000, 2000000};
  r.options.sack_count = 3;
  r.options.sack[0] = wire::SackBlock{SeqNum(987660000), SeqNum(987661448)};
  r.options.sack[1] = wire::SackBlock{SeqNum(987670000), SeqNum(987672896)};
  r.options.sack[2] = wire::SackBlock{SeqNum(987680000), SeqNum(987681448)};
  r.payload = payload;
  return r;
}

// Ipv4View::parse then TcpView::parse (both checksums verified, options decoded).
void BM_WireParse(benchmark::State& state) {
  const auto payload = filler(static_cast<size_t>(state.range(0)));
  const wire::TcpRepr repr = sack_segment(payload);
  require(repr.header_len() == 60, "the segment should carry 40 bytes of options");
  const std::vector<std::byte> d = make_datagram(kSrc, kDst, repr);

  auto ip = wire::Ipv4View::parse(d);
  require(ip.has_value(), "IPv4 parse");
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
  require(tcp.has_value(), "TCP parse");
  require(tcp->seq() == repr.seq && tcp->options().sack_count == 3 &&
              tcp->options().sack[2] == repr.options.sack[2] &&
              tcp->options().timestamp == repr.options.timestamp &&
              tcp->payload().size() == payload.size(),
          "parsed fields differ from the emitted ones");

  int64_t failures = 0;
  for (auto _ : state) {
    auto v4 = wire::Ipv4View::parse(d);
    if (!v4) {
      ++failures;
      continue;
    }
    auto seg = wire::TcpView::parse(v4->payload(), v4->src(), v4->dst());
    if (!seg) ++failures;
    benchmark::DoNotOptimize(seg);
  }
  require(failures == 0, "a parse failed inside the loop");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(d.size()));
}
BENCHMARK(BM_WireParse)->ArgName("payload")->Arg(0)->Arg(1448);

// Ipv4Repr::emit + TcpRepr::emit (options written, payload copied, checksum computed).
void BM_WireEmit(benchmark::State& state) {
  const auto payload = filler(static_cast<size_t>(state.range(0)));
  wire::TcpRepr repr = sack_segment(payload);
  std::vector<std::byte> out(wire::kIpv4HeaderLen + repr.size());

  write_datagram(out, kSrc, kDst, repr);
  auto ip = wire::Ipv4View::parse(out);
  require(ip.has_value(), "emitted IPv4 header does not parse");
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
  require(tcp.has_value() && tcp->options().sack_count == 3, "emitted segment does not parse");

  for (auto _ : state) {
    repr.seq += 1;  // a different segment each time
    wire::Ipv4Repr v4;
    v4.src = kSrc;
    v4.dst = kDst;
    v4.payload_len = static_cast<uint16_t>(repr.size());
    v4.emit(out);
    repr.emit(MutBytes(out).subspan(wire::kIpv4HeaderLen), kSrc, kDst);
    benchmark::ClobberMemory();
  }
  auto last = wire::Ipv4View::parse(out);
  require(last.has_value() &&
              wire::TcpView::parse(last->payload(), last->src(), last->dst()).has_value(),
          "the last emitted datagram does not parse");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_WireEmit)->ArgName("payload")->Arg(0)->Arg(1448);

// RFC 1071 the slow way, 16 bits at a time: the reference for BM_Checksum's check.
uint16_t reference_checksum(Bytes d) {
  uint64_t s = 0;
  for (size_t i = 0; i + 1 < d.size(); i += 2) s += load_be16(&d[i]);
  if (d.size() % 2) s += std::to_integer<uint32_t>(d.back()) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

// checksum_add + checksum_finish over n bytes.
void BM_Checksum(benchmark::State& state) {
  const auto data = filler(static_cast<size_t>(state.range(0)));
  require(wire::checksum_finish(wire::checksum_add(0, data)) == reference_checksum(data),
          "checksum differs from the RFC 1071 reference");
  for (auto _ : state) {
    benchmark::DoNotOptimize(data.data());
    uint16_t c = wire::checksum_finish(wire::checksum_add(0, data));
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Checksum)->ArgName("bytes")->Arg(40)->Arg(1500)->Arg(65536);

}  // namespace
}  // namespace ustcp::bench
