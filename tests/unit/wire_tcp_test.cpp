// TCP header and option codec (RFC 9293 3.1-3.2, RFC 7323, RFC 2018): a known SYN, Linux's
// option layouts byte for byte, explicit layouts, round trips for every option, every parse
// error from a crafted segment, and a bounded randomized robustness test.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ustcp/wire/checksum.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::wire {
namespace {

using namespace tcp_flags;
using Buf = std::vector<std::byte>;

Buf bytes(std::initializer_list<int> v) {
  Buf out;
  for (int b : v) out.push_back(std::byte(b));
  return out;
}
Buf concat(const Buf& a, const Buf& b) {
  Buf out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

const Ipv4Addr kA(192, 0, 2, 1);
const Ipv4Addr kB(192, 0, 2, 2);

// The TCP part of a SYN 192.0.2.1:40000 -> 192.0.2.2:80, seq 0x01020304, window 64240,
// options as Linux sends them (mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7). Checksum
// 0x2811 computed independently (Python, RFC 1071 by the letter).
const Buf kSyn = bytes({
    0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    0xfa, 0xf0, 0x28, 0x11, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
});

uint8_t k(TcpOptionKind kind) { return static_cast<uint8_t>(kind); }

TcpOptions with_layout(TcpOptions o, std::initializer_list<TcpOptionKind> kinds) {
  o.layout_len = 0;
  for (auto kind : kinds) o.layout[o.layout_len++] = k(kind);
  return o;
}

std::vector<uint8_t> layout_of(const TcpOptions& o) {
  return std::vector<uint8_t>(o.layout.begin(), o.layout.begin() + o.layout_len);
}

// Option values (not layout) equal.
void expect_same_values(const TcpOptions& a, const TcpOptions& b) {
  EXPECT_EQ(a.mss, b.mss);
  EXPECT_EQ(a.wscale, b.wscale);
  EXPECT_EQ(a.sack_permitted, b.sack_permitted);
  EXPECT_EQ(a.timestamp, b.timestamp);
  ASSERT_EQ(a.sack_count, b.sack_count);
  for (size_t i = 0; i < a.sack_count && i < 4; ++i) EXPECT_EQ(a.sack[i], b.sack[i]) << i;
}

Buf emit(const TcpRepr& r, Ipv4Addr src = kA, Ipv4Addr dst = kB) {
  Buf out(r.size());
  r.emit(out, src, dst);
  return out;
}

// Just the option bytes emit() writes for `o`.
Buf option_bytes(const TcpOptions& o) {
  const Buf seg = emit(TcpRepr{.options = o});
  return Buf(seg.begin() + kTcpHeaderLen, seg.end());
}

// A segment with raw option bytes (padded with zeros to 4), a correct data offset and
// checksum, so that parse errors come from the options alone.
Buf segment_with_options(const Buf& opts, const Buf& payload = {}) {
  Buf s = bytes({0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0, ACK, 0x10, 0, 0, 0, 0, 0});
  Buf o = opts;
  while (o.size() % 4 != 0) o.push_back(std::byte{0});
  s[12] = std::byte(static_cast<uint8_t>(((kTcpHeaderLen + o.size()) / 4) << 4));
  s = concat(concat(s, o), payload);
  const uint32_t sum = pseudo_header_sum(kA, kB, kProtoTcp, static_cast<uint16_t>(s.size()));
  store_be16(&s[16], checksum_finish(checksum_add(sum, s)));
  return s;
}

ParseError parse_error_of(const Buf& s, bool verify = true) {
  auto r = TcpView::parse(s, kA, kB, verify);
  EXPECT_FALSE(r.has_value());
  return r ? ParseError{} : r.error();
}

TcpOptions parse_options(const Buf& opts) {
  auto r = TcpView::parse(segment_with_options(opts), kA, kB);
  EXPECT_TRUE(r.has_value()) << to_string(r.error());
  return r ? r->options() : TcpOptions{};
}

TcpOptions linux_syn_options() {
  TcpOptions o;
  o.mss = 1460;
  o.sack_permitted = true;
  o.timestamp = TcpTimestamp{.val = 100, .ecr = 0};
  o.wscale = 7;
  return o;
}

// ---- A known segment ----

TEST(Tcp, ParsesKnownSyn) {
  auto r = TcpView::parse(kSyn, kA, kB);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->src_port(), 40000);
  EXPECT_EQ(r->dst_port(), 80);
  EXPECT_EQ(r->seq(), SeqNum(0x01020304));
  EXPECT_EQ(r->ack(), SeqNum(0));
  EXPECT_EQ(r->flags(), SYN);
  EXPECT_TRUE(r->has(SYN));
  EXPECT_FALSE(r->has(ACK));
  EXPECT_EQ(r->window(), 64240);
  EXPECT_EQ(r->checksum(), 0x2811);
  EXPECT_EQ(r->urgent(), 0);
  EXPECT_EQ(r->header_len(), 40u);
  EXPECT_TRUE(r->payload().empty());
  EXPECT_EQ(r->seg_len(), SeqLen(1));
  expect_same_values(r->options(), linux_syn_options());
  EXPECT_EQ(layout_of(r->options()), (std::vector<uint8_t>{2, 4, 8, 1, 3}));
  EXPECT_EQ(r->options().to_string(), "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7");
}

TEST(Tcp, KnownSynInsideItsDatagram) {
  // The same SYN reached through Ipv4View, as the stack will see it.
  Buf ip = bytes({0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
                  0xa4, 0x84, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02});
  Buf d = concat(ip, kSyn);
  d.resize(d.size() + 6);  // Ethernet padding
  auto v = Ipv4View::parse(d);
  ASSERT_TRUE(v.has_value());
  auto t = TcpView::parse(v->payload(), v->src(), v->dst());
  ASSERT_TRUE(t.has_value()) << to_string(t.error());
  EXPECT_EQ(t->seq(), SeqNum(0x01020304));
}

TEST(Tcp, EmitsKnownSynWithLinuxLayout) {
  const TcpRepr syn{.src_port = 40000,
                    .dst_port = 80,
                    .seq = SeqNum(0x01020304),
                    .flags = SYN,
                    .window = 64240,
                    .options = linux_syn_options()};
  EXPECT_EQ(syn.header_len(), 40u);
  EXPECT_EQ(emit(syn), kSyn);  // every byte, checksum included
}

TEST(Tcp, CanonicalSynOptionBlock) {
  TcpOptions o = linux_syn_options();
  o.timestamp = TcpTimestamp{.val = 0xdeadbeef, .ecr = 0x01020304};
  EXPECT_EQ(option_bytes(o), bytes({0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xde, 0xad,
                                    0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x01, 0x03, 0x03, 0x07}));
  EXPECT_EQ(o.to_string(), "mss 1460,sackOK,TS val 3735928559 ecr 16909060,nop,wscale 7");
}

TEST(Tcp, ReprReproducesParsedBytes) {
  auto r = TcpView::parse(kSyn, kA, kB);
  ASSERT_TRUE(r.has_value());
  const TcpRepr repr = r->repr();
  EXPECT_EQ(repr.options.layout_len, 5);
  EXPECT_EQ(emit(repr), kSyn);
}

// PSH|ACK 192.0.2.2:80 -> 192.0.2.1:40000 carrying "hello" (from kB to kA): 25 bytes,
// checksum 0x00fe computed independently (Python).
const Buf kHello = bytes({'h', 'e', 'l', 'l', 'o'});
const TcpRepr kHelloSegment{.src_port = 80,
                            .dst_port = 40000,
                            .seq = SeqNum(0x11223344),
                            .ack = SeqNum(0x01020305),
                            .flags = PSH | ACK,
                            .window = 502,
                            .payload = kHello};

TEST(Tcp, OddLengthPayload) {
  const Buf s = emit(kHelloSegment, kB, kA);
  ASSERT_EQ(s.size(), 25u);
  EXPECT_EQ(load_be16(&s[16]), 0x00fe);
  auto v = TcpView::parse(s, kB, kA);
  ASSERT_TRUE(v.has_value()) << to_string(v.error());
  EXPECT_EQ(v->seg_len(), SeqLen(5));
  ASSERT_EQ(v->payload().size(), 5u);
  EXPECT_TRUE(std::equal(kHello.begin(), kHello.end(), v->payload().begin()));
  // The pseudo-header matters: the same bytes from another source fail.
  EXPECT_EQ(TcpView::parse(s, kA, kA).error(), ParseError::BadTcpChecksum);
}

TEST(Tcp, ChecksumOffloadLeavesThePseudoHeaderSumToFinish) {
  // The "hello" segment emitted for a link that finishes checksums: the field holds the
  // folded pseudo-header sum: c000 + 0202 + c000 + 0201 + 0006 (TCP) + 0019 (length 25) =
  // 1'8422, folded 8423.
  const TcpRepr& r = kHelloSegment;
  Buf s(r.size());
  r.emit(s, kB, kA, /*offload=*/true);
  EXPECT_EQ(load_be16(&s[16]), 0x8423);
  // What the link does: checksum the segment as it stands (no pseudo-header) and store it.
  // The result is the full checksum emit() computes without offload (0x00fe, see above).
  EXPECT_EQ(checksum_finish(checksum_add(0, s)), 0x00fe);
  // Unfinished, it fails verification; a Stack with checksum_offload does not verify.
  EXPECT_EQ(TcpView::parse(s, kB, kA).error(), ParseError::BadTcpChecksum);
  auto v = TcpView::parse(s, kB, kA, /*verify_checksum=*/false);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->payload().size(), 5u);
  // Everything but the checksum field is as without offload.
  Buf full = emit(r, kB, kA);
  s[16] = full[16];
  s[17] = full[17];
  EXPECT_EQ(s, full);
}

