// Parsing of the CLI's quantities: "64M" bytes, "5ms" durations, "5%" fractions. Each
// returns nullopt on malformed input so the caller can name the option in its message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ustcp/base/time.hpp"

namespace ustcp::cli {

// "4096", "64K", "64M", "1G" (binary multiples, as dd and head use them: K = 1024).
std::optional<uint64_t> parse_bytes(const std::string& s);
// "5ms", "200us", "1s", "0": a unit is required (0 excepted).
std::optional<Duration> parse_duration(const std::string& s);
// A timeout or period in seconds, as nginx and sleep(1) take one: "75", "1.5", or with a
// unit: "500ms", "2s". At most a day.
std::optional<Duration> parse_seconds(const std::string& s);
// "5%" or "0.05" -> 0.05; must lie in [0, 1].
std::optional<double> parse_fraction(const std::string& s);

}  // namespace ustcp::cli
