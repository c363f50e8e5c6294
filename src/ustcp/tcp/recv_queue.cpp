#include "ustcp/tcp/recv_queue.hpp"

#include <algorithm>

namespace ustcp::tcp {

namespace {

// RFC 7323 2.3: a window never exceeds 2^30 bytes. Keeping to it keeps every held byte
// within 2^31 of rcv_nxt, where sequence order is defined.
constexpr uint32_t kMaxWindow = 1u << 30;

}  // namespace

// ---- OfoQueue: the AVL tree -------------------------------------------------------------

void OfoQueue::update(uint32_t t) {
  pool_[t].height = static_cast<uint8_t>(1 + std::max(h(pool_[t].left), h(pool_[t].right)));
}

uint32_t OfoQueue::rotate_left(uint32_t t) {
  const uint32_t r = pool_[t].right;
  pool_[t].right = pool_[r].left;
  pool_[r].left = t;
  update(t);
  update(r);
  return r;
}

uint32_t OfoQueue::rotate_right(uint32_t t) {
  const uint32_t l = pool_[t].left;
  pool_[t].left = pool_[l].right;
  pool_[l].right = t;
  update(t);
  update(l);
  return l;
}

// Restores the AVL balance at t after one of its subtrees changed height by one.
uint32_t OfoQueue::rebalance(uint32_t t) {
  const uint32_t l = pool_[t].left, r = pool_[t].right;
  const int balance = h(l) - h(r);
  if (balance > 1) {
    if (h(pool_[l].left) < h(pool_[l].right)) pool_[t].left = rotate_left(l);
    return rotate_right(t);
  }
  if (balance < -1) {
    if (h(pool_[r].right) < h(pool_[r].left)) pool_[t].right = rotate_right(r);
    return rotate_left(t);
  }
  update(t);
  return t;
}

// Puts node x (key k, no children) into t: one descent, rebalanced on the way back.
uint32_t OfoQueue::insert(uint32_t t, uint32_t x, uint32_t k, SeqNum rcv_nxt) {
  if (t == kNil) return x;
  if (k < key(t, rcv_nxt)) {
    pool_[t].left = insert(pool_[t].left, x, k, rcv_nxt);
  } else {
    pool_[t].right = insert(pool_[t].right, x, k, rcv_nxt);
  }
  return rebalance(t);
}

// Takes node x (key k) out of t, without freeing it.
uint32_t OfoQueue::erase(uint32_t t, uint32_t x, uint32_t k, SeqNum rcv_nxt) {
  if (t == x) {
    const uint32_t l = pool_[t].left, r = pool_[t].right;
    if (l == kNil) return r;
    if (r == kNil) return l;
    uint32_t next = kNil;
    const uint32_t rest = erase_first(r, next);
    pool_[next].left = l;
    pool_[next].right = rest;
    return rebalance(next);
  }
  if (k < key(t, rcv_nxt)) {
    pool_[t].left = erase(pool_[t].left, x, k, rcv_nxt);
  } else {
    pool_[t].right = erase(pool_[t].right, x, k, rcv_nxt);
  }
  return rebalance(t);
}

// Takes the first node out of t: returns the rest, the node in `first`.
uint32_t OfoQueue::erase_first(uint32_t t, uint32_t& first) {
  if (pool_[t].left == kNil) {
    first = t;
    return pool_[t].right;
  }
  pool_[t].left = erase_first(pool_[t].left, first);
  return rebalance(t);
}

// join(l, k, r) with l higher than r by 2 or more: k and r go down l's right spine to where
// the heights meet, and rotations on the way back restore the balance (Blelloch, Ferizovic
// and Sun, "Just Join for Parallel Ordered Sets", 2016, fig. 3).
uint32_t OfoQueue::join_right(uint32_t l, uint32_t k, uint32_t r) {
  const uint32_t ll = pool_[l].left, c = pool_[l].right;
  if (h(c) <= h(r) + 1) {
    pool_[k].left = c;
    pool_[k].right = r;
    update(k);
    if (h(k) <= h(ll) + 1) {
      pool_[l].right = k;
      update(l);
      return l;
    }
    pool_[l].right = rotate_right(k);
    update(l);
    return rotate_left(l);
  }
  pool_[l].right = join_right(c, k, r);
  update(l);
  return h(pool_[l].right) <= h(ll) + 1 ? l : rotate_left(l);
}

uint32_t OfoQueue::join_left(uint32_t l, uint32_t k, uint32_t r) {
  const uint32_t rr = pool_[r].right, c = pool_[r].left;
  if (h(c) <= h(l) + 1) {
    pool_[k].left = l;
    pool_[k].right = c;
    update(k);
    if (h(k) <= h(rr) + 1) {
      pool_[r].left = k;
      update(r);
      return r;
    }
    pool_[r].left = rotate_left(k);
    update(r);
    return rotate_right(r);
  }
  pool_[r].left = join_left(l, k, c);
  update(r);
  return h(pool_[r].left) <= h(rr) + 1 ? r : rotate_right(r);
}

// The tree of l's ranges, range k, then r's ranges (all in that order): O(|h(l) - h(r)|).
uint32_t OfoQueue::join(uint32_t l, uint32_t k, uint32_t r) {
  if (h(l) > h(r) + 1) return join_right(l, k, r);
  if (h(r) > h(l) + 1) return join_left(l, k, r);
  pool_[k].left = l;
  pool_[k].right = r;
  update(k);
  return k;
}

// l's ranges then r's, without a node between them: l's last range serves as the middle.
uint32_t OfoQueue::join2(uint32_t l, uint32_t r) {
  if (l == kNil) return r;
  uint32_t last = kNil;
  const uint32_t rest = split_last(l, last);
  return join(rest, last, r);
}

// Takes the last range out of t: returns the rest, the range in `last`.
uint32_t OfoQueue::split_last(uint32_t t, uint32_t& last) {
  if (pool_[t].right == kNil) {
    last = t;
    return pool_[t].left;
  }
  const uint32_t rest = split_last(pool_[t].right, last);
  return join(pool_[t].left, t, rest);
}

// Splits t into the ranges whose offset from rcv_nxt is below k (lt) and the others (ge), in
// O(log n): the joins on the way back up cost the height differences, which telescope.
void OfoQueue::split(uint32_t t, SeqNum rcv_nxt, uint32_t k, uint32_t& lt, uint32_t& ge) {
  if (t == kNil) {
    lt = ge = kNil;
    return;
  }
  const uint32_t l = pool_[t].left, r = pool_[t].right;
  uint32_t a = kNil, b = kNil;
  if (k <= key(t, rcv_nxt)) {
    split(l, rcv_nxt, k, a, b);
    lt = a;
    ge = join(b, t, r);
  } else {
    split(r, rcv_nxt, k, a, b);
    lt = join(l, t, a);
    ge = b;
  }
}

uint32_t OfoQueue::leftmost(uint32_t t) const {
  while (pool_[t].left != kNil) t = pool_[t].left;
  return t;
}

uint32_t OfoQueue::rightmost(uint32_t t) const {
  while (pool_[t].right != kNil) t = pool_[t].right;
  return t;
}

// ---- OfoQueue: nodes ---------------------------------------------------------------------

// A node from the free list, else the next never used one; the pool doubles when full
// (copies stay O(1) per node; 4 nodes, 80 bytes, for a first loss).
uint32_t OfoQueue::alloc(SeqNum start, SeqNum end) {
  uint32_t t = free_;
  if (t != kNil) {
    free_ = pool_[t].left;
  } else {
    if (used_ == cap_) {
      const uint32_t cap = cap_ == 0 ? 4 : 2 * cap_;
      auto fresh = std::make_unique_for_overwrite<Node[]>(cap);
      std::copy_n(pool_.get(), used_, fresh.get());
      pool_ = std::move(fresh);
      cap_ = cap;
    }
    t = used_++;
  }
  pool_[t] = Node{start, end, kNil, kNil, 1};
  ++count_;
  return t;
}

// Frees every node of t: O(size of t). A freed node has height 0 until it is reused, which
// is how forget_freed() recognises SACK entries whose range is gone.
void OfoQueue::free_tree(uint32_t t) {
  while (t != kNil) {
    free_tree(pool_[t].left);
    const uint32_t r = pool_[t].right;
    free_node(t);
    t = r;
  }
}

void OfoQueue::free_node(uint32_t t) {
  pool_[t].height = 0;
  pool_[t].left = free_;
  free_ = t;
  --count_;
}

OfoQueue& OfoQueue::operator=(OfoQueue&& o) noexcept {
  if (this == &o) return *this;
  pool_ = std::move(o.pool_);
  cap_ = o.cap_;
  used_ = o.used_;
  free_ = o.free_;
  root_ = o.root_;
  count_ = o.count_;
  first_ = o.first_;
  last_ = o.last_;
  recent_ = o.recent_;
  recent_count_ = o.recent_count_;
  o.clear();
  return *this;
}

// Every node becomes free at once: the next ones come from the start of the pool again.
void OfoQueue::drop_all() {
  used_ = count_ = 0;
  free_ = root_ = first_ = last_ = kNil;
  recent_count_ = 0;
}

void OfoQueue::clear() {
  drop_all();
  pool_.reset();
  cap_ = 0;
}

// ---- OfoQueue: SACK order ----------------------------------------------------------------

// Range t just changed (or received a duplicate): it goes first, the others move down, the
// fifth is forgotten (Linux tcp_sack_new_ofo_skb rotates the block it extended to the
// front, or puts a new block there and drops the last when all 4 are in use).
void OfoQueue::touch(uint32_t t) {
  int i = 0;
  while (i < recent_count_ && recent_[i] != t) ++i;
  if (i == recent_count_) {
    if (recent_count_ < kMaxSackBlocks) ++recent_count_;
    i = recent_count_ - 1;
  }
  for (; i > 0; --i) recent_[i] = recent_[i - 1];
  recent_[0] = t;
}

// Drops the entries whose range was merged away or absorbed; the others keep their order
// (Linux tcp_sack_remove, tcp_sack_maybe_coalesce). Like Linux, a range that fell out of the
// 4 is not brought back: it is reported again when it next changes.
void OfoQueue::forget_freed() {
  int n = 0;
  for (int i = 0; i < recent_count_; ++i) {
    if (pool_[recent_[i]].height != 0) recent_[n++] = recent_[i];
  }
  recent_count_ = static_cast<uint8_t>(n);
}

int OfoQueue::sack_blocks(wire::SackBlock* out, int max) const {
  const int n = std::clamp<int>(max, 0, recent_count_);
  for (int i = 0; i < n; ++i) {
    out[i] = wire::SackBlock{pool_[recent_[i]].start, pool_[recent_[i]].end};
  }
  return n;
}

// ---- OfoQueue: ranges --------------------------------------------------------------------

bool OfoQueue::add(SeqNum rcv_nxt, SeqNum start, SeqNum end) {
  auto off = [rcv_nxt](SeqNum x) { return x.since(rcv_nxt).raw(); };
  const uint32_t s = off(start), e = off(end);
  // Held ranges start after rcv_nxt unless the caller moved rcv_nxt past them (a contract
  // breach, as data after a FIN): offsets would no longer order them, so they go.
  if (count_ != 0 && !pool_[first_].start.after(rcv_nxt)) drop_all();
  if (count_ == 0) {
    root_ = first_ = last_ = alloc(start, end);
    touch(root_);
    return true;
  }

  // Linux tcp_data_queue_ofo: "In the typical case, we are adding an skb to the end of the
  // list": a segment at or past the end of the highest range needs no search.
  const uint32_t last_start = off(pool_[last_].start), last_end = off(pool_[last_].end);
  if (s > last_end) {
    const uint32_t t = alloc(start, end);
    root_ = join(root_, t, kNil);
    last_ = t;
    touch(t);
    return true;
  }
  if (s >= last_start) {
    touch(last_);
    if (e <= last_end) return false;
    pool_[last_].end = end;
    return true;
  }

  // One descent: the last range starting at or before s, and the first starting after it.
  uint32_t pred = kNil, succ = kNil;
  for (uint32_t t = root_; t != kNil;) {
    if (key(t, rcv_nxt) <= s) {
      pred = t;
      t = pool_[t].right;
    } else {
      succ = t;
      t = pool_[t].left;
    }
  }
  // Ranges are merged when they touch: [a, b) and [b, c) are one range [a, c).
  const bool joins_pred = pred != kNil && off(pool_[pred].end) >= s;
  if (joins_pred && off(pool_[pred].end) >= e) {
    // RFC 2018 4: the first block reports the segment that triggered this ACK, even a
    // duplicate (Linux tcp_data_queue_ofo: "All the bits are present", then add_sack).
    touch(pred);
    return false;
  }
  const uint32_t first_start = off(pool_[first_].start);
  uint32_t m = kNil;  // the range that now holds [start, end)
  if (succ == kNil || key(succ, rcv_nxt) > e) {
    // No range starts inside the segment: grow pred in place (ends are not keys), or add a
    // node between pred and succ.
    if (joins_pred) {
      pool_[pred].end = end;
      m = pred;
    } else {
      m = alloc(start, end);
      root_ = insert(root_, m, s, rcv_nxt);
    }
  } else if (e <= off(pool_[succ].end)) {
    // The segment reaches into succ and no further (the next range starts past succ's end):
    // it fills the hole below succ, or part of it.
    if (joins_pred) {
      pool_[pred].end = pool_[succ].end;
      root_ = erase(root_, succ, key(succ, rcv_nxt), rcv_nxt);
      free_node(succ);
      m = pred;
      forget_freed();
    } else {
      pool_[succ].start = start;  // moves down, still after pred: the order holds
      m = succ;
    }
  } else {
    // The segment bridges ranges: cut out those starting in (s, e], keep one node (pred, or
    // the root of the cut) for the union, free the rest.
    uint32_t lt = kNil, ge = kNil, cut = kNil, gt = kNil;
    split(root_, rcv_nxt, s + 1, lt, ge);
    split(ge, rcv_nxt, e + 1, cut, gt);
    const SeqNum union_end = seq_max(end, pool_[rightmost(cut)].end);
    if (joins_pred) {
      free_tree(cut);
      m = pred;
      pool_[m].end = union_end;
      root_ = join2(lt, gt);
    } else {
      m = cut;
      free_tree(pool_[m].left);
      free_tree(pool_[m].right);
      pool_[m].start = start;
      pool_[m].end = union_end;
      root_ = join(lt, m, gt);
    }
    forget_freed();
  }
  if (off(pool_[m].start) <= first_start) first_ = m;
  if (off(pool_[m].end) >= last_end) last_ = m;
  touch(m);
  return true;
}

SeqNum OfoQueue::absorb(SeqNum rcv_nxt, SeqNum to) {
  if (count_ != 0 && !pool_[first_].start.after(rcv_nxt)) drop_all();  // as in add()
  if (count_ == 0) return to;
  const uint32_t t = to.since(rcv_nxt).raw();
  if (key(first_, rcv_nxt) > t) return to;  // a hole remains before the first range
  if (key(last_, rcv_nxt) <= t) {
    // It reached every range (the end of a recovery): nothing to walk.
    const SeqNum end = seq_max(to, pool_[last_].end);
    drop_all();
    return end;
  }
  // Usually the segment filled the first hole only: take the first range out.
  uint32_t gone = kNil;
  root_ = erase_first(root_, gone);
  SeqNum end = seq_max(to, pool_[gone].end);
  free_node(gone);
  first_ = leftmost(root_);  // the last range is still held
  if (key(first_, rcv_nxt) <= t) {
    // It reached further: split off every range it reached.
    uint32_t done = kNil, rest = kNil;
    split(root_, rcv_nxt, t + 1, done, rest);
    end = seq_max(end, pool_[rightmost(done)].end);
    free_tree(done);
    root_ = rest;
    first_ = leftmost(rest);
  }
  forget_freed();
  return end;
}

// ---- RecvQueue ---------------------------------------------------------------------------

RecvQueue::Insert RecvQueue::insert(SeqNum rcv_nxt, SeqNum seq, Bytes data, uint32_t window) {
  Insert r;
  window = std::min(window, kMaxWindow);
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

  if (off == 0) {
    // In order: it becomes readable with every held range it now reaches.
    ring_.write_beyond(0, data);
    r.advanced = (ofo_ ? ofo_->absorb(rcv_nxt, end) : end).since(rcv_nxt).raw();
    ring_.commit(r.advanced);
    return r;
  }
  // Out of order: placed where it belongs unless every byte is held already.
  if (!ofo_) ofo_ = std::make_unique<OfoQueue>();
  if (!ofo_->add(rcv_nxt, seq, end)) {
    r.duplicate = true;
    return r;
  }
  ring_.write_beyond(off, data);
  r.out_of_order = true;
  return r;
}

uint32_t RecvQueue::read(MutBytes out, bool peek) {
  // recv() with an empty buffer: nothing to copy (and no null pointer handed to memcpy).
  if (out.empty()) return 0;
  uint32_t n = ring_.copy_out(0, out);
  if (!peek) {
    ring_.consume(n);
    // Drained with nothing held out of order: the connection is idle and holds no memory.
    if (ring_.size() == 0 && !has_out_of_order()) {
      ring_.release_if_empty(true);
      ofo_.reset();
    }
  }
  return n;
}

void RecvQueue::clear() {
  ring_.consume(ring_.size());
  ofo_.reset();
  ring_.release_if_empty(true);
}

const OfoQueue& RecvQueue::out_of_order() const {
  static const OfoQueue kNone;
  return ofo_ ? *ofo_ : kNone;
}

}  // namespace ustcp::tcp
