// Incidents of closing:
//  - close-wait-leak: the server application never calls close() after the client's FIN;
//    its sockets pile up in CLOSE-WAIT (Recv-Q 1: the FIN, never read past), while the
//    client's orphans give up FIN_WAIT_2 after tcp_fin_timeout. When the application finally
//    closes, its FINs reach a client that forgot the connections: RST.
//  - fin-wait-2: an orphan (close()) leaves FIN_WAIT_2 after tcp_fin_timeout; a socket
//    that only shut down its sending side (shutdown(SHUT_WR)) stays there for good.
//  - keepalive-who-closes-first: two idle timeouts (a client's and a server's, as HTTP
//    keep-alive); whoever times out first closes first and keeps the TIME-WAIT.
#include <fmt/core.h>

#include <cerrno>

#include "lab.hpp"
#include "lab_apps.hpp"
#include "ustcp/stack/sock_diag.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {
namespace {

using namespace std::chrono_literals;
using stack::SocketId;
using tcp::State;

// The first `n` connections (by their SYN) as the diagram's focus.
std::function<bool(const LabSegment&)> first_connections(const LabWorld& w, size_t n) {
  std::set<LabConnKey> focus;
  for (const LabSegment& s : w.segments()) {
    if (focus.size() == n) break;
    if ((s.flags & wire::tcp_flags::SYN) && !(s.flags & wire::tcp_flags::ACK)) {
      focus.insert(lab_conn_key(s.src, s.dst));
    }
  }
  return [focus](const LabSegment& s) { return focus.contains(lab_conn_key(s.src, s.dst)); };
}

void close_wait_leak(LabRun& r) {
  LabWorld& w = r.w;
  stack::Stack& client = w.add_host("client", kClient, r.cfg, kLabLink);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, kLabLink);
  LabServer srv(server, {kServer, 80}, 511);
  srv.close_on_eof = false;  // the bug
  LabClient cli(client, {kServer, 80});
  cli.request = "GET / HTTP/1.0\r\n\r\n";
  constexpr int kConns = 200;
  const TimePoint fix = at(100s);
  w.say(
      fmt::format("  client opens {} connections to server:80 over 20 s, sends a request and "
                  "closes each; the server reads it and never calls close() until t = {:.0f} s",
                  kConns, to_seconds(fix)));
  bool noted_expiry = false, noted_pile = false;
  uint32_t close_wait_before_fix = 0, recv_q_one = 0, fw2_before_fix = 0;
  w.run(fix, 100ms, [&](TimePoint now) {
    cli.per_step = cli.attempts < kConns ? 1 : 0;
    cli.step(now);
    srv.step(now);
    if (!noted_pile && cli.attempts == kConns && cli.connecting.empty() && now >= at(21s)) {
      noted_pile = true;
      w.note(fmt::format("{} connections closed by the client: the server holds them in CLOSE-WAIT",
                         w.count("server", State::CloseWait)));
      w.show_ss("server", "-tn state close-wait", 3);
      w.show_ss("client", "-tno state fin-wait-2", 3);
    }
    if (!noted_expiry && now > at(60s) &&
        w.count("client", State::FinWait2) < w.peak("client", State::FinWait2)) {
      noted_expiry = true;
      w.note("the client's orphans time out of FIN-WAIT-2 (tcp_fin_timeout): gone without a trace");
    }
    return true;
  });
  close_wait_before_fix = w.count("server", State::CloseWait);
  fw2_before_fix = w.count("client", State::FinWait2);
  for (const stack::SockDiag& d : stack::sock_diag(server, w.now())) {
    recv_q_one += d.state == State::CloseWait && d.recv_q == 1;
  }
  w.show_ss("server", "-s");
  w.show_nstat("server", {"TcpPassiveOpens", "TcpCurrEstab", "TcpEstabResets"});
  w.note(
      "the application finally closes its sockets (a restart): FIN to a client that forgot them");
  srv.close_all(w.now());
  w.run(fix + 5s, 100ms, [&](TimePoint now) {
    srv.step(now);
    return true;
  });
  w.show_nstat("client", {"TcpOutRsts"});
  const uint64_t rsts = client.counters().OutRsts;
  r.outcome(fmt::format(
      "server CLOSE-WAIT: {} before the application closed ({} with Recv-Q 1); "
      "client FIN-WAIT-2 peaked at {} and was {} just before",
      close_wait_before_fix, recv_q_one, w.peak("client", State::FinWait2), fw2_before_fix));
  r.check(close_wait_before_fix == kConns,
          fmt::format("every connection ({}) stayed in CLOSE-WAIT on the server while the "
                      "application did not close",
                      kConns));
  r.check(recv_q_one == kConns, "each CLOSE-WAIT socket shows Recv-Q 1: the FIN, never read past");
  r.check(w.peak("client", State::FinWait2) >= kConns / 2 && noted_expiry && fw2_before_fix == 0,
          fmt::format("the client's orphans sat in FIN-WAIT-2, then left it after tcp_fin_timeout "
                      "({} s)",
                      r.cfg.tcp_fin_timeout));
  r.check(rsts >= kConns && w.count("server", State::CloseWait) == 0 &&
              w.count("server", State::LastAck) == 0,
          fmt::format("the late FINs met RSTs from the client ({}); the server's sockets are gone",
                      rsts));
  r.picture.focus = first_connections(w, 2);
  r.picture.timeline_hosts = {"client", "server"};
}

