// What `ustcp ss` prints from: a stack's sockets and sums (stack/sock_diag.hpp) with the
// few facts about the daemon that ss reads off the system (the ephemeral port range for
// service names and `autobound`, the process for -p). A daemon sends it as JSON over its
// control socket; `ustcp ss --json` prints the same fields (README: "ustcp ss --json").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ustcp/base/expected.hpp"
#include "ustcp/stack/sock_diag.hpp"

namespace ustcp::cli {

struct SsData {
  std::vector<stack::SockDiag> sockets;
  stack::SockSummary summary;
  std::pair<int, int> ephemeral{32768, 60999};  // net.ipv4.ip_local_port_range
  int pid = 0;                                  // the daemon's process (ss -p)
  std::string comm = "ustcp";                   // its command name
  // Storage of the congestion control names that sockets[i].info.ca_name points to.
  std::vector<std::string> ca_names;
};

SsData ss_data(const stack::Stack& s, TimePoint now, int pid);

// One socket as ustcp's JSON: state (as ss prints it), queues, addresses, timer, identity,
// shutdown, skmem and tcp_info (the fields a full socket has).
nlohmann::json socket_json(const stack::SockDiag& d);
nlohmann::json summary_json(const stack::SockSummary& s);
nlohmann::json ss_data_json(const SsData& d);
// Reads what ss_data_json() wrote; errors name the field.
Expected<SsData, std::string> ss_data_from_json(const nlohmann::json& j);

// ss's tmr_name: off, on, keepalive, timewait, persist. (State names: tcp::ss_name.)
const char* ss_timer_name(stack::DiagTimer t);

}  // namespace ustcp::cli
