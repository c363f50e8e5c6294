// One run of one script: the Stack under test, the virtual clock, the script's view of its
// connections (ISNs, timestamp offsets), its file descriptors, the packets the stack sent
// that no `>` line has consumed yet, and the one blocking call that may be outstanding.
// session.cpp runs the timeline; packets.cpp, syscalls.cpp and commands.cpp hold one kind
// of event each.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drill/interpreter.hpp"
#include "drill/script.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/stack/netstat.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::drill {

inline const Ipv4Addr kLocalAddr(192, 168, 0, 1);
inline const Ipv4Addr kRemoteAddr(192, 0, 2, 1);
inline constexpr uint16_t kScriptPort = 8080;  // bind(..., ...) and connect(..., ...)

// Thrown by event handlers; run() turns them into a failed or skipped result.
struct Failure {
  Pos pos;
  std::string message;
};
struct Skipped {
  Pos pos;
  std::string feature;
};

// The script's view of one connection: how its relative numbers map to live ones. Like
// packetdrill's struct socket, one record per 4-tuple: a connection reopened on the same
// 4-tuple keeps it (and its ISNs).
struct ScriptConn {
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  std::optional<uint32_t> local_isn;   // the stack's ISN minus the script's (from its SYN)
  uint32_t script_local_isn = 0;       // the script's number for that SYN
  std::optional<uint32_t> remote_isn;  // the script's remote ISN (sent as written)
  std::optional<uint32_t> ts_offset;   // live TS val minus the script's, from the first `>`
  // A passive connection, started by an inbound packet (packetdrill's child socket): when it
  // was started (for accept()), whether a `>` line saw its SYN-ACK, the script fd accept()
  // gave it and whether that fd was closed.
  bool passive = false;
  uint32_t born = 0;
  bool synack_seen = false;
  std::optional<int> fd;
  bool fd_closed = false;

  uint32_t key() const { return uint32_t{remote_port} << 16 | local_port; }
  // packetdrill's local_seq_script_to_live_offset(): the stack's numbers on a segment with
  // SYN map through the script's ISN (S. 1234:1234(0) is the live ISN), on any other
  // segment they are relative to the live ISN (1 is ISN + 1, whatever the script's ISN).
  uint32_t local_base(bool syn) const {
    return local_isn.value_or(0) + (syn ? 0 : script_local_isn);
  }
  uint32_t remote_base() const { return remote_isn.value_or(0); }
};

// A datagram the stack sent, with when, and whether its connection was the one under test
// then (--strict holds the script to those only, as packetdrill sees no other).
struct Emitted {
  TimePoint at;
  std::vector<std::byte> data;
  bool under_test = false;
};

struct ScriptFd {
  stack::SocketId id;
  bool nonblocking = false;
  bool listener = false;
  int linger_secs = 0;         // SO_LINGER {1, N}: how long close() may block
  bool epoll_watched = false;  // in the epoll instance's interest list
};

// Where a blocking call is: its event, when it must return, partial progress (writes).
struct Blocking {
  size_t event = 0;
  TimePoint start{};
  TimePoint end{};
  int64_t tolerance_us = 0;
  size_t progress = 0;
  TimePoint wake = kNever;  // poll()'s timeout: the call returns 0 then
};

// What a system call returned: ret, or -1 with err.
struct CallResult {
  int64_t ret = 0;
  int err = 0;
  std::optional<stack::SocketId> new_socket;  // socket(), accept(): bound to the script fd
  bool nonblocking = false;                   // of new_socket
  std::string mismatch;                       // an output argument differs from the script's
};

class Session {
 public:
  Session(const Script& script, const RunOptions& opts);
  RunResult run();

