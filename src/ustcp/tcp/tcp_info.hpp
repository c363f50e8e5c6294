// What getsockopt(TCP_INFO) reports about one connection, with the field names of Linux's
// struct tcp_info (include/uapi/linux/tcp.h) and its units: times in microseconds unless the
// name says otherwise, windows in packets (snd_cwnd, snd_ssthresh) or bytes as Linux gives
// them. `ss -i`, `%{ assert tcpi_X }%` in drill scripts and the lab read this one struct.
// A field ustcp does not track yet stays 0, as a kernel without the feature reports it.
#pragma once

#include <cstdint>

namespace ustcp::tcp {

// tcpi_options bits (TCPI_OPT_*).
namespace tcpi_opt {
inline constexpr uint8_t TIMESTAMPS = 1;
inline constexpr uint8_t SACK = 2;
inline constexpr uint8_t WSCALE = 4;
inline constexpr uint8_t ECN = 8;
}  // namespace tcpi_opt

// tcpi_ca_state values (enum tcp_ca_state).
enum class CaState : uint8_t { Open = 0, Disorder = 1, Cwr = 2, Recovery = 3, Loss = 4 };

struct TcpInfo {
  uint8_t state = 0;  // TCP_ESTABLISHED = 1 ... (Linux's numbering, tcp_states.h)
  uint8_t ca_state = 0;
  uint8_t retransmits = 0;
  uint8_t probes = 0;
  uint8_t backoff = 0;
  uint8_t options = 0;
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  bool delivery_rate_app_limited = false;

  uint32_t rto = 0;  // us
  uint32_t ato = 0;  // us
  uint32_t snd_mss = 0;
  uint32_t rcv_mss = 0;

  uint32_t unacked = 0;  // packets_out
  uint32_t sacked = 0;
  uint32_t lost = 0;
  uint32_t retrans = 0;  // retrans_out
  uint32_t fackets = 0;

  uint32_t last_data_sent = 0;  // ms ago
  uint32_t last_ack_sent = 0;
  uint32_t last_data_recv = 0;
  uint32_t last_ack_recv = 0;

  uint32_t pmtu = 0;
  uint32_t rcv_ssthresh = 0;
  uint32_t rtt = 0;     // srtt, us
  uint32_t rttvar = 0;  // us
  uint32_t snd_ssthresh = 0;
  uint32_t snd_cwnd = 0;
  uint32_t advmss = 0;
  uint32_t reordering = 0;

  uint32_t rcv_rtt = 0;  // us
  uint32_t rcv_space = 0;

  uint32_t total_retrans = 0;

  uint64_t pacing_rate = 0;  // bytes/s
  uint64_t max_pacing_rate = 0;
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;
  uint32_t segs_out = 0;
  uint32_t segs_in = 0;

  uint32_t notsent_bytes = 0;
  uint32_t min_rtt = 0;  // us
  uint32_t data_segs_in = 0;
  uint32_t data_segs_out = 0;

  uint64_t delivery_rate = 0;  // bytes/s

  uint64_t busy_time = 0;  // us
  uint64_t rwnd_limited = 0;
  uint64_t sndbuf_limited = 0;

  uint32_t delivered = 0;
  uint32_t delivered_ce = 0;

  uint64_t bytes_sent = 0;
  uint64_t bytes_retrans = 0;
  uint32_t dsack_dups = 0;
  uint32_t reord_seen = 0;

  uint32_t rcv_ooopack = 0;
  uint32_t snd_wnd = 0;  // bytes
  uint32_t rcv_wnd = 0;  // bytes

  uint32_t rehash = 0;
  uint16_t total_rto = 0;
  uint16_t total_rto_recoveries = 0;
  uint32_t total_rto_time = 0;  // ms

  // Not in struct tcp_info: the congestion control's name (TCP_CONGESTION; `ss -i` prints
  // it first).
  const char* ca_name = "";
};

}  // namespace ustcp::tcp
