#include "units.hpp"

#include <charconv>
#include <cmath>

namespace ustcp::cli {
namespace {

// Splits "12.5ms" into 12.5 and "ms"; nullopt unless a number starts the string.
std::optional<std::pair<double, std::string>> number_and_suffix(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p == s.data() || !std::isfinite(v) || v < 0) return std::nullopt;
  return std::make_pair(v, std::string(p, s.data() + s.size()));
}

}  // namespace

std::optional<uint64_t> parse_bytes(const std::string& s) {
  auto ns = number_and_suffix(s);
  if (!ns) return std::nullopt;
  auto [v, suffix] = *ns;
  double mult = 1;
  if (suffix.empty() || suffix == "B")
    mult = 1;
  else if (suffix == "K" || suffix == "k" || suffix == "KiB")
    mult = 1024.0;
  else if (suffix == "M" || suffix == "MiB")
    mult = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "GiB")
    mult = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  double bytes = v * mult;
  if (bytes > 1e15 || bytes != std::floor(bytes)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

std::optional<Duration> parse_duration(const std::string& s) {
  auto ns = number_and_suffix(s);
  if (!ns) return std::nullopt;
  auto [v, suffix] = *ns;
  double nanos;
  // A unit is required ("5" could be seconds or milliseconds); only 0 needs none.
  if (suffix.empty() && v != 0) return std::nullopt;
  if (suffix.empty() || suffix == "ms")
    nanos = v * 1e6;
  else if (suffix == "us")
    nanos = v * 1e3;
  else if (suffix == "ns")
    nanos = v;
  else if (suffix == "s")
    nanos = v * 1e9;
  else
    return std::nullopt;
  if (nanos > 3600e9) return std::nullopt;  // an hour of one-way delay is a typo
  return Duration(static_cast<int64_t>(nanos));
}

std::optional<Duration> parse_seconds(const std::string& s) {
  auto ns = number_and_suffix(s);
  if (!ns) return std::nullopt;
  auto [v, suffix] = *ns;
  std::optional<Duration> d = suffix.empty() ? std::optional(std::chrono::duration_cast<Duration>(
                                                   std::chrono::duration<double>(std::min(v, 1e6))))
                                             : parse_duration(s);
  if (!d || *d > std::chrono::hours(24)) return std::nullopt;
  return d;
}

std::optional<double> parse_fraction(const std::string& s) {
  auto ns = number_and_suffix(s);
  if (!ns) return std::nullopt;
  auto [v, suffix] = *ns;
  if (suffix == "%")
    v /= 100;
  else if (!suffix.empty())
    return std::nullopt;
  if (v < 0 || v > 1) return std::nullopt;
  return v;
}

}  // namespace ustcp::cli