void fin_wait_2(LabRun& r) {
  LabWorld& w = r.w;
  stack::Stack& client = w.add_host("client", kClient, r.cfg, kLabLink);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, kLabLink);
  LabServer srv(server, {kServer, 80}, 16);
  srv.close_on_eof = false;
  const SocketId orphan = client.socket().value(), half = client.socket().value();
  (void)client.connect(w.now(), orphan, {kServer, 80});
  (void)client.connect(w.now(), half, {kServer, 80});
  const Duration timeout = std::chrono::seconds(r.cfg.tcp_fin_timeout);
  const TimePoint server_closes =
      at(std::chrono::seconds(std::max(150, r.cfg.tcp_fin_timeout + 60)));
  w.say(
      fmt::format("  two connections; at 1 s the client close()s one (an orphan) and "
                  "shutdown(SHUT_WR)s the other; the server never closes until {:.0f} s",
                  to_seconds(server_closes)));
  TimePoint orphan_fw2 = kNever, orphan_gone = kNever;
  bool closed = false;
  auto fw2_of = [&](uint16_t port) {
    for (const auto& d : stack::sock_diag(client, w.now())) {
      if (d.local.port == port) return d.state;
    }
    return State::Close;
  };
  uint16_t orphan_port = 0;
  w.run(server_closes, 10ms, [&](TimePoint now) {
    srv.step(now);
    if (!closed && now >= at(1s)) {
      closed = true;
      orphan_port = client.getsockname(orphan).value().port;
      (void)client.close(now, orphan);
      (void)client.shutdown(now, half, 1);
      w.note("client: close() on one connection, shutdown(SHUT_WR) on the other");
    }
    if (closed && orphan_fw2 == kNever && fw2_of(orphan_port) == State::FinWait2) {
      orphan_fw2 = now;
      w.show_ss("client", "-tno", 4);
    }
    if (orphan_fw2 != kNever && orphan_gone == kNever && fw2_of(orphan_port) == State::Close) {
      orphan_gone = now;
      w.note(
          fmt::format("the orphan leaves FIN-WAIT-2 after {:.1f} s (tcp_fin_timeout {} s); "
                      "the half-closed socket stays",
                      to_seconds(now - orphan_fw2), r.cfg.tcp_fin_timeout));
      w.show_ss("client", "-tno", 4);
    }
    return true;
  });
  const bool half_still =
      client.connection(half) && client.connection(half)->state() == State::FinWait2;
  w.note("the server closes both: a FIN to each");
  srv.close_all(w.now());
  const uint64_t rsts0 = client.counters().OutRsts;
  w.run(w.now() + 2s, 10ms, [&](TimePoint now) {
    srv.step(now);
    return true;
  });
  w.show_ss("client", "-tno", 4);
  const uint64_t rsts = client.counters().OutRsts - rsts0;
  const bool half_tw = w.count("client", State::TimeWait) == 1;
  r.outcome(
      fmt::format("orphan: FIN-WAIT-2 for {:.1f} s, then gone; half-closed: still in "
                  "FIN-WAIT-2 at {:.0f} s, TIME-WAIT after the server's FIN; the orphan's "
                  "FIN got {} RST",
                  orphan_gone == kNever ? -1.0 : to_seconds(orphan_gone - orphan_fw2),
                  to_seconds(server_closes), rsts));
  const double held = orphan_gone == kNever ? -1 : to_seconds(orphan_gone - orphan_fw2);
  r.check(held >= to_seconds(timeout) - 0.05 && held <= to_seconds(timeout) + 1.05,
          fmt::format("the orphan left FIN-WAIT-2 after tcp_fin_timeout ({} s): {:.2f} s",
                      r.cfg.tcp_fin_timeout, held));
  r.check(half_still,
          "the shutdown(SHUT_WR) socket was still in FIN-WAIT-2 when the server closed");
  r.check(rsts == 1, "the server's FIN for the forgotten orphan was answered with a RST");
  r.check(half_tw, "the half-closed socket took the server's FIN and went to TIME-WAIT");
  r.picture.focus = first_connections(w, 2);
  r.picture.timeline_hosts = {"client", "server"};
}

