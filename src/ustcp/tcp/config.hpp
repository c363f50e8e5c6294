// Every sysctl the engine reads, by its Linux name, with Linux 6.x defaults
// (LINUX-REFERENCE.md). The stack owns one Config; the engine only reads it.
#pragma once

#include <array>
#include <cstdint>

#include "ustcp/base/time.hpp"
#include "ustcp/tcp/congestion.hpp"

namespace ustcp::tcp {

struct Config {
  // net.ipv4.tcp_syn_retries, tcp_syn_linear_timeouts (tcp_write_timeout)
  int tcp_syn_retries = 6;
  int tcp_syn_linear_timeouts = 4;
  int tcp_synack_retries = 5;
  int tcp_retries1 = 3;
  int tcp_retries2 = 15;
  int tcp_orphan_retries = 0;  // 0 means 8 (tcp_orphan_retries())
  int tcp_max_syn_backlog = 2048;
  int somaxconn = 4096;  // net.core.somaxconn
  int tcp_syncookies = 1;
  int tcp_abort_on_overflow = 0;
  int tcp_fin_timeout = 60;  // seconds
  int tcp_tw_reuse = 2;
  int tcp_tw_reuse_delay = 1000;  // ms
  int tcp_max_tw_buckets = 131072;
  int tcp_keepalive_time = 7200;  // seconds
  int tcp_keepalive_intvl = 75;
  int tcp_keepalive_probes = 9;
  int tcp_max_orphans = 131072;
  int tcp_timestamps = 1;
  int tcp_window_scaling = 1;
  int tcp_sack = 1;
  int tcp_dsack = 1;
  int tcp_rfc1337 = 0;
  int tcp_challenge_ack_limit = 2147483647;
  int tcp_invalid_ratelimit = 500;  // ms
  int tcp_slow_start_after_idle = 1;
  int tcp_rto_min_us = 200000;
  int tcp_rto_max_ms = 120000;
  // Loss recovery (Linux 6.x defaults): RACK on (bit 1; bit 2 static reordering window,
  // bit 4 no dupthresh), tail loss probes (3), F-RTO (2: SACK-enhanced), the dupthresh and
  // its ceiling, the window of the min_rtt filter (seconds).
  int tcp_recovery = 1;
  int tcp_early_retrans = 3;
  int tcp_frto = 2;
  int tcp_reordering = 3;
  int tcp_min_tso_segs = 2;  // the smallest unit tcp_tso_autosize picks, in segments
  int tcp_max_reordering = 300;
  int tcp_min_rtt_wlen = 300;
  int tcp_moderate_rcvbuf = 1;  // receive-buffer autotuning
  // net.ipv4.tcp_congestion_control: the algorithm new connections start with.
  const CongestionControl* congestion_control = &cubic();
  std::array<int, 3> tcp_rmem{4096, 131072, 33554432};
  std::array<int, 3> tcp_wmem{4096, 16384, 4194304};
  std::array<int, 2> ip_local_port_range{32768, 60999};
  // Not a sysctl: the MTU of the interface (ip link ... mtu); the MSS we announce is mtu - 40.
  uint32_t mtu = 1500;
  // Not a sysctl: the link is trusted with TCP checksums, as Linux's lo is (its
  // NETIF_F_HW_CSUM and CHECKSUM_PARTIAL skbs): output leaves the checksum field holding
  // the pseudo-header sum for the link to complete (what a NIC with checksum offload is
  // given), and input does not verify it. Only for links that cannot corrupt data, such as
  // two Stacks in one process; a pcap taken there shows those checksums as unfinished.
  bool checksum_offload = false;

  Duration rto_min() const { return std::chrono::microseconds(tcp_rto_min_us); }
  Duration rto_max() const { return std::chrono::milliseconds(tcp_rto_max_ms); }
  int orphan_retries() const { return tcp_orphan_retries == 0 ? 8 : tcp_orphan_retries; }
};

// Constants of Linux's TCP that are not sysctls (include/net/tcp.h).
inline constexpr Duration kTimeoutInit = 1s;   // TCP_TIMEOUT_INIT: first RTO, SYN RTO
inline constexpr Duration kRtoMin = 200ms;     // TCP_RTO_MIN (the sysctl tcp_rto_min_us aside)
inline constexpr Duration kTimeWaitLen = 60s;  // TCP_TIMEWAIT_LEN
inline constexpr Duration kDelackMin = 40ms;   // TCP_DELACK_MIN, TCP_ATO_MIN
inline constexpr Duration kDelackMax = 200ms;  // TCP_DELACK_MAX
inline constexpr uint32_t kMssDefault = 536;   // TCP_MSS_DEFAULT (RFC 9293 3.7.1)
inline constexpr uint32_t kMinMss = 88;        // TCP_MIN_MSS
inline constexpr uint32_t kInitCwnd = 10;      // TCP_INIT_CWND (RFC 6928)
inline constexpr uint32_t kMaxQuickAcks = 16;  // TCP_MAX_QUICKACKS
inline constexpr uint8_t kMaxWscale = 14;      // TCP_MAX_WSCALE (RFC 7323 2.3)
inline constexpr Duration kPawsIdle = std::chrono::hours(24 * 24);  // TCP_PAWS_24DAYS

}  // namespace ustcp::tcp
