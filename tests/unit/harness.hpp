// Script-like tests of one Stack against a scripted peer (STYLE.md item 8, in the spirit of
// smoltcp's socket tests and packetdrill): the test injects literal segments from the peer
// at given virtual times and expects the stack's segments at exact times.
//
//   Harness h;
//   SocketId s = h.connect();
//   h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss});
//   h.inject(at(100ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1});
//   h.expect_send(at(100ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
//   h.expect_nothing(until(3s));
//
// Conventions:
//  - The stack is 192.168.0.1 (kLocal), the peer 192.0.2.1 (kRemote).
//  - Sequence numbers are ABSOLUTE 32-bit values. The harness forces the stack's ISN to
//    kIss (Stack::set_next_isn before every connect() and every SYN it injects), and the
//    peer's ISN is kIrs by convention, so tests write `.seq = kIss + 1, .ack = kIrs + 1`.
//    kIrs is above 2^31 so that signedness mistakes show.
//  - Virtual time is exact: expect_send(at(t), ...) means the segment was emitted at t
//    exactly (timers fire at 1 ms tick boundaries, which is what tests write).
//  - Seg ports of 0 mean "the current connection's" (h.local / h.remote, set by the
//    fixtures and by connect()/listen()).
//  - In expectations, a field left at its default is checked as follows: flags, seq and
//    len always; ack when ACK is set; win and options only when given (optional).
//    `options` is packetdrill's notation, e.g. "mss 1460,sackOK,TS val * ecr 0,nop,wscale 7",
//    where '*' matches any number.
//  - Injected segments carry `opts` verbatim, plus (when the fixture negotiated timestamps
//    and opts has none and .raw is false) TS val = peer clock in ms, ecr = the last TS val
//    the stack sent.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <optional>
#include <source_location>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::testing {

// The caller's file and line for failure messages. std::source_location needs the compiler's
// __builtin_source_location (GCC 11, clang 15): libstdc++ does not define it under clang 14,
// whose __builtin_FILE and __builtin_LINE give the same two fields.
#if defined(__cpp_lib_source_location)
using SourceLocation = std::source_location;
#else
struct SourceLocation {
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          unsigned line = __builtin_LINE()) {
    return {file, line};
  }
  constexpr const char* file_name() const { return file_; }
  constexpr unsigned line() const { return line_; }
  const char* file_;
  unsigned line_;
};
#endif

using namespace std::chrono_literals;
using namespace wire::tcp_flags;
using stack::SocketId;
using stack::Stack;
using tcp::State;

inline const Ipv4Addr kLocal(192, 168, 0, 1);
inline const Ipv4Addr kRemote(192, 0, 2, 1);
inline constexpr uint32_t kIss = 1000000;          // the stack's ISN (forced)
inline constexpr uint32_t kIrs = 3000000000;       // the peer's ISN
inline constexpr uint16_t kServerPort = 80;        // the stack listens here (server fixtures)
inline constexpr uint16_t kPeerServerPort = 8080;  // the peer listens here (client fixtures)
inline constexpr uint16_t kPeerPort = 40000;       // the peer's port towards our listener

// expect_nothing(until(t)).
struct Until {
  TimePoint t;
};
constexpr Until until(Duration d) { return Until{TimePoint(d)}; }

inline std::vector<std::byte> bytes(std::string_view s) {
  std::vector<std::byte> v(s.size());
  for (size_t i = 0; i < s.size(); ++i) v[i] = std::byte(static_cast<uint8_t>(s[i]));
  return v;
}

inline std::string to_text(Bytes b) {
  std::string s(b.size(), '\0');
  for (size_t i = 0; i < b.size(); ++i) s[i] = static_cast<char>(std::to_integer<uint8_t>(b[i]));
  return s;
}

// The errno of a socket call's result, 0 on success.
template <typename T>
int errno_of(const Expected<T, int>& r) {
  return r ? 0 : r.error();
}

