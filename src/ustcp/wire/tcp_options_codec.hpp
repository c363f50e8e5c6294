// Internal to wire/: the TCP option codec shared by TcpView::parse and TcpRepr::emit.
#pragma once

#include <cstddef>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/wire/parse_error.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::wire::detail {

// Parses the option area (header bytes 20 .. data offset) into `out`, which must start
// default-constructed.
Expected<void, ParseError> parse_tcp_options(Bytes area, TcpOptions& out);

// Writes the options into out[0 .. o.encoded_len()), padding included, and returns that
// length. `out` must have room for kTcpMaxOptionsLen bytes or encoded_len(), whichever is less.
size_t write_tcp_options(const TcpOptions& o, std::byte* out);

}  // namespace ustcp::wire::detail
