// What a running daemon answers on its control socket (control.hpp): its Stack's socket
// table as `ss -tan` prints it and its counters as `nstat` prints them. nstat's history
// (increments since the previous call) is kept here, per daemon, as nstat keeps it per user.
//
// Requests (built by `ustcp ss` and `ustcp nstat` from their options):
//   ping
//   ss connected|listening|all [state NAME]   NAME as ss spells it: time-wait, syn-recv, ...
//   nstat [-a] [-z] [-r] [-n] [PATTERN...]    nstat's flags; PATTERNs are shell globs
#pragma once

#include <string>

#include "ustcp/stack/netstat.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/tcp/counters.hpp"

namespace ustcp::cli {

class Introspection {
 public:
  explicit Introspection(const stack::Stack& s) : stack_(s) {}
  // The text to send back; "error: ..." for a request it does not understand.
  std::string answer(const std::string& request);

 private:
  std::string ss(const std::vector<std::string>& args) const;
  std::string nstat(const std::vector<std::string>& args);
  const stack::Stack& stack_;
  std::vector<stack::NstatRow> history_;  // counters at the previous nstat (none before)
};

// `ss -tan` text of a socket table: a header line, then one row per socket.
std::string socket_table_text(const std::vector<stack::SocketRow>& rows);

}  // namespace ustcp::cli
