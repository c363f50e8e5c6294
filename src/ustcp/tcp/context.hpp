// What every engine entry point receives: the time, the stack's configuration and
// counters, and where to put segments to send. The engine never does I/O: `out` frames the
// segment into a datagram in the stack's outbox.
#pragma once

#include <vector>

#include "ustcp/base/time.hpp"
#include "ustcp/tcp/challenge_ack.hpp"
#include "ustcp/tcp/config.hpp"
#include "ustcp/tcp/counters.hpp"
#include "ustcp/tcp/four_tuple.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::tcp {

class SegmentSink {
 public:
  virtual ~SegmentSink() = default;
  // Emits one segment from t.local to t.remote. The payload is seg.payload followed by
  // `tail` (send data may wrap around the send ring).
  virtual void send(const FourTuple& t, const wire::TcpRepr& seg, Bytes tail) = 0;
};

// A state transition, for tools that show what connections do (ustcp demo, lab).
struct StateChange {
  TimePoint at;
  FourTuple tuple;
  State from;
  State to;
};

struct Context {
  TimePoint now;
  const Config& cfg;
  Counters& mib;
  SegmentSink& out;
  std::vector<StateChange>* log = nullptr;  // transitions are appended here when set
  // The host's tcp_challenge_ack_limit budget; none: no host-wide limit.
  ChallengeAckLimit* challenge_acks = nullptr;
};

// The TCP timestamp clock (RFC 7323 5.4): Linux ticks it in milliseconds
// (tcp_time_stamp_ts); each connection adds its per-address-pair offset.
inline uint32_t ts_clock(TimePoint now) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

// The segment that answers one arriving where nothing listens, or that a connection must
// refuse (RFC 9293 3.10.7.1; Linux tcp_v4_send_reset): with ACK set, <SEQ=SEG.ACK><CTL=RST>;
// else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never answers a RST.
bool make_reset(const wire::TcpView& seg, wire::TcpRepr& rst);
// Sends that RST from t.local to t.remote (tcp_v4_send_reset), counted in OutSegs/OutRsts.
void reset_segment(Context& ctx, const FourTuple& t, const wire::TcpView& seg);

}  // namespace ustcp::tcp
