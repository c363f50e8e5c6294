// Adapts a Stack to the driver's Node interface (link/ sits beside stack/, not below it).
#pragma once

#include "ustcp/link/node.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::link {

class StackNode final : public Node {
 public:
  explicit StackNode(stack::Stack& s) : s_(s) {}
  void receive(TimePoint now, Bytes d) override { s_.receive(now, d); }
  std::optional<Bytes> poll_transmit(TimePoint now) override { return s_.poll_transmit(now); }
  std::optional<TimePoint> next_deadline() const override { return s_.next_deadline(); }
  void on_timer(TimePoint now) override { s_.on_timer(now); }
  stack::Stack& stack() { return s_; }

 private:
  stack::Stack& s_;
};

}  // namespace ustcp::link
