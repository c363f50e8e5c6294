// ss's filters (iproute2 misc/ss.c scan_state(), misc/ssfilter.y, parse_hostcond(),
// run_ssfilter()): `state NAME` / `exclude NAME` words, then an expression of
//   dst|src [=] ADDR[/LEN][:PORT]     dport|sport OP [:]PORT
//   autobound (the stack chose the local port: SockDiag::autobound)
// joined by and/&/&&, or/|/||, not/!, parentheses, or plain juxtaposition (and). OP is one
// of = == eq != ne neq > gt < lt >= ge geq <= le leq. As in ss's grammar, and/or bind
// equally and left to right: `a or b and c` is `(a or b) and c`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ustcp/base/expected.hpp"
#include "ustcp/stack/sock_diag.hpp"

namespace ustcp::cli {

// A set of socket states as ss numbers them (SS_ESTABLISHED = 1 ... SS_CLOSING = 11).
using StateMask = uint32_t;
inline constexpr StateMask kAllStates = (1u << 12) - 1;
StateMask state_bit(tcp::State st);
// SS_CONN: what ss shows without -a or -l (not LISTEN, CLOSE, TIME-WAIT, SYN-RECV).
StateMask conn_states();
// scan_state(): a state or group name (case-insensitive); nullopt when ss knows no such name.
std::optional<StateMask> scan_state(const std::string& name);

struct SsFilterNode;

// A parsed expression; an empty filter matches every socket.
class SsFilter {
 public:
  SsFilter();
  ~SsFilter();
  SsFilter(SsFilter&&) noexcept;
  SsFilter& operator=(SsFilter&&) noexcept;

  // Parses ss's expression from words (each word may hold several tokens separated by
  // blanks, as ss lexes them). Errors name the offending word.
  static Expected<SsFilter, std::string> parse(const std::vector<std::string>& words);
  bool empty() const { return !root_; }
  bool matches(const stack::SockDiag& s) const;

 private:
  std::unique_ptr<SsFilterNode> root_;
};

}  // namespace ustcp::cli
