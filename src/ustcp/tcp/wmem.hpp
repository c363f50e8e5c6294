// The send buffer as Linux accounts it. Linux does not count payload against SO_SNDBUF:
// every skb of the write and retransmission queues charges sk_wmem_queued with its
// truesize, the payload plus what the skb itself costs (struct sk_buff, skb_shared_info,
// the head that holds the headers). tcp_sendmsg_locked starts a new skb only while
// sk_wmem_queued < sk_sndbuf (sk_stream_memory_free) and then fills it up to size_goal, so
// a write may end past the limit; the queue is writeable again (poll's EPOLLOUT, the wakeup
// of a blocked write after an ACK, tcp_check_space) once the free space is at least half
// of what is charged (sk_stream_is_writeable). sk_sndbuf is in the same units: SO_SNDBUF
// doubled, or tcp_wmem[1] grown by tcp_sndbuf_expand to two congestion windows of
// worst-case skbs (one MSS each in a power-of-two head), up to tcp_wmem[2].
//
// ustcp stores only the payload (ByteRing); the charge is a number: the payload plus
// kSkbOverhead for each skb Linux would hold (the connection counts them).
//
// The sizes are x86-64 Linux 6.x, as ss -m shows them on 6.18: a 1-byte write queues
// w833, SO_SNDBUF 1000 gives tb4608, an established connection with MSS 1460 tb46080.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace ustcp::tcp::wmem {

// SKB_DATA_ALIGN(sizeof(struct sk_buff)) and SKB_DATA_ALIGN(sizeof(struct skb_shared_info)).
inline constexpr uint32_t kSkbSize = 256;
inline constexpr uint32_t kShinfoSize = 320;
// MAX_TCP_HEADER: the head of a TCP skb reserves room for every header below the payload.
inline constexpr uint32_t kMaxTcpHeader = 256;
// tcp_stream_alloc_skb: the truesize of an skb before its payload (which lives in page
// fragments and adds its own length): SKB_TRUESIZE of the MAX_TCP_HEADER head.
inline constexpr uint32_t kSkbOverhead = kMaxTcpHeader + kSkbSize + kShinfoSize;  // 832
// SOCK_MIN_SNDBUF: 2 * TCP_SKB_MIN_TRUESIZE, the least setsockopt(SO_SNDBUF) leaves.
inline constexpr uint32_t kSockMinSndbuf = 2 * (2048 + kSkbSize);  // 4608

// tcp_sndbuf_expand's worst case for one segment: an skb per MSS (no GSO), its head
// kmalloc'ed as a power of two.
constexpr uint32_t per_mss(uint32_t mss) {
  return std::bit_ceil(mss + kMaxTcpHeader + kShinfoSize) + kSkbSize;
}

// tcp_sndbuf_expand: room for two congestion windows of such segments (`segs`: at least
// the initial window, and the reordering degree plus one), at most tcp_wmem[2]; a buffer
// already that large stays as it is.
constexpr uint32_t expanded(uint32_t sndbuf, uint32_t mss, uint32_t segs, uint32_t wmem_max) {
  const uint64_t want = uint64_t{2} * segs * per_mss(mss);
  if (want <= sndbuf) return sndbuf;
  return static_cast<uint32_t>(std::min<uint64_t>(want, wmem_max));
}

// sk_stream_memory_free: a new skb may be queued while the charge is below the buffer.
constexpr bool memory_free(uint64_t queued, uint32_t sndbuf) { return queued < sndbuf; }

// sk_stream_is_writeable: the free space (sk_stream_wspace) is at least half of what is
// charged (sk_stream_min_wspace), so that a woken writer finds room for a good amount.
constexpr bool is_writeable(uint64_t queued, uint32_t sndbuf) {
  return memory_free(queued, sndbuf) && sndbuf - queued >= queued / 2;
}

}  // namespace ustcp::tcp::wmem
