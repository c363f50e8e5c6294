#include "ustcp/link/sim_network.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "ustcp/link/pcap_writer.hpp"

namespace ustcp::link {

namespace {

constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpv4DstOffset = 16;

// Heap order: the earliest (at, order) on top.
bool later(const auto& a, const auto& b) {
  if (a.at != b.at) return a.at > b.at;
  return a.order > b.order;
}

}  // namespace

SimNetwork::SimNetwork(uint64_t seed, TimePoint start) : seed_(seed), now_(start) {}

void SimNetwork::attach(Node& node, Ipv4Addr addr, LinkParams egress) {
  if (index_.contains(addr.raw())) {
    throw std::invalid_argument("SimNetwork::attach: " + addr.to_string() + " already attached");
  }
  index_.emplace(addr.raw(), hosts_.size());
  hosts_.push_back(
      Host{.node = &node, .addr = addr, .egress = LinkModel(egress, link_seed(seed_, addr), now_)});
}

size_t SimNetwork::index_of(Ipv4Addr addr) const {
  auto it = index_.find(addr.raw());
  if (it == index_.end()) {
    throw std::invalid_argument("SimNetwork: " + addr.to_string() + " is not attached");
  }
  return it->second;
}

void SimNetwork::set_egress(Ipv4Addr addr, LinkParams egress) {
  hosts_[index_of(addr)].egress.set_params(egress);
}

const LinkParams& SimNetwork::egress(Ipv4Addr addr) const {
  return hosts_[index_of(addr)].egress.params();
}

void SimNetwork::on_send(SendObserver observer) { send_observers_.push_back(std::move(observer)); }
void SimNetwork::on_deliver(DeliverObserver observer) {
  deliver_observers_.push_back(std::move(observer));
}
void SimNetwork::on_drop(DropObserver observer) { drop_observers_.push_back(std::move(observer)); }

void SimNetwork::capture(PcapWriter& writer, CapturePoint point) {
  if (point == CapturePoint::Send) {
    on_send([&writer](TimePoint t, Ipv4Addr, Bytes datagram) { writer.write(t, datagram); });
  } else {
    on_deliver([&writer](TimePoint t, Ipv4Addr, Bytes datagram) { writer.write(t, datagram); });
  }
}

bool SimNetwork::run_until(TimePoint limit) {
  run_until(nullptr, limit);
  if (limit != kNever) now_ = std::max(now_, limit);
  return true;
}

bool SimNetwork::run_until(const std::function<bool()>& done, TimePoint limit) {
  for (;;) {
    poll_all();
    if (done && done()) return true;
    // done() may have made a node send (test code calling into a stack): those datagrams
    // leave now, before time moves on.
    if (done) poll_all();
    const std::optional<TimePoint> next = next_event();
    if (!next || *next > limit) {
      if (limit != kNever) now_ = std::max(now_, limit);
      return false;
    }
    now_ = std::max(now_, *next);
    if (!in_flight_.empty() && in_flight_.front().at <= now_) {
      deliver_one();
    } else {
      fire_timers();
    }
  }
}

void SimNetwork::poll_all() {
  for (size_t i = 0; i < hosts_.size(); ++i) {
    for (size_t n = 0; n < kMaxPollBurst; ++n) {
      std::optional<Bytes> datagram = hosts_[i].node->poll_transmit(now_);
      if (!datagram) break;
      send(i, *datagram);
    }
  }
}

void SimNetwork::send(size_t from, Bytes datagram) {
  ++stats_.sent;
  for (const auto& observer : send_observers_) observer(now_, hosts_[from].addr, datagram);

  // Routing looks at the datagram as sent: a bit flipped on the way must reach the
  // intended receiver, whose checksums are what we are testing.
  std::optional<size_t> to;
  if (datagram.size() >= kIpv4MinHeader) {
    auto it = index_.find(load_be32(datagram.data() + kIpv4DstOffset));
    if (it != index_.end()) to = it->second;
  }
  if (!to) {
    ++stats_.unroutable;
    drop(datagram, DropReason::Unroutable);
    return;
  }

  const LinkModel::Verdict v = hosts_[from].egress.enter(now_, datagram.size());
  if (v.drop == DropReason::QueueFull) ++stats_.queue_dropped;
  if (v.drop == DropReason::Loss) ++stats_.lost;
  if (v.drop) {
    drop(datagram, *v.drop);
    return;
  }
  if (v.reordered) ++stats_.reordered;
  std::vector<std::byte> data(datagram.begin(), datagram.end());
  std::vector<std::byte> copy;
  if (v.duplicated) copy = data;
  if (v.corrupt_bit) {
    ++stats_.corrupted;
    LinkModel::flip_bit(data, *v.corrupt_bit);
  }
  schedule(v.arrival, *to, std::move(data));
  if (v.duplicated) {
    ++stats_.duplicated;
    schedule(v.arrival, *to, std::move(copy));
  }
}

void SimNetwork::drop(Bytes datagram, DropReason reason) {
  for (const auto& observer : drop_observers_) observer(now_, datagram, reason);
}

void SimNetwork::schedule(TimePoint at, size_t to, std::vector<std::byte> data) {
  in_flight_.push_back(Packet{.at = at, .order = next_order_++, .to = to, .data = std::move(data)});
  std::push_heap(in_flight_.begin(), in_flight_.end(), later<Packet, Packet>);
}

std::optional<TimePoint> SimNetwork::deadline_of(const Host& h) const {
  std::optional<TimePoint> deadline = h.node->next_deadline();
  if (!deadline) return std::nullopt;
  TimePoint t = std::max(*deadline, now_);
  // Spin guard: already fired at this virtual time and still due: one tick later.
  if (t <= now_ && h.timer_fired_at == now_) t = now_ + kSpinTick;
  return t;
}

std::optional<TimePoint> SimNetwork::next_event() const {
  std::optional<TimePoint> next;
  if (!in_flight_.empty()) next = in_flight_.front().at;
  for (const Host& h : hosts_) {
    std::optional<TimePoint> t = deadline_of(h);
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

void SimNetwork::deliver_one() {
  std::pop_heap(in_flight_.begin(), in_flight_.end(), later<Packet, Packet>);
  Packet packet = std::move(in_flight_.back());
  in_flight_.pop_back();
  ++stats_.delivered;
  Host& h = hosts_[packet.to];
  for (const auto& observer : deliver_observers_) observer(now_, h.addr, packet.data);
  h.node->receive(now_, packet.data);
}

void SimNetwork::fire_timers() {
  for (Host& h : hosts_) {
    std::optional<TimePoint> t = deadline_of(h);
    if (!t || *t > now_) continue;
    h.timer_fired_at = now_;
    h.node->on_timer(now_);
  }
}

}  // namespace ustcp::link
