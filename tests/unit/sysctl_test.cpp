// The sysctl layer: every name settable and readable back, Linux's bounds, sysctl.conf
// parsing, and all-or-nothing application of a file.
#include "ustcp/stack/sysctl.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

namespace ustcp::stack::sysctl {
namespace {

using tcp::Config;

// (name, value written, what the Config field must then hold)
struct SetCase {
  std::string name;
  std::string value;
  std::function<bool(const Config&)> holds;
  std::string read_back;  // get() after the write
};

std::vector<SetCase> every_field() {
  return {
      {"net.core.somaxconn", "128", [](const Config& c) { return c.somaxconn == 128; }, "128"},
      {"net.ipv4.ip_local_port_range", "1024 65535",
       [](const Config& c) {
         return c.ip_local_port_range[0] == 1024 && c.ip_local_port_range[1] == 65535;
       },
       "1024\t65535"},
      {"net.ipv4.tcp_abort_on_overflow", "1",
       [](const Config& c) { return c.tcp_abort_on_overflow == 1; }, "1"},
      {"net.ipv4.tcp_challenge_ack_limit", "1000",
       [](const Config& c) { return c.tcp_challenge_ack_limit == 1000; }, "1000"},
      {"net.ipv4.tcp_available_congestion_control", "cubic", nullptr, ""},
      {"net.ipv4.tcp_congestion_control", "reno",
       [](const Config& c) { return c.congestion_control == &tcp::reno(); }, "reno"},
      {"net.ipv4.tcp_dsack", "0", [](const Config& c) { return c.tcp_dsack == 0; }, "0"},
      {"net.ipv4.tcp_early_retrans", "0", [](const Config& c) { return c.tcp_early_retrans == 0; },
       "0"},
      {"net.ipv4.tcp_frto", "0", [](const Config& c) { return c.tcp_frto == 0; }, "0"},
      {"net.ipv4.tcp_fin_timeout", "30", [](const Config& c) { return c.tcp_fin_timeout == 30; },
       "30"},
      {"net.ipv4.tcp_invalid_ratelimit", "250",
       [](const Config& c) { return c.tcp_invalid_ratelimit == 250; }, "250"},
      {"net.ipv4.tcp_keepalive_intvl", "10",
       [](const Config& c) { return c.tcp_keepalive_intvl == 10; }, "10"},
      {"net.ipv4.tcp_keepalive_probes", "3",
       [](const Config& c) { return c.tcp_keepalive_probes == 3; }, "3"},
      {"net.ipv4.tcp_keepalive_time", "600",
       [](const Config& c) { return c.tcp_keepalive_time == 600; }, "600"},
      {"net.ipv4.tcp_max_orphans", "4096",
       [](const Config& c) { return c.tcp_max_orphans == 4096; }, "4096"},
      {"net.ipv4.tcp_max_reordering", "100",
       [](const Config& c) { return c.tcp_max_reordering == 100; }, "100"},
      {"net.ipv4.tcp_min_rtt_wlen", "60", [](const Config& c) { return c.tcp_min_rtt_wlen == 60; },
       "60"},
      {"net.ipv4.tcp_min_tso_segs", "10", [](const Config& c) { return c.tcp_min_tso_segs == 10; },
       "10"},
      {"net.ipv4.tcp_moderate_rcvbuf", "0",
       [](const Config& c) { return c.tcp_moderate_rcvbuf == 0; }, "0"},
      {"net.ipv4.tcp_max_syn_backlog", "128",
       [](const Config& c) { return c.tcp_max_syn_backlog == 128; }, "128"},
      {"net.ipv4.tcp_max_tw_buckets", "10",
       [](const Config& c) { return c.tcp_max_tw_buckets == 10; }, "10"},
      {"net.ipv4.tcp_orphan_retries", "2",
       [](const Config& c) { return c.tcp_orphan_retries == 2; }, "2"},
      {"net.ipv4.tcp_recovery", "0", [](const Config& c) { return c.tcp_recovery == 0; }, "0"},
      {"net.ipv4.tcp_reordering", "10", [](const Config& c) { return c.tcp_reordering == 10; },
       "10"},
      {"net.ipv4.tcp_retries1", "5", [](const Config& c) { return c.tcp_retries1 == 5; }, "5"},
      {"net.ipv4.tcp_retries2", "8", [](const Config& c) { return c.tcp_retries2 == 8; }, "8"},
      {"net.ipv4.tcp_rfc1337", "1", [](const Config& c) { return c.tcp_rfc1337 == 1; }, "1"},
      {"net.ipv4.tcp_rmem", "8192 65536 1048576",
       [](const Config& c) {
         return c.tcp_rmem == std::array<int, 3>{8192, 65536, 1048576};
       },
       "8192\t65536\t1048576"},
      {"net.ipv4.tcp_rto_max_ms", "60000",
       [](const Config& c) { return c.tcp_rto_max_ms == 60000; }, "60000"},
      {"net.ipv4.tcp_rto_min_us", "5000", [](const Config& c) { return c.tcp_rto_min_us == 5000; },
       "5000"},
      {"net.ipv4.tcp_sack", "0", [](const Config& c) { return c.tcp_sack == 0; }, "0"},
      {"net.ipv4.tcp_slow_start_after_idle", "0",
       [](const Config& c) { return c.tcp_slow_start_after_idle == 0; }, "0"},
      {"net.ipv4.tcp_syn_linear_timeouts", "0",
       [](const Config& c) { return c.tcp_syn_linear_timeouts == 0; }, "0"},
      {"net.ipv4.tcp_syn_retries", "2", [](const Config& c) { return c.tcp_syn_retries == 2; },
       "2"},
      {"net.ipv4.tcp_synack_retries", "2",
       [](const Config& c) { return c.tcp_synack_retries == 2; }, "2"},
      {"net.ipv4.tcp_syncookies", "2", [](const Config& c) { return c.tcp_syncookies == 2; }, "2"},
      {"net.ipv4.tcp_timestamps", "0", [](const Config& c) { return c.tcp_timestamps == 0; }, "0"},
      {"net.ipv4.tcp_tw_reuse", "1", [](const Config& c) { return c.tcp_tw_reuse == 1; }, "1"},
      {"net.ipv4.tcp_tw_reuse_delay", "50",
       [](const Config& c) { return c.tcp_tw_reuse_delay == 50; }, "50"},
      {"net.ipv4.tcp_window_scaling", "0",
       [](const Config& c) { return c.tcp_window_scaling == 0; }, "0"},
      {"net.ipv4.tcp_wmem", "4096 32768 8388608",
       [](const Config& c) {
         return c.tcp_wmem == std::array<int, 3>{4096, 32768, 8388608};
       },
       "4096\t32768\t8388608"},
  };
}

// tcp_available_congestion_control refuses a write, except of the value it reads (with any
// spacing), so that the listing of every sysctl applies back as a file.
TEST(Sysctl, AvailableCongestionControlTakesOnlyItsOwnValue) {
  Config cfg;
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_available_congestion_control", " reno   cubic "));
  auto r = apply(cfg, "net.ipv4.tcp_available_congestion_control", "reno");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "read-only (it lists the algorithms ustcp has: reno cubic)");
  Config again;
  EXPECT_TRUE(apply_file(again, to_text(cfg), "dump"));
}

TEST(Sysctl, EveryNameIsSettableAndReadsBack) {
  const auto cases = every_field();
  std::set<std::string> covered;
  for (const SetCase& t : cases) {
    SCOPED_TRACE(t.name);
    Config cfg;
    covered.insert(t.name);
    EXPECT_TRUE(known(t.name));
    if (!t.holds) {
      // Read-only (as /proc/sys's mode 0444 files refuse writes).
      auto r = apply(cfg, t.name, t.value);
      ASSERT_FALSE(r);
      EXPECT_TRUE(r.error().reason.starts_with("read-only")) << r.error().reason;
      continue;
    }
    ASSERT_TRUE(apply(cfg, t.name, t.value)) << apply(cfg, t.name, t.value).error().message();
    EXPECT_TRUE(t.holds(cfg));
    EXPECT_EQ(get(cfg, t.name), t.read_back);
  }
  // The table above covers exactly the names the layer knows.
  std::set<std::string> listed;
  for (std::string_view n : names()) listed.insert(std::string(n));
  EXPECT_EQ(covered, listed);
  EXPECT_EQ(listed.size(), 41u);
}

TEST(Sysctl, DefaultsListedLikeSysctlA) {
  EXPECT_EQ(to_text(Config{}),
            "net.core.somaxconn = 4096\n"
            "net.ipv4.ip_local_port_range = 32768\t60999\n"
            "net.ipv4.tcp_abort_on_overflow = 0\n"
            "net.ipv4.tcp_available_congestion_control = reno cubic\n"
            "net.ipv4.tcp_challenge_ack_limit = 2147483647\n"
            "net.ipv4.tcp_congestion_control = cubic\n"
            "net.ipv4.tcp_dsack = 1\n"
            "net.ipv4.tcp_early_retrans = 3\n"
            "net.ipv4.tcp_fin_timeout = 60\n"
            "net.ipv4.tcp_frto = 2\n"
            "net.ipv4.tcp_invalid_ratelimit = 500\n"
            "net.ipv4.tcp_keepalive_intvl = 75\n"
            "net.ipv4.tcp_keepalive_probes = 9\n"
            "net.ipv4.tcp_keepalive_time = 7200\n"
            "net.ipv4.tcp_max_orphans = 131072\n"
            "net.ipv4.tcp_max_reordering = 300\n"
            "net.ipv4.tcp_max_syn_backlog = 2048\n"
            "net.ipv4.tcp_max_tw_buckets = 131072\n"
            "net.ipv4.tcp_min_rtt_wlen = 300\n"
            "net.ipv4.tcp_min_tso_segs = 2\n"
            "net.ipv4.tcp_moderate_rcvbuf = 1\n"
            "net.ipv4.tcp_orphan_retries = 0\n"
            "net.ipv4.tcp_recovery = 1\n"
            "net.ipv4.tcp_reordering = 3\n"
            "net.ipv4.tcp_retries1 = 3\n"
            "net.ipv4.tcp_retries2 = 15\n"
            "net.ipv4.tcp_rfc1337 = 0\n"
            "net.ipv4.tcp_rmem = 4096\t131072\t33554432\n"
            "net.ipv4.tcp_rto_max_ms = 120000\n"
            "net.ipv4.tcp_rto_min_us = 200000\n"
            "net.ipv4.tcp_sack = 1\n"
            "net.ipv4.tcp_slow_start_after_idle = 1\n"
            "net.ipv4.tcp_syn_linear_timeouts = 4\n"
            "net.ipv4.tcp_syn_retries = 6\n"
            "net.ipv4.tcp_synack_retries = 5\n"
            "net.ipv4.tcp_syncookies = 1\n"
            "net.ipv4.tcp_timestamps = 1\n"
            "net.ipv4.tcp_tw_reuse = 2\n"
            "net.ipv4.tcp_tw_reuse_delay = 1000\n"
            "net.ipv4.tcp_window_scaling = 1\n"
            "net.ipv4.tcp_wmem = 4096\t16384\t4194304\n");
  const auto a = all(Config{});
  ASSERT_EQ(a.size(), 41u);
  EXPECT_EQ(a.front(), (std::pair<std::string, std::string>{"net.core.somaxconn", "4096"}));
}

TEST(Sysctl, SlashesAsSysctl8Accepts) {
  Config cfg;
  ASSERT_TRUE(apply(cfg, "net/ipv4/tcp_syncookies", "2"));
  EXPECT_EQ(cfg.tcp_syncookies, 2);
  EXPECT_EQ(get(cfg, "net/ipv4/tcp_syncookies"), "2");
  EXPECT_EQ(get(cfg, "net.ipv4.tcp_syncookies"), "2");
  EXPECT_TRUE(known("net/core/somaxconn"));
}

TEST(Sysctl, UnknownNameAndMtuAreNotSysctls) {
  Config cfg;
  auto r = apply(cfg, "net.ipv4.tcp_bogus", "1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "unknown name");
  EXPECT_EQ(r.error().message(), "net.ipv4.tcp_bogus: unknown name");
  EXPECT_FALSE(apply(cfg, "mtu", "9000"));
  EXPECT_EQ(get(cfg, "mtu"), "");
  EXPECT_FALSE(known("mtu"));
  EXPECT_EQ(get(cfg, "net.ipv4.tcp_bogus"), "");
}

// (name, value, reason): Linux's bounds from net/ipv4/sysctl_net_ipv4.c.
struct RejectCase {
  const char* name;
  const char* value;
  const char* reason;
};

TEST(Sysctl, OutOfRangeRejectedWithTheReason) {
  const RejectCase cases[] = {
      {"net.ipv4.tcp_syn_retries", "0", "value out of range 1..127 (got 0)"},
      {"net.ipv4.tcp_syn_retries", "128", "value out of range 1..127 (got 128)"},
      {"net.ipv4.tcp_syn_linear_timeouts", "128", "value out of range 0..127 (got 128)"},
      {"net.ipv4.tcp_tw_reuse", "3", "value out of range 0..2 (got 3)"},
      {"net.ipv4.tcp_tw_reuse", "-1", "value out of range 0..2 (got -1)"},
      {"net.ipv4.tcp_tw_reuse_delay", "0", "value out of range 1..60000 (got 0)"},
      {"net.ipv4.tcp_tw_reuse_delay", "60001", "value out of range 1..60000 (got 60001)"},
      {"net.ipv4.tcp_syncookies", "256", "value out of range 0..255 (got 256)"},
      {"net.ipv4.tcp_synack_retries", "-1", "value out of range 0..255 (got -1)"},
      {"net.ipv4.tcp_retries1", "256", "value out of range 0..255 (got 256)"},
      {"net.ipv4.tcp_rto_max_ms", "999", "value out of range 1000..120000 (got 999)"},
      {"net.ipv4.tcp_early_retrans", "5", "value out of range 0..4 (got 5)"},
      {"net.ipv4.tcp_min_rtt_wlen", "86401", "value out of range 0..86400 (got 86401)"},
      {"net.ipv4.tcp_min_tso_segs", "0", "value out of range 1..255 (got 0)"},
      {"net.ipv4.tcp_congestion_control", "vegas",
       "no such congestion control 'vegas' (available: reno cubic)"},
      {"net.ipv4.tcp_rto_max_ms", "120001", "value out of range 1000..120000 (got 120001)"},
      {"net.ipv4.tcp_rto_min_us", "0", "value out of range 1..2147483647 (got 0)"},
      {"net.core.somaxconn", "-1", "value out of range 0..2147483647 (got -1)"},
      {"net.ipv4.tcp_fin_timeout", "2147484", "value out of range -2147483..2147483 (got 2147484)"},
      {"net.ipv4.tcp_invalid_ratelimit", "-1", "value out of range 0..2147483647 (got -1)"},
      {"net.ipv4.tcp_max_syn_backlog", "2147483648",
       "value out of range -2147483648..2147483647 (got 2147483648)"},
      {"net.ipv4.tcp_rmem", "0 87380 6291456", "value out of range 1..2147483647 (got 0)"},
      {"net.ipv4.tcp_wmem", "4096 16384 0", "value out of range 1..2147483647 (got 0)"},
      {"net.ipv4.ip_local_port_range", "0 100", "value out of range 1..65535 (got 0)"},
      {"net.ipv4.ip_local_port_range", "2000 65536", "value out of range 1..65535 (got 65536)"},
      {"net.ipv4.ip_local_port_range", "40000 30000", "high port 30000 is below low port 40000"},
      {"net.ipv4.ip_local_port_range", "80 8080",
       "low port 80 is below ip_unprivileged_port_start (1024)"},
      {"net.ipv4.tcp_sack", "yes", "invalid number 'yes'"},
      {"net.ipv4.tcp_sack", "1abc", "invalid number '1abc'"},
      {"net.ipv4.tcp_sack", "0x", "invalid number '0x'"},
      {"net.ipv4.tcp_sack", "08", "invalid number '08'"},
      {"net.ipv4.tcp_sack", "", "empty value"},
      {"net.ipv4.tcp_sack", "1 1", "expected one value"},
      {"net.ipv4.tcp_rmem", "1 2 3 4", "expected at most 3 values"},
  };
  for (const RejectCase& t : cases) {
    SCOPED_TRACE(std::string(t.name) + " = " + t.value);
    Config cfg;
    const std::string before = to_text(cfg);
    auto r = apply(cfg, t.name, t.value);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, t.reason);
    EXPECT_EQ(r.error().name, t.name);
    EXPECT_EQ(to_text(cfg), before) << "a refused write changed the Config";
  }
}

TEST(Sysctl, BoundsAreInclusive) {
  Config cfg;
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_syn_retries", "1"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_syn_retries", "127"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_tw_reuse", "0"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_tw_reuse", "2"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_rto_max_ms", "1000"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_tw_reuse_delay", "60000"));
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_syncookies", "255"));  // Linux: u8, no narrower bound
  EXPECT_TRUE(apply(cfg, "net.ipv4.tcp_max_syn_backlog", "-2147483648"));  // proc_dointvec
  EXPECT_TRUE(apply(cfg, "net.ipv4.ip_local_port_range", "1024 1024"));
  // Same parity only draws a warning from Linux (set_local_port_range), not a refusal.
  EXPECT_TRUE(apply(cfg, "net.ipv4.ip_local_port_range", "32768 61000"));
  EXPECT_EQ(get(cfg, "net.ipv4.ip_local_port_range"), "32768\t61000");
}