Duration app_seconds(const LabRun& r, const char* name, Duration dflt) {
  auto it = r.app.find(name);
  if (it == r.app.end()) return dflt;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::stod(it->second)));
}

void keepalive_who_closes_first(LabRun& r) {
  LabWorld& w = r.w;
  const Duration server_idle = app_seconds(r, "server_idle", 5s);
  const Duration client_idle = app_seconds(r, "client_idle", 10s);
  stack::Stack& client = w.add_host("client", kClient, r.cfg, kLabLink);
  stack::Stack& server = w.add_host("server", kServer, r.cfg, kLabLink);
  LabServer srv(server, {kServer, 80}, 16);
  srv.reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  w.say(
      fmt::format("  one keep-alive connection: a request, a response, then idle; the server "
                  "closes idle connections after {:.0f} s, the client after {:.0f} s",
                  to_seconds(server_idle), to_seconds(client_idle)));
  const SocketId c = client.socket().value();
  (void)client.connect(w.now(), c, {kServer, 80});
  bool sent = false, client_closed = false;
  TimePoint last_client = kNever, last_server = kNever;
  std::byte buf[256];
  w.run(at(30s), 10ms, [&](TimePoint now) {
    if (!sent && (client.poll(c) & stack::events::OUT)) {
      const std::string req = "GET / HTTP/1.1\r\nHost: server\r\n\r\n";
      (void)client.send(now, c, as_bytes(std::span(req)));
      sent = true;
    }
    if (!client_closed) {
      auto n = client.recv(now, c, buf);
      if (n && *n > 0) last_client = now;
      if (n && *n == 0) {  // the server closed first: close too
        (void)client.close(now, c);
        client_closed = true;
      } else if (last_client != kNever && now - last_client >= client_idle) {
        w.note(fmt::format("client: idle {:.0f} s, closes first", to_seconds(client_idle)));
        (void)client.close(now, c);
        client_closed = true;
      }
    }
    const size_t before = srv.conns.size();
    srv.step(now);
    if (srv.conns.size() > before || (last_server == kNever && !srv.conns.empty()))
      last_server = now;
    if (!srv.conns.empty() && last_server != kNever && now - last_server >= server_idle) {
      w.note(fmt::format("server: idle {:.0f} s, closes first", to_seconds(server_idle)));
      srv.close_all(now);
    }
    return true;
  });
  w.show_ss("client", "-tno", 3);
  w.show_ss("server", "-tano", 3);
  const bool server_first = server_idle < client_idle;
  const uint32_t tw_server = w.peak("server", State::TimeWait);
  const uint32_t tw_client = w.peak("client", State::TimeWait);
  r.outcome(fmt::format("TIME-WAIT: {} on the server, {} on the client", tw_server, tw_client));
  r.check(server_first ? (tw_server == 1 && tw_client == 0) : (tw_client == 1 && tw_server == 0),
          fmt::format("the {} timed out first, closed first and holds the TIME-WAIT; the other "
                      "side went CLOSE-WAIT -> LAST-ACK and keeps nothing",
                      server_first ? "server" : "client"));
  r.check(w.peak(server_first ? "client" : "server", State::CloseWait) == 1,
          "the side that did not time out passed through CLOSE-WAIT");
  r.picture.focus = [](const LabSegment&) { return true; };
  r.picture.timeline_hosts = {"client", "server"};
}

}  // namespace

void add_close_scenarios(std::vector<LabScenario>& out) {
  out.push_back({"close-wait-leak",
                 "an application that never closes: CLOSE-WAIT piles up, FIN-WAIT-2 times out",
                 {},
                 close_wait_leak});
  out.push_back({"fin-wait-2",
                 "an orphan leaves FIN-WAIT-2 after tcp_fin_timeout; a half-close stays",
                 {{"tcp_fin_timeout=60"}, {"tcp_fin_timeout=10"}},
                 fin_wait_2});
  out.push_back(
      {"keepalive-who-closes-first",
       "idle keep-alive timeouts: whoever times out first keeps the TIME-WAIT",
       {{"app.server_idle=5", "app.client_idle=10"}, {"app.server_idle=15", "app.client_idle=10"}},
       keepalive_who_closes_first});
}

}  // namespace ustcp::cli
