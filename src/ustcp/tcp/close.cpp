// Closing (RFC 9293 3.10.4, 3.6; Linux tcp_shutdown, tcp_close, tcp_disconnect).
#include "ustcp/tcp/connection.hpp"

namespace ustcp::tcp {

using namespace wire::tcp_flags;

namespace {
// tcp_need_reset: the states in which an abort tells the peer with a RST.
bool need_reset(State s) {
  return s == State::Established || s == State::CloseWait || s == State::FinWait1 ||
         s == State::FinWait2 || s == State::SynRecv;
}
}  // namespace

// shutdown(SHUT_WR) (tcp_close_state + tcp_send_fin): queue a FIN after the data.
void Connection::shutdown_write(Context& ctx) {
  switch (state_) {
    case State::Established:
      set_state(ctx, State::FinWait1);
      break;
    case State::CloseWait:
      set_state(ctx, State::LastAck);
      break;
    case State::SynRecv:
      // RFC 9293 3.10.4 and Linux (tcp_close_state): FIN_WAIT_1, the FIN sent at once
      // behind our still unacknowledged SYN.
      set_state(ctx, State::FinWait1);
      break;
    case State::SynSent:
      // Linux: a socket still connecting just closes.
      done(ctx);
      return;
    default:
      return;  // already shut down, or nothing to shut down
  }
  // A FIN with nothing unsent to ride on is a segment of its own in the write queue.
  if (!has_send_head()) chrono_.start(ctx.now, ChronoType::Busy);
  fin_queued_ = true;
  push(ctx);
}

void Connection::close(Context& ctx) {
  close_begin(ctx);
  close_end(ctx);
}

void Connection::close_begin(Context& ctx) {
  if (state_ == State::Close) return;
  if (rcvq_.readable() > 0) {
    // RFC 2525 2.17 / tcp_close: data the application never read is lost; say so to the
    // peer with a RST instead of a FIN.
    ++ctx.mib.TCPAbortOnClose;
    send_reset(ctx);
    rcvq_.clear();
    done(ctx);
    return;
  }
  if (opts_.linger && opts_.linger_secs == 0) {
    // SO_LINGER {1, 0}: abortive close (tcp_disconnect).
    ++ctx.mib.TCPAbortOnLinger;
    abort(ctx);
    return;
  }
  switch (state_) {
    case State::Established:
    case State::CloseWait:
    case State::SynSent:
    case State::SynRecv:
      shutdown_write(ctx);
      break;
    default:
      break;  // FIN_WAIT_1, CLOSING, LAST_ACK: the FIN is on its way
  }
}

// sock_orphan, then tcp_close's FIN_WAIT2 case: shut down earlier (or our FIN acknowledged
// while close() lingered), closed now: the orphan waits tcp_fin_timeout for the FIN.
void Connection::close_end(Context& ctx) {
  orphan_ = true;
  if (state_ == State::FinWait2) {
    Duration fin_time = std::chrono::seconds(ctx.cfg.tcp_fin_timeout);
    fin_time = std::max(fin_time, rto() * 7 / 2);
    sk_at_ = ctx.now + fin_time;
  }
}

void Connection::abort(Context& ctx) {
  if (need_reset(state_)) send_reset(ctx);
  rcvq_.clear();
  done(ctx);
}

}  // namespace ustcp::tcp
