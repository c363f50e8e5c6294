// `ustcp serve`: a daemon on a TUN device that answers ping and runs an echo server and an
// HTTP/1.1 server on ustcp, for the Linux kernel on the other side of the device to use.
#include <fmt/core.h>

#include <memory>

#include "apps/echo_server.hpp"
#include "apps/http_server.hpp"
#include "commands.hpp"
#include "incident_server.hpp"
#include "tun_session.hpp"

namespace ustcp::cli {

int run_serve(const ServeOptions& opt) {
  std::string error;
  bool bad_usage = false;
  auto session = TunSession::open(opt.tun, "serve", error, bad_usage);
  if (!session) {
    fmt::print(stderr, "ustcp serve: {}\n", error);
    return bad_usage ? 2 : 1;
  }
  const Ipv4Addr us = session->addr();
  const TimePoint now = link::TunLoop::now();
  std::unique_ptr<apps::EchoServer> echo;
  std::unique_ptr<apps::HttpServer> http;
  std::vector<std::unique_ptr<IncidentServer>> incidents;
  const bool incident = opt.accept_delay > Duration::zero() || opt.no_close;
  if (incident) {
    // The incident modes replace the servers on the same ports.
    for (auto [port, is_http] : {std::pair{opt.echo_port, false}, std::pair{opt.http_port, true}}) {
      if (!port) continue;
      incidents.push_back(std::make_unique<IncidentServer>(
          session->host().sockets(),
          IncidentServerOptions{
              {us, *port}, opt.backlog, is_http, opt.accept_delay, opt.no_close}));
      if (!incidents.back()->start(now, error)) {
        fmt::print(stderr, "ustcp serve: {}\n", error);
        return 1;
      }
      session->host().add(*incidents.back());
    }
  }
  if (opt.echo_port && !incident) {
    echo = std::make_unique<apps::EchoServer>(session->host().sockets(),
                                              Endpoint{us, *opt.echo_port}, opt.backlog);
    if (!echo->start(now, error)) {
      fmt::print(stderr, "ustcp serve: echo server: {}\n", error);
      return 1;
    }
    session->host().add(*echo);
  }
  if (opt.http_port && !incident) {
    apps::HttpServerOptions h;
    h.local = Endpoint{us, *opt.http_port};
    h.backlog = opt.backlog;
    h.keepalive_timeout = opt.keepalive_timeout;
    h.root = opt.root;
    http = std::make_unique<apps::HttpServer>(session->host().sockets(), h);
    if (!http->start(now, error)) {
      fmt::print(stderr, "ustcp serve: HTTP server: {}\n", error);
      return 1;
    }
    session->host().add(*http);
  }
  session->describe();
  fmt::print("ustcp serve: ICMP echo (ping) on {}\n", us.to_string());
  if (incident) {
    std::string mode;
    if (opt.accept_delay > Duration::zero()) {
      mode = fmt::format("accept() one connection per {:g} s (backlog {})",
                         to_seconds(opt.accept_delay), opt.backlog);
    }
    if (opt.no_close) mode += std::string(mode.empty() ? "" : ", ") + "never close()";
    for (auto [port, what] : {std::pair{opt.echo_port, "echo"}, std::pair{opt.http_port, "HTTP"}}) {
      if (port) {
        fmt::print("ustcp serve: {} server on {}:{} misbehaving on purpose: {}\n", what,
                   us.to_string(), *port, mode);
      }
    }
  }
  if (echo) fmt::print("ustcp serve: echo server on {}:{}\n", us.to_string(), *opt.echo_port);
  if (http) {
    fmt::print("ustcp serve: HTTP/1.1 server on {}:{} ({}, keepalive_timeout {} s)\n",
               us.to_string(), *opt.http_port,
               opt.root.empty() ? std::string("built-in pages: / and /bytes/N")
                                : "files under " + opt.root,
               to_seconds(opt.keepalive_timeout));
  }
  fmt::print("ustcp serve: ready (Ctrl-C or SIGTERM to stop)\n");
  std::fflush(stdout);
  // The servers run until a signal: step() never asks to stop.
  return session->run([](TimePoint, TimePoint&) { return true; });
}

}  // namespace ustcp::cli