TEST(Tcp, PayloadBuiltInPlace) {
  // The payload may already sit right after the header in the output buffer.
  TcpRepr r{.src_port = 1, .dst_port = 2, .flags = ACK, .options = TcpOptions{.mss = 536}};
  Buf out(r.header_len() + 3);
  out[r.header_len()] = std::byte{'a'};
  out[r.header_len() + 1] = std::byte{'b'};
  out[r.header_len() + 2] = std::byte{'c'};
  r.payload = Bytes(out).subspan(r.header_len());
  r.emit(out, kA, kB);
  auto v = TcpView::parse(out, kA, kB);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->payload()[2], std::byte{'c'});
}

TEST(Tcp, SegLen) {
  const Buf three = bytes({1, 2, 3});
  struct Case {
    uint8_t flags;
    size_t payload;
    uint32_t seg_len;
  };
  for (const Case c :
       {Case{ACK, 0, 0}, Case{SYN, 0, 1}, Case{SYN | ACK, 0, 1}, Case{FIN | ACK, 0, 1},
        Case{SYN | FIN, 3, 5}, Case{PSH | ACK, 3, 3}, Case{RST, 0, 0}}) {
    const TcpRepr r{.flags = c.flags, .payload = Bytes(three).first(c.payload)};
    const Buf s = emit(r);
    auto v = TcpView::parse(s, kA, kB);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->seg_len(), SeqLen(c.seg_len)) << flags_to_string(c.flags);
  }
}

