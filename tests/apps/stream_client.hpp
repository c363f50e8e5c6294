// A test client on the socket API: connects, sends `data`, optionally shuts down its
// writing side once everything is sent, and collects everything it receives until EOF (or
// an error); it is done when it has both sent everything and read EOF. Used as an echo
// client and as a raw HTTP client.
#pragma once

#include <cerrno>
#include <string>

#include "apps/app.hpp"
#include "apps/socket_io.hpp"
#include "ustcp/api/sockets.hpp"

namespace ustcp::apps::testing {

class StreamClient final : public App {
 public:
  StreamClient(api::Sockets& net, Endpoint server, std::string data, bool half_close = true)
      : net_(net), server_(server), data_(std::move(data)), half_close_(half_close) {}

  // Stops reading while false (the peer's flow control must push back); the test calls
  // Host::wake() after changing it.
  bool reading = true;

  std::optional<TimePoint> step(TimePoint now) override {
    if (done()) return std::nullopt;
    if (fd_ < 0) {
      fd_ = net_.socket();
      if (int r = net_.connect(now, fd_, server_); r != -EINPROGRESS) return finish(now, r);
    }
    if (!connected_) {
      int r = net_.connect(now, fd_, server_);
      if (r == -EALREADY) return std::nullopt;
      if (r != 0 && r != -EISCONN) return finish(now, r);
      connected_ = true;
    }
    for (bool progress = true; progress;) {
      progress = false;
      // Sending goes on after the server's FIN, as a client sending a request body would.
      while (sent_ < data_.size()) {
        int64_t n = net_.send(now, fd_, as_bytes(std::string_view(data_).substr(sent_)));
        if (n == -EAGAIN) break;
        if (n < 0) return finish(now, static_cast<int>(n));
        sent_ += static_cast<size_t>(n);
        progress = true;
      }
      if (sent_ == data_.size() && half_close_ && !shut_) {
        net_.shutdown(now, fd_, kShutWr);
        shut_ = true;
      }
      while (reading && !eof) {
        int64_t n = recv_append(net_, now, fd_, received, 65536);
        if (n == -EAGAIN) break;
        if (n < 0) return finish(now, static_cast<int>(n));
        eof = n == 0;
        progress = true;
      }
      if (eof && sent_ == data_.size()) return finish(now, 0);
    }
    return std::nullopt;
  }
  void shutdown(TimePoint now) override { finish(now, 0); }
  bool finished() const override { return fd_ < 0; }

  bool done() const { return finished_; }
  size_t sent() const { return sent_; }
  int fd() const { return fd_; }

  std::string received;
  bool eof = false;
  int error = 0;  // errno, if the connection failed

 private:
  std::optional<TimePoint> finish(TimePoint now, int r) {
    if (r < 0) error = -r;
    if (fd_ >= 0) net_.close(now, fd_);
    fd_ = -1;
    finished_ = true;
    return std::nullopt;
  }

  api::Sockets& net_;
  Endpoint server_;
  std::string data_;
  bool half_close_;
  int fd_ = -1;
  bool connected_ = false;
  bool shut_ = false;
  bool finished_ = false;
  size_t sent_ = 0;
};

}  // namespace ustcp::apps::testing
