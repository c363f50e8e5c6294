#include "ustcp/tcp/push_policy.hpp"

#include <algorithm>

namespace ustcp::tcp {

namespace tso {

uint64_t pacing_rate(uint32_t mss, uint32_t cwnd, uint32_t ssthresh, uint32_t packets_out,
                     int64_t srtt_us8) {
  // rate = mss * cwnd / srtt, with srtt in units of 1/8 us: mss * (USEC_PER_SEC / 100 << 3)
  // per percent of the ratio.
  uint64_t rate = uint64_t{mss} * ((1000000 / 100) << 3);
  rate *= cwnd < ssthresh / 2 ? kPacingSsRatio : kPacingCaRatio;
  rate *= std::max(cwnd, packets_out);
  if (srtt_us8 > 0) rate /= static_cast<uint64_t>(srtt_us8);
  return rate;
}

uint32_t max_segs(uint64_t pacing_rate, uint32_t min_rtt_us, uint32_t mss, uint32_t min_tso_segs) {
  uint64_t bytes = pacing_rate >> kPacingShift;
  // Close peers get larger units: half a GSO packet more for every 512 us less of RTT.
  const uint32_t r = min_rtt_us >> kTsoRttLog;
  if (r < 32) bytes += kGsoMaxSize >> r;
  bytes = std::min<uint64_t>(bytes, kGsoMaxSize);
  const auto segs = static_cast<uint32_t>(bytes / std::max<uint32_t>(mss, 1));
  return std::min(std::max(segs, min_tso_segs), kGsoMaxSegs);
}

uint32_t cwnd_quota(uint32_t cwnd, uint32_t in_flight) {
  if (in_flight >= cwnd) return 0;
  return std::min(std::max(cwnd >> 1, 1u), cwnd - in_flight);
}

uint32_t size_goal(uint32_t max_window, uint32_t mss, uint32_t tcp_header_len) {
  if (mss == 0) return 0;
  // tcp_bound_to_half_wnd: half the largest window (the whole of a tiny one), never less
  // than 68 bytes of packet.
  uint32_t goal = kGsoMaxSize;
  const uint32_t cutoff = max_window > 536 ? max_window >> 1 : max_window;
  if (cutoff != 0 && goal > cutoff) {
    goal = std::max<uint32_t>(cutoff, tcp_header_len < 68 ? 68 - tcp_header_len : 0);
  }
  const uint32_t segs = std::min(goal / mss, kGsoMaxSegs);
  return std::max(segs * mss, mss);
}

}  // namespace tso

void WriteQueueModel::sync(SeqNum snd_nxt, SeqNum write_end) {
  if (!write_end.after(snd_nxt)) {
    clear();
    return;
  }
  while (!skbs_.empty() && !skbs_.front().end.after(snd_nxt)) skbs_.pop_front();
  if (!skbs_.empty() && skbs_.back().end.after(write_end)) skbs_.clear();  // data discarded
  if (skbs_.empty() || skbs_.back().end.before(write_end)) skbs_.push_back({write_end, false});
}

void WriteQueueModel::clear() {
  skbs_.clear();
  unpushed_ = 0;
}

void WriteQueueModel::pop_through(SeqNum ack) {
  while (!skbs_.empty() && !skbs_.front().end.after(ack)) skbs_.pop_front();
}

uint32_t WriteQueueModel::tail_room(SeqNum snd_nxt, uint32_t size_goal) const {
  if (skbs_.empty() || skbs_.back().eor) return 0;
  const SeqNum start = skbs_.size() > 1 ? skbs_.at(skbs_.end() - 2).end : snd_nxt;
  const uint32_t len = skbs_.back().end.since(start).raw();
  return len < size_goal ? size_goal - len : 0;
}

void WriteQueueModel::copied(SeqNum write_end, uint32_t n, bool new_skb, bool first_of_write) {
  if (new_skb || skbs_.empty()) {
    skbs_.push_back({write_end, false});
  } else {
    Skb& tail = skbs_.back();
    tail.end = write_end;
    if (first_of_write) tail.psh = false;
  }
  unpushed_ += n;
}

void WriteQueueModel::mark_eor() {
  if (!skbs_.empty()) skbs_.back().eor = true;
}

void WriteQueueModel::mark_push() {
  if (skbs_.empty()) return;  // tcp_push: no unsent skb, no mark
  skbs_.back().psh = true;
  unpushed_ = 0;
}

SeqNum WriteQueueModel::grow(SeqNum snd_nxt, uint32_t want) {
  if (skbs_.empty()) return snd_nxt;
  Skb& head = skbs_.front();
  const uint32_t head_len = head.end.since(snd_nxt).raw();
  if (head_len >= want || skbs_.size() == 1 || head.eor) return head.end;
  Skb& next = skbs_.at(skbs_.first() + 1);
  const uint32_t next_len = next.end.since(head.end).raw();
  const uint32_t take = want - head_len;
  if (take < next_len) {
    head.end = head.end + SeqLen(take);
    return head.end;
  }
  // tcp_eat_one_skb: the next skb is absorbed whole; its flags join the head's (its EOR
  // included: the head had none).
  next.psh = next.psh || head.psh;
  skbs_.pop_front();
  return skbs_.front().end;
}

bool WriteQueueModel::sent(SeqNum unit_end) {
  if (skbs_.empty() || skbs_.front().end != unit_end) return false;
  const bool psh = skbs_.front().psh;
  skbs_.pop_front();
  return psh;
}

void WriteQueueModel::probe_sent(SeqNum probe_end, SeqNum write_end) {
  if (skbs_.empty()) return;
  const uint32_t past_head = write_end.since(skbs_.front().end).raw();
  unpushed_ = std::min(unpushed_, past_head);
  if (skbs_.front().end == probe_end) {
    skbs_.pop_front();
  } else {
    skbs_.front().psh = true;
  }
}

}  // namespace ustcp::tcp
