// Backquoted commands and %{ }% code blocks. Commands are, in practice, sysctl settings:
// they are applied to the Stack's Config; anything else (tc, ethtool, ip route) makes the
// script skipped, never passed. Code blocks support `assert tcpi_X OP N` on the TCP_INFO
// fields ustcp has, captured when the block's time comes.
#include <algorithm>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "drill/session.hpp"
#include "drill/symbols.hpp"
#include "ustcp/stack/sysctl.hpp"

namespace ustcp::drill {

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits a command into statements at newlines, ';' and '&&' outside quotes.
std::vector<std::string> statements(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      cur += c;
    } else if (c == '\n' || c == ';' || (c == '&' && i + 1 < text.size() && text[i + 1] == '&')) {
      if (c == '&') ++i;
      out.push_back(trim(cur));
      cur.clear();
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // line continuation
    } else {
      cur += c;
    }
  }
  out.push_back(trim(cur));
  std::erase_if(out, [](const std::string& s) { return s.empty() || s[0] == '#'; });
  return out;
}

// Shell words with quotes removed: sysctl -q net.ipv4.tcp_rmem="4096 87380 6291456".
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

// Linux sysctls ustcp has no knob for, at the one value that describes what ustcp does
// anyway: setting them to that value is a no-op; any other value skips the script.
struct FixedSysctl {
  std::string_view name;
  std::string_view value;
  std::string_view why;
};
constexpr FixedSysctl kFixed[] = {
    {"net.ipv4.tcp_ecn", "0", "ustcp does not negotiate ECN"},
    {"net.ipv4.tcp_fastopen", "0", "ustcp has no TCP Fast Open"},
    {"net.ipv4.tcp_no_metrics_save", "1", "ustcp keeps no route metrics"},
    {"net.ipv4.tcp_mtu_probing", "0", "ustcp does no MTU probing"},
    {"net.ipv4.tcp_autocorking", "0", "ustcp does not autocork"},
    {"net.ipv4.tcp_thin_linear_timeouts", "0", "ustcp has no thin-stream mode"},
    {"net.ipv4.tcp_fack", "0", "ustcp has no FACK"},
};

std::string sysctl_name(std::string_view raw) {
  std::string n(raw);
  if (n.rfind("/proc/sys/", 0) == 0) n = n.substr(10);
  for (char& c : n)
    if (c == '/') c = '.';
  return n;
}

// Splits at '|' outside quotes.
std::vector<std::string> pipeline(std::string_view text) {
  std::vector<std::string> out(1);
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '|') {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

// Drops a trailing `> /dev/null` (or `>/dev/null`, `2>&1`): the output is not looked at.
void drop_redirections(std::vector<std::string>& w) {
  for (size_t i = 0; i < w.size();) {
    if (w[i] == ">/dev/null" || w[i] == "2>&1" || w[i] == ">&2") {
      w.erase(w.begin() + static_cast<ptrdiff_t>(i));
    } else if (w[i] == ">" && i + 1 < w.size() && w[i + 1] == "/dev/null") {
      w.erase(w.begin() + static_cast<ptrdiff_t>(i), w.begin() + static_cast<ptrdiff_t>(i) + 2);
    } else {
      ++i;
    }
  }
}

// nstat's name patterns: shell globs with * and ?.
bool glob_match(std::string_view pat, std::string_view name) {
  if (pat.empty()) return name.empty();
  if (pat[0] == '*') {
    for (size_t i = 0; i <= name.size(); ++i)
      if (glob_match(pat.substr(1), name.substr(i))) return true;
    return false;
  }
  if (name.empty()) return false;
  if (pat[0] != '?' && pat[0] != name[0]) return false;
  return glob_match(pat.substr(1), name.substr(1));
}

}  // namespace

