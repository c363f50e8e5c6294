// Incidents of listeners:
//  - accept-overflow: a slow accepter behind listen(fd, 8) and a burst of 40 clients. With
//    tcp_abort_on_overflow = 0 (the default) a final ACK that finds the accept queue full
//    is dropped (ListenOverflows): the client believes it is connected, the server offers
//    the SYN-ACK again and the client gets in late; with 1 it is answered with a RST and
//    the client's connection is reset.
//  - syn-flood: spoofed SYNs from addresses nobody answers from, and a legitimate client
//    trying every 100 ms. tcp_syncookies = 0: the SYN queue is full of requests that never
//    complete and the client cannot get in; 1: cookies once the queue is full, the client
//    gets in at once; 2: cookies for every SYN, no request state at all.
#include <fmt/core.h>

#include <cerrno>

#include "lab.hpp"
#include "lab_apps.hpp"
#include "ustcp/link/rng.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {
namespace {

using namespace std::chrono_literals;
using stack::SocketId;
using tcp::State;

// Clients that each send a request once connected and wait for the answer.
struct Clients {
  stack::Stack& s;
  struct Conn {
    SocketId id;
    TimePoint started;
    bool sent = false;
  };
  std::vector<Conn> live;
  uint64_t served = 0, reset = 0, failed = 0;
  Duration slowest{0};

  void open(TimePoint now, Endpoint server) {
    SocketId c = s.socket().value();
    (void)s.connect(now, c, server);
    live.push_back({c, now});
  }
  void step(TimePoint now) {
    std::byte buf[256];
    for (size_t i = 0; i < live.size();) {
      Conn& c = live[i];
      bool done = false;
      const int e = s.poll(c.id);
      if (!c.sent && (e & stack::events::OUT)) {
        const std::string req = "GET / HTTP/1.0\r\n\r\n";
        (void)s.send(now, c.id, as_bytes(std::span(req)));
        c.sent = true;
      }
      if (e & (stack::events::ERR | stack::events::HUP)) {
        const int err = s.getsockopt(c.id, kSolSocket, kSoError).value_or(0);
        reset += err == ECONNRESET;
        failed += err != ECONNRESET;
        done = true;
      } else if (c.sent) {
        auto n = s.recv(now, c.id, buf);
        if (n && *n > 0) {
          ++served;
          slowest = std::max(slowest, now - c.started);
          done = true;
        } else if (!n && n.error() != EAGAIN) {
          reset += n.error() == ECONNRESET;
          failed += n.error() != ECONNRESET;
          done = true;
        }
      }
      if (done) {
        (void)s.close(now, c.id);
        live[i] = live.back();
        live.pop_back();
      } else {
        ++i;
      }
    }
  }
};

void accept_overflow(LabRun& r) {
  LabWorld& w = r.w;
  stack::Stack& client = w.add_host("client", kClient, r.cfg, kLabLink);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, kLabLink);
  constexpr int kBacklog = 8, kClients = 40;
  LabServer srv(server, {kServer, 80}, kBacklog);
  srv.accept_per_step = 1;  // one accept() every 200 ms: a slow application
  srv.reply = "HTTP/1.0 200 OK\r\n\r\nok";
  Clients cl{client};
  w.say(
      fmt::format("  server: listen(fd, {}), accepts one connection every 200 ms; {} clients "
                  "in bursts of 10 every 0.5 s, each sends a request and waits for the answer",
                  kBacklog, kClients));
  bool noted_full = false;
  int opened = 0;
  TimePoint next_accept{}, next_burst{};
  w.run(at(30s), 10ms, [&](TimePoint now) {
    // A burst: ten handshakes start while the accept queue still has room and finish when
    // it is full.
    for (int k = 0; k < 10 && opened < kClients && now >= next_burst; ++k, ++opened) {
      cl.open(now, {kServer, 80});
    }
    if (now >= next_burst) next_burst = now + 500ms;
    cl.step(now);
    srv.accept_per_step = now >= next_accept ? 1 : 0;
    if (now >= next_accept) next_accept = now + 200ms;
    srv.step(now);
    if (!noted_full && server.counters().ListenOverflows > 0) {
      noted_full = true;
      w.note(fmt::format("the accept queue is full ({} = backlog + 1): ListenOverflows",
                         kBacklog + 1));
      w.show_ss("server", "-tln");
      w.show_ss("server", "-tn state syn-recv", 3);
    }
    return cl.served + cl.reset + cl.failed < static_cast<uint64_t>(kClients) || !srv.conns.empty();
  });
  w.show_nstat("server", {"TcpExtListen*", "TcpOutRsts", "TcpExtTCPReqQFull*", "TcpRetransSegs"});
  w.show_nstat("client", {"TcpEstabResets", "TcpRetransSegs"});
  const tcp::Counters m = server.counters();
  r.outcome(
      fmt::format("{} clients: {} served (the slowest after {:.1f} s), {} reset, {} "
                  "failed otherwise; server ListenOverflows {}, ListenDrops {}",
                  kClients, cl.served, to_seconds(cl.slowest), cl.reset, cl.failed,
                  m.ListenOverflows, m.ListenDrops));
  r.check(m.ListenOverflows > 0, "the accept queue overflowed (TcpExtListenOverflows)");
  if (r.cfg.tcp_abort_on_overflow == 0) {
    r.check(cl.served == kClients && cl.reset == 0,
            "tcp_abort_on_overflow=0: every client was served in the end, none reset");
    r.check(cl.slowest > 1s,
            fmt::format("...but late: the slowest waited {:.1f} s for the SYN-ACK timer to offer "
                        "its connection again",
                        to_seconds(cl.slowest)));
  } else {
    r.check(cl.reset > 0 && m.OutRsts > 0,
            fmt::format("tcp_abort_on_overflow=1: the server answered the overflowing ACKs with "
                        "RST; {} clients were reset",
                        cl.reset));
    r.check(cl.served + cl.reset == kClients, "every client was either served or reset");
  }
  // The diagram: the first client and the first one that overflowed (its final ACK
  // dropped or reset): the connection whose SYN-ACK the server sent twice, or the first RST.
  std::set<LabConnKey> focus, seen_synack;
  for (const LabSegment& s : w.segments()) {
    const LabConnKey k = lab_conn_key(s.src, s.dst);
    if (focus.empty()) focus.insert(k);
    const bool synack = (s.flags & wire::tcp_flags::SYN) && (s.flags & wire::tcp_flags::ACK);
    const bool rst = s.flags & wire::tcp_flags::RST;
    if (focus.size() < 2 && ((synack && !seen_synack.insert(k).second) || rst)) focus.insert(k);
  }
  r.picture.focus = [focus](const LabSegment& s) {
    return focus.contains(lab_conn_key(s.src, s.dst));
  };
  r.picture.timeline_hosts = {"client", "server"};
}

