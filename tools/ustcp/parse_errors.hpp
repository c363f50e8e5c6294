// CLI11's parse errors in ustcp's words. Our own checks say what is wrong in lower case and
// name the input ("invalid value '5' for --delay: expected ..."); CLI11 says "The following
// argument was not expected: --frob" or "Could not convert: --seed = x". parse_error_text
// rewords the common ones as ours and lower-cases the rest; main.cpp puts "ustcp SUB: "
// in front, as on every other error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace ustcp::cli {

// `cmd` is the (sub)command being parsed: its options' types say what a value should be
// and its unparsed words are the unexpected ones.
std::string parse_error_text(const CLI::ParseError& e, const CLI::App& cmd);

}  // namespace ustcp::cli