// The sysctls of tests/drill/common/defaults.sh (packetdrill's gtests/net/common/defaults.sh).
// Each one the stack's sysctl table knows is applied; the others describe kernel machinery
// ustcp does not model (or not yet: once the table knows a name, it is applied here too).
constexpr std::pair<std::string_view, std::string_view> kDefaults[] = {
    {"net.ipv4.tcp_rmem", "4096 540000 15728640"},
    {"net.ipv4.tcp_wmem", "4096 262144 4194304"},
    {"net.ipv4.tcp_timestamps", "1"},
    {"net.ipv4.tcp_syn_retries", "5"},
    {"net.ipv4.tcp_synack_retries", "5"},
    {"net.ipv4.tcp_frto", "2"},
    {"net.ipv4.tcp_sack", "1"},
    {"net.ipv4.tcp_dsack", "1"},
    {"net.ipv4.tcp_fack", "0"},
    {"net.ipv4.tcp_reordering", "3"},
    {"net.ipv4.tcp_congestion_control", "cubic"},
    {"net.ipv4.tcp_slow_start_after_idle", "0"},
    {"net.ipv4.tcp_early_retrans", "4"},
    {"net.ipv4.tcp_recovery", "1"},
    {"net.ipv4.tcp_tso_win_divisor", "3"},
    {"net.ipv4.tcp_ecn", "0"},
    {"net.ipv4.tcp_ecn_option", "2"},
    {"net.ipv4.tcp_pacing_ss_ratio", "200"},
    {"net.ipv4.tcp_pacing_ca_ratio", "120"},
    {"net.ipv4.tcp_notsent_lowat", "4294967295"},
    {"net.ipv4.tcp_fastopen", "0x70403"},
    {"net.ipv4.tcp_syncookies", "1"},
};

void Session::apply_defaults() {
  for (auto [name, value] : kDefaults) {
    if (!stack::sysctl::known(name)) continue;
    auto r = stack::sysctl::apply(stack_.config(), name, value);
    if (!r) throw Failure{0, "internal: default sysctl " + r.error().message()};
  }
}

void Session::apply_sysctl(std::string_view raw_name, std::string_view value, Pos pos) {
  std::string name = sysctl_name(raw_name);
  std::string v = trim(value);
  if (stack::sysctl::known(name)) {
    auto r = stack::sysctl::apply(stack_.config(), name, v);
    if (!r) throw Failure{pos, "sysctl " + r.error().message()};
    trace(secs(clock_) + "  sysctl " + name + " = " + v);
    return;
  }
  for (const FixedSysctl& f : kFixed) {
    if (f.name == name) {
      if (f.value == v) {
        trace(secs(clock_) + "  sysctl " + name + " = " + v + " (no-op: " + std::string(f.why) +
              ")");
        return;
      }
      throw Skipped{pos, "sysctl " + name + "=" + v + " (" + std::string(f.why) + ")"};
    }
  }
  throw Skipped{pos, "sysctl " + name};
}

void Session::command(const Command& c, Pos pos) {
  for (const std::string& stmt : statements(c.text)) {
    std::vector<std::string> w = words(stmt);
    drop_redirections(w);
    if (w.empty()) continue;
    if (ends_with(w[0], "defaults.sh")) {
      apply_defaults();
      trace(secs(clock_) + "  packetdrill defaults applied");
      continue;
    }
    if (w[0] == "sysctl") {
      bool any = false;
      for (size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "-q" || w[i] == "-w" || w[i] == "-e" || w[i] == "-qw" || w[i] == "-wq")
          continue;
        size_t eq = w[i].find('=');
        if (eq == std::string::npos)
          throw Skipped{pos, "command `" + stmt + "` (reading a sysctl)"};
        apply_sysctl(w[i].substr(0, eq), w[i].substr(eq + 1), pos);
        any = true;
      }
      if (!any) throw Failure{pos, "sysctl command without name=value: `" + stmt + "`"};
      continue;
    }
    if (w[0] == "nstat") {
      nstat(stmt, pos);
      continue;
    }
    if (ends_with(w[0], "set_sysctls.py")) {
      for (size_t i = 1; i < w.size(); ++i) {
        size_t eq = w[i].find('=');
        if (eq == std::string::npos)
          throw Failure{pos, "set_sysctls.py expects /proc/sys/...=value: `" + w[i] + "`"};
        apply_sysctl(w[i].substr(0, eq), w[i].substr(eq + 1), pos);
      }
      continue;
    }
    if (w[0] == "echo" && w.size() >= 4 && w[w.size() - 2] == ">" &&
        w.back().rfind("/proc/sys/", 0) == 0) {
      std::string value;
      for (size_t i = 1; i + 2 < w.size(); ++i) value += (value.empty() ? "" : " ") + w[i];
      apply_sysctl(w.back(), value, pos);
      continue;
    }
    throw Skipped{pos, "command `" + stmt + "`"};
  }
}

