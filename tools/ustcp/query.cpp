// `ustcp ss` and `ustcp nstat`: ask a running daemon (`ustcp serve`, `ustcp get`) through its
// control socket and print the answer, as ss and nstat print the kernel's.
#include "query.hpp"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "control.hpp"
#include "ss_print.hpp"

namespace ustcp::cli {
namespace {

void add_daemon_options(CLI::App* cmd, QueryOptions& q) {
  cmd->add_option("--tun", q.tun, "the daemon's TUN device (default ustcp0)");
  cmd->add_option("--control", q.control, "the daemon's control socket");
}

// The daemon's answer, or a message (already printed) and the exit status.
std::optional<std::string> ask(const QueryOptions& q, const std::string& request, const char* cmd,
                               int& status) {
  const std::string path = q.control.empty() ? default_control_path(q.tun) : q.control;
  auto answer = control_request(path, request);
  if (!answer) {
    fmt::print(stderr, "ustcp {}: {}\n", cmd, answer.error());
    status = 1;
    return std::nullopt;
  }
  if (answer->starts_with("error: ")) {
    fmt::print(stderr, "ustcp {}: {}", cmd, answer->substr(7));
    status = 2;
    return std::nullopt;
  }
  return *answer;
}

// render_screen_width(): the terminal's columns when stdout is one, else -1 (compact).
int screen_width() {
  if (!::isatty(STDOUT_FILENO)) return -1;
  winsize w{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) != -1 && w.ws_col > 0) return w.ws_col;
  return -1;
}

}  // namespace

void add_ss_options(CLI::App* cmd, SsCommand& c) {
  add_daemon_options(cmd, c.daemon);
  // As with ss's getopt loop, the later of -a and -l wins.
  cmd->add_flag_callback(
         "-a,--all", [&c] { c.all = true, c.listening = false; }, "display all sockets")
      ->trigger_on_parse();
  cmd->add_flag_callback(
         "-l,--listening", [&c] { c.listening = true, c.all = false; }, "display listening sockets")
      ->trigger_on_parse();
  cmd->add_flag("-n,--numeric", c.numeric, "don't resolve service names");
  cmd->add_flag("-r,--resolve", c.resolve, "resolve host names");
  cmd->add_flag("-o,--options", c.options, "show timer information");
  cmd->add_flag("-e,--extended", c.extended, "show detailed socket information");
  cmd->add_flag("-m,--memory", c.memory, "show socket memory usage");
  cmd->add_flag("-i,--info", c.info, "show internal TCP information");
  cmd->add_flag("-p,--processes", c.processes, "show process using socket");
  cmd->add_flag("-s,--summary", c.summary, "show socket usage summary");
  cmd->add_flag("-H,--no-header", c.no_header, "suppress header line");
  cmd->add_flag("-O,--oneline", c.oneline, "socket's data printed on a single line");
  cmd->add_flag("-4,--ipv4", c.ipv4, "display only IP version 4 sockets");
  cmd->add_flag("-6,--ipv6", c.ipv6, "display only IP version 6 sockets (ustcp has none)");
  cmd->add_flag("-t,--tcp", c.tcp, "display only TCP sockets");
  cmd->add_flag("-u,--udp", c.udp, "display only UDP sockets (ustcp has none)");
  cmd->add_flag("-w,--raw", c.raw, "display only RAW sockets (ustcp has none)");
  cmd->add_flag("-x,--unix", c.unix_, "display only Unix domain sockets (ustcp has none)");
  cmd->add_flag("--json", c.json, "print the sockets as ustcp's JSON (see README)");
  cmd->add_option("--input", c.input,
                  "read the sockets from this file (ustcp's JSON, as the daemon sends it) "
                  "instead of asking a daemon");
  cmd->add_option("filter", c.filter,
                  "[state|exclude STATE]... [EXPRESSION], e.g. state established "
                  "'( dport = :80 or sport = :80 )'");
}

