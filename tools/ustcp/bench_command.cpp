// `ustcp bench [--quick] [--json] [WORKLOAD...]`: runs each workload on ustcp and on the
// Linux kernel in the same run and prints one row per workload (both figures, the ratio
// ustcp/kernel, the unit, the target and whether it was met), then how each side ran and
// what was verified. --json prints the same as one object {workload: {ustcp, kernel, ratio,
// unit, ...}}. Unknown workloads exit 2; a side whose work was not done completely shows
// FAILED instead of a figure and the command exits 1. Missing a target is not a failure.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>

#include "bench.hpp"
#include "commands.hpp"

namespace ustcp::cli {

namespace bench {

Params params(bool quick) {
  Params p;
  if (!quick) return p;
  p.quick = true;
  p.crr_connections = 10'000;
  p.crr_time_limit = std::chrono::seconds(5);
  p.rr_duration = std::chrono::milliseconds(500);
  p.bulk_bytes = uint64_t{256} << 20;
  p.bulk_time_limit = std::chrono::seconds(10);
  p.memory_connections = 10'000;
  p.million_connections = 100'000;
  p.million_crr_connections = 10'000;
  p.million_crr_rounds = 3;
  p.synflood_syns = 400'000;
  p.synflood_time_limit = std::chrono::seconds(2);
  return p;
}

namespace {

struct Row {
  std::string workload;
  Figure ustcp, kernel;
  std::string unit;
  std::string target;
  std::optional<bool> met;  // nullopt: not judged (a side failed, or --quick)
  std::vector<std::string> notes;

  std::optional<double> ratio() const {
    if (ustcp.value && kernel.value && *kernel.value != 0) return *ustcp.value / *kernel.value;
    return std::nullopt;
  }
};

// In display order; each is run in run_order below.
const std::vector<std::string> kWorkloads = {
    "crr", "rr", "bulk", "idle-memory", "timewait-memory", "million", "synflood"};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.starts_with("model name")) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown CPU";
}

std::string format_value(const Row& r, const Figure& f) {
  if (!f.error.empty()) return "FAILED";
  if (!f.value) return "n/a";
  const double v = *f.value;
  if (r.unit == "Gbit/s") return fmt::format("{:.2f}", v);
  if (r.unit == "GB RSS") return fmt::format("{:.2f}", v);
  return group_digits(static_cast<uint64_t>(v + 0.5));
}

void progress(const std::string& what) {
  if (isatty(STDERR_FILENO)) fmt::print(stderr, "ustcp bench: {}...\n", what);
}

}  // namespace

}  // namespace bench

