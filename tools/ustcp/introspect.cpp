#include "introspect.hpp"

#include <fmt/core.h>
#include <fnmatch.h>

#include <sstream>
#include <unordered_map>

#include "ss_data.hpp"

namespace ustcp::cli {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

}  // namespace

std::string Introspection::answer(const std::string& request, TimePoint now) {
  std::vector<std::string> w = words(request);
  if (w.empty()) return "error: empty request\n";
  const std::string cmd = w.front();
  w.erase(w.begin());
  if (cmd == "ping") return "pong\n";
  if (cmd == "sockets" && w.empty()) return ss_data_json(ss_data(stack_, now, pid_)).dump() + "\n";
  if (cmd == "nstat") return nstat(w);
  return "error: unknown request '" + request + "' (expected sockets or nstat)\n";
}

// misc/nstat.c main(): which report, and how the history moves.
std::string Introspection::nstat(const std::vector<std::string>& args) {
  bool ignore_history = false, zeros = false, reset = false, no_output = false, no_update = false,
       json = false, pretty = false;
  std::vector<std::string> patterns;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-') {
      for (char f : a.substr(1)) {
        bool* flag = f == 'a'   ? &ignore_history
                     : f == 'z' ? &zeros
                     : f == 'r' ? &reset
                     : f == 'n' ? &no_output
                     : f == 's' ? &no_update
                     : f == 'j' ? &json
                     : f == 'p' ? &pretty
                                : nullptr;
        if (!flag) return fmt::format("error: unknown flag -{}\n", f);
        *flag = true;
      }
    } else {
      patterns.push_back(a);
    }
  }
  auto match = [&](const std::string& id) {
    if (patterns.empty()) return true;
    for (const auto& p : patterns) {
      if (::fnmatch(p.c_str(), id.c_str(), FNM_CASEFOLD) == 0) return true;
    }
    return false;
  };
  if (reset) history_.clear();
  const std::vector<stack::NstatRow> now = stack::nstat_rows(stack_);
  // Without a history (the first call, or after -r) and with -a: absolute values.
  const bool absolute = ignore_history || history_.empty();
  std::vector<stack::NstatRow> report = absolute ? now : stack::nstat_increments(now, history_);
  std::erase_if(report, [&](const stack::NstatRow& r) { return !match(r.name); });
  std::string text = stack::nstat_text(report, {.zeros = zeros, .json = json, .pretty = pretty});
  if (!no_update) {
    // dump_kern_db(hist, to_hist = 1): counters the patterns leave out keep their old
    // history value; zeros are stored only with -z.
    std::unordered_map<std::string, uint64_t> old;
    for (const auto& r : history_) old.emplace(r.name, r.value);
    std::vector<stack::NstatRow> next;
    for (stack::NstatRow r : now) {
      if (!zeros && r.value == 0) continue;
      if (!match(r.name)) {
        if (auto it = old.find(r.name); it != old.end()) r.value = it->second;
      }
      next.push_back(r);
    }
    history_ = std::move(next);
  }
  return no_output ? "" : text;
}

}  // namespace ustcp::cli
