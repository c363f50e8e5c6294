// Counters and socket states as Linux's tools print them:
//  - snmp_text():    /proc/net/snmp    (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite line pairs)
//  - netstat_text(): /proc/net/netstat (TcpExt and IpExt line pairs)
//  - nstat_rows() / nstat_text(): nstat(8) ("#kernel", then "TcpActiveOpens   2   0.0"
//    lines, or its --json object)
//  - state_counts(): netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'
// Pure formatting: nothing here reads a clock or changes the stack.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ustcp/stack/stack.hpp"
#include "ustcp/tcp/counters.hpp"

namespace ustcp::stack {

// /proc/net/snmp as net/ipv4/proc.c prints it: Ip starts with Forwarding (2: not a router)
// and DefaultTTL (64); Icmp; IcmpMsg only when some ICMP type was counted, 16 entries per
// line pair; Tcp starts with the constants RtoAlgorithm 1, RtoMin 200, RtoMax 120000,
// MaxConn -1, and has CurrEstab (a gauge, given here) after EstabResets; Udp; UdpLite.
std::string snmp_text(const tcp::Counters& c, uint64_t curr_estab);
std::string snmp_text(const Stack& s);

// /proc/net/netstat: one pair of lines per extended group (TcpExt, then IpExt).
std::string netstat_text(const tcp::Counters& c);
std::string netstat_text(const Stack& s);

// One nstat line: group + name ("TcpExtListenOverflows") and a value.
struct NstatRow {
  std::string name;
  uint64_t value = 0;
  bool overflow = false;   // an increment whose counter went backwards (printed as 0)
  bool unchanged = false;  // the gauge, in an increment report, at its previous value
};

// The name nstat gives the CurrEstab gauge. iproute2's nstat drops it (nstat.c
// useless_numbers, with the constants); ustcp prints it, after TcpEstabResets where
// /proc/net/snmp has it, because "how many are established now" is what an operator asks
// first. Being a gauge, it shows its current value in increment reports too, and counts
// as activity (printed without -z) only when it moved.
inline constexpr const char* kNstatCurrEstab = "TcpCurrEstab";

// Every counter as nstat names and orders it: the /proc/net/snmp groups, then the
// /proc/net/netstat groups; without the constants, with TcpCurrEstab (see above).
std::vector<NstatRow> nstat_rows(const tcp::Counters& c, uint64_t curr_estab);
std::vector<NstatRow> nstat_rows(const Stack& s);

// nstat's increments (dump_incr_db): each row minus the row of that name in `history`
// (absent: 0); a counter that went backwards shows 0 and is marked overflow. The gauge
// keeps its value, marked unchanged when the history has the same.
std::vector<NstatRow> nstat_increments(const std::vector<NstatRow>& now,
                                       const std::vector<NstatRow>& history);

struct NstatFormat {
  bool zeros = false;   // nstat -z: print counters that are zero too
  bool json = false;    // nstat -j: {"kernel":{"IpInReceives":546,...}}
  bool pretty = false;  // nstat -p: the JSON indented, one counter a line
};

// nstat's output of `rows` (without -z, those with a value and not unchanged): "#kernel", then
// "%-32s%-16llu%6.1f" lines of name, value and rate (always 0.0: no nstat daemon measures one), "
// (overflow)" after an overflowed increment; or the JSON object, as iproute2's json_writer prints
// it.
std::string nstat_text(const std::vector<NstatRow>& rows, NstatFormat f = {});
// `nstat -a` of a stack: every nonzero counter's absolute value.
std::string nstat_text(const Stack& s, NstatFormat f = {});

// "STATE N" lines, one per netstat state name (tcp::netstat_name), sorted by name.
// `netstat -n` leaves listening sockets out; include_listen = true is `netstat -an`.
std::string state_counts(const std::vector<SocketRow>& rows, bool include_listen = false);
std::string state_counts(const Stack& s, bool include_listen = false);

}  // namespace ustcp::stack