// Options in a SYN: what Linux sends by default, `mss 1460,sackOK,TS val V ecr 0,nop,wscale 7`.
inline wire::TcpOptions syn_options(std::optional<uint16_t> mss = 1460, bool sack = true,
                                    std::optional<uint32_t> ts_val = 1,
                                    std::optional<uint8_t> wscale = 7) {
  wire::TcpOptions o;
  o.mss = mss;
  o.sack_permitted = sack;
  if (ts_val) o.timestamp = wire::TcpTimestamp{*ts_val, 0};
  o.wscale = wscale;
  return o;
}

inline wire::TcpOptions mss_only(uint16_t mss = 1460) { return syn_options(mss, false, {}, {}); }

inline wire::TcpOptions ts_option(uint32_t val, uint32_t ecr) {
  wire::TcpOptions o;
  o.timestamp = wire::TcpTimestamp{val, ecr};
  return o;
}

// A segment from the peer (inject) or a pattern for one from the stack (expect_send).
struct Seg {
  uint8_t flags = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  std::optional<uint16_t> win;         // inject: 65535 when absent; expect: checked when given
  size_t len = 0;                      // payload length when `data` is empty (inject: filler bytes)
  std::vector<std::byte> data;         // payload (expect: compared when non-empty)
  wire::TcpOptions opts;               // inject: options to send
  std::optional<std::string> options;  // expect: packetdrill notation, '*' = any number
  uint16_t sport = 0;                  // 0: the current connection's
  uint16_t dport = 0;
  bool raw = false;  // inject: no automatic timestamp option
};

// One segment the stack emitted, with the time it came out.
struct Sent {
  TimePoint at{};
  Ipv4Addr src, dst;
  uint16_t sport = 0, dport = 0;
  uint8_t flags = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t win = 0;
  wire::TcpOptions opts;
  std::vector<std::byte> payload;

  std::string str() const {
    std::ostringstream os;
    os << to_seconds(at) << "s " << sport << ">" << dport << " " << wire::flags_to_string(flags)
       << " seq " << seq;
    if (flags & ACK) os << " ack " << ack;
    os << " win " << win << " len " << payload.size();
    if (!opts.empty()) os << " <" << opts.to_string() << ">";
    return os.str();
  }
};

// Matches packetdrill-notation options where '*' stands for any run of digits.
inline bool options_match(std::string_view pattern, std::string_view actual) {
  size_t i = 0, j = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '*') {
      ++i;
      if (j >= actual.size() || !std::isdigit(static_cast<unsigned char>(actual[j]))) return false;
      while (j < actual.size() && std::isdigit(static_cast<unsigned char>(actual[j]))) ++j;
      continue;
    }
    if (j >= actual.size() || pattern[i] != actual[j]) return false;
    ++i;
    ++j;
  }
  return j == actual.size();
}

// What the peer puts in its SYN or SYN-ACK in the fixtures, and the handshake's RTT.
struct PeerOpts {
  std::optional<uint16_t> mss = 1460;
  bool sack = false;
  bool ts = false;
  std::optional<uint8_t> wscale;
  uint16_t win = 65535;
  Duration rtt = 100ms;
};

class Harness {
 public:
  explicit Harness(tcp::Config cfg = {}) : stack(kLocal, cfg) { stack.set_next_isn(SeqNum(kIss)); }

  Stack stack;
  TimePoint now{};
  Endpoint local{kLocal, 0};                  // the stack's end of the current connection
  Endpoint remote{kRemote, kPeerServerPort};  // the peer's end
  SocketId listener;                          // set by listen() / established_server()
  bool peer_ts = false;                       // stamp injected segments with timestamps
  uint32_t peer_ts_base = 5000;               // peer's TS val = base + ms(now)
  uint32_t last_ts_val = 0;                   // last TS val the stack sent (echoed by the peer)
  std::deque<Sent> sent;                      // emitted and not yet expected
  std::vector<Sent> log;                      // everything emitted, for failure messages

  tcp::Config& config() { return stack.config(); }

  // ---- time and segments ------------------------------------------------------------

  // Runs every timer due up to t (at its deadline), collecting what the stack emits.
  void advance_to(TimePoint t) {
    drain();
    for (int guard = 0; guard < 1000000; ++guard) {
      auto d = stack.next_deadline();
      if (!d || *d > t) break;
      if (*d > now) now = *d;
      stack.on_timer(now);
      drain();
    }
    if (t > now) now = t;
  }
  void advance_to(Duration d) { advance_to(TimePoint(d)); }

