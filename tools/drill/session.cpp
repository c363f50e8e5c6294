// The timeline: schedules each event in virtual time, runs the stack's timers up to it,
// and turns what goes wrong into a failed or skipped result.
#include "drill/session.hpp"

#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>

#include "drill/parser.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp::drill {

using namespace std::chrono_literals;

Session::Session(const Script& script, const RunOptions& opts)
    : s_(script), opts_(opts), stack_(kLocalAddr, tcp::Config{}, /*seed=*/1) {
  // packetdrill's harness settings come first; the script's own commands then override.
  apply_defaults();
}

std::string Session::secs(TimePoint t) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", to_seconds(t));
  return buf;
}

void Session::trace(const std::string& line) const {
  if (opts_.verbose && opts_.trace) *opts_.trace << line << "\n";
}

// packetdrill's rule: an event may be late or early by the larger of --tolerance_usecs and
// --tolerance_percent of the time since the previous event.
int64_t Session::tolerance_for(TimePoint expected) const {
  int64_t since = std::chrono::duration_cast<std::chrono::microseconds>(expected - anchor_).count();
  auto pct =
      static_cast<int64_t>(static_cast<double>(since > 0 ? since : 0) * tolerance_percent_ / 100.0);
  return std::max(tolerance_us_, pct);
}

void Session::drain() {
  while (auto pkt = stack_.poll_transmit(clock_)) {
    std::vector<std::byte> d(pkt->begin(), pkt->end());
    // Queue by the 4-tuple as seen from the script: remote port << 16 | local port.
    uint32_t key = 0;
    auto ip = wire::Ipv4View::parse(d);
    if (ip && ip->payload().size() >= 4) {
      auto b = ip->payload();
      uint16_t sport =
          static_cast<uint16_t>(std::to_integer<int>(b[0]) << 8 | std::to_integer<int>(b[1]));
      uint16_t dport =
          static_cast<uint16_t>(std::to_integer<int>(b[2]) << 8 | std::to_integer<int>(b[3]));
      key = uint32_t{dport} << 16 | sport;
      if (opts_.verbose) {
        auto it = conns_.find(key);
        ScriptConn tmp{sport, dport};
        trace(secs(clock_) + "  ustcp sent   " +
              describe(it != conns_.end() ? it->second : tmp, d, true));
      }
    }
    sent_[key].push_back(Emitted{clock_, std::move(d), current_ == key});
  }
}

void Session::step_to(TimePoint t) {
  drain();
  retry_blocking();
  // A bound, so that a timer that never moves forward is an error, not a hang.
  for (int steps = 0;; ++steps) {
    if (steps == 10'000'000)
      throw Failure{ev().pos, "the stack's timers did not advance past " + secs(clock_)};
    auto d = stack_.next_deadline();
    TimePoint next = std::min(d ? *d : kNever, blocking_ ? blocking_->wake : kNever);
    if (blocking_) {
      TimePoint limit = blocking_->end + std::chrono::microseconds(blocking_->tolerance_us);
      if (limit < next && limit < t) {
        // The call should have returned by now and nothing before then can wake it.
        clock_ = std::max(clock_, limit);
        const Event& e = s_.events[blocking_->event];
        throw Failure{e.pos, "blocking call expected to return at " + secs(blocking_->end) +
                                 " is still blocked at " + secs(clock_)};
      }
    }
    if (next > t) break;
    clock_ = std::max(clock_, next);
    if (d && *d <= clock_) stack_.on_timer(clock_);
    drain();
    retry_blocking();
  }
  clock_ = std::max(clock_, t);
  retry_blocking();
}

// --strict: a packet the stack sent before `before` on the connection then under test that
// no `>` line took is unexpected. (Packets of other connections are not the script's
// business: packetdrill does not see them.)
void Session::check_strict(Pos pos, TimePoint before) {
  if (!opts_.strict) return;
  for (auto& [key, q] : sent_) {
    for (const Emitted& e : q) {
      if (e.under_test && e.at < before) {
        auto it = conns_.find(key);
        ScriptConn tmp{static_cast<uint16_t>(key & 0xffff), static_cast<uint16_t>(key >> 16)};
        throw Failure{pos, "unexpected outbound packet (--strict): ustcp sent `" +
                               describe(it != conns_.end() ? it->second : tmp, e.data, true) +
                               "` at " + secs(e.at) + " and no line expected it"};
      }
    }
  }
}

