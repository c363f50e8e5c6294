#include "ustcp/stack/ports.hpp"

namespace ustcp::stack {

bool PortTable::bind_conflict(uint16_t port, bool reuse) const {
  const Use* u = ports_.find(port);
  if (u == nullptr || u->holders == 0) return false;
  if (u->listeners > 0) return true;
  return !reuse || u->no_reuse > 0;
}

void PortTable::add(uint16_t port, bool reuse, bool listening, bool bound) {
  Use& u = ports_[port];
  ++u.holders;
  if (!reuse) ++u.no_reuse;
  if (listening) ++u.listeners;
  if (bound) ++u.bound;
}

void PortTable::remove(uint16_t port, bool reuse, bool listening, bool bound) {
  Use* u = ports_.find(port);
  if (u == nullptr) return;
  --u->holders;
  if (!reuse) --u->no_reuse;
  if (listening) --u->listeners;
  if (bound) --u->bound;
  if (u->holders == 0) ports_.erase(port);
}

bool PortTable::ephemeral_ok(uint16_t port) const {
  const Use* u = ports_.find(port);
  return u == nullptr || u->bound == 0;
}

const PortTable::Use* PortTable::find(uint16_t port) const { return ports_.find(port); }

}  // namespace ustcp::stack
