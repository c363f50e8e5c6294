// Formatting of counters and socket states in the layouts of /proc/net/snmp,
// /proc/net/netstat (net/ipv4/proc.c), nstat (iproute2 misc/nstat.c) and netstat.
#include "ustcp/stack/netstat.hpp"

#include <cstdio>
#include <map>
#include <string_view>
#include <utility>

#include "ustcp/tcp/state.hpp"

namespace ustcp::stack {
namespace {

struct Item {
  std::string name;
  std::string value;
};

struct Group {
  std::string name;
  std::vector<Item> items;
};

// Groups printed in /proc/net/netstat; every other group is a /proc/net/snmp line.
bool is_netstat_group(std::string_view g) {
  return g == "TcpExt" || g == "IpExt" || g == "MPTcpExt";
}

// Counter groups in first-appearance order, split by the file they belong to.
std::vector<Group> groups(const tcp::Counters& c, bool netstat_file) {
  std::vector<Group> out;
  c.for_each([&](const char* group, const char* name, uint64_t value) {
    if (is_netstat_group(group) != netstat_file) return;
    if (out.empty() || out.back().name != group) out.push_back(Group{group, {}});
    out.back().items.push_back(Item{name, std::to_string(value)});
  });
  return out;
}

// (group + name, value) in nstat's order: /proc/net/snmp (Ip, Tcp) before
// /proc/net/netstat (TcpExt).
std::vector<std::pair<std::string, uint64_t>> nstat_rows(const tcp::Counters& c) {
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (bool netstat_file : {false, true}) {
    c.for_each([&](const char* group, const char* name, uint64_t value) {
      if (is_netstat_group(group) == netstat_file) {
        rows.emplace_back(std::string(group) + name, value);
      }
    });
  }
  return rows;
}

std::string line_pairs(const std::vector<Group>& gs) {
  std::string s;
  for (const Group& g : gs) {
    s += g.name + ":";
    for (const Item& i : g.items) s += " " + i.name;
    s += "\n" + g.name + ":";
    for (const Item& i : g.items) s += " " + i.value;
    s += "\n";
  }
  return s;
}

}  // namespace

std::string snmp_text(const tcp::Counters& c, uint64_t curr_estab) {
  std::vector<Group> gs = groups(c, false);
  for (Group& g : gs) {
    if (g.name == "Ip") {
      // snmp_seq_show_ipstats(): "Forwarding" is 1 on a router, 2 on a host.
      g.items.insert(g.items.begin(), {Item{"Forwarding", "2"}, Item{"DefaultTTL", "64"}});
    } else if (g.name == "Tcp") {
      // snmp4_tcp_list: RtoAlgorithm (1: other, RFC 6298), RtoMin and RtoMax in ms
      // (TCP_RTO_MIN/TCP_RTO_MAX, constants), MaxConn -1 (no limit, printed signed).
      g.items.insert(g.items.begin(), {Item{"RtoAlgorithm", "1"}, Item{"RtoMin", "200"},
                                       Item{"RtoMax", "120000"}, Item{"MaxConn", "-1"}});
      Item estab{"CurrEstab", std::to_string(curr_estab)};
      auto it = g.items.begin();
      while (it != g.items.end() && it->name != "EstabResets") ++it;
      g.items.insert(it == g.items.end() ? it : it + 1, estab);
    }
  }
  return line_pairs(gs);
}

std::string snmp_text(const Stack& s) { return snmp_text(s.counters(), s.curr_estab()); }

std::string netstat_text(const tcp::Counters& c) { return line_pairs(groups(c, true)); }

std::string netstat_text(const Stack& s) { return netstat_text(s.counters()); }

std::string nstat_text(const tcp::Counters& c, NstatOptions opts) {
  std::vector<std::pair<std::string, uint64_t>> rows = nstat_rows(c);
  if (opts.since) {
    const auto prev = nstat_rows(*opts.since);
    for (size_t k = 0; k < rows.size(); ++k) {
      // dump_incr_db(): a counter that went backwards shows 0.
      rows[k].second = rows[k].second >= prev[k].second ? rows[k].second - prev[k].second : 0;
    }
  }
  std::string s = "#kernel\n";
  char buf[128];
  for (const auto& [name, value] : rows) {
    if (value == 0 && !opts.zeros) continue;
    std::snprintf(buf, sizeof buf, "%-32s%-16llu%6.1f\n", name.c_str(),
                  static_cast<unsigned long long>(value), 0.0);
    s += buf;
  }
  return s;
}

std::string nstat_text(const Stack& s, NstatOptions opts) { return nstat_text(s.counters(), opts); }

std::string state_counts(const std::vector<SocketRow>& rows, bool include_listen) {
  std::map<std::string, uint64_t> n;
  for (const SocketRow& r : rows) {
    if (r.state == tcp::State::Listen && !include_listen) continue;
    // A socket in CLOSE is in no hash table, so /proc/net/tcp (and netstat) never shows it.
    if (r.state == tcp::State::Close) continue;
    ++n[tcp::netstat_name(r.state)];
  }
  std::string s;
  for (const auto& [state, count] : n) s += state + " " + std::to_string(count) + "\n";
  return s;
}

std::string state_counts(const Stack& s, bool include_listen) {
  return state_counts(s.socket_table(), include_listen);
}

}  // namespace ustcp::stack