TEST(Sysctl, NumbersAsProcDointvecReadsThem) {
  Config cfg;
  ASSERT_TRUE(apply(cfg, "net.ipv4.tcp_syn_retries", "0x10"));
  EXPECT_EQ(cfg.tcp_syn_retries, 16);
  ASSERT_TRUE(apply(cfg, "net.ipv4.tcp_syn_retries", "010"));  // base 0: octal
  EXPECT_EQ(cfg.tcp_syn_retries, 8);
  ASSERT_TRUE(apply(cfg, "net.ipv4.tcp_rmem", "  1\t2   3 \n"));
  EXPECT_EQ(cfg.tcp_rmem, (std::array<int, 3>{1, 2, 3}));
}

TEST(Sysctl, FewerValuesSetOnlyTheFirst) {
  Config cfg;
  ASSERT_TRUE(apply(cfg, "net.ipv4.tcp_rmem", "8192"));
  EXPECT_EQ(cfg.tcp_rmem, (std::array<int, 3>{8192, 131072, 33554432}));
  ASSERT_TRUE(apply(cfg, "net.ipv4.ip_local_port_range", "40000"));
  EXPECT_EQ(cfg.ip_local_port_range, (std::array<int, 2>{40000, 60999}));
  // The check sees the resulting pair: 61000 alone would put low above high.
  auto r = apply(cfg, "net.ipv4.ip_local_port_range", "61000");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "high port 60999 is below low port 61000");
  EXPECT_EQ(cfg.ip_local_port_range, (std::array<int, 2>{40000, 60999}));
}

