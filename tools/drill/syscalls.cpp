// System call lines: each call runs on the Stack's socket API at its time; a call on a
// blocking socket that cannot finish yet stays outstanding (one at a time, as packetdrill's
// syscall thread) and is retried whenever the stack has done something, until it returns
// or its expected end time has passed.
#include <algorithm>

#include "drill/session.hpp"
#include "drill/symbols.hpp"

namespace ustcp::drill {

namespace {

constexpr int64_t kSockNonblock = 04000;
constexpr int64_t kONonblock = 04000;
constexpr int64_t kORdwr = 2;
constexpr int64_t kMsgPeek = 2;
constexpr int64_t kMsgDontwait = 0x40;
// Flags whose meaning the calls below carry out: MSG_NOSIGNAL (ustcp raises no SIGPIPE, the
// call fails with EPIPE as under packetdrill, which ignores the signal), MSG_EOR (the stack
// ends a record there: Stack::send's eor) and MSG_ZEROCOPY (the same bytes on
// the wire; completions come through recvmsg(MSG_ERRQUEUE), which ustcp does not run).
// Any other flag (MSG_MORE, MSG_FASTOPEN, MSG_WAITALL, ...) skips the script.
constexpr int64_t kRecvFlags = kMsgPeek | kMsgDontwait;
constexpr int64_t kMsgEor = 0x80;
constexpr int64_t kSendFlags = kMsgDontwait | 0x4000 | kMsgEor | 0x4000000;
constexpr int kSolSocket = 1;
constexpr int kIpprotoIp = 0;
constexpr int kIpprotoTcp = 6;
constexpr int kSoLinger = 13;
constexpr int kTcpInfo = 11;

CallResult ok(int64_t v) { return CallResult{v, 0}; }
CallResult err(int e) { return CallResult{-1, e}; }

std::string errno_text(int e) {
  std::string_view n = errno_symbol(e);
  return n.empty() ? "errno " + std::to_string(e) : std::string(n);
}

std::string poll_text(int64_t ev) {
  static const std::pair<int64_t, const char*> names[] = {
      {0x1, "POLLIN"},   {0x2, "POLLPRI"},   {0x4, "POLLOUT"},     {0x8, "POLLERR"},
      {0x10, "POLLHUP"}, {0x20, "POLLNVAL"}, {0x2000, "POLLRDHUP"}};
  std::string s;
  for (auto [bit, name] : names) {
    if (ev & bit) s += (s.empty() ? "" : "|") + std::string(name);
  }
  return s.empty() ? "0" : s;
}

// Socket options Linux has and ustcp does not implement: a script setting one is skipped.
bool linux_option(int level, int name) {
  if (level == kSolSocket) return name >= 1 && name <= 70;
  if (level == kIpprotoTcp) return name >= 1 && name <= 40;
  if (level == kIpprotoIp) return name >= 1 && name <= 50;
  return false;
}

std::string flags_text(const Expr& e) { return e.text.empty() ? std::to_string(e.value) : e.text; }

// A buffer argument written NULL: the kernel's copy faults.
bool null_buffer(const Syscall& sc) {
  if (sc.args.size() < 2) return false;
  const Expr& b = sc.args[1];
  return b.kind == Expr::Kind::Int && b.value == 0 && b.text == "NULL";
}

}  // namespace

// The byte count and flags of read/recv/recvfrom/readv and write/send/sendto/writev:
// (fd, buf, len[, flags...]) or (fd, [{iov_base=..., iov_len=N}, ...], iovcnt).
std::pair<int64_t, int64_t> Session::io_size(const Syscall& sc) {
  if (sc.name == "readv" || sc.name == "writev") {
    const Expr& iov = arg(sc, 1);
    if (iov.kind != Expr::Kind::List)
      throw Failure{iov.pos, sc.name + "() needs [{iov_base=..., iov_len=N}, ...]"};
    int64_t len = 0;
    for (const Expr& v : iov.items) {
      for (size_t k = 0; k < v.fields.size(); ++k)
        if (v.fields[k] == "iov_len") len += v.items[k].value;
    }
    return {len, 0};
  }
  const bool has_flags = sc.name != "read" && sc.name != "write" && sc.args.size() > 3;
  return {int_arg(sc, 2), has_flags ? int_arg(sc, 3) : 0};
}

const Expr& Session::arg(const Syscall& sc, size_t i) {
  if (i >= sc.args.size())
    throw Failure{sc.name_pos,
                  sc.name + "() needs at least " + std::to_string(i + 1) + " arguments"};
  return sc.args[i];
}

int64_t Session::int_arg(const Syscall& sc, size_t i) {
  const Expr& e = arg(sc, i);
  if (auto v = int_in(e)) return *v;
  throw Failure{e.pos,
                "argument " + std::to_string(i + 1) + " of " + sc.name + "() must be an integer"};
}

std::optional<int64_t> Session::int_in(const Expr& e) {
  if (e.kind == Expr::Kind::Int) return e.value;
  if (e.kind == Expr::Kind::List && e.items.size() == 1 && e.items[0].kind == Expr::Kind::Int)
    return e.items[0].value;
  if (e.kind == Expr::Kind::Call && e.text == "htons" && e.items.size() == 1 &&
      e.items[0].kind == Expr::Kind::Int)
    return e.items[0].value;
  return std::nullopt;
}

ScriptFd* Session::fd_arg(const Syscall& sc, size_t i) {
  auto it = fds_.find(static_cast<int>(int_arg(sc, i)));
  return it == fds_.end() ? nullptr : &it->second;
}

// `...` is packetdrill's default address; {sa_family=AF_INET, sin_port=htons(P),
// sin_addr=inet_addr("A")} names one.
Endpoint Session::sockaddr_arg(const Syscall& sc, size_t i, Endpoint dflt) {
  const Expr& e = arg(sc, i);
  if (e.kind == Expr::Kind::Ellipsis) return dflt;
  if (e.kind != Expr::Kind::Struct)
    throw Failure{
        e.pos, "expected ... or {sa_family=AF_INET, sin_port=htons(P), sin_addr=inet_addr(\"A\")}"};
  Endpoint ep = dflt;
  for (size_t f = 0; f < e.fields.size(); ++f) {
    const Expr& v = e.items[f];
    if (e.fields[f] == "sa_family" || e.fields[f] == "sin_family") {
      if (v.kind != Expr::Kind::Int || v.value != 2)
        throw Skipped{v.pos, "address family other than AF_INET"};
    } else if (e.fields[f] == "sin_port") {
      auto port = int_in(v);
      if (!port || *port < 0 || *port > 65535)
        throw Failure{v.pos, "sin_port must be htons(0..65535)"};
      ep.port = static_cast<uint16_t>(*port);
    } else if (e.fields[f] == "sin_addr") {
      if (v.kind == Expr::Kind::Call && v.text == "inet_addr" && v.items.size() == 1 &&
          v.items[0].kind == Expr::Kind::String) {
        auto a = Ipv4Addr::parse(v.items[0].text);
        if (!a) throw Failure{v.items[0].pos, "bad IPv4 address \"" + v.items[0].text + "\""};
        ep.addr = *a;
      } else if (v.kind == Expr::Kind::Int && v.value == 0) {
        ep.addr = Ipv4Addr();
      } else {
        throw Failure{v.pos, "sin_addr must be inet_addr(\"A.B.C.D\") or INADDR_ANY"};
      }
    } else {
      throw Failure{e.pos, "unknown sockaddr field '" + e.fields[f] + "'"};
    }
  }
  return ep;
}

// connect(): the socket's connection is the one under test, with fresh ISNs.
void Session::make_current(stack::SocketId id, bool fresh) {
  const tcp::Connection* conn = stack_.connection(id);
  if (!conn) return;
  ScriptConn c{conn->tuple().local.port, conn->tuple().remote.port};
  if (fresh || !conns_.count(c.key())) conns_[c.key()] = c;
  current_ = c.key();
}

// packetdrill gives accept()'s fd to the passive connection it saw a SYN-ACK for last
// (run_syscall_accept: the newest child socket past SYNACK_SENT), and aborts when the
// kernel accepted another one. A script that passes here must pass there: the same check.
void Session::check_accepted(stack::SocketId id, int fd, Pos pos) {
  const tcp::Connection* conn = stack_.connection(id);
  ScriptConn* newest = nullptr;
  for (auto& [key, c] : conns_) {
    if (c.passive && c.synack_seen && (!newest || c.born > newest->born)) newest = &c;
  }
  const std::string port = conn ? std::to_string(conn->tuple().remote.port) : "?";
  if (!newest) {
    throw Failure{pos, "accept() returned the connection from port " + port +
                           ", but no `>` line saw a SYN-ACK: packetdrill cannot match it"};
  }
  if (!conn || conn->tuple().remote.port != newest->remote_port ||
      conn->tuple().local.port != newest->local_port) {
    throw Failure{pos, "accept() returned the connection from port " + port +
                           "; packetdrill gives the fd to the newest handshake of the script "
                           "(port " +
                           std::to_string(newest->remote_port) +
                           ") and aborts: accept() only the connection under test"};
  }
  if (newest->fd && newest->fd_closed) {
    throw Failure{pos, "accept() returned a connection on the 4-tuple of fd " +
                           std::to_string(*newest->fd) +
                           ", which was closed: packetdrill keeps one record per 4-tuple and "
                           "cannot use the new fd"};
  }
  newest->fd = fd;
  newest->fd_closed = false;
}

// What %{ tcpi_... }% reads: the socket under test's fd (code.c), if it has one.
std::optional<stack::SocketId> Session::socket_under_test() const {
  std::optional<int> fd = under_test_fd_;
  if (current_) fd = conns_.at(*current_).fd;
  if (!fd) return std::nullopt;
  auto it = fds_.find(*fd);
  if (it == fds_.end()) return std::nullopt;
  return it->second.id;
}

void Session::syscall(const Syscall& sc, TimePoint t) {
  const Event& e = ev();
  if (blocking_) {
    throw Failure{e.pos, "a blocking call from line " +
                             std::to_string(s_.where(s_.events[blocking_->event].pos).line) +
                             " has not returned yet (one blocking call at a time)"};
  }
  Blocking b;
  b.event = event_;
  b.start = t;
  b.end = t;
  if (sc.end_usecs) {
    // Both ends of start...end share the start's base (script start or previous event).
    TimePoint base = t - std::chrono::microseconds(e.time.usecs);
    b.end = base + std::chrono::microseconds(*sc.end_usecs);
  }
  b.tolerance_us = tolerance_for(b.end);
  std::optional<CallResult> r = attempt(sc, &b);
  if (r) {
    finish_call(sc, *r, b, e.pos);
  } else {
    trace(secs(clock_) + "  " + sc.name + "() blocks");
    blocking_ = b;
  }
}

void Session::retry_blocking() {
  if (!blocking_) return;
  const Event& e = s_.events[blocking_->event];
  const Syscall& sc = std::get<Syscall>(e.body);
  std::optional<CallResult> r = attempt(sc, &*blocking_);
  if (!r) return;
  Blocking b = *blocking_;
  blocking_.reset();
  finish_call(sc, *r, b, e.pos);
}

void Session::finish_call(const Syscall& sc, const CallResult& r, const Blocking& b, Pos pos) {
  auto got = [&] { return r.ret == -1 ? "-1 " + errno_text(r.err) : std::to_string(r.ret); };
  auto want = [&] {
    return sc.result == -1 && !sc.errno_name.empty() ? "-1 " + sc.errno_name
                                                     : std::to_string(sc.result);
  };
  trace(secs(clock_) + "  " + sc.name + "() = " + got());
  auto late = clock_ - b.end;
  if (std::chrono::abs(late) > std::chrono::microseconds(b.tolerance_us)) {
    throw Failure{pos, sc.name + "() returned " + got() + " at " + secs(clock_) + ", expected at " +
                           secs(b.end) +
                           (b.end == b.start ? " (a call that blocks needs start...end)" : "")};
  }
  bool match = r.ret == sc.result;
  if (match && sc.result == -1 && !sc.errno_name.empty())
    match = errno_value(sc.errno_name) == r.err;
  if (!match)
    throw Failure{sc.result_pos, sc.name + "() returned " + got() + " instead of " + want() +
                                     " at " + secs(clock_)};
  if (!r.mismatch.empty()) throw Failure{pos, sc.name + "(): " + r.mismatch};
  if (r.new_socket) {
    fds_[static_cast<int>(r.ret)] = ScriptFd{*r.new_socket, r.nonblocking, false};
    if (sc.name == "socket") {
      // socket() makes its socket the one under test (packetdrill's syscall_socket).
      under_test_fd_ = static_cast<int>(r.ret);
      under_test_listening_ = false;
      current_.reset();
    }
  }
}

std::optional<CallResult> Session::attempt(const Syscall& sc, Blocking* st) {
  const std::string& n = sc.name;
  const bool first = st->progress == 0;
  auto blocking_fd = [&](const ScriptFd& f, int64_t flags = 0) {
    return !f.nonblocking && !(flags & kMsgDontwait);
  };
  // The fd the script expects from socket() or accept(): its number is the script's.
  auto new_fd_number = [&]() -> int64_t {
    if (sc.result >= 0) return sc.result;
    int64_t fd = 3;
    while (fds_.count(static_cast<int>(fd)) || epoll_fd_ == fd) ++fd;
    return fd;
  };

  if (n.rfind("epoll_", 0) == 0) return epoll_call(sc, st);
  if (n == "socket") {
    // socket(..., SOCK_STREAM, IPPROTO_TCP): `...` is the script's address family, AF_INET.
    int64_t domain = arg(sc, 0).kind == Expr::Kind::Ellipsis ? 2 : int_arg(sc, 0);
    int64_t type = int_arg(sc, 1);
    if (domain == 10) throw Skipped{arg(sc, 0).pos, "IPv6 sockets (AF_INET6)"};
    if (domain != 2) return err(EAFNOSUPPORT);
    if ((type & 0xf) != 1) throw Skipped{arg(sc, 1).pos, "socket types other than SOCK_STREAM"};
    auto s = stack_.socket();
    if (!s) return err(s.error());
    CallResult r = ok(new_fd_number());
    r.new_socket = *s;
    r.nonblocking = type & kSockNonblock;
    return r;
  }
  if (n == "bind") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    Endpoint ep = sockaddr_arg(sc, 1, Endpoint{kLocalAddr, kScriptPort});
    auto r = stack_.bind(f->id, ep);
    return r ? ok(0) : err(r.error());
  }
  if (n == "listen") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    auto r = stack_.listen(f->id, static_cast<int>(int_arg(sc, 1)));
    if (!r) return err(r.error());
    f->listener = true;
    if (under_test_fd_ == static_cast<int>(int_arg(sc, 0)) && !current_)
      under_test_listening_ = true;
    return ok(0);
  }
  if (n == "accept" || n == "accept4") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    Endpoint peer;
    auto r = stack_.accept(clock_, f->id, &peer);
    if (!r && r.error() == EAGAIN && blocking_fd(*f)) return std::nullopt;
    if (!r) return err(r.error());
    CallResult res = ok(new_fd_number());
    res.new_socket = *r;
    if (n == "accept4" && sc.args.size() >= 4) res.nonblocking = int_arg(sc, 3) & kSockNonblock;
    check_accepted(*r, static_cast<int>(res.ret), sc.name_pos);
    return res;
  }
  if (n == "connect") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    Endpoint ep = sockaddr_arg(sc, 1, Endpoint{kRemoteAddr, kScriptPort});
    auto r = stack_.connect(clock_, f->id, ep);
    if (first) {
      st->progress = 1;
      // A connect() that starts an attempt makes its connection the one under test, with
      // fresh ISNs.
      if (!r && r.error() == EINPROGRESS) {
        make_current(f->id, true);
        conns_.at(*current_).fd = static_cast<int>(int_arg(sc, 0));
      }
      drain();
    }
    if (!r && (r.error() == EINPROGRESS || r.error() == EALREADY) && blocking_fd(*f))
      return std::nullopt;
    return r ? ok(0) : err(r.error());
  }
  if (n == "read" || n == "recv" || n == "recvfrom" || n == "readv") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    if (null_buffer(sc) && int_arg(sc, 2) > 0) return err(EFAULT);
    auto [len, flags] = io_size(sc);
    if (flags & ~kRecvFlags)
      throw Skipped{arg(sc, 3).pos, n + "() flags " + flags_text(arg(sc, 3))};
    if (len < 0) return err(EINVAL);
    std::vector<std::byte> buf(static_cast<size_t>(len));
    auto r = stack_.recv(clock_, f->id, buf, flags & kMsgPeek);
    drain();
    if (!r && r.error() == EAGAIN && blocking_fd(*f, flags)) return std::nullopt;
    return r ? ok(static_cast<int64_t>(*r)) : err(r.error());
  }
  if (n == "write" || n == "send" || n == "sendto" || n == "writev") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    if (null_buffer(sc) && int_arg(sc, 2) > 0) return err(EFAULT);
    auto [len, flags] = io_size(sc);
    if (flags & ~kSendFlags)
      throw Skipped{arg(sc, 3).pos, n + "() flags " + flags_text(arg(sc, 3))};
    if (len < 0) return err(EINVAL);
    // A blocked write sleeps until sk_stream_write_space wakes it: the buffer writeable
    // again after an ACK (poll's POLLOUT), or an error or shutdown.
    if (!first &&
        !(stack_.poll(f->id) & (stack::events::OUT | stack::events::ERR | stack::events::HUP)))
      return std::nullopt;
    // progress counts bytes already taken by a blocking write, plus one (0 = first try).
    size_t done = st->progress ? st->progress - 1 : 0;
    std::vector<std::byte> zeros(static_cast<size_t>(len) - done);  // scripts write zeros
    auto r = stack_.send(clock_, f->id, zeros, (flags & kMsgEor) != 0);
    drain();
    if (r) done += *r;
    st->progress = done + 1;
    if (done == static_cast<size_t>(len) && len > 0) return ok(len);
    if (!r) {
      if (r.error() == EAGAIN && blocking_fd(*f, flags)) return std::nullopt;
      return done ? ok(static_cast<int64_t>(done)) : err(r.error());
    }
    if (blocking_fd(*f, flags) && done < static_cast<size_t>(len)) return std::nullopt;
    return ok(static_cast<int64_t>(done));
  }
  if (n == "close") {
    const int fd = static_cast<int>(int_arg(sc, 0));
    if (epoll_fd_ == fd) {
      epoll_fd_.reset();
      for (auto& [k, f] : fds_) (void)stack_.unwatch(f.id);  // the instance's interest list
      return ok(0);
    }
    auto it = fds_.find(fd);
    if (it == fds_.end()) return err(EBADF);
    // SO_LINGER {1, N}: close() blocks until our FIN is acknowledged or N seconds passed,
    // even on an O_NONBLOCK socket (inet_release passes sk_lingertime regardless).
    auto r = stack_.close(clock_, it->second.id, /*linger_wait=*/true);
    drain();
    if (!r && r.error() == EINPROGRESS) {
      if (first) {
        st->progress = 1;
        st->wake = clock_ + std::chrono::seconds(it->second.linger_secs);
      }
      return std::nullopt;
    }
    fds_.erase(it);
    for (auto& [key, c] : conns_) {
      if (c.fd == fd) c.fd_closed = true;
    }
    drain();
    return r ? ok(0) : err(r.error());
  }
  if (n == "shutdown") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    auto r = stack_.shutdown(clock_, f->id, static_cast<int>(int_arg(sc, 1)));
    drain();
    return r ? ok(0) : err(r.error());
  }
  if (n == "setsockopt") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    int level = static_cast<int>(int_arg(sc, 1)), name = static_cast<int>(int_arg(sc, 2));
    const Expr& v = arg(sc, 3);
    stack::Result<void> r;
    if (level == kSolSocket && name == kSoLinger) {
      if (v.kind != Expr::Kind::Struct) throw Failure{v.pos, "SO_LINGER takes {onoff=N, linger=N}"};
      int64_t onoff = 0, secs_v = 0;
      for (size_t k = 0; k < v.fields.size(); ++k) {
        if (v.fields[k] == "onoff" || v.fields[k] == "l_onoff")
          onoff = v.items[k].value;
        else if (v.fields[k] == "linger" || v.fields[k] == "l_linger")
          secs_v = v.items[k].value;
        else
          throw Failure{v.pos, "unknown linger field '" + v.fields[k] + "'"};
      }
      r = stack_.set_linger(clock_, f->id, onoff != 0, static_cast<int>(secs_v));
      if (r) f->linger_secs = onoff ? static_cast<int>(std::clamp<int64_t>(secs_v, 0, 65535)) : 0;
    } else {
      if (v.kind == Expr::Kind::String)
        throw Skipped{v.pos, "setsockopt " + arg(sc, 2).text + " \"" + v.text + "\""};
      auto value = int_in(v);
      if (!value) throw Failure{v.pos, "the option value must be [N] or N"};
      r = stack_.setsockopt(clock_, f->id, level, name, static_cast<int>(*value));
    }
    drain();
    if (!r && r.error() == ENOPROTOOPT && linux_option(level, name))
      throw Skipped{arg(sc, 2).pos, "setsockopt " + (arg(sc, 2).text.empty() ? std::to_string(name)
                                                                             : arg(sc, 2).text)};
    return r ? ok(0) : err(r.error());
  }
  if (n == "getsockopt") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    int level = static_cast<int>(int_arg(sc, 1)), name = static_cast<int>(int_arg(sc, 2));
    const Expr& v = arg(sc, 3);
    if ((level == kIpprotoTcp && name == kTcpInfo) || (level == kSolSocket && name == kSoLinger)) {
      if (v.kind != Expr::Kind::Ellipsis)
        throw Skipped{v.pos, "getsockopt " + arg(sc, 2).text +
                                 " with fields to check (use %{ assert tcpi_... }%)"};
      return ok(0);
    }
    auto r = stack_.getsockopt(f->id, level, name);
    if (!r && r.error() == ENOPROTOOPT && linux_option(level, name))
      throw Skipped{arg(sc, 2).pos, "getsockopt " + arg(sc, 2).text};
    if (!r) return err(r.error());
    CallResult res = ok(0);
    if (auto want = int_in(v); want && *want != *r) {
      res.mismatch = arg(sc, 2).text + " is " + std::to_string(*r) + ", the script expects " +
                     std::to_string(*want);
    }
    return res;
  }
  if (n == "fcntl") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    int64_t cmd = int_arg(sc, 1);
    if (cmd == 3) return ok(kORdwr | (f->nonblocking ? kONonblock : 0));  // F_GETFL
    if (cmd == 4) {                                                       // F_SETFL
      f->nonblocking = int_arg(sc, 2) & kONonblock;
      return ok(0);
    }
    throw Skipped{arg(sc, 1).pos, "fcntl command " + arg(sc, 1).text};
  }
  if (n == "ioctl") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    int64_t req = int_arg(sc, 1);
    if (req != 0x541B && req != 0x5411) throw Skipped{arg(sc, 1).pos, "ioctl " + arg(sc, 1).text};
    if (f->listener) return err(EINVAL);
    int64_t have = 0;
    if (req == 0x541B) {
      have = static_cast<int64_t>(stack_.readable(f->id));
    } else if (const tcp::Connection* c = stack_.connection(f->id)) {
      have = static_cast<int64_t>(c->send_queued());
    }
    CallResult res = ok(0);
    if (auto want = int_in(arg(sc, 2)); want && *want != have)
      res.mismatch = arg(sc, 1).text + " is " + std::to_string(have) + ", the script expects " +
                     std::to_string(*want);
    return res;
  }
  if (n == "poll") {
    const Expr& list = arg(sc, 0);
    if (list.kind != Expr::Kind::List)
      throw Failure{list.pos, "poll() takes [{fd=N, events=..., revents=...}, ...]"};
    int64_t timeout_ms = int_arg(sc, 2);
    if (first) {
      st->progress = 1;
      if (timeout_ms > 0) st->wake = st->start + std::chrono::milliseconds(timeout_ms);
    }
    int64_t ready = 0;
    std::string mismatch;
    for (const Expr& item : list.items) {
      int64_t fd = -1, events = 0, want_revents = -1;
      for (size_t k = 0; k < item.fields.size(); ++k) {
        if (item.fields[k] == "fd")
          fd = item.items[k].value;
        else if (item.fields[k] == "events")
          events = item.items[k].value;
        else if (item.fields[k] == "revents")
          want_revents = item.items[k].value;
      }
      auto it = fds_.find(static_cast<int>(fd));
      int64_t revents = it == fds_.end() ? 0x20 /* POLLNVAL */
                                         : stack_.poll(it->second.id) & (events | 0x8 | 0x10);
      if (revents) ++ready;
      if (want_revents >= 0 && revents != want_revents && mismatch.empty())
        mismatch = "fd " + std::to_string(fd) + " revents " + poll_text(revents) +
                   ", the script expects " + poll_text(want_revents);
    }
    bool timed_out = timeout_ms == 0 || (timeout_ms > 0 && clock_ >= st->wake);
    if (ready == 0 && !timed_out) return std::nullopt;
    CallResult res = ok(ready);
    res.mismatch = mismatch;
    return res;
  }
  if (n == "getsockname" || n == "getpeername") {
    ScriptFd* f = fd_arg(sc, 0);
    if (!f) return err(EBADF);
    auto r = n == "getsockname" ? stack_.getsockname(f->id) : stack_.getpeername(f->id);
    return r ? ok(0) : err(r.error());
  }
  throw Skipped{sc.name_pos, "system call " + n + "()"};
}

}  // namespace ustcp::drill
