// syn-retries: connect() to a host that never answers (a black hole). The SYN is sent
// again on the SYN timer: with tcp_syn_linear_timeouts = 4 (Linux 6.x) the first five waits
// are 1 s, then they double (2, 4, 8, 16, 32 s); with 0, the classic schedule doubles from
// the start (1, 2, 4, 8, 16, 32 s). After tcp_syn_retries (plus the linear ones)
// retransmissions and one last wait, connect() fails with ETIMEDOUT.
#include <fmt/core.h>

#include <cerrno>

#include "lab.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {
namespace {

using namespace std::chrono_literals;

// Takes every datagram and answers none.
class BlackHole final : public link::Node {
 public:
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint) override { return std::nullopt; }
  std::optional<TimePoint> next_deadline() const override { return std::nullopt; }
  void on_timer(TimePoint) override {}
};

// Linux's SYN schedule (tcp_connect(), tcp_retransmit_timer(), tcp_syn_linear_timeouts):
// the waits after the SYN and after each retransmission, the last one before ETIMEDOUT.
std::vector<double> syn_waits(const tcp::Config& cfg) {
  std::vector<double> waits;
  const int linear = cfg.tcp_syn_linear_timeouts;
  const int retransmits = cfg.tcp_syn_retries + linear;
  for (int k = 0; k <= retransmits; ++k) {
    const double w = k <= linear ? 1.0 : std::pow(2.0, k - linear);
    waits.push_back(std::min(w, to_seconds(cfg.rto_max())));
  }
  return waits;
}

void syn_retries(LabRun& r) {
  LabWorld& w = r.w;
  stack::Stack& client = w.add_host("client", kClient, r.cfg, {.delay = 5ms});
  BlackHole hole;
  w.add_node("black hole", kServer, hole, {.delay = 5ms});
  w.say(
      fmt::format("  client: connect() to {}:80, which never answers (tcp_syn_retries {}, "
                  "tcp_syn_linear_timeouts {})",
                  kServer.to_string(), r.cfg.tcp_syn_retries, r.cfg.tcp_syn_linear_timeouts));
  const stack::SocketId c = client.socket().value();
  (void)client.connect(w.now(), c, {kServer, 80});
  TimePoint failed_at = kNever;
  int err = 0;
  size_t seen = 0;
  w.run(at(400s), 10ms, [&](TimePoint now) {
    for (; seen < w.segments().size(); ++seen) {
      const LabSegment& s = w.segments()[seen];
      if (s.from == 0 && seen > 0) {
        w.note(fmt::format("SYN retransmitted ({} since the last)",
                           fmt::format("{:.0f} s", to_seconds(s.t - w.segments()[seen - 1].t))));
      }
    }
    if (client.poll(c) & (stack::events::ERR | stack::events::HUP)) {
      err = client.getsockopt(c, kSolSocket, kSoError).value_or(0);
      failed_at = now;
      w.note(fmt::format("connect() fails: {}", stack::errno_name(err)));
      w.show_nstat("client", {"TcpActiveOpens", "TcpAttemptFails", "TcpRetransSegs",
                              "TcpExtTCPSynRetrans", "TcpExtTCPTimeouts"});
      return false;
    }
    return true;
  });
  const std::vector<double> waits = syn_waits(r.cfg);
  std::vector<double> expected{0};
  for (size_t k = 0; k + 1 < waits.size(); ++k) expected.push_back(expected.back() + waits[k]);
  const double expected_fail = expected.back() + waits.back();
  std::vector<double> sent;
  for (const LabSegment& s : w.segments()) {
    if (s.flags & wire::tcp_flags::SYN) sent.push_back(to_seconds(s.t));
  }
  std::string got, want;
  for (double t : sent)
    got += fmt::format("{}{:g}", got.empty() ? "" : ", ", std::round(t * 1000) / 1000);
  for (double t : expected) want += fmt::format("{}{:g}", want.empty() ? "" : ", ", t);
  r.outcome(fmt::format("SYNs at {} s; connect() failed with {} at {:.3f} s", got,
                        err ? stack::errno_name(err) : "nothing", to_seconds(failed_at)));
  bool same = sent.size() == expected.size();
  for (size_t i = 0; same && i < sent.size(); ++i) same = std::abs(sent[i] - expected[i]) < 0.002;
  r.check(same, fmt::format("the SYNs left on Linux's schedule: {} s", want));
  r.check(err == ETIMEDOUT && std::abs(to_seconds(failed_at) - expected_fail) < 0.02,
          fmt::format("connect() failed with ETIMEDOUT at {:g} s", expected_fail));
  r.check(
      client.counters().TCPSynRetrans == expected.size() - 1 && client.counters().AttemptFails == 1,
      fmt::format("TcpExtTCPSynRetrans {} and TcpAttemptFails 1", expected.size() - 1));
  r.picture.focus = [](const LabSegment&) { return true; };
  r.picture.timeline_hosts = {"client"};
}

}  // namespace

void add_connect_scenarios(std::vector<LabScenario>& out) {
  out.push_back({"syn-retries",
                 "connect() to a black hole: the SYN retransmission schedule, then ETIMEDOUT",
                 {{"tcp_syn_linear_timeouts=4"}, {"tcp_syn_linear_timeouts=0"}},
                 syn_retries});
}

}  // namespace ustcp::cli
