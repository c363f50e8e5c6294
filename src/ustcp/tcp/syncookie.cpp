#include "ustcp/tcp/syncookie.hpp"

namespace ustcp::tcp {
namespace {

constexpr int kCookieBits = 24;
constexpr uint32_t kCookieMask = (uint32_t{1} << kCookieBits) - 1;
constexpr uint32_t kMaxAge = 2;  // MAX_SYNCOOKIE_AGE, in minutes
constexpr int kTsBits = 6;       // TSBITS
constexpr uint32_t kTsWscaleMask = 0xf;
constexpr uint32_t kTsSack = 1 << 4;

uint32_t minute(TimePoint now) {  // tcp_cookie_time(): one tick per 60 s
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() / 60);
}

}  // namespace

uint32_t SynCookies::hash(const FourTuple& t, uint32_t count, int which) const {
  const uint64_t words[2] = {
      (uint64_t{t.remote.addr.raw()} << 32) | t.local.addr.raw(),
      (uint64_t{t.remote.port} << 48) | (uint64_t{t.local.port} << 32) | count};
  return static_cast<uint32_t>(siphash(keys_[which], words, 2));
}

uint16_t SynCookies::mss_for(uint16_t peer_mss) {
  size_t i = kCookieMssTable.size() - 1;
  while (i > 0 && peer_mss < kCookieMssTable[i]) --i;
  return kCookieMssTable[i];
}

SeqNum SynCookies::make(const FourTuple& t, SeqNum peer_isn, uint16_t peer_mss,
                        TimePoint now) const {
  uint32_t index = 0;
  while (index + 1 < kCookieMssTable.size() && peer_mss >= kCookieMssTable[index + 1]) ++index;
  const uint32_t count = minute(now);
  return SeqNum(hash(t, 0, 0) + peer_isn.raw() + (count << kCookieBits) +
                ((hash(t, count, 1) + index) & kCookieMask));
}

std::optional<uint16_t> SynCookies::check(const FourTuple& t, SeqNum seq, SeqNum ack,
                                          TimePoint now) const {
  // The cookie is ack - 1, the peer's ISN seq - 1 (__cookie_v4_check).
  uint32_t cookie = ack.raw() - 1;
  const uint32_t peer_isn = seq.raw() - 1;
  const uint32_t count = minute(now);
  cookie -= hash(t, 0, 0) + peer_isn;
  const uint32_t diff = (count - (cookie >> kCookieBits)) & (~uint32_t{0} >> kCookieBits);
  if (diff >= kMaxAge) return std::nullopt;
  const uint32_t index = (cookie - hash(t, count - diff, 1)) & kCookieMask;
  if (index >= kCookieMssTable.size()) return std::nullopt;
  return kCookieMssTable[index];
}

uint32_t SynCookies::encode_ts(uint32_t ts_now, std::optional<uint8_t> snd_wscale, bool sack_ok) {
  uint32_t options = snd_wscale ? (*snd_wscale & kTsWscaleMask) : kTsWscaleMask;
  if (sack_ok) options |= kTsSack;
  uint32_t ts = ((ts_now >> kTsBits) << kTsBits) | options;
  // Never in the future: the peer's PAWS must not see a jump (cookie_init_timestamp).
  if (static_cast<int32_t>(ts - ts_now) > 0) ts -= uint32_t{1} << kTsBits;
  return ts;
}

SynCookies::TsOptions SynCookies::decode_ts(uint32_t ecr) {
  TsOptions o;
  o.sack_ok = (ecr & kTsSack) != 0;
  if ((ecr & kTsWscaleMask) != kTsWscaleMask)
    o.snd_wscale = static_cast<uint8_t>(ecr & kTsWscaleMask);
  return o;
}

}  // namespace ustcp::tcp
