// The sysctl table: every tcp::Config field by its Linux name, with the bounds Linux 6.x
// enforces when the value is written to /proc/sys (net/ipv4/sysctl_net_ipv4.c,
// net/core/sysctl_net_core.c; handlers in kernel/sysctl.c):
//
//   proc_dointvec             any int                     (no bounds: negatives pass too)
//   proc_dou8vec_minmax       0..255 unless extra1/extra2 narrow it
//   proc_dointvec_minmax      extra1..extra2 (INT_MIN/INT_MAX when absent)
//   proc_douintvec_minmax     extra1..extra2 (0 / UINT_MAX when absent)
//   proc_dointvec_jiffies     |v| <= INT_MAX / HZ (seconds); we take HZ = 1000
//   proc_dointvec_ms_jiffies  0..INT_MAX ms (with HZ = 1000; negatives overflow to EINVAL)
//
// Linux reports every refusal as EINVAL; we say why.
#include "ustcp/stack/sysctl.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <span>

namespace ustcp::stack::sysctl {
namespace {

constexpr int64_t kIntMin = INT_MIN;
constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kU8Max = 255;
constexpr int64_t kHz = 1000;                       // CONFIG_HZ assumed for the jiffies handlers
constexpr int64_t kJiffiesSecMax = kIntMax / kHz;   // proc_dointvec_jiffies
constexpr int64_t kMaxTcpSyncnt = 127;              // MAX_TCP_SYNCNT (include/net/tcp.h)
constexpr int64_t kTcpPawsMslMs = 60 * 1000;        // TCP_PAWS_MSL * MSEC_PER_SEC
constexpr int64_t kTcpRtoMaxMs = 120 * 1000;        // TCP_RTO_MAX_SEC * MSEC_PER_SEC
constexpr int64_t kIpUnprivilegedPortStart = 1024;  // net.ipv4.ip_unprivileged_port_start default
constexpr int64_t kOneDaySecs = 24 * 3600;          // tcp_min_rtt_wlen's extra2

// The two congestion-control sysctls take names, not numbers (tcp_cong.c).
constexpr std::string_view kCongestionControl = "net.ipv4.tcp_congestion_control";
constexpr std::string_view kAvailableCongestionControl =
    "net.ipv4.tcp_available_congestion_control";

enum class Check : uint8_t { None, PortRange };

struct Field {
  std::string_view name;
  std::span<int> (*ref)(tcp::Config&);
  int64_t min;
  int64_t max;
  Check check = Check::None;
};

#define USTCP_ONE(field) [](tcp::Config& c) { return std::span<int>(&c.field, 1); }
#define USTCP_VEC(field) [](tcp::Config& c) { return std::span<int>(c.field); }

// Sorted by name (sysctl -a order). Bounds and handlers from Linux 6.x
// net/ipv4/sysctl_net_ipv4.c unless noted.
const std::array kFields = {
    // net/core/sysctl_net_core.c: proc_dointvec_minmax, extra1 = SYSCTL_ZERO.
    Field{"net.core.somaxconn", USTCP_ONE(somaxconn), 0, kIntMax},
    // ipv4_local_port_range(): both in 1..65535, then high >= low and low >=
    // ip_unprivileged_port_start. Equal parity only draws a warning in set_local_port_range().
    Field{"net.ipv4.ip_local_port_range", USTCP_VEC(ip_local_port_range), 1, 65535,
          Check::PortRange},
    Field{"net.ipv4.tcp_abort_on_overflow", USTCP_ONE(tcp_abort_on_overflow), 0, kU8Max},
    Field{"net.ipv4.tcp_challenge_ack_limit", USTCP_ONE(tcp_challenge_ack_limit), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_dsack", USTCP_ONE(tcp_dsack), 0, kU8Max},
    Field{"net.ipv4.tcp_early_retrans", USTCP_ONE(tcp_early_retrans), 0, 4},
    Field{"net.ipv4.tcp_fin_timeout", USTCP_ONE(tcp_fin_timeout), -kJiffiesSecMax, kJiffiesSecMax},
    Field{"net.ipv4.tcp_frto", USTCP_ONE(tcp_frto), 0, kU8Max},
    Field{"net.ipv4.tcp_invalid_ratelimit", USTCP_ONE(tcp_invalid_ratelimit), 0, kIntMax},
    Field{"net.ipv4.tcp_keepalive_intvl", USTCP_ONE(tcp_keepalive_intvl), -kJiffiesSecMax,
          kJiffiesSecMax},
    Field{"net.ipv4.tcp_keepalive_probes", USTCP_ONE(tcp_keepalive_probes), 0, kU8Max},
    Field{"net.ipv4.tcp_keepalive_time", USTCP_ONE(tcp_keepalive_time), -kJiffiesSecMax,
          kJiffiesSecMax},
    Field{"net.ipv4.tcp_max_orphans", USTCP_ONE(tcp_max_orphans), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_max_reordering", USTCP_ONE(tcp_max_reordering), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_max_syn_backlog", USTCP_ONE(tcp_max_syn_backlog), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_max_tw_buckets", USTCP_ONE(tcp_max_tw_buckets), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_min_rtt_wlen", USTCP_ONE(tcp_min_rtt_wlen), 0, kOneDaySecs},
    Field{"net.ipv4.tcp_min_tso_segs", USTCP_ONE(tcp_min_tso_segs), 1, kU8Max},
    Field{"net.ipv4.tcp_moderate_rcvbuf", USTCP_ONE(tcp_moderate_rcvbuf), 0, kU8Max},
    Field{"net.ipv4.tcp_orphan_retries", USTCP_ONE(tcp_orphan_retries), 0, kU8Max},
    Field{"net.ipv4.tcp_recovery", USTCP_ONE(tcp_recovery), 0, kU8Max},
    Field{"net.ipv4.tcp_reordering", USTCP_ONE(tcp_reordering), kIntMin, kIntMax},
    Field{"net.ipv4.tcp_retries1", USTCP_ONE(tcp_retries1), 0, 255},  // extra2 = tcp_retr1_max
    Field{"net.ipv4.tcp_retries2", USTCP_ONE(tcp_retries2), 0, kU8Max},
    Field{"net.ipv4.tcp_rfc1337", USTCP_ONE(tcp_rfc1337), 0, kU8Max},
    Field{"net.ipv4.tcp_rmem", USTCP_VEC(tcp_rmem), 1, kIntMax},  // extra1 = SYSCTL_ONE
    Field{"net.ipv4.tcp_rto_max_ms", USTCP_ONE(tcp_rto_max_ms), 1000, kTcpRtoMaxMs},
    Field{"net.ipv4.tcp_rto_min_us", USTCP_ONE(tcp_rto_min_us), 1, kIntMax},
    Field{"net.ipv4.tcp_sack", USTCP_ONE(tcp_sack), 0, kU8Max},
    Field{"net.ipv4.tcp_slow_start_after_idle", USTCP_ONE(tcp_slow_start_after_idle), 0, kU8Max},
    Field{"net.ipv4.tcp_syn_linear_timeouts", USTCP_ONE(tcp_syn_linear_timeouts), 0, kMaxTcpSyncnt},
    Field{"net.ipv4.tcp_syn_retries", USTCP_ONE(tcp_syn_retries), 1, kMaxTcpSyncnt},
    Field{"net.ipv4.tcp_synack_retries", USTCP_ONE(tcp_synack_retries), 0, kU8Max},
    // proc_dou8vec_minmax without bounds: Linux takes 3..255 and treats them like 1.
    Field{"net.ipv4.tcp_syncookies", USTCP_ONE(tcp_syncookies), 0, kU8Max},
    Field{"net.ipv4.tcp_timestamps", USTCP_ONE(tcp_timestamps), 0, kU8Max},
    Field{"net.ipv4.tcp_tw_reuse", USTCP_ONE(tcp_tw_reuse), 0, 2},
    Field{"net.ipv4.tcp_tw_reuse_delay", USTCP_ONE(tcp_tw_reuse_delay), 1, kTcpPawsMslMs},
    Field{"net.ipv4.tcp_window_scaling", USTCP_ONE(tcp_window_scaling), 0, kU8Max},
    Field{"net.ipv4.tcp_wmem", USTCP_VEC(tcp_wmem), 1, kIntMax},  // extra1 = SYSCTL_ONE
};

#undef USTCP_ONE
#undef USTCP_VEC

constexpr std::string_view kTwRecycle = "net.ipv4.tcp_tw_recycle";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The first whitespace-separated word of `rest`, which moves past it.
std::string_view next_word(std::string_view& rest) {
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  const std::string_view word = rest.substr(0, end);
  rest = trim(rest.substr(end));
  return word;
}

// sysctl(8) takes "net/ipv4/tcp_syncookies" as well as "net.ipv4.tcp_syncookies".
std::string normalize(std::string_view name) {
  std::string n(trim(name));
  std::replace(n.begin(), n.end(), '/', '.');
  return n;
}

const Field* find(std::string_view normalized) {
  for (const Field& f : kFields) {
    if (f.name == normalized) return &f;
  }
  return nullptr;
}

std::string range_text(const Field& f) {
  return std::to_string(f.min) + ".." + std::to_string(f.max);
}

// One number as proc_get_long reads it: optional '-', then strtoul with base 0.
// Returns false when the token is not entirely a number or does not fit in 64 bits.
bool parse_number(std::string_view tok, int64_t& out) {
  bool neg = false;
  if (!tok.empty() && tok.front() == '-') {
    neg = true;
    tok.remove_prefix(1);
  }
  if (tok.empty()) return false;
  int base = 10;
  if (tok.size() > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
    base = 16;
    tok.remove_prefix(2);
  } else if (tok.size() > 1 && tok[0] == '0') {
    base = 8;
    tok.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char c : tok) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (uint64_t{INT64_MAX} - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return false;  // far beyond any bound: Linux's int conversion says EINVAL too
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

Unexpected<SysctlError> fail(std::string_view name, std::string reason) {
  return unexpected(SysctlError{"", 0, std::string(name), std::move(reason)});
}

std::string join_values(std::span<const int> v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += '\t';
    s += std::to_string(v[i]);
  }
  return s;
}

}  // namespace

std::string SysctlError::message() const {
  std::string m;
  if (!file.empty()) m += file + ":" + std::to_string(line) + ": ";
  if (!name.empty()) m += name + ": ";
  m += reason;
  return m;
}

Expected<void, SysctlError> apply(tcp::Config& cfg, std::string_view name, std::string_view value) {
  const std::string n = normalize(name);
  if (n == kTwRecycle) {
    return fail(name,
                "removed in Linux 4.12: it broke clients behind NAT (TIME_WAIT recycling "
                "trusted per-host timestamps, but the timestamps of different hosts behind one "
                "address are not monotonic, so their SYNs were dropped); use tcp_tw_reuse");
  }
  if (n == kCongestionControl) {
    const tcp::CongestionControl* ca = tcp::find_congestion_control(trim(value));
    if (!ca) {
      // Linux: ENOENT ("No such file or directory") for a name it has no module for.
      return fail(name, "no such congestion control '" + std::string(trim(value)) +
                            "' (available: " + tcp::available_congestion_control() + ")");
    }
    cfg.congestion_control = ca;
    return {};
  }
  if (n == kAvailableCongestionControl) {
    // Read-only, as on Linux; writing back the value it reads is let through as a no-op,
    // so that the `ustcp sysctl` listing applies as a --sysctl-file.
    std::string same;
    for (std::string_view rest = trim(value); !rest.empty();) {
      same += (same.empty() ? "" : " ") + std::string(next_word(rest));
    }
    if (same == tcp::available_congestion_control()) return {};
    return fail(name, std::string("read-only (it lists the algorithms ustcp has: ") +
                          tcp::available_congestion_control() + ")");
  }
  const Field* f = find(n);
  if (!f) return fail(name, "unknown name");

  // Work on a copy of the field's values: a vector written with fewer values keeps the
  // rest, and checks across values (port range) see the result.
  std::span<int> dst = f->ref(cfg);
  std::array<int, 3> vals{};
  std::copy(dst.begin(), dst.end(), vals.begin());

  size_t count = 0;
  std::string_view rest = trim(value);
  if (rest.empty()) return fail(name, "empty value");
  while (!rest.empty()) {
    const std::string_view tok = next_word(rest);
    if (count == dst.size()) {
      return fail(name, dst.size() == 1
                            ? "expected one value"
                            : "expected at most " + std::to_string(dst.size()) + " values");
    }
    int64_t v = 0;
    if (!parse_number(tok, v)) return fail(name, "invalid number '" + std::string(tok) + "'");
    if (v < f->min || v > f->max) {
      return fail(name, "value out of range " + range_text(*f) + " (got " + std::string(tok) + ")");
    }
    vals[count++] = static_cast<int>(v);
  }

  if (f->check == Check::PortRange) {
    // ipv4_local_port_range(): "Ensure that the upper limit is not smaller than the lower,
    // and that the lower does not encroach upon the privileged port limit."
    if (vals[1] < vals[0]) {
      return fail(name, "high port " + std::to_string(vals[1]) + " is below low port " +
                            std::to_string(vals[0]));
    }
    if (vals[0] < kIpUnprivilegedPortStart) {
      return fail(name, "low port " + std::to_string(vals[0]) +
                            " is below ip_unprivileged_port_start (" +
                            std::to_string(kIpUnprivilegedPortStart) + ")");
    }
  }
  std::copy(vals.begin(), vals.begin() + static_cast<std::ptrdiff_t>(dst.size()), dst.begin());
  return {};
}

Expected<void, std::vector<SysctlError>> apply_file(tcp::Config& cfg, std::string_view text,
                                                    std::string_view filename) {
  tcp::Config next = cfg;
  std::vector<SysctlError> errors;
  int lineno = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineno;

    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    // procps sysctl: a leading '-' on the name means a failure to set it is not an error.
    const bool ignore_errors = line.front() == '-';
    if (ignore_errors) line = trim(line.substr(1));

    auto report = [&](std::string name, std::string reason) {
      if (!ignore_errors) {
        errors.push_back(
            SysctlError{std::string(filename), lineno, std::move(name), std::move(reason)});
      }
    };
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      report("", "malformed line (expected 'name = value'): '" + std::string(line) + "'");
      continue;
    }
    const std::string_view name = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    if (name.empty()) {
      report("", "malformed line (no name before '='): '" + std::string(line) + "'");
      continue;
    }
    if (value.empty()) {
      report(std::string(name), "malformed line (no value after '=')");
      continue;
    }
    if (auto r = apply(next, name, value); !r) report(std::string(name), r.error().reason);
  }
  if (!errors.empty()) return unexpected(std::move(errors));
  cfg = next;
  return {};
}

std::string get(const tcp::Config& cfg, std::string_view name) {
  const std::string n = normalize(name);
  if (n == kCongestionControl) {
    return cfg.congestion_control ? cfg.congestion_control->name() : "";
  }
  if (n == kAvailableCongestionControl) return tcp::available_congestion_control();
  const Field* f = find(n);
  if (!f) return "";
  tcp::Config copy = cfg;  // ref() hands out mutable spans; read through a copy
  return join_values(f->ref(copy));
}

bool known(std::string_view name) {
  const std::string n = normalize(name);
  return n == kCongestionControl || n == kAvailableCongestionControl || find(n) != nullptr;
}

std::vector<std::string_view> names() {
  std::vector<std::string_view> v;
  for (const Field& f : kFields) v.push_back(f.name);
  v.push_back(kCongestionControl);
  v.push_back(kAvailableCongestionControl);
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::pair<std::string, std::string>> all(const tcp::Config& cfg) {
  std::vector<std::pair<std::string, std::string>> v;
  for (std::string_view n : names()) v.emplace_back(std::string(n), get(cfg, n));
  return v;
}

std::string to_text(const tcp::Config& cfg) {
  std::string s;
  for (const auto& [name, value] : all(cfg)) s += name + " = " + value + "\n";
  return s;
}

}  // namespace ustcp::stack::sysctl
