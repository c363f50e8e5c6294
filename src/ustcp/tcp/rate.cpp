// Delivery rate samples (Linux tcp_rate.c, draft-cheng-iccrg-delivery-rate-estimation):
// each segment remembers how much had been delivered, and when, at its transmission; the
// ACK that delivers it divides what was delivered since by the longer of the send and ACK
// intervals. Feeds tcpi_delivery_rate (ss -i), RACK's reordering window rounds and the
// delayed-ACK guess of the RTT filter.
#include <algorithm>

#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

// tcp_rate_skb_sent: a flight starts when nothing is in flight.
void Connection::rate_skb_sent(Context& ctx, TxSegment& s) {
  if (rtxq_.empty()) first_tx_time_ = delivered_time_ = ctx.now;
  s.first_tx = first_tx_time_;
  s.delivered_time = delivered_time_;
  s.delivered = delivered_;
  s.app_limited = app_limited_ != 0;
}

// tcp_rate_skb_delivered: the sample is taken from the most recently sent segment this
// ACK delivered.
void Connection::rate_skb_delivered(TxSegment& s, AckState& st) {
  if (s.delivered_time == TimePoint{}) return;  // already counted when SACKed
  if (!st.prior_set || static_cast<int32_t>(s.delivered - st.prior_delivered) > 0) {
    st.prior_set = true;
    st.prior_delivered = s.delivered;
    st.prior_time = s.delivered_time;
    st.is_app_limited = s.app_limited;
    st.is_retrans = s.sacked & tcpcb::RETRANS;
    // The next flight is measured from this segment's send time.
    first_tx_time_ = s.sent;
    st.interval_us = to_micros(s.sent - s.first_tx);
  }
  // A SACKed segment must not be counted again when the cumulative ACK covers it.
  if (s.sacked & tcpcb::SACKED_ACKED) s.delivered_time = TimePoint{};
}

// tcp_rate_gen: turn the ACK's sample into a delivery rate.
void Connection::rate_gen(Context& ctx, uint32_t delivered, const AckState& st) {
  // The application-limited period ends once its data is delivered.
  if (app_limited_ && static_cast<int32_t>(delivered_ - app_limited_) > 0) app_limited_ = 0;
  if (delivered) delivered_time_ = ctx.now;
  if (!st.prior_set || delivered == 0) return;
  const uint32_t sample_delivered = delivered_ - st.prior_delivered;
  const int64_t ack_us = to_micros(ctx.now - st.prior_time);
  const int64_t interval = std::max(st.interval_us, ack_us);
  // Shorter than the minimum RTT: ACK compression or a stretch ACK; not a sample.
  if (interval <= 0 || interval < static_cast<int64_t>(rtt_.min_rtt_us())) return;
  const uint64_t rate =
      uint64_t{sample_delivered} * mss_ * 1'000'000 / static_cast<uint64_t>(interval);
  if (!st.is_app_limited || rate >= delivery_rate_) {
    delivery_rate_ = rate;
    rate_app_limited_ = st.is_app_limited;
  }
}

// tcp_rate_check_app_limited: less than a segment waiting, window not full, no loss to
// repair: the application is what limits the flow until this data is delivered.
void Connection::rate_check_app_limited() {
  if (unsent() < mss_ && rtxq_.in_flight() < cc_.cwnd && rtxq_.lost_out <= rtxq_.retrans_out) {
    app_limited_ = std::max<uint32_t>(delivered_ + rtxq_.in_flight(), 1);
  }
}

}  // namespace ustcp::tcp
