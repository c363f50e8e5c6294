// Human-readable views of what hosts do: one line per segment (time, direction, flags,
// relative seq/ack as tcpdump shows them, window, length, options with the SACK blocks
// relative as the ack), the state changes of
// every connection, and a socket table in the format of `ss -tan`.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ustcp/stack/stack.hpp"

namespace ustcp::cli {

class Tracer {
 public:
  struct Host {
    std::string name;
    stack::Stack* stack;
  };
  // Turns on the hosts' state logs. Times print as seconds since `origin`.
  explicit Tracer(std::vector<Host> hosts, std::FILE* out = stdout, TimePoint origin = {});

  void set_out(std::FILE* out) { out_ = out; }
  // One line for a datagram sent by `from` at `t`.
  void segment(TimePoint t, Ipv4Addr from, Bytes datagram);
  // Prints the state changes the hosts logged since the last call.
  void states();

 private:
  std::string host_name(Ipv4Addr a) const;
  std::vector<Host> hosts_;
  std::FILE* out_;
  TimePoint origin_;
  // First sequence number seen per direction (tcpdump's relative numbers).
  std::map<std::pair<uint64_t, uint64_t>, uint32_t> isn_;
};

// `ss -tan` of one stack, and the same under a title line.
std::string ss_tan_text(const stack::Stack& s, TimePoint now);
void print_socket_table(std::FILE* out, const std::string& title, const stack::Stack& s,
                        TimePoint now);

}  // namespace ustcp::cli
