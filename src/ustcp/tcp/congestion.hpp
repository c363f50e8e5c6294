// Congestion control behind an interface: Linux's struct tcp_congestion_ops, in its
// units. The algorithm decides how the congestion window grows on ACKs (cong_avoid), what
// ssthresh becomes when a loss is detected (ssthresh), what an undo restores (undo_cwnd),
// and may watch RTT samples (pkts_acked), state changes and idle restarts. Loss detection
// and recovery (SACK scoreboard, RACK, PRR, RTO, undo decisions) belong to the sender, as
// in Linux, so an algorithm is one file implementing this interface.
//
// Windows count packets (full-sized segments), as Linux's snd_cwnd and snd_ssthresh do
// (tcpi_snd_cwnd); the sender converts to bytes where the wire needs them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/tcp/counters.hpp"
#include "ustcp/tcp/tcp_info.hpp"

namespace ustcp::tcp {

// TCP_INFINITE_SSTHRESH: ssthresh before the first loss (RFC 5681 3.1 "arbitrarily high").
inline constexpr uint32_t kInfiniteSsthresh = 0x7fffffff;

// Per-connection congestion state. `priv` is the algorithm's own space (Linux's
// icsk_ca_priv), so no algorithm allocates per connection. Algorithms copy their state in
// and out with memcpy, so it needs no alignment (and leaves no hole before it).
struct CongestionState {
  uint32_t cwnd = 0;                      // snd_cwnd, packets
  uint32_t ssthresh = kInfiniteSsthresh;  // snd_ssthresh, packets
  uint32_t cwnd_cnt = 0;                  // snd_cwnd_cnt: linear-increase accumulator
  uint32_t cwnd_clamp = 0xffffffff;       // snd_cwnd_clamp
  uint32_t prior_cwnd = 0;                // cwnd when the current reduction began (undo)
  std::array<uint8_t, 64> priv{};

  bool in_slow_start() const { return cwnd < ssthresh; }  // tcp_in_slow_start
};

// What the sender tells the algorithm on each call.
struct CaContext {
  TimePoint now;
  SeqNum snd_una;           // after the ACK being processed
  SeqNum snd_nxt;           // HyStart ends a round when snd_una passes the snd_nxt it noted
  TimePoint last_send;      // lsndtime: when data was last sent (CUBIC's idle restart)
  Counters* mib = nullptr;  // TCPHystartTrainDetect and friends
};

// One ACK's measurement (struct ack_sample).
struct AckSample {
  uint32_t pkts_acked = 0;  // packets newly acked or SACKed
  int64_t rtt_us = -1;      // RTT sample of this ACK, -1 if none (Karn)
  uint32_t in_flight = 0;   // packets in flight before this ACK
};

// enum tcp_ca_event, the events ustcp raises.
enum class CaEvent : uint8_t {
  TxStart,      // first transmission when no packet is in flight (after idle)
  CwndRestart,  // congestion window restart after idle (tcp_slow_start_after_idle)
  CompleteCwr,  // end of a window reduction (recovery done)
  Loss,         // loss timeout (RTO)
};

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual const char* name() const = 0;  // as TCP_CONGESTION and ss -i print it
  // After the handshake; the sender has set cwnd to the initial window already.
  virtual void init(CongestionState& s, const CaContext& c) const = 0;
  // The new ssthresh when a loss is detected (recovery or RTO); may update priv (CUBIC
  // remembers the window it lost at).
  virtual uint32_t ssthresh(CongestionState& s, const CaContext& c) const = 0;
  // New data was acknowledged (acked packets) outside a window reduction. cwnd_limited:
  // the window, not the application or the receiver, limited what was sent
  // (tcp_is_cwnd_limited); algorithms grow only then.
  virtual void cong_avoid(CongestionState& s, const CaContext& c, uint32_t acked,
                          bool cwnd_limited) const = 0;
  // The window to restore when a reduction proves spurious (undo_cwnd).
  virtual uint32_t undo_cwnd(const CongestionState& s) const;
  // Every ACK that acknowledged or SACKed something, with its RTT sample (pkts_acked).
  virtual void pkts_acked(CongestionState&, const CaContext&, const AckSample&) const {}
  virtual void set_state(CongestionState&, const CaContext&, CaState) const {}
  virtual void cwnd_event(CongestionState&, const CaContext&, CaEvent) const {}
};

// RFC 5681 slow start and congestion avoidance in packets (Linux tcp_reno_*): the
// algorithm behind net.ipv4.tcp_congestion_control=reno. With the sender's RFC 6582
// recovery it is NewReno.
const CongestionControl& reno();
// RFC 9438 CUBIC with HyStart (Linux tcp_cubic.c), Linux's default.
const CongestionControl& cubic();
// By name ("cubic", "reno"), as tcp_congestion_control and TCP_CONGESTION take it; nullptr
// when unknown (setsockopt answers ENOENT, the sysctl is refused).
const CongestionControl* find_congestion_control(std::string_view name);
// Names of every algorithm, space-separated (tcp_available_congestion_control).
const char* available_congestion_control();

// Shared building blocks of the algorithms (Linux tcp_slow_start, tcp_cong_avoid_ai).
// Slow start: cwnd grows by the packets acked, up to ssthresh; returns the acked packets
// left over once cwnd reaches ssthresh (to be used in congestion avoidance).
uint32_t slow_start(CongestionState& s, uint32_t acked);
// Additive increase: one packet per w packets acked (w = cwnd gives Reno's one per RTT).
void cong_avoid_ai(CongestionState& s, uint32_t w, uint32_t acked);

}  // namespace ustcp::tcp
