// DemuxTable against std::map as the reference, under random inserts, re-assignments and
// erases. The objects the references name are kept in a vector, as the Stack keeps its
// connections, requests and TIME_WAIT records: the table holds only their hashes, so a
// lookup must also compare the object's 4-tuple. A hash that piles every key onto 4 home
// slots near the end of the array makes every lookup meet equal hashes of other 4-tuples,
// and long probe runs that wrap, where backward-shift deletion is easiest to get wrong.
#include "ustcp/stack/demux_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace ustcp::stack {
namespace {

tcp::FourTuple tuple(uint32_t k) {
  // k's bits spread over both ports and the remote address, as connections differ.
  return tcp::FourTuple{{Ipv4Addr(127, 0, 0, 1), static_cast<uint16_t>(32768 + (k & 0x3FFF))},
                        {Ipv4Addr(127, 0, 0, static_cast<uint8_t>(1 + (k >> 14) % 16)),
                         static_cast<uint16_t>(5001 + (k >> 18))}};
}

struct TupleLess {
  bool operator()(const tcp::FourTuple& a, const tcp::FourTuple& b) const {
    auto key = [](const tcp::FourTuple& t) {
      return std::tuple(t.local.addr.raw(), t.local.port, t.remote.addr.raw(), t.remote.port);
    };
    return key(a) < key(b);
  }
};

// Every 4-tuple hashes to one of 4 values: equal 32-bit hashes for different 4-tuples.
struct PileUpHash {
  size_t operator()(const tcp::FourTuple& t) const { return ~size_t{0} - (t.local.port % 4); }
};

// The objects: for each kind, a vector of 4-tuples by index (a slot reused after an erase).
struct Objects {
  std::vector<tcp::FourTuple> of[3];
  auto key() const {
    return [this](DemuxRef r) -> const tcp::FourTuple& {
      return of[static_cast<int>(r.kind)].at(r.index);
    };
  }
};

template <typename Hash>
void random_ops_match_reference(uint64_t seed, uint32_t key_space, Hash hash) {
  BasicDemuxTable<Hash> table(hash);
  std::map<tcp::FourTuple, DemuxRef, TupleLess> ref;
  Objects objs;
  std::mt19937_64 rng(seed);
  for (int op = 0; op < 20000; ++op) {
    const tcp::FourTuple t = tuple(static_cast<uint32_t>(rng() % key_space));
    if (rng() % 3 < 2) {
      // A new object of a random kind for t (a connection becoming TIME_WAIT, say).
      const auto kind = static_cast<DemuxKind>(rng() % 3);
      auto& v = objs.of[static_cast<int>(kind)];
      v.push_back(t);
      const DemuxRef r{kind, static_cast<uint32_t>(v.size() - 1)};
      table.insert_or_assign(t, r, objs.key());
      ref[t] = r;
    } else {
      ASSERT_EQ(table.erase(t, objs.key()), ref.erase(t) == 1) << "op " << op;
    }
    ASSERT_EQ(table.size(), ref.size());
  }
  ASSERT_LE(table.size() * 4, table.capacity() * 3);
  for (uint32_t k = 0; k < key_space; ++k) {
    const tcp::FourTuple t = tuple(k);
    auto it = ref.find(t);
    const std::optional<DemuxRef> found = table.find(t, objs.key());
    if (it == ref.end()) {
      EXPECT_FALSE(found) << k;
      EXPECT_FALSE(table.contains(t, objs.key())) << k;
    } else {
      ASSERT_TRUE(found) << k;
      EXPECT_EQ(*found, it->second) << k;
    }
  }
}

TEST(DemuxTable, MatchesReferenceWithTheStacksHash) {
  for (uint64_t seed : {1, 2, 3})
    random_ops_match_reference(seed, 5000, tcp::FourTupleHash{seed, seed * 7});
}

TEST(DemuxTable, MatchesReferenceWhenHashesCollide) {
  for (uint64_t seed : {1, 2, 3}) random_ops_match_reference(seed, 300, PileUpHash{});
}

TEST(DemuxTable, EqualHashIsNotAMatch) {
  // Two 4-tuples with the same hash: each finds its own object, and erasing one leaves the
  // other, whichever was filed first.
  Objects objs;
  const tcp::FourTuple a = tuple(4), b = tuple(8);  // local ports 32772 and 32776: same hash
  ASSERT_EQ(PileUpHash{}(a), PileUpHash{}(b));
  objs.of[0] = {a, b};
  BasicDemuxTable<PileUpHash> table;
  table.insert_or_assign(a, DemuxRef{DemuxKind::Conn, 0}, objs.key());
  EXPECT_FALSE(table.find(b, objs.key()));
  table.insert_or_assign(b, DemuxRef{DemuxKind::Conn, 1}, objs.key());
  EXPECT_EQ(table.find(a, objs.key()), (DemuxRef{DemuxKind::Conn, 0}));
  EXPECT_EQ(table.find(b, objs.key()), (DemuxRef{DemuxKind::Conn, 1}));
  EXPECT_TRUE(table.erase(a, objs.key()));
  EXPECT_FALSE(table.find(a, objs.key()));
  EXPECT_EQ(table.find(b, objs.key()), (DemuxRef{DemuxKind::Conn, 1}));
  EXPECT_FALSE(table.erase(a, objs.key()));
  EXPECT_EQ(table.size(), 1u);
}

TEST(DemuxTable, KeepsKindAndIndex) {
  // The largest index a reference holds (2^30 - 1) with each kind comes back as it went in.
  BasicDemuxTable<tcp::FourTupleHash> table(tcp::FourTupleHash{1, 2});
  constexpr uint32_t kTop = (uint32_t{1} << 30) - 1;
  // Objects::key() would need vectors of 2^30 entries: here each kind has one 4-tuple.
  auto key = [](DemuxRef r) -> const tcp::FourTuple& {
    static const tcp::FourTuple ts[3] = {tuple(1), tuple(2), tuple(3)};
    return ts[static_cast<int>(r.kind)];
  };
  for (int k = 0; k < 3; ++k)
    table.insert_or_assign(tuple(1 + k), DemuxRef{static_cast<DemuxKind>(k), kTop}, key);
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(table.find(tuple(1 + k), key), (DemuxRef{static_cast<DemuxKind>(k), kTop}));
}

TEST(DemuxTable, SlotsAreEightBytesAndThreeQuartersFullAtMost) {
  Objects objs;
  BasicDemuxTable<tcp::FourTupleHash> table(tcp::FourTupleHash{3, 4});
  EXPECT_FALSE(table.find(tuple(7), objs.key()));  // empty: no array yet
  EXPECT_FALSE(table.erase(tuple(7), objs.key()));
  for (uint32_t k = 0; k < 100000; ++k) {
    objs.of[0].push_back(tuple(k));
    table.insert_or_assign(tuple(k), DemuxRef{DemuxKind::Conn, k}, objs.key());
    ASSERT_LE(table.size() * 4, table.capacity() * 3);
  }
  EXPECT_EQ(table.capacity(), 262144u);  // 2^18: 100000 needs more than 3/4 of 2^17
  EXPECT_EQ(BasicDemuxTable<tcp::FourTupleHash>::kSlotBytes, 8u);
  for (uint32_t k = 0; k < 100000; k += 2) EXPECT_TRUE(table.erase(tuple(k), objs.key()));
  EXPECT_EQ(table.size(), 50000u);
  for (uint32_t k = 0; k < 100000; ++k)
    EXPECT_EQ(table.find(tuple(k), objs.key()),
              k % 2 ? std::optional(DemuxRef{DemuxKind::Conn, k}) : std::nullopt)
        << k;
}

}  // namespace
}  // namespace ustcp::stack
