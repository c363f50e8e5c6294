#include "ustcp/tcp/state.hpp"

namespace ustcp::tcp {

const char* ss_name(State s) {
  switch (s) {
    case State::Established:
      return "ESTAB";
    case State::SynSent:
      return "SYN-SENT";
    case State::SynRecv:
      return "SYN-RECV";
    case State::FinWait1:
      return "FIN-WAIT-1";
    case State::FinWait2:
      return "FIN-WAIT-2";
    case State::TimeWait:
      return "TIME-WAIT";
    case State::Close:
      return "UNCONN";
    case State::CloseWait:
      return "CLOSE-WAIT";
    case State::LastAck:
      return "LAST-ACK";
    case State::Listen:
      return "LISTEN";
    case State::Closing:
      return "CLOSING";
  }
  return "?";
}

const char* netstat_name(State s) {
  switch (s) {
    case State::Established:
      return "ESTABLISHED";
    case State::SynSent:
      return "SYN_SENT";
    case State::SynRecv:
      return "SYN_RECV";
    case State::FinWait1:
      return "FIN_WAIT1";
    case State::FinWait2:
      return "FIN_WAIT2";
    case State::TimeWait:
      return "TIME_WAIT";
    case State::Close:
      return "CLOSE";
    case State::CloseWait:
      return "CLOSE_WAIT";
    case State::LastAck:
      return "LAST_ACK";
    case State::Listen:
      return "LISTEN";
    case State::Closing:
      return "CLOSING";
  }
  return "?";
}

}  // namespace ustcp::tcp