TEST(Sysctl, TwRecycleIsRefusedWithTheReason) {
  Config cfg;
  const std::string before = to_text(cfg);
  for (const char* name : {"net.ipv4.tcp_tw_recycle", "net/ipv4/tcp_tw_recycle"}) {
    auto r = apply(cfg, name, "1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason.find("removed in Linux 4.12"), std::string::npos);
    EXPECT_NE(r.error().reason.find("NAT"), std::string::npos);
    EXPECT_NE(r.error().reason.find("not monotonic"), std::string::npos);
  }
  EXPECT_EQ(to_text(cfg), before);
  EXPECT_EQ(get(cfg, "net.ipv4.tcp_tw_recycle"), "");
}

TEST(Sysctl, FileWithCommentsBlankLinesAndBothSpellings) {
  Config cfg;
  const std::string text =
      "# ustcp tuning\n"
      "; also a comment\n"
      "\n"
      "   \t\n"
      "net.ipv4.tcp_syncookies = 2\n"
      "net.ipv4.tcp_fin_timeout=30\n"
      "  net/ipv4/tcp_tw_reuse\t=\t1  \r\n"
      "net.ipv4.ip_local_port_range = 10000 20000\n"
      "net.ipv4.tcp_syncookies = 0\n"  // later lines win
      "    # indented comment\n"
      "net.core.somaxconn = 512";  // no final newline
  auto r = apply_file(cfg, text, "ustcp.conf");
  ASSERT_TRUE(r);
  EXPECT_EQ(cfg.tcp_syncookies, 0);
  EXPECT_EQ(cfg.tcp_fin_timeout, 30);
  EXPECT_EQ(cfg.tcp_tw_reuse, 1);
  EXPECT_EQ(cfg.ip_local_port_range, (std::array<int, 2>{10000, 20000}));
  EXPECT_EQ(cfg.somaxconn, 512);
}

TEST(Sysctl, OneBadLineLeavesTheConfigUnchanged) {
  Config cfg;
  cfg.tcp_syn_retries = 3;
  const std::string before = to_text(cfg);
  const std::string text =
      "net.ipv4.tcp_fin_timeout = 30\n"
      "net.ipv4.tcp_syncookies = 2\n"
      "net.ipv4.tcp_tw_reuse = 3\n"
      "net.ipv4.tcp_sack = 0\n";
  auto r = apply_file(cfg, text, "/etc/ustcp.conf");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  const SysctlError& e = r.error()[0];
  EXPECT_EQ(e.file, "/etc/ustcp.conf");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.name, "net.ipv4.tcp_tw_reuse");
  EXPECT_EQ(e.message(),
            "/etc/ustcp.conf:3: net.ipv4.tcp_tw_reuse: value out of range 0..2 (got 3)");
  EXPECT_EQ(to_text(cfg), before);
}

