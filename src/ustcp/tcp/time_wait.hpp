// TIME_WAIT as a compact record, not a connection (ARCHITECTURE.md: aim at 64 bytes).
// Linux keeps a tcp_timewait_sock likewise; the behaviour here follows
// tcp_timewait_state_process. When it expires is the Stack's TimeWaitTable's business.
#pragma once

#include <cstdint>

#include "ustcp/base/time.hpp"
#include "ustcp/tcp/context.hpp"

namespace ustcp::tcp {

struct TimeWaitRecord {
  FourTuple tuple;
  SeqNum snd_nxt;
  SeqNum rcv_nxt;
  uint32_t ts_recent = 0;
  uint32_t ts_offset = 0;
  uint32_t rcv_wnd = 0;
  // When ts_recent was taken, in whole seconds of the Stack's clock, for PAWS's 24-day
  // limit. 32 bits, as Linux's tw_ts_recent_stamp: compared by unsigned difference.
  uint32_t ts_recent_stamp_s = 0;
  // When TIME_WAIT began, in milliseconds of the Stack's clock (tcp_tw_reuse_delay counts
  // from it). 32 bits, as Linux's tw_entry_stamp (tcp_clock_ms): compared as time_after32.
  uint32_t entered_ms = 0;
  uint8_t rcv_wscale = 0;
  bool ts_ok = false;
  bool port_reuse = false;  // how the port was held (SO_REUSEADDR), released on expiry
};

// `t` in whole seconds and milliseconds, cut to 32 bits as the record keeps them.
inline uint32_t stamp_seconds(TimePoint t) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}
inline uint32_t stamp_ms(TimePoint t) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

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
