// The retransmission queue and its scoreboard (Linux's tcp_rtx_queue with the TCPCB_*
// tags, RFC 6675): one record per segment sent and not yet cumulatively acknowledged, in
// sequence order, with what the sender knows of it: SACKed, believed lost, retransmitted,
// when it was last sent (RACK, RTT) and the delivery state when it was sent (rate samples).
// The bytes stay in the send ring; a record is 48 bytes, and an idle connection holds none.
//
// Counts kept as Linux keeps them, in packets (one record = one packet):
//   packets_out  records in the queue             (snd_nxt - snd_una, in segments)
//   sacked_out   records the peer SACKed
//   lost_out     records believed lost
//   retrans_out  retransmissions still in flight
//   in_flight() = packets_out - (sacked_out + lost_out) + retrans_out   (RFC 6675 "pipe")
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "ustcp/base/ring.hpp"
#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::tcp {

// The tag bits of a record (TCPCB_SACKED_ACKED ...). Valid combinations, as in Linux's
// tcp_sacktag_write_queue comment: 0 (in flight), S, L, R (original and retransmission in
// flight), L|R (original lost, retransmission in flight), S|R.
namespace tcpcb {
inline constexpr uint8_t SACKED_ACKED = 0x01;
inline constexpr uint8_t SACKED_RETRANS = 0x02;
inline constexpr uint8_t LOST = 0x04;
inline constexpr uint8_t TAGBITS = 0x07;
inline constexpr uint8_t EVER_RETRANS = 0x80;
inline constexpr uint8_t RETRANS = SACKED_RETRANS | EVER_RETRANS;
}  // namespace tcpcb

// Linux's skb boundaries in the records (push_policy.hpp): the record ends an skb (a unit as
// sent, or a later cut), and that skb carries PSH.
namespace skbflag {
inline constexpr uint8_t END = 0x01;
inline constexpr uint8_t PSH = 0x02;
}  // namespace skbflag

struct TxSegment {
  SeqNum seq;                // first sequence number
  SeqNum end;                // one past the last, the FIN included
  TimePoint sent;            // last (re)transmission (skb_mstamp)
  TimePoint first_tx;        // rate sample: start of the flight it was sent in
  TimePoint delivered_time;  // rate sample: when `delivered` was last updated
  uint32_t delivered = 0;    // rate sample: packets delivered when it was sent
  uint8_t sacked = 0;        // tcpcb bits
  uint8_t skb = 0;           // skbflag bits
  bool fin = false;
  bool app_limited = false;  // sent while the application, not the network, limited us
  uint32_t tx_order = 0;     // RtxQueue's count of sends when it last left (RACK, ties)
};

class RtxQueue {
 public:
  bool empty() const { return segs_.empty(); }
  uint32_t packets_out() const { return segs_.size(); }
  uint32_t in_flight() const { return packets_out() - (sacked_out + lost_out) + retrans_out; }
  uint32_t left_out() const { return sacked_out + lost_out; }

  uint64_t first() const { return segs_.first(); }
  uint64_t end() const { return segs_.end(); }
  TxSegment& at(uint64_t pos) { return segs_.at(pos); }
  const TxSegment& at(uint64_t pos) const { return segs_.at(pos); }
  TxSegment& head() { return segs_.front(); }
  const TxSegment& head() const { return segs_.front(); }
  TxSegment& tail() { return segs_.back(); }

  // A newly sent segment (at the back); it joins the time-ordered list.
  uint64_t push(const TxSegment& s);
  // The record sent again: it moves to the end of the time-ordered list.
  void resent(uint64_t pos, TimePoint now);
  // Removes the head record (cumulatively acknowledged), adjusting the counts.
  void pop_head();
  // The position of the record holding `seq`, or end() if none does (binary search).
  uint64_t find(SeqNum seq) const;
  void clear();

  // The time-ordered list (Linux's tsorted_sent_queue), for RACK: records by last send
  // time, oldest first. Entries left behind by a resend or removal are skipped lazily.
  struct TsEntry {
    uint64_t pos;
    TimePoint sent;
  };
  // Calls f(pos, record) for each live record in send order until f returns false; f may
  // tag the record (a record tagged LOST without SACKED_RETRANS is dropped from the list).
  template <typename F>
  void for_each_by_send_time(F&& f) {
    drop_stale_front();
    for (uint64_t i = tsorted_.first(); i != tsorted_.end(); ++i) {
      const TsEntry e = tsorted_.at(i);
      if (!live(e)) continue;
      if (!f(e.pos, segs_.at(e.pos))) break;
    }
    drop_stale_front();
  }

  // The SACK blocks of the previous ACK (Linux's recv_sack_cache), in sequence order:
  // ranges already tagged. Read only while sacked_out > 0, which only SACK processing
  // (writing the cache) makes true once the queue has emptied; so the cache is allocated by
  // the first blocks and freed with the records, and an idle connection holds none.
  struct SackCache {
    std::array<wire::SackBlock, 4> blocks;
    int n = 0;
  };
  // Null: no blocks.
  const SackCache* sack_cache() const { return sack_cache_.get(); }
  // Remembers `n` blocks (at most 4) and sorts them.
  void set_sack_cache(const wire::SackBlock* blocks, int n);

  uint32_t sacked_out = 0;
  uint32_t lost_out = 0;
  uint32_t retrans_out = 0;

 private:
  bool live(const TsEntry& e) const;
  void drop_stale_front();

  uint32_t tx_count_ = 0;  // sends so far: each (re)transmission's tx_order (next to the
                           // counts above, where the pointers' alignment leaves room)
  Ring<TxSegment> segs_;
  Ring<TsEntry> tsorted_;
  std::unique_ptr<SackCache> sack_cache_;
};

}  // namespace ustcp::tcp
