// The /bytes/N pattern: literal records, any offset, any cut.
#include "apps/byte_pattern.hpp"

#include <gtest/gtest.h>

namespace ustcp::apps {
namespace {

TEST(BytePattern, FirstRecordsAreLiteral) {
  EXPECT_EQ(byte_pattern(0, 48), "000000000000000\n000000000000016\n000000000000032\n");
  EXPECT_EQ(byte_pattern(0, 0), "");
  EXPECT_EQ(byte_pattern(0, 1), "0");
  EXPECT_EQ(byte_pattern(0, 17), "000000000000000\n0");
}

TEST(BytePattern, AnyOffsetAgreesWithTheWhole) {
  const std::string whole = byte_pattern(0, 4096);
  for (uint64_t off : {0, 1, 7, 15, 16, 17, 31, 1000, 4000}) {
    EXPECT_EQ(byte_pattern(off, 96), whole.substr(off, 96)) << off;
  }
}

TEST(BytePattern, LargeOffsetsCarryTheirOwnPosition) {
  const uint64_t tib = uint64_t{1} << 40;
  EXPECT_EQ(byte_pattern(tib - 16, 16), "001099511627760\n");
  EXPECT_EQ(byte_pattern(tib - 3, 3), "60\n");
}

}  // namespace
}  // namespace ustcp::apps
