// An HTTP/1.1 client on the socket API: fetches a list of paths in order over one
// persistent connection, opening a new one only when the server closed the last (as
// python's http.server does after every response). Works with HTTP/1.0 servers (body until
// close), HTTP/1.1 ones (Content-Length, chunked, keep-alive).
//
//   - Responses are read with the sans-IO parsers (http_parse.hpp, http_body.hpp); 1xx
//     interim responses are skipped. Body bytes go to on_body as they arrive.
//   - After the last response the client closes at once (keepalive 0: it closes first, so
//     TIME_WAIT lands on it), or keeps the idle connection open `keepalive` long and then
//     closes; a server that closes earlier is noted (closer() == Server).
//   - With connection_close, the last request says "Connection: close": the server must
//     close after its response (RFC 9112 9.6), and the client waits for that.
//   - A request on a reused connection that the server closed or reset before any byte of
//     the response (the keep-alive race, RFC 9112 9.3.1) is retried once on a new one.
//   - Errors are values: error() says what happened with the errno name
//     ("connect 10.0.0.2:80: ECONNREFUSED", "recv: ECONNRESET"), error_code() the errno.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/app.hpp"
#include "apps/http_body.hpp"
#include "apps/http_parse.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::apps {

struct HttpClientOptions {
  Endpoint server;
  std::string host_header;         // empty: the server's address ("10.0.0.2", ":port" if not 80)
  std::vector<std::string> paths;  // fetched in order
  Duration keepalive{0};           // how long to keep the idle connection after the last response
  Endpoint local;                  // port 0: ephemeral; addr 0.0.0.0: the stack's
  bool connection_close = false;   // the last request carries "Connection: close"
};

struct HttpResponseInfo {
  std::string path;
  int status = 0;
  uint64_t body_bytes = 0;
  Headers headers;
};

// Who closed a connection first.
enum class Closer { None, Client, Server };
const char* to_string(Closer c);

class HttpClient final : public App {
 public:
  using BodySink = std::function<void(std::string_view)>;

  HttpClient(api::Sockets& net, HttpClientOptions options, BodySink on_body = {});
  ~HttpClient() override;

  // Opens the first connection (socket, bind if local is set, connect). False with the
  // reason if that fails at once.
  bool start(TimePoint now, std::string& error);

  std::optional<TimePoint> step(TimePoint now) override;
  // Closes the connection (a FIN); an unfinished fetch becomes an error.
  void shutdown(TimePoint now) override;
  bool finished() const override { return fd_ < 0; }
  // Readiness (App): its connection is watched; it steps when that is ready or a timeout
  // is due.
  bool uses_readiness() const override { return true; }

  // Everything is over: every response read and the connection closed, or an error.
  bool done() const { return phase_ == Phase::Done; }
  // Done, no error, and a complete response for every path (whatever their status codes).
  bool ok() const { return done() && error_.empty() && responses_.size() == opt_.paths.size(); }
  std::string error() const { return error_; }
  int error_code() const { return error_code_; }  // errno of the error, 0 if not from a socket call

  const std::vector<HttpResponseInfo>& responses() const { return responses_; }
  // Who closed the last connection first (None while it is open).
  Closer closer() const { return closer_; }
  int connections() const { return connections_; }  // connections opened
  int retries() const { return retries_; }

 private:
  enum class Phase { NotStarted, Connecting, Sending, Receiving, AwaitingClose, Idle, Done };

  bool open(TimePoint now, std::string& error);
  void begin_request();
  void on_bytes(TimePoint now);
  void on_eof(TimePoint now);
  void on_error(TimePoint now, int64_t result, const char* call);
  void response_complete(TimePoint now);
  bool may_retry() const;
  void retry(TimePoint now);
  void next_or_done(TimePoint now);
  void close_fd(TimePoint now);
  void fail(TimePoint now, std::string error, int code = 0);

  api::Sockets& net_;
  HttpClientOptions opt_;
  BodySink on_body_;
  Phase phase_ = Phase::NotStarted;
  int fd_ = -1;
  size_t next_ = 0;  // the path being fetched
  std::string request_;
  size_t request_off_ = 0;
  std::string in_;  // received, not yet parsed
  std::string body_piece_;
  std::optional<HttpResponseHead> head_;
  std::optional<BodyReader> body_;
  bool response_started_ = false;  // a byte of the current response arrived
  bool expect_close_ = false;      // the server will close after the current response
  int requests_on_conn_ = 0;
  bool retried_ = false;
  TimePoint idle_since_;
  std::vector<HttpResponseInfo> responses_;
  Closer closer_ = Closer::None;
  int connections_ = 0;
  int retries_ = 0;
  std::string error_;
  int error_code_ = 0;
};

}  // namespace ustcp::apps
