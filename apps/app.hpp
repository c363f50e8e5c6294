// An application on the socket API (api::Sockets), driven sans-IO like the stack under it:
// a Host (apps/host.hpp) calls step() when packets arrived or a deadline came, so the
// same app runs on the simulated network in virtual time and on a TUN device in real time.
// An app never blocks and never reads a clock: `now` is a parameter.
#pragma once

#include <optional>

#include "ustcp/base/time.hpp"

namespace ustcp::apps {

class App {
 public:
  virtual ~App() = default;
  // Does all the work possible now (accept, read, write, close) and returns when it must
  // run next even if no packet arrives (a keep-alive timeout...), or nullopt.
  virtual std::optional<TimePoint> step(TimePoint now) = 0;
  // Stops: closes the listener and every connection with a FIN (close(), not abort).
  virtual void shutdown(TimePoint now) = 0;
  // Nothing is left open by this app (descriptors closed; the stack may still be
  // finishing orphaned connections, as the kernel does after close()).
  virtual bool finished() const = 0;
};

}  // namespace ustcp::apps
