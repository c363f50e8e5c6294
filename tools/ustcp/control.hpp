// The control socket of a running `ustcp serve` or `ustcp get`: a Unix stream socket through
// which `ustcp ss` and `ustcp nstat` read the daemon's socket table and counters.
//
// Protocol: the client connects, writes one request line ("ss all", "nstat -a -z Tcp*"),
// shuts down its writing side and reads the answer until EOF. The answer is the text to
// print; an answer starting with "error: " is a refusal to report (exit status 2).
//
// The server never blocks the daemon's event loop: every client socket is non-blocking and
// lives in one epoll set whose descriptor the loop watches (fd()), so one readable
// descriptor stands for the listener and all clients.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "ustcp/base/expected.hpp"

namespace ustcp::cli {

// Where a daemon on TUN device `tun` listens unless told otherwise.
std::string default_control_path(const std::string& tun);

class ControlServer {
 public:
  // Binds and listens at `path`, creating its directory (mode 0755) if missing. A stale
  // socket file (no daemon answers it) is replaced; a live one is an error.
  static Expected<ControlServer, std::string> listen(const std::string& path);
  ControlServer(ControlServer&& o) noexcept;
  ControlServer& operator=(ControlServer&&) = delete;
  ~ControlServer();  // closes everything and removes the socket file

  int fd() const { return epoll_; }
  const std::string& path() const { return path_; }
  // Accepts new clients, reads their requests and writes answer(request) back, as far as
  // that can go without blocking.
  void serve(const std::function<std::string(const std::string& request)>& answer);

 private:
  ControlServer(std::string path, int listen_fd, int epoll_fd)
      : path_(std::move(path)), listen_(listen_fd), epoll_(epoll_fd) {}
  struct Client {
    std::string in;
    std::string out;
    size_t sent = 0;
    bool answered = false;
  };
  void accept_all();
  // False when the client is finished (answered and flushed, or gone).
  bool progress(int fd, Client& c, const std::function<std::string(const std::string&)>& answer);
  void drop(int fd);

  std::string path_;
  int listen_ = -1;
  int epoll_ = -1;
  std::unordered_map<int, Client> clients_;
};

// Client side: sends `request` to the daemon at `path` and returns its answer. Errors (no
// daemon, permission denied) come back as a sentence that names the path.
Expected<std::string, std::string> control_request(const std::string& path,
                                                   const std::string& request);

}  // namespace ustcp::cli
