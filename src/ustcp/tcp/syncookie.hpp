// SYN cookies (Linux net/ipv4/syncookies.c, RFC 4987 3.6): when the SYN queue is full
// (tcp_syncookies = 1) or always (= 2), a listener answers a SYN without keeping any
// state; the initial sequence number of its SYN-ACK encodes what it needs to know, and the
// returning ACK proves the peer received it.
//
// ISN = H(secret0, 4-tuple) + peer ISN + (minute << 24) + ((H(secret1, 4-tuple, minute) + mss
// index) mod 2^24). The MSS is one of Linux's four table values; a cookie is valid in the
// minute it was made and the next one (MAX_SYNCOOKIE_AGE = 2). With timestamps, the low six
// bits of our TS value carry the peer's window scale (0xf: none) and SACK (bit 4), so those
// options survive too (cookie_init_timestamp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "ustcp/base/seq.hpp"
#include "ustcp/base/siphash.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/tcp/four_tuple.hpp"

namespace ustcp::tcp {

inline constexpr std::array<uint16_t, 4> kCookieMssTable{536, 1300, 1440, 1460};

class SynCookies {
 public:
  // The two keys (Linux syncookie_secret[2]), from the stack's secrets.
  explicit SynCookies(const std::array<SipKey, 2>& keys) : keys_(keys) {}

  // The table MSS a cookie can carry for a peer announcing `peer_mss` (largest not above it).
  static uint16_t mss_for(uint16_t peer_mss);

  // The ISN of a cookie SYN-ACK answering a SYN with sequence `peer_isn`.
  SeqNum make(const FourTuple& t, SeqNum peer_isn, uint16_t peer_mss, TimePoint now) const;
  // The MSS the cookie carried, if `ack` (the final ACK's ack number) acknowledges a
  // cookie we made for this 4-tuple in the last two minutes; `seq` is the ACK's sequence.
  std::optional<uint16_t> check(const FourTuple& t, SeqNum seq, SeqNum ack, TimePoint now) const;

  // Timestamp encoding of the options (TS clock in ms, before the per-peer offset).
  static uint32_t encode_ts(uint32_t ts_now, std::optional<uint8_t> snd_wscale, bool sack_ok);
  struct TsOptions {
    std::optional<uint8_t> snd_wscale;
    bool sack_ok = false;
  };
  static TsOptions decode_ts(uint32_t ecr);

 private:
  uint32_t hash(const FourTuple& t, uint32_t count, int which) const;
  std::array<SipKey, 2> keys_;
};

}  // namespace ustcp::tcp
