// Where Linux puts PSH on the data it sends, and how many MSS segments it hands to the
// device together. ustcp puts each MSS segment on the wire itself; Linux sends "units": one
// skb of several segments that GSO (or the NIC's TSO) cuts at the MSS. What a peer sees:
//
//  - A unit of two or more segments carries PSH on its last segment: __tcp_transmit_skb
//    forces PSH on every multi-segment packet "to expedite GRO flush at receiver", and
//    tcp_gso_segment keeps it on the last segment only. New data and retransmissions alike.
//  - A one-segment unit carries PSH when its skb has the flag: the skb where a write ended
//    (tcp_push -> tcp_mark_push), or where a write passed half the peer's largest window
//    since the last mark (forced_push), as far as later appends, cuts and merges left it.
//  - A window probe with data always carries PSH (tcp_write_wakeup).
//
// Unit sizes (tcp_write_xmit): min(max(cwnd/2, 1), cwnd - in_flight, max_segs) segments of
// new data (tcp_cwnd_test, tcp_tso_segs); retransmissions min(cwnd - in_flight, max_segs)
// of one skb (tcp_xmit_retransmit_queue), one segment on an RTO or a loss probe.
//
// This file holds the formulas and WriteQueueModel, the part of Linux's write queue (the
// unsent skbs) that decides those flags: where each unsent skb ends and whether it carries
// PSH. Sent data keeps its skb boundaries in the retransmission records (TxSegment::skb).
// Not modelled: tcp_tso_should_defer (holds a multi-segment send back within 1 ms of the
// previous one when the head's ACK is due within 1 ms), autocorking, MSG_MORE,
// tcp_retrans_try_collapse (sub-MSS retransmissions merged), TSO splitting at a window edge.
#pragma once

#include <cstdint>

#include "ustcp/base/ring.hpp"
#include "ustcp/base/seq.hpp"

namespace ustcp::tcp {

// Linux's defaults for the inputs of tcp_tso_autosize and tcp_update_pacing_rate.
namespace tso {
// sk_gso_max_size of an IPv4 socket on a TUN (or most) device: GSO_LEGACY_MAX_SIZE minus
// MAX_TCP_HEADER + 1 (sk_setup_caps; MAX_TCP_HEADER is 320 on x86-64 distribution kernels).
inline constexpr uint32_t kGsoMaxSize = 65536 - (320 + 1);
inline constexpr uint32_t kGsoMaxSegs = 65535;   // GSO_MAX_SEGS
inline constexpr uint32_t kTsoRttLog = 9;        // net.ipv4.tcp_tso_rtt_log
inline constexpr uint32_t kPacingShift = 10;     // sk_pacing_shift: 1 ms of data per unit
inline constexpr uint32_t kPacingSsRatio = 200;  // net.ipv4.tcp_pacing_ss_ratio (percent)
inline constexpr uint32_t kPacingCaRatio = 120;  // net.ipv4.tcp_pacing_ca_ratio (percent)

// tcp_update_pacing_rate: bytes per second, 200% of cwnd * mss / srtt in slow start (cwnd
// below half ssthresh), 120% after; srtt_us8 is srtt in microseconds << 3 (0: no sample
// yet, then the rate is left undivided, i.e. effectively unlimited).
uint64_t pacing_rate(uint32_t mss, uint32_t cwnd, uint32_t ssthresh, uint32_t packets_out,
                     int64_t srtt_us8);
// tcp_tso_segs / tcp_tso_autosize: the largest unit, in segments: about 1 ms of data at the
// pacing rate, plus up to a full GSO packet when the minimum RTT is below a few ms; at least
// min_tso_segs (net.ipv4.tcp_min_tso_segs, 2 by default).
uint32_t max_segs(uint64_t pacing_rate, uint32_t min_rtt_us, uint32_t mss, uint32_t min_tso_segs);
// tcp_cwnd_test: segments cwnd allows now, at most half of cwnd so that at least two units
// are in flight; 0 when cwnd is full.
uint32_t cwnd_quota(uint32_t cwnd, uint32_t in_flight);
// tcp_xmit_size_goal with tcp_bound_to_half_wnd: how large the write path lets an skb grow,
// a multiple of the MSS near half the peer's largest window (at most one GSO packet).
uint32_t size_goal(uint32_t max_window, uint32_t mss, uint32_t tcp_header_len);
}  // namespace tso

// The unsent skbs of Linux's write queue, each by its end and its PSH flag, plus how far
// the writes got past the last push mark (write_seq - pushed_seq). The first skb starts at
// snd_nxt, each next one where the previous ends, the last ends at the end of the written
// data. Nothing unsent, it holds no memory.
class WriteQueueModel {
 public:
  bool empty() const { return skbs_.empty(); }
  // The unsent skbs (each charges the send buffer its overhead, wmem.hpp).
  uint32_t size() const { return skbs_.size(); }
  // Makes the skbs cover [snd_nxt, write_end) again: drops what was sent, and puts bytes
  // queued without the write path (none in the stack) into an skb of their own.
  void sync(SeqNum snd_nxt, SeqNum write_end);
  // Forgets everything (the connection ended or the send queue was emptied).
  void clear();
  // The ACK reached `ack`: skbs that end there or before are gone (none, while snd_nxt is
  // beyond every ACK).
  void pop_through(SeqNum ack);

