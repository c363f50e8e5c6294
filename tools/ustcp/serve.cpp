// `ustcp serve`: a daemon on a TUN device that answers ping and runs an echo server and an
// HTTP/1.1 server on ustcp, for the Linux kernel on the other side of the device to use.
#include <fmt/core.h>

#include <memory>

#include "apps/echo_server.hpp"
#include "apps/http_server.hpp"
#include "commands.hpp"
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
  if (opt.echo_port) {
    echo = std::make_unique<apps::EchoServer>(session->host().sockets(),
                                              Endpoint{us, *opt.echo_port}, opt.backlog);
    if (!echo->start(now, error)) {
      fmt::print(stderr, "ustcp serve: echo server: {}\n", error);
      return 1;
    }
    session->host().add(*echo);
  }
  if (opt.http_port) {
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
