// Segment-numbered shorthands for the RACK tests: segment i of the client fixture's data is
// [kSnd + i * kRackMss, kSnd + (i + 1) * kRackMss).
#pragma once

#include <vector>

#include "harness_data.hpp"

namespace ustcp::testing {

inline constexpr uint32_t kRackMss = 1460;

// An ACK of segment `ack` SACKing segments [from, to).
inline Seg sack_ack(uint32_t ack, uint32_t from, uint32_t to) {
  Seg s{.flags = ACK, .seq = kRcv, .ack = kSnd + ack * kRackMss};
  s.opts.sack[0] = wire::SackBlock{SeqNum(kSnd + from * kRackMss), SeqNum(kSnd + to * kRackMss)};
  s.opts.sack_count = 1;
  return s;
}

// The segment numbers sent so far and not yet looked at.
inline std::vector<uint32_t> sent_segments(Harness& h) {
  h.advance_to(h.now);  // collects what is due now
  std::vector<uint32_t> out;
  for (const Sent& s : h.sent) {
    if (!s.payload.empty()) out.push_back((s.seq - kSnd) / kRackMss);
  }
  h.sent.clear();
  return out;
}

}  // namespace ustcp::testing
