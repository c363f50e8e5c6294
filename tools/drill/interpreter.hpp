// `ustcp drill`: runs a packetdrill script against a fresh ustcp Stack in virtual time
// (../shared/design/packetdrill.md). The stack is 192.168.0.1, the scripted remote
// 192.0.2.1, as packetdrill's own harness has them.
#pragma once

#include <iosfwd>
#include <string>

#include "drill/script.hpp"

namespace ustcp::drill {

struct RunOptions {
  // An outbound packet nobody expected fails the script at once, and packets left over at
  // the end fail it too (packetdrill only notices them at the next `>` line).
  bool strict = false;
  // Every event, and every packet in and out, with its virtual time, to `trace`.
  bool verbose = false;
  std::ostream* trace = nullptr;
};

enum class Outcome { Pass, Fail, Skip };

struct RunResult {
  Outcome outcome = Outcome::Pass;
  // Fail: "path:line: what was expected ... what ustcp did ..." (several lines);
  // Skip: "path:line: unsupported: <feature>". Empty on Pass.
  std::string message;
};

RunResult run_script(const Script& script, const RunOptions& opts);
// Reads, parses and runs one file; a file that cannot be read or parsed fails.
RunResult run_file(const std::string& path, const RunOptions& opts);

}  // namespace ustcp::drill
