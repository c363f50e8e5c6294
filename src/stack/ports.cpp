#include "stack/ports.hpp"

namespace ustcp::stack {

bool PortTable::bind_conflict(uint16_t port, bool reuse) const {
  auto it = ports_.find(port);
  if (it == ports_.end() || it->second.holders == 0) return false;
  const Use& u = it->second;
  if (u.listeners > 0) return true;
  return !reuse || u.no_reuse > 0;
}

void PortTable::add(uint16_t port, bool reuse, bool listening, bool bound) {
  Use& u = ports_[port];
  ++u.holders;
  if (!reuse) ++u.no_reuse;
  if (listening) ++u.listeners;
  if (bound) ++u.bound;
}

void PortTable::remove(uint16_t port, bool reuse, bool listening, bool bound) {
  auto it = ports_.find(port);
  if (it == ports_.end()) return;
  Use& u = it->second;
  --u.holders;
  if (!reuse) --u.no_reuse;
  if (listening) --u.listeners;
  if (bound) --u.bound;
  if (u.holders == 0) ports_.erase(it);
}

bool PortTable::ephemeral_ok(uint16_t port) const {
  auto it = ports_.find(port);
  return it == ports_.end() || it->second.bound == 0;
}

const PortTable::Use* PortTable::find(uint16_t port) const {
  auto it = ports_.find(port);
  return it == ports_.end() ? nullptr : &it->second;
}

}  // namespace ustcp::stack
