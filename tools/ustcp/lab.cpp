#include "lab.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "ustcp/stack/sysctl.hpp"

namespace ustcp::cli {

void LabRun::outcome(std::string line) {
  fmt::print("  {}\n", line);
  summary.push_back(std::move(line));
}

const std::vector<LabScenario>& lab_scenarios() {
  static const std::vector<LabScenario> all = [] {
    std::vector<LabScenario> v;
    add_port_scenarios(v);
    add_close_scenarios(v);
    add_listen_scenarios(v);
    add_connect_scenarios(v);
    return v;
  }();
  return all;
}

namespace {

std::string full_name(const std::string& short_name) {
  return short_name.find('.') == std::string::npos ? "net.ipv4." + short_name : short_name;
}

// "tcp_tw_reuse=1" -> ("net.ipv4.tcp_tw_reuse", "1")
std::pair<std::string, std::string> split(const std::string& s) {
  const size_t eq = s.find('=');
  return {full_name(s.substr(0, eq)), eq == std::string::npos ? "" : s.substr(eq + 1)};
}

std::string file_label(const std::string& label) {
  std::string f;
  for (char c : label) f += (c == ' ' || c == '/' || c == ',') ? '_' : c;
  return f;
}

}  // namespace

int run_lab(const LabOptions& opt) {
  const auto& all = lab_scenarios();
  if (opt.list) {
    for (const LabScenario& s : all) fmt::print("{:<28}{}\n", s.name, s.title);
    return 0;
  }
  const LabScenario* sc = nullptr;
  for (const LabScenario& s : all) {
    if (opt.name == s.name) sc = &s;
  }
  if (!sc) {
    std::string names;
    for (const LabScenario& s : all) names += std::string(names.empty() ? "" : ", ") + s.name;
    fmt::print(stderr, "ustcp lab: unknown scenario '{}' (one of: {}; ustcp lab --list)\n",
               opt.name, names);
    return 2;
  }
  // The user's sysctls: checked once here, applied to every variant below.
  tcp::Config probe;
  std::string error;
  if (!load_config(opt.stack, probe, error)) {
    fmt::print(stderr, "ustcp lab: {}\n", error);
    return 2;
  }
  std::vector<std::string> user_names;
  for (const std::string& s : opt.stack.sysctls) user_names.push_back(split(s).first);
  // Setting a sysctl the variants vary: one run, with the user's value.
  std::vector<std::vector<std::string>> variants = sc->variants;
  for (const auto& v : sc->variants) {
    for (const std::string& a : v) {
      if (std::find(user_names.begin(), user_names.end(), split(a).first) != user_names.end()) {
        variants = {{}};
      }
    }
  }
  if (variants.empty()) variants = {{}};
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) {
    fmt::print(stderr, "ustcp lab: --out {}: {}\n", opt.out_dir, ec.message());
    return 1;
  }
  fmt::print("ustcp lab {}: {}\n", sc->name, sc->title);
  int failed = 0;
  for (const auto& v : variants) {
    tcp::Config cfg;
    std::string label;
    std::map<std::string, std::string> app;
    for (const std::string& a : v) {
      if (a.starts_with("app.")) {
        // An application setting: named without its "app." in the label and file name.
        label += (label.empty() ? "" : " ") + a.substr(4);
        const size_t eq = a.find('=');
        app[a.substr(4, eq - 4)] = a.substr(eq + 1);
        continue;
      }
      label += (label.empty() ? "" : " ") + a;
      auto [name, value] = split(a);
      if (auto r = stack::sysctl::apply(cfg, name, value); !r) {
        fmt::print(stderr, "ustcp lab: {}: {}\n", sc->name, r.error().message());
        return 2;
      }
    }
    load_config(opt.stack, cfg, error);
    for (const std::string& s : opt.stack.sysctls) {
      label += (label.empty() ? "" : " ") + s.substr(s.rfind('.', s.find('=')) + 1);
    }
    const std::string base = std::string(sc->name) + (label.empty() ? "" : "-" + file_label(label));
    const std::filesystem::path dir(opt.out_dir);
    fmt::print("\n== {} ==\n", label.empty() ? "Linux's defaults" : label);
    LabWorld w(opt.seed);
    if (!opt.no_pcap) {
      if (std::string e = w.capture((dir / (base + ".pcap")).string()); !e.empty()) {
        fmt::print(stderr, "ustcp lab: {}\n", e);
        return 1;
      }
    }
    LabRun run{cfg, label, app, w, {}, {}, {}};
    run.picture.title = fmt::format("ustcp lab {}: {}", sc->name, sc->title);
    run.picture.settings = label.empty() ? "Linux's defaults" : label;
    sc->run(run);
    run.picture.summary = run.summary;
    run.picture.checks = run.checks;
    for (const auto& [ok, what] : run.checks) {
      fmt::print("  {} - {}\n", ok ? "ok  " : "FAIL", what);
      failed += !ok;
    }
    const std::string svg_path = (dir / (base + ".svg")).string();
    std::ofstream svg(svg_path);
    svg << lab_svg(w, run.picture);
    if (!svg) {
      fmt::print(stderr, "ustcp lab: writing {} failed\n", svg_path);
      return 1;
    }
    fmt::print("  wrote {}{}\n", svg_path,
               opt.no_pcap ? "" : " and " + (dir / (base + ".pcap")).string());
  }
  if (failed) fmt::print("\n{} check(s) failed\n", failed);
  return failed ? 1 : 0;
}

}  // namespace ustcp::cli
