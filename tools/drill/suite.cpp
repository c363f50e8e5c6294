#include "drill/suite.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace ustcp::drill {

namespace fs = std::filesystem;

Expected<std::vector<std::string>, std::string> collect_scripts(
    const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return unexpected(p + ": no such file or directory");
    if (fs::is_directory(st)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".pkt")
          found.push_back(it->path().string());
      }
      if (ec) return unexpected(p + ": " + ec.message());
      if (found.empty()) return unexpected(p + ": no .pkt scripts in this directory");
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  if (out.empty()) return unexpected(std::string("no scripts given"));
  return out;
}

SuiteTotals run_suite(const std::vector<std::string>& scripts, const RunOptions& opts,
                      std::ostream& out) {
  SuiteTotals t;
  for (const std::string& path : scripts) {
    RunResult r = run_file(path, opts);
    switch (r.outcome) {
      case Outcome::Pass:
        ++t.passed;
        out << "PASS  " << path << "\n";
        break;
      case Outcome::Fail:
        ++t.failed;
        out << "FAIL  " << r.message << "\n";
        break;
      case Outcome::Skip:
        ++t.skipped;
        out << "SKIP  " << r.message << "\n";
        break;
    }
    out.flush();
  }
  out << t.passed << " passed, " << t.failed << " failed, " << t.skipped << " skipped\n";
  return t;
}

}  // namespace ustcp::drill
