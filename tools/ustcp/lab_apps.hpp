// The applications the lab's incidents need, on the Stack's socket calls, each stepped from
// the lab's application loop (LabWorld::run): a server that accepts (as fast as it can or a
// few per step), reads, and closes on EOF (or never: a CLOSE_WAIT leak), and a client that
// opens short connections at a rate.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "lab_world.hpp"

namespace ustcp::cli {

struct LabServer {
  LabServer(stack::Stack& s, Endpoint at, int backlog);
  // Accepts up to accept_per_step waiting connections, reads every connection, answers the
  // first bytes with `reply` (if any), and closes each on EOF unless close_on_eof is off.
  void step(TimePoint now);
  // Closes every connection it holds (the application finally does its job).
  void close_all(TimePoint now);

  stack::Stack& s;
  stack::SocketId listener;
  size_t accept_per_step = SIZE_MAX;
  bool close_on_eof = true;
  std::string reply;
  std::vector<stack::SocketId> conns;
  uint64_t accepted = 0;
  uint64_t eofs = 0;
};

// Opens `per_step` connections each step; closes each as soon as it is established
// (close_first) or keeps it; counts connect() results by errno.
struct LabClient {
  LabClient(stack::Stack& st, Endpoint to) : s(st), server(to) {}
  void step(TimePoint now);

  stack::Stack& s;
  Endpoint server;
  int per_step = 1;
  bool close_first = true;
  std::string request;  // sent once established (before closing, when close_first)
  std::vector<stack::SocketId> connecting, open;
  uint64_t attempts = 0, started = 0, established = 0, refused = 0, reset = 0, timed_out = 0;
  uint64_t addr_not_avail = 0;
  TimePoint first_addr_not_avail = kNever;
};

}  // namespace ustcp::cli
