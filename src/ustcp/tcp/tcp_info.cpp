// getsockopt(TCP_INFO): the connection's state in struct tcp_info's terms (Linux
// tcp_get_info).
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

namespace {
uint32_t usecs(Duration d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}
uint32_t ms_since(TimePoint now, TimePoint then) {
  if (then == TimePoint{} || then > now) return 0;
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now - then).count());
}
}  // namespace

TcpInfo Connection::info(TimePoint now) const {
  TcpInfo i;
  i.state = static_cast<uint8_t>(static_cast<uint8_t>(state_) + 1);  // TCP_ESTABLISHED = 1
  i.ca_state = static_cast<uint8_t>(in_recovery_ ? CaState::Recovery : CaState::Open);
  i.retransmits = retransmits_;
  i.probes = probes_out_;
  i.backoff = backoff_;
  i.options = (ts_ok_ ? tcpi_opt::TIMESTAMPS : 0) | (sack_ok_ ? tcpi_opt::SACK : 0) |
              (wscale_ok_ ? tcpi_opt::WSCALE : 0);
  i.snd_wscale = snd_wscale_;
  i.rcv_wscale = rcv_wscale_;
  i.rto = usecs(rto());
  i.ato = pingpong_ || data_seen_ ? usecs(kDelackMin) : 0;
  i.snd_mss = mss_;
  i.rcv_mss = rcv_mss_;
  const uint32_t mss = std::max<uint32_t>(mss_, 1);
  i.unacked = (flight() + mss - 1) / mss;
  i.last_data_recv = ms_since(now, last_data_rcv_);
  i.last_ack_recv = ms_since(now, last_rcv_);
  i.pmtu = adv_mss_ + 40;
  i.rtt = usecs(rtt_.srtt());
  i.rttvar = usecs(rtt_.rttvar());
  i.snd_ssthresh = cc_.ssthresh == UINT32_MAX ? 0x7fffffff : cc_.ssthresh / mss;
  i.snd_cwnd = cc_.cwnd / mss;
  i.advmss = adv_mss_;
  i.reordering = 3;
  i.total_retrans = static_cast<uint32_t>(total_retrans_);
  i.notsent_bytes = unsent();
  i.snd_wnd = snd_wnd_;
  i.rcv_wnd = rcv_wnd_;
  i.total_rto = total_rto_;
  i.ca_name = ca_->name();
  return i;
}

}  // namespace ustcp::tcp
