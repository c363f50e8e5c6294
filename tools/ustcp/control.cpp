#include "control.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ustcp::cli {
namespace {

constexpr size_t kMaxRequest = 4096;

std::string errno_text() { return std::strerror(errno); }

bool make_address(const std::string& path, sockaddr_un& sun) {
  if (path.empty() || path.size() >= sizeof sun.sun_path) return false;
  sun = sockaddr_un{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.data(), path.size());
  return true;
}

std::string too_long(const std::string& path) {
  return "control socket path '" + path + "' is empty or longer than " +
         std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
}

}  // namespace

std::string default_control_path(const std::string& tun) { return "/run/ustcp/" + tun + ".sock"; }

Expected<ControlServer, std::string> ControlServer::listen(const std::string& path) {
  sockaddr_un sun;
  if (!make_address(path, sun)) return unexpected(too_long(path));
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return unexpected("creating " + dir.string() + ": " + ec.message());
  }
  // A socket file with no one behind it is left over from a daemon that died: reuse it.
  if (std::filesystem::exists(path, ec)) {
    if (control_request(path, "ping")) {
      return unexpected("control socket " + path +
                        ": another ustcp daemon is running there (stop it, or pass --control)");
    }
    if (!std::filesystem::is_socket(path, ec)) {
      return unexpected("control socket " + path + ": exists and is not a socket");
    }
    ::unlink(path.c_str());
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected("socket(AF_UNIX): " + errno_text());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0 || ::listen(fd, 16) < 0) {
    std::string e = "control socket " + path + ": " + errno_text();
    ::close(fd);
    return unexpected(e);
  }
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (ep < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
    std::string e = "epoll: " + errno_text();
    ::close(fd);
    if (ep >= 0) ::close(ep);
    ::unlink(path.c_str());
    return unexpected(e);
  }
  return ControlServer(path, fd, ep);
}

ControlServer::ControlServer(ControlServer&& o) noexcept
    : path_(std::move(o.path_)),
      listen_(std::exchange(o.listen_, -1)),
      epoll_(std::exchange(o.epoll_, -1)),
      clients_(std::move(o.clients_)) {
  o.clients_.clear();
  o.path_.clear();
}

ControlServer::~ControlServer() {
  for (auto& [fd, c] : clients_) ::close(fd);
  if (epoll_ >= 0) ::close(epoll_);
  if (listen_ >= 0) {
    ::close(listen_);
    ::unlink(path_.c_str());
  }
}

void ControlServer::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a client that gave up before we got to it
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      ::close(fd);
      continue;
    }
    clients_.emplace(fd, Client{});
  }
}

bool ControlServer::progress(int fd, Client& c,
                             const std::function<std::string(const std::string&)>& answer) {
  char buf[1024];
  while (!c.answered) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n < 0) return false;
    if (n > 0) c.in.append(buf, static_cast<size_t>(n));
    const size_t eol = c.in.find('\n');
    if (n == 0 || eol != std::string::npos || c.in.size() > kMaxRequest) {
      if (c.in.size() > kMaxRequest) {
        c.out = "error: request longer than " + std::to_string(kMaxRequest) + " bytes\n";
      } else {
        c.out = answer(c.in.substr(0, eol));
      }
      c.answered = true;
    }
  }
  while (c.sent < c.out.size()) {
    const ssize_t n = ::send(fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n < 0) return false;
    c.sent += static_cast<size_t>(n);
  }
  return false;
}

void ControlServer::drop(int fd) {
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  clients_.erase(fd);
}

void ControlServer::serve(const std::function<std::string(const std::string&)>& answer) {
  epoll_event evs[16];
  int n;
  // A client added to the set with its request already waiting is reported by the next
  // epoll_wait (readiness is checked when it is added), so looping until none is left
  // serves it in this same call.
  while ((n = ::epoll_wait(epoll_, evs, 16, 0)) > 0) {
    for (int i = 0; i < n; ++i) {
      const int fd = evs[i].data.fd;
      if (fd == listen_) {
        accept_all();
        continue;
      }
      auto it = clients_.find(fd);
      if (it != clients_.end() && !progress(fd, it->second, answer)) drop(fd);
    }
  }
}

Expected<std::string, std::string> control_request(const std::string& path,
                                                   const std::string& request) {
  sockaddr_un sun;
  if (!make_address(path, sun)) return unexpected(too_long(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected("socket(AF_UNIX): " + errno_text());
  timeval tv{5, 0};  // a daemon that stopped answering must not hang `ustcp ss`
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0) {
    const int e = errno;
    ::close(fd);
    if (e == ENOENT || e == ECONNREFUSED) {
      return unexpected("no ustcp daemon at " + path +
                        " (start one with `ustcp serve`, or pass --control/--tun)");
    }
    if (e == EACCES || e == EPERM) {
      return unexpected(path + ": " + std::strerror(e) + " (the daemon runs as root; use sudo)");
    }
    return unexpected(path + ": " + std::strerror(e));
  }
  const std::string line = request + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    std::string e = path + ": sending the request: " + errno_text();
    ::close(fd);
    return unexpected(e);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string e = path + ": reading the answer: " + errno_text();
      ::close(fd);
      return unexpected(e);
    }
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace ustcp::cli