// ---- Flags and option text ----

TEST(Tcp, FlagsToString) {
  struct Case {
    uint8_t flags;
    const char* text;
  };
  for (const Case c : {Case{SYN, "S"}, Case{SYN | ACK, "S."}, Case{FIN | ACK, "F."},
                       Case{PSH | ACK, "P."}, Case{RST, "R"}, Case{RST | ACK, "R."}, Case{ACK, "."},
                       Case{FIN | PSH | ACK, "FP."}, Case{0, "-"}, Case{URG | ACK, "U."},
                       Case{SYN | ECE | CWR, "SEW"}, Case{0xff, "SFRPUEW."}}) {
    EXPECT_EQ(flags_to_string(c.flags), c.text) << int{c.flags};
  }
}

TEST(Tcp, OptionsToString) {
  EXPECT_EQ(TcpOptions{}.to_string(), "");
  TcpOptions sack;
  sack.sack_count = 2;
  sack.sack[0] = {SeqNum(1), SeqNum(2)};
  sack.sack[1] = {SeqNum(3), SeqNum(4)};
  EXPECT_EQ(sack.to_string(), "nop,nop,sack 1:2 3:4");
  EXPECT_EQ(with_layout(sack, {TcpOptionKind::Sack}).to_string(), "sack 1:2 3:4");
  TcpOptions ts{.timestamp = TcpTimestamp{.val = 100, .ecr = 0}};
  EXPECT_EQ(ts.to_string(), "nop,nop,TS val 100 ecr 0");
  TcpOptions mss{.mss = 1460};
  EXPECT_EQ(mss.to_string(), "mss 1460");
  EXPECT_EQ(with_layout(linux_syn_options(),
                        {TcpOptionKind::Mss, TcpOptionKind::Nop, TcpOptionKind::WindowScale,
                         TcpOptionKind::SackPermitted, TcpOptionKind::Eol})
                .to_string(),
            "mss 1460,nop,wscale 7,sackOK,eol");
}

// ---- Linux's layouts (tcp_options_write) ----