TEST(Sysctl, EveryErrorOfAFileIsReportedWithItsLine) {
  Config cfg;
  const std::string text =
      "# header\n"
      "net.ipv4.tcp_sack 0\n"
      "= 5\n"
      "net.ipv4.tcp_dsack =\n"
      "net.ipv4.tcp_nonsense = 1\n"
      "net.ipv4.tcp_tw_recycle = 1\n"
      "net.ipv4.tcp_timestamps = 0\n";
  auto r = apply_file(cfg, text, "f.conf");
  ASSERT_FALSE(r);
  const auto& errs = r.error();
  ASSERT_EQ(errs.size(), 5u);
  EXPECT_EQ(errs[0].message(),
            "f.conf:2: malformed line (expected 'name = value'): 'net.ipv4.tcp_sack 0'");
  EXPECT_EQ(errs[1].message(), "f.conf:3: malformed line (no name before '='): '= 5'");
  EXPECT_EQ(errs[2].message(), "f.conf:4: net.ipv4.tcp_dsack: malformed line (no value after '=')");
  EXPECT_EQ(errs[3].message(), "f.conf:5: net.ipv4.tcp_nonsense: unknown name");
  EXPECT_EQ(errs[4].line, 6);
  EXPECT_NE(errs[4].reason.find("4.12"), std::string::npos);
  EXPECT_EQ(cfg.tcp_timestamps, 1);  // nothing applied
}