// Spoofed SYNs to the server's port 80: `per_ms` every millisecond for `ms` milliseconds,
// each from a random address of 198.18.0.0/15 (nobody there: the answers are unroutable).
class Flooder final : public link::Node {
 public:
  Flooder(uint32_t per_ms, uint32_t ms) : per_ms_(per_ms), left_(uint64_t{per_ms} * ms), rng_(99) {}
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint now) override {
    if (left_ == 0 || now < next_ || burst_ == per_ms_) return std::nullopt;
    ++burst_;
    --left_;
    wire::TcpRepr syn;
    syn.src_port = static_cast<uint16_t>(1024 + rng_.below(60000));
    syn.dst_port = 80;
    syn.seq = SeqNum(static_cast<uint32_t>(rng_.next_u64()));
    syn.flags = wire::tcp_flags::SYN;
    syn.window = 64240;
    syn.options.mss = 1460;
    const Ipv4Addr src((198u << 24 | 18u << 16) + static_cast<uint32_t>(rng_.below(1 << 17)));
    wire::Ipv4Repr ip{.src = src, .dst = kServer, .payload_len = static_cast<uint16_t>(syn.size())};
    buf_.resize(wire::kIpv4HeaderLen + syn.size());
    ip.emit(buf_);
    syn.emit(MutBytes(buf_).subspan(wire::kIpv4HeaderLen), src, kServer);
    ++sent;
    return Bytes(buf_);
  }
  std::optional<TimePoint> next_deadline() const override {
    if (left_ == 0) return std::nullopt;
    return next_;
  }
  void on_timer(TimePoint now) override {
    if (now >= next_) {
      burst_ = 0;
      next_ = now + 1ms;
    }
  }
  uint64_t sent = 0;

 private:
  uint32_t per_ms_;
  uint64_t left_;
  uint32_t burst_ = 0;
  TimePoint next_{};
  link::Rng rng_;
  std::vector<std::byte> buf_;
};

