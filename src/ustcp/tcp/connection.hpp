// One TCP connection: the transmission control block and its state machine (RFC 9293
// 3.3), sans-IO. The stack feeds it segments, timer expiries and application calls, each
// with `now`; it answers with segments through Context::out and with state the stack reads
// back (state(), readable(), error()...).
//
// The code is split by concern: connection.cpp (construction, output of one segment,
// state changes), handshake.cpp (SYN_SENT, SYN_RECV, option negotiation), input.cpp
// (segment arrival in synchronized states), output.cpp (sending data: windows, Nagle,
// retransmission), timers.cpp (RTO, delayed ACK, keepalive, FIN_WAIT_2, TIME_WAIT),
// close.cpp (shutdown, close, abort).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/base/timer_wheel.hpp"
#include "ustcp/tcp/byte_ring.hpp"
#include "ustcp/tcp/congestion.hpp"
#include "ustcp/tcp/context.hpp"
#include "ustcp/tcp/recv_queue.hpp"
#include "ustcp/tcp/rtt_estimator.hpp"
#include "ustcp/tcp/seq_marks.hpp"
#include "ustcp/tcp/socket_options.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/tcp/tcp_info.hpp"

namespace ustcp::tcp {

// Why a connection stopped working, as the application will learn it (mapped to errno in
// the socket layer: Refused -> ECONNREFUSED, Reset -> ECONNRESET, ...).
enum class ConnError : uint8_t { None, Refused, Reset, TimedOut, BrokenPipe };

// What a listener learned from a SYN and its request: enough to build the connection
// when the handshake's final ACK arrives (Linux tcp_create_openreq_child).
struct OpenRequest {
  FourTuple tuple;
  SeqNum iss;
  SeqNum irs;
  uint16_t peer_mss = 0;   // 0: no MSS option
  uint8_t snd_wscale = 0;  // peer's shift
  uint8_t rcv_wscale = 0;  // ours
  bool wscale_ok = false;
  bool sack_ok = false;
  bool ts_ok = false;
  uint32_t ts_recent = 0;
  uint32_t ts_offset = 0;
  uint32_t rcv_wnd = 0;            // the window our SYN-ACK offered
  bool cookie = false;             // answered with a SYN cookie: no state kept, options in TS
  TimePoint synack_sent = kNever;  // for the first RTT sample; kNever once retransmitted
};

class Connection {
 public:
  Connection(const FourTuple& tuple, const SocketOptions& opts);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // ---- opening ----
  // Active open (RFC 9293 3.10.1): sends the SYN, enters SYN_SENT.
  void connect(Context& ctx, SeqNum iss, uint32_t ts_offset);
  // Passive open: a listener's request whose final ACK has arrived. Enters SYN_RECV; the
  // caller then hands the ACK to on_segment(), which moves to ESTABLISHED.
  void open_from_request(Context& ctx, const OpenRequest& req);

  // ---- application calls ----
  // Queues data; returns the bytes taken (0: the send buffer is full).
  size_t send(Context& ctx, Bytes data);
  // Reads in-order data; returns the bytes copied. May send a window update.
  size_t recv(Context& ctx, MutBytes out, bool peek = false);
  // shutdown(SHUT_WR): a FIN after the queued data.
  void shutdown_write(Context& ctx);
  // close(): RST when unread data is queued (RFC 2525) or SO_LINGER {1, 0}; else FIN. The
  // connection becomes an orphan, owned by the stack until it reaches CLOSE.
  void close(Context& ctx);
  // close() in two steps, for SO_LINGER {1, N > 0}: the RST or FIN now, the orphan after
  // the wait (tcp_close around sk_stream_wait_close), which lasts while our FIN is
  // unacknowledged (lingering()) or N seconds at most.
  void close_begin(Context& ctx);
  void close_end(Context& ctx);
  bool lingering() const {
    return state_ == State::FinWait1 || state_ == State::Closing || state_ == State::LastAck;
  }
  // Sends a RST (in the states that have one to send) and enters CLOSE.
  void abort(Context& ctx);
  void set_nodelay(Context& ctx, bool on);
  void set_keepalive(Context& ctx, bool on);
  // TCP_KEEPIDLE changed: re-arm counting the idle time already spent.
  void keepidle_changed(Context& ctx);
  SocketOptions& options() { return opts_; }
  const SocketOptions& options() const { return opts_; }

  // ---- network side ----
  void on_segment(Context& ctx, const wire::TcpView& seg);
  void on_timer(Context& ctx);
  TimePoint next_deadline() const;