  // ---- the write path (tcp_sendmsg_locked, tcp_push) ----
  // Bytes the last unsent skb still takes before it reaches size_goal; 0 when the next
  // bytes start a new skb (nothing unsent, or the last skb is full).
  uint32_t tail_room(SeqNum snd_nxt, uint32_t size_goal) const;
  // `n` bytes were copied and the written data now ends at write_end; in a new skb
  // (new_skb) or appended to the last one. The first copy of a write clears that skb's
  // PSH; later copies keep it, so the mark moves to the skb's new end.
  void copied(SeqNum write_end, uint32_t n, bool new_skb, bool first_of_write);
  // forced_push: the writes got more than half the peer's largest window past the last mark.
  bool forced_push(uint32_t max_window) const { return unpushed_ > max_window / 2; }
  // tcp_mark_push: PSH on the last unsent skb, the mark is where the writes are now.
  void mark_push();
  // MSG_EOR: the last unsent skb ends a record. Nothing is appended to it and it does not
  // grow into the next skb (tcp_skb_can_collapse_to, tcp_skb_can_collapse), so a record's
  // end is always a unit's end, sent and retransmitted.
  void mark_eor();
  // The last unsent skb is also the first (tcp_send_head == the write queue's tail).
  bool single() const { return skbs_.size() == 1; }

  // ---- transmission (tcp_write_xmit, tcp_write_wakeup) ----
  // Where the first unsent skb ends (snd_nxt when nothing is unsent).
  SeqNum head_end(SeqNum snd_nxt) const { return skbs_.empty() ? snd_nxt : skbs_.front().end; }
  // tcp_grow_skb: the first skb grows toward `want` bytes from the next skb (that one only,
  // eaten whole when it fits: the flags join). Returns where the first skb now ends.
  SeqNum grow(SeqNum snd_nxt, uint32_t want);
  // A unit [snd_nxt, unit_end) of the first skb was sent. It takes the skb's PSH if it is
  // the whole skb; a unit cut from it has none and the rest keeps it (tso_fragment).
  bool sent(SeqNum unit_end);
  // tcp_write_wakeup: a window probe sent [snd_nxt, probe_end) of the first skb with PSH;
  // the rest of the skb keeps PSH too, and the mark is no older than the skb's end.
  void probe_sent(SeqNum probe_end, SeqNum write_end);

 private:
  struct Skb {
    SeqNum end;
    bool psh;
    bool eor = false;
  };
  Ring<Skb> skbs_;
  uint32_t unpushed_ = 0;  // write_seq - pushed_seq
};

}  // namespace ustcp::tcp