TEST(Tcp, LinuxLayouts) {
  const TcpTimestamp ts{.val = 0x0a0b0c0d, .ecr = 0x01020304};
  TcpOptions sack3;
  sack3.sack_count = 3;
  sack3.sack = {SackBlock{SeqNum(0x11), SeqNum(0x22)}, SackBlock{SeqNum(0x33), SeqNum(0x44)},
                SackBlock{SeqNum(0x55), SeqNum(0x66)}, SackBlock{SeqNum(0x77), SeqNum(0x88)}};
  TcpOptions sack4 = sack3;
  sack4.sack_count = 4;
  TcpOptions sack4_ts = sack4;
  sack4_ts.timestamp = ts;
  TcpOptions sack1 = sack3;
  sack1.sack_count = 1;
  TcpOptions everything = linux_syn_options();
  everything.sack_count = 4;
  everything.sack = sack4.sack;

  struct Case {
    const char* name;
    TcpOptions o;
    Buf wire;
  };
  const Buf ts_bytes = bytes({0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x02, 0x03, 0x04});
  const Buf block1 = bytes({0, 0, 0, 0x11, 0, 0, 0, 0x22});
  const Buf block2 = bytes({0, 0, 0, 0x33, 0, 0, 0, 0x44});
  const Buf block3 = bytes({0, 0, 0, 0x55, 0, 0, 0, 0x66});
  const Buf block4 = bytes({0, 0, 0, 0x77, 0, 0, 0, 0x88});
  const Case cases[] = {
      {"none", TcpOptions{}, {}},
      {"mss", TcpOptions{.mss = 1460}, bytes({0x02, 0x04, 0x05, 0xb4})},
      {"ts", TcpOptions{.timestamp = ts}, concat(bytes({0x01, 0x01}), ts_bytes)},
      {"sackOK", TcpOptions{.sack_permitted = true}, bytes({0x01, 0x01, 0x04, 0x02})},
      {"sackOK+ts", TcpOptions{.sack_permitted = true, .timestamp = ts},
       concat(bytes({0x04, 0x02}), ts_bytes)},
      {"wscale", TcpOptions{.wscale = 14}, bytes({0x01, 0x03, 0x03, 0x0e})},
      {"mss+wscale", TcpOptions{.mss = 536, .wscale = 0},
       bytes({0x02, 0x04, 0x02, 0x18, 0x01, 0x03, 0x03, 0x00})},
      {"sack1", sack1, concat(bytes({0x01, 0x01, 0x05, 0x0a}), block1)},
      {"sack4", sack4,
       concat(concat(concat(concat(bytes({0x01, 0x01, 0x05, 0x22}), block1), block2), block3),
              block4)},
      // 12 bytes of TS leave room for 3 blocks: Linux's tcp_established_options() trims.
      {"ts+sack4 trimmed to 3", sack4_ts,
       concat(concat(concat(concat(concat(bytes({0x01, 0x01}), ts_bytes),
                                   bytes({0x01, 0x01, 0x05, 0x1a})),
                            block1),
                     block2),
              block3)},
      // 20 bytes of SYN options leave room for 2 blocks.
      {"syn+sack4 trimmed to 2", everything,
       concat(concat(concat(bytes({0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0,    0,
                                   0,    100,  0,    0,    0,    0,    0x01, 0x03, 0x03, 0x07}),
                            bytes({0x01, 0x01, 0x05, 0x12})),
                     block1),
              block2)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.o.encoded_len(), c.wire.size());
    EXPECT_EQ(c.o.empty(), c.wire.empty());
    EXPECT_EQ(option_bytes(c.o), c.wire);
    // And back: the values survive (trimmed SACK blocks excepted), the layout is what
    // was sent, and re-emitting the parsed options gives the same bytes.
    const TcpOptions back = parse_options(c.wire);
    EXPECT_EQ(back.mss, c.o.mss);
    EXPECT_EQ(back.wscale, c.o.wscale);
    EXPECT_EQ(back.timestamp, c.o.timestamp);
    EXPECT_EQ(back.sack_permitted, c.o.sack_permitted);
    EXPECT_EQ(option_bytes(back), c.wire);
  }
}

// ---- Explicit layouts and round trips for every option ----

