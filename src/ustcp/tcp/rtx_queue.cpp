#include "ustcp/tcp/rtx_queue.hpp"

#include <algorithm>

namespace ustcp::tcp {

uint64_t RtxQueue::push(const TxSegment& s) {
  segs_.push_back(s);
  const uint64_t pos = segs_.end() - 1;
  segs_.back().tx_order = ++tx_count_;
  tsorted_.push_back(TsEntry{pos, s.sent});
  return pos;
}

void RtxQueue::resent(uint64_t pos, TimePoint now) {
  segs_.at(pos).sent = now;
  segs_.at(pos).tx_order = ++tx_count_;
  tsorted_.push_back(TsEntry{pos, now});
}

void RtxQueue::pop_head() {
  const TxSegment& s = segs_.front();
  if (s.sacked & tcpcb::SACKED_ACKED) --sacked_out;
  if (s.sacked & tcpcb::LOST) --lost_out;
  if (s.sacked & tcpcb::SACKED_RETRANS) --retrans_out;
  segs_.pop_front();
  if (segs_.empty()) {
    tsorted_.clear();
    sack_cache_.reset();
    sacked_out = lost_out = retrans_out = 0;
  } else {
    drop_stale_front();
  }
}

uint64_t RtxQueue::find(SeqNum seq) const {
  if (segs_.empty()) return segs_.end();
  const SeqNum base = segs_.front().seq;
  const uint32_t off = seq.since(base).raw();
  if (off >= segs_.back().end.since(base).raw()) return segs_.end();
  // Records are contiguous in sequence space: the first whose end lies beyond seq.
  uint64_t lo = segs_.first(), hi = segs_.end() - 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (segs_.at(mid).end.since(base).raw() > off) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

void RtxQueue::clear() {
  segs_.clear();
  tsorted_.clear();
  sack_cache_.reset();
  sacked_out = lost_out = retrans_out = 0;
}

void RtxQueue::set_sack_cache(const wire::SackBlock* blocks, int n) {
  if (n == 0) {
    sack_cache_.reset();
    return;
  }
  if (!sack_cache_) sack_cache_ = std::make_unique<SackCache>();
  SackCache& c = *sack_cache_;
  c.n = n;
  std::copy(blocks, blocks + n, c.blocks.begin());
  std::sort(
      c.blocks.begin(), c.blocks.begin() + n,
      [](const wire::SackBlock& a, const wire::SackBlock& b) { return a.left.before(b.left); });
}

// An entry stands for its record while the record is queued, was last sent at the
// entry's time, and is neither SACKed nor lost-awaiting-retransmission.
bool RtxQueue::live(const TsEntry& e) const {
  if (e.pos < segs_.first() || e.pos >= segs_.end()) return false;
  const TxSegment& s = segs_.at(e.pos);
  if (s.sent != e.sent || (s.sacked & tcpcb::SACKED_ACKED)) return false;
  return !((s.sacked & tcpcb::LOST) && !(s.sacked & tcpcb::SACKED_RETRANS));
}

void RtxQueue::drop_stale_front() {
  while (!tsorted_.empty() && !live(tsorted_.front())) tsorted_.pop_front();
}

}  // namespace ustcp::tcp
