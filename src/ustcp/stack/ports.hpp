// Who holds which local port (Linux's bind buckets, simplified to counts per port): bound
// and listening sockets, connections and TIME_WAIT records. Decides bind() conflicts with
// SO_REUSEADDR as inet_csk_bind_conflict does, and finds ephemeral ports for connect().
#pragma once

#include <cstddef>
#include <cstdint>

#include "ustcp/base/flat_hash_map.hpp"

namespace ustcp::stack {

class PortTable {
 public:
  struct Use {
    uint32_t holders = 0;    // everything using the port as its local port
    uint32_t no_reuse = 0;   // of which without SO_REUSEADDR
    uint32_t listeners = 0;  // of which listening
    uint32_t bound = 0;      // of which bound explicitly by bind() (not usable for connect)
  };

  // bind(): a port held by a listener, or by anyone when either side lacks SO_REUSEADDR,
  // is in use (EADDRINUSE).
  bool bind_conflict(uint16_t port, bool reuse) const;
  void add(uint16_t port, bool reuse, bool listening, bool bound);
  void remove(uint16_t port, bool reuse, bool listening, bool bound);
  // A port connect() may pick as ephemeral: nobody bound it explicitly.
  bool ephemeral_ok(uint16_t port) const;
  const Use* find(uint16_t port) const;

 private:
  // Ports are ours to choose, so the port itself is a fine hash (Linux's inet_bhashfn is
  // the port plus a per-namespace constant, masked).
  struct PortHash {
    size_t operator()(uint16_t port) const { return port; }
  };
  // A flat table: a held port costs no node allocation (a TIME_WAIT record holds one).
  FlatHashMap<uint16_t, Use, PortHash> ports_;
};

}  // namespace ustcp::stack
