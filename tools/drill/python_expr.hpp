// The integer subset of Python that packetdrill's code blocks (`%{ ... }%`) use: packetdrill
// runs them with CPython, the connection's struct tcp_info fields bound as tcpi_<field>,
// and keeps the variables a block assigns for the later blocks of the script. Here:
// integers (decimal, 0x, 0o, 0b, `_` separators), names, parentheses, unary - + ~ not,
// * // % + - << >> & ^ |, comparison chains (a <= b < c), `and`, `or`; True and False.
// Anything else (floats, strings, calls, attributes) is outside the subset.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ustcp::drill::py {

// Thrown for an expression outside the subset or a name `lookup` does not know: a script
// that needs it is skipped, not failed (CPython might well have evaluated it).
struct Unsupported {
  std::string what;
};

// A name's value; nullopt if unknown.
using Lookup = std::function<std::optional<int64_t>(std::string_view name)>;

// Evaluates `expr` as Python would (comparisons give 0 or 1); throws Unsupported.
// Division or modulo by zero is Unsupported too (CPython raises ZeroDivisionError).
int64_t eval(std::string_view expr, const Lookup& lookup);

// The index of the first `c` in `s` outside brackets and quotes, or npos: the comma that
// separates an assert's condition from its message, the `#` that starts a comment.
size_t find_top_level(std::string_view s, char c);

}  // namespace ustcp::drill::py