  // ---- what the application and the stack can see ----
  const FourTuple& tuple() const { return tuple_; }
  State state() const { return state_; }
  bool orphan() const { return orphan_; }
  size_t readable() const { return rcvq_.readable(); }
  // True once the peer's FIN has been received and all data before it read.
  bool read_eof() const { return fin_rcvd_ && rcvq_.readable() == 0; }
  // Bytes send() would accept now.
  size_t send_space() const;
  // Bytes queued for sending or waiting for acknowledgement (ss's Send-Q).
  size_t send_queued() const { return sndq_.size(); }
  bool write_shutdown() const { return fin_queued_; }
  // The pending error, as SO_ERROR would report and clear it.
  ConnError error() const { return error_; }
  ConnError take_error() {
    ConnError e = error_;
    error_ = ConnError::None;
    return e;
  }
  // What killed the connection (kept after take_error(), for reads after a reset).
  ConnError close_reason() const { return close_reason_; }
  uint32_t mss() const { return mss_; }
  SeqNum iss() const { return iss_; }
  SeqNum snd_una() const { return snd_una_; }
  SeqNum snd_nxt() const { return snd_nxt_; }
  SeqNum rcv_nxt() const { return rcv_nxt_; }
  uint32_t snd_wnd() const { return snd_wnd_; }
  uint32_t rcv_wnd() const { return rcv_wnd_; }
  uint32_t cwnd() const { return cc_.cwnd; }
  uint32_t ssthresh() const { return cc_.ssthresh; }
  uint8_t snd_wscale() const { return snd_wscale_; }
  uint8_t rcv_wscale() const { return rcv_wscale_; }
  bool ts_ok() const { return ts_ok_; }
  bool sack_ok() const { return sack_ok_; }
  const RttEstimator& rtt() const { return rtt_; }
  Duration rto() const;
  uint32_t retransmits() const { return retransmits_; }
  uint64_t total_retrans() const { return total_retrans_; }
  // Bytes the send queue may hold (poll's writability: free >= queued / 2).
  size_t send_limit() const { return sndq_.limit(); }
  // Bytes the receive queue may hold (SO_RCVBUF as ss -m shows it: skmem rb).
  size_t recv_limit() const { return rcvq_.limit(); }
  // The stack took over TIME_WAIT as a compact record: this connection is over.
  void end_time_wait() {
    state_ = State::Close;
    sk_at_ = kNever;
  }
  TimePoint time_wait_deadline() const { return sk_at_; }
  // The pending timers as inet_diag reports them (ss -o): the retransmission timer (RTO,
  // SYN/FIN retransmission, or the zero-window probe while probing()), the sk timer
  // (keepalive, FIN_WAIT_2), and the unanswered probes. kNever: not armed.
  TimePoint rtx_deadline() const { return rtx_at_; }
  bool probing() const { return probing_; }
  TimePoint sk_deadline() const { return sk_at_; }
  uint8_t probes_out() const { return probes_out_; }
  TimePoint ts_recent_stamp() const { return ts_recent_stamp_; }
  // TIME_WAIT's view of the connection (the stack may move it to a compact record).
  uint32_t ts_recent() const { return ts_recent_; }
  uint32_t ts_offset() const { return ts_offset_; }
  // getsockopt(TCP_INFO) (tcp_info.cpp).
  TcpInfo info(TimePoint now) const;

  // The stack's handle on this connection's one timer (deadline = next_deadline()).
  TimerNode timer;

 private:
  // connection.cpp
  void set_state(Context& ctx, State s);
  void emit(Context& ctx, SeqNum seq, uint8_t flags, uint32_t data_off, uint32_t len);
  void send_ack(Context& ctx);
  void send_reset(Context& ctx);
  void send_challenge_ack(Context& ctx);
  bool oow_rate_limited(Context& ctx, const wire::TcpView& seg);
  void done(Context& ctx);           // tcp_done: CLOSE, timers off, queues freed
  void reset_by_peer(Context& ctx);  // tcp_reset
  uint32_t ts_now(TimePoint now) const;
  uint16_t window_field(bool syn) const;
  uint32_t select_window();
  uint32_t window_now() const;  // what select_window() would offer, no side effects
  void init_buffers(const Config& cfg);
  void init_mss(const Config& cfg, uint16_t peer_mss);

  // handshake.cpp
  void on_segment_syn_sent(Context& ctx, const wire::TcpView& seg);
  void send_syn(Context& ctx);
  void establish(Context& ctx);

  // input.cpp
  void on_segment_synchronized(Context& ctx, const wire::TcpView& seg);
  bool paws_reject(Context& ctx, const wire::TcpView& seg) const;
  bool sequence_acceptable(SeqNum seq, SeqNum end) const;
  bool process_ack(Context& ctx, const wire::TcpView& seg);
  void process_data(Context& ctx, const wire::TcpView& seg);
  void process_fin(Context& ctx);
  void ack_snd_check(Context& ctx);
  void on_data_received(Context& ctx, uint32_t len);
  void incr_quickack(uint32_t max);
  void enter_quickack_mode();

  // output.cpp
  void push(Context& ctx);  // tcp_push: sends what windows and Nagle allow
  void retransmit_head(Context& ctx);
  void arm_rto(Context& ctx);
  void send_probe(Context& ctx);  // zero-window or keepalive probe: seq = snd_una - 1
  uint32_t flight() const { return snd_nxt_.since(snd_una_).raw(); }
  uint32_t unsent() const;
  SeqNum data_end() const;  // sequence just past the last queued byte

  // timers.cpp
  void on_rto(Context& ctx);
  void on_delack(Context& ctx);
  void on_keepalive(Context& ctx);
  bool write_timed_out(Context& ctx);
  void enter_time_wait(Context& ctx, Duration len);
  void arm_keepalive(Context& ctx);
  void write_error(Context& ctx, ConnError e);

