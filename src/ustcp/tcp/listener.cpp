#include "ustcp/tcp/listener.hpp"

#include <algorithm>
#include <bit>

namespace ustcp::tcp {

using namespace wire::tcp_flags;

uint8_t defer_accept_retrans(int seconds) {
  if (seconds <= 0) return 0;
  int timeout = 1, period = 1;
  uint8_t n = 1;
  while (seconds > period && n < 255) {
    ++n;
    timeout = std::min(timeout * 2, 120);
    period += timeout;
  }
  return n;
}

int defer_accept_secs(uint8_t retrans) {
  if (retrans == 0) return 0;
  int timeout = 1, period = 1;
  while (--retrans) {
    timeout = std::min(timeout * 2, 120);
    period += timeout;
  }
  return period;
}

uint8_t Listener::rcv_wscale_for(const Config& cfg, const SocketOptions& opts) {
  uint32_t space =
      opts.rcvbuf ? opts.rcvbuf / 2 : static_cast<uint32_t>(std::max(cfg.tcp_rmem[2], 212992));
  int shift = std::bit_width(space) - 1 - 15;
  return static_cast<uint8_t>(std::clamp(shift, 0, int{kMaxWscale}));
}

void Listener::init_request(const Config& cfg, const SocketOptions& opts, const FourTuple& t,
                            const wire::TcpView& syn, SeqNum iss, uint32_t ts_offset,
                            OpenRequest& req) {
  const wire::TcpOptions& o = syn.options();
  req.tuple = t;
  req.iss = iss;
  req.irs = syn.seq();
  req.peer_mss = o.mss.value_or(0);
  req.sack_ok = cfg.tcp_sack && o.sack_permitted;
  req.ts_ok = cfg.tcp_timestamps && o.timestamp.has_value();
  req.ts_recent = req.ts_ok ? o.timestamp->val : 0;
  req.ts_offset = ts_offset;
  req.wscale_ok = cfg.tcp_window_scaling && o.wscale.has_value();
  uint32_t rcvbuf = opts.rcvbuf ? opts.rcvbuf : static_cast<uint32_t>(cfg.tcp_rmem[1]);
  if (req.wscale_ok) {
    req.snd_wscale = std::min<uint8_t>(*o.wscale, kMaxWscale);
    req.rcv_wscale = rcv_wscale_for(cfg, opts);
  }
  uint32_t adv_mss = cfg.mtu - 40;
  if (opts.user_mss) adv_mss = std::min<uint32_t>(adv_mss, opts.user_mss);
  uint32_t space = rcvbuf / 2;
  // tcp_openreq_init_rwin: whole segments of the MSS less the timestamp option when the
  // peer offered timestamps (65160 = 45 * 1448 on Linux; 64240 = 44 * 1460 without).
  const uint32_t seg_mss = req.ts_ok ? adv_mss - 12 : adv_mss;
  req.rcv_wnd = std::min<uint32_t>(space - space % seg_mss, 65535);
}

uint16_t Listener::cookie_mss(const SocketOptions& opts, const wire::TcpView& syn) {
  const std::optional<uint16_t> peer = syn.options().mss;
  if (!peer) return kMssDefault;
  return opts.user_mss && opts.user_mss < *peer ? opts.user_mss : *peer;
}

void Listener::send_synack(Context& ctx, const SocketOptions& opts, const OpenRequest& req) {
  wire::TcpRepr seg;
  seg.src_port = req.tuple.local.port;
  seg.dst_port = req.tuple.remote.port;
  seg.seq = req.iss;
  seg.ack = req.irs + 1;
  seg.flags = SYN | ACK;
  seg.window = static_cast<uint16_t>(std::min<uint32_t>(req.rcv_wnd, 65535));
  uint32_t adv_mss = ctx.cfg.mtu - 40;
  if (opts.user_mss) adv_mss = std::min<uint32_t>(adv_mss, opts.user_mss);
  seg.options.mss = static_cast<uint16_t>(adv_mss);
  seg.options.sack_permitted = req.sack_ok;
  if (req.wscale_ok) seg.options.wscale = req.rcv_wscale;
  if (req.ts_ok) {
    uint32_t ts_now = ts_clock(ctx.now);
    // A cookie SYN-ACK keeps the peer's window scale and SACK in its TS value.
    if (req.cookie) {
      ts_now = SynCookies::encode_ts(
          ts_now, req.wscale_ok ? std::optional<uint8_t>(req.snd_wscale) : std::nullopt,
          req.sack_ok);
    }
    seg.options.timestamp = wire::TcpTimestamp{ts_now + req.ts_offset, req.ts_recent};
  }
  ctx.out.send(req.tuple, seg, {});
  ++ctx.mib.OutSegs;
}

}  // namespace ustcp::tcp
