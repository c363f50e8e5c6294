// The body of the built-in "/bytes/N" page: 16-byte records where record k is the 15-digit
// zero-padded decimal of k * 16 followed by '\n', cut at N bytes. Every byte is known from
// its offset alone, so the server generates a body of any size as the send buffer frees
// (never holding it whole), and a client can check any part of it. In Python:
//   b''.join(b'%015d\n' % (k * 16) for k in range(N // 16 + 1))[:N]
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace ustcp::apps {

inline constexpr size_t kPatternRecord = 16;

// Writes the pattern's bytes [offset, offset + out.size()) into `out`.
void fill_byte_pattern(uint64_t offset, std::span<char> out);
std::string byte_pattern(uint64_t offset, size_t length);

}  // namespace ustcp::apps
