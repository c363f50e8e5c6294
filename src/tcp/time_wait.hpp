// TIME_WAIT as a compact record, not a connection (ARCHITECTURE.md: aim at 64 bytes plus
// the timer). Linux keeps a tcp_timewait_sock likewise; the behaviour here follows
// tcp_timewait_state_process.
#pragma once

#include <cstdint>

#include "base/timer_wheel.hpp"
#include "tcp/context.hpp"

namespace ustcp::tcp {

struct TimeWaitRecord {
  FourTuple tuple;
  SeqNum snd_nxt;
  SeqNum rcv_nxt;
  uint32_t ts_recent = 0;
  uint32_t ts_offset = 0;
  uint32_t rcv_wnd = 0;
  int64_t ts_recent_stamp_s = 0;  // seconds, for the 24-day PAWS limit
  TimePoint entered{};            // when TIME_WAIT began (tcp_tw_reuse_delay counts from it)
  uint8_t rcv_wscale = 0;
  bool ts_ok = false;
  bool port_reuse = false;  // how the port was held (SO_REUSEADDR), released on expiry
  TimerNode timer;
};

enum class TimeWaitAction : uint8_t {
  Keep,    // nothing to do (timer may have been restarted)
  Kill,    // an acceptable RST: forget the record (tcp_rfc1337 = 0)
  Reopen,  // a new SYN may start a new connection on this 4-tuple (TCP_TW_SYN)
};

// Handles one segment arriving for a TIME_WAIT record. May send an ACK through ctx.out.
// `restart` is set when the 60 s must start again. For Reopen, *isn is the ISN the new
// connection must use (old snd_nxt + 65537, as Linux picks it).
TimeWaitAction time_wait_segment(Context& ctx, TimeWaitRecord& tw, const wire::TcpView& seg,
                                 bool& restart, SeqNum& isn);

// The ACK a TIME_WAIT record sends (tcp_v4_timewait_ack).
void time_wait_ack(Context& ctx, const TimeWaitRecord& tw);

}  // namespace ustcp::tcp