void Session::options() {
  for (const auto& option : s_.options) {
    // Named references, not a structured binding: the lambda below captures them, which
    // clang before 16 rejects for bindings.
    const std::string &name = option.first, &value = option.second;
    auto number = [&](double lo, double hi) {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || v < lo || v > hi)
        throw Failure{0, "option --" + name + ": bad value '" + value + "'"};
      return v;
    };
    if (name == "tolerance_usecs") {
      tolerance_us_ = static_cast<int64_t>(number(0, 1e9));
    } else if (name == "tolerance_percent") {
      tolerance_percent_ = number(0, 100);
    } else if (name == "ip_version") {
      if (value != "ipv4") throw Skipped{0, "--ip_version=" + value + " (ustcp is IPv4 only)"};
    } else if (name == "mss") {
      // packetdrill's --mss is the GSO size of the packets it injects (netdev.c: one large
      // packet that the kernel takes as that many segments, as after GRO); ustcp's input
      // has no GRO packets.
      throw Skipped{0, "option --mss (inbound GSO packets)"};
    } else if (name == "mtu") {
      stack_.config().mtu = static_cast<uint32_t>(number(128, 65535));
    } else if (name == "tcp_ts_tick_usecs") {
      ts_tick_us_ = static_cast<int64_t>(number(0, 1e6));
    } else if (name == "strict_segments") {
      strict_segments_ = true;
    } else if (name == "bind_port" || name == "connect_port") {
      // Only 8080 (the default) is modelled.
      if (value != "8080") throw Skipped{0, "--" + name + "=" + value};
    } else if (name == "local_ip" || name == "remote_ip") {
      std::string want = name == "local_ip" ? "192.168.0.1" : "192.0.2.1";
      if (value != want) throw Skipped{0, "--" + name + "=" + value};
    } else if (name == "verbose" || name == "dry_run") {
      // harmless
    } else {
      throw Skipped{0, "option --" + name};
    }
  }
}

RunResult Session::run() {
  RunResult r;
  auto at_line = [&](Pos pos) { return s_.path + ":" + std::to_string(s_.where(pos).line); };
  try {
    options();
    if (s_.setup) command(*s_.setup, s_.setup_pos);
    for (event_ = 0; event_ < s_.events.size(); ++event_) {
      const Event& e = ev();
      trace("line " + std::to_string(s_.where(e.pos).line) + ": " + s_.where(e.pos).text);
      const TimePoint start{};
      TimePoint base = (e.time.kind == TimeKind::Relative || e.time.kind == TimeKind::RelativeRange)
                           ? anchor_
                           : start;
      if (event_ == 0 && e.time.usecs != 0 && e.time.kind != TimeKind::Any)
        throw Failure{e.pos, "the first event must be at time 0"};
      TimePoint t = base + std::chrono::microseconds(e.time.usecs);
      if (const auto* p = std::get_if<PacketSpec>(&e.body); p && !p->inbound) {
        TimePoint lo, hi;
        if (e.time.kind == TimeKind::Any) {
          lo = TimePoint::min();
          hi = clock_ + 600s;  // a bound, so that a missing packet ends the run
          t = clock_;
        } else {
          TimePoint last =
              base + std::chrono::microseconds(e.time.kind == TimeKind::AbsoluteRange ||
                                                       e.time.kind == TimeKind::RelativeRange
                                                   ? e.time.end_usecs
                                                   : e.time.usecs);
          auto tol = std::chrono::microseconds(tolerance_for(t));
          lo = t - tol;
          hi = last + tol;
        }
        expect_outbound(*p, lo, t, hi);
        continue;
      }
      // Inbound packets, calls, commands and code happen at t; one scheduled earlier than
      // the clock allows (after a late packet) runs now if within tolerance.
      int64_t tol = tolerance_for(t);
      if (t + std::chrono::microseconds(tol) < clock_)
        throw Failure{e.pos, "event scheduled at " + secs(t) + " but the previous event ended at " +
                                 secs(clock_)};
      check_strict(e.pos, t);
      step_to(t);
      anchor_ = clock_;
      std::visit(
          [&](const auto& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, PacketSpec>) {
              inject(body);
            } else if constexpr (std::is_same_v<T, Syscall>) {
              syscall(body, t);
            } else if constexpr (std::is_same_v<T, Command>) {
              command(body, e.pos);
            } else {
              code(body, e.pos);
            }
          },
          e.body);
    }
    // A blocking call still outstanding must return by its end time.
    if (blocking_) {
      const Blocking b = *blocking_;
      step_to(b.end + std::chrono::microseconds(b.tolerance_us));
      if (blocking_)
        throw Failure{s_.events[b.event].pos,
                      "blocking call expected to return at " + secs(b.end) + " never returned"};
    }
    if (opts_.strict) check_strict(s_.source.size(), kNever);
  } catch (const Failure& f) {
    r.outcome = Outcome::Fail;
    r.message = at_line(f.pos) + ": " + f.message;
  } catch (const Skipped& sk) {
    r.outcome = Outcome::Skip;
    r.message = at_line(sk.pos) + ": unsupported: " + sk.feature;
  }
  return r;
}

RunResult run_script(const Script& script, const RunOptions& opts) {
  Session session(script, opts);
  return session.run();
}

RunResult run_file(const std::string& path, const RunOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return RunResult{Outcome::Fail, path + ": cannot read the file"};
  std::stringstream ss;
  ss << in.rdbuf();
  ParseResult parsed = parse_script(path, ss.str());
  if (parsed.error) return RunResult{Outcome::Fail, render(parsed.script, *parsed.error)};
  if (parsed.unsupported) {
    return RunResult{Outcome::Skip,
                     path + ":" +
                         std::to_string(parsed.script.where(parsed.unsupported->pos).line) +
                         ": unsupported: " + parsed.unsupported->feature};
  }
  return run_script(parsed.script, opts);
}

}  // namespace ustcp::drill
