// Two Stacks wired back to back with no link in between: datagrams move instantly and
// without loss. For tests of the socket layer where the network is beside the point.
#pragma once

#include <algorithm>
#include <vector>

#include "ustcp/stack/stack.hpp"

namespace ustcp::testing {

// Moves every datagram between the two stacks until both are quiet.
inline void pump(stack::Stack& a, stack::Stack& b, TimePoint now) {
  for (bool moved = true; moved;) {
    moved = false;
    for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      while (auto p = from->poll_transmit(now)) {
        std::vector<std::byte> copy(p->begin(), p->end());
        to->receive(now, copy);
        moved = true;
      }
    }
  }
}

// Runs both stacks' timers in order up to `until`, pumping after each step.
inline TimePoint run(stack::Stack& a, stack::Stack& b, TimePoint now, TimePoint until) {
  for (;;) {
    pump(a, b, now);
    TimePoint next = until;
    for (auto* s : {&a, &b}) {
      if (auto d = s->next_deadline()) next = std::min(next, std::max(*d, now));
    }
    now = next;
    a.on_timer(now);
    b.on_timer(now);
    if (now >= until) {
      pump(a, b, now);
      return now;
    }
  }
}

}  // namespace ustcp::testing
