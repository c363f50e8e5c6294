// The ustcp command line: `ustcp demo`, `ustcp transfer`, ...
// Bad arguments get a message naming the option and exit status 2.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "lab.hpp"
#include "parse_errors.hpp"
#include "query.hpp"
#include "relay.hpp"
#include "stack_options.hpp"
#include "sysctl_command.hpp"
#include "tun_options.hpp"
#include "units.hpp"

namespace {

using namespace ustcp;

// Converts a text option with a unit parser; on failure records a message naming it.
template <typename T, typename F>
bool convert(const std::string& name, const std::string& text, F parse, T& out, std::string& error,
             const char* expected) {
  auto v = parse(text);
  if (!v) {
    error = fmt::format("invalid value '{}' for {}: expected {}", text, name, expected);
    return false;
  }
  out = *v;
  return true;
}

// The project's VERSION in CMakeLists.txt (a compile definition of this target), as other
// tools print theirs: "ustcp 0.1.0".
constexpr const char* kVersionLine = "ustcp " USTCP_VERSION;

constexpr const char* kSeconds = "seconds, like 5, 1.5 or 500ms (at most a day)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ustcp: a user-space TCP/IPv4 stack that behaves like Linux", "ustcp"};
  app.require_subcommand(1);
  // In the words of every other option (the subcommands copy the help flag's).
  app.set_help_flag("-h,--help", "print this help and exit");
  app.set_version_flag("--version", kVersionLine, "print ustcp's version and exit");

  cli::DemoOptions demo;
  std::string demo_delay = "5ms";
  auto* demo_cmd = app.add_subcommand(
      "demo", "HTTP/1.1 between two hosts on a simulated network, segment by segment");
  demo_cmd->add_option("--delay", demo_delay, "one-way link delay, with its unit (e.g. 5ms)");
  demo_cmd->add_option("--seed", demo.seed, "seed of the simulation");
  cli::add_pcap_options(demo_cmd, demo.capture, "write the segments to a pcap file (Wireshark)");
  demo_cmd->add_flag("--nstat", demo.nstat, "print both hosts' counters at the end (nstat format)");
  cli::StackOptions demo_stack;
  cli::add_stack_options(demo_cmd, demo_stack);

  cli::TransferOptions tr;
  std::string bytes = "1M", delay = "5ms", loss = "0", reorder = "0", duplicate = "0",
              corrupt = "0";
  double bandwidth_mbit = 0;
  auto* tr_cmd = app.add_subcommand("transfer",
                                    "move bytes between two hosts over an impaired simulated link");
  tr_cmd->add_option("--bytes", bytes, "bytes to move (e.g. 64M; K, M, G are powers of 1024)");
  tr_cmd->add_option("--delay", delay,
                     "one-way delay of each link, with its unit (e.g. 5ms, 200us)");
  tr_cmd->add_option("--loss", loss, "loss probability per datagram (e.g. 5%)");
  tr_cmd->add_option("--reorder", reorder,
                     "probability that a datagram is delayed past later ones");
  tr_cmd->add_option("--duplicate", duplicate, "probability that a datagram is delivered twice");
  tr_cmd->add_option("--corrupt", corrupt, "probability that a datagram has a bit flipped");
  tr_cmd->add_option("--bandwidth", bandwidth_mbit, "link rate in Mbit/s (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  tr_cmd->add_option("--seed", tr.seed, "seed of the simulation");
  auto* tr_json = tr_cmd->add_flag("--json", tr.json, "print one JSON object");
  tr_cmd
      ->add_flag("--trace", tr.trace,
                 "print every TCP segment and state change first, one line each, as `ustcp "
                 "demo` does (lost ones too: they are printed as sent)")
      ->excludes(tr_json);
  cli::add_pcap_options(tr_cmd, tr.capture, "write the segments to a pcap file (Wireshark)");
  tr_cmd->add_flag("--nstat", tr.nstat, "print both hosts' counters at the end (nstat format)");
  cli::StackOptions tr_stack;
  cli::add_stack_options(tr_cmd, tr_stack);

  cli::SysctlArgs sysctl;
  auto* sysctl_cmd = cli::add_sysctl_command(app, sysctl);

  cli::DrillOptions drill;
  auto* drill_cmd =
      app.add_subcommand("drill", "run packetdrill scripts against ustcp in virtual time");
  drill_cmd->add_flag("--strict", drill.strict,
                      "fail on any outbound packet no line expected, also at the end");
  drill_cmd->add_flag("--verbose,-v", drill.verbose,
                      "print every event and every packet with its virtual time");
  drill_cmd->add_option("paths", drill.paths, "script files or directories of *.pkt files")
      ->required();

  cli::ServeOptions serve;
  std::string keepalive_timeout = "75";
  auto* serve_cmd = app.add_subcommand(
      "serve", "run ustcp on a TUN device: ping, an echo server and an HTTP/1.1 server (root)");
  cli::add_tun_options(serve_cmd, serve.tun, /*addr_required=*/true);
  serve_cmd->add_option("--echo", serve.echo_port, "run an echo server on this port (e.g. 7)");
  serve_cmd->add_option("--http", serve.http_port, "run an HTTP/1.1 server on this port (e.g. 80)");
  serve_cmd
      ->add_option("--root", serve.root,
                   "serve the files under this directory over HTTP "
                   "(default: built-in pages / and /bytes/N)")
      ->check(CLI::ExistingDirectory);
  serve_cmd->add_option("--keepalive-timeout", keepalive_timeout,
                        "close idle HTTP keep-alive connections after this many seconds (or 500ms, "
                        "...), like nginx's keepalive_timeout (default 75; 0: no keep-alive)");
  serve_cmd->add_option("--backlog", serve.backlog, "listen() backlog (default 511)")
      ->check(CLI::Range(1, 65535));
  std::string accept_delay = "0";
  serve_cmd->add_option("--accept-delay", accept_delay,
                        "a slow accepter: accept() one connection per this many seconds (or 500ms, "
                        "...): the accept queue overflows (ustcp lab accept-overflow)");
  serve_cmd->add_flag("--no-close", serve.no_close,
                      "never close() a connection, even after the client's FIN: CLOSE-WAIT "
                      "piles up (ustcp lab close-wait-leak)");

  cli::GetOptions get;
  std::string get_keepalive = "0";
  auto* get_cmd = app.add_subcommand(
      "get", "fetch URLs over ustcp on a TUN device from a server on the Linux side (root)");
  cli::add_tun_options(get_cmd, get.tun, /*addr_required=*/true);
  get_cmd
      ->add_option("urls", get.urls,
                   "http://A.B.C.D[:PORT]/PATH; several URLs share one keep-alive connection")
      ->required();
  get_cmd->add_option("-o,--output", get.output, "write the bodies to this file (default stdout)");
  get_cmd->add_option("--keepalive", get_keepalive,
                      "keep the idle connection open this many seconds (or 500ms, ...) after the "
                      "last response, then close it (a client keep-alive timeout)");

  cli::SsCommand ss;
  auto* ss_cmd = app.add_subcommand(
      "ss", "a running ustcp daemon's sockets, as iproute2's ss prints the kernel's");
  cli::add_ss_options(ss_cmd, ss);

  cli::NstatCommand nstat;
  auto* nstat_cmd = app.add_subcommand(
      "nstat", "a running ustcp daemon's counters, as iproute2's nstat prints the kernel's");
  cli::add_nstat_options(nstat_cmd, nstat);

  cli::LabOptions lab;
  auto* lab_cmd = app.add_subcommand(
      "lab", "replay a classic TCP incident on the simulated network: report, SVG and pcap");
  lab_cmd->add_option("name", lab.name, "the incident (ustcp lab --list)");
  lab_cmd->add_flag("--list", lab.list, "list the incidents");
  lab_cmd->add_option("--out", lab.out_dir, "directory for NAME.svg and NAME.pcap (default .)");
  lab_cmd->add_option("--seed", lab.seed, "seed of the simulation");
  lab_cmd->add_flag("--no-pcap", lab.no_pcap, "write no pcap");
  cli::add_stack_options(lab_cmd, lab.stack);

  cli::BenchOptions bench;
  auto* bench_cmd = app.add_subcommand(
      "bench", "measure ustcp against the Linux kernel's loopback, workload by workload");
  bench_cmd->add_flag("--quick", bench.quick, "smaller counts: done within 20 s");
  bench_cmd->add_flag("--json", bench.json, "print one JSON object instead of the table");
  bench_cmd->add_option("workloads", bench.workloads,
                        "crr, rr, bulk, idle-memory, timewait-memory, million, synflood "
                        "(default: all)");

  cli::RelayArgs relay;
  auto* relay_cmd = cli::add_relay_command(app, relay);

  auto* version_cmd = app.add_subcommand("version", "print ustcp's version (as ustcp --version)");

  // The subcommand named on the command line (the first word: ustcp has no options of its
  // own but --help and --version), so that every error says which command it is about, once.
  std::string names;
  const std::string word = argc > 1 ? argv[1] : "";
  bool known = false;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
    known |= sub->get_name() == word;
  }
  if (argc > 1 && !word.starts_with("-") && !known) {
    fmt::print(stderr,
               "ustcp: unknown subcommand '{}' (one of: {})\nRun 'ustcp --help' for usage.\n", word,
               names);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (known) {
      fmt::print(stderr, "ustcp {0}: {1}\nRun 'ustcp {0} --help' for usage.\n", word,
                 cli::parse_error_text(e, *app.get_subcommand(word)));
    } else {
      // No subcommand: an option ustcp does not have (CLI11 finds the missing subcommand
      // first), or nothing at all.
      const std::vector<std::string> extra = app.remaining();
      fmt::print(stderr, "ustcp: {}\nRun 'ustcp --help' for usage.\n",
                 extra.empty() ? fmt::format("a subcommand is required (one of: {})", names)
                               : cli::parse_error_text(CLI::ExtrasError(extra), app));
    }
    return 2;
  }

  std::string error;
  if (version_cmd->parsed()) {
    fmt::print("{}\n", kVersionLine);
    return 0;
  }
  if (serve_cmd->parsed()) {
    if (!serve.echo_port && !serve.http_port) {
      fmt::print(stderr, "ustcp serve: nothing to serve: give --echo PORT, --http PORT or both\n");
      return 2;
    }
    if ((serve.echo_port == 0) || (serve.http_port == 0) ||
        (serve.echo_port && serve.http_port && *serve.echo_port == *serve.http_port)) {
      fmt::print(stderr,
                 "ustcp serve: --echo and --http need two different ports from 1 to 65535\n");
      return 2;
    }
    if (!convert("--keepalive-timeout", keepalive_timeout, cli::parse_seconds,
                 serve.keepalive_timeout, error, kSeconds) ||
        !convert("--accept-delay", accept_delay, cli::parse_seconds, serve.accept_delay, error,
                 kSeconds)) {
      fmt::print(stderr, "ustcp serve: {}\n", error);
      return 2;
    }
    return cli::run_serve(serve);
  }
  if (get_cmd->parsed()) {
    if (!convert("--keepalive", get_keepalive, cli::parse_seconds, get.keepalive, error,
                 kSeconds)) {
      fmt::print(stderr, "ustcp get: {}\n", error);
      return 2;
    }
    return cli::run_get(get);
  }
  if (ss_cmd->parsed()) return cli::run_ss(ss);
  if (nstat_cmd->parsed()) return cli::run_nstat(nstat);
  if (sysctl_cmd->parsed()) return cli::run_sysctl_command(sysctl);
  if (relay_cmd->parsed()) return cli::run_relay_command(relay);
  if (drill_cmd->parsed()) return cli::run_drill(drill);
  if (lab_cmd->parsed()) {
    if (!lab.list && lab.name.empty()) {
      fmt::print(stderr, "ustcp lab: name an incident (ustcp lab --list shows them)\n");
      return 2;
    }
    return cli::run_lab(lab);
  }
  if (bench_cmd->parsed()) return cli::run_bench(bench);
  if (demo_cmd->parsed()) {
    if (!cli::load_config(demo_stack, demo.config, error)) {
      fmt::print(stderr, "ustcp demo: {}\n", error);
      return 2;
    }
    if (!convert("--delay", demo_delay, cli::parse_duration, demo.delay, error,
                 "a duration with its unit, like 5ms (s, ms, us, ns)")) {
      fmt::print(stderr, "ustcp demo: {}\n", error);
      return 2;
    }
    return cli::run_demo(demo);
  }
  if (tr_cmd->parsed()) {
    if (!cli::load_config(tr_stack, tr.config, error)) {
      fmt::print(stderr, "ustcp transfer: {}\n", error);
      return 2;
    }
    bool ok =
        convert("--bytes", bytes, cli::parse_bytes, tr.bytes, error, "a size like 64M") &&
        convert("--delay", delay, cli::parse_duration, tr.delay, error,
                "a duration with its unit, like 5ms (s, ms, us, ns)") &&
        convert("--loss", loss, cli::parse_fraction, tr.loss, error, "a probability like 5%") &&
        convert("--reorder", reorder, cli::parse_fraction, tr.reorder, error,
                "a probability like 5%") &&
        convert("--duplicate", duplicate, cli::parse_fraction, tr.duplicate, error,
                "a probability like 1%") &&
        convert("--corrupt", corrupt, cli::parse_fraction, tr.corrupt, error,
                "a probability like 1%");
    if (ok && tr.loss >= 0.5) {
      error =
          fmt::format("--loss {} is too high for a transfer to finish (use less than 50%)", loss);
      ok = false;
    }
    if (!ok) {
      fmt::print(stderr, "ustcp transfer: {}\n", error);
      return 2;
    }
    tr.bandwidth_bps = static_cast<uint64_t>(bandwidth_mbit * 1e6);
    return cli::run_transfer(tr);
  }
  return 2;
}
