#include "apps/http_client.hpp"

#include <cerrno>

#include "apps/socket_io.hpp"

namespace ustcp::apps {

const char* to_string(Closer c) {
  switch (c) {
    case Closer::None:
      return "none";
    case Closer::Client:
      return "client";
    case Closer::Server:
      return "server";
  }
  return "?";
}

HttpClient::HttpClient(api::Sockets& net, HttpClientOptions options, BodySink on_body)
    : net_(net), opt_(std::move(options)), on_body_(std::move(on_body)) {
  if (opt_.host_header.empty()) {
    opt_.host_header = opt_.server.addr.to_string();
    if (opt_.server.port != 80) opt_.host_header += ":" + std::to_string(opt_.server.port);
  }
}

HttpClient::~HttpClient() = default;

bool HttpClient::start(TimePoint now, std::string& error) {
  if (phase_ != Phase::NotStarted) return true;
  if (opt_.paths.empty()) {
    error = "no path to fetch";
    return false;
  }
  if (!open(now, error)) {
    fail(now, error, error_code_);
    return false;
  }
  return true;
}

bool HttpClient::open(TimePoint now, std::string& error) {
  fd_ = net_.socket();
  if (fd_ < 0) {
    error = "socket: " + errno_text(fd_);
    error_code_ = -fd_;
    fd_ = -1;
    return false;
  }
  if (opt_.local.port != 0 || !opt_.local.addr.is_unspecified()) {
    if (int r = net_.bind(fd_, opt_.local); r < 0) {
      error = "bind " + opt_.local.to_string() + ": " + errno_text(r);
      error_code_ = -r;
      close_fd(now);
      return false;
    }
  }
  if (int r = net_.connect(now, fd_, opt_.server); r != -EINPROGRESS && r != 0) {
    error = "connect " + opt_.server.to_string() + ": " + errno_text(r);
    error_code_ = -r;
    close_fd(now);
    return false;
  }
  // Edge-triggered: step() works until EAGAIN, so each change brings an event.
  net_.watch(fd_, stack::events::IN | stack::events::OUT | stack::events::RDHUP | stack::events::ET,
             watch_token());
  ++connections_;
  requests_on_conn_ = 0;
  closer_ = Closer::None;
  in_.clear();
  phase_ = Phase::Connecting;
  return true;
}

void HttpClient::begin_request() {
  const bool last = next_ + 1 == opt_.paths.size();
  expect_close_ = last && opt_.connection_close;
  request_ = "GET " + opt_.paths[next_] + " HTTP/1.1\r\nHost: " + opt_.host_header +
             "\r\nUser-Agent: ustcp\r\nAccept: */*\r\n";
  if (expect_close_) request_ += "Connection: close\r\n";
  request_ += "\r\n";
  request_off_ = 0;
  head_.reset();
  body_.reset();
  response_started_ = false;
  ++requests_on_conn_;
  phase_ = Phase::Sending;
}

std::optional<TimePoint> HttpClient::step(TimePoint now) {
  for (;;) {
    switch (phase_) {
      case Phase::NotStarted:
      case Phase::Done:
        return std::nullopt;
      case Phase::Connecting: {
        const int r = net_.connect(now, fd_, opt_.server);
        if (r == -EALREADY || r == -EINPROGRESS) return std::nullopt;
        if (r != 0 && r != -EISCONN) {
          fail(now, "connect " + opt_.server.to_string() + ": " + errno_text(r), -r);
          break;
        }
        begin_request();
        break;
      }
      case Phase::Sending: {
        const int64_t n =
            net_.send(now, fd_, as_bytes(std::string_view(request_).substr(request_off_)));
        if (n == -EAGAIN) return std::nullopt;
        if (n < 0) {
          on_error(now, n, "send");
          break;
        }
        request_off_ += static_cast<size_t>(n);
        if (request_off_ == request_.size()) phase_ = Phase::Receiving;
        break;
      }
      case Phase::Receiving:
      case Phase::AwaitingClose:
      case Phase::Idle: {
        if (phase_ == Phase::Idle && now >= idle_since_ + opt_.keepalive) {
          // Our keep-alive timeout: we close first.
          closer_ = Closer::Client;
          close_fd(now);
          phase_ = Phase::Done;
          break;
        }
        const int64_t n = recv_append(net_, now, fd_, in_, kRecvPiece);
        if (n == -EAGAIN) {
          if (phase_ == Phase::Idle) return idle_since_ + opt_.keepalive;
          return std::nullopt;
        }
        if (n < 0) {
          on_error(now, n, "recv");
        } else if (n == 0) {
          on_eof(now);
        } else if (phase_ == Phase::Receiving) {
          response_started_ = true;
          on_bytes(now);
        } else {
          in_.clear();  // bytes after the last response that nobody asked for: dropped
        }
        break;
      }
    }
  }
}

void HttpClient::on_bytes(TimePoint now) {
  while (phase_ == Phase::Receiving) {
    if (!head_) {
      ResponseParse p = parse_response(in_);
      if (p.status == ParseStatus::Incomplete) return;
      if (p.status == ParseStatus::Error) return fail(now, "malformed response: " + p.error);
      in_.erase(0, p.consumed);
      if (p.head.status / 100 == 1) {
        // RFC 9110 15.2: interim responses precede the final one; 101 would switch
        // protocols, which we never asked for.
        if (p.head.status == 101) return fail(now, "unexpected 101 Switching Protocols");
        continue;
      }
      auto framing = response_framing(p.head, false);
      if (!framing) return fail(now, "malformed response: invalid Content-Length");
      head_ = std::move(p.head);
      body_.emplace(*framing);
    }
    body_piece_.clear();
    const size_t used = body_->feed(in_, body_piece_);
    in_.erase(0, used);
    if (on_body_ && !body_piece_.empty()) on_body_(body_piece_);
    if (body_->failed()) return fail(now, "malformed response body: " + body_->error());
    if (!body_->done()) return;
    response_complete(now);
  }
}

void HttpClient::response_complete(TimePoint now) {
  const bool persist = keep_alive(head_->version, head_->headers) &&
                       body_->framing().kind != BodyFraming::Kind::UntilClose;
  responses_.push_back(
      HttpResponseInfo{opt_.paths[next_], head_->status, body_->received(), head_->headers});
  head_.reset();
  body_.reset();
  retried_ = false;
  ++next_;
  if (!persist || expect_close_) {
    phase_ = Phase::AwaitingClose;  // the server closes (RFC 9112 9.6)
  } else if (next_ < opt_.paths.size()) {
    begin_request();
  } else if (opt_.keepalive > Duration::zero()) {
    phase_ = Phase::Idle;
    idle_since_ = now;
  } else {
    closer_ = Closer::Client;
    close_fd(now);
    phase_ = Phase::Done;
  }
}

void HttpClient::next_or_done(TimePoint now) {
  close_fd(now);
  if (next_ == opt_.paths.size()) {
    phase_ = Phase::Done;
    return;
  }
  std::string error;
  if (!open(now, error)) fail(now, error, error_code_);
}

void HttpClient::on_eof(TimePoint now) {
  switch (phase_) {
    case Phase::Receiving:
      if (body_) {
        body_->on_eof();
        if (body_->done()) {
          closer_ = Closer::Server;
          response_complete(now);  // a body delimited by the close
          next_or_done(now);
          return;
        }
        return fail(now, "connection closed by the server: " + body_->error());
      }
      if (may_retry()) return retry(now);
      return fail(now, "connection closed by the server before the response");
    case Phase::Sending:
      if (may_retry()) return retry(now);
      return fail(now, "connection closed by the server before the response");
    case Phase::AwaitingClose:
    case Phase::Idle:
      closer_ = Closer::Server;
      next_or_done(now);
      return;
    default:
      return;
  }
}

void HttpClient::on_error(TimePoint now, int64_t result, const char* call) {
  if ((phase_ == Phase::Sending || phase_ == Phase::Receiving) && may_retry()) return retry(now);
  if (phase_ == Phase::AwaitingClose || phase_ == Phase::Idle) {
    // Every response is in: a reset now ends the connection, not the fetch.
    closer_ = Closer::Server;
    next_or_done(now);
    return;
  }
  fail(now, std::string(call) + ": " + errno_text(result), static_cast<int>(-result));
}

// RFC 9112 9.3.1: a client may retry an idempotent request when the connection closed
// before any response, as happens when a server's keep-alive timeout races our request.
bool HttpClient::may_retry() const {
  return requests_on_conn_ > 1 && !response_started_ && !retried_;
}

void HttpClient::retry(TimePoint now) {
  retried_ = true;
  ++retries_;
  closer_ = Closer::Server;
  close_fd(now);
  std::string error;
  if (!open(now, error)) fail(now, error, error_code_);
}

void HttpClient::close_fd(TimePoint now) {
  if (fd_ < 0) return;
  discard_input(net_, now, fd_);
  net_.close(now, fd_);
  fd_ = -1;
}

void HttpClient::fail(TimePoint now, std::string error, int code) {
  if (error_.empty()) {
    error_ = std::move(error);
    error_code_ = code;
  }
  if (fd_ >= 0 && closer_ == Closer::None) closer_ = Closer::Client;
  close_fd(now);
  phase_ = Phase::Done;
}

void HttpClient::shutdown(TimePoint now) {
  if (phase_ == Phase::Done) return;
  if (phase_ != Phase::NotStarted && responses_.size() < opt_.paths.size()) {
    fail(now, "shut down before every response came");
    return;
  }
  if (fd_ >= 0) closer_ = Closer::Client;
  close_fd(now);
  phase_ = Phase::Done;
}

}  // namespace ustcp::apps
