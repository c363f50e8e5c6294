// What a driver needs from a host: the sans-IO contract of ARCHITECTURE.md. The Stack is
// adapted to it (link/stack_node.hpp); tests use fakes.
#pragma once

#include <optional>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/time.hpp"

namespace ustcp::link {

class Node {
 public:
  virtual ~Node() = default;
  // An IPv4 datagram arrived for this host.
  virtual void receive(TimePoint now, Bytes datagram) = 0;
  // The next IPv4 datagram to send, valid until the next call on this node; nullopt when
  // there is nothing to send.
  virtual std::optional<Bytes> poll_transmit(TimePoint now) = 0;
  // When on_timer() must next be called; nullopt when no timer is armed.
  virtual std::optional<TimePoint> next_deadline() const = 0;
  virtual void on_timer(TimePoint now) = 0;
};

}  // namespace ustcp::link
