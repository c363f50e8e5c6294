#include "introspect.hpp"

#include <fmt/core.h>
#include <fnmatch.h>

#include <optional>
#include <sstream>

#include "ustcp/stack/netstat.hpp"
#include "ustcp/tcp/state.hpp"

namespace ustcp::cli {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

// "TIME-WAIT" -> "time-wait": ss's state filter names are its column names in lower case.
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string socket_table_text(const std::vector<stack::SocketRow>& rows) {
  std::string out = fmt::format("{:<11}{:>7} {:>7} {:<22}{:<22}\n", "State", "Recv-Q", "Send-Q",
                                "Local Address:Port", "Peer Address:Port");
  for (const auto& row : rows) {
    std::string peer = row.state == tcp::State::Listen ? "0.0.0.0:*" : row.remote.to_string();
    out += fmt::format("{:<11}{:>7} {:>7} {:<22}{:<22}\n", tcp::ss_name(row.state), row.recv_q,
                       row.send_q, row.local.to_string(), peer);
  }
  return out;
}

std::string Introspection::answer(const std::string& request) {
  std::vector<std::string> w = words(request);
  if (w.empty()) return "error: empty request\n";
  const std::string cmd = w.front();
  w.erase(w.begin());
  if (cmd == "ping") return "pong\n";
  if (cmd == "ss") return ss(w);
  if (cmd == "nstat") return nstat(w);
  return "error: unknown request '" + cmd + "' (expected ss or nstat)\n";
}

namespace {

// The names `ss state NAME` takes (ss.c sstate_namel), in State order, and its groups.
const char* filter_name(tcp::State st) {
  static const char* kNames[] = {"established", "syn-sent",  "syn-recv", "fin-wait-1",
                                 "fin-wait-2",  "time-wait", "closed",   "close-wait",
                                 "last-ack",    "listening", "closing"};
  return kNames[static_cast<int>(st)];
}

// Whether a socket in `st` matches `ss state NAME` (NAME a state or a group); nullopt when
// ss does not know NAME.
std::optional<bool> state_matches(const std::string& name, tcp::State st) {
  using tcp::State;
  const bool listening = st == State::Listen, closed = st == State::Close;
  if (name == "all") return true;
  // ss.c SS_CONN: every state but LISTEN, CLOSE, TIME-WAIT and SYN-RECV; `ss` without -a
  // or -l shows exactly these.
  const bool conn = !listening && !closed && st != State::TimeWait && st != State::SynRecv;
  if (name == "connected") return conn;
  if (name == "synchronized") return conn && st != State::SynSent;
  if (name == "bucket") return st == State::SynRecv || st == State::TimeWait;
  if (name == "big") return !(st == State::SynRecv || st == State::TimeWait);
  for (int i = 0; i <= static_cast<int>(State::Closing); ++i) {
    if (name == filter_name(static_cast<State>(i))) return st == static_cast<State>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string Introspection::ss(const std::vector<std::string>& args) const {
  std::string which = "connected", state;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "connected" || args[i] == "listening" || args[i] == "all") {
      which = args[i];
    } else if (args[i] == "state" && i + 1 < args.size()) {
      state = lower(args[++i]);
    } else {
      return "error: ss: unexpected '" + args[i] + "'\n";
    }
  }
  if (!state.empty() && !state_matches(state, tcp::State::Established)) {
    return "error: ss: wrong state name '" + state +
           "' (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, "
           "close-wait, last-ack, listening, closing, or a group: all, connected, "
           "synchronized, bucket, big)\n";
  }
  std::vector<stack::SocketRow> rows;
  for (const auto& row : stack_.socket_table()) {
    // `ss state X` ignores -l and -a; otherwise -a is all, -l listeners, the default SS_CONN.
    const std::string& filter = state.empty() ? which : state;
    if (!*state_matches(filter, row.state)) continue;
    rows.push_back(row);
  }
  return socket_table_text(rows);
}

std::string Introspection::nstat(const std::vector<std::string>& args) {
  bool absolute = false, zeros = false, reset = false, no_output = false;
  std::vector<std::string> patterns;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-') {
      for (char f : a.substr(1)) {
        switch (f) {
          case 'a':
            absolute = true;
            break;
          case 'z':
            zeros = true;
            break;
          case 'r':
            reset = true;
            break;
          case 'n':
            no_output = true;
            break;
          default:
            return fmt::format("error: nstat: unknown flag -{}\n", f);
        }
      }
    } else {
      patterns.push_back(a);
    }
  }
  const std::vector<stack::NstatRow> now = stack::nstat_rows(stack_);
  // nstat -r: forget the history, so this report shows everything since the start.
  if (reset) history_.clear();
  std::string text =
      stack::nstat_text(absolute ? now : stack::nstat_increments(now, history_), {.zeros = zeros});
  if (!absolute) history_ = now;  // nstat -a leaves the history alone
  if (no_output) return "";
  if (patterns.empty()) return text;
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(' '));
    bool keep = line.starts_with('#');
    for (const auto& p : patterns) keep |= ::fnmatch(p.c_str(), name.c_str(), 0) == 0;
    if (keep) out += line + "\n";
  }
  return out;
}

}  // namespace ustcp::cli