TEST(Tcp, RoundTripEveryOptionWithExplicitLayouts) {
  using K = TcpOptionKind;
  TcpOptions all;
  all.mss = 8960;
  all.wscale = 9;
  all.sack_permitted = true;
  all.timestamp = TcpTimestamp{.val = 0xfffffffe, .ecr = 0x80000000};
  all.sack = {SackBlock{SeqNum(1), SeqNum(2)}, SackBlock{SeqNum(0xfffffff0), SeqNum(0x10)},
              SackBlock{SeqNum(5), SeqNum(6)}, SackBlock{SeqNum(7), SeqNum(8)}};

  struct Case {
    std::vector<K> layout;
    uint8_t sack_count;
    size_t encoded_len;
  };
  const Case cases[] = {
      {{K::Mss}, 0, 4},
      {{K::WindowScale}, 0, 4},  // 3 + 1 byte of EOL padding
      {{K::Nop, K::WindowScale}, 0, 4},
      {{K::SackPermitted}, 0, 4},
      {{K::Timestamp}, 0, 12},
      {{K::Nop, K::Nop, K::Timestamp}, 0, 12},
      {{K::Sack}, 1, 12},
      {{K::Sack}, 2, 20},
      {{K::Sack}, 3, 28},
      {{K::Sack}, 4, 36},
      {{K::Nop, K::Nop, K::Sack}, 4, 36},
      {{K::Nop}, 0, 4},
      {{K::Eol}, 0, 4},
      {{K::Mss, K::Eol}, 0, 8},
      {{K::Nop, K::Nop, K::Nop, K::Nop}, 0, 4},
      // Windows-style SYN: mss,nop,wscale,sackOK,TS
      {{K::Mss, K::Nop, K::WindowScale, K::SackPermitted, K::Timestamp}, 0, 20},
      // BSD-style SYN: mss,nop,wscale,sackOK,TS,eol
      {{K::Mss, K::Nop, K::WindowScale, K::SackPermitted, K::Timestamp, K::Eol}, 0, 24},
      {{K::Timestamp, K::Sack}, 3, 36},
      {{K::Nop, K::Nop, K::Timestamp, K::Nop, K::Nop, K::Sack}, 3, 40},
      {{K::WindowScale, K::Mss, K::Timestamp, K::SackPermitted, K::Nop, K::Nop, K::Sack}, 1, 32},
  };
  for (const Case& c : cases) {
    TcpOptions o = all;
    o.sack_count = c.sack_count;
    o.layout_len = 0;
    for (K kind : c.layout) o.layout[o.layout_len++] = k(kind);
    SCOPED_TRACE(o.to_string());
    EXPECT_EQ(o.encoded_len(), c.encoded_len);

    const TcpRepr r{.src_port = 7,
                    .dst_port = 9,
                    .seq = SeqNum(0xffffffff),
                    .ack = SeqNum(0x7fffffff),
                    .flags = ACK,
                    .window = 1,
                    .urgent = 3,
                    .options = o};
    const Buf s = emit(r);
    ASSERT_EQ(s.size(), kTcpHeaderLen + c.encoded_len);
    auto v = TcpView::parse(s, kA, kB);
    ASSERT_TRUE(v.has_value()) << to_string(v.error());
    EXPECT_EQ(v->header_len(), s.size());
    EXPECT_EQ(v->seq(), r.seq);
    EXPECT_EQ(v->ack(), r.ack);
    EXPECT_EQ(v->window(), 1);
    EXPECT_EQ(v->urgent(), 3);

    // Only the options named in the layout come back.
    TcpOptions expected;
    for (K kind : c.layout) {
      if (kind == K::Mss) expected.mss = o.mss;
      if (kind == K::WindowScale) expected.wscale = o.wscale;
      if (kind == K::SackPermitted) expected.sack_permitted = true;
      if (kind == K::Timestamp) expected.timestamp = o.timestamp;
      if (kind == K::Sack) {
        expected.sack_count = o.sack_count;
        expected.sack = o.sack;
      }
    }
    expect_same_values(v->options(), expected);

    // The parsed layout is the emitted one, plus a trailing EOL when padding was needed.
    std::vector<uint8_t> want;
    for (K kind : c.layout) want.push_back(k(kind));
    auto got = layout_of(v->options());
    if (got.size() == want.size() + 1) {
      EXPECT_EQ(got.back(), k(K::Eol));
      got.pop_back();
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(emit(v->repr()), s);
  }
}

TEST(Tcp, LayoutSkipsAbsentValues) {
  // A layout naming options that have no value emits only the ones that do.
  TcpOptions o = with_layout(TcpOptions{.mss = 1400},
                             {TcpOptionKind::Timestamp, TcpOptionKind::Mss, TcpOptionKind::Sack,
                              TcpOptionKind::WindowScale, TcpOptionKind::SackPermitted});
  EXPECT_EQ(o.encoded_len(), 4u);
  EXPECT_EQ(option_bytes(o), bytes({0x02, 0x04, 0x05, 0x78}));
  EXPECT_EQ(o.to_string(), "mss 1400");
}

TEST(Tcp, LayoutNeverExceedsFortyBytes) {
  // An option that does not fit in what is left of the 40 bytes is dropped; smaller ones
  // after it still go out.
  TcpOptions o{.timestamp = TcpTimestamp{.val = 1, .ecr = 2}};
  o = with_layout(
      o, {TcpOptionKind::Timestamp, TcpOptionKind::Timestamp, TcpOptionKind::Timestamp,
          TcpOptionKind::Nop, TcpOptionKind::Timestamp, TcpOptionKind::Nop, TcpOptionKind::Nop});
  EXPECT_EQ(o.encoded_len(), 36u);  // 3 x 10 + 3 NOPs = 33, padded
  EXPECT_EQ(o.to_string(), "TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,nop,nop,nop");
  const Buf s = emit(TcpRepr{.options = o});
  auto v = TcpView::parse(s, kA, kB);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->header_len(), 56u);
}

TEST(Tcp, LayoutEndsAtEol) {
  // Nothing after EOL would be read by the peer, so nothing after it is written.
  TcpOptions o = with_layout(linux_syn_options(),
                             {TcpOptionKind::Nop, TcpOptionKind::Eol, TcpOptionKind::Mss});
  EXPECT_EQ(o.encoded_len(), 4u);
  EXPECT_EQ(option_bytes(o), bytes({0x01, 0x00, 0x00, 0x00}));
  EXPECT_EQ(o.to_string(), "nop,eol");
}

TEST(Tcp, UnknownOptionsAreSkipped) {
  // Kind 30 (MPTCP) with a 4-byte body, then MSS; kind 253 (experimental) with length 2.
  const Buf opts = bytes({30, 6, 1, 2, 3, 4, 0x02, 0x04, 0x05, 0xb4, 253, 2});
  const TcpOptions o = parse_options(opts);
  EXPECT_EQ(o.mss, 1460);
  EXPECT_EQ(layout_of(o), (std::vector<uint8_t>{30, 2, 253}));
  EXPECT_EQ(o.to_string(), "unknown-30,mss 1460,unknown-253");
  // Their contents are not kept, so emit() leaves them out.
  EXPECT_EQ(option_bytes(o), bytes({0x02, 0x04, 0x05, 0xb4}));
}

