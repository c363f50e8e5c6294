// `ss` output of an SsData, as iproute2 6.1's ss prints a kernel's TCP sockets: the table
// (inet_stats_print(), tcp_timer_print(), sock_details_print(), print_skmeminfo(),
// tcp_stats_print()), the summary (print_summary()), and ustcp's own --json.
#pragma once

#include <string>

#include "ss_data.hpp"
#include "ss_filter.hpp"

namespace ustcp::cli {

struct SsOptions {
  StateMask states = 0;       // after -a / -l / state / exclude (0: SS_CONN)
  bool tcp = true;            // the TCP table is selected (-t, or no table named)
  bool ipv4 = true;           // IPv4 sockets are selected (-4, or no family named)
  bool netid = false;         // more than one table selected: the Netid column
  bool header = true;         // -H turns it off
  bool numeric = false;       // -n: ports (and rates) as numbers
  bool resolve = false;       // -r: host names
  bool options = false;       // -o (and -e): timers, and ts/sack/ecn with -i
  bool details = false;       // -e
  bool memory = false;        // -m
  bool info = false;          // -i
  bool processes = false;     // -p
  bool oneline = false;       // -O
  bool no_states = false;     // state/exclude words left no state at all
  bool summary_only = false;  // -s without a table or filter: no table after the summary
  SsFilter filter;
  int screen_width = -1;  // the terminal's width; -1: not a terminal (compact columns)
};

// The table, header included unless -H.
std::string ss_table_text(const SsData& d, const SsOptions& o);
// `ss -s`: the socket summary block, ending with an empty line.
std::string ss_summary_text(const stack::SockSummary& s);
// The sockets the options select, as ustcp's JSON ({"sockets": [...]}, plus "summary" with
// `summary` set).
std::string ss_json_text(const SsData& d, const SsOptions& o, bool summary);

// print_ms_timer(): 119min, 59sec, 1.204ms, 200ms...
std::string ss_ms_timer(uint32_t ms);

}  // namespace ustcp::cli
