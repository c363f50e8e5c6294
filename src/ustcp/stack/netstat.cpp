// Formatting of counters and socket states in the layouts of /proc/net/snmp,
// /proc/net/netstat (net/ipv4/proc.c), nstat (iproute2 misc/nstat.c) and netstat.
#include "ustcp/stack/netstat.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>
#include <unordered_map>

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
bool is_netstat_group(std::string_view g) { return g == "TcpExt" || g == "IpExt"; }

// Counter groups in /proc order, those of one file.
std::vector<Group> groups(const tcp::Counters& c, bool netstat_file) {
  std::vector<Group> out;
  c.for_each([&](std::string_view group, std::string_view name, uint64_t value) {
    if (is_netstat_group(group) != netstat_file) return;
    if (out.empty() || out.back().name != group) out.push_back(Group{std::string(group), {}});
    out.back().items.push_back(Item{std::string(name), std::to_string(value)});
  });
  return out;
}

// "Group: name name ...\nGroup: value value ...\n", as proc.c prints a group; `per_line`
// (0: all) splits a long group into several line pairs (icmpmsg_put: 16 per pair).
std::string line_pairs(const Group& g, size_t per_line = 0) {
  std::string s;
  for (size_t from = 0; from < g.items.size();) {
    const size_t to = per_line ? std::min(g.items.size(), from + per_line) : g.items.size();
    s += g.name + ":";
    for (size_t i = from; i < to; ++i) s += " " + g.items[i].name;
    s += "\n" + g.name + ":";
    for (size_t i = from; i < to; ++i) s += " " + g.items[i].value;
    s += "\n";
    from = to;
  }
  return s;
}

// Escapes a JSON string body the way iproute2's json_writer does for counter names (which
// are letters and digits; quotes and backslashes are escaped for safety).
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// dump_kern_db/dump_incr_db: without -z, entries "with zero activity" are left out.
bool shown(const NstatRow& r, NstatFormat f) { return f.zeros || (r.value != 0 && !r.unchanged); }

}  // namespace

std::string snmp_text(const tcp::Counters& c, uint64_t curr_estab) {
  std::vector<Group> gs = groups(c, false);
  std::string s;
  for (Group& g : gs) {
    if (g.name == "Ip") {
      // snmp_seq_show_ipstats(): "Forwarding" is 1 on a router, 2 on a host.
      g.items.insert(g.items.begin(), {Item{"Forwarding", "2"}, Item{"DefaultTTL", "64"}});
    } else if (g.name == "Tcp") {
      // snmp4_tcp_list: RtoAlgorithm (1: other, RFC 6298), RtoMin and RtoMax in ms
      // (TCP_RTO_MIN/TCP_RTO_MAX, constants), MaxConn -1 (no limit, printed signed).
      g.items.insert(g.items.begin(), {Item{"RtoAlgorithm", "1"}, Item{"RtoMin", "200"},
                                       Item{"RtoMax", "120000"}, Item{"MaxConn", "-1"}});
      auto it = g.items.begin();
      while (it != g.items.end() && it->name != "EstabResets") ++it;
      g.items.insert(it == g.items.end() ? it : it + 1,
                     Item{"CurrEstab", std::to_string(curr_estab)});
    }
    s += line_pairs(g, g.name == "IcmpMsg" ? 16 : 0);
  }
  return s;
}

std::string snmp_text(const Stack& s) { return snmp_text(s.counters(), s.curr_estab()); }

std::string netstat_text(const tcp::Counters& c) {
  std::string s;
  for (const Group& g : groups(c, true)) s += line_pairs(g);
  return s;
}

std::string netstat_text(const Stack& s) { return netstat_text(s.counters()); }

std::vector<NstatRow> nstat_rows(const tcp::Counters& c, uint64_t curr_estab) {
  std::vector<NstatRow> rows;
  // for_each visits the /proc/net/snmp groups before the /proc/net/netstat ones, nstat's
  // order.
  c.for_each([&](std::string_view group, std::string_view name, uint64_t value) {
    rows.push_back(NstatRow{std::string(group).append(name), value});
    if (group == "Tcp" && name == "EstabResets") rows.push_back({kNstatCurrEstab, curr_estab});
  });
  return rows;
}

std::vector<NstatRow> nstat_rows(const Stack& s) {
  return nstat_rows(s.counters(), s.curr_estab());
}

std::vector<NstatRow> nstat_increments(const std::vector<NstatRow>& now,
                                       const std::vector<NstatRow>& history) {
  std::unordered_map<std::string_view, uint64_t> before;
  for (const NstatRow& r : history) before.emplace(r.name, r.value);
  std::vector<NstatRow> out = now;
  for (NstatRow& r : out) {
    auto it = before.find(r.name);
    if (it == before.end()) continue;
    if (r.name == kNstatCurrEstab) {
      r.unchanged = r.value == it->second;
      continue;
    }
    // dump_incr_db(): a counter that went backwards shows 0, marked "(overflow)".
    r.overflow = r.value < it->second;
    r.value = r.overflow ? 0 : r.value - it->second;
  }
  return out;
}

std::string nstat_text(const std::vector<NstatRow>& rows, NstatFormat f) {
  std::string s;
  if (f.json) {
    // json_writer: compact {"kernel":{"A":1,"B":2}}; pretty: four spaces a level,
    // "name": value, an empty object as {}.
    s = f.pretty ? "{\n    \"kernel\": {" : "{\"kernel\":{";
    bool first = true;
    for (const NstatRow& r : rows) {
      if (!shown(r, f)) continue;
      if (!first) s += ",";
      first = false;
      if (f.pretty) s += "\n        ";
      s += json_string(r.name) + (f.pretty ? ": " : ":") + std::to_string(r.value);
    }
    if (f.pretty) return s + (first ? "}\n}\n" : "\n    }\n}\n");
    return s + "}}\n";
  }
  s = "#kernel\n";
  char buf[160];
  for (const NstatRow& r : rows) {
    if (!shown(r, f)) continue;
    std::snprintf(buf, sizeof buf, "%-32s%-16llu%6.1f%s\n", r.name.c_str(),
                  static_cast<unsigned long long>(r.value), 0.0, r.overflow ? " (overflow)" : "");
    s += buf;
  }
  return s;
}

std::string nstat_text(const Stack& s, NstatFormat f) { return nstat_text(nstat_rows(s), f); }

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
