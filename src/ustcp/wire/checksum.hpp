// Internet checksum (RFC 1071) and the TCP pseudo-header (RFC 9293 3.1).
#pragma once

#include <cstdint>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/ipv4_addr.hpp"

namespace ustcp::wire {

// Adds bytes to a running one's-complement sum (not yet folded). Odd-length spans are
// padded with a zero byte, so only the last span of a sum may have odd length.
uint32_t checksum_add(uint32_t sum, Bytes data);
// Folds the carries and complements: the value to put in a header.
uint16_t checksum_finish(uint32_t sum);
// Sum of the pseudo-header (source, destination, zero, protocol, length).
uint32_t pseudo_header_sum(Ipv4Addr src, Ipv4Addr dst, uint8_t protocol, uint16_t length);

}  // namespace ustcp::wire
