// The stage `ustcp lab` plays its incidents on: hosts (Stacks) and other nodes on one
// simulated network in virtual time, an application loop called every tick, and a record
// of what happened for the report and the diagrams: every segment (with drops), every
// state change of every host, the count of sockets in each state over time, notes at the
// moments that matter, and a pcap of every datagram.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ustcp/link/pcap_writer.hpp"
#include "ustcp/link/sim_network.hpp"
#include "ustcp/stack/netstat.hpp"
#include "ustcp/stack/stack.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {

inline constexpr int kStates = 11;  // tcp::State values, Established .. Closing

// A connection regardless of direction: its two endpoints, the smaller first.
using LabConnKey = std::pair<std::pair<uint32_t, uint16_t>, std::pair<uint32_t, uint16_t>>;
inline LabConnKey lab_conn_key(const Endpoint& a, const Endpoint& b) {
  auto x = std::pair{a.addr.raw(), a.port}, y = std::pair{b.addr.raw(), b.port};
  return x < y ? LabConnKey{x, y} : LabConnKey{y, x};
}

// One datagram as the diagrams need it.
struct LabSegment {
  TimePoint t;
  int from = -1;  // lane (host index) of the sender
  int to = -1;    // lane of the receiver; -1: nobody (unroutable)
  Endpoint src, dst;
  uint8_t flags = 0;
  uint32_t seq = 0, ack = 0, len = 0;
  // The SACK blocks the segment carries (RFC 2018), in the order sent: the diagram shows
  // them beside the ACK, as tcpdump does.
  uint8_t sack_count = 0;
  std::array<wire::SackBlock, 4> sack{};
  bool dropped = false;  // lost, queue-dropped or unroutable
  // Delivered, but the receiving Stack discarded it: the counter that says why (a full accept
  // queue: "ListenOverflows"), or nullptr.
  const char* discarded = nullptr;
};

struct LabChange {
  TimePoint t;
  int host = 0;
  tcp::FourTuple tuple;
  tcp::State from, to;
};

// Socket counts per state of one host, from one moment on.
struct LabCounts {
  TimePoint t;
  int host = 0;
  std::array<uint32_t, kStates> n{};
};

struct LabNote {
  TimePoint t;
  std::string text;
};

class LabWorld {
 public:
  explicit LabWorld(uint64_t seed);
  ~LabWorld();

  // A host with a Stack; its sockets are counted and its state changes recorded.
  stack::Stack& add_host(const std::string& name, Ipv4Addr addr, const tcp::Config& cfg,
                         link::LinkParams link);
  // Another node (a flooder, a black hole): its datagrams are recorded on its own lane.
  void add_node(const std::string& name, Ipv4Addr addr, link::Node& node, link::LinkParams link);
  // Records every datagram into a pcap file; returns an error message or "".
  std::string capture(const std::string& path);

  // Runs the network until `until`, calling app(now) every `tick` of virtual time (and once
  // at the start); app returns false to stop early. Returns the time reached.
  TimePoint run(TimePoint until, Duration tick, const std::function<bool(TimePoint)>& app);
  TimePoint now() const { return net_.now(); }
  link::SimNetwork& net() { return net_; }

  // A note at now: printed at once ("  12.345 s  text") and marked on the diagrams.
  void note(const std::string& text);
  // A line for the report only.
  void say(const std::string& text);

  // `ss -tan` (with `args` as ss takes them, e.g. "-tn state time-wait") of a host, at most
  // `rows` rows then "... N more"; printed under "  12.345 s  name$ ss ARGS".
  void show_ss(const std::string& host, const std::string& args, size_t rows = 6);
  // `nstat` of a host: the increments since the last show_nstat of that host, for the
  // counters matching one of `patterns` (globs).
  void show_nstat(const std::string& host, const std::vector<std::string>& patterns);

  // What was recorded.
  const std::vector<std::string>& lanes() const { return lane_names_; }
  const std::vector<Ipv4Addr>& lane_addrs() const { return lane_addrs_; }
  const std::vector<LabSegment>& segments() const { return segments_; }
  const std::vector<LabChange>& changes() const { return changes_; }
  const std::vector<LabCounts>& counts() const { return counts_; }
  const std::vector<LabNote>& notes() const { return notes_; }
  int lane_of(Ipv4Addr a) const;  // -1: none
  stack::Stack& stack(const std::string& host);
  // Sockets of a host in a state right now (from the recorded changes; listeners too).
  uint32_t count(const std::string& host, tcp::State st) const;
  // The highest count of a state a host reached.
  uint32_t peak(const std::string& host, tcp::State st) const;

 private:
  class Ticker;
  class Receiver;
  struct Host {
    std::string name;
    int lane;
    std::unique_ptr<stack::Stack> stack;
    std::unique_ptr<Receiver> node;  // the Stack on the network, watched for discards
    std::unordered_map<tcp::FourTuple, tcp::State, tcp::FourTupleHash> state;  // live sockets
    std::array<uint32_t, kStates> n{};
    std::array<uint32_t, kStates> peak{};
    std::vector<stack::NstatRow> nstat_history;
  };
  std::string clock() const;  // now, as "  12.345 s"
  Host& find(const std::string& name);
  const Host& find(const std::string& name) const;
  void drain_logs();
  void on_send(TimePoint t, Ipv4Addr from, Bytes datagram);
  // The receiver of `datagram` discarded it, counting it in `counter`: marks its segment.
  void on_discard(Bytes datagram, const char* counter);

  link::SimNetwork net_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::string> lane_names_;
  std::vector<Ipv4Addr> lane_addrs_;
  std::unique_ptr<Ticker> ticker_;
  std::unique_ptr<link::PcapWriter> pcap_;
  std::vector<LabSegment> segments_;
  std::vector<LabChange> changes_;
  std::vector<LabCounts> counts_;
  std::vector<LabNote> notes_;
};

}  // namespace ustcp::cli