TEST(Tcp, NothingParsedAfterEol) {
  // RFC 9293 3.2: EOL ends the list; bytes after it are padding, even if they look like
  // options.
  const TcpOptions o = parse_options(bytes({0x01, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x07, 0x00}));
  EXPECT_FALSE(o.mss.has_value());
  EXPECT_EQ(layout_of(o), (std::vector<uint8_t>{1, 0}));
}

TEST(Tcp, DuplicateOptionsLastWins) {
  const TcpOptions o = parse_options(bytes({0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18}));
  EXPECT_EQ(o.mss, 536);
  EXPECT_EQ(layout_of(o), (std::vector<uint8_t>{2, 2}));
}

TEST(Tcp, DuplicateSackKeepsTheTimestampThroughParseAndEmit) {
  // Found by fuzzing (fuzz/wire_parser.cpp): SACK with one block, SACK with two, TS: 38
  // bytes. Parse keeps the second SACK's blocks; emitting them at both SACK positions made
  // 18 + 18 bytes and the timestamp no longer fit, so it was dropped.
  const Buf opts = bytes({5, 10, 0, 0, 0, 1, 0, 0, 0, 2,                          // SACK 1:2
                          5, 18, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,  // 3:4 5:6
                          8, 10, 0, 0, 0, 7, 0, 0, 0, 8,                          // TS 7 8
                          0, 0});
  const TcpOptions o = parse_options(opts);
  ASSERT_EQ(o.sack_count, 2);
  ASSERT_TRUE(o.timestamp.has_value());
  const TcpOptions again = parse_options(option_bytes(o));
  expect_same_values(o, again);
  ASSERT_TRUE(again.timestamp.has_value());
  EXPECT_EQ(again.timestamp->val, 7u);
  EXPECT_EQ(again.timestamp->ecr, 8u);
  EXPECT_EQ(again.to_string(), "sack 3:4 5:6,TS val 7 ecr 8,eol");
}

// ---- Every TCP parse error ----

TEST(TcpErrors, TcpTruncated) {
  EXPECT_EQ(parse_error_of({}), ParseError::TcpTruncated);
  EXPECT_EQ(parse_error_of(Buf(kSyn.begin(), kSyn.begin() + 19), false), ParseError::TcpTruncated);
}

TEST(TcpErrors, BadDataOffset) {
  Buf s = segment_with_options({});
  s[12] = std::byte{0x40};  // 4 words < 5
  EXPECT_EQ(parse_error_of(s, false), ParseError::BadDataOffset);
  s[12] = std::byte{0x60};  // 24 bytes > 20 available
  EXPECT_EQ(parse_error_of(s, false), ParseError::BadDataOffset);
  Buf syn = kSyn;
  syn[12] = std::byte{0xf0};  // 60 bytes > 40 available
  EXPECT_EQ(parse_error_of(syn, false), ParseError::BadDataOffset);
}

TEST(TcpErrors, BadOptionLength) {
  EXPECT_EQ(parse_error_of(segment_with_options(bytes({0x02, 0x00, 0x05, 0xb4}))),
            ParseError::BadOptionLength);
  EXPECT_EQ(parse_error_of(segment_with_options(bytes({0x01, 0x1e, 0x01, 0x00}))),
            ParseError::BadOptionLength);  // unknown kind 30 with length 1
}

TEST(TcpErrors, OptionPastHeader) {
  // A kind with no room left for its length byte.
  EXPECT_EQ(parse_error_of(segment_with_options(bytes({0x01, 0x01, 0x01, 0x02}))),
            ParseError::OptionPastHeader);
  // A length that runs past the data offset (into the payload, which does not count).
  EXPECT_EQ(parse_error_of(segment_with_options(bytes({0x01, 0x01, 0x08, 0x0a}),
                                                bytes({0, 0, 0, 0, 0, 0, 0, 0}))),
            ParseError::OptionPastHeader);
  // An unknown kind too.
  EXPECT_EQ(parse_error_of(segment_with_options(bytes({0x1e, 0x05, 0x00, 0x00}))),
            ParseError::OptionPastHeader);
  // Five SACK blocks (42 bytes) cannot fit in 40.
  Buf five = bytes({0x05, 42});
  five.resize(40);
  EXPECT_EQ(parse_error_of(segment_with_options(five)), ParseError::OptionPastHeader);
}