TEST(Sysctl, LeadingDashIgnoresThatLinesErrors) {
  Config cfg;
  const std::string text =
      "-net.ipv4.tcp_nonsense = 1\n"
      "-net.ipv4.tcp_tw_reuse = 7\n"
      "- net.ipv4.tcp_tw_recycle = 1\n"
      "-garbage without equals\n"
      "-net.ipv4.tcp_rfc1337 = 1\n"  // a good '-' line still applies
      "net.ipv4.tcp_sack = 0\n";
  auto r = apply_file(cfg, text, "dash.conf");
  ASSERT_TRUE(r) << r.error()[0].message();
  EXPECT_EQ(cfg.tcp_tw_reuse, 2);  // the refused value left the default
  EXPECT_EQ(cfg.tcp_rfc1337, 1);
  EXPECT_EQ(cfg.tcp_sack, 0);
}

TEST(Sysctl, EmptyFileChangesNothing) {
  Config cfg;
  const std::string before = to_text(cfg);
  EXPECT_TRUE(apply_file(cfg, "", "empty.conf"));
  EXPECT_TRUE(apply_file(cfg, "\n\n# only comments\n", "c.conf"));
  EXPECT_EQ(to_text(cfg), before);
}

}  // namespace
}  // namespace ustcp::stack::sysctl
