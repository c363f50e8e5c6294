// `ustcp demo`: an HTTP/1.1 exchange between two hosts on the simulated network, printed
// segment by segment with the state changes of both ends, then the socket tables.
#include <fmt/core.h>

#include <string>

#include "commands.hpp"
#include "sim_hosts.hpp"
#include "trace.hpp"
#include "ustcp/stack/netstat.hpp"

namespace ustcp::cli {

namespace {

Bytes as_bytes(const std::string& s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

// Reads everything available into `into`; true at EOF.
bool drain(stack::Stack& s, TimePoint now, stack::SocketId id, std::string& into) {
  char buf[4096];
  for (;;) {
    auto n = s.recv(now, id, MutBytes(reinterpret_cast<std::byte*>(buf), sizeof buf));
    if (!n) return false;
    if (*n == 0) return true;
    into.append(buf, *n);
  }
}

}  // namespace

int run_demo(const DemoOptions& opt) {
  SimHosts h(opt.seed, opt.config, link::LinkParams{.delay = opt.delay});
  if (std::string e = h.capture(opt.capture); !e.empty()) {
    fmt::print(stderr, "ustcp demo: {}\n", e);
    return 2;
  }
  Tracer tracer({{"client", &h.client}, {"server", &h.server}});
  h.net.on_send([&](TimePoint t, Ipv4Addr from, Bytes d) { tracer.segment(t, from, d); });

  fmt::print("ustcp demo: an HTTP/1.1 request over a simulated network\n");
  fmt::print("  client {} -> server {}:80, one-way delay {} ms, virtual time in seconds\n",
             SimHosts::kClientAddr.to_string(), SimHosts::kServerAddr.to_string(),
             std::chrono::duration<double, std::milli>(opt.delay).count());
  fmt::print(
      "  lines: time  from > to  flags  seq/ack (relative)  window  payload  <options>;"
      " '*' marks a state change\n\n");

  const std::string body = "<html><body><h1>Hello from ustcp</h1></body></html>\n";
  const std::string response = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      body.size(), body);
  const std::string request =
      "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: ustcp-demo\r\nConnection: close\r\n\r\n";

  stack::Stack& c = h.client;
  stack::Stack& s = h.server;
  auto lsock = *s.socket();
  if (!s.bind(lsock, {SimHosts::kServerAddr, 80}) || !s.listen(lsock, 128)) {
    fmt::print(stderr, "ustcp demo: server could not listen on port 80\n");
    return 1;
  }
  auto csock = *c.socket();
  (void)c.connect(h.net.now(), csock, {SimHosts::kServerAddr, 80});

  bool request_sent = false, response_sent = false, client_closed = false;
  std::optional<stack::SocketId> conn;
  std::string got_request, got_response;
  auto step = [&]() {
    TimePoint now = h.net.now();
    if (!request_sent && (c.poll(csock) & stack::events::OUT)) {
      request_sent = c.send(now, csock, as_bytes(request)).has_value();
    }
    if (!conn) {
      if (auto a = s.accept(now, lsock)) conn = *a;
    }
    if (conn && !response_sent) {
      drain(s, now, *conn, got_request);
      if (got_request.find("\r\n\r\n") != std::string::npos) {
        // Connection: close: the server answers and closes first (it will hold TIME_WAIT).
        response_sent = s.send(now, *conn, as_bytes(response)).has_value();
        (void)s.close(now, *conn);
      }
    }
    if (request_sent && !client_closed && drain(c, now, csock, got_response)) {
      (void)c.close(now, csock);
      client_closed = true;
    }
    tracer.states();
    return client_closed && h.net.idle();
  };
  if (!h.net.run_until(step, at(30s))) {
    fmt::print(stderr, "ustcp demo: the exchange did not finish within 30 s of virtual time\n");
    return 1;
  }
  fmt::print("\nclient received {} bytes; status line: {}\n", got_response.size(),
             got_response.substr(0, got_response.find("\r\n")));
  fmt::print(
      "\nafter the exchange (t = {:.3f} s): the server closed first, so it holds TIME-WAIT\n\n",
      to_seconds(h.net.now()));
  print_socket_table(stdout, "client$ ss -tan", c, h.net.now());
  fmt::print("\n");
  print_socket_table(stdout, "server$ ss -tan", s, h.net.now());

  h.net.run_until(
      [&] {
        tracer.states();
        return false;
      },
      h.net.now() + 61s);
  fmt::print("\n61 s later (t = {:.3f} s): TIME-WAIT has expired (60 s, TCP_TIMEWAIT_LEN)\n\n",
             to_seconds(h.net.now()));
  print_socket_table(stdout, "server$ ss -tan", s, h.net.now());
  if (opt.nstat) {
    fmt::print("\nclient$ nstat -a\n{}", stack::nstat_text(c));
    fmt::print("\nserver$ nstat -a\n{}", stack::nstat_text(s));
  }
  return got_response.find("Hello from ustcp") != std::string::npos ? 0 : 1;
}

}  // namespace ustcp::cli
