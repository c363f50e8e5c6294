// The receive side's bytes: in-order data waiting for the application, and out-of-order
// data already placed where it belongs (RFC 9293 3.10.7.4, "segment text"), with the
// ranges held so that they can be reported as SACK blocks (RFC 2018).
//
// The bytes live in one ByteRing; OfoQueue only keeps track of which ranges past rcv_nxt
// are held, so that a peer sending tens of thousands of ranges (one segment in two lost)
// costs O(log n) per segment, not O(n).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include "ustcp/base/seq.hpp"
#include "ustcp/tcp/byte_ring.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::tcp {

// The out-of-order ranges (Linux: tp->out_of_order_queue): disjoint, non-adjacent
// [start, end) ranges of sequence space past rcv_nxt, and the up to 4 that changed last,
// for SACK (Linux: tp->selective_acks).
//
// The ranges are nodes of an AVL tree ordered by their offset from rcv_nxt. SeqNum has no
// `<`, but every range lies within the window past rcv_nxt (under 2^30 bytes, RFC 7323
// 2.3), where the offset orders them correctly across the 2^32 wrap; the order stays right
// as rcv_nxt advances, because rcv_nxt never passes a range without absorbing it. Costs
// with n ranges held:
// - a segment at or past the end of the highest range (Linux's ooo_last_skb case, the
//   common one): O(1) when it extends that range, O(log n) when it starts a new one;
// - any other segment: O(log n): one descent, then an AVL insert or erase at most, when it
//   reaches no further than the range after it (a new range, or a hole filled); split and
//   join (Blelloch et al., "Just Join for Parallel Ordered Sets") when it covers a whole
//   range and more, each range it swallows having been created once;
// - an in-order segment: O(1) unless it reaches the first range; O(log n + k) when it
//   absorbs k ranges;
// - SACK blocks: O(1).
// Nodes are 20 bytes in one pool, indexed by 32-bit numbers. The pool is allocated with the
// first range and kept while the connection is busy; RecvQueue frees the queue and its pool
// when the application has read everything and nothing is held: an idle connection holds
// none, and pays one pointer for it.
class OfoQueue {
 public:
  static constexpr int kMaxSackBlocks = 4;  // Linux TCP_NUM_SACKS

  OfoQueue() = default;
  OfoQueue(const OfoQueue&) = delete;
  OfoQueue& operator=(const OfoQueue&) = delete;
  OfoQueue(OfoQueue&& o) noexcept { *this = std::move(o); }
  OfoQueue& operator=(OfoQueue&& o) noexcept;  // leaves o empty

  bool empty() const { return count_ == 0; }
  // Ranges held.
  uint32_t size() const { return count_; }
  // Height of the tree (0 when empty); at most 1.44 log2(size() + 2).
  int height() const { return h(root_); }
  size_t allocated() const { return size_t{cap_} * sizeof(Node); }

  // Holds [start, end), where rcv_nxt.before(start), start.before(end) and end is at most
  // 2^30 past rcv_nxt, merging it with every range it overlaps or touches. Returns false,
  // changing nothing but the order of SACK blocks, when every byte was held already.
  bool add(SeqNum rcv_nxt, SeqNum start, SeqNum end);
  // The in-order bytes now reach `to` (after rcv_nxt): removes the ranges that start at or
  // before `to` and returns where the in-order bytes end with them.
  SeqNum absorb(SeqNum rcv_nxt, SeqNum to);
  // Up to `max` blocks: the range that changed last first, then the others in the order
  // they last changed (RFC 2018 4). Like Linux, only the 4 most recent are remembered.
  int sack_blocks(wire::SackBlock* out, int max) const;
  // Drops every range and frees the pool.
  void clear();

  // Calls f(start, end) for each range, in sequence order.
  template <class F>
  void for_each(F&& f) const;

 private:
  static constexpr uint32_t kNil = ~uint32_t{0};
  struct Node {
    SeqNum start;
    SeqNum end;
    uint32_t left;  // in the free list: the next free node
    uint32_t right;
    uint8_t height;  // 0: free (so that forget_freed() can tell)
  };