  // The peer sends `s` at time t.
  void inject(TimePoint t, const Seg& s) {
    advance_to(t);
    std::vector<std::byte> payload = s.data;
    if (payload.empty() && s.len > 0) {
      payload.resize(s.len);
      for (size_t i = 0; i < s.len; ++i) payload[i] = std::byte('a' + i % 26);
    }
    wire::TcpRepr tcp;
    tcp.src_port = s.sport ? s.sport : remote.port;
    tcp.dst_port = s.dport ? s.dport : local.port;
    tcp.seq = SeqNum(s.seq);
    tcp.ack = SeqNum(s.ack);
    tcp.flags = s.flags;
    tcp.window = s.win.value_or(65535);
    tcp.options = s.opts;
    if (peer_ts && !s.raw && !tcp.options.timestamp) {
      tcp.options.timestamp = wire::TcpTimestamp{peer_ts_val(), last_ts_val};
    }
    tcp.payload = payload;
    if ((s.flags & SYN) && !(s.flags & ACK)) stack.set_next_isn(SeqNum(kIss));
    std::vector<std::byte> dgram(wire::kIpv4HeaderLen + tcp.size());
    wire::Ipv4Repr ip;
    ip.src = remote.addr;
    ip.dst = local.addr.is_unspecified() ? kLocal : local.addr;
    ip.ident = ip_id_++;
    ip.payload_len = static_cast<uint16_t>(tcp.size());
    ip.emit(dgram);
    tcp.emit(MutBytes(dgram).subspan(wire::kIpv4HeaderLen), ip.src, ip.dst);
    stack.receive(now, dgram);
    drain();
  }

