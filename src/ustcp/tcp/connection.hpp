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

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "ustcp/base/jiffies.hpp"
#include "ustcp/base/seq.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/base/timer_wheel.hpp"
#include "ustcp/tcp/byte_ring.hpp"
#include "ustcp/tcp/chrono.hpp"
#include "ustcp/tcp/congestion.hpp"
#include "ustcp/tcp/context.hpp"
#include "ustcp/tcp/push_policy.hpp"
#include "ustcp/tcp/recv_queue.hpp"
#include "ustcp/tcp/rtt_estimator.hpp"
#include "ustcp/tcp/rtx_queue.hpp"
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
  // Queues data; returns the bytes taken (0: the send buffer is full). eor (MSG_EOR): once
  // all of it is taken, it ends a record that later data is never merged with.
  size_t send(Context& ctx, Bytes data, bool eor = false);
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
  // TCP_QUICKACK: 0 enters interactive (pingpong) mode, 1 leaves it and sends an ACK that is
  // owed if the application has read everything (__tcp_sock_set_quickack).
  void set_quickack(Context& ctx, bool on);
  bool quickack() const { return !pingpong_; }
  void set_keepalive(Context& ctx, bool on);
  // TCP_KEEPIDLE changed: re-arm counting the idle time already spent.
  void keepidle_changed(Context& ctx);
  // SO_SNDBUF / SO_RCVBUF set after the connection exists: the queues take the new limits
  // at once (sock_setsockopt sets sk_sndbuf / sk_rcvbuf whatever the state).
  void buffer_options_changed();
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
  // Bytes queued for sending or waiting for acknowledgement (ss's Send-Q).
  size_t send_queued() const { return sndq_.size(); }
  // sk_wmem_queued: what the queued data charges the send buffer, its skbs' truesize
  // (wmem.hpp; ss -m's w).
  uint64_t wmem_queued() const;
  // sk_stream_is_writeable: the free space is at least half of what is charged (poll's
  // EPOLLOUT, and what clears SOCK_NOSPACE).
  bool writeable() const;
  // tcp_poll's test: writeable(), and if not, SOCK_NOSPACE, so that the ACK that frees room
  // wakes the poller and may grow the buffer (check_space), as a failed write would.
  bool poll_writeable() {
    if (writeable()) return true;
    nospace_ = true;
    return false;
  }
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
  // The congestion window and slow-start threshold in packets (tcpi_snd_cwnd,
  // tcpi_snd_ssthresh).
  uint32_t cwnd() const { return cc_.cwnd; }
  uint32_t ssthresh() const { return cc_.ssthresh; }
  CaState ca_state() const { return ca_state_; }
  const CongestionControl& congestion_control() const { return *ca_; }
  // TCP_CONGESTION: switch the algorithm (tcp_set_congestion_control); its state restarts.
  void set_congestion_control(Context& ctx, const CongestionControl& ca);
  // Bytes the receive queue may hold (SO_RCVBUF / 2 as Linux keeps half for overhead);
  // grows with receive-buffer autotuning.
  uint32_t rcv_space_limit() const { return rcvq_.limit(); }
  uint8_t snd_wscale() const { return snd_wscale_; }
  uint8_t rcv_wscale() const { return rcv_wscale_; }
  bool ts_ok() const { return ts_ok_; }
  bool sack_ok() const { return sack_ok_; }
  const RttEstimator& rtt() const { return rtt_; }
  Duration rto() const;
  uint32_t retransmits() const { return retransmits_; }
  uint64_t total_retrans() const { return total_retrans_; }
  // sk_sndbuf: what the send queue may charge, in wmem_queued()'s units (SO_SNDBUF as
  // getsockopt reports it, ss -m's tb).
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
  bool probing() const { return xmit_timer_ == XmitTimer::Probe0; }
  TimePoint sk_deadline() const { return sk_at_; }
  uint8_t probes_out() const { return probes_out_; }
  // When ts_recent was taken, in whole seconds (the TIME_WAIT record keeps it so).
  TimePoint ts_recent_stamp() const { return TimePoint(std::chrono::seconds(ts_recent_stamp_s_)); }
  // TIME_WAIT's view of the connection (the stack may move it to a compact record).
  uint32_t ts_recent() const { return ts_recent_; }
  uint32_t ts_offset() const { return ts_offset_; }
  // The application's recv() returned end-of-file (Linux's Recv-Q counts the FIN until then).
  bool eof_read() const { return eof_read_; }
  void note_eof_read() { eof_read_ = true; }
  // getsockopt(TCP_INFO) (tcp_info.cpp).
  TcpInfo info(TimePoint now) const;

  // The stack's handle on this connection's one timer (deadline = next_deadline()).
  TimerNode timer;

 private:
  // ACK flags (Linux's FLAG_* of tcp_input.c): what one ACK did, for the recovery logic.
  enum AckFlag : uint32_t {
    kFlagData = 0x01,              // the segment carried data
    kFlagWinUpdate = 0x02,         // it updated the send window
    kFlagDataAcked = 0x04,         // it acknowledged new data
    kFlagRetransDataAcked = 0x08,  // ... some of which had been retransmitted
    kFlagSynAcked = 0x10,          // it acknowledged our SYN
    kFlagDataSacked = 0x20,        // it SACKed new data
    kFlagEce = 0x40,
    kFlagLostRetrans = 0x80,  // a retransmission was found lost
    kFlagSlowPath = 0x100,
    kFlagOrigSackAcked = 0x200,  // never-retransmitted data was (S)ACKed
    kFlagSndUnaAdvanced = 0x400,
    kFlagDsackingAck = 0x800,    // it carried a D-SACK
    kFlagDsackTlp = 0x1000,      // ... for the tail loss probe
    kFlagSackReneging = 0x2000,  // snd_una reached data the peer had SACKed
    kFlagSetXmitTimer = 0x4000,  // re-arm the RTO / loss probe timer
    kFlagAckMaybeDelayed = 0x8000,
    kFlagAcked = kFlagDataAcked | kFlagSynAcked,
    kFlagNotDup = kFlagData | kFlagWinUpdate | kFlagAcked,
    kFlagCaAlert = kFlagDataSacked | kFlagEce | kFlagDsackingAck,
    kFlagForwardProgress = kFlagAcked | kFlagDataSacked,
  };
  // What tcp_fastretrans_alert asks the sender to do after the ACK (REXMIT_*).
  enum class Rexmit : uint8_t { None, Lost, New };
  // Which deadline rtx_at_ holds (icsk_pending).
  enum class XmitTimer : uint8_t { None, Retrans, Probe0, LossProbe, ReoTimeout };

  // One ACK's SACK processing (struct tcp_sacktag_state) and rate sample (rate_sample).
  struct AckState {
    int flag = 0;
    SeqNum reord;                    // lowest sequence (S)ACKed out of order
    TimePoint first_sackt = kNever;  // earliest / latest send time of never-retransmitted
    TimePoint last_sackt = kNever;   // data SACKed by this ACK
    uint32_t sack_delivered = 0;
    // rate sample
    uint32_t prior_delivered = 0;
    bool prior_set = false;
    TimePoint prior_time{};
    TimePoint first_tx{};
    bool is_app_limited = false;
    bool is_retrans = false;
    int64_t rtt_us = -1;
    int64_t interval_us = 0;    // send interval of the flight the sample covers
    bool stale_echo = false;    // the TS echo predates a retransmission this ACK covers
    int64_t dsack_rtt_us = -1;  // round trip of the retransmission a D-SACK reports
  };

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
  // Whether a timestamp echo names a TSval we sent before t (compared modulo 2^32).
  bool echo_before(uint32_t ecr, TimePoint t) const {
    return static_cast<int32_t>(ecr - ts_now(t)) < 0;
  }
  // An echo from before the last retransmission timeout (of data or of the SYN) times no
  // round trip: it counts the timeouts (ack_update_rtt, the SYN-ACK in handshake.cpp).
  bool echo_predates_last_rto(uint32_t ecr) const {
    return last_rto_at_ != TimePoint{} && echo_before(ecr, last_rto_at_);
  }
  // The send queues emptied (tcp_done, tcp_time_wait): unsent data, records, skb counts.
  void drop_send_queues();
  uint16_t window_field(bool syn) const;
  uint32_t select_window();
  uint32_t window_now() const;  // what select_window() would offer, no side effects
  void init_buffers(const Config& cfg);
  void init_mss(const Config& cfg, uint16_t peer_mss);
  CaContext ca_ctx(Context& ctx);

  // handshake.cpp
  void on_segment_syn_sent(Context& ctx, const wire::TcpView& seg);
  void send_syn(Context& ctx);
  void establish(Context& ctx);

  // input.cpp
  void on_segment_synchronized(Context& ctx, const wire::TcpView& seg);
  bool paws_reject(Context& ctx, const wire::TcpView& seg) const;
  void replace_ts_recent(Context& ctx, const wire::TcpView& seg);
  bool sequence_acceptable(SeqNum seq, SeqNum end) const;
  bool process_ack(Context& ctx, const wire::TcpView& seg);
  int update_window(Context& ctx, const wire::TcpView& seg);
  bool ack_fin_state(Context& ctx);
  void process_data(Context& ctx, const wire::TcpView& seg);
  void process_fin(Context& ctx);
  void ack_snd_check(Context& ctx);
  void on_data_received(Context& ctx, const wire::TcpView& seg, uint32_t len);
  void incr_quickack(uint32_t max);
  void enter_quickack_mode();

  // sack.cpp: the scoreboard (tcp_sacktag_write_queue, tcp_clean_rtx_queue)
  int sacktag(Context& ctx, const wire::TcpView& seg, SeqNum prior_snd_una, AckState& st);
  bool check_dsack(Context& ctx, const wire::TcpView& seg, SeqNum prior_snd_una, AckState& st);
  bool sack_block_valid(bool dsack, SeqNum start, SeqNum end) const;
  void sacktag_range(Context& ctx, SeqNum start, SeqNum end, bool dup, AckState& st);
  uint8_t sacktag_one(Context& ctx, AckState& st, uint64_t pos, bool dup);
  void check_sack_reordering(Context& ctx, SeqNum low_seq, bool ts);
  int clean_rtx_queue(Context& ctx, const wire::TcpView& seg, SeqNum prior_fack,
                      SeqNum prior_snd_una, AckState& st);
  bool ack_update_rtt(Context& ctx, const wire::TcpView& seg, int flag, int64_t seq_rtt_us,
                      int64_t sack_rtt_us, int64_t ca_rtt_us, AckState& st);
  SeqNum highest_sack_seq() const;

  // recovery.cpp: loss detection and recovery (tcp_fastretrans_alert and friends, RACK,
  // PRR, undo, F-RTO, TLP acknowledgement)
  void fastretrans_alert(Context& ctx, SeqNum prior_snd_una, int num_dupack, int& flag,
                         Rexmit& rexmit);
  bool time_to_recover(Context& ctx) const;
  void mark_head_lost(Context& ctx, int packets, bool mark_head);
  void enter_recovery(Context& ctx);
  void enter_loss(Context& ctx);
  void process_loss(Context& ctx, int flag, int num_dupack, Rexmit& rexmit);
  void identify_packet_loss(Context& ctx, int& flag);
  void mark_lost(Context& ctx, uint64_t pos);
  void newreno_mark_lost(Context& ctx, bool snd_una_advanced);
  void add_reno_sack(Context& ctx, int num_dupack);
  void remove_reno_sacks(Context& ctx, int acked);
  bool limit_reno_sacked();
  void check_reno_reordering(Context& ctx, int addend);
  bool rack_mark_lost(Context& ctx);
  void rack_detect_loss(Context& ctx, int64_t& reo_timeout_us);
  void rack_advance(Context& ctx, uint8_t sacked, const TxSegment& s);
  void rack_reo_timeout(Context& ctx);
  void rack_update_reo_wnd(Context& ctx, const AckState& st);
  void init_cwnd_reduction(Context& ctx);
  void cwnd_reduction(Context& ctx, int newly_acked_sacked, int newly_lost, int flag);
  void end_cwnd_reduction(Context& ctx);
  bool in_cwnd_reduction() const {
    return ca_state_ == CaState::Cwr || ca_state_ == CaState::Recovery;
  }
  void set_ca_state(Context& ctx, CaState s);
  void try_keep_open(Context& ctx);
  void try_to_open(Context& ctx, int flag);
  bool try_undo_recovery(Context& ctx);
  bool try_undo_dsack(Context& ctx);
  bool try_undo_loss(Context& ctx, bool frto_undo);
  bool try_undo_partial(Context& ctx, SeqNum prior_snd_una, bool& do_lost);
  void undo_cwnd_reduction(Context& ctx, bool unmark_loss);
  bool may_undo(Context& ctx) const;
  bool packet_delayed(Context& ctx) const;
  bool any_retrans_done() const;
  void init_undo();
  void process_tlp_ack(Context& ctx, SeqNum ack, int flag);
  void cong_control(Context& ctx, uint32_t acked_sacked, int newly_lost, int flag);
  void xmit_recovery(Context& ctx, Rexmit rexmit);

  // rate.cpp: delivery rate samples (tcp_rate.c)
  void rate_skb_sent(Context& ctx, TxSegment& s);
  void rate_skb_delivered(TxSegment& s, AckState& st);
  void rate_check_app_limited();
  void rate_gen(Context& ctx, uint32_t delivered, const AckState& st);

  // output.cpp
  // How tcp_write_xmit is called: normally; with Nagle off (F-RTO's new data, a forced
  // push); to send one unit as a tail loss probe, past the congestion window; or one unit
  // in the middle of a write (tcp_push_one).
  enum class PushMode : uint8_t { Normal, NagleOff, LossProbe, OneUnit };
  // Where a retransmitted segment sits in its unit (push_policy.hpp): alone, inside a unit
  // of several, or last in one.
  enum class RtxPart : uint8_t { Whole, Inner, Last };
  void push(Context& ctx, PushMode mode = PushMode::Normal);  // tcp_write_xmit
  uint32_t tso_segs(const Config& cfg) const;                 // largest unit, in segments
  bool retransmit_seg(Context& ctx, uint64_t pos, bool count_retrans,
                      RtxPart part = RtxPart::Whole);
  void xmit_retransmit_queue(Context& ctx);
  void retransmit_syn(Context& ctx);
  void send_probe(Context& ctx);  // zero-window or keepalive probe: seq = snd_una - 1
  bool schedule_loss_probe(Context& ctx, bool advancing_rto);
  void send_loss_probe(Context& ctx);
  void rearm_rto(Context& ctx);
  void set_xmit_timer(Context& ctx, XmitTimer kind, Duration after);
  void clear_xmit_timer(XmitTimer kind);
  void check_probe_timer(Context& ctx);
  Duration rto_delta(Context& ctx) const;
  void cwnd_validate(Context& ctx, bool cwnd_limited);
  bool is_cwnd_limited() const;
  void cwnd_restart(Context& ctx);
  void slow_start_after_idle_check(Context& ctx);
  // Send-buffer accounting (wmem.hpp): tcp_sndbuf_expand, tcp_check_space, and an skb more
  // in the retransmission queue (end_skb).
  void sndbuf_expand(Context& ctx);
  void check_space(Context& ctx);
  // A record ends its skb from now on (a unit sent, or a cut that made one skb two): one
  // more skb charged in the retransmission queue.
  void end_skb(TxSegment& s) {
    if (s.skb & skbflag::END) return;
    s.skb |= skbflag::END;
    ++rtx_skbs_;
  }
  bool queues_empty() const { return rtxq_.empty() && !has_send_head(); }
  uint32_t flight() const { return snd_nxt_.since(snd_una_).raw(); }
  uint32_t unsent() const;
  // tcp_send_head: something not yet sent (data, or the FIN behind it), and the sequence
  // just past the segment it would go out as (the FIN included when it rides on it).
  bool has_send_head() const;
  SeqNum send_head_end() const;
  Duration probe0_base() const;               // tcp_probe0_base: max(RTO, TCP_RTO_MIN)
  Duration probe0_when(TimePoint now) const;  // tcp_probe0_when: backed off, capped
  SeqNum data_end() const;                    // sequence just past the last queued byte
  SeqNum wnd_end() const { return snd_una_ + snd_wnd_; }

  // timers.cpp
  void on_xmit_timer(Context& ctx);
  void on_rto(Context& ctx);
  void on_probe0(Context& ctx);
  void abort_probe0(Context& ctx);
  void on_delack(Context& ctx);
  void send_delayed_ack(Context& ctx);
  Duration ato() const { return std::chrono::microseconds(ato_us_); }
  void set_ato(Duration d) { ato_us_ = static_cast<uint32_t>(to_micros(d)); }
  void on_keepalive(Context& ctx);
  bool write_timed_out(Context& ctx);
  void enter_time_wait(Context& ctx, Duration len);
  void arm_keepalive(Context& ctx);
  void write_error(Context& ctx, ConnError e);

  // rcv_space.cpp: receive-buffer autotuning (tcp_rcv_space_adjust, Dynamic Right-Sizing)
  void rcv_rtt_measure(Context& ctx);
  void rcv_rtt_measure_ts(Context& ctx, const wire::TcpView& seg, uint32_t len);
  void rcv_rtt_update(uint32_t sample_us, bool win_dep);
  void rcv_space_adjust(Context& ctx);

  // The members are grouped by size so that the compiler leaves no padding between them: a
  // million connections pay for every byte twice over (bench/RESULTS.md, "million").
  // tests/unit/connection_size_test.cpp holds sizeof(Connection) to its budget.
  FourTuple tuple_;
  // States in the bits their values need, then flags, one bit each.
  State state_ : 4 = State::Close;
  ConnError error_ : 3 = ConnError::None;
  ConnError close_reason_ : 3 = ConnError::None;
  CaState ca_state_ : 3 = CaState::Open;
  XmitTimer xmit_timer_ : 3 = XmitTimer::None;
  bool orphan_ : 1 = false;
  bool fin_queued_ : 1 = false;  // the application shut down writing: FIN after the data
  bool fin_rcvd_ : 1 = false;
  bool ts_ok_ : 1 = false;
  bool sack_ok_ : 1 = false;
  bool wscale_ok_ : 1 = false;
  bool ack_pending_ : 1 = false;   // a (delayed) ACK is owed
  bool pingpong_ : 1 = false;      // interactive mode: delay ACKs (inet_csk_enter_pingpong_mode)
  bool data_seen_ : 1 = false;     // first data received (starts quick-ack mode)
  bool fin_ooo_ : 1 = false;       // a FIN arrived beyond a hole; fin_ooo_seq_ is where it sits
  bool frto_ : 1 = false;          // F-RTO (RFC 5682) after this RTO
  bool tlp_retrans_ : 1 = false;   // the loss probe was a retransmission
  bool tlp_pending_ : 1 = false;   // a loss probe is unanswered (tlp_high_seq set)
  bool undo_pending_ : 1 = false;  // undo_marker set
  bool is_sack_reneg_ : 1 = false;
  bool is_cwnd_limited_ : 1 = false;
  bool has_highest_sack_ : 1 = false;
  bool rack_advanced_ : 1 = false;
  bool rack_dsack_seen_ : 1 = false;
  bool rack_set_ : 1 = false;
  bool eof_read_ : 1 = false;
  bool nospace_ : 1 = false;            // a write found the send buffer full (SOCK_NOSPACE)
  bool rate_app_limited_ : 1 = false;   // the last rate sample was app-limited
  bool oow_ack_sent_ : 1 = false;       // last_oow_ack_ is set
  bool retrans_stamp_set_ : 1 = false;  // retrans_stamp_ is set (Linux: retrans_stamp != 0)
  bool probes_stamp_set_ : 1 = false;   // probes_stamp_ is set (icsk_probes_tstamp != 0)
  // RFC 2883 D-SACK: the duplicate range to report as the first SACK block of the next
  // ACK (Linux tcp_dsack_set), dsack_left_ to dsack_right_.
  bool dsack_pending_ : 1 = false;

  uint8_t quickacks_ = 0;  // ACKs still to send at once (tcp_incr_quickack)
  uint8_t snd_wscale_ = 0;
  uint8_t rcv_wscale_ = 0;
  uint8_t probes_out_ = 0;          // unanswered keepalive / zero-window probes
  uint8_t retransmits_ = 0;         // consecutive RTO expiries (icsk_retransmits)
  uint8_t backoff_ = 0;             // exponent of the RTO backoff (icsk_backoff)
  uint8_t rack_reo_wnd_steps_ = 1;  // the reordering window in min_rtt/4 steps
  uint8_t rack_reo_wnd_persist_ = 0;
  uint16_t total_rto_ = 0;  // RTO events of the whole connection (tp->total_rto)
  uint16_t total_rto_recoveries_ = 0;
  uint16_t mss_ = kMssDefault;      // payload bytes per segment we send (mss_cache)
  uint16_t adv_mss_ = 0;            // the MSS we announced
  uint16_t rcv_mss_ = kMssDefault;  // estimate of the peer's segment size (icsk_ack.rcv_mss)

  SeqNum iss_;
  SeqNum snd_una_, snd_nxt_;
  SeqNum snd_wl1_;            // seq of the segment that last updated the window (Linux has no wl2)
  SeqNum snd_sml_;            // end of the last small segment sent (Nagle, Minshall)
  SeqNum buf_seq_;            // sequence of the first byte in sndq_
  SeqNum rcv_nxt_, rcv_wup_;  // rcv_wup: rcv_nxt when the window was last announced
  SeqNum fin_ooo_seq_;
  SeqNum high_seq_;        // snd_nxt when the current recovery or loss episode began
  SeqNum undo_marker_;     // snd_una when it began (valid while undo_pending_)
  SeqNum tlp_high_seq_;    // snd_nxt when the loss probe went out
  SeqNum highest_sack_;    // end of the highest SACKed record (the "forward ACK", fack)
  SeqNum cwnd_usage_seq_;  // tcp_cwnd_validate's round marker
  SeqNum rcv_rtt_seq_;
  SeqNum dsack_left_, dsack_right_;
  uint32_t snd_wnd_ = 0;
  uint32_t max_window_ = 0;  // largest window the peer offered (RFC 5961 5.2)
  uint32_t rcv_wnd_ = 0;     // window announced at rcv_wup
  uint32_t ts_recent_ = 0;
  uint32_t ts_offset_ = 0;
  uint32_t reordering_ = 3;  // tp->reordering: the dupthresh, in packets
  uint32_t reord_seen_ = 0;
  int32_t undo_retrans_ = -1;    // retransmissions not yet proven unnecessary by D-SACK
  uint32_t prior_ssthresh_ = 0;  // ssthresh before the reduction (0: no undo of ssthresh)
  uint32_t prr_delivered_ = 0;   // RFC 6937: packets delivered during the reduction
  uint32_t prr_out_ = 0;         // packets sent during the reduction
  uint32_t delivered_ = 0;       // tp->delivered: packets (S)ACKed over the connection
  uint32_t lost_ = 0;            // tp->lost: packets marked lost
  uint32_t app_limited_ = 0;     // delivered_ at which the app-limited period ends (0: none)
  uint32_t max_packets_out_ = 0;
  uint32_t snd_cwnd_used_ = 0;
  uint32_t dsack_dups_ = 0;
  uint32_t rack_rtt_us_ = 0;
  uint32_t rack_tx_order_ = 0;  // its send order among equal times (RtxQueue tx_order)
  uint32_t rx_tsecr_ = 0;       // TS echo of the segment being processed (0: none)
  uint32_t rack_last_delivered_ = 0;
  uint32_t rcv_rtt_us8_ = 0;  // receiver's RTT estimate << 3 (rcv_rtt_est.rtt_us)
  uint32_t rcv_rtt_last_tsecr_ = 0;
  uint32_t rcvq_space_ = 0;  // bytes the application read in the last RTT (rcvq_space.space)
  // Bytes the application has read, and their count at the start of the autotuning
  // measurement, modulo 2^32 as Linux's copied_seq and rcvq_space.seq.
  uint32_t copied_ = 0;
  uint32_t rcvq_space_copied_ = 0;
  uint32_t total_retrans_ = 0;                     // tp->total_retrans
  uint32_t segs_out_ = 0, segs_in_ = 0;            // tcpi_segs_out / tcpi_segs_in
  uint32_t data_segs_out_ = 0, data_segs_in_ = 0;  // ... of them carrying data
  // The delayed-ACK timeout estimate (icsk_ack.ato), in microseconds: 0 until data arrives,
  // then from the gaps between data segments (tcp_event_data_recv).
  uint32_t ato_us_ = 0;
  Chrono chrono_;  // busy / rwnd-limited / sndbuf-limited time (tcp_info, ss -i)

  // Moments Linux keeps in jiffies (ustcp/base/jiffies.hpp), and ts_recent_stamp in whole
  // seconds of the Stack's clock (Linux: ktime_get_seconds) for PAWS's 24 days.
  uint32_t ts_recent_stamp_s_ = 0;
  MsStamp retrans_stamp_;  // first retransmission of the episode (if retrans_stamp_set_)
  MsStamp probes_stamp_;   // first zero-window probe of the episode (if probes_stamp_set_)
  MsStamp last_rcv_;       // last segment received (rcv_tstamp: keepalive idle time)
  MsStamp last_data_rcv_;  // last in-order data received (icsk_ack.lrcvtime)
  MsStamp last_oow_ack_;   // rate limit of challenge and dup ACKs (if oow_ack_sent_)
  MsStamp lsndtime_;       // last data sent
  MsStamp cwnd_stamp_;     // snd_cwnd_stamp: last cwnd change or full use

  CongestionState cc_;
  RttEstimator rtt_;

  uint64_t bytes_acked_ = 0;
  uint64_t bytes_received_ = 0;
  uint64_t bytes_sent_ = 0;
  uint64_t bytes_retrans_ = 0;
  uint64_t delivery_rate_ = 0;  // bytes/s of the last rate sample that was not app-limited
  uint64_t rtx_hint_ = 0;       // no record before it is lost and waiting to be retransmitted
  // Moments Linux keeps in microseconds (tcp_mstamp), and the timers' deadlines.
  TimePoint rcv_rtt_time_{};
  TimePoint rcvq_space_time_{};
  TimePoint rtt_time_ = kNever;  // handshake: when the SYN (or SYN-ACK) being timed left
  TimePoint last_rto_at_{};      // the most recent retransmission timeout (data or SYN)
  TimePoint rack_mstamp_{};      // send time of the most recently (S)ACKed record
  TimePoint first_tx_time_{};    // rate: start of the current flight
  TimePoint delivered_time_{};   // rate: when delivered_ last grew
  // Timers. rtx_: the transmit timer (RTO, loss probe, RACK reordering, zero-window
  // probe, SYN retransmission; which one is xmit_timer_). sk_: keepalive, FIN_WAIT_2 and
  // TIME_WAIT (Linux's sk_timer / tw timer). kNever = not armed.
  TimePoint rtx_at_ = kNever;
  TimePoint delack_at_ = kNever;
  TimePoint sk_at_ = kNever;

  const CongestionControl* ca_ = &reno();
  ByteRing sndq_;
  RecvQueue rcvq_;
  RtxQueue rtxq_;
  SocketOptions opts_;
  // The unsent data as Linux's skbs would hold it: where each ends and which carry PSH
  // (push_policy.hpp); sent data keeps its skb ends in the records (TxSegment::skb).
  // [[no_unique_address]] lets rtx_skbs_ sit in its tail padding (connection_size_test).
  [[no_unique_address]] WriteQueueModel push_ends_;
  // The skbs of the retransmission queue (records with skbflag::END), each charging
  // wmem::kSkbOverhead besides its payload (wmem_queued()).
  uint32_t rtx_skbs_ = 0;
  void set_dsack(Context& ctx, SeqNum left, SeqNum right);
};

}  // namespace ustcp::tcp