  FourTuple tuple_;
  State state_ = State::Close;
  ConnError error_ = ConnError::None;
  ConnError close_reason_ = ConnError::None;

  bool orphan_ = false;
  bool fin_queued_ = false;  // the application shut down writing: FIN after the data
  bool fin_rcvd_ = false;
  bool ts_ok_ = false;
  bool sack_ok_ = false;
  bool wscale_ok_ = false;
  bool ack_pending_ = false;  // a (delayed) ACK is owed
  bool in_recovery_ = false;  // NewReno fast recovery (RFC 6582)
  bool pingpong_ = false;
  bool data_seen_ = false;  // first data received (starts quick-ack mode)
  bool fin_ooo_ = false;    // a FIN arrived beyond a hole; fin_ooo_seq_ is where it sits     //
                            // interactive mode: delay ACKs (inet_csk_enter_pingpong_mode)
  uint8_t quickacks_ = 0;   // ACKs still to send at once (tcp_incr_quickack)
  uint8_t dupacks_ = 0;
  uint8_t snd_wscale_ = 0;
  uint8_t rcv_wscale_ = 0;
  uint8_t probes_out_ = 0;          // unanswered keepalive / zero-window probes
  uint8_t retransmits_ = 0;         // consecutive RTO expiries (icsk_retransmits)
  uint8_t backoff_ = 0;             // exponent of the RTO backoff (icsk_backoff)
  uint16_t total_rto_ = 0;          // RTO events of the whole connection (tp->total_rto)
  uint16_t mss_ = kMssDefault;      // payload bytes per segment we send (mss_cache)
  uint16_t adv_mss_ = 0;            // the MSS we announced
  uint16_t rcv_mss_ = kMssDefault;  // estimate of the peer's segment size (icsk_ack.rcv_mss)

  SeqNum iss_, irs_;
  SeqNum snd_una_, snd_nxt_, snd_max_;  // snd_max: highest sequence sent (+1)
  SeqNum snd_wl1_, snd_wl2_;
  SeqNum snd_sml_;  // end of the last small segment sent (Nagle, Minshall)
  SeqNum recover_;  // NewReno: snd_max when recovery began
  SeqNum rtt_seq_;  // the segment being timed (Karn: never a retransmitted one)
  SeqNum buf_seq_;  // sequence of the first byte in sndq_
  SeqNum rcv_nxt_, rcv_wup_;
  SeqNum fin_ooo_seq_;  // rcv_wup: rcv_nxt when the window was last announced
  uint32_t snd_wnd_ = 0;
  uint32_t max_window_ = 0;  // largest window the peer offered (RFC 5961 5.2)
  uint32_t rcv_wnd_ = 0;     // window announced at rcv_wup
  uint32_t ts_recent_ = 0;
  uint32_t ts_offset_ = 0;
  uint64_t total_retrans_ = 0;
  TimePoint ts_recent_stamp_{};
  TimePoint rtt_time_ = kNever;       // when rtt_seq_ was sent (kNever: nothing timed)
  TimePoint retrans_stamp_ = kNever;  // first (re)transmission of the oldest unacked segment
  TimePoint last_rcv_{};              // last segment received (keepalive idle time)
  TimePoint last_data_rcv_{};         // last in-order data received (icsk_ack.lrcvtime)
  TimePoint last_oow_ack_{};  // rate limit of challenge and dup ACKs (tcp_invalid_ratelimit)
  bool oow_ack_sent_ = false;

  // Timers. rtx_: RTO, SYN/FIN retransmission, zero-window probe. sk_: keepalive,
  // FIN_WAIT_2 and TIME_WAIT (Linux's sk_timer / tw timer). kNever = not armed.
  TimePoint rtx_at_ = kNever;
  TimePoint delack_at_ = kNever;
  TimePoint sk_at_ = kNever;
  bool probing_ = false;  // rtx_ is the zero-window probe timer (ICSK_TIME_PROBE0)

  RttEstimator rtt_;
  CongestionState cc_;
  const CongestionControl* ca_ = &reno();
  ByteRing sndq_;
  RecvQueue rcvq_;
  SocketOptions opts_;
  // Where each write ended, until acknowledged: a segment ending there carries PSH, also
  // when retransmitted (Linux marks the last skb of each sendmsg, tcp_mark_push, and a
  // retransmission keeps the skb's flags).
  SeqMarks push_ends_;
  // Where each new segment ended, until acknowledged: an ACK adds the segments it covers to
  // TCPDelivered, as Linux's tp->delivered counts packets (tcp_newly_delivered), not ACKs.
  SeqMarks seg_ends_;
  // RFC 2883 D-SACK: the duplicate range to report as the first SACK block of the next
  // ACK (Linux tcp_dsack_set), when dsack_pending_.
  bool dsack_pending_ = false;
  SeqNum dsack_left_, dsack_right_;
  void set_dsack(Context& ctx, SeqNum left, SeqNum right);
};

}  // namespace ustcp::tcp
