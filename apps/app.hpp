// An application on the socket API (api::Sockets), driven sans-IO like the stack under it:
// a Host (apps/host.hpp) calls step() when packets arrived or a deadline came, so the
// same app runs on the simulated network in virtual time and on a TUN device in real time.
// An app never blocks and never reads a clock: `now` is a parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ustcp/base/time.hpp"

namespace ustcp::apps {

class App {
 public:
  virtual ~App() = default;
  // Does all the work possible now (accept, read, write, close) and returns when it must
  // run next even if no packet arrives (a keep-alive timeout...), or nullopt. An app that
  // uses readiness (below) works on the sockets reported ready since its last step, and on
  // what is due; others redo everything.
  virtual std::optional<TimePoint> step(TimePoint now) = 0;
  // Readiness: an app that watches its descriptors with watch_token() as the data
  // (api::Sockets::watch) is told which are ready before its step, and is stepped only
  // when one is, when its deadline comes, or on Host::wake(): with 100,000 idle
  // connections an event costs the active ones only. Apps that return false are stepped
  // on every event, as before readiness.
  virtual bool uses_readiness() const { return false; }
  virtual void ready(int /*fd*/, int /*events*/) {}
  uint64_t watch_token() const { return reinterpret_cast<uintptr_t>(this); }
  // Stops: closes the listener and every connection with a FIN (close(), not abort).
  virtual void shutdown(TimePoint now) = 0;
  // Nothing is left open by this app (descriptors closed; the stack may still be
  // finishing orphaned connections, as the kernel does after close()).
  virtual bool finished() const = 0;
};

// A server's step over the descriptors it was told are ready (App::ready): `pending` is
// taken; the listener's turn is on_listener(ready), which may append the descriptors it
// accepts so that they are served in the same step; every other one is on_conn(fd).
template <typename OnListener, typename OnConn>
void for_each_ready(std::vector<int>& pending, int listener, OnListener&& on_listener,
                    OnConn&& on_conn) {
  std::vector<int> ready;
  ready.swap(pending);
  for (size_t i = 0; i < ready.size(); ++i) {  // by index: on_listener appends
    const int fd = ready[i];
    if (fd == listener) {
      on_listener(ready);
    } else if (fd >= 0) {
      on_conn(fd);
    }
  }
}

}  // namespace ustcp::apps
