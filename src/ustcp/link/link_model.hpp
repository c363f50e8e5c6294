// One direction of an impaired link, as a model: what becomes of a datagram that enters it
// at `now` (dropped, or delivered at what time, reordered, corrupted, duplicated). It
// holds the link's serialization backlog and its random stream, and nothing else: no
// datagrams, no clock. SimNetwork applies it to each host's egress link in virtual time;
// `ustcp relay` applies it to each direction between two TUN devices in real time, so a
// kernel TCP and ustcp see the same impairments from the same seed.
//
// A datagram entering the link goes, in this order:
//   1. serialization at bandwidth_bps, FIFO behind the link's earlier datagrams
//      (ceil(bits * 1e9 / bps) ns each); with queue_limit_bytes, drop-tail when the bytes
//      not yet serialized plus this datagram would exceed the limit: DropReason::QueueFull
//      (no random draw is taken);
//   2. propagation delay;
//   3. impairments, decided when the datagram enters the link (a lost datagram still used
//      the link's bandwidth): loss (DropReason::Loss); reorder (reorder_delay extra, so
//      later datagrams overtake it); corrupt (one uniformly chosen bit flipped); duplicate
//      (an uncorrupted second copy delivered right after the original).
//
// Randomness: every datagram that is not dropped for a full queue takes exactly four draws
// (loss, reorder, corrupt, duplicate) whatever is enabled, plus one for the bit to flip
// when corrupted and not lost. So the same seed gives the same fate to the n-th datagram,
// and enabling one impairment does not change which datagrams another one hits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <utility>

#include "ustcp/base/ipv4_addr.hpp"
#include "ustcp/base/time.hpp"
#include "ustcp/link/rng.hpp"

namespace ustcp::link {

struct LinkParams {
  Duration delay{0};           // propagation delay; negative is taken as 0
  uint64_t bandwidth_bps = 0;  // 0: unlimited (no serialization time, no queue)
  double loss = 0;             // probabilities per datagram, in [0, 1]
  double reorder = 0;
  double duplicate = 0;
  double corrupt = 0;
  // Extra delay given to a reordered datagram; unset: 2 * delay + 1 ms.
  std::optional<Duration> reorder_delay{};
  // 0: unlimited; otherwise drop-tail once the serialization queue would exceed it. Only
  // meaningful with a bandwidth (without one the queue is always empty).
  size_t queue_limit_bytes = 0;
};

enum class DropReason { Loss, QueueFull, Unroutable };
const char* to_string(DropReason reason);

// The seed of the link a host at `addr` sends on, in a network seeded with `seed`: each
// link has its own stream, so adding a host does not change another link's draws.
constexpr uint64_t link_seed(uint64_t seed, Ipv4Addr addr) {
  return mix64(seed ^ mix64(addr.raw()));
}

class LinkModel {
 public:
  // The fate of one datagram.
  struct Verdict {
    std::optional<DropReason> drop{};       // Loss or QueueFull; then nothing below applies
    TimePoint arrival{};                    // when the (first) copy reaches the far end
    bool reordered = false;                 // arrival includes the reorder delay
    std::optional<uint64_t> corrupt_bit{};  // flip this bit (byte bit / 8, bit % 8)
    bool duplicated = false;                // an uncorrupted copy arrives at `arrival` too
  };

  LinkModel(LinkParams params, uint64_t seed, TimePoint start = {})
      : params_(params), rng_(seed), link_free_(start) {}

  // A datagram of `size` bytes enters the link at `now` (now never goes backwards).
  Verdict enter(TimePoint now, size_t size);

  const LinkParams& params() const { return params_; }
  // Applies to datagrams entering from now on; those already in the link keep their fate.
  void set_params(LinkParams params) { params_ = params; }
  // Applies Verdict::corrupt_bit to the datagram's bytes.
  static void flip_bit(std::span<std::byte> datagram, uint64_t bit) {
    datagram[bit / 8] ^= std::byte(1u << (bit % 8));
  }
  // Bytes entered and not yet serialized at the last enter().
  size_t backlog_bytes() const { return backlog_bytes_; }

 private:
  LinkParams params_;
  Rng rng_;
  TimePoint link_free_;  // when the link finishes serializing what it holds
  std::deque<std::pair<TimePoint, size_t>> backlog_;  // (serialized at, size), FIFO
  size_t backlog_bytes_ = 0;
};

}  // namespace ustcp::link
