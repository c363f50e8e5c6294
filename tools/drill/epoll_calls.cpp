// epoll_create/epoll_ctl/epoll_wait on the Stack's ready list
// (stack/readiness.hpp), which carries out epoll's level-triggered, edge-triggered (EPOLLET)
// and one-shot rules. The Stack keeps one ready list, so a script may have one epoll
// instance open at a time (a second skips the script). As in packetdrill, an epoll_event's
// data word (fd=, ptr=, u32=, u64=) is handed back unchanged, and epoll_wait's events are
// compared with the script's list.
#include <string>
#include <vector>

#include "drill/session.hpp"

namespace ustcp::drill {

namespace {

constexpr int64_t kEpollCtlAdd = 1;
constexpr int64_t kEpollCtlDel = 2;
constexpr int64_t kEpollCtlMod = 3;
constexpr int64_t kEpollIn = 0x001, kEpollOut = 0x004, kEpollErr = 0x008, kEpollHup = 0x010;
constexpr int64_t kEpollRdhup = 0x2000, kEpollOneshot = 1 << 30, kEpollEt = int64_t{1} << 31;
// What the ready list implements; EPOLLPRI, EPOLLEXCLUSIVE, EPOLLWAKEUP... skip the script.
constexpr int64_t kEpollKnown =
    kEpollIn | kEpollOut | kEpollErr | kEpollHup | kEpollRdhup | kEpollOneshot | kEpollEt;

CallResult epoll_ok(int64_t v) { return CallResult{v, 0}; }
CallResult epoll_err(int e) { return CallResult{-1, e}; }

struct EpollEvent {
  int64_t events = 0;
  int64_t data = 0;
};

// {events=EPOLLIN|EPOLLET, fd=4}: the events and the data word.
EpollEvent event_arg(const Expr& e) {
  if (e.kind != Expr::Kind::Struct)
    throw Failure{e.pos, "an epoll_event is written {events=..., fd=N} (or ptr=, u32=, u64=)"};
  EpollEvent ev;
  for (size_t k = 0; k < e.fields.size(); ++k) {
    const std::string& f = e.fields[k];
    if (f == "events")
      ev.events = e.items[k].value;
    else if (f == "fd" || f == "ptr" || f == "u32" || f == "u64" || f == "data")
      ev.data = e.items[k].value;
    else
      throw Failure{e.items[k].pos, "unknown epoll_event field '" + f + "'"};
  }
  return ev;
}

std::string events_text(int64_t ev) {
  static constexpr std::pair<int64_t, std::string_view> kNames[] = {
      {kEpollIn, "EPOLLIN"},   {kEpollOut, "EPOLLOUT"},     {kEpollErr, "EPOLLERR"},
      {kEpollHup, "EPOLLHUP"}, {kEpollRdhup, "EPOLLRDHUP"}, {kEpollOneshot, "EPOLLONESHOT"},
      {kEpollEt, "EPOLLET"}};
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if (!(ev & bit)) continue;
    s += (s.empty() ? "" : "|") + std::string(name);
    ev &= ~bit;
  }
  if (ev || s.empty()) s += (s.empty() ? "" : "|") + std::to_string(ev);
  return s;
}

}  // namespace

std::optional<CallResult> Session::epoll_call(const Syscall& sc, Blocking* st) {
  const std::string& n = sc.name;
  if (n == "epoll_create") {
    if (int_arg(sc, 0) <= 0) return epoll_err(EINVAL);
    if (epoll_fd_)
      throw Skipped{sc.name_pos, "a second epoll instance (ustcp's Stack has one ready list)"};
    // The script's number names the new fd, as for socket() (packetdrill maps fds).
    int fd = sc.result >= 0 ? static_cast<int>(sc.result) : 3;
    while (sc.result < 0 && fds_.count(fd)) ++fd;
    epoll_fd_ = fd;
    return epoll_ok(fd);
  }
  // Linux: an fd that is not open is EBADF, one that is not an epoll instance EINVAL.
  const int64_t epfd = int_arg(sc, 0);
  if (epoll_fd_ != epfd) return epoll_err(fds_.count(static_cast<int>(epfd)) ? EINVAL : EBADF);

  if (n == "epoll_ctl") {
    const int64_t op = int_arg(sc, 1);
    const int64_t fd = int_arg(sc, 2);
    if (fd == epfd) return epoll_err(EINVAL);
    ScriptFd* f = fd_arg(sc, 2);
    if (!f) return epoll_err(EBADF);
    if (op == kEpollCtlDel) {
      if (!f->epoll_watched) return epoll_err(ENOENT);
      (void)stack_.unwatch(f->id);
      f->epoll_watched = false;
      return epoll_ok(0);
    }
    if (op != kEpollCtlAdd && op != kEpollCtlMod) return epoll_err(EINVAL);
    if (op == kEpollCtlAdd && f->epoll_watched) return epoll_err(EEXIST);
    if (op == kEpollCtlMod && !f->epoll_watched) return epoll_err(ENOENT);
    const EpollEvent ev = event_arg(arg(sc, 3));
    if (ev.events & ~kEpollKnown)
      throw Skipped{arg(sc, 3).pos, "epoll events " + events_text(ev.events & ~kEpollKnown)};
    auto r = stack_.watch(f->id, static_cast<int>(ev.events), static_cast<uint64_t>(ev.data));
    if (!r) return epoll_err(r.error());
    f->epoll_watched = true;
    return epoll_ok(0);
  }

  if (n == "epoll_wait") {
    const int64_t maxevents = int_arg(sc, 2);
    const int64_t timeout_ms = int_arg(sc, 3);
    if (maxevents <= 0) return epoll_err(EINVAL);
    if (st->progress == 0) {
      st->progress = 1;
      if (timeout_ms > 0) st->wake = st->start + std::chrono::milliseconds(timeout_ms);
    }
    std::vector<stack::Ready> ready(static_cast<size_t>(maxevents));
    const size_t got = stack_.take_ready(ready);
    const bool timed_out = timeout_ms == 0 || (timeout_ms > 0 && clock_ >= st->wake);
    if (got == 0 && !timed_out) return std::nullopt;
    CallResult res = epoll_ok(static_cast<int64_t>(got));
    // The script's expected events: one {events=..., fd=N} or a list of them.
    const Expr& out = arg(sc, 1);
    std::vector<EpollEvent> want;
    if (out.kind == Expr::Kind::List) {
      for (const Expr& e : out.items) want.push_back(event_arg(e));
    } else if (out.kind != Expr::Kind::Ellipsis) {
      want.push_back(event_arg(out));
    }
    for (size_t i = 0; i < got && i < want.size() && res.mismatch.empty(); ++i) {
      const auto data = static_cast<int64_t>(ready[i].data);
      if (ready[i].events != want[i].events || data != want[i].data)
        res.mismatch = "event " + std::to_string(i) +
                       " is {events=" + events_text(ready[i].events) + ", data " +
                       std::to_string(data) +
                       "}, the script expects {events=" + events_text(want[i].events) + ", data " +
                       std::to_string(want[i].data) + "}";
    }
    return res;
  }
  throw Skipped{sc.name_pos, "system call " + n + "()"};
}

}  // namespace ustcp::drill
