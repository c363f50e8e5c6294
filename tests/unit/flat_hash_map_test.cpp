// FlatHashMap against std::unordered_map as the reference, under random inserts, updates
// and erases, with a good hash and with a bad one that piles keys into long probe runs
// (wrapping past the end of the array), where backward-shift deletion is easiest to get
// wrong.
#include "ustcp/base/flat_hash_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "ustcp/tcp/four_tuple.hpp"

namespace ustcp {
namespace {

struct GoodHash {
  size_t operator()(uint32_t k) const { return k * 0x9E3779B97F4A7C15ull >> 17; }
};
// Every key lands in one of 4 home slots near the end of the table.
struct BadHash {
  size_t operator()(uint32_t k) const { return ~size_t{0} - (k % 4); }
};

template <typename Hash>
void random_ops_match_reference(uint64_t seed, uint32_t key_space) {
  FlatHashMap<uint32_t, uint64_t, Hash> map;
  std::unordered_map<uint32_t, uint64_t> ref;
  std::mt19937_64 rng(seed);
  for (int op = 0; op < 20000; ++op) {
    const uint32_t k = static_cast<uint32_t>(rng() % key_space);
    switch (rng() % 4) {
      case 0:
      case 1: {
        const uint64_t v = rng();
        map.insert_or_assign(k, v);
        ref[k] = v;
        break;
      }
      case 2:
        ASSERT_EQ(map.erase(k), ref.erase(k) == 1) << "op " << op << " key " << k;
        break;
      case 3: {  // operator[]: inserts a zero value when absent
        const uint64_t v = rng() % 1000;
        map[k] += v;
        ref[k] += v;
        break;
      }
    }
    ASSERT_EQ(map.size(), ref.size());
  }
  for (uint32_t k = 0; k < key_space; ++k) {
    auto it = ref.find(k);
    const uint64_t* v = map.find(k);
    if (it == ref.end()) {
      EXPECT_EQ(v, nullptr) << k;
    } else {
      ASSERT_NE(v, nullptr) << k;
      EXPECT_EQ(*v, it->second) << k;
    }
  }
}

TEST(FlatHashMap, MatchesReferenceWithAGoodHash) {
  for (uint64_t seed : {1, 2, 3}) random_ops_match_reference<GoodHash>(seed, 5000);
}

TEST(FlatHashMap, MatchesReferenceWhenEveryKeyCollides) {
  for (uint64_t seed : {1, 2, 3}) random_ops_match_reference<BadHash>(seed, 300);
}

TEST(FlatHashMap, StaysAtMostThreeQuartersFull) {
  FlatHashMap<uint32_t, uint32_t, GoodHash> map;
  EXPECT_EQ(map.find(7), nullptr);  // empty: no array yet
  EXPECT_FALSE(map.erase(7));
  for (uint32_t k = 0; k < 100000; ++k) {
    map.insert_or_assign(k, k);
    ASSERT_LE(map.size() * 4, map.capacity() * 3);
  }
  EXPECT_EQ(map.capacity(), 262144u);  // 2^18: 100000 needs more than 3/4 of 2^17
  for (uint32_t k = 0; k < 100000; k += 2) EXPECT_TRUE(map.erase(k));
  EXPECT_EQ(map.size(), 50000u);
  for (uint32_t k = 0; k < 100000; ++k) EXPECT_EQ(map.contains(k), k % 2 == 1) << k;
}

TEST(FlatHashMap, SeededFourTupleHashDiffersPerSeed) {
  const tcp::FourTuple t{{Ipv4Addr(10, 0, 0, 1), 80}, {Ipv4Addr(10, 0, 0, 2), 40000}};
  EXPECT_NE(tcp::FourTupleHash{1}(t), tcp::FourTupleHash{2}(t));
  EXPECT_EQ(tcp::FourTupleHash{1}(t), tcp::FourTupleHash{1}(t));
}

}  // namespace
}  // namespace ustcp
