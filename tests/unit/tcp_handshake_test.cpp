// Opening connections: active, passive and simultaneous open, option negotiation, SYN and
// SYN-ACK retransmission, connect() results (RFC 9293 3.5, 3.10.7; Linux tcp_connect,
// tcp_rcv_synsent_state_process, tcp_conn_request, tcp_check_req, tcp_write_timeout).
#include <gtest/gtest.h>

#include "harness.hpp"

namespace ustcp::testing {
namespace {

// tcp_connect / tcp_syn_options: Linux's SYN is `mss 1460,sackOK,TS val X ecr 0,nop,wscale 7`.
TEST(TcpHandshake, ActiveOpenSynOptionsAndEstablish) {
  Harness h;
  SocketId s = h.connect();
  h.expect_send(at(0s), Seg{.flags = SYN, .seq = kIss, .win = 64240,
                            .options = "mss 1460,sackOK,TS val * ecr 0,nop,wscale 7"});
  EXPECT_EQ(h.state(), State::SynSent);
  h.inject(at(100ms), Seg{.flags = SYN | ACK, .seq = kIrs, .ack = kIss + 1,
                          .opts = syn_options(1460, true, 777, 7)});
  h.expect_send(at(100ms), Seg{.flags = ACK, .seq = kIss + 1, .ack = kIrs + 1,
                               .options = "nop,nop,TS val * ecr 777"});
  EXPECT_EQ(h.state(), State::Established);
  EXPECT_EQ(errno_of(h.stack.connect(h.now, s, h.remote)), 0);
  h.expect_nothing(until(10s));
}

}  // namespace
}  // namespace ustcp::testing