  uint32_t peer_ts_val() const {
    return peer_ts_base +
           static_cast<uint32_t>(
               std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch())
                   .count());
  }

  // The next segment the stack emitted must match `want` and have come out at t exactly.
  // Returns it (an empty Sent on failure).
  Sent expect_send(TimePoint t, const Seg& want, SourceLocation loc = SourceLocation::current()) {
    advance_to(t);
    if (sent.empty()) {
      fail(loc, "expected a segment at " + secs(t) + ", nothing was sent");
      return {};
    }
    Sent got = sent.front();
    sent.pop_front();
    std::string why;
    if (got.at != t) why += " time " + secs(got.at) + " != " + secs(t) + ";";
    if (got.flags != want.flags) {
      why += " flags " + wire::flags_to_string(got.flags) +
             " != " + wire::flags_to_string(want.flags) + ";";
    }
    if (got.seq != want.seq) why += " seq " + rel(got.seq) + " != " + rel(want.seq) + ";";
    if ((want.flags & ACK) && got.ack != want.ack) {
      why += " ack " + rel(got.ack) + " != " + rel(want.ack) + ";";
    }
    size_t want_len = want.data.empty() ? want.len : want.data.size();
    if (got.payload.size() != want_len) {
      why += " len " + std::to_string(got.payload.size()) + " != " + std::to_string(want_len) + ";";
    } else if (!want.data.empty() && got.payload != want.data) {
      why += " payload differs;";
    }
    if (want.win && got.win != *want.win) {
      why += " win " + std::to_string(got.win) + " != " + std::to_string(*want.win) + ";";
    }
    if (want.options && !options_match(*want.options, got.opts.to_string())) {
      why += " options <" + got.opts.to_string() + "> != <" + *want.options + ">;";
    }
    uint16_t sport = want.sport ? want.sport : local.port;
    uint16_t dport = want.dport ? want.dport : remote.port;
    if (got.sport != sport || got.dport != dport || got.dst != remote.addr) {
      why += " addressed " + std::to_string(got.sport) + ">" + got.dst.to_string() + ":" +
             std::to_string(got.dport) + ";";
    }
    if (!why.empty()) fail(loc, "segment " + got.str() + " does not match:" + why);
    return got;
  }

  // Nothing is emitted before t (a segment at exactly t is left for expect_send). Leaves
  // `now` at t.
  void expect_nothing(Until u, SourceLocation loc = SourceLocation::current()) {
    // Run timers strictly before t; those at t stay pending.
    advance_to(u.t - 1ns);
    if (!sent.empty())
      fail(loc, "expected nothing before " + secs(u.t) + ", got " + sent.front().str());
    sent.clear();
    // Now is t; timers due at exactly t run at the next advance (inject, expect_send...).
    if (now < u.t) now = u.t;
  }
  // Nothing pending right now.
  void expect_nothing(SourceLocation loc = SourceLocation::current()) {
    drain();
    if (!sent.empty())
      fail(loc, "expected nothing at " + secs(now) + ", got " + sent.front().str());
    sent.clear();
  }

  // ---- socket calls (at `now`) ------------------------------------------------------

  // Non-blocking connect to the peer; sets local/remote. Expects EINPROGRESS.
  SocketId connect(uint16_t peer_port = kPeerServerPort,
                   SourceLocation loc = SourceLocation::current()) {
    drain();
    SocketId s = *stack.socket();
    remote = Endpoint{kRemote, peer_port};
    stack.set_next_isn(SeqNum(kIss));
    auto r = stack.connect(now, s, remote);
    if (errno_of(r) != EINPROGRESS)
      fail(loc, std::string("connect: ") + stack::errno_name(errno_of(r)));
    local = stack.getsockname(s).value_or(Endpoint{});
    drain();
    return s;
  }

  SocketId listen(uint16_t port = kServerPort, int backlog = 128) {
    drain();
    SocketId s = *stack.socket();
    EXPECT_TRUE(stack.bind(s, Endpoint{Ipv4Addr{}, port}));
    EXPECT_TRUE(stack.listen(s, backlog));
    listener = s;
    local = Endpoint{kLocal, port};
    remote = Endpoint{kRemote, kPeerPort};
    return s;
  }

  // accept() on the listener; an invalid SocketId when none is waiting.
  SocketId accept() {
    auto r = stack.accept(now, listener);
    drain();
    return r ? *r : SocketId{};
  }

  Expected<size_t, int> write(SocketId s, std::string_view text) {
    auto b = bytes(text);
    auto r = stack.send(now, s, b);
    drain();
    return r;
  }
  // n filler bytes.
  Expected<size_t, int> write(SocketId s, size_t n) {
    std::vector<std::byte> b(n);
    for (size_t i = 0; i < n; ++i) b[i] = std::byte('A' + i % 26);
    auto r = stack.send(now, s, b);
    drain();
    return r;
  }
  // Reads up to max bytes as text.
  Expected<std::string, int> read(SocketId s, size_t max = 1 << 20) {
    std::vector<std::byte> buf(max);
    auto r = stack.recv(now, s, buf);
    drain();
    if (!r) return unexpected(r.error());
    return to_text(Bytes(buf.data(), *r));
  }
  Expected<void, int> shutdown(SocketId s, int how) {
    auto r = stack.shutdown(now, s, how);
    drain();
    return r;
  }
  Expected<void, int> close(SocketId s) {
    auto r = stack.close(now, s);
    drain();
    return r;
  }
  int so_error(SocketId s) { return stack.getsockopt(s, SOL_SOCKET_, SO_ERROR_).value_or(-1); }

  // The state of the current connection (by 4-tuple) as the socket table shows it;
  // State::Close when it is gone.
  State state() const { return state_of(local, remote); }
  State state_of(Endpoint l, Endpoint r) const {
    for (const auto& row : stack.socket_table()) {
      if (row.state == State::Listen) continue;
      if (row.local == l && row.remote == r) return row.state;
    }
    return State::Close;
  }
  // True when no row other than listeners remains.
  bool no_connections() const {
    for (const auto& row : stack.socket_table()) {
      if (row.state != State::Listen) return false;
    }
    return true;
  }

  // ---- fixtures -----------------------------------------------------------------------

  // connect() at `now`, SYN-ACK one RTT later, our ACK: ESTABLISHED. connect() has
  // reported 0, so the next call says EISCONN. Snd/rcv sequences: kIss + 1, kIrs + 1.
  SocketId established_client(PeerOpts p = {}) {
    SocketId s = connect();
    const TimePoint t0 = now;
    expect_send(t0, Seg{.flags = SYN, .seq = kIss});
    wire::TcpOptions o = syn_options(p.mss, p.sack, std::nullopt, p.wscale);
    if (p.ts) o.timestamp = wire::TcpTimestamp{peer_ts_base, last_ts_val};
    peer_ts = false;
    inject(t0 + p.rtt,
           Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1, .win = p.win, .opts = o});
    peer_ts = p.ts;
    expect_send(t0 + p.rtt, Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1});
    EXPECT_EQ(state(), State::Established);
    EXPECT_EQ(errno_of(stack.connect(now, s, remote)), 0);
    return s;
  }

  // listen(), the peer's SYN at `now`, our SYN-ACK, the peer's ACK one RTT later, accept().
  SocketId established_server(PeerOpts p = {}) {
    listen();
    const TimePoint t0 = now;
    wire::TcpOptions o = syn_options(p.mss, p.sack, std::nullopt, p.wscale);
    if (p.ts) o.timestamp = wire::TcpTimestamp{peer_ts_val(), 0};
    peer_ts = false;
    inject(t0, Seg{.flags = SYN, .seq = kIrs, .win = p.win, .opts = o});
    expect_send(t0, Seg{.flags = SYN | ACK, .seq = kIss, .ack = kIrs + 1});
    peer_ts = p.ts;
    inject(t0 + p.rtt, Seg{.flags = ACK, .seq = kIrs + 1, .ack = kIss + 1, .win = p.win});
    SocketId s = accept();
    EXPECT_TRUE(s.valid());
    EXPECT_EQ(state(), State::Established);
    return s;
  }

  const tcp::Connection* conn(SocketId s) const { return stack.connection(s); }

 private:
  // Linux's numbers (asm-generic/socket.h), without pulling <sys/socket.h> in here.
  static constexpr int SOL_SOCKET_ = 1;
  static constexpr int SO_ERROR_ = 4;

  void drain() {
    while (auto d = stack.poll_transmit(now)) {
      Sent s = parse(*d);
      if (s.opts.timestamp) last_ts_val = s.opts.timestamp->val;
      sent.push_back(s);
      log.push_back(s);
    }
  }

  Sent parse(Bytes d) const {
    Sent s;
    s.at = now;
    auto ip = wire::Ipv4View::parse(d);
    if (!ip) {
      ADD_FAILURE() << "the stack emitted a bad IPv4 datagram";
      return s;
    }
    s.src = ip->src();
    s.dst = ip->dst();
    auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
    if (!tcp) {
      ADD_FAILURE() << "the stack emitted a bad TCP segment";
      return s;
    }
    s.sport = tcp->src_port();
    s.dport = tcp->dst_port();
    s.flags = tcp->flags();
    s.seq = tcp->seq().raw();
    s.ack = tcp->ack().raw();
    s.win = tcp->window();
    s.opts = tcp->options();
    Bytes p = tcp->payload();
    s.payload.assign(p.begin(), p.end());
    return s;
  }

  static std::string secs(TimePoint t) {
    std::ostringstream os;
    os << to_seconds(t) << "s";
    return os.str();
  }
  // A sequence number with its offset from kIss or kIrs when near one.
  static std::string rel(uint32_t v) {
    std::string s = std::to_string(v);
    int64_t di = static_cast<int32_t>(v - kIss), dr = static_cast<int32_t>(v - kIrs);
    if (di >= -100000 && di <= 100000000)
      return s + " (kIss" + (di >= 0 ? "+" : "") + std::to_string(di) + ")";
    if (dr >= -100000 && dr <= 100000000)
      return s + " (kIrs" + (dr >= 0 ? "+" : "") + std::to_string(dr) + ")";
    return s;
  }

  void fail(SourceLocation loc, const std::string& msg) {
    std::string all;
    for (const auto& s : log) all += "\n    " + s.str();
    ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
        << msg << "\n  emitted so far:" << all;
  }

  uint16_t ip_id_ = 1;
};

}  // namespace ustcp::testing
