// Helpers for the data-path tests (tcp_data_test, tcp_retransmit_test, tcp_timers_test) on
// top of harness.hpp: socket options by Linux name, a client fixture with chosen ISNs (for
// sequence wraparound), and sequence shorthands.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "harness.hpp"

namespace ustcp::testing {

// First data sequence numbers of the fixtures: ours and the peer's.
inline constexpr uint32_t kSnd = kIss + 1;
inline constexpr uint32_t kRcv = kIrs + 1;

inline void set_opt(Harness& h, SocketId s, int level, int name, int value) {
  auto r = h.stack.setsockopt(h.now, s, level, name, value);
  EXPECT_TRUE(r) << "setsockopt(" << level << ", " << name << ", " << value << ")";
  h.advance_to(h.now);  // collect whatever the option made the stack send
}

// established_client() with both ISNs chosen by the test (e.g. just below 2^32).
inline SocketId established_client_isn(Harness& h, uint32_t iss, uint32_t irs, PeerOpts p = {}) {
  SocketId s = *h.stack.socket();
  h.remote = Endpoint{kRemote, kPeerServerPort};
  h.stack.set_next_isn(SeqNum(iss));
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), EINPROGRESS);
  h.local = h.stack.getsockname(s).value_or(Endpoint{});
  const TimePoint t0 = h.now;
  h.expect_send(t0, Seg{.flags = SYN, .seq = iss});
  wire::TcpOptions o = syn_options(p.mss, p.sack, std::nullopt, p.wscale);
  if (p.ts) o.timestamp = wire::TcpTimestamp{h.peer_ts_base, h.last_ts_val};
  h.peer_ts = false;
  h.inject(t0 + p.rtt,
           Seg{.flags = SYN | ACK, .seq = irs, .ack = iss + 1, .win = p.win, .opts = o});
  h.peer_ts = p.ts;
  h.expect_send(t0 + p.rtt, Seg{.flags = ACK, .seq = iss + 1, .ack = irs + 1});
  EXPECT_EQ(h.state(), State::Established);
  return s;
}

// Filler text of n bytes as Harness::write(s, n) produces it, from offset `from`.
inline std::vector<std::byte> filler(size_t n, size_t from = 0) {
  std::vector<std::byte> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = std::byte('A' + (from + i) % 26);
  return b;
}

// What Harness::inject puts in a segment of `len` filler bytes.
inline std::string peer_filler(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace ustcp::testing