TEST(TcpErrors, BadOptionValue) {
  const Buf cases[] = {
      bytes({0x02, 0x03, 0x05, 0x00}),                    // MSS length 3
      bytes({0x02, 0x06, 0x05, 0xb4, 0x00, 0x00}),        // MSS length 6
      bytes({0x03, 0x02, 0x00, 0x00}),                    // WS length 2
      bytes({0x03, 0x04, 0x07, 0x00}),                    // WS length 4
      bytes({0x04, 0x03, 0x00, 0x00}),                    // SACK-permitted length 3
      bytes({0x08, 0x08, 0, 0, 0, 1, 0, 0, 0, 2}),        // TS length 8
      bytes({0x08, 0x0c, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}),  // TS length 12
      bytes({0x05, 0x02}),                                // SACK with no block
      bytes({0x05, 0x0b, 0, 0, 0, 1, 0, 0, 0, 2, 0}),     // SACK length 11
      bytes({0x05, 0x09, 0, 0, 0, 1, 0, 0, 0}),           // SACK length 9
  };
  for (const Buf& opts : cases) {
    EXPECT_EQ(parse_error_of(segment_with_options(opts)), ParseError::BadOptionValue)
        << "kind " << std::to_integer<int>(opts[0]) << " len " << std::to_integer<int>(opts[1]);
  }
}

TEST(TcpErrors, BadTcpChecksum) {
  Buf s = kSyn;
  s[4] ^= std::byte{0x80};  // seq changed
  EXPECT_EQ(parse_error_of(s), ParseError::BadTcpChecksum);
  // The caller may skip verification (checksum offload, or a test feeding raw bytes).
  EXPECT_TRUE(TcpView::parse(s, kA, kB, /*verify_checksum=*/false).has_value());
}

TEST(TcpErrors, ChecksumCoversPseudoHeader) {
  // (Swapping source and destination would not be caught: the sum is commutative.)
  EXPECT_EQ(TcpView::parse(kSyn, kA, Ipv4Addr(192, 0, 2, 3)).error(), ParseError::BadTcpChecksum);
}

// ---- Randomized robustness (bounded, fixed seed; run under ASan/UBSan) ----

// Random TCP options built from pieces likely to reach every branch of the option parser.
Buf random_options(std::mt19937& rng) {
  Buf o;
  const size_t target = rng() % 41;
  while (o.size() < target) {
    static constexpr uint8_t kKinds[] = {0, 1, 2, 3, 4, 5, 8, 30, 255};
    const uint8_t kind = kKinds[rng() % std::size(kKinds)];
    o.push_back(std::byte{kind});
    if (kind <= 1) continue;
    uint8_t len;
    switch (rng() % 4) {
      case 0:
        len = static_cast<uint8_t>(rng() % 44);
        break;
      case 1:
        len = kind == 2 ? 4 : kind == 3 ? 3 : kind == 4 ? 2 : kind == 8 ? 10 : 2;
        break;
      default:
        len = static_cast<uint8_t>(kind == 5 ? 2 + 8 * (1 + rng() % 4) : 2 + rng() % 6);
    }
    o.push_back(std::byte{len});
    for (size_t i = 2; i < len && o.size() < 41; ++i) o.push_back(std::byte(rng() & 0xff));
  }
  o.resize(std::min<size_t>(o.size(), 40));
  return o;
}

void check_parsed_tcp(const TcpView& v, Bytes input) {
  // Every accessor is safe; repr() emits something parse accepts with the same values.
  (void)v.src_port();
  (void)v.dst_port();
  (void)v.checksum();
  (void)v.options().to_string();
  (void)flags_to_string(v.flags());
  ASSERT_LE(v.header_len(), input.size());
  ASSERT_EQ(v.payload().size() + v.header_len(), input.size());
  ASSERT_GE(v.seg_len().raw(), v.payload().size());

  const TcpRepr r = v.repr();
  const size_t len = r.size();
  ASSERT_EQ(r.options.encoded_len() % 4, 0u);
  ASSERT_LE(r.options.encoded_len(), kTcpMaxOptionsLen);
  Buf out(len + 8, std::byte{0xa5});
  r.emit(out, kA, kB);
  for (size_t i = len; i < out.size(); ++i) ASSERT_EQ(out[i], std::byte{0xa5}) << "overrun";
  out.resize(len);
  auto back = TcpView::parse(out, kA, kB);
  ASSERT_TRUE(back.has_value()) << to_string(back.error());
  ASSERT_EQ(back->header_len(), r.header_len());
  EXPECT_EQ(back->seq(), v.seq());
  EXPECT_EQ(back->flags(), v.flags());
  expect_same_values(back->options(), v.options());
}