int run_bench(const BenchOptions& opt) {
  using namespace bench;
  std::vector<std::string> wanted = opt.workloads;
  for (const auto& w : wanted) {
    if (std::find(kWorkloads.begin(), kWorkloads.end(), w) == kWorkloads.end()) {
      std::string known;
      for (const auto& k : kWorkloads) known += (known.empty() ? "" : ", ") + k;
      fmt::print(stderr, "ustcp bench: unknown workload '{}' (known: {})\n", w, known);
      return 2;
    }
  }
  if (wanted.empty()) wanted = kWorkloads;
  auto want = [&](const std::string& w) {
    return std::find(wanted.begin(), wanted.end(), w) != wanted.end();
  };
  const Params p = params(opt.quick);
  const uint64_t nofile = raise_nofile_limit();
  std::map<std::string, Row> rows;
  auto side = [](const std::string& what, const std::function<Figure()>& run) {
    progress(what);
    Figure f = run();
    trim_heap();
    return f;
  };

  // Run order. The memory readings come first, while the machine is quiet (Slab is
  // machine-wide: sockets freed by earlier workloads would move it). Each kernel workload
  // has a network namespace of its own where possible (bench_kernel.cpp); without one,
  // kernel crr waits for room under tcp_max_tw_buckets, so the ustcp sides run before the
  // kernel's crr, rr and bulk, giving earlier TIME_WAIT sockets time to expire.
  std::map<std::string, Figure> us, kern;
  if (want("idle-memory") || want("timewait-memory")) {
    progress("idle-memory and timewait-memory on ustcp");
    MemoryFigures u = ustcp_memory(p);
    trim_heap();
    progress("idle-memory and timewait-memory on the kernel");
    MemoryFigures k = kernel_memory(p);
    us["idle-memory"] = u.idle;
    us["timewait-memory"] = u.time_wait;
    kern["idle-memory"] = k.idle;
    kern["timewait-memory"] = k.time_wait;
  }
  const std::vector<std::pair<std::string, std::function<Figure(const Params&)>>> ustcp_runs = {
      {"synflood", ustcp_synflood},
      {"crr", ustcp_crr},
      {"rr", ustcp_rr},
      {"bulk", ustcp_bulk},
      {"million", ustcp_million}};
  const std::vector<std::pair<std::string, std::function<Figure(const Params&)>>> kernel_runs = {
      {"synflood", kernel_synflood},
      {"crr", kernel_crr},
      {"rr", kernel_rr},
      {"bulk", kernel_bulk},
      {"million", kernel_million}};
  // Named references, not structured bindings: the lambdas capture them (clang before 16
  // rejects capturing a binding).
  for (const auto& entry : ustcp_runs) {
    const std::string& name = entry.first;
    const auto& run = entry.second;
    if (want(name)) us[name] = side(name + " on ustcp", [&] { return run(p); });
    if (name == "synflood" && want(name))
      kern[name] = side("synflood on the kernel", [&] { return kernel_synflood(p); });
  }
  for (const auto& entry : kernel_runs) {
    const std::string& name = entry.first;
    const auto& run = entry.second;
    if (want(name) && name != "synflood")
      kern[name] = side(name + " on the kernel", [&] { return run(p); });
  }

  auto add = [&](const std::string& name, const std::string& unit, const std::string& target) {
    Row r{name, us[name], kern[name], unit, target, std::nullopt, {}};
    rows[name] = std::move(r);
    return &rows[name];
  };
  if (want("idle-memory")) {
    Row* r = add("idle-memory", "B/socket", "ustcp < 1 KB per ESTABLISHED socket");
    if (r->ustcp.value) r->met = *r->ustcp.value < 1024;
  }
  if (want("timewait-memory")) {
    Row* r = add("timewait-memory", "B/entry", "ustcp < 100 B per TIME_WAIT entry");
    if (r->ustcp.value) r->met = *r->ustcp.value < 100;
  }
  if (want("synflood")) {
    Row* r = add("synflood", "SYN/s",
                 ">= 1,000,000 SYN/s on one core, every legitimate connection made");
    if (r->ustcp.value)
      r->met = *r->ustcp.value >= 1e6 && r->ustcp.extra.value("legit_success", 0.0) == 1.0;
  }
  if (want("crr")) {
    Row* r = add("crr", "conn/s", ">= 10x kernel");
    if (auto q = r->ratio()) r->met = *q >= 10;
  }
  if (want("rr")) {
    Row* r = add("rr", "trans/s", ">= 5x kernel");
    if (auto q = r->ratio()) r->met = *q >= 5;
  }
  if (want("bulk")) {
    Row* r = add("bulk", "Gbit/s", ">= kernel and >= 50% of memcpy");
    progress("memcpy");
    // The physical limit: memcpy of the same 4 GiB, in the same 256 KiB pieces, through
    // buffers far larger than the caches, as 4 GiB must go (memory bandwidth). Also shown:
    // memcpy between two 256 KiB buffers that stay in cache. That one is not a limit any
    // send()/recv() transfer can approach by half: the API copies each byte at least twice
    // (into the sender's buffer, out of the receiver's), and Linux's lo reaches 3% of it.
    const double cache = memcpy_rate(p.bulk_bytes, p.bulk_chunk, p.bulk_chunk) * 8 / 1e9;
    const size_t big = size_t{256} << 20;
    const double dram =
        memcpy_rate(std::min<uint64_t>(p.bulk_bytes, uint64_t{2} << 30), p.bulk_chunk, big) * 8 /
        1e9;
    r->notes.push_back(fmt::format(
        "memcpy of the same bytes: {:.1f} Gbit/s through 256 MiB buffers (DRAM: the limit "
        "used); {:.1f} Gbit/s between two 256 KiB buffers in cache{}",
        dram, cache,
        r->ustcp.value
            ? fmt::format("; ustcp = {:.1f}% of memcpy through DRAM, {:.1f}% of memcpy in cache",
                          100 * *r->ustcp.value / dram, 100 * *r->ustcp.value / cache)
            : ""));
    r->ustcp.extra["memcpy_dram_gbps"] = dram;
    r->ustcp.extra["memcpy_cache_gbps"] = cache;
    if (r->ustcp.value) {
      r->ustcp.extra["fraction_of_memcpy_dram"] = *r->ustcp.value / dram;
      r->ustcp.extra["fraction_of_memcpy_cache"] = *r->ustcp.value / cache;
    }
    if (r->ustcp.value && r->kernel.value)
      r->met = *r->ustcp.value >= *r->kernel.value && *r->ustcp.value >= 0.5 * dram;
  }
  if (want("million")) {
    Row* r = add("million", "GB RSS",
                 "< 2 GB RSS with 1,000,000 open, crr with them open >= 80% of crr with none");
    if (r->ustcp.value)
      r->met = *r->ustcp.value < 2.0 && r->ustcp.extra.value("crr_fraction", 0.0) >= 0.8;
  }
  if (opt.quick) {
    for (auto& [name, r] : rows) r.met.reset();  // the targets are for the default counts
  }

  bool failed = false;
  for (const auto& [name, r] : rows) failed |= !r.ustcp.error.empty() || !r.kernel.error.empty();

  if (opt.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& name : kWorkloads) {
      auto it = rows.find(name);
      if (it == rows.end()) continue;
      const Row& r = it->second;
      auto val = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      };
      nlohmann::json o = {{"ustcp", val(r.ustcp.value)},
                          {"kernel", val(r.kernel.value)},
                          {"ratio", val(r.ratio())},
                          {"unit", r.unit},
                          {"target", r.target},
                          {"met", r.met ? nlohmann::json(*r.met) : nlohmann::json(nullptr)}};
      for (auto [label, f] : {std::pair{"ustcp", &r.ustcp}, std::pair{"kernel", &r.kernel}}) {
        const std::string l = label;
        if (!f->error.empty()) o[l + "_error"] = f->error;
        if (!f->na.empty()) o[l + "_na"] = f->na;
        if (!f->setup.empty()) o[l + "_setup"] = f->setup;
        if (!f->extra.empty()) o[l + "_details"] = f->extra;
      }
      std::vector<std::string> notes = r.ustcp.notes;
      notes.insert(notes.end(), r.kernel.notes.begin(), r.kernel.notes.end());
      notes.insert(notes.end(), r.notes.begin(), r.notes.end());
      o["notes"] = notes;
      j[name] = o;
    }
    fmt::print("{}\n", j.dump(2));
    return failed ? 1 : 0;
  }

  const std::time_t t = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&t));
  fmt::print("ustcp bench ({} counts), {}, nproc {}, {}\n\n", opt.quick ? "--quick" : "default",
             date, sysconf(_SC_NPROCESSORS_ONLN), cpu_model());
  fmt::print("{:<16} {:>13} {:>13} {:>8}  {:<9} {}\n", "workload", "ustcp", "kernel", "ratio",
             "unit", "target");
  for (const auto& name : kWorkloads) {
    auto it = rows.find(name);
    if (it == rows.end()) continue;
    const Row& r = it->second;
    auto q = r.ratio();
    fmt::print("{:<16} {:>13} {:>13} {:>8}  {:<9} {}: {}\n", r.workload, format_value(r, r.ustcp),
               format_value(r, r.kernel), q ? fmt::format("{:.2f}x", *q) : "-", r.unit, r.target,
               r.met ? (*r.met ? "met" : "MISSED") : "not judged");
  }
  fmt::print("\nnotes:\n");
  std::vector<std::string> setups;
  for (const auto& name : kWorkloads) {
    auto it = rows.find(name);
    if (it == rows.end()) continue;
    for (const Figure* f : {&it->second.ustcp, &it->second.kernel}) {
      if (!f->setup.empty() && std::find(setups.begin(), setups.end(), f->setup) == setups.end()) {
        setups.push_back(f->setup);
      }
    }
  }
  for (const auto& s : setups) fmt::print("  {}\n", s);
  fmt::print("  RLIMIT_NOFILE raised to {}\n", group_digits(nofile));
  if (opt.quick)
    fmt::print("  --quick: smaller counts; the targets are judged on the default run\n");
  for (const auto& name : kWorkloads) {
    auto it = rows.find(name);
    if (it == rows.end()) continue;
    const Row& r = it->second;
    for (auto [label, f] : {std::pair{"ustcp", &r.ustcp}, std::pair{"kernel", &r.kernel}}) {
      for (const auto& n : f->notes) fmt::print("  {}\n", n);
      if (!f->error.empty()) fmt::print("  {} {} FAILED: {}\n", label, name, f->error);
      if (!f->na.empty()) fmt::print("  {} {}: n/a: {}\n", label, name, f->na);
    }
    for (const auto& n : r.notes) fmt::print("  {}\n", n);
  }
  return failed ? 1 : 0;
}

}  // namespace ustcp::cli
