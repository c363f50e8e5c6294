// Parses the packetdrill script language (../shared/design/packetdrill.md) into a Script.
// Hand-written recursive descent over characters: the language is line-oriented and its
// tokens depend on context (`S.` is a flag word in a packet line, `.1` a time), so a
// separate token stream would only get in the way.
#pragma once

#include <optional>
#include <string>

#include "drill/script.hpp"
#include "ustcp/base/expected.hpp"

namespace ustcp::drill {

// A script that cannot be run because of what it asks for, not because it is wrong:
// "command `tc qdisc ...`", "TCP option FO". Reported as skipped, never as passed.
struct Unsupported {
  Pos pos = 0;
  std::string feature;
};

struct ParseResult {
  Script script;
  std::optional<ScriptError> error;        // syntax error, unknown symbol, bad constant
  std::optional<Unsupported> unsupported;  // parsed, but asks for what ustcp lacks
};

ParseResult parse_script(std::string path, std::string source);

}  // namespace ustcp::drill
