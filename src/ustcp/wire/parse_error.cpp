#include "ustcp/wire/parse_error.hpp"

namespace ustcp::wire {

const char* to_string(ParseError e) {
  switch (e) {
    case ParseError::Truncated:
      return "Truncated";
    case ParseError::BadVersion:
      return "BadVersion";
    case ParseError::BadHeaderLength:
      return "BadHeaderLength";
    case ParseError::BadTotalLength:
      return "BadTotalLength";
    case ParseError::BadIpChecksum:
      return "BadIpChecksum";
    case ParseError::Fragment:
      return "Fragment";
    case ParseError::TcpTruncated:
      return "TcpTruncated";
    case ParseError::BadDataOffset:
      return "BadDataOffset";
    case ParseError::BadOptionLength:
      return "BadOptionLength";
    case ParseError::OptionPastHeader:
      return "OptionPastHeader";
    case ParseError::BadOptionValue:
      return "BadOptionValue";
    case ParseError::BadTcpChecksum:
      return "BadTcpChecksum";
    case ParseError::IcmpTruncated:
      return "IcmpTruncated";
    case ParseError::BadIcmpChecksum:
      return "BadIcmpChecksum";
  }
  // Only reachable with a value outside the enum (a cast from a corrupt byte).
  return "Unknown";
}

}  // namespace ustcp::wire
