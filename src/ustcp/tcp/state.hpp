// The eleven TCP states (RFC 9293 3.3.2) with Linux's names (include/net/tcp_states.h).
#pragma once

#include <cstdint>

namespace ustcp::tcp {

enum class State : uint8_t {
  Established,
  SynSent,
  SynRecv,
  FinWait1,
  FinWait2,
  TimeWait,
  Close,
  CloseWait,
  LastAck,
  Listen,
  Closing,
};

// As `ss` prints it: "ESTAB", "SYN-SENT", "TIME-WAIT", "UNCONN" for Close...
const char* ss_name(State s);
// As netstat and /proc/net/tcp's users print it: "ESTABLISHED", "SYN_SENT", "CLOSE"...
const char* netstat_name(State s);

// States in which both sides have seen the other's SYN (RFC 9293 "synchronized").
constexpr bool is_synchronized(State s) {
  return s != State::Close && s != State::Listen && s != State::SynSent;
}

}  // namespace ustcp::tcp
