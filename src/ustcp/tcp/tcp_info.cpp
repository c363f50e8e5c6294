// getsockopt(TCP_INFO): the connection's state in struct tcp_info's terms (Linux
// tcp_get_info).
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

namespace {
uint32_t usecs(Duration d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}
// jiffies_to_msecs(now - stamp); 0 for a stamp never taken (still the epoch).
uint32_t ms_since(TimePoint now, MsStamp then) {
  if (then == MsStamp{}) return 0;
  return jiffies32(now) - then.jiffies();
}
}  // namespace

TcpInfo Connection::info(TimePoint now) const {
  TcpInfo i;
  i.state = static_cast<uint8_t>(static_cast<uint8_t>(state_) + 1);  // TCP_ESTABLISHED = 1
  i.ca_state = static_cast<uint8_t>(ca_state_);
  i.retransmits = retransmits_;
  i.probes = probes_out_;
  i.backoff = backoff_;
  i.options = (ts_ok_ ? tcpi_opt::TIMESTAMPS : 0) | (sack_ok_ ? tcpi_opt::SACK : 0) |
              (wscale_ok_ ? tcpi_opt::WSCALE : 0);
  i.snd_wscale = snd_wscale_;
  i.rcv_wscale = rcv_wscale_;
  i.rto = usecs(rto());
  i.ato = ato_us_;
  i.snd_mss = mss_;
  i.rcv_mss = rcv_mss_;
  i.unacked = rtxq_.packets_out();
  i.sacked = rtxq_.sacked_out;
  i.lost = rtxq_.lost_out;
  i.retrans = rtxq_.retrans_out;
  i.last_data_recv = ms_since(now, last_data_rcv_);
  i.last_ack_recv = ms_since(now, last_rcv_);
  i.pmtu = adv_mss_ + 40;
  i.rtt = usecs(rtt_.srtt());
  i.rttvar = usecs(rtt_.rttvar());
  i.snd_ssthresh = cc_.ssthresh;
  i.snd_cwnd = cc_.cwnd;
  i.advmss = adv_mss_;
  i.reordering = reordering_;
  i.rcv_rtt = rcv_rtt_us8_ >> 3;
  i.rcv_space = rcvq_space_;
  i.total_retrans = total_retrans_;
  i.last_data_sent = ms_since(now, lsndtime_);
  i.delivery_rate = delivery_rate_;
  const Chrono::Stats chrono = chrono_.stats(now);
  i.busy_time = chrono.busy_us;
  i.rwnd_limited = chrono.rwnd_limited_us;
  i.sndbuf_limited = chrono.sndbuf_limited_us;
  i.delivery_rate_app_limited = rate_app_limited_;
  i.bytes_acked = bytes_acked_;
  i.segs_out = segs_out_;
  i.segs_in = segs_in_;
  i.data_segs_out = data_segs_out_;
  i.data_segs_in = data_segs_in_;
  i.bytes_received = bytes_received_;
  i.bytes_sent = bytes_sent_;
  i.bytes_retrans = bytes_retrans_;
  i.delivered = delivered_;
  i.dsack_dups = dsack_dups_;
  i.reord_seen = reord_seen_;
  i.min_rtt = rtt_.min_rtt_us() == UINT32_MAX ? 0 : rtt_.min_rtt_us();
  i.total_rto_recoveries = total_rto_recoveries_;
  i.notsent_bytes = unsent();
  i.snd_wnd = snd_wnd_;
  i.rcv_wnd = rcv_wnd_;
  i.total_rto = total_rto_;
  i.ca_name = ca_->name();
  return i;
}

}  // namespace ustcp::tcp