// ---- nstat | grep ----

// `nstat [-a] [-s] [-z] [-n] [NAME...] [| grep [-q] [-E] [-x] PATTERN]`: nstat(8) over the
// stack's counters, as scripts written for Linux check a counter (packetdrill runs the
// command in the test's network namespace; grep's exit status decides). Without -a nstat
// prints increments since its last run (its history, kept per script here); -s leaves the
// history alone, -z prints zeros, -n prints nothing. NAMEs are globs.
void Session::nstat(const std::string& stmt, Pos pos) {
  std::vector<std::string> parts = pipeline(stmt);
  if (parts.size() > 2) throw Skipped{pos, "command `" + stmt + "` (one `| grep` at most)"};
  std::vector<std::string> w = words(parts[0]);
  drop_redirections(w);
  bool absolute = false, keep_history = false, no_output = false;
  stack::NstatFormat fmt;
  std::vector<std::string> globs;
  for (size_t i = 1; i < w.size(); ++i) {
    if (w[i].size() > 1 && w[i][0] == '-' && w[i][1] != '-') {
      for (char f : std::string_view(w[i]).substr(1)) {
        if (f == 'a')
          absolute = true;
        else if (f == 's')
          keep_history = true;
        else if (f == 'z')
          fmt.zeros = true;
        else if (f == 'n')
          no_output = true;
        else
          throw Skipped{pos, "command `" + stmt + "` (nstat option -" + std::string(1, f) + ")"};
      }
    } else if (w[i].rfind("--", 0) == 0) {
      throw Skipped{pos, "command `" + stmt + "` (nstat option " + w[i] + ")"};
    } else {
      globs.push_back(w[i]);
    }
  }
  std::vector<stack::NstatRow> now = stack::nstat_rows(stack_);
  // Without a history (nstat's first run) the increments are from zero: absolute values.
  std::vector<stack::NstatRow> shown =
      absolute
          ? now
          : stack::nstat_increments(now, nstat_history_.value_or(std::vector<stack::NstatRow>{}));
  if (!keep_history) nstat_history_ = now;
  if (!globs.empty()) {
    std::erase_if(shown, [&](const stack::NstatRow& r) {
      return std::none_of(globs.begin(), globs.end(),
                          [&](const std::string& g) { return glob_match(g, r.name); });
    });
  }
  const std::string out = no_output ? std::string() : stack::nstat_text(shown, fmt);
  trace(secs(clock_) + "  nstat:\n" + out);
  if (parts.size() == 1) return;

  std::vector<std::string> g = words(parts[1]);
  drop_redirections(g);
  if (g.empty() || g[0] != "grep")
    throw Skipped{pos, "command `" + stmt + "` (nstat output piped to anything but grep)"};
  bool extended = false, whole_line = false;
  std::optional<std::string> pattern;
  for (size_t i = 1; i < g.size(); ++i) {
    if (!pattern && g[i].size() > 1 && g[i][0] == '-') {
      for (char f : std::string_view(g[i]).substr(1)) {
        if (f == 'q')
          continue;
        else if (f == 'E')
          extended = true;
        else if (f == 'x')
          whole_line = true;
        else
          throw Skipped{pos, "command `" + stmt + "` (grep option -" + std::string(1, f) + ")"};
      }
    } else if (!pattern) {
      pattern = g[i];
    } else {
      throw Skipped{pos, "command `" + stmt + "` (grep with files)"};
    }
  }
  if (!pattern) throw Failure{pos, "grep without a pattern: `" + stmt + "`"};
  std::regex re;
  try {
    re = std::regex(*pattern, extended ? std::regex::extended : std::regex::basic);
  } catch (const std::regex_error& e) {
    throw Failure{pos, "grep pattern '" + *pattern + "': " + e.what()};
  }
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (whole_line ? std::regex_match(line, re) : std::regex_search(line, re)) return;
  }
  std::string printed;
  std::istringstream again(out);
  for (std::string line; std::getline(again, line);) printed += "\n    " + line;
  throw Failure{pos, "command `" + stmt + "` failed: no line of nstat's output matches '" +
                         *pattern + "'; nstat printed:" + printed};
}

