// A server that misbehaves on purpose, so that the incidents `ustcp lab` replays can be made
// on a real TUN device against the kernel's TCP (`ustcp serve --accept-delay S`, `--no-close`):
//  - accept_delay: accept() at most one connection per delay (a slow accepter: the accept
//    queue fills, ListenOverflows, SYN-ACK retransmissions or resets on the peer's side);
//  - no_close: never close() a connection, not even after the peer's FIN (a CLOSE_WAIT
//    leak: Recv-Q 1 in `ustcp ss`, FIN-WAIT-2 on the Linux side until tcp_fin_timeout).
// It answers as the HTTP server does in the simplest way (one short 200 response per request
// header block) or as an echo server. SIGTERM (shutdown) closes everything all the same.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/app.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::cli {

struct IncidentServerOptions {
  Endpoint local;
  int backlog = 511;
  bool http = true;  // false: echo what arrives
  Duration accept_delay{0};
  bool no_close = false;
};

class IncidentServer final : public apps::App {
 public:
  IncidentServer(api::Sockets& net, IncidentServerOptions opt) : net_(net), opt_(opt) {}
  // socket, bind, listen; on failure false and why ("bind 198.18.0.2:80: EADDRINUSE").
  bool start(TimePoint now, std::string& error);
  std::optional<TimePoint> step(TimePoint now) override;
  void shutdown(TimePoint now) override;
  bool finished() const override { return listener_ < 0 && conns_.empty(); }

 private:
  struct Conn {
    int fd;
    std::string in;  // request bytes not answered yet (HTTP)
    bool eof = false;
  };
  api::Sockets& net_;
  IncidentServerOptions opt_;
  int listener_ = -1;
  TimePoint next_accept_{};
  std::vector<Conn> conns_;
};

}  // namespace ustcp::cli
