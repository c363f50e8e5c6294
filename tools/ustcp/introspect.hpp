// What a running daemon answers on its control socket (control.hpp): its Stack's sockets as
// ss reads a kernel's (ss_data.hpp, sent as JSON; `ustcp ss` prints them) and its counters
// as nstat prints them. nstat's history (increments since the previous call) is kept here,
// per daemon, as nstat keeps it per user in /tmp/.nstat.uUID.
//
// Requests (built by `ustcp ss` and `ustcp nstat` from their options):
//   ping
//   sockets                                   ss_data_json() of the stack
//   nstat [-a] [-z] [-r] [-n] [-s] [-j] [-p] [PATTERN...]
//                                             nstat's flags; PATTERNs are shell globs,
//                                             matched without regard to case
#pragma once

#include <string>
#include <vector>

#include "ustcp/base/time.hpp"
#include "ustcp/stack/netstat.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::cli {

class Introspection {
 public:
  // `pid`: the daemon's process, for ss -p.
  Introspection(const stack::Stack& s, int pid) : stack_(s), pid_(pid) {}
  // The text to send back; "error: ..." for a request it does not understand.
  std::string answer(const std::string& request, TimePoint now);

 private:
  std::string nstat(const std::vector<std::string>& args);
  const stack::Stack& stack_;
  int pid_;
  std::vector<stack::NstatRow> history_;  // nstat's history file (empty: none yet)
};

}  // namespace ustcp::cli
