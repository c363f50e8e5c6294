// Per-socket settings (setsockopt) that the engine obeys. Zero means "use the sysctl".
#pragma once

#include <cstdint>

namespace ustcp::tcp {
class CongestionControl;
}

namespace ustcp::tcp {

// Every connection carries one: 32 bytes, the flags as bits and the keepalive times in the
// 16 bits their range (1..32767 s, MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL) needs.
struct SocketOptions {
  uint32_t sndbuf = 0;         // SO_SNDBUF as getsockopt reports it (Linux doubles the set value)
  uint32_t rcvbuf = 0;         // SO_RCVBUF, likewise
  uint16_t keepidle = 0;       // TCP_KEEPIDLE, seconds
  uint16_t keepintvl = 0;      // TCP_KEEPINTVL, seconds
  uint32_t user_timeout = 0;   // TCP_USER_TIMEOUT, ms
  uint16_t user_mss = 0;       // TCP_MAXSEG
  uint8_t keepcnt = 0;         // TCP_KEEPCNT
  bool keepalive : 1 = false;  // SO_KEEPALIVE
  bool nodelay : 1 = false;    // TCP_NODELAY
  bool linger : 1 = false;     // SO_LINGER l_onoff
  uint16_t linger_secs = 0;    // SO_LINGER l_linger
  uint8_t defer_accept = 0;    // TCP_DEFER_ACCEPT, in SYN-ACK retransmissions (secs_to_retrans)
  const CongestionControl* congestion = nullptr;  // TCP_CONGESTION; nullptr: the sysctl's
};

}  // namespace ustcp::tcp
