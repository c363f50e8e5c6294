// inet_diag's view of a Stack (stack/sock_diag.hpp): each kind of socket reports what Linux's
// inet_sk_diag_fill / inet_twsk_diag_fill / inet_req_diag_fill and tcp_diag_get_info report,
// on two stacks driven in virtual time.
#include "ustcp/stack/sock_diag.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "two_stacks.hpp"
#include "ustcp/stack/netstat.hpp"

namespace ustcp::stack {
namespace {

using namespace std::chrono_literals;
using tcp::State;
using ustcp::testing::pump;
using ustcp::testing::run;

const Ipv4Addr kServer(10, 0, 0, 2);
const Ipv4Addr kClient(10, 0, 0, 1);

struct Pair {
  Stack server{kServer};
  Stack client{kClient};
  SocketId listener;
  TimePoint now{};

  Pair() {
    listener = server.socket().value();
    EXPECT_TRUE(server.bind(listener, {kServer, 80}));
    EXPECT_TRUE(server.listen(listener, 4));
  }
  // A connection from the client (autobound port), accepted unless told otherwise.
  std::pair<SocketId, SocketId> connect(bool accept = true) {
    SocketId c = client.socket().value();
    EXPECT_EQ(client.connect(now, c, {kServer, 80}).error(), EINPROGRESS);
    pump(client, server, now);
    SocketId a{};
    if (accept) a = server.accept(now, listener).value();
    return {c, a};
  }
  const SockDiag& find(const std::vector<SockDiag>& v, State st) {
    for (const SockDiag& d : v) {
      if (d.state == st) return d;
    }
    ADD_FAILURE() << "no socket in state " << tcp::ss_name(st);
    static SockDiag none;
    return none;
  }
};

TEST(SockDiag, ListenerQueuesAndTcpInfoAsTcpDiagGetInfo) {
  Pair p;
  p.connect(/*accept=*/false);
  p.connect(/*accept=*/false);
  const auto v = sock_diag(p.server, p.now);
  const SockDiag& l = p.find(v, State::Listen);
  EXPECT_EQ(l.recv_q, 2u);  // the accept queue
  EXPECT_EQ(l.send_q, 4u);  // the backlog
  EXPECT_EQ(l.local, (Endpoint{kServer, 80}));
  EXPECT_EQ(l.remote, Endpoint{});
  EXPECT_TRUE(l.full);
  EXPECT_FALSE(l.autobound);
  EXPECT_EQ(l.timer, DiagTimer::Off);
  EXPECT_EQ(l.info.unacked, 2u);  // tcp_get_info(): ready for accept()
  EXPECT_EQ(l.info.sacked, 4u);   // and the backlog
  EXPECT_EQ(l.info.snd_cwnd, 10u);
  EXPECT_STREQ(l.info.ca_name, "cubic");  // net.ipv4.tcp_congestion_control's default
  EXPECT_EQ(l.mem.rcvbuf, 131072u);       // tcp_rmem[1]
  EXPECT_EQ(l.mem.sndbuf, 16384u);        // tcp_wmem[1]
  EXPECT_EQ(l.ino, p.listener.index + 1);
  // Connections in the accept queue have no descriptor yet: no inode (ino:0 in ss -e).
  size_t queued = 0;
  for (const SockDiag& d : v) {
    if (d.state != State::Established) continue;
    ++queued;
    EXPECT_EQ(d.ino, 0u);
    EXPECT_EQ(d.fd, -1);
    EXPECT_FALSE(d.autobound);  // the listener's port
  }
  EXPECT_EQ(queued, 2u);
}

TEST(SockDiag, EstablishedQueuesShutdownAndKeepaliveTimer) {
  Pair p;
  auto [c, a] = p.connect();
  ASSERT_TRUE(p.client.setsockopt(p.now, c, 1 /*SOL_SOCKET*/, 9 /*SO_KEEPALIVE*/, 1));
  const std::string data(1000, 'x');
  ASSERT_TRUE(p.client.send(p.now, c, as_bytes(std::span(data))));
  pump(p.client, p.server, p.now);
  auto v = sock_diag(p.client, p.now);
  const SockDiag& cd = p.find(v, State::Established);
  EXPECT_TRUE(cd.autobound);
  EXPECT_EQ(cd.timer, DiagTimer::Keepalive);  // data acknowledged: only the keepalive timer
  EXPECT_EQ(cd.expires_ms, 7200u * 1000);     // tcp_keepalive_time
  EXPECT_EQ(cd.shutdown, 0);                  // "<->"
  EXPECT_EQ(cd.ino, c.index + 1);
  v = sock_diag(p.server, p.now);
  for (const SockDiag& d : v) {
    if (d.state == State::Established) {
      EXPECT_EQ(d.recv_q, 1000u);  // unread
      EXPECT_EQ(d.mem.rmem_alloc, 1000u);
      EXPECT_EQ(d.timer, DiagTimer::Off);
    }
  }
  // The server closes: its FIN is unacknowledged while the client does not run.
  ASSERT_TRUE(p.server.shutdown(p.now, a, 1 /*SHUT_WR*/));
  v = sock_diag(p.server, p.now);
  const SockDiag& fw1 = p.find(v, State::FinWait1);
  EXPECT_EQ(fw1.send_q, 1u);  // write_seq - snd_una: the FIN
  EXPECT_EQ(fw1.timer, DiagTimer::On);
  // The RTO: Linux's 200 ms minimum over a zero-delay link (the tick rounds it up).
  EXPECT_GE(fw1.expires_ms, 200u);
  EXPECT_LE(fw1.expires_ms, 201u);
  EXPECT_EQ(fw1.shutdown, 2);  // "<--"
  pump(p.client, p.server, p.now);
  v = sock_diag(p.client, p.now);
  const SockDiag& cw = p.find(v, State::CloseWait);
  EXPECT_EQ(cw.recv_q, 1u);   // the FIN, counted until read
  EXPECT_EQ(cw.shutdown, 1);  // "-->"
}

TEST(SockDiag, TimeWaitAndOrphanFinWait2AreTimewaitSockets) {
  Pair p;
  auto [c, a] = p.connect();
  ASSERT_TRUE(p.server.close(p.now, a));  // the server closes first
  pump(p.client, p.server, p.now);
  auto v = sock_diag(p.server, p.now);
  // An orphan in FIN_WAIT_2 with tcp_fin_timeout 60: Linux keeps a timewait socket.
  const SockDiag& fw2 = p.find(v, State::FinWait2);
  EXPECT_EQ(fw2.timer, DiagTimer::TimeWait);
  EXPECT_EQ(fw2.expires_ms, 60000u);
  EXPECT_FALSE(fw2.full);
  EXPECT_EQ(fw2.ino, 0u);
  ASSERT_TRUE(p.client.close(p.now, c));
  p.now = run(p.client, p.server, p.now, p.now + 1s);
  v = sock_diag(p.server, p.now);
  const SockDiag& tw = p.find(v, State::TimeWait);
  EXPECT_EQ(tw.timer, DiagTimer::TimeWait);
  EXPECT_EQ(tw.expires_ms, 59000u);
  EXPECT_EQ(tw.retrans, 0u);
  EXPECT_FALSE(tw.full);
  EXPECT_FALSE(tw.autobound);  // the listener's port
  const SockSummary sum = sock_summary(p.server);
  EXPECT_EQ(sum.tcp_tw, 1u);
  EXPECT_EQ(sum.tcp_inuse, 1u);  // the listener
  EXPECT_EQ(sum.curr_estab, 0u);
}

TEST(SockDiag, SynSentRetransmitsOnTheSynTimer) {
  Stack s(kClient);
  SocketId c = s.socket().value();
  TimePoint now{};
  ASSERT_EQ(s.connect(now, c, {kServer, 80}).error(), EINPROGRESS);
  while (s.poll_transmit(now)) {
  }
  now += 1s;
  s.on_timer(now);  // first SYN retransmission
  while (s.poll_transmit(now)) {
  }
  const auto v = sock_diag(s, now + 250ms);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state, State::SynSent);
  EXPECT_EQ(v[0].send_q, 1u);  // the SYN
  EXPECT_EQ(v[0].timer, DiagTimer::On);
  EXPECT_EQ(v[0].retrans, 1u);
  EXPECT_EQ(v[0].expires_ms, 750u);  // linear timeouts: 1 s after the retransmission
}

}  // namespace
}  // namespace ustcp::stack