void syn_flood(LabRun& r) {
  LabWorld& w = r.w;
  constexpr uint32_t kPerMs = 20, kFloodMs = 4000, kBacklog = 128;
  stack::Stack& client = w.add_host("client", kClient, r.cfg, kLabLink);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, kLabLink);
  Flooder flood(kPerMs, kFloodMs);
  w.add_node("attacker", kAttacker, flood, kLabLink);
  LabServer srv(server, {kServer, 80}, kBacklog);
  srv.reply = "HTTP/1.0 200 OK\r\n\r\nok";
  w.say(
      fmt::format("  attacker: {} spoofed SYNs/s for {:.0f} s to server:80 (listen backlog "
                  "{}); client: a connection every 100 ms, a success if answered within 1 s",
                  kPerMs * 1000, kFloodMs / 1000.0, kBacklog));
  struct Try {
    SocketId id;
    TimePoint started;
    bool ok = false, done = false;
  };
  std::vector<Try> tries;
  bool noted = false;
  std::byte buf[64];
  w.run(at(std::chrono::milliseconds(kFloodMs + 1500)), 10ms, [&](TimePoint now) {
    const TimePoint t = now;
    if (t >= at(200ms) && t < at(std::chrono::milliseconds(kFloodMs)) &&
        (tries.empty() || t - tries.back().started >= 100ms)) {
      SocketId c = client.socket().value();
      (void)client.connect(now, c, {kServer, 80});
      tries.push_back({c, now});
    }
    for (Try& x : tries) {
      if (x.done) continue;
      if (now - x.started > 1s) {
        x.done = true;
        (void)client.close(now, x.id);
        continue;
      }
      if (client.poll(x.id) & stack::events::OUT) {
        x.ok = true;
        x.done = true;
        (void)client.close(now, x.id);
      }
    }
    (void)buf;
    srv.step(now);
    if (!noted && now >= at(1s)) {
      noted = true;
      w.note("1 s into the flood");
      w.show_ss("server", "-s");
      w.show_ss("server", "-tn state syn-recv", 3);
      w.show_nstat("server", {"TcpExtSyncookies*", "TcpExtTCPReqQFull*", "TcpExtListen*"});
    }
    return true;
  });
  const tcp::Counters m = server.counters();
  size_t ok = 0;
  for (const Try& x : tries) ok += x.ok;
  const double rate = tries.empty() ? 0 : 100.0 * ok / tries.size();
  r.outcome(
      fmt::format("{} spoofed SYNs; the client connected {} times out of {} ({:.0f}%); "
                  "SYN-RECV peaked at {}; SyncookiesSent {}, SyncookiesRecv {}, "
                  "TCPReqQFullDrop {}",
                  flood.sent, ok, tries.size(), rate, w.peak("server", State::SynRecv),
                  m.SyncookiesSent, m.SyncookiesRecv, m.TCPReqQFullDrop));
  // As tcp_conn_request() reads the sysctl: 2 is "always", any other nonzero value "when
  // the SYN queue is full" (Linux takes 0..255).
  const int cookies = r.cfg.tcp_syncookies;
  if (cookies == 0) {
    r.check(rate < 10, fmt::format("tcp_syncookies=0: the legitimate client could not get in "
                                   "({:.0f}% success)",
                                   rate));
    r.check(m.TCPReqQFullDrop > 0 && m.SyncookiesSent == 0,
            "the full SYN queue dropped SYNs (TCPReqQFullDrop), no cookie was sent");
  } else if (cookies != 2) {
    r.check(rate == 100, fmt::format("tcp_syncookies={}: the client connected every time ({:.0f}%)",
                                     cookies, rate));
    r.check(m.SyncookiesSent > 0 && m.SyncookiesRecv >= ok &&
                w.peak("server", State::SynRecv) <= kBacklog + 1,
            "cookies once the SYN queue was full (SyncookiesSent, SyncookiesRecv); the queue "
            "never grew past backlog + 1");
  } else {
    r.check(rate == 100,
            fmt::format("tcp_syncookies=2: the client connected every time ({:.0f}%)", rate));
    r.check(w.peak("server", State::SynRecv) == 0 && m.SyncookiesSent >= flood.sent,
            "a cookie for every SYN: no request state at all (SYN-RECV never above 0)");
  }
  // The diagram: the first two flood SYNs and the client's first and last attempts.
  std::set<LabConnKey> focus;
  size_t flood_keys = 0;
  std::optional<LabConnKey> last_client;
  for (const LabSegment& s : w.segments()) {
    const LabConnKey k = lab_conn_key(s.src, s.dst);
    if (s.from == w.lane_of(kAttacker) && flood_keys < 2 && focus.insert(k).second) ++flood_keys;
    if (s.from == w.lane_of(kClient) && (s.flags & wire::tcp_flags::SYN)) {
      if (!last_client) focus.insert(k);
      last_client = k;
    }
  }
  if (last_client) focus.insert(*last_client);
  r.picture.focus = [focus](const LabSegment& s) {
    return focus.contains(lab_conn_key(s.src, s.dst));
  };
  r.picture.timeline_hosts = {"server", "client"};
}

}  // namespace

void add_listen_scenarios(std::vector<LabScenario>& out) {
  out.push_back({"accept-overflow",
                 "a slow accepter: the accept queue overflows (tcp_abort_on_overflow 0 and 1)",
                 {{"tcp_abort_on_overflow=0"}, {"tcp_abort_on_overflow=1"}},
                 accept_overflow});
  out.push_back({"syn-flood",
                 "spoofed SYNs fill the SYN queue (tcp_syncookies 0, 1 and 2)",
                 {{"tcp_syncookies=0"}, {"tcp_syncookies=1"}, {"tcp_syncookies=2"}},
                 syn_flood});
}

}  // namespace ustcp::cli