  uint32_t key(uint32_t t, SeqNum rcv_nxt) const { return pool_[t].start.since(rcv_nxt).raw(); }
  int h(uint32_t t) const { return t == kNil ? 0 : pool_[t].height; }
  void update(uint32_t t);
  uint32_t rotate_left(uint32_t t);
  uint32_t rotate_right(uint32_t t);
  uint32_t rebalance(uint32_t t);
  uint32_t insert(uint32_t t, uint32_t x, uint32_t k, SeqNum rcv_nxt);
  uint32_t erase(uint32_t t, uint32_t x, uint32_t k, SeqNum rcv_nxt);
  uint32_t erase_first(uint32_t t, uint32_t& first);
  uint32_t join_right(uint32_t l, uint32_t k, uint32_t r);
  uint32_t join_left(uint32_t l, uint32_t k, uint32_t r);
  uint32_t join(uint32_t l, uint32_t k, uint32_t r);
  uint32_t join2(uint32_t l, uint32_t r);
  uint32_t split_last(uint32_t t, uint32_t& last);
  void split(uint32_t t, SeqNum rcv_nxt, uint32_t k, uint32_t& lt, uint32_t& ge);
  uint32_t leftmost(uint32_t t) const;
  uint32_t rightmost(uint32_t t) const;
  uint32_t alloc(SeqNum start, SeqNum end);
  void free_tree(uint32_t t);
  void free_node(uint32_t t);
  void drop_all();
  void touch(uint32_t t);
  void forget_freed();

  std::unique_ptr<Node[]> pool_;
  uint32_t cap_ = 0;
  uint32_t used_ = 0;  // nodes [used_, cap_) were never handed out
  uint32_t free_ = kNil;
  uint32_t root_ = kNil;
  uint32_t count_ = 0;
  uint32_t first_ = kNil;                          // the lowest range
  uint32_t last_ = kNil;                           // the highest range
  std::array<uint32_t, kMaxSackBlocks> recent_{};  // most recently changed first
  uint8_t recent_count_ = 0;
};

class RecvQueue {
 public:
  struct Insert {
    uint32_t advanced = 0;      // bytes that became in order (rcv_nxt moves by this)
    bool out_of_order = false;  // some bytes were stored beyond rcv_nxt
    bool duplicate = false;     // every byte was already received
    uint32_t dropped = 0;       // bytes beyond the buffer's space, not kept
  };

  explicit RecvQueue(uint32_t limit = 0) : ring_(limit) {}

  void set_limit(uint32_t limit) { ring_.set_limit(limit); }
  uint32_t limit() const { return ring_.limit(); }
  // Bytes the application can read.
  uint32_t readable() const { return ring_.size(); }
  // Room for in-window data: what the receive window may offer.
  uint32_t space() const { return ring_.free_space(); }
  bool has_out_of_order() const { return ofo_ && !ofo_->empty(); }
  const OfoQueue& out_of_order() const;
  size_t allocated() const {
    return ring_.allocated() + (ofo_ ? sizeof(OfoQueue) + ofo_->allocated() : 0);
  }

  // Places the payload of a segment starting at seq, with rcv_nxt the next expected byte.
  // Bytes at or beyond rcv_nxt + window are dropped (window: what the receiver offered,
  // which may exceed space() by the rounding of a scaled window). rcv_nxt must be the
  // previous call's rcv_nxt plus what that call advanced.
  Insert insert(SeqNum rcv_nxt, SeqNum seq, Bytes data, uint32_t window);
  // Reads (or peeks) into out; returns the bytes copied.
  uint32_t read(MutBytes out, bool peek);
  // Drops everything (abort).
  void clear();

  // Up to max blocks, the most recently changed first (RFC 2018 4).
  int sack_blocks(wire::SackBlock* out, int max) const {
    return ofo_ ? ofo_->sack_blocks(out, max) : 0;
  }

 private:
  ByteRing ring_;
  // Out-of-order data is rare on a connection and absent on an idle one: the queue
  // (56 bytes) is allocated with the first range and freed with its pool.
  std::unique_ptr<OfoQueue> ofo_;
};

template <class F>
void OfoQueue::for_each(F&& f) const {
  // An AVL tree of 2^32 nodes is under 48 high.
  std::array<uint32_t, 64> path;
  size_t depth = 0;
  uint32_t t = root_;
  while (t != kNil || depth > 0) {
    for (; t != kNil; t = pool_[t].left) path[depth++] = t;
    t = path[--depth];
    f(pool_[t].start, pool_[t].end);
    t = pool_[t].right;
  }
}

}  // namespace ustcp::tcp