// ---- %{ assert tcpi_... }% ----

void Session::code(const Code& c, Pos pos) {
  const std::optional<stack::SocketId> under_test = socket_under_test();
  const tcp::Connection* conn = under_test ? stack_.connection(*under_test) : nullptr;
  for (const std::string& line : statements(c.text)) {
    std::istringstream in(line);
    std::string kw, field, op, rhs, extra;
    in >> kw >> field >> op >> rhs;
    if (kw != "assert" || field.rfind("tcpi_", 0) != 0 || rhs.empty() || (in >> extra))
      throw Skipped{pos, "code `" + line + "` (only `assert tcpi_X OP N` is supported)"};
    std::optional<int64_t> want = symbol_value(rhs);
    if (!want) {
      char* end = nullptr;
      long long v = std::strtoll(rhs.c_str(), &end, 0);
      if (*end != '\0') throw Failure{pos, "assert: '" + rhs + "' is not a number or constant"};
      want = v;
    }
    if (!conn) throw Failure{pos, "assert " + field + ": no connection under test"};
    auto usecs = [](Duration d) {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
    };
    std::optional<int64_t> have;
    if (field == "tcpi_state")
      have = static_cast<int64_t>(conn->state()) + 1;  // Linux's numbering
    else if (field == "tcpi_snd_cwnd")
      have = conn->cwnd();
    else if (field == "tcpi_snd_ssthresh")
      have = conn->ssthresh();
    else if (field == "tcpi_snd_mss")
      have = conn->mss();
    else if (field == "tcpi_rto")
      have = usecs(conn->rto());
    else if (field == "tcpi_rtt")
      have = usecs(conn->rtt().srtt());
    else if (field == "tcpi_rttvar")
      have = usecs(conn->rtt().rttvar());
    else if (field == "tcpi_retransmits")
      have = conn->retransmits();
    else if (field == "tcpi_total_retrans")
      have = static_cast<int64_t>(conn->total_retrans());
    else if (field == "tcpi_snd_wscale")
      have = conn->snd_wscale();
    else if (field == "tcpi_rcv_wscale")
      have = conn->rcv_wscale();
    else if (field == "tcpi_options")
      have = (conn->ts_ok() ? 1 : 0) | (conn->sack_ok() ? 2 : 0) |
             (conn->snd_wscale() || conn->rcv_wscale() ? 4 : 0);
    else if (field == "tcpi_unacked")
      have = conn->info(TimePoint{}).unacked;
    else
      throw Skipped{pos, "TCP_INFO field " + field};
    bool holds;
    if (op == "==")
      holds = *have == *want;
    else if (op == "!=")
      holds = *have != *want;
    else if (op == "<")
      holds = *have < *want;
    else if (op == "<=")
      holds = *have <= *want;
    else if (op == ">")
      holds = *have > *want;
    else if (op == ">=")
      holds = *have >= *want;
    else
      throw Skipped{pos, "code `" + line + "` (operator " + op + ")"};
    trace(secs(clock_) + "  " + line + " (" + field + " = " + std::to_string(*have) + ")");
    if (!holds)
      throw Failure{pos, "assertion failed at " + secs(clock_) + ": " + line + " (" + field +
                             " is " + std::to_string(*have) + ")"};
  }
}

}  // namespace ustcp::drill
