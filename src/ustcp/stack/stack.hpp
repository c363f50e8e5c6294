// A Stack is one host: its addresses, every connection, listener, SYN_RECV request and
// TIME_WAIT record, the demultiplexing tables, the port table, one timer wheel, counters
// and configuration. It is sans-IO (ARCHITECTURE.md): a driver feeds datagrams and time
// in, and takes datagrams out.
//
//   stack.receive(now, datagram);
//   while (auto pkt = stack.poll_transmit(now)) link.send(*pkt);
//   stack.on_timer(now) when stack.next_deadline() has come.
//
// Socket calls (socket, bind, connect, ...) are the BSD calls on handles, non-blocking,
// with Linux errno results; api/ puts file descriptors and blocking on top.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/slab.hpp"
#include "ustcp/base/timer_wheel.hpp"
#include "ustcp/stack/demux_table.hpp"
#include "ustcp/stack/outbox.hpp"
#include "ustcp/stack/ports.hpp"
#include "ustcp/stack/readiness.hpp"
#include "ustcp/stack/result.hpp"
#include "ustcp/stack/time_wait_table.hpp"
#include "ustcp/tcp/connection.hpp"
#include "ustcp/tcp/isn.hpp"
#include "ustcp/tcp/listener.hpp"
#include "ustcp/tcp/secrets.hpp"
#include "ustcp/tcp/syncookie.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp::stack {

struct SocketId {
  uint32_t index = UINT32_MAX;
  uint32_t gen = 0;
  bool valid() const { return index != UINT32_MAX; }
  bool operator==(const SocketId&) const = default;
};

// A socket take_ready() found ready: its events (the interest's bits, plus ERR and HUP)
// and the data given to watch().
struct Ready {
  SocketId socket;
  int events = 0;
  uint64_t data = 0;
};

// poll() events, with Linux's values.
namespace events {
inline constexpr int IN = 0x001;
inline constexpr int OUT = 0x004;
inline constexpr int ERR = 0x008;
inline constexpr int HUP = 0x010;
inline constexpr int RDHUP = 0x2000;
// watch() flags, with epoll's values: edge-triggered and one-shot (stack/readiness.hpp).
inline constexpr int ET = ReadyList::kEdge;
inline constexpr int ONESHOT = ReadyList::kOneShot;
}  // namespace events

// One row of the socket table (ss -tan).
struct SocketRow {
  tcp::State state;
  uint32_t recv_q = 0;  // unread bytes; for a listener, the accept queue length
  uint32_t send_q = 0;  // unacknowledged + unsent bytes; for a listener, the backlog
  Endpoint local;
  Endpoint remote;
  bool orphan = false;
};

struct SockDiagAccess;  // stack/sock_diag.cpp: reads the socket tables for ss (inet_diag)

class Stack final : public tcp::SegmentSink {
  friend struct SockDiagAccess;

 public:
  // `secrets` keys all a peer must not predict (ISNs, timestamp offsets, SYN cookies, the
  // demux hash, ephemeral ports); a host on a real network draws them from the OS
  // (link::random_secrets()). The Stack itself never reads randomness.
  Stack(Ipv4Addr addr, tcp::Config config, const tcp::Secrets& secrets);
  // Secrets derived from a seed (Secrets::from_seed): simulations and tests, reproducible.
  explicit Stack(Ipv4Addr addr, tcp::Config config = {}, uint64_t seed = 1)
      : Stack(addr, config, tcp::Secrets::from_seed(seed)) {}
  ~Stack() override;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  void add_address(Ipv4Addr addr) { addrs_.push_back(addr); }
  const std::vector<Ipv4Addr>& addresses() const { return addrs_; }
  const tcp::Config& config() const { return cfg_; }
  tcp::Config& config() { return cfg_; }
  // A snapshot of the counters (CurrEstab computed now).
  tcp::Counters counters() const { return mib_; }
  uint64_t curr_estab() const;

