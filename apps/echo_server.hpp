// An echo server (RFC 862) on the socket API: every byte a client sends comes back.
//
// Flow control reaches through: at most kMaxPending bytes per connection wait to be sent
// back; beyond that the server stops reading, the receive window fills and the client's
// sends block, as with a kernel echo server whose client does not read. When the client
// half-closes (recv returns 0) the server sends what is left, then shutdown(SHUT_WR) and
// close(): a client that shuts down its side and keeps reading gets every byte back, then
// EOF. A connection reset by the client is closed and forgotten; the server goes on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/app.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::apps {

struct EchoStats {
  uint64_t accepted = 0;
  uint64_t bytes_echoed = 0;  // bytes the stack took back for sending
  uint64_t resets = 0;        // connections that ended with ECONNRESET
  size_t open = 0;            // connections open now
};

class EchoServer final : public App {
 public:
  static constexpr size_t kMaxPending = 64 * 1024;

  // local.addr may be 0.0.0.0 (every address of the stack).
  EchoServer(api::Sockets& net, Endpoint local, int backlog = 511);
  ~EchoServer() override = default;

  // socket, bind, listen. On failure returns false and says why, naming the address and
  // the errno: "bind 198.18.0.2:7: EADDRINUSE".
  bool start(TimePoint now, std::string& error);

  std::optional<TimePoint> step(TimePoint now) override;
  void shutdown(TimePoint now) override;
  bool finished() const override { return listener_ < 0 && open_ == 0; }
  // Readiness (App): the listener and each connection are watched edge-triggered; a step
  // serves the ready ones only.
  bool uses_readiness() const override { return true; }
  void ready(int fd, int) override { ready_.push_back(fd); }

  const EchoStats& stats() const { return stats_; }
  // The listening address (after start(): with the port the stack chose for port 0).
  Endpoint local() const { return local_; }

 private:
  struct Conn {
    int fd = -1;
    std::string pending;  // received, not yet taken by send(); from `sent` on
    size_t sent = 0;
    bool peer_eof = false;
  };
  // Moves bytes until the socket blocks; false once the connection is closed.
  bool serve(TimePoint now, Conn& c);
  void lost(TimePoint now, Conn& c, int64_t result);

  api::Sockets& net_;
  Endpoint local_;
  int backlog_;
  void accept_all(TimePoint now, std::vector<int>& ready);
  void close_conn(Conn& c);

  int listener_ = -1;
  std::vector<Conn> conns_;  // by descriptor; fd -1: none
  size_t open_ = 0;
  std::vector<int> ready_;  // reported since the last step
  EchoStats stats_;
};

}  // namespace ustcp::apps
