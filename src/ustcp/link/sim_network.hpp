// A simulated IPv4 network: N Nodes on one virtual segment, in virtual time, reproducible
// from a seed. Each node has an egress link with a bandwidth, a propagation delay and
// impairments (loss, duplication, reordering, corruption); delivery is by destination
// address. Nothing here reads a clock: time advances from event to event.
//
// A datagram a node emits (poll_transmit) is routed on its destination (bytes 16..19,
// big-endian), decided on the bytes as sent; an unknown address (or a datagram shorter than
// an IPv4 header) is dropped: DropReason::Unroutable. Otherwise it enters the sender's
// egress link, a LinkModel (link_model.hpp): serialization at the link's bandwidth behind
// a drop-tail queue, propagation delay, then loss, reordering, corruption (one bit flipped;
// the receiver's checksums must catch it) and duplication, decided when it enters the link
// (so on_drop for a loss is reported at send time).
// Datagrams due at the same virtual time are delivered in the order they were sent.
//
// Randomness: each link has its own Rng seeded with link_seed(seed, address), and every
// datagram that enters a link takes the same draws whatever is enabled (see LinkModel). So
// the same seed gives the same run, and enabling one impairment does not change which
// datagrams another one hits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/link/link_model.hpp"
#include "ustcp/link/node.hpp"

namespace ustcp::link {

class PcapWriter;

class SimNetwork {
 public:
  struct Stats {
    uint64_t sent = 0;           // datagrams the nodes emitted
    uint64_t delivered = 0;      // datagrams handed to a receiver, duplicates included
    uint64_t lost = 0;           // DropReason::Loss
    uint64_t duplicated = 0;     // second copies created
    uint64_t reordered = 0;      // datagrams given the reorder delay
    uint64_t corrupted = 0;      // datagrams with a bit flipped
    uint64_t unroutable = 0;     // DropReason::Unroutable
    uint64_t queue_dropped = 0;  // DropReason::QueueFull
  };

  using SendObserver = std::function<void(TimePoint, Ipv4Addr from, Bytes datagram)>;
  using DeliverObserver = std::function<void(TimePoint, Ipv4Addr to, Bytes datagram)>;
  using DropObserver = std::function<void(TimePoint, Bytes datagram, DropReason)>;

  // Where capture() records a datagram.
  enum class CapturePoint {
    Send,     // once per emitted datagram, when the node emits it, as emitted (lost and
              // unroutable ones included; duplicates and corruption not visible)
    Deliver,  // once per delivered copy, at arrival, as delivered (duplicates and
              // corrupted bytes visible; lost ones absent)
  };

  // A node whose next_deadline() stays <= now after on_timer(now) is not called again at
  // the same virtual time: its deadline is taken as now + kSpinTick (nodes round their
  // timers to 1 ms anyway). This bounds the loop against such a node.
  static constexpr Duration kSpinTick = std::chrono::milliseconds(1);
  // At most this many datagrams are polled from one node per step; the rest are polled
  // at the next step (same virtual time). Bounds the poll loop against a node that never
  // runs dry.
  static constexpr size_t kMaxPollBurst = 1 << 16;

  explicit SimNetwork(uint64_t seed, TimePoint start = {});
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // Adds a host. The network keeps a reference: `node` must outlive the network (or at
  // least its last run). Throws std::invalid_argument if `addr` is already attached.
  void attach(Node& node, Ipv4Addr addr, LinkParams egress = {});
  // Changes the egress link of `addr` for datagrams sent from now on (datagrams already
  // in flight keep their schedule). Throws std::invalid_argument for an unknown address.
  void set_egress(Ipv4Addr addr, LinkParams egress);
  const LinkParams& egress(Ipv4Addr addr) const;

  // Observers, called in the order added; several of each kind may be added. on_send sees
  // every emitted datagram before routing; on_deliver sees each copy just before the
  // receiver's receive(); on_drop sees losses, queue drops and unroutable datagrams.
  // Observers must not call back into the network.
  void on_send(SendObserver observer);
  void on_deliver(DeliverObserver observer);
  void on_drop(DropObserver observer);
  // Records datagrams into `writer` (which must outlive the network's runs) at `point`.
  void capture(PcapWriter& writer, CapturePoint point = CapturePoint::Send);

  // The event loop. Repeatedly: poll every node's transmit queue (in attach order) and
  // send what they emit; if done() holds, return true; find the next event (the earliest
  // delivery or node deadline); if there is none or it lies after `limit`, set now to
  // `limit` (unless limit is kNever) and return false; otherwise advance now to it and
  // handle it: one delivery (receive), or, when no delivery is due, on_timer(now) on every
  // node whose deadline has come (so at equal times datagrams come before timers). done() is thus
  // checked after every single event, so a test can act between events; after test code calls into
  // a node, the next run polls it.
  bool run_until(const std::function<bool()>& done, TimePoint limit);
  // Runs every event up to and including `limit`, then sets now to `limit`. Returns true.
  // With kNever it runs until no event is left (forever if a node keeps a timer armed).
  bool run_until(TimePoint limit);
  void run_for(Duration d) { run_until(now_ + d); }

  TimePoint now() const { return now_; }
  uint64_t seed() const { return seed_; }
  // No datagram in flight (being serialized, propagating or delayed).
  bool idle() const { return in_flight_.empty(); }
  size_t in_flight() const { return in_flight_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Host {
    Node* node;
    Ipv4Addr addr;
    LinkModel egress;
    std::optional<TimePoint> timer_fired_at{};  // spin guard, see kSpinTick
  };
  struct Packet {
    TimePoint at;
    uint64_t order;  // send order: ties at equal times are delivered in it
    size_t to;
    std::vector<std::byte> data;
  };

  size_t index_of(Ipv4Addr addr) const;  // throws std::invalid_argument if unknown
  void poll_all();
  void send(size_t from, Bytes datagram);
  void drop(Bytes datagram, DropReason reason);
  void schedule(TimePoint at, size_t to, std::vector<std::byte> data);
  std::optional<TimePoint> deadline_of(const Host& h) const;
  std::optional<TimePoint> next_event() const;
  void deliver_one();
  void fire_timers();

  uint64_t seed_;
  TimePoint now_;
  std::vector<Host> hosts_;                     // attach order
  std::unordered_map<uint32_t, size_t> index_;  // address -> hosts_ index
  std::vector<Packet> in_flight_;               // a min-heap on (at, order)
  uint64_t next_order_ = 0;
  Stats stats_;
  std::vector<SendObserver> send_observers_;
  std::vector<DeliverObserver> deliver_observers_;
  std::vector<DropObserver> drop_observers_;
};

}  // namespace ustcp::link
