// Incidents of ports and sequence numbers:
//  - time-wait-pileup: short connections at a steady rate; the client closes first, so
//    every connection leaves a TIME_WAIT entry on the client for 60 s (TCP_TIMEWAIT_LEN),
//    holding its port; once every ephemeral port is held, connect() fails with
//    EADDRNOTAVAIL until the oldest entries expire. tcp_tw_reuse=1 lets connect() take over
//    a TIME_WAIT 4-tuple older than tcp_tw_reuse_delay when timestamps prove it safe
//    (TWRecycled); 2 (Linux's default) does so on loopback only; tcp_max_tw_buckets caps
//    the table (beyond it a closing socket skips TIME_WAIT: TCPTimeWaitOverflow).
//  - wraparound: a transfer whose sequence numbers pass 2^32 in the middle, over a lossy
//    link: every byte arrives, in order, through the wrap.
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "lab.hpp"
#include "lab_apps.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {
namespace {

using namespace std::chrono_literals;
using tcp::State;

void time_wait_pileup(LabRun& r) {
  LabWorld& w = r.w;
  // A smaller port range than Linux's 28,232 ports, so that the run stays short; --sysctl
  // net.ipv4.ip_local_port_range="32768 60999" gives Linux's.
  if (r.cfg.ip_local_port_range == tcp::Config{}.ip_local_port_range) {
    r.cfg.ip_local_port_range = {40000, 41999};
  }
  const int ports = r.cfg.ip_local_port_range[1] - r.cfg.ip_local_port_range[0] + 1;
  constexpr int kRate = 200;  // connections per second: one every 5 ms
  const TimePoint end = at(80s);
  stack::Stack& client = w.add_host("client", kClient, r.cfg, {.delay = 1ms});
  stack::Stack& server = w.add_host("server", kServer, r.cfg, {.delay = 1ms});
  LabServer srv(server, {kServer, 80}, 4096);
  LabClient cli(client, {kServer, 80});
  w.say(
      fmt::format("  client {} opens {} connections/s to server {}:80 for {} s and closes "
                  "each first; {} ephemeral ports ({}-{})",
                  kClient.to_string(), kRate, kServer.to_string(), 80, ports,
                  r.cfg.ip_local_port_range[0], r.cfg.ip_local_port_range[1]));
  bool noted_fail = false, noted_expiry = false, noted_recycle = false, noted_cap = false;
  uint64_t opened_after_expiry = 0;
  w.run(end, 5ms, [&](TimePoint now) {
    cli.step(now);
    srv.step(now);
    if (!noted_fail && cli.addr_not_avail > 0) {
      noted_fail = true;
      w.note(fmt::format("connect() fails: EADDRNOTAVAIL, {} ports in TIME-WAIT",
                         w.count("client", State::TimeWait)));
      w.show_ss("client", "-s");
      w.show_ss("client", "-tn state time-wait", 3);
      w.show_nstat("client", {"TcpActiveOpens", "TcpExtTW*", "TcpExtTCPTimeWaitOverflow"});
    }
    const uint64_t recycled = client.counters().TWRecycled;
    if (!noted_recycle && recycled > 0) {
      noted_recycle = true;
      w.note("connect() takes over a TIME-WAIT 4-tuple (TcpExtTWRecycled)");
    }
    if (!noted_cap && client.counters().TCPTimeWaitOverflow > 0) {
      noted_cap = true;
      w.note(
          fmt::format("TIME-WAIT is at tcp_max_tw_buckets ({}): closing sockets skip it "
                      "(TcpExtTCPTimeWaitOverflow)",
                      r.cfg.tcp_max_tw_buckets));
      w.show_nstat("client", {"TcpActiveOpens", "TcpExtTW*", "TcpExtTCPTimeWaitOverflow"});
    }
    if (!noted_expiry && now > at(60s) &&
        w.count("client", State::TimeWait) < w.peak("client", State::TimeWait)) {
      noted_expiry = true;
      w.note(noted_fail ? "the first TIME-WAIT entries expire (60 s): their ports are free again"
                        : "the first TIME-WAIT entries expire (60 s)");
    }
    if (noted_expiry) opened_after_expiry = cli.started;
    return true;
  });
  w.show_nstat("client", {"TcpActiveOpens", "TcpExtTW*", "TcpExtTCPTimeWaitOverflow"});
  const tcp::Counters m = client.counters();
  const uint32_t tw_peak = w.peak("client", State::TimeWait);
  r.outcome(fmt::format(
      "{} connect() calls: {} started, {} failed with EADDRNOTAVAIL; "
      "TIME-WAIT on the client peaked at {} (server: {})",
      cli.attempts, cli.started, cli.addr_not_avail, tw_peak, w.peak("server", State::TimeWait)));
  r.outcome(
      fmt::format("client nstat: TcpExtTW {}, TcpExtTWRecycled {}, "
                  "TcpExtTCPTimeWaitOverflow {}",
                  m.TW, m.TWRecycled, m.TCPTimeWaitOverflow));

  r.check(w.peak("server", State::TimeWait) == 0,
          "TIME-WAIT is on the side that closed first (the client), none on the server");
  const bool capped = r.cfg.tcp_max_tw_buckets < ports;
  const bool reuse = r.cfg.tcp_tw_reuse == 1;  // 2: loopback only, and 10.0.0.0/24 is not
  if (capped) {
    r.check(tw_peak <= static_cast<uint32_t>(r.cfg.tcp_max_tw_buckets) && m.TCPTimeWaitOverflow > 0,
            fmt::format("tcp_max_tw_buckets={}: TIME-WAIT never above it ({}), the rest skipped "
                        "it (TCPTimeWaitOverflow {})",
                        r.cfg.tcp_max_tw_buckets, tw_peak, m.TCPTimeWaitOverflow));
    r.check(cli.addr_not_avail == 0,
            "no port exhaustion: a socket without TIME-WAIT frees its port");
  } else if (reuse) {
    r.check(cli.addr_not_avail == 0 && m.TWRecycled > 0,
            fmt::format("tcp_tw_reuse=1: no EADDRNOTAVAIL; connect() reused {} TIME-WAIT "
                        "4-tuples (TWRecycled)",
                        m.TWRecycled));
  } else {
    r.check(cli.addr_not_avail > 0 && tw_peak >= static_cast<uint32_t>(ports) - 1,
            fmt::format("tcp_tw_reuse={}: every port ({}) held by TIME-WAIT, then connect() "
                        "failed with EADDRNOTAVAIL {} times",
                        r.cfg.tcp_tw_reuse, ports, cli.addr_not_avail));
    const double first = to_seconds(cli.first_addr_not_avail);
    r.check(
        first > 0.9 * ports / kRate && first < 1.5 * ports / kRate + 1,
        fmt::format("the ports ran out after {:.1f} s ({} ports at {}/s)", first, ports, kRate));
    r.check(m.TWRecycled == 0, "no TIME-WAIT was reused");
    r.check(opened_after_expiry > static_cast<uint64_t>(ports),
            "connections start again once the first TIME-WAIT entries expire at 60 s");
  }
  // The diagram: the first connection, the first that reused a 4-tuple, the last one.
  std::set<LabConnKey> seen, focus;
  std::optional<LabConnKey> last;
  for (const LabSegment& s : w.segments()) {
    if (!(s.flags & wire::tcp_flags::SYN) || (s.flags & wire::tcp_flags::ACK)) continue;
    const LabConnKey k = lab_conn_key(s.src, s.dst);
    if (seen.empty()) focus.insert(k);
    if (!seen.insert(k).second && focus.size() < 2) focus.insert(k);
    last = k;
  }
  if (last) focus.insert(*last);
  r.picture.focus = [focus](const LabSegment& s) {
    return focus.contains(lab_conn_key(s.src, s.dst));
  };
  r.picture.timeline_hosts = {"client", "server"};
}

void wraparound(LabRun& r) {
  LabWorld& w = r.w;
  constexpr size_t kBytes = 8 << 20;
  constexpr uint32_t kBeforeWrap = 3 << 20;  // the wrap comes 3 MiB into the transfer
  const link::LinkParams link{.delay = 5ms, .bandwidth_bps = 200'000'000, .loss = 0.01};
  stack::Stack& client = w.add_host("client", kClient, r.cfg, link);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, link);
  client.set_next_isn(SeqNum(0u - kBeforeWrap));
  LabServer srv(server, {kServer, 80}, 16);
  srv.close_on_eof = true;
  w.say(
      fmt::format("  client sends {} MiB to the server over 5 ms, 200 Mbit/s, 1% loss; its "
                  "ISN is 2^32 - {} KiB, so snd_nxt wraps past 0 mid-transfer",
                  kBytes >> 20, kBeforeWrap >> 10));
  stack::SocketId c = client.socket().value();
  (void)client.connect(w.now(), c, {kServer, 80});
  size_t sent = 0, received = 0;
  bool ok = true, closed = false, noted_wrap = false;
  std::vector<std::byte> buf(1 << 16);
  auto pattern = [](size_t i) { return std::byte(static_cast<uint8_t>((i * 131) ^ (i >> 11))); };
  w.run(at(60s), 1ms, [&](TimePoint now) {
    while (sent < kBytes && (client.poll(c) & stack::events::OUT)) {
      const size_t n = std::min(buf.size(), kBytes - sent);
      for (size_t i = 0; i < n; ++i) buf[i] = pattern(sent + i);
      auto s = client.send(now, c, std::span(buf.data(), n));
      if (!s || *s == 0) break;
      sent += *s;
    }
    if (sent == kBytes && !closed) {
      (void)client.close(now, c);
      closed = true;
    }
    if (!noted_wrap && client.connection(c) &&
        client.connection(c)->snd_una().raw() < client.connection(c)->iss().raw()) {
      noted_wrap = true;
      w.note("snd_una passes 2^32 and wraps to 0: the data keeps flowing");
    }
    for (auto a = server.accept(now, srv.listener); a; a = server.accept(now, srv.listener)) {
      srv.conns.push_back(*a);
    }
    for (size_t k = 0; k < srv.conns.size(); ++k) {
      for (;;) {
        auto n = server.recv(now, srv.conns[k], std::span(buf));
        if (!n || *n == 0) {
          if (n && *n == 0) {
            (void)server.close(now, srv.conns[k]);
            srv.conns.erase(srv.conns.begin() + static_cast<long>(k));
            return false;  // done
          }
          break;
        }
        for (size_t i = 0; i < *n; ++i) ok &= buf[i] == pattern(received + i);
        received += *n;
      }
    }
    return true;
  });
  w.run(w.now() + 1s, 10ms, [](TimePoint) { return true; });
  const tcp::Counters m = client.counters();
  r.outcome(
      fmt::format("{} of {} bytes received in {:.2f} s of virtual time, {} in order and "
                  "intact; {} retransmissions",
                  received, kBytes, to_seconds(w.now()), ok ? "all" : "NOT", m.RetransSegs));
  r.check(received == kBytes && ok, "every byte arrived, in order and intact, through the wrap");
  r.check(noted_wrap, "the sender's sequence numbers wrapped past 2^32 during the transfer");
  r.check(m.RetransSegs > 0, "losses were repaired by retransmission across the wrap");
  r.check(m.OutRsts == 0 && server.counters().OutRsts == 0, "no reset on either side");
  // The first loss as the diagram tells it: the lost segment, the first three ACKs that stay
  // at the hole and SACK what came after it, the hole sent again, the ACK past it.
  std::set<const LabSegment*> first_loss;
  const std::vector<LabSegment>& segs = w.segments();
  const auto lost = std::find_if(segs.begin(), segs.end(), [](const LabSegment& s) {
    return s.dropped && s.len > 0 && s.src.addr == kClient;
  });
  int sacked = 0;
  bool resent = false;
  for (auto it = lost; it != segs.end(); ++it) {
    const bool ack_of_server = it->src == lost->dst && it->len == 0;
    if (it == lost || (it->src == lost->src && it->seq == lost->seq && it > lost)) {
      resent |= it > lost;
      first_loss.insert(&*it);
    } else if (ack_of_server && it->ack == lost->seq && it->sack_count > 0 && sacked < 3) {
      first_loss.insert(&*it);
      ++sacked;
    } else if (ack_of_server && static_cast<int32_t>(it->ack - lost->seq) > 0) {
      first_loss.insert(&*it);
      break;
    }
  }
  r.check(sacked > 0 && resent,
          "the server's ACKs SACK the data past the first hole, and the client sends that "
          "segment again");
  // The diagram: the handshake, the first loss, the segments around the wrap, the close.
  r.picture.focus = [](const LabSegment&) { return true; };
  r.picture.absolute_seq = true;
  r.picture.rows = [first_loss](const LabSegment& s) {
    using namespace wire::tcp_flags;
    const bool control = s.flags & (SYN | FIN | RST);
    const uint32_t near = 12 * 1448;
    const bool at_wrap = (s.len > 0 && (s.seq < near || s.seq > 0u - near)) ||
                         (s.len == 0 && (s.ack < near || s.ack > 0u - near));
    return control || at_wrap || first_loss.contains(&s);
  };
  r.picture.timeline_hosts = {"client", "server"};
}

}  // namespace

void add_port_scenarios(std::vector<LabScenario>& out) {
  out.push_back({"time-wait-pileup",
                 "short connections exhaust the ephemeral ports through TIME-WAIT",
                 {{"tcp_tw_reuse=0"},
                  {"tcp_tw_reuse=1"},
                  {"tcp_tw_reuse=2"},
                  {"tcp_tw_reuse=0", "tcp_max_tw_buckets=1000"}},
                 time_wait_pileup});
  out.push_back({"wraparound",
                 "a transfer whose sequence numbers wrap past 2^32 over a lossy link",
                 {},
                 wraparound});
}

}  // namespace ustcp::cli
