// Small helpers the apps share on top of api::Sockets: strings as byte spans, reading into
// a string, the lingering-close drain, errno names for -errno results.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ustcp/api/sockets.hpp"

namespace ustcp::apps {

// shutdown(2)'s `how`, with Linux's values (what Stack::shutdown takes).
inline constexpr int kShutRd = 0;
inline constexpr int kShutWr = 1;
inline constexpr int kShutRdWr = 2;

inline Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
}

// recv() of at most min(max, kRecvPiece) bytes appended to `into`; the api's result
// (bytes, 0 at EOF, or -errno).
inline constexpr size_t kRecvPiece = 16 * 1024;
int64_t recv_append(api::Sockets& net, TimePoint now, int fd, std::string& into, size_t max);

// Reads and drops what is readable now. Before close() it makes the close a FIN: RFC 2525
// 2.17 (and Linux's tcp_close) turn a close with unread data into a RST, which would also
// destroy the response still in flight. nginx's lingering close exists for the same reason.
void discard_input(api::Sockets& net, TimePoint now, int fd);

// "ECONNRESET" for -ECONNRESET (or ECONNRESET).
std::string errno_text(int64_t result);

}  // namespace ustcp::apps