bool ss_options(const SsCommand& c, SsOptions& o, std::string& error) {
  // ss.c main(): -a and -l set the states; leading `state`/`exclude` words replace them.
  StateMask states = c.all         ? kAllStates
                     : c.listening ? state_bit(tcp::State::Listen) | state_bit(tcp::State::Close)
                                   : 0;
  bool saw_states = false;
  size_t i = 0;
  for (; i < c.filter.size(); ++i) {
    const std::string& w = c.filter[i];
    const bool excl = w == "exclude" || w == "excl";
    if (w != "state" && !excl) break;
    if (i + 1 == c.filter.size()) {
      error = fmt::format("'{}' needs a state name", w);
      return false;
    }
    auto m = scan_state(c.filter[++i]);
    if (!m) {
      error = fmt::format(
          "wrong state name: {} (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, "
          "time-wait, closed, close-wait, last-ack, listening, closing, or all, connected, "
          "synchronized, bucket, big)",
          c.filter[i]);
      return false;
    }
    if (!saw_states) states = excl ? kAllStates : 0;
    states = excl ? states & ~*m : states | *m;
    saw_states = true;
  }
  o.no_states = saw_states && states == 0;
  auto filter = SsFilter::parse(
      std::vector<std::string>(c.filter.begin() + static_cast<long>(i), c.filter.end()));
  if (!filter) {
    error = filter.error();
    return false;
  }
  const int tables = c.tcp + c.udp + c.raw + c.unix_;
  const bool by_default = tables == 0;  // ss's do_default: every table
  // filter_merge_defaults(): without -a, -l or state words, each table brings its default
  // states: TCP and Unix the connected ones (SS_CONN), UDP and RAW ESTABLISHED alone, and a
  // family (-4, -6) SS_CONN. So `ss -u` has no State column, `ss -4u` has one.
  if (states == 0 && !saw_states && !by_default && !c.tcp && !c.unix_ && !c.ipv4 && !c.ipv6) {
    states = state_bit(tcp::State::Established);
  }
  o.states = states;
  o.tcp = by_default || c.tcp;
  o.ipv4 = c.ipv4 || !c.ipv6;
  // The Netid column shows when more than one of ss's tables is read; -x reads three
  // (UNIX_DG, UNIX_ST, UNIX_SQ).
  o.netid = by_default || c.tcp + c.udp + c.raw + 3 * c.unix_ > 1;
  o.header = !c.no_header;
  o.numeric = c.numeric;
  o.resolve = c.resolve;
  o.options = c.options || c.extended;
  o.details = c.extended;
  o.memory = c.memory;
  o.info = c.info;
  o.processes = c.processes;
  o.oneline = c.oneline;
  o.filter = std::move(*filter);
  // ss -s alone prints the summary only; with a table or a filter, the sockets follow.
  o.summary_only = c.summary && by_default && c.filter.empty();
  return true;
}

int run_ss(const SsCommand& c) {
  SsOptions o;
  std::string error;
  if (!ss_options(c, o, error)) {
    fmt::print(stderr, "ustcp ss: {}\n", error);
    return 2;
  }
  if (o.no_states) {
    fmt::print(stderr, "ustcp ss: no socket states to show with such filter.\n");
    return 0;
  }
  o.screen_width = screen_width();

  std::string text;
  if (!c.input.empty()) {
    std::ifstream in(c.input);
    if (!in) {
      fmt::print(stderr, "ustcp ss: --input {}: {}\n", c.input, std::strerror(errno));
      return 1;
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  } else {
    int status = 0;
    auto answer = ask(c.daemon, "sockets", "ss", status);
    if (!answer) return status;
    text = std::move(*answer);
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string source = c.input.empty() ? "the daemon's answer" : "--input " + c.input;
  auto data = j.is_discarded() ? unexpected(source + ": not JSON") : ss_data_from_json(j);
  if (!data) {
    fmt::print(stderr, "ustcp ss: {}{}\n", j.is_discarded() ? "" : source + ": ", data.error());
    return 1;
  }
  if (c.json) {
    fmt::print("{}", ss_json_text(*data, o, c.summary));
    return 0;
  }
  if (c.summary) {
    fmt::print("{}", ss_summary_text(data->summary));
    if (o.summary_only) return 0;
  }
  fmt::print("{}", ss_table_text(*data, o));
  return 0;
}

void add_nstat_options(CLI::App* cmd, NstatCommand& c) {
  add_daemon_options(cmd, c.daemon);
  cmd->add_flag("-a,--ignore", c.ignore, "ignore history: absolute values");
  cmd->add_flag("-z,--zeros", c.zeros, "show entries with zero activity");
  cmd->add_flag("-r,--reset", c.reset, "reset history");
  cmd->add_flag("-n,--nooutput", c.no_output, "do history only");
  cmd->add_flag("-s,--noupdate", c.no_update, "don't update history");
  cmd->add_flag("-j,--json", c.json, "format output in JSON");
  cmd->add_flag("-p,--pretty", c.pretty, "pretty print (JSON)");
  cmd->add_option("patterns", c.patterns, "counter names or globs, e.g. 'TcpExt*' (any case)");
}

int run_nstat(const NstatCommand& c) {
  std::string request = "nstat";
  for (auto [on, flag] :
       {std::pair{c.ignore, " -a"}, std::pair{c.zeros, " -z"}, std::pair{c.reset, " -r"},
        std::pair{c.no_output, " -n"}, std::pair{c.no_update, " -s"}, std::pair{c.json, " -j"},
        std::pair{c.pretty, " -p"}}) {
    if (on) request += flag;
  }
  for (const auto& p : c.patterns) {
    if (p.empty() || p.find_first_of(" \t\n") != std::string::npos || p.starts_with("-")) {
      fmt::print(stderr, "ustcp nstat: invalid counter pattern '{}'\n", p);
      return 2;
    }
    request += " " + p;
  }
  int status = 0;
  auto answer = ask(c.daemon, request, "nstat", status);
  if (!answer) return status;
  fmt::print("{}", *answer);
  return 0;
}

}  // namespace ustcp::cli