  // ---- driver side ----
  void receive(TimePoint now, Bytes datagram);
  std::optional<Bytes> poll_transmit(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  void on_timer(TimePoint now);

  // ---- socket calls ----
  Result<SocketId> socket();
  Result<void> bind(SocketId s, Endpoint local);
  Result<void> listen(SocketId s, int backlog);
  // EAGAIN when no connection is waiting.
  Result<SocketId> accept(TimePoint now, SocketId s, Endpoint* peer = nullptr);
  // Non-blocking: EINPROGRESS; later calls: EALREADY while connecting, 0 once connected
  // (the first time), then EISCONN; the connection's error if it failed.
  Result<void> connect(TimePoint now, SocketId s, Endpoint remote);
  // eor: MSG_EOR, the data ends a record (later data is not merged into its segments).
  Result<size_t> send(TimePoint now, SocketId s, Bytes data, bool eor = false);
  Result<size_t> recv(TimePoint now, SocketId s, MutBytes out, bool peek = false);
  // how: 0 = SHUT_RD, 1 = SHUT_WR, 2 = SHUT_RDWR.
  Result<void> shutdown(TimePoint now, SocketId s, int how);
  // With SO_LINGER {1, N > 0}, Linux's close() blocks after sending the FIN until the FIN is
  // acknowledged or N seconds have passed (sk_stream_wait_close). With linger_wait, the
  // first call sends the FIN and says EINPROGRESS while that wait lasts: call close() again
  // (after the stack did something, or at the linger deadline) until it returns 0. Without
  // it (a caller that cannot block) close() ends at once.
  Result<void> close(TimePoint now, SocketId s, bool linger_wait = false);
  // Integer-valued options at (level, name) with Linux's numbers (SOL_SOCKET, IPPROTO_TCP).
  Result<void> setsockopt(TimePoint now, SocketId s, int level, int name, int value);
  Result<void> set_linger(TimePoint now, SocketId s, bool on, int seconds);
  Result<int> getsockopt(SocketId s, int level, int name);
  // TCP_CONGESTION: the congestion control by name ("cubic", "reno"); ENOENT for a name
  // with no algorithm. A listener passes it on to the connections it accepts.
  Result<void> set_congestion_control(TimePoint now, SocketId s, std::string_view name);
  Result<std::string_view> congestion_control(SocketId s) const;
  Result<Endpoint> getsockname(SocketId s) const;
  Result<Endpoint> getpeername(SocketId s) const;
  // poll(): events::IN | OUT | ERR | HUP | RDHUP.
  int poll(SocketId s) const;
  size_t readable(SocketId s) const;  // FIONREAD

  // ---- readiness: the ready list (stack/readiness.hpp), as epoll ----
  // Registers interest in `s` (events::IN | OUT | RDHUP, optionally | ET | ONESHOT) with
  // `data` to hand back; again to change it (EPOLL_CTL_ADD and MOD in one). EBADF for a
  // socket that is not open. A socket closed leaves the list.
  Result<void> watch(SocketId s, int events, uint64_t data);
  Result<void> unwatch(SocketId s);  // ENOENT when not watched
  // The watched sockets whose state changed (epoll_wait with timeout 0): at most
  // out.size(), in the order they became ready. Costs the ready sockets, not the watched.
  size_t take_ready(std::span<Ready> out);
  // Some watched socket may be ready (take_ready may still find nothing).
  bool maybe_ready() const { return ready_.queued() > 0; }

  // Tests and tools: the ISN of the next connection this stack opens or accepts (instead
  // of RFC 6528's hash), e.g. just below 2^32 to make a transfer wrap.
  void set_next_isn(SeqNum isn) { next_isn_ = isn; }

  // ---- introspection ----
  std::vector<SocketRow> socket_table() const;
  // The connection behind a socket (tests, TCP_INFO); nullptr for listeners.
  const tcp::Connection* connection(SocketId s) const;
  size_t connection_count() const { return conns_.size(); }
  size_t time_wait_count() const { return tws_.size(); }
  size_t request_count() const { return requests_.size(); }
  // Connections the application closed that are still finishing (FIN_WAIT_*, LAST_ACK...).
  size_t orphan_count() const { return orphans_; }
  // Records every state transition (off by default: it costs memory) for tools to read.
  void enable_state_log(bool on) { log_enabled_ = on; }
  std::vector<tcp::StateChange> take_state_log() { return std::exchange(log_, {}); }

  // SegmentSink: frames a segment into an IPv4 datagram in the outbox.
  void send(const tcp::FourTuple& t, const wire::TcpRepr& seg, Bytes tail) override;

 private:
  enum class Kind : uint8_t { Free, Conn, Listen };
  enum TimerKind : uint8_t { kTimerConn = 1, kTimerRequest = 2, kTimerTimeWait = 3 };
  struct SocketSlot {
    Kind kind = Kind::Free;
    uint32_t gen = 0;
    uint32_t obj = 0;  // connection or listener index
    Endpoint bound;    // bind() address (port 0: not bound)
    bool reuseaddr = false;
    bool bound_reuse = false;  // SO_REUSEADDR when bind() took the port (released the same way)
    bool connect_reported = false;  // connect() said 0 once after completion
    bool rd_shutdown = false;
    bool connecting = false;  // connect() was called
  };
  struct ConnMeta {
    bool in_demux = false;
    bool holds_port = false;
    bool reuse = false;
    bool bound = false;
    // The socket whose readiness this connection changes: its own, or while it waits in
    // an accept queue, the listener's.
    SocketId notify;
  };

  tcp::Context ctx(TimePoint now) {
    return tcp::Context{now, cfg_, mib_, *this, log_enabled_ ? &log_ : nullptr, &challenge_acks_};
  }
  void log_change(TimePoint now, const tcp::FourTuple& t, tcp::State from, tcp::State to) {
    if (log_enabled_) log_.push_back(tcp::StateChange{now, t, from, to});
  }
  SocketSlot* slot(SocketId s);
  const SocketSlot* slot(SocketId s) const;
  SocketId new_slot(Kind kind, uint32_t obj);
  void free_slot(SocketId s);

  uint32_t new_conn(const tcp::FourTuple& t, const tcp::SocketOptions& opts);
  void free_conn(uint32_t idx);
  // After anything happened to a connection: TIME_WAIT hand-over, demux removal, freeing
  // orphans, re-arming its timer.
  void sync(TimePoint now, uint32_t idx);
  void to_time_wait(TimePoint now, uint32_t idx);
  // Readiness: `s` may have changed; the ready list polls it if watched.
  void notify(SocketId s);
  uint64_t ready_level(const SocketSlot& sl) const;

  bool is_local(Ipv4Addr a) const;
  std::optional<uint16_t> pick_ephemeral(const tcp::FourTuple& partial, TimePoint now);
  std::optional<uint32_t> reusable_time_wait(const tcp::FourTuple& t, TimePoint now,
                                             bool bound) const;
  uint32_t find_listener(Endpoint local) const;  // UINT32_MAX: none

  void listener_segment(TimePoint now, uint32_t li, const tcp::FourTuple& t,
                        const wire::TcpView& seg, std::optional<SeqNum> isn);
  void request_segment(TimePoint now, uint32_t ri, const wire::TcpView& seg);
  bool cookie_ack(TimePoint now, uint32_t li, const tcp::FourTuple& t, const wire::TcpView& seg);
  void complete_open(TimePoint now, uint32_t li, const tcp::OpenRequest& open,
                     const wire::TcpView& seg);
  void request_timer(TimePoint now, uint32_t ri);
  void drop_request(uint32_t ri);
  void time_wait_segment(TimePoint now, uint32_t ti, const tcp::FourTuple& t,
                         const wire::TcpView& seg);
  void drop_time_wait(uint32_t ti);
  void time_wait_timer(TimePoint now);
  void close_listener(TimePoint now, uint32_t li);
  void orphaned(TimePoint now, uint32_t ci);
  void send_reset_for(TimePoint now, const tcp::FourTuple& t, const wire::TcpView& seg);
  void icmp_input(const wire::Ipv4View& ip);  // stack/icmp.cpp
  // One datagram of `len` bytes leaves: Ip OutRequests and OutTransmits (equal on a host,
  // which forwards nothing), IpExt OutOctets.
  void count_ip_out(size_t len) {
    ++mib_.IpOutRequests;
    ++mib_.IpOutTransmits;
    mib_.IpExtOutOctets += len;
  }

  std::vector<Ipv4Addr> addrs_;
  tcp::Config cfg_;
  tcp::Counters mib_;
  tcp::IsnGenerator isn_;
  tcp::SynCookies cookies_;
  SipKey port_key_;  // Secrets::port_offset
  tcp::ChallengeAckLimit challenge_acks_;
  TimerWheel wheel_;
  Outbox outbox_;
  PortTable ports_;
  uint16_t ip_id_ = 0;
  uint32_t ephemeral_hint_ = 0;
  std::optional<SeqNum> next_isn_;
  SeqNum choose_isn(const tcp::FourTuple& t, TimePoint now);

  std::vector<SocketSlot> slots_;
  std::vector<uint32_t> free_slots_;
  Slab<tcp::Connection> conns_;
  std::vector<ConnMeta> conn_meta_;  // beside conns_, same index
  std::vector<std::unique_ptr<tcp::Listener>> listeners_;
  std::unordered_map<uint16_t, std::vector<uint32_t>> listeners_by_port_;  // port -> listeners_
  std::vector<SocketId> listener_socket_;  // beside listeners_: the listening socket
  ReadyList ready_;
  Slab<tcp::Request> requests_;
  TimeWaitTable tws_;
  TimerNode tw_timer_;  // due when the oldest TIME_WAIT record is (kTimerTimeWait)
  DemuxTable demux_;
  // The 4-tuple of what a demux entry names (the table keeps only the hash).
  auto demux_key() const {
    return [this](DemuxRef r) -> const tcp::FourTuple& {
      switch (r.kind) {
        case DemuxKind::Conn:
          return conns_[r.index]->tuple();
        case DemuxKind::Request:
          return requests_[r.index]->open.tuple;
        case DemuxKind::TimeWait:
          break;
      }
      return tws_[r.index].tuple;
    };
  }
  size_t orphans_ = 0;
  // Sockets whose close() lingers (SO_LINGER {1, N}), by slot index: until when at most.
  std::unordered_map<uint32_t, TimePoint> lingering_;
  bool log_enabled_ = false;
  std::vector<tcp::StateChange> log_;
};

const char* errno_name(int e);  // "ECONNREFUSED"

}  // namespace ustcp::stack
