// Counters and socket states as Linux's tools print them:
//  - snmp_text():    /proc/net/snmp    ("Ip: ..." and "Tcp: ..." name/value line pairs)
//  - netstat_text(): /proc/net/netstat ("TcpExt: ..." name/value line pair)
//  - nstat_text():   nstat(8)          ("#kernel", then "TcpActiveOpens   2   0.0" lines)
//  - state_counts(): netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'
// Pure formatting: nothing here reads a clock or changes the stack.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ustcp/stack/stack.hpp"
#include "ustcp/tcp/counters.hpp"

namespace ustcp::stack {

// /proc/net/snmp for the Ip and Tcp groups, as net/ipv4/proc.c prints them: Ip starts with
// Forwarding (2: not a router) and DefaultTTL (64); Tcp starts with the constants
// RtoAlgorithm 1, RtoMin 200, RtoMax 120000, MaxConn -1, and has CurrEstab (a gauge, given
// here) after EstabResets, in snmp4_tcp_list order.
std::string snmp_text(const tcp::Counters& c, uint64_t curr_estab);
std::string snmp_text(const Stack& s);

// /proc/net/netstat: one pair of lines per extended group (TcpExt).
std::string netstat_text(const tcp::Counters& c);
std::string netstat_text(const Stack& s);

struct NstatOptions {
  bool zeros = false;                    // nstat -z: print counters that are zero too
  const tcp::Counters* since = nullptr;  // print increments since this snapshot (nstat's
                                         // history); nullptr: absolute values (nstat -a)
};

// nstat output: "#kernel", then "%-32s%-16llu%6.1f" lines of group+name, value and rate
// (always 0.0: there is no nstat daemon measuring one). Like nstat, the constants and the
// CurrEstab gauge are left out (nstat.c useless_numbers). Order: Ip, Tcp, then TcpExt.
std::string nstat_text(const tcp::Counters& c, NstatOptions opts = {});
std::string nstat_text(const Stack& s, NstatOptions opts = {});

// "STATE N" lines, one per netstat state name (tcp::netstat_name), sorted by name.
// `netstat -n` leaves listening sockets out; include_listen = true is `netstat -an`.
std::string state_counts(const std::vector<SocketRow>& rows, bool include_listen = false);
std::string state_counts(const Stack& s, bool include_listen = false);

}  // namespace ustcp::stack
