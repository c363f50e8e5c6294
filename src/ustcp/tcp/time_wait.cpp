#include "ustcp/tcp/time_wait.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

void time_wait_ack(Context& ctx, const TimeWaitRecord& tw) {
  wire::TcpRepr seg;
  seg.src_port = tw.tuple.local.port;
  seg.dst_port = tw.tuple.remote.port;
  seg.seq = tw.snd_nxt;
  seg.ack = tw.rcv_nxt;
  seg.flags = ACK;
  seg.window = static_cast<uint16_t>(std::min<uint32_t>(tw.rcv_wnd >> tw.rcv_wscale, 65535));
  if (tw.ts_ok) {
    seg.options.timestamp = wire::TcpTimestamp{ts_clock(ctx.now) + tw.ts_offset, tw.ts_recent};
  }
  ctx.out.send(tw.tuple, seg, {});
  ++ctx.mib.OutSegs;
}

TimeWaitAction time_wait_segment(Context& ctx, TimeWaitRecord& tw, const wire::TcpView& seg,
                                 bool& restart, SeqNum& isn) {
  restart = false;
  const SeqNum seq = seg.seq();
  const auto& ts = seg.options().timestamp;
  const uint32_t now_s = stamp_seconds(ctx.now);
  // RFC 7323 5.3 PAWS, as for established connections.
  bool paws_reject = tw.ts_ok && ts && static_cast<int32_t>(tw.ts_recent - ts->val) > 1 &&
                     now_s - tw.ts_recent_stamp_s < uint32_t{24 * 24 * 3600};

  // In-window segment: only a RST or a bare ACK can be exactly at rcv_nxt.
  if (!paws_reject && seq == tw.rcv_nxt && (seg.seg_len().raw() == 0 || seg.has(RST))) {
    if (seg.has(RST)) {
      // RFC 1337 hazard 1: Linux kills the record unless tcp_rfc1337 is set.
      if (ctx.cfg.tcp_rfc1337 == 0) return TimeWaitAction::Kill;
      return TimeWaitAction::Keep;
    }
    restart = true;
    if (ts && static_cast<int32_t>(ts->val - tw.ts_recent) >= 0) {
      tw.ts_recent = ts->val;
      tw.ts_recent_stamp_s = now_s;
    }
    return TimeWaitAction::Keep;
  }

  // A new SYN with a higher sequence number or a newer timestamp (RFC 6191, RFC 1122
  // 4.2.2.13) may reopen the 4-tuple.
  if (seg.has(SYN) && !seg.has(RST) && !seg.has(ACK) && !paws_reject &&
      (seq.after(tw.rcv_nxt) ||
       (tw.ts_ok && ts && static_cast<int32_t>(tw.ts_recent - ts->val) < 0))) {
    uint32_t v = tw.snd_nxt.raw() + 65535 + 2;
    if (v == 0) v = 1;
    isn = SeqNum(v);
    return TimeWaitAction::Reopen;
  }

  if (paws_reject) ++ctx.mib.PAWSEstab;
  if (!seg.has(RST)) {
    // Out of window (a retransmitted FIN, an old duplicate): ACK it. A retransmitted FIN
    // or anything with ACK restarts the 60 s; an ACK-less old SYN does not.
    if (paws_reject || seg.has(ACK)) restart = true;
    time_wait_ack(ctx, tw);
  }
  return TimeWaitAction::Keep;
}

}  // namespace ustcp::tcp
