// An HTTP/1.1 server (RFC 9112) on the socket API, behaving like nginx where it matters to
// TCP: persistent connections with an idle timeout, and the server closing first when the
// exchange ends (so TIME_WAIT lands on the server).
//
//   - GET and HEAD; other known methods 405 (with Allow), unknown ones 501; a malformed
//     request or a head over 8 KB: 400 and close. Garbage never crashes it.
//   - Keep-alive: HTTP/1.1 persists unless "Connection: close"; HTTP/1.0 only with
//     "Connection: keep-alive". Pipelined requests are answered in order.
//   - "Connection: close" (or keepalive_timeout 0): the response says Connection: close and
//     the server closes after handing it to the stack: shutdown(SHUT_WR) at once (its FIN
//     goes first, so TIME_WAIT is the server's), then, like nginx's lingering close, it
//     drains input until the client's FIN (at most 5 s idle, 30 s in all) and close()s.
//   - keepalive_timeout: a connection idle between requests (response fully handed to the
//     stack, no byte of a next request) is closed with close(), a FIN, like nginx.
//   - header_timeout: a new connection that sends no complete request head, or a request
//     head that does not complete, within it is closed (nginx's client_header_timeout).
//   - send_timeout: a response the stack takes no byte of for that long (the client stopped
//     reading) is abandoned and the connection closed (nginx's send_timeout).
//   - Every response has Content-Length and "Server: ustcp"; no Date (no clock here).
//   - Bodies stream from their source (http_content.hpp) as the send buffer frees.
// Requests with a body are answered, then the connection is closed (bodies are not read).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/app.hpp"
#include "apps/http_content.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::apps {

struct HttpRequest;

struct HttpServerOptions {
  Endpoint local;  // addr 0.0.0.0: every address of the stack
  int backlog = 511;
  // nginx's keepalive_timeout (default 75 s); 0: no keep-alive, every response closes.
  Duration keepalive_timeout = std::chrono::seconds(75);
  // nginx's client_header_timeout and send_timeout (60 s each); 0: none.
  Duration header_timeout = std::chrono::seconds(60);
  Duration send_timeout = std::chrono::seconds(60);
  std::string root;  // empty: the built-in pages
};

struct HttpServerStats {
  uint64_t accepted = 0;
  uint64_t requests = 0;                // request heads parsed (and malformed ones)
  std::array<uint64_t, 6> responses{};  // by status class: [2] is 2xx ... [5] is 5xx
  uint64_t keepalive_timeouts = 0;      // idle keep-alive connections closed
  uint64_t header_timeouts = 0;         // connections closed waiting for a request head
  uint64_t send_timeouts = 0;           // responses abandoned: the client stopped reading
  uint64_t resets = 0;                  // connections that ended with ECONNRESET
  uint64_t bytes_sent = 0;              // heads and bodies the stack took
  size_t open = 0;                      // connections open now
};

class HttpServer final : public App {
 public:
  HttpServer(api::Sockets& net, HttpServerOptions options);
  ~HttpServer() override;

  // socket, bind, listen; false with e.g. "bind 198.18.0.2:80: EADDRINUSE".
  bool start(TimePoint now, std::string& error);

  std::optional<TimePoint> step(TimePoint now) override;
  void shutdown(TimePoint now) override;
  bool finished() const override { return listener_ < 0 && open_ == 0; }
  // Readiness (App): the listener and each connection are watched edge-triggered; a step
  // serves the ready ones, and looks at all only when a timeout is due.
  bool uses_readiness() const override { return true; }
  void ready(int fd, int) override { ready_.push_back(fd); }

  const HttpServerStats& stats() const { return stats_; }
  Endpoint local() const { return opt_.local; }

 private:
  struct Conn;
  enum class Write { Done, Blocked, Failed };

  void serve(TimePoint now, Conn& c);
  Write write_response(TimePoint now, Conn& c);
  void handle(Conn& c, const HttpRequest& request);
  void respond(Conn& c, Content content, bool head_only, bool close, bool allow);
  std::optional<TimePoint> deadline(const Conn& c) const;
  void start_lingering(TimePoint now, Conn& c);
  void linger(TimePoint now, Conn& c);
  void close_gracefully(TimePoint now, Conn& c);
  void drop(TimePoint now, Conn& c, int64_t result);

  api::Sockets& net_;
  HttpServerOptions opt_;
  int listener_ = -1;
  void accept_all(TimePoint now, std::vector<int>& ready);
  void note_deadline(const Conn& c);

  std::vector<std::unique_ptr<Conn>> conns_;  // by descriptor
  size_t open_ = 0;
  std::vector<int> ready_;         // reported since the last step
  std::optional<TimePoint> next_;  // no connection's deadline is earlier
  HttpServerStats stats_;
};

}  // namespace ustcp::apps
