// TCP options (RFC 9293 3.2, RFC 7323 for window scale and timestamps, RFC 2018 for SACK).
//
// One walker decides what emit() writes: encoded_len(), write_tcp_options() and
// to_string() all follow it, so the length a caller reserves always matches the bytes
// written.
#include <cassert>
#include <cstring>
#include <string>

#include "ustcp/wire/tcp.hpp"
#include "ustcp/wire/tcp_options_codec.hpp"

namespace ustcp::wire {
namespace {

constexpr uint8_t kEol = static_cast<uint8_t>(TcpOptionKind::Eol);
constexpr uint8_t kNop = static_cast<uint8_t>(TcpOptionKind::Nop);
constexpr uint8_t kMss = static_cast<uint8_t>(TcpOptionKind::Mss);
constexpr uint8_t kWs = static_cast<uint8_t>(TcpOptionKind::WindowScale);
constexpr uint8_t kSackPerm = static_cast<uint8_t>(TcpOptionKind::SackPermitted);
constexpr uint8_t kSack = static_cast<uint8_t>(TcpOptionKind::Sack);
constexpr uint8_t kTs = static_cast<uint8_t>(TcpOptionKind::Timestamp);

constexpr uint8_t kLenMss = 4;       // RFC 9293 3.2
constexpr uint8_t kLenWs = 3;        // RFC 7323 2.2
constexpr uint8_t kLenSackPerm = 2;  // RFC 2018 2
constexpr uint8_t kLenTs = 10;       // RFC 7323 3.2
constexpr uint8_t kLenSackBase = 2;  // RFC 2018 3: kind, length, then 8 bytes per block
constexpr uint8_t kLenSackBlock = 8;
constexpr uint8_t kMaxSackBlocks = 4;  // 2 + 4 * 8 = 34 fits in 40 bytes of options

// One option as emit() will write it.
struct Item {
  uint8_t kind;
  uint8_t len;          // bytes on the wire (0 for an unknown kind shown by to_string only)
  uint8_t sack_blocks;  // for kSack
};

// Calls f(Item) for each option emit() writes, in order. A layout ends at its first EOL.
// Options whose value is absent (a layout naming MSS when mss is nullopt, SACK with no
// blocks, ...) are left out, and so is anything that would overflow the 40-byte option
// space; SACK then carries as many blocks as fit, as Linux's tcp_established_options()
// trims them. Unknown kinds in a layout cannot be re-emitted (their contents are not kept);
// with `show_unknown` they are reported with len 0 for to_string().
template <typename F>
void for_each_option(const TcpOptions& o, F&& f, bool show_unknown = false) {
  size_t used = 0;
  const uint8_t sack_avail = o.sack_count < kMaxSackBlocks ? o.sack_count : kMaxSackBlocks;
  auto push = [&](uint8_t kind, uint8_t len, uint8_t blocks = 0) {
    if (used + len > kTcpMaxOptionsLen) return;
    used += len;
    f(Item{kind, len, blocks});
  };
  auto sack_fit = [&](size_t overhead) -> uint8_t {
    const size_t room = kTcpMaxOptionsLen - used;
    if (room < overhead + kLenSackBlock) return 0;
    const size_t fit = (room - overhead) / kLenSackBlock;
    return static_cast<uint8_t>(fit < sack_avail ? fit : sack_avail);
  };

  if (o.layout_len == 0) {
    // Linux's tcp_options_write() (net/ipv4/tcp_output.c), every option 4-byte aligned.
    if (o.mss) push(kMss, kLenMss);
    if (o.timestamp && o.sack_permitted) {
      // SACK-permitted takes the place of the two NOPs before TS: 12 bytes for both.
      push(kSackPerm, kLenSackPerm);
      push(kTs, kLenTs);
    } else if (o.timestamp) {
      push(kNop, 1);
      push(kNop, 1);
      push(kTs, kLenTs);
    } else if (o.sack_permitted) {
      push(kNop, 1);
      push(kNop, 1);
      push(kSackPerm, kLenSackPerm);
    }
    if (o.wscale) {
      push(kNop, 1);
      push(kWs, kLenWs);
    }
    if (const uint8_t n = sack_fit(2 + kLenSackBase); n > 0) {
      push(kNop, 1);
      push(kNop, 1);
      push(kSack, static_cast<uint8_t>(kLenSackBase + n * kLenSackBlock), n);
    }
    return;
  }

  // A layout may name SACK twice (a peer sent two SACK options); parse kept the last one's
  // blocks (as Linux's tcp_parse_options does), so only that position carries them. Writing
  // the blocks at every position would make the options longer than the segment parsed,
  // and what no longer fits (the timestamp) would be dropped.
  const size_t layout_end = o.layout_len < o.layout.size() ? o.layout_len : o.layout.size();
  size_t last_sack = layout_end;
  for (size_t i = 0; i < layout_end && o.layout[i] != kEol; ++i) {
    if (o.layout[i] == kSack) last_sack = i;
  }
  for (size_t i = 0; i < layout_end; ++i) {
    switch (const uint8_t kind = o.layout[i]) {
      case kEol:
        // RFC 9293 3.2: EOL ends the option list, and receivers (our parse, Linux's
        // tcp_parse_options()) read nothing after it; so nothing after it is emitted.
        push(kind, 1);
        return;
      case kNop:
        push(kind, 1);
        break;
      case kMss:
        if (o.mss) push(kind, kLenMss);
        break;
      case kWs:
        if (o.wscale) push(kind, kLenWs);
        break;
      case kSackPerm:
        if (o.sack_permitted) push(kind, kLenSackPerm);
        break;
      case kTs:
        if (o.timestamp) push(kind, kLenTs);
        break;
      case kSack:
        if (i != last_sack) break;
        if (const uint8_t n = sack_fit(kLenSackBase); n > 0) {
          push(kind, static_cast<uint8_t>(kLenSackBase + n * kLenSackBlock), n);
        }
        break;
      default:
        if (show_unknown) f(Item{kind, 0, 0});
        break;
    }
  }
}

constexpr size_t pad4(size_t n) { return (n + 3) & ~size_t{3}; }

}  // namespace

size_t TcpOptions::encoded_len() const {
  size_t n = 0;
  for_each_option(*this, [&](const Item& it) { n += it.len; });
  return pad4(n);
}

std::string TcpOptions::to_string() const {
  std::string s;
  for_each_option(
      *this,
      [&](const Item& it) {
        if (!s.empty()) s += ',';
        switch (it.kind) {
          case kEol:
            s += "eol";
            break;
          case kNop:
            s += "nop";
            break;
          case kMss:
            s += "mss " + std::to_string(*mss);
            break;
          case kWs:
            s += "wscale " + std::to_string(*wscale);
            break;
          case kSackPerm:
            s += "sackOK";
            break;
          case kTs:
            s += "TS val " + std::to_string(timestamp->val) + " ecr " +
                 std::to_string(timestamp->ecr);
            break;
          case kSack:
            s += "sack";
            for (uint8_t b = 0; b < it.sack_blocks; ++b) {
              s += ' ' + std::to_string(sack[b].left.raw()) + ':' +
                   std::to_string(sack[b].right.raw());
            }
            break;
          default:
            // tcpdump's notation: packetdrill has none for kinds it does not know.
            s += "unknown-" + std::to_string(it.kind);
            break;
        }
      },
      /*show_unknown=*/true);
  return s;
}

namespace detail {

size_t write_tcp_options(const TcpOptions& o, std::byte* out) {
  std::byte* p = out;
  for_each_option(o, [&](const Item& it) {
    p[0] = std::byte{it.kind};
    switch (it.kind) {
      case kEol:
      case kNop:
        break;
      case kMss:
        p[1] = std::byte{it.len};
        store_be16(p + 2, *o.mss);
        break;
      case kWs:
        p[1] = std::byte{it.len};
        p[2] = std::byte{*o.wscale};
        break;
      case kSackPerm:
        p[1] = std::byte{it.len};
        break;
      case kTs:
        p[1] = std::byte{it.len};
        store_be32(p + 2, o.timestamp->val);
        store_be32(p + 6, o.timestamp->ecr);
        break;
      case kSack:
        p[1] = std::byte{it.len};
        for (uint8_t b = 0; b < it.sack_blocks; ++b) {
          store_be32(p + 2 + b * kLenSackBlock, o.sack[b].left.raw());
          store_be32(p + 6 + b * kLenSackBlock, o.sack[b].right.raw());
        }
        break;
      default:
        assert(false && "for_each_option yields only known kinds");
        break;
    }
    p += it.len;
  });
  // RFC 9293 3.1: "The TCP header padding is used to ensure that the TCP header ends, and
  // data begins, on a 32-bit boundary. The padding is composed of zeros", i.e. EOL bytes.
  const size_t n = static_cast<size_t>(p - out);
  const size_t padded = pad4(n);
  std::memset(p, 0, padded - n);
  return padded;
}

Expected<void, ParseError> parse_tcp_options(Bytes area, TcpOptions& out) {
  // RFC 9293 3.2: an option is a single kind byte (EOL, NOP) or kind, length (counting
  // kind and length), value. Options may begin on any byte boundary.
  //
  // Policy: a malformed option drops the segment with a typed error. Linux's
  // tcp_parse_options() is more lenient: it stops parsing at a length < 2 or one running
  // past the header, and ignores a known option whose length is wrong. RFC 9293 3.2
  // (MUST-7) only requires that an illegal length be handled; we prefer an explicit drop
  // that a counter can show.
  size_t i = 0;
  while (i < area.size()) {
    const uint8_t kind = std::to_integer<uint8_t>(area[i]);
    // Each option takes at least one of at most 40 bytes, so the layout cannot overflow.
    out.layout[out.layout_len++] = kind;
    // RFC 9293 3.2: End of Option List; what follows is padding.
    if (kind == kEol) break;
    if (kind == kNop) {
      ++i;
      continue;
    }
    if (i + 1 >= area.size()) return unexpected(ParseError::OptionPastHeader);
    const uint8_t len = std::to_integer<uint8_t>(area[i + 1]);
    if (len < 2) return unexpected(ParseError::BadOptionLength);
    if (i + len > area.size()) return unexpected(ParseError::OptionPastHeader);
    const std::byte* v = area.data() + i + 2;  // the value, len - 2 bytes

    switch (kind) {
      case kMss:  // RFC 9293 3.2: Kind 2, Length 4, 16-bit MSS.
        if (len != kLenMss) return unexpected(ParseError::BadOptionValue);
        out.mss = load_be16(v);
        break;
      case kWs:  // RFC 7323 2.2: Kind 3, Length 3, shift.cnt.
        if (len != kLenWs) return unexpected(ParseError::BadOptionValue);
        // Kept as sent; RFC 7323 2.3 clamping to 14 is the receiver's business.
        out.wscale = std::to_integer<uint8_t>(v[0]);
        break;
      case kSackPerm:  // RFC 2018 2: Kind 4, Length 2.
        if (len != kLenSackPerm) return unexpected(ParseError::BadOptionValue);
        out.sack_permitted = true;
        break;
      case kTs:  // RFC 7323 3.2: Kind 8, Length 10, TSval, TSecr.
        if (len != kLenTs) return unexpected(ParseError::BadOptionValue);
        out.timestamp = TcpTimestamp{load_be32(v), load_be32(v + 4)};
        break;
      case kSack: {  // RFC 2018 3: Kind 5, Length 2 + 8n, n blocks of (left, right).
        const size_t body = len - kLenSackBase;
        const size_t n = body / kLenSackBlock;
        if (body % kLenSackBlock != 0 || n < 1 || n > kMaxSackBlocks) {
          return unexpected(ParseError::BadOptionValue);
        }
        out.sack_count = static_cast<uint8_t>(n);
        for (size_t b = 0; b < n; ++b) {
          out.sack[b] = SackBlock{SeqNum(load_be32(v + b * kLenSackBlock)),
                                  SeqNum(load_be32(v + b * kLenSackBlock + 4))};
        }
        break;
      }
      default:
        // RFC 9293 3.2 (MUST-6): ignore an option we do not implement, using its length.
        break;
    }
    i += len;
  }
  return {};
}

}  // namespace detail
}  // namespace ustcp::wire
