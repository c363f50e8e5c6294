// The receive side's bytes: in-order data waiting for the application, and out-of-order
// data already placed where it belongs (RFC 9293 3.10.7.4, "segment text"), with the
// ranges held so that they can be reported as SACK blocks (RFC 2018).
#pragma once

#include <cstdint>
#include <vector>

#include "ustcp/base/seq.hpp"
#include "ustcp/tcp/byte_ring.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::tcp {

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
  bool has_out_of_order() const { return !ooo_.empty(); }
  size_t allocated() const { return ring_.allocated(); }

  // Places the payload of a segment starting at seq, with rcv_nxt the next expected byte.
  // Bytes at or beyond rcv_nxt + window are dropped (window: what the receiver offered,
  // which may exceed space() by the rounding of a scaled window).
  Insert insert(SeqNum rcv_nxt, SeqNum seq, Bytes data, uint32_t window);
  // Reads (or peeks) into out; returns the bytes copied.
  uint32_t read(MutBytes out, bool peek);
  // Drops everything (abort).
  void clear();

  // Up to max blocks, the most recently changed first (RFC 2018 4).
  int sack_blocks(wire::SackBlock* out, int max) const;

 private:
  struct Range {
    SeqNum start;
    SeqNum end;
    uint32_t stamp;  // recency, for the order of SACK blocks
  };
  ByteRing ring_;
  std::vector<Range> ooo_;  // sorted by start, disjoint, all after rcv_nxt
  uint32_t stamp_ = 0;
};

}  // namespace ustcp::tcp
