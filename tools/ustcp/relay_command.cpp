// `ustcp relay`: its options and their conversion (the quantities as `ustcp transfer` takes
// them: units.hpp).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <charconv>

#include "relay.hpp"
#include "units.hpp"

namespace ustcp::cli {
namespace {

// "NETNS:10.0.0.1/24" -> the side; nullopt unless all three parts are there and valid.
std::optional<RelaySide> parse_side(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto slash = text.rfind('/');
  if (colon == std::string::npos || colon == 0 || slash == std::string::npos || slash < colon)
    return std::nullopt;
  RelaySide side;
  side.netns = text.substr(0, colon);
  auto addr = Ipv4Addr::parse(std::string_view(text).substr(colon + 1, slash - colon - 1));
  const char* first = text.data() + slash + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, side.prefix_len);
  // Room for two hosts on the link: a prefix from 1 to 30.
  if (!addr || ec != std::errc{} || end != last || first == last || side.prefix_len < 1 ||
      side.prefix_len > 30)
    return std::nullopt;
  side.addr = *addr;
  return side;
}

bool same_subnet(const RelaySide& a, const RelaySide& b) {
  const uint32_t mask = Ipv4Addr::netmask(a.prefix_len).raw();
  return a.prefix_len == b.prefix_len && (a.addr.raw() & mask) == (b.addr.raw() & mask);
}

}  // namespace

CLI::App* add_relay_command(CLI::App& app, RelayArgs& args) {
  auto* cmd = app.add_subcommand(
      "relay",
      "forward IPv4 between TUN devices in two network namespaces over impaired links, so "
      "the kernel's TCP can be measured on the paths `ustcp transfer` simulates (root)");
  cmd->add_option("--a", args.a, "side A: NETNS:ADDR/PREFIX, e.g. relay-a:10.0.0.1/24")->required();
  cmd->add_option("--b", args.b, "side B: NETNS:ADDR/PREFIX, e.g. relay-b:10.0.0.2/24")->required();
  cmd->add_option("--tun", args.tun, "name of the TUN device in each namespace (default relay0)");
  cmd->add_option("--delay", args.delay, "one-way delay of each direction (e.g. 5ms, 200us)");
  cmd->add_option("--loss", args.loss, "loss probability per datagram (e.g. 5%)");
  cmd->add_option("--reorder", args.reorder,
                  "probability that a datagram is delayed past later ones");
  cmd->add_option("--duplicate", args.duplicate, "probability that a datagram is delivered twice");
  cmd->add_option("--corrupt", args.corrupt, "probability that a datagram has a bit flipped");
  cmd->add_option("--bandwidth", args.bandwidth_mbit, "link rate in Mbit/s (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--queue", args.queue,
                  "bottleneck queue limit in bytes, drop-tail (e.g. 256K; 0: unlimited, as "
                  "`ustcp transfer`)");
  cmd->add_option("--seed", args.seed, "seed of the impairments");
  cmd->add_option("--duration", args.duration_s, "stop after this many seconds (0: on SIGTERM)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--rt-priority", args.rt_priority,
                  "run under SCHED_FIFO at this priority (1 to 99), so that a busy machine "
                  "does not delay releases (0: the normal scheduler)")
      ->check(CLI::Range(0, 99));
  cmd->add_flag("--json", args.json, "print the final report as one JSON object");
  return cmd;
}

int run_relay_command(const RelayArgs& args) {
  RelayOptions opt;
  std::string error;
  auto fail = [](const std::string& what) {
    fmt::print(stderr, "ustcp relay: {}\n", what);
    return 2;
  };
  for (auto [name, text, side] : {std::tuple{"--a", &args.a, &opt.a}, {"--b", &args.b, &opt.b}}) {
    auto s = parse_side(*text);
    if (!s) {
      return fail(fmt::format(
          "invalid value '{}' for {}: expected NETNS:ADDR/PREFIX (e.g. relay-a:10.0.0.1/24, "
          "prefix 1 to 30)",
          *text, name));
    }
    *side = *s;
  }
  if (opt.a.addr == opt.b.addr || !same_subnet(opt.a, opt.b)) {
    return fail(fmt::format("--a {} and --b {}: need two different addresses in one subnet", args.a,
                            args.b));
  }
  if (opt.a.netns == opt.b.netns) {
    return fail(
        fmt::format("--a and --b are both in namespace '{}': give two namespaces", opt.a.netns));
  }
  // Probabilities, as `ustcp transfer` takes them.
  for (auto [name, text, out] : {std::tuple{"--loss", &args.loss, &opt.link.loss},
                                 {"--reorder", &args.reorder, &opt.link.reorder},
                                 {"--duplicate", &args.duplicate, &opt.link.duplicate},
                                 {"--corrupt", &args.corrupt, &opt.link.corrupt}}) {
    auto v = parse_fraction(*text);
    if (!v)
      return fail(
          fmt::format("invalid value '{}' for {}: expected a probability like 5%", *text, name));
    *out = *v;
  }
  auto delay = parse_duration(args.delay);
  if (!delay) {
    return fail(
        fmt::format("invalid value '{}' for --delay: expected a duration like 5ms", args.delay));
  }
  opt.link.delay = *delay;
  auto queue = parse_bytes(args.queue);
  if (!queue) {
    return fail(
        fmt::format("invalid value '{}' for --queue: expected a size like 256K", args.queue));
  }
  opt.link.queue_limit_bytes = static_cast<size_t>(*queue);
  if (opt.link.queue_limit_bytes > 0 && args.bandwidth_mbit == 0)
    return fail("--queue needs --bandwidth: without a rate nothing ever waits in the queue");
  opt.link.bandwidth_bps = static_cast<uint64_t>(args.bandwidth_mbit * 1e6);
  opt.tun = args.tun;
  opt.seed = args.seed;
  opt.json = args.json;
  opt.rt_priority = args.rt_priority;
  opt.duration =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(args.duration_s));
  return run_relay(opt);
}

}  // namespace ustcp::cli
