// Backquoted commands and %{ }% code blocks. Commands are, in practice, sysctl settings:
// they are applied to the Stack's Config; anything else (tc, ethtool, ip route) makes the
// script skipped, never passed. Code blocks support `assert tcpi_X OP N` on the TCP_INFO
// fields ustcp has, captured when the block's time comes.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "drill/python_expr.hpp"
#include "drill/session.hpp"
#include "drill/symbols.hpp"
#include "ustcp/stack/sysctl.hpp"
#include "ustcp/tcp/tcp_info.hpp"

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

constexpr std::string_view kCubicParams = "/sys/module/tcp_cubic/parameters/";

// `ethtool -K tun0 tso off gso off ...`: Linux then sends MSS-sized segments and takes
// packets one by one, as ustcp always does.
bool offloads_off(const std::vector<std::string>& w) {
  if (w.size() < 5 || w[0] != "ethtool" || w[1] != "-K" || w[2] != "tun0" || w.size() % 2 != 1)
    return false;
  for (size_t i = 3; i + 1 < w.size(); i += 2) {
    static constexpr std::string_view kOff[] = {"tso", "gso", "gro", "lro", "sg", "tx", "rx"};
    if (w[i + 1] != "off" || std::find(std::begin(kOff), std::end(kOff), w[i]) == std::end(kOff))
      return false;
  }
  return true;
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
// anyway: setting them to that value is a no-op; any other value skips the script. "*":
// every value is a no-op (tcp_tso_win_divisor bounds how long tcp_tso_should_defer holds a
// unit back to grow it; ustcp never defers, and a difference in when segments go shows as
// a failure, not a skip). tcp_min_tso_segs is a real sysctl of the stack.
struct FixedSysctl {
  std::string_view name;
  std::string_view value;
  std::string_view why;
};
constexpr FixedSysctl kFixed[] = {
    {"net.ipv4.tcp_tso_win_divisor", "*", "ustcp has no TSO"},
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
    if (w[i] == ">/dev/null" || w[i] == "2>/dev/null" || w[i] == "2>&1" || w[i] == ">&2") {
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
      if (f.value == v || f.value == "*") {
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
    if (w[0] == "echo" && w.size() == 4 && w[2] == ">" && w[3].rfind(kCubicParams, 0) == 0) {
      cubic_parameter(w[3].substr(kCubicParams.size()), w[1], stmt, pos);
      continue;
    }
    if (offloads_off(w) || (w.size() == 6 && w[0] == "tc" && w[1] == "qdisc" &&
                            (w[2] == "del" || w[2] == "delete") && w[5] == "root")) {
      trace(secs(clock_) + "  " + stmt + " (no-op: " +
            (w[0] == "tc" ? "ustcp sends unpaced, as under the default qdisc"
                          : "ustcp has no offloads") +
            ")");
      continue;
    }
    throw Skipped{pos, "command `" + stmt + "`"};
  }
}

// tcp_cubic.ko's module parameters: ustcp's CUBIC (src/ustcp/tcp/cubic.cpp) has Linux's
// defaults built in, so writing a default is a no-op and any other value skips the script.
void Session::cubic_parameter(std::string_view name, std::string_view value,
                              const std::string& stmt, Pos pos) {
  static constexpr std::pair<std::string_view, std::string_view> kCubicDefaults[] = {
      {"fast_convergence", "1"},        {"beta", "717"},
      {"initial_ssthresh", "0"},        {"bic_scale", "41"},
      {"tcp_friendliness", "1"},        {"hystart", "1"},
      {"hystart_detect", "3"},          {"hystart_low_window", "16"},
      {"hystart_ack_delta_us", "2000"},
  };
  for (const auto& [n, v] : kCubicDefaults) {
    if (n != name) continue;
    if (v != value)
      throw Skipped{pos, "command `" + stmt + "` (ustcp's CUBIC has " + std::string(n) + " " +
                             std::string(v) + ")"};
    trace(secs(clock_) + "  " + stmt + " (no-op: ustcp's CUBIC default)");
    return;
  }
  throw Skipped{pos, "command `" + stmt + "`"};
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

namespace {

// The struct tcp_info fields a code block may name, as tcpi_<field>.
std::optional<int64_t> tcpi_field(const tcp::TcpInfo& i, std::string_view name) {
#define USTCP_TCPI(f) \
  if (name == #f) return static_cast<int64_t>(i.f);
  USTCP_TCPI(state)
  USTCP_TCPI(ca_state)
  USTCP_TCPI(retransmits)
  USTCP_TCPI(probes)
  USTCP_TCPI(backoff)
  USTCP_TCPI(options)
  USTCP_TCPI(snd_wscale)
  USTCP_TCPI(rcv_wscale)
  USTCP_TCPI(delivery_rate_app_limited)
  USTCP_TCPI(rto)
  USTCP_TCPI(ato)
  USTCP_TCPI(snd_mss)
  USTCP_TCPI(rcv_mss)
  USTCP_TCPI(unacked)
  USTCP_TCPI(sacked)
  USTCP_TCPI(lost)
  USTCP_TCPI(retrans)
  USTCP_TCPI(fackets)
  USTCP_TCPI(last_data_sent)
  USTCP_TCPI(last_ack_sent)
  USTCP_TCPI(last_data_recv)
  USTCP_TCPI(last_ack_recv)
  USTCP_TCPI(pmtu)
  USTCP_TCPI(rcv_ssthresh)
  USTCP_TCPI(rtt)
  USTCP_TCPI(rttvar)
  USTCP_TCPI(snd_ssthresh)
  USTCP_TCPI(snd_cwnd)
  USTCP_TCPI(advmss)
  USTCP_TCPI(reordering)
  USTCP_TCPI(rcv_rtt)
  USTCP_TCPI(rcv_space)
  USTCP_TCPI(total_retrans)
  USTCP_TCPI(pacing_rate)
  USTCP_TCPI(max_pacing_rate)
  USTCP_TCPI(bytes_acked)
  USTCP_TCPI(bytes_received)
  USTCP_TCPI(segs_out)
  USTCP_TCPI(segs_in)
  USTCP_TCPI(notsent_bytes)
  USTCP_TCPI(min_rtt)
  USTCP_TCPI(data_segs_in)
  USTCP_TCPI(data_segs_out)
  USTCP_TCPI(delivery_rate)
  USTCP_TCPI(busy_time)
  USTCP_TCPI(rwnd_limited)
  USTCP_TCPI(sndbuf_limited)
  USTCP_TCPI(delivered)
  USTCP_TCPI(delivered_ce)
  USTCP_TCPI(bytes_sent)
  USTCP_TCPI(bytes_retrans)
  USTCP_TCPI(dsack_dups)
  USTCP_TCPI(reord_seen)
  USTCP_TCPI(rcv_ooopack)
  USTCP_TCPI(snd_wnd)
  USTCP_TCPI(rcv_wnd)
  USTCP_TCPI(rehash)
  USTCP_TCPI(total_rto)
  USTCP_TCPI(total_rto_recoveries)
  USTCP_TCPI(total_rto_time)
#undef USTCP_TCPI
  return std::nullopt;
}

// `name = expr` or `name += expr` (-=, *=): nullopt for anything else (`a == b` included).
struct Assignment {
  std::string name;
  std::string op;  // "" for =, else the binary operator: "+", "-", "*"
  std::string value;
};
std::optional<Assignment> assignment(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
    ++i;
  if (i == 0 || std::isdigit(static_cast<unsigned char>(line[0]))) return std::nullopt;
  Assignment a{line.substr(0, i), "", ""};
  size_t j = line.find_first_not_of(" \t", i);
  if (j == std::string::npos) return std::nullopt;
  if (line.compare(j, 1, "=") == 0 && line.compare(j, 2, "==") != 0) {
    a.value = line.substr(j + 1);
  } else if (j + 1 < line.size() && line[j + 1] == '=' &&
             std::string_view("+-*").find(line[j]) != std::string_view::npos) {
    a.op = std::string(1, line[j]);
    a.value = line.substr(j + 2);
  } else {
    return std::nullopt;
  }
  if (a.name.rfind("tcpi_", 0) == 0) return std::nullopt;  // CPython would rebind it; no use here
  return a;
}

}  // namespace

// `%{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%`: packetdrill runs the block as Python
// with the connection's struct tcp_info at that moment, in one interpreter for the whole
// script (a variable a block assigns is there for the later ones). Statements here:
// `assert EXPR[, message]`, `NAME = EXPR` (also += -= *=), `print(...)` (traced), `pass`,
// `# comments`, with EXPR in python_expr's integer subset; anything else skips the script.
void Session::code(const Code& c, Pos pos) {
  const std::optional<stack::SocketId> under_test = socket_under_test();
  const tcp::Connection* conn = under_test ? stack_.connection(*under_test) : nullptr;
  std::optional<tcp::TcpInfo> info;  // taken at the first tcpi_ name
  std::string values;                // "tcpi_x is N, ..." for the trace and the failure
  const py::Lookup lookup = [&](std::string_view name) -> std::optional<int64_t> {
    if (auto v = py_vars_.find(std::string(name)); v != py_vars_.end()) return v->second;
    if (name.rfind("tcpi_", 0) == 0) {
      if (!conn) throw Failure{pos, "code: no connection under test for " + std::string(name)};
      if (!info) info = conn->info(clock_);
      auto f = tcpi_field(*info, name.substr(5));
      if (!f) throw py::Unsupported{"TCP_INFO field " + std::string(name)};
      values += (values.empty() ? "" : ", ") + std::string(name) + " is " + std::to_string(*f);
      return f;
    }
    return symbol_value(name);
  };
  for (std::string line : statements(c.text)) {
    if (size_t hash = py::find_top_level(line, '#'); hash != std::string::npos)
      line = trim(line.substr(0, hash));
    if (line.empty() || line == "pass") continue;
    values.clear();
    try {
      if (line.rfind("print(", 0) == 0 && line.back() == ')') {
        int64_t v = py::eval(std::string_view(line).substr(5), lookup);
        trace(secs(clock_) + "  " + line + " -> " + std::to_string(v));
      } else if (line.rfind("assert", 0) == 0 && line.size() > 6 &&
                 (line[6] == ' ' || line[6] == '\t' || line[6] == '(')) {
        std::string expr = line.substr(6);
        if (size_t comma = py::find_top_level(expr, ','); comma != std::string::npos)
          expr = expr.substr(0, comma);
        expr = trim(expr);
        const bool holds = py::eval(expr, lookup) != 0;
        trace(secs(clock_) + "  assert " + expr + (values.empty() ? "" : " (" + values + ")"));
        if (!holds)
          throw Failure{pos, "assertion failed at " + secs(clock_) + ": assert " + expr +
                                 (values.empty() ? "" : " (" + values + ")")};
      } else if (auto a = assignment(line)) {
        // x += e is x = x + (e): an unknown x is CPython's NameError, outside the subset.
        const int64_t v =
            py::eval(a->op.empty() ? a->value : a->name + a->op + "(" + a->value + ")", lookup);
        py_vars_[a->name] = v;
        trace(secs(clock_) + "  " + a->name + " = " + std::to_string(v));
      } else {
        throw py::Unsupported{"the statement"};
      }
    } catch (const py::Unsupported& u) {
      throw Skipped{pos, "code `" + line + "` (" + u.what + ")"};
    }
  }
}

}  // namespace ustcp::drill