 private:
  const Script& s_;
  RunOptions opts_;
  stack::Stack stack_;
  TimePoint clock_{};   // the stack's virtual now; never goes back
  TimePoint anchor_{};  // "now" for the next relative time: when the last event happened
  int64_t tolerance_us_ = 4000;
  double tolerance_percent_ = 12.5;
  bool strict_segments_ = false;
  int64_t ts_tick_us_ = 0;  // --tcp_ts_tick_usecs: 0 leaves outbound TS vals unchecked
  std::map<uint32_t, ScriptConn> conns_;
  // packetdrill's socket under test: the socket of the last socket() call until a packet or
  // connect() gives it a connection (current_). While that socket listens, or before any
  // socket(), the next inbound packet starts a new passive connection to port 8080 from a
  // new remote port (handle_listen_for_script_packet).
  std::optional<uint32_t> current_;  // the connection under test
  std::optional<int> under_test_fd_;
  bool under_test_listening_ = false;
  uint32_t passive_born_ = 0;
  uint16_t next_remote_port_ = 48000;
  std::optional<std::vector<stack::NstatRow>> nstat_history_;  // nstat's history file
  std::map<uint32_t, std::deque<Emitted>> sent_;               // by ScriptConn::key
  std::map<int, ScriptFd> fds_;
  std::optional<Blocking> blocking_;
  size_t event_ = 0;  // index of the event being run
  uint16_t ip_id_ = 0;
  std::map<std::string, int64_t> py_vars_;  // the variables code blocks assigned
  std::optional<int> epoll_fd_;             // the one epoll instance (epoll_calls.cpp)

  // ---- session.cpp: time ----
  const Event& ev() const { return s_.events[event_]; }
  // Runs the stack's timers up to t, collecting what it sends; retries a blocking call.
  void step_to(TimePoint t);
  void drain();
  int64_t tolerance_for(TimePoint expected) const;
  std::string secs(TimePoint t) const;
  void trace(const std::string& line) const;
  void check_strict(Pos pos, TimePoint before);
  void options();

  // ---- packets.cpp ----
  ScriptConn& conn_for_inbound(const PacketSpec& p);
  ScriptConn& conn_for_outbound(const PacketSpec& p, Pos pos);
  void inject(const PacketSpec& p);
  void expect_outbound(const PacketSpec& p, TimePoint lo, TimePoint t, TimePoint hi);
  std::string describe(const ScriptConn& c, const std::vector<std::byte>& datagram,
                       bool with_ports) const;

  // ---- syscalls.cpp ----
  void syscall(const Syscall& sc, TimePoint t);
  // One attempt at the call; nullopt when it would block (blocking sockets only).
  std::optional<CallResult> attempt(const Syscall& sc, Blocking* state);
  void finish_call(const Syscall& sc, const CallResult& r, const Blocking& b, Pos pos);
  void retry_blocking();
  ScriptFd* fd_arg(const Syscall& sc, size_t i);
  int64_t int_arg(const Syscall& sc, size_t i);
  std::pair<int64_t, int64_t> io_size(const Syscall& sc);  // bytes, flags
  const Expr& arg(const Syscall& sc, size_t i);
  std::optional<int64_t> int_in(const Expr& e);  // [1] or 1; nullopt for ...
  Endpoint sockaddr_arg(const Syscall& sc, size_t i, Endpoint dflt);
  void make_current(stack::SocketId id, bool fresh);
  void check_accepted(stack::SocketId id, int fd, Pos pos);
  std::optional<stack::SocketId> socket_under_test() const;

  // ---- epoll_calls.cpp ----
  std::optional<CallResult> epoll_call(const Syscall& sc, Blocking* state);

  // ---- commands.cpp ----
  void command(const Command& c, Pos pos);
  void apply_sysctl(std::string_view name, std::string_view value, Pos pos);
  void apply_defaults();
  void cubic_parameter(std::string_view name, std::string_view value, const std::string& stmt,
                       Pos pos);
  void nstat(const std::string& stmt, Pos pos);
  void code(const Code& c, Pos pos);
};

}  // namespace ustcp::drill
