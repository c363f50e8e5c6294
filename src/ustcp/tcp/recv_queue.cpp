#include "ustcp/tcp/recv_queue.hpp"

#include <algorithm>

namespace ustcp::tcp {

RecvQueue::Insert RecvQueue::insert(SeqNum rcv_nxt, SeqNum seq, Bytes data, uint32_t window) {
  Insert r;
  SeqNum end = seq + static_cast<uint32_t>(data.size());
  // Trim what was already received (RFC 9293 3.10.7.4: segments overlapping the start of
  // the window are trimmed to start at RCV.NXT).
  if (seq.before(rcv_nxt)) {
    if (end.before_eq(rcv_nxt)) {
      r.duplicate = true;
      return r;
    }
    data = data.subspan(rcv_nxt - seq);
    seq = rcv_nxt;
  }
  // Trim what does not fit in the buffer.
  uint32_t off = seq.since(rcv_nxt).raw();
  uint32_t room = window;
  if (off >= room) {
    r.dropped = static_cast<uint32_t>(data.size());
    return r;
  }
  if (off + data.size() > room) {
    r.dropped = static_cast<uint32_t>(off + data.size() - room);
    data = data.first(room - off);
  }
  end = seq + static_cast<uint32_t>(data.size());
  if (data.empty()) return r;

  // Already held out of order entirely?
  for (const Range& g : ooo_) {
    if (!seq.before(g.start) && !end.after(g.end)) {
      r.duplicate = true;
      return r;
    }
  }
  ring_.write_beyond(off, data);

  if (off == 0) {
    // In order: absorb any out-of-order ranges it now touches.
    SeqNum nxt = end;
    while (!ooo_.empty() && ooo_.front().start.before_eq(nxt)) {
      nxt = seq_max(nxt, ooo_.front().end);
      ooo_.erase(ooo_.begin());
    }
    r.advanced = nxt.since(rcv_nxt).raw();
    ring_.commit(r.advanced);
    return r;
  }

  // Out of order: merge [seq, end) into the sorted, disjoint range list.
  r.out_of_order = true;
  Range fresh{seq, end, ++stamp_};
  auto it = std::find_if(ooo_.begin(), ooo_.end(),
                         [&](const Range& g) { return !g.end.before(fresh.start); });
  while (it != ooo_.end() && !it->start.after(fresh.end)) {
    fresh.start = seq_min(fresh.start, it->start);
    fresh.end = seq_max(fresh.end, it->end);
    it = ooo_.erase(it);
  }
  ooo_.insert(it, fresh);
  return r;
}

uint32_t RecvQueue::read(MutBytes out, bool peek) {
  uint32_t n = ring_.copy_out(0, out);
  if (!peek) {
    ring_.consume(n);
    ring_.release_if_empty(ooo_.empty());
  }
  return n;
}

void RecvQueue::clear() {
  ring_.consume(ring_.size());
  ooo_.clear();
  ring_.release_if_empty(true);
}

int RecvQueue::sack_blocks(wire::SackBlock* out, int max) const {
  // The `max` most recently changed ranges, newest first (RFC 2018 4: the first block
  // reports the most recent segment). max is at most 4 (the option's room), so a small
  // insertion into a fixed array beats sorting a vector: no allocation on every ACK.
  constexpr int kMaxBlocks = 4;
  max = std::min(max, kMaxBlocks);
  const Range* best[kMaxBlocks];
  int n = 0;
  for (const Range& g : ooo_) {
    int i = n < max ? n++ : max;
    while (i > 0 && best[i - 1]->stamp < g.stamp) {
      if (i < max) best[i] = best[i - 1];
      --i;
    }
    if (i < max) best[i] = &g;
  }
  for (int i = 0; i < n; ++i) out[i] = wire::SackBlock{best[i]->start, best[i]->end};
  return n;
}

}  // namespace ustcp::tcp
