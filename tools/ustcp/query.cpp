// `ustcp ss` and `ustcp nstat`: ask a running daemon (`ustcp serve`, `ustcp get`) through its
// control socket and print the answer, as ss and nstat print the kernel's.
#include <fmt/core.h>

#include "commands.hpp"
#include "control.hpp"

namespace ustcp::cli {

int run_query(const QueryOptions& opt, const char* cmd) {
  const std::string path = opt.control.empty() ? default_control_path(opt.tun) : opt.control;
  auto answer = control_request(path, opt.request);
  if (!answer) {
    fmt::print(stderr, "ustcp {}: {}\n", cmd, answer.error());
    return 1;
  }
  if (answer->starts_with("error: ")) {
    fmt::print(stderr, "ustcp {}: {}", cmd, answer->substr(7));
    return 2;
  }
  fmt::print("{}", *answer);
  return 0;
}

}  // namespace ustcp::cli
