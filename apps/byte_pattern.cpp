#include "apps/byte_pattern.hpp"

#include <algorithm>
#include <cstring>

namespace ustcp::apps {

void fill_byte_pattern(uint64_t offset, std::span<char> out) {
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t pos = offset + i;
    const size_t within = static_cast<size_t>(pos % kPatternRecord);
    char record[kPatternRecord];
    // Record k carries its own first offset, k * 16 = pos - within.
    uint64_t v = pos - within;
    for (int d = 14; d >= 0; --d) {
      record[d] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    record[15] = '\n';
    const size_t n = std::min(kPatternRecord - within, out.size() - i);
    std::memcpy(out.data() + i, record + within, n);
    i += n;
  }
}

std::string byte_pattern(uint64_t offset, size_t length) {
  std::string s(length, '\0');
  fill_byte_pattern(offset, s);
  return s;
}

}  // namespace ustcp::apps