TEST(WireFuzz, RandomBytesNeverCrashEitherParser) {
  std::mt19937 rng(20240601);
  size_t ip_ok = 0;
  size_t tcp_ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Buf d(rng() % 100);
    for (auto& b : d) b = std::byte(rng() & 0xff);

    // IPv4: often give it a plausible first byte and total length so deeper checks run.
    Buf ip = d;
    if (ip.size() >= 20 && iter % 2 == 0) {
      ip[0] = std::byte(0x40 | (5 + rng() % 3));
      store_be16(&ip[2], static_cast<uint16_t>(rng() % (ip.size() + 4)));
      if (iter % 4 == 0) store_be16(&ip[6], 0x4000);
      const size_t ihl = (std::to_integer<size_t>(ip[0]) & 0x0f) * 4;
      if (ihl <= ip.size()) {
        store_be16(&ip[10], 0);
        store_be16(&ip[10], checksum_finish(checksum_add(0, Bytes(ip).first(ihl))));
      }
    }
    if (auto v = Ipv4View::parse(ip)) {
      ++ip_ok;
      ASSERT_LE(v->header_len() + v->payload().size(), ip.size());
      ASSERT_EQ(v->total_len(), v->header_len() + v->payload().size());
      (void)v->src();
      (void)v->protocol();
    }

    // TCP: raw random bytes, and random option areas behind a valid data offset.
    Buf seg = d;
    if (iter % 2 == 1) {
      Buf hdr(20);
      for (auto& b : hdr) b = std::byte(rng() & 0xff);
      const Buf opts = random_options(rng);
      Buf padded = opts;
      while (padded.size() % 4 != 0) padded.push_back(std::byte(rng() & 0xff));
      hdr[12] = std::byte(static_cast<uint8_t>(((20 + padded.size()) / 4) << 4));
      seg = concat(concat(hdr, padded),
                   Buf(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() % 7)));
    }
    for (bool verify : {false, true}) {
      if (auto v = TcpView::parse(seg, kA, kB, verify)) {
        ++tcp_ok;
        ASSERT_NO_FATAL_FAILURE(check_parsed_tcp(*v, seg));
      }
    }
  }
  // The generators must actually reach the success paths.
  EXPECT_GT(ip_ok, 100u);
  EXPECT_GT(tcp_ok, 1000u);
}

TEST(WireFuzz, RandomReprsEmitWhatParseAccepts) {
  std::mt19937 rng(7323);
  Buf payload(50);
  for (auto& b : payload) b = std::byte(rng() & 0xff);
  for (int iter = 0; iter < 20000; ++iter) {
    TcpRepr r{.src_port = static_cast<uint16_t>(rng()),
              .dst_port = static_cast<uint16_t>(rng()),
              .seq = SeqNum(static_cast<uint32_t>(rng())),
              .ack = SeqNum(static_cast<uint32_t>(rng())),
              .flags = static_cast<uint8_t>(rng()),
              .window = static_cast<uint16_t>(rng()),
              .urgent = static_cast<uint16_t>(rng()),
              .payload = Bytes(payload).first(rng() % 51)};
    TcpOptions& o = r.options;
    if (rng() % 2) o.mss = static_cast<uint16_t>(rng());
    if (rng() % 2) o.wscale = static_cast<uint8_t>(rng());
    o.sack_permitted = rng() % 2;
    if (rng() % 2)
      o.timestamp = TcpTimestamp{static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng())};
    o.sack_count = static_cast<uint8_t>(rng() % 6);  // 5 is out of range: must be clamped
    for (auto& b : o.sack)
      b = {SeqNum(static_cast<uint32_t>(rng())), SeqNum(static_cast<uint32_t>(rng()))};
    if (rng() % 2) {
      static constexpr uint8_t kKinds[] = {0, 1, 2, 3, 4, 5, 8, 30};
      o.layout_len = static_cast<uint8_t>(rng() % 41);
      for (size_t i = 0; i < o.layout_len; ++i) o.layout[i] = kKinds[rng() % std::size(kKinds)];
    }
    const size_t len = r.size();
    ASSERT_EQ(o.encoded_len() % 4, 0u);
    ASSERT_LE(o.encoded_len(), kTcpMaxOptionsLen);
    Buf out(len + 8, std::byte{0x5a});
    r.emit(out, kA, kB);
    for (size_t i = len; i < out.size(); ++i) ASSERT_EQ(out[i], std::byte{0x5a}) << "overrun";
    out.resize(len);
    auto v = TcpView::parse(out, kA, kB);
    ASSERT_TRUE(v.has_value()) << to_string(v.error()) << " " << o.to_string();
    ASSERT_EQ(v->header_len(), r.header_len());
    ASSERT_EQ(v->payload().size(), r.payload.size());
    // Re-emitting what was parsed gives the same bytes, unless the layout repeats an
    // option: parse keeps one value per option (the last), so a repeated SACK trimmed to
    // fewer blocks the first time comes back different.
    bool repeats = false;
    for (size_t i = 0; i < o.layout_len; ++i) {
      for (size_t j = i + 1; j < o.layout_len; ++j) {
        repeats |= o.layout[i] == o.layout[j] && o.layout[i] > 1 && o.layout[i] != 30;
      }
    }
    if (!repeats) {
      ASSERT_EQ(emit(v->repr()), out) << o.to_string();
    }
  }
}

}  // namespace
}  // namespace ustcp::wire
