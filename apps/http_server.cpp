#include "apps/http_server.hpp"

#include <algorithm>
#include <cerrno>

#include "apps/http_parse.hpp"
#include "apps/listen.hpp"
#include "apps/socket_io.hpp"

namespace ustcp::apps {

namespace {
// Bodies go to the stack in pieces of this size: small enough that a connection holds
// little, large enough that a step fills a send buffer in a few calls.
constexpr size_t kBodyPiece = 16 * 1024;
// nginx's lingering_timeout and lingering_time: how long a connection we are closing
// keeps draining what the client still sends.
constexpr Duration kLingeringTimeout = std::chrono::seconds(5);
constexpr Duration kLingeringTime = std::chrono::seconds(30);

// RFC 9110 9.3: the methods this server knows but does not allow (405, not 501).
bool known_method(std::string_view m) {
  return m == "POST" || m == "PUT" || m == "DELETE" || m == "CONNECT" || m == "OPTIONS" ||
         m == "TRACE" || m == "PATCH";
}
}  // namespace

struct HttpServer::Conn {
  int fd = -1;
  std::string in;  // received, not yet parsed: the next request(s)
  bool peer_eof = false;
  bool got_request = false;  // a response was completed: a keep-alive connection now
  TimePoint wait_since;      // since when it waits for a request (accept, end of a response)
  TimePoint head_since;      // when the first byte of the pending request head came
  // The response in progress.
  bool responding = false;
  bool close_after = false;
  TimePoint last_write;  // the response's last progress
  std::string out;       // head, then body pieces; sent from out_off on
  size_t out_off = 0;
  std::unique_ptr<BodySource> body;
  uint64_t body_left = 0;  // not yet read from `body`
  // Lingering close: our FIN is out, input is drained until the client's FIN.
  bool lingering = false;
  TimePoint linger_since;
  TimePoint linger_last;  // last byte drained
};

HttpServer::HttpServer(api::Sockets& net, HttpServerOptions options)
    : net_(net), opt_(std::move(options)) {}
HttpServer::~HttpServer() = default;

bool HttpServer::start(TimePoint now, std::string& error) {
  if (listener_ >= 0) return true;
  auto fd = open_listener(net_, now, opt_.local, opt_.backlog, error);
  if (!fd) return false;
  listener_ = *fd;
  net_.watch(listener_, stack::events::IN, watch_token());
  return true;
}

// Edge-triggered: serve() works until the socket says EAGAIN (or the response waits for
// room), so every later change brings an event.
constexpr int kConnEvents =
    stack::events::IN | stack::events::OUT | stack::events::RDHUP | stack::events::ET;

void HttpServer::accept_all(TimePoint now, std::vector<int>& ready) {
  for (int fd; (fd = net_.accept(now, listener_)) >= 0;) {
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->wait_since = now;
    if (conns_.size() <= static_cast<size_t>(fd)) conns_.resize(static_cast<size_t>(fd) + 1);
    conns_[fd] = std::move(c);
    ++open_;
    ++stats_.accepted;
    net_.watch(fd, kConnEvents, watch_token());
    ready.push_back(fd);  // a request may be there already: served in this step
  }
}

void HttpServer::note_deadline(const Conn& c) {
  if (auto d = deadline(c); d && (!next_ || *d < *next_)) next_ = d;
}

std::optional<TimePoint> HttpServer::step(TimePoint now) {
  for_each_ready(
      ready_, listener_, [&](std::vector<int>& ready) { accept_all(now, ready); },
      [&](int fd) {
        if (static_cast<size_t>(fd) >= conns_.size() || !conns_[fd]) return;
        Conn& c = *conns_[fd];
        serve(now, c);
        if (c.fd < 0) {
          conns_[fd].reset();
          --open_;
          return;
        }
        note_deadline(c);
      });
  // The earliest deadline came (or one that has moved since): only then is every
  // connection looked at, so an event costs the ready connections, a timer all of them.
  if (next_ && *next_ <= now) {
    next_.reset();
    for (auto& slot : conns_) {
      if (!slot) continue;
      Conn& c = *slot;
      auto d = deadline(c);
      if (d && *d <= now) {
        // Idle too long: closed as nginx does, with a FIN.
        if (c.responding) {
          ++stats_.send_timeouts;
        } else if (!c.lingering) {
          ++(c.got_request && c.in.empty() ? stats_.keepalive_timeouts : stats_.header_timeouts);
        }
        close_gracefully(now, c);
        slot.reset();
        --open_;
        continue;
      }
      note_deadline(c);
    }
  }
  stats_.open = open_;
  return next_;
}

std::optional<TimePoint> HttpServer::deadline(const Conn& c) const {
  if (c.lingering)
    return std::min(c.linger_last + kLingeringTimeout, c.linger_since + kLingeringTime);
  if (c.responding) {
    if (opt_.send_timeout <= Duration::zero()) return std::nullopt;
    return c.last_write + opt_.send_timeout;
  }
  if (!c.in.empty()) {
    if (opt_.header_timeout <= Duration::zero()) return std::nullopt;
    return c.head_since + opt_.header_timeout;
  }
  // keepalive_timeout > 0 here: with 0 every response closes the connection.
  if (c.got_request) return c.wait_since + opt_.keepalive_timeout;
  if (opt_.header_timeout <= Duration::zero()) return std::nullopt;
  return c.wait_since + opt_.header_timeout;
}

void HttpServer::serve(TimePoint now, Conn& c) {
  for (;;) {
    if (c.lingering) return linger(now, c);
    if (c.responding) {
      const Write w = write_response(now, c);
      if (w != Write::Done) return;  // blocked, or failed and dropped
      c.responding = false;
      c.got_request = true;
      if (c.close_after) {
        start_lingering(now, c);
        continue;
      }
      c.wait_since = now;
      c.head_since = now;  // a pipelined request already here starts its clock now
      continue;
    }
    if (!c.in.empty()) {
      RequestParse p = parse_request(c.in);
      if (p.status == ParseStatus::Complete) {
        c.in.erase(0, p.consumed);
        if (c.in.empty()) c.in.shrink_to_fit();  // an idle connection holds no buffer
        handle(c, p.request);
        c.last_write = now;
        continue;
      }
      if (p.status == ParseStatus::Error) {
        ++stats_.requests;
        c.in.clear();
        respond(c, error_content(400), false, true, false);
        c.last_write = now;
        continue;
      }
    }
    if (c.peer_eof) {
      // No complete request is left and none will come.
      close_gracefully(now, c);
      return;
    }
    const bool was_empty = c.in.empty();
    const int64_t n = recv_append(net_, now, c.fd, c.in, kRecvPiece);
    if (n > 0) {
      if (was_empty) c.head_since = now;
      continue;
    }
    if (n == 0) {
      c.peer_eof = true;
      continue;
    }
    if (n == -EAGAIN) return;
    drop(now, c, n);
    return;
  }
}

void HttpServer::handle(Conn& c, const HttpRequest& req) {
  ++stats_.requests;
  bool close = !keep_alive(req.version, req.headers) || opt_.keepalive_timeout <= Duration::zero();
  const auto framing = request_framing(req);
  if (!framing) return respond(c, error_content(400), false, true, false);
  // The body is not read: what follows it could not be told from a next request.
  if (framing->kind != BodyFraming::Kind::None) close = true;
  if (req.version.major != 1) return respond(c, error_content(505), false, true, false);
  // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host.
  if (req.version.minor >= 1 && !find_header(req.headers, "host")) {
    return respond(c, error_content(400), false, true, false);
  }
  const bool head = req.method == "HEAD";
  if (req.method == "GET" || head) {
    Content content = resolve_target(req.target, opt_.root);
    if (content.status == 400) close = true;
    return respond(c, std::move(content), head, close, false);
  }
  if (known_method(req.method)) return respond(c, error_content(405), false, close, true);
  respond(c, error_content(501), false, true, false);
}

void HttpServer::respond(Conn& c, Content content, bool head_only, bool close, bool allow) {
  ++stats_.responses[std::clamp(content.status / 100, 0, 5)];
  c.out = "HTTP/1.1 " + std::to_string(content.status) + " " + reason_phrase(content.status) +
          "\r\nServer: ustcp\r\nContent-Type: " + content.content_type +
          "\r\nContent-Length: " + std::to_string(content.length) + "\r\n";
  if (allow) c.out += "Allow: GET, HEAD\r\n";
  c.out += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  c.out_off = 0;
  c.body_left = head_only ? 0 : content.length;
  c.body = head_only ? nullptr : std::move(content.body);
  c.close_after = close;
  c.responding = true;
}

HttpServer::Write HttpServer::write_response(TimePoint now, Conn& c) {
  for (;;) {
    // Top the buffer up with body before sending, so the headers and the start of the body
    // leave in one send(): sent apart, a small body would be a second small segment, which
    // Nagle holds until the peer acknowledges the first, and the peer delays that ACK by
    // 40 ms (as nginx avoids with writev and TCP_NOPUSH).
    if (c.body_left > 0 && c.out.size() - c.out_off < kBodyPiece) {
      c.out.erase(0, c.out_off);
      c.out_off = 0;
      const size_t before = c.out.size();
      const size_t want = static_cast<size_t>(std::min<uint64_t>(c.body_left, kBodyPiece - before));
      if (!c.body || !c.body->read(c.out, want) || c.out.size() == before) {
        // The file shrank under us: Content-Length cannot be honoured; like nginx, give up
        // on the connection (the peer sees the body cut short).
        drop(now, c, 0);
        return Write::Failed;
      }
      if (c.out.size() > before + want) c.out.resize(before + want);
      c.body_left -= c.out.size() - before;
    }
    if (c.out_off == c.out.size()) {
      c.body.reset();
      std::string().swap(c.out);  // an idle connection holds no buffer
      return Write::Done;
    }
    const int64_t n = net_.send(now, c.fd, as_bytes(std::string_view(c.out).substr(c.out_off)));
    if (n == -EAGAIN) return Write::Blocked;
    if (n < 0) {
      drop(now, c, n);
      return Write::Failed;
    }
    c.out_off += static_cast<size_t>(n);
    c.last_write = now;
    stats_.bytes_sent += static_cast<uint64_t>(n);
  }
}

// nginx's lingering close: our FIN goes now (so TIME_WAIT will be ours), but the socket
// stays open, draining, until the client's FIN. A client still sending (the rest of a
// request we refused, pipelined requests after "Connection: close") would otherwise hit a
// closed socket, and its data would draw a RST that can destroy our response before the
// client reads it (RFC 9112 9.6).
void HttpServer::start_lingering(TimePoint now, Conn& c) {
  std::string().swap(c.in);
  net_.shutdown(now, c.fd, kShutWr);
  c.lingering = true;
  c.linger_since = now;
  c.linger_last = now;
}

void HttpServer::linger(TimePoint now, Conn& c) {
  std::byte sink[4096];
  for (;;) {
    const int64_t n = net_.recv(now, c.fd, MutBytes(sink, sizeof sink));
    if (n == -EAGAIN) return;
    if (n > 0) {
      c.linger_last = now;
      continue;
    }
    if (n == 0) {
      net_.close(now, c.fd);
      c.fd = -1;
    } else {
      drop(now, c, n);
    }
    return;
  }
}

void HttpServer::close_gracefully(TimePoint now, Conn& c) {
  discard_input(net_, now, c.fd);
  net_.close(now, c.fd);
  c.fd = -1;
}

void HttpServer::drop(TimePoint now, Conn& c, int64_t result) {
  if (result == -ECONNRESET) ++stats_.resets;
  net_.close(now, c.fd);
  c.fd = -1;
}

void HttpServer::shutdown(TimePoint now) {
  if (listener_ >= 0) {
    net_.close(now, listener_);
    listener_ = -1;
  }
  for (auto& c : conns_) {
    if (c) close_gracefully(now, *c);
  }
  conns_.clear();
  open_ = 0;
  ready_.clear();
  next_.reset();
  stats_.open = 0;
}

}  // namespace ustcp::apps
