#include "parse_errors.hpp"

#include <fmt/core.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace ustcp::cli {
namespace {

// "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
std::string quoted_list(const std::vector<std::string>& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) s += i + 1 == words.size() ? " and " : ", ";
    s += "'" + words[i] + "'";
  }
  return s;
}

// What a value of `name` should look like, from the option's CLI11 type ("UINT",
// "INT:...", "FLOAT"), or "" when the type says nothing a user would recognise.
std::string expected_value(const CLI::App& cmd, const std::string& name) {
  const CLI::Option* opt = cmd.get_option_no_throw(name);
  if (!opt) return "";
  const std::string type = opt->get_type_name();
  const std::string_view base = std::string_view(type).substr(0, type.find(':'));
  if (base == "UINT") return "a whole number, 0 or more";
  if (base == "INT") return "a whole number";
  if (base == "FLOAT") return "a number";
  return "";
}

// A bound of CLI::Range as a person writes it: "86400.000000" -> "86400"; unset when
// there is none to speak of (NonNegativeNumber's upper bound is the largest double).
std::optional<std::string> bound_text(const std::string& s) {
  const double v = std::strtod(s.c_str(), nullptr);
  if (v > 1e300) return std::nullopt;
  return fmt::format("{}", v);
}

// The sentence with its first word in lower case, also after a leading "NAME: " (CLI11's
// validators say "--backlog: Value 0 not in range ..."), unless the word is an acronym.
std::string lower_first(std::string s) {
  size_t at = 0;
  if (const size_t colon = s.find(": ");
      colon != std::string::npos && s.find(' ') == colon + 1 && s.starts_with("-")) {
    at = colon + 2;
  }
  if (at + 1 < s.size() && std::isupper(static_cast<unsigned char>(s[at])) &&
      std::islower(static_cast<unsigned char>(s[at + 1]))) {
    s[at] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[at])));
  }
  return s;
}

}  // namespace

std::string parse_error_text(const CLI::ParseError& e, const CLI::App& cmd) {
  // Words no option or positional took: an unknown option names itself as one.
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    const std::vector<std::string> extra = cmd.remaining(true);
    if (extra.size() == 1) {
      return fmt::format("{} '{}'",
                         extra[0].starts_with("-") ? "unknown option" : "unexpected argument",
                         extra[0]);
    }
    if (!extra.empty()) return "unexpected arguments " + quoted_list(extra);
  }
  const std::string what = e.what();
  // CLI11 words a value its option could not take "Could not convert: NAME = VALUE".
  if (dynamic_cast<const CLI::ConversionError*>(&e)) {
    constexpr std::string_view kPrefix = "Could not convert: ";
    if (const size_t eq = what.find(" = "); what.starts_with(kPrefix) && eq != std::string::npos) {
      const std::string name = what.substr(kPrefix.size(), eq - kPrefix.size());
      const std::string value = what.substr(eq + 3);
      const std::string want = expected_value(cmd, name);
      return fmt::format("invalid value '{}' for {}{}", value, name,
                         want.empty() ? "" : ": expected " + want);
    }
  }
  // A value outside its range: "NAME: Value V not in range LO to HI" (CLI::Range and
  // CLI::NonNegativeNumber).
  if (dynamic_cast<const CLI::ValidationError*>(&e)) {
    const size_t colon = what.find(": Value "), in = what.find(" not in range "),
                 to = what.rfind(" to ");
    if (colon != std::string::npos && in != std::string::npos && to != std::string::npos &&
        colon < in && in < to) {
      const std::string name = what.substr(0, colon);
      const std::string value = what.substr(colon + 8, in - colon - 8);
      const std::string lo = bound_text(what.substr(in + 14, to - in - 14)).value_or("?");
      const std::optional<std::string> hi = bound_text(what.substr(to + 4));
      return fmt::format("invalid value '{}' for {}: expected {}", value, name,
                         hi ? "a number from " + lo + " to " + *hi : lo + " or more");
    }
  }
  // An option given last without its value: "NAME: 1 required TYPE missing".
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.ends_with(" missing")) {
    if (const size_t colon = what.find(": "); colon != std::string::npos && what.starts_with("-")) {
      const std::string name = what.substr(0, colon);
      const std::string want = expected_value(cmd, name);
      return fmt::format("{} needs a value{}", name, want.empty() ? "" : " (" + want + ")");
    }
  }
  return lower_first(what);
}

}  // namespace ustcp::cli
