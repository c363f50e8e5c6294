// A listening socket (RFC 9293 3.10.7.2, LISTEN; Linux inet_csk listen queues): the SYN
// queue of compact requests (not connections) and the accept queue of established
// connections waiting for accept().
#pragma once

#include <cstdint>
#include <deque>

#include "ustcp/base/timer_wheel.hpp"
#include "ustcp/tcp/connection.hpp"
#include "ustcp/tcp/syncookie.hpp"

namespace ustcp::tcp {

// A SYN_RECV request (Linux request_sock): what is needed to answer the SYN, retransmit
// the SYN-ACK, and build the connection when the final ACK comes.
struct Request {
  OpenRequest open;
  uint32_t listener = 0;    // the stack's handle of the listener
  uint8_t retransmits = 0;  // req->num_timeout: request timer expiries so far
  // inet_rsk(req)->acked: a third ACK came and was dropped (TCP_DEFER_ACCEPT, or a full
  // accept queue with tcp_abort_on_overflow = 0).
  bool acked = false;
  TimerNode timer;
};

// TCP_DEFER_ACCEPT is kept as a count of SYN-ACK retransmissions (Linux secs_to_retrans):
// the fewest whose timeouts (1, 2, 4 ... s, at most 120 s each) add up to the seconds
// asked; getsockopt() gives back the seconds those add up to (retrans_to_secs).
uint8_t defer_accept_retrans(int seconds);
int defer_accept_secs(uint8_t retrans);

class Listener {
 public:
  Listener(Endpoint local, int backlog, const SocketOptions& opts)
      : local_(local), backlog_(backlog), opts_(opts) {}

  const Endpoint& local() const { return local_; }
  int backlog() const { return backlog_; }
  void set_backlog(int b) { backlog_ = b; }
  const SocketOptions& options() const { return opts_; }
  // SO_REUSEADDR of the listening socket: accepted connections hold the port the same way.
  bool reuseaddr() const { return reuseaddr_; }
  void set_reuseaddr(bool on) { reuseaddr_ = on; }
  SocketOptions& options() { return opts_; }

  // sk_acceptq_is_full: the accept queue holds backlog + 1 connections.
  bool accept_queue_full() const { return accept_queue_.size() > static_cast<size_t>(backlog_); }
  // inet_csk_reqsk_queue_is_full: like the accept queue, the SYN queue holds backlog + 1
  // (verified on Linux 6.18: listen(fd, 1) keeps two SYN_RECV requests).
  bool syn_queue_full() const { return syn_queue_len_ > static_cast<uint32_t>(backlog_); }

  // Fills a request from a SYN (tcp_conn_request / tcp_openreq_init): options negotiated
  // against the sysctls, our window and scale chosen.
  static void init_request(const Config& cfg, const SocketOptions& opts, const FourTuple& t,
                           const wire::TcpView& syn, SeqNum iss, uint32_t ts_offset,
                           OpenRequest& req);
  // The window scale we offer (tcp_select_initial_window): enough for the largest buffer.
  static uint8_t rcv_wscale_for(const Config& cfg, const SocketOptions& opts);
  // Sends (or re-sends) the SYN-ACK of a request (tcp_v4_send_synack), offering the route's
  // MSS or the listener's TCP_MAXSEG if lower (tcp_make_synack: tcp_mss_clamp).
  static void send_synack(Context& ctx, const SocketOptions& opts, const OpenRequest& req);
  // The MSS a SYN cookie encodes (tcp_conn_request: req->mss): the peer's MSS option clamped
  // to the listener's TCP_MAXSEG (tcp_parse_options), 536 without the option.
  static uint16_t cookie_mss(const SocketOptions& opts, const wire::TcpView& syn);

  // tcp_synq_overflow / tcp_synq_no_recent_overflow: cookies are only checked on ACKs
  // arriving within two minutes of the last cookie sent.
  void note_cookie_sent(TimePoint now) { last_cookie_ = now; }
  bool cookies_recent(TimePoint now) const {
    return last_cookie_ != kNever && now - last_cookie_ < std::chrono::minutes(2);
  }

  std::deque<uint32_t>& accept_queue() { return accept_queue_; }
  const std::deque<uint32_t>& accept_queue() const { return accept_queue_; }
  uint32_t syn_queue_len() const { return syn_queue_len_; }
  void add_request() { ++syn_queue_len_; }
  void remove_request() { --syn_queue_len_; }

 private:
  Endpoint local_;
  int backlog_;
  SocketOptions opts_;  // inherited by accepted connections
  std::deque<uint32_t> accept_queue_;
  uint32_t syn_queue_len_ = 0;
  bool reuseaddr_ = false;
  TimePoint last_cookie_ = kNever;
};

}  // namespace ustcp::tcp
