// Every way a datagram can fail to parse. The stack counts each in the counter Linux
// uses for it (see stack/counters), and drops the datagram.
#pragma once

#include <cstdint>

namespace ustcp::wire {

enum class ParseError : uint8_t {
  // IPv4
  Truncated,        // fewer bytes than a header, or than total length says
  BadVersion,       // version != 4
  BadHeaderLength,  // IHL < 5 or past the datagram
  BadTotalLength,   // total length < header length
  BadIpChecksum,
  Fragment,  // MF set or fragment offset != 0: ustcp does not reassemble
  // TCP
  TcpTruncated,      // fewer than 20 bytes
  BadDataOffset,     // data offset < 5 or past the segment
  BadOptionLength,   // option length < 2 (0 or 1)
  OptionPastHeader,  // an option runs past the header
  BadOptionValue,    // a known option with the wrong length (MSS != 4, TS != 10, ...)
  BadTcpChecksum,
  // ICMP
  IcmpTruncated,  // fewer than the 8-byte header
  BadIcmpChecksum,
};

const char* to_string(ParseError e);

}  // namespace ustcp::wire
