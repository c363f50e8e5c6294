// SeqNum / SeqLen: sequence-space comparisons are total and antisymmetric for distances
// below 2^31, transitive inside a 2^31 window, and wrap around 2^32 (RFC 9293 3.4). The
// property tests use fixed seeds, as gVisor's seqnum and netstack3's seqnum.rs tests do.
#include "ustcp/base/seq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <functional>
#include <random>
#include <type_traits>

namespace ustcp {
namespace {

// --- What must not compile -----------------------------------------------------------------
// (Requires-expressions must be in a template to reject an invalid expression softly.)

template <typename T>
concept LessComparable = requires(T a, T b) {
  a < b;
};
template <typename T>
concept LessEqualComparable = requires(T a, T b) {
  a <= b;
};
template <typename T>
concept GreaterComparable = requires(T a, T b) {
  a > b;
};
template <typename T>
concept GreaterEqualComparable = requires(T a, T b) {
  a >= b;
};
template <typename T>
concept Spaceship = requires(T a, T b) {
  a <=> b;
};
template <typename T, typename U>
concept Addable = requires(T a, U b) {
  a + b;
};
template <typename T, typename U>
concept AddAssignable = requires(T a, U b) {
  a += b;
};
template <typename T, typename U>
concept Subtractable = requires(T a, U b) {
  a - b;
};

static_assert(!LessComparable<SeqNum>);
static_assert(!LessEqualComparable<SeqNum>);
static_assert(!GreaterComparable<SeqNum>);
static_assert(!GreaterEqualComparable<SeqNum>);
static_assert(!Spaceship<SeqNum>);
static_assert(!std::totally_ordered<SeqNum>);
// So std::map<SeqNum, ...> and std::ranges::sort cannot order them.
static_assert(!std::is_invocable_v<std::ranges::less, SeqNum, SeqNum>);
static_assert(std::equality_comparable<SeqNum>);

// Position + position is meaningless; position + length and position - position are not.
static_assert(!Addable<SeqNum, SeqNum>);
static_assert(!AddAssignable<SeqNum, SeqNum>);
static_assert(Addable<SeqNum, SeqLen>);
static_assert(Addable<SeqNum, uint32_t>);  // `snd_nxt + 1`, via the implicit SeqLen
static_assert(AddAssignable<SeqNum, SeqLen>);
static_assert(Subtractable<SeqNum, SeqLen>);
static_assert(std::same_as<decltype(SeqNum() - SeqNum()), int32_t>);
static_assert(std::same_as<decltype(SeqNum() + SeqLen()), SeqNum>);
// No conversions between positions, lengths and integers other than SeqLen(uint32_t).
static_assert(!std::is_convertible_v<SeqNum, SeqLen>);
static_assert(!std::is_convertible_v<SeqLen, SeqNum>);
static_assert(!std::is_convertible_v<uint32_t, SeqNum>);
static_assert(!std::is_convertible_v<SeqNum, uint32_t>);
static_assert(std::is_convertible_v<uint32_t, SeqLen>);
static_assert(std::totally_ordered<SeqLen>);  // lengths are plain quantities
static_assert(std::is_trivially_copyable_v<SeqNum> && sizeof(SeqNum) == 4);

// And the constexpr API works at compile time.
static_assert(SeqNum(0xFFFFFFF0u).before(SeqNum(0xFFFFFFF0u) + 0x20));
static_assert((SeqNum(5) - SeqNum(0xFFFFFFFBu)) == 10);

constexpr uint32_t kHalf = uint32_t{1} << 31;

SeqNum random_seq(std::mt19937& rng) { return SeqNum(static_cast<uint32_t>(rng())); }
// A distance in [1, 2^31 - 1].
uint32_t random_distance(std::mt19937& rng) {
  return 1 + static_cast<uint32_t>(rng()) % (kHalf - 1);
}

// --- Properties ------------------------------------------------------------------------------

TEST(SeqNum, BeforeAfterAreTotalAndAntisymmetryBelowHalfTheSpace) {
  std::mt19937 rng(1);
  for (int i = 0; i < 100'000; ++i) {
    const SeqNum a = random_seq(rng);
    const uint32_t d = random_distance(rng);
    const SeqNum b = a + d;
    // Exactly one of before / equal / after.
    ASSERT_TRUE(a.before(b)) << a.raw() << " " << b.raw();
    ASSERT_FALSE(a.after(b));
    ASSERT_FALSE(a == b);
    ASSERT_TRUE(b.after(a));
    ASSERT_FALSE(b.before(a));
    ASSERT_TRUE(a.before_eq(b));
    ASSERT_FALSE(a.after_eq(b));
    ASSERT_TRUE(b.after_eq(a));
    ASSERT_FALSE(b.before_eq(a));
    // Signed distances.
    ASSERT_EQ(b - a, static_cast<int32_t>(d));
    ASSERT_EQ(a - b, -static_cast<int32_t>(d));
  }
}

TEST(SeqNum, EqualIsNeitherBeforeNorAfter) {
  std::mt19937 rng(2);
  for (int i = 0; i < 10'000; ++i) {
    const SeqNum a = random_seq(rng);
    ASSERT_FALSE(a.before(a));
    ASSERT_FALSE(a.after(a));
    ASSERT_TRUE(a.before_eq(a));
    ASSERT_TRUE(a.after_eq(a));
    ASSERT_EQ(a - a, 0);
  }
}

TEST(SeqNum, TransitiveWithinAHalfSpaceWindow) {
  // Three points anywhere in a window [w, w + 2^31): before() orders them as their offsets
  // from w do, so it is transitive there, also when the window straddles 2^32.
  std::mt19937 rng(3);
  for (int i = 0; i < 100'000; ++i) {
    const SeqNum w =
        i % 4 == 0 ? SeqNum(0xFFFFFFFFu - static_cast<uint32_t>(rng() % 1000)) : random_seq(rng);
    std::array<uint32_t, 3> off;
    for (uint32_t& o : off) o = static_cast<uint32_t>(rng()) % kHalf;
    std::array<SeqNum, 3> s;
    for (int k = 0; k < 3; ++k) s[k] = w + off[k];
    for (int x = 0; x < 3; ++x) {
      for (int y = 0; y < 3; ++y) {
        ASSERT_EQ(s[x].before(s[y]), off[x] < off[y]);
        ASSERT_EQ(s[x].after(s[y]), off[x] > off[y]);
      }
    }
    if (s[0].before(s[1]) && s[1].before(s[2])) {
      ASSERT_TRUE(s[0].before(s[2]));
    }
    if (s[0].after(s[1]) && s[1].after(s[2])) {
      ASSERT_TRUE(s[0].after(s[2]));
    }
    if (s[0].before_eq(s[1]) && s[1].before_eq(s[2])) {
      ASSERT_TRUE(s[0].before_eq(s[2]));
    }
  }
}

TEST(SeqNum, ArithmeticIsModulo2To32) {
  std::mt19937 rng(4);
  for (int i = 0; i < 10'000; ++i) {
    const SeqNum a = random_seq(rng);
    const SeqLen n(static_cast<uint32_t>(rng()));
    ASSERT_EQ((a + n).raw(), static_cast<uint32_t>(a.raw() + n.raw()));
    ASSERT_EQ((a + n) - n, a);
    ASSERT_EQ((a - n) + n, a);
    SeqNum b = a;
    b += n;
    ASSERT_EQ(b, a + n);
    ASSERT_EQ((a + n).since(a), n);
  }
}

// --- Wraparound at 2^32 --------------------------------------------------------------------

TEST(SeqNum, WrapsAround2To32) {
  const SeqNum a(0xFFFFFFF0u);
  const SeqNum b = a + 0x20;
  EXPECT_EQ(b.raw(), 0x10u);
  EXPECT_TRUE(b.after(a));
  EXPECT_TRUE(a.before(b));
  EXPECT_EQ(b - a, 0x20);
  EXPECT_EQ(a - b, -0x20);
  EXPECT_EQ(b.since(a), SeqLen(0x20));
  EXPECT_EQ(b - SeqLen(0x20), a);

  EXPECT_TRUE(SeqNum(0).after(SeqNum(0xFFFFFFFFu)));
  EXPECT_EQ(SeqNum(0xFFFFFFFFu) + 1, SeqNum(0));
  EXPECT_EQ(SeqNum(0) - SeqLen(1), SeqNum(0xFFFFFFFFu));
}

TEST(SeqNum, InWindowAcrossTheWrap) {
  const SeqNum start(0xFFFFFFF0u);
  const SeqLen len(0x30);  // [0xFFFFFFF0, 0x20)
  EXPECT_TRUE(start.in_window(start, len));
  EXPECT_TRUE(SeqNum(0xFFFFFFFFu).in_window(start, len));
  EXPECT_TRUE(SeqNum(0).in_window(start, len));
  EXPECT_TRUE(SeqNum(0x10).in_window(start, len));
  EXPECT_TRUE(SeqNum(0x1F).in_window(start, len));
  EXPECT_FALSE(SeqNum(0x20).in_window(start, len));  // start + len: excluded
  EXPECT_FALSE(SeqNum(0xFFFFFFEFu).in_window(start, len));
  EXPECT_FALSE(SeqNum(0x80000000u).in_window(start, len));
  // An empty window holds nothing, not even its start.
  EXPECT_FALSE(start.in_window(start, SeqLen(0)));
  // A window of 2^32 - 1 holds everything but the one before its start.
  EXPECT_TRUE(SeqNum(0x12345678).in_window(start, SeqLen(0xFFFFFFFFu)));
  EXPECT_FALSE(SeqNum(0xFFFFFFEFu).in_window(start, SeqLen(0xFFFFFFFFu)));
}

TEST(SeqNum, InWindowMatchesOffsets) {
  std::mt19937 rng(5);
  for (int i = 0; i < 100'000; ++i) {
    const SeqNum start = random_seq(rng);
    const SeqLen len(static_cast<uint32_t>(rng()) >> (rng() % 32));
    const uint32_t off = static_cast<uint32_t>(rng()) >> (rng() % 32);
    ASSERT_EQ((start + off).in_window(start, len), off < len.raw());
    // Below 2^31, in_window agrees with before()/after().
    if (len.raw() <= kHalf && off < kHalf) {
      const SeqNum s = start + off;
      ASSERT_EQ(s.in_window(start, len), s.after_eq(start) && s.before(start + len));
    }
  }
}

// --- Distance exactly 2^31 -----------------------------------------------------------------

TEST(SeqNum, DistanceOfExactlyHalfTheSpaceIsNotComparable) {
  // Documented behaviour, the same as Linux's before()/after() (include/net/tcp.h): at a
  // distance of exactly 2^31 the signed difference is INT32_MIN whichever way it is taken,
  // so each number is both before and after the other, and neither before_eq nor after_eq
  // the other. Callers must keep compared numbers less than 2^31 apart (RFC 9293 3.4).
  std::mt19937 rng(6);
  for (int i = 0; i < 10'000; ++i) {
    const SeqNum a = i == 0 ? SeqNum(0) : random_seq(rng);
    const SeqNum b = a + kHalf;
    ASSERT_EQ(b - a, INT32_MIN);
    ASSERT_EQ(a - b, INT32_MIN);
    ASSERT_TRUE(a.before(b));
    ASSERT_TRUE(b.before(a));
    ASSERT_TRUE(a.after(b));
    ASSERT_TRUE(b.after(a));
    ASSERT_FALSE(a.before_eq(b));
    ASSERT_FALSE(a.after_eq(b));
    // seq_max / seq_min then return their first argument.
    ASSERT_EQ(seq_max(a, b), a);
    ASSERT_EQ(seq_max(b, a), b);
    ASSERT_EQ(seq_min(a, b), a);
    ASSERT_EQ(seq_min(b, a), b);
  }
}

TEST(SeqNum, AroundHalfTheSpace) {
  const SeqNum zero(0);
  // 2^31 - 1 ahead: still after.
  EXPECT_TRUE(SeqNum(0x7FFFFFFFu).after(zero));
  EXPECT_EQ(SeqNum(0x7FFFFFFFu) - zero, INT32_MAX);
  // 2^31 + 1 ahead is 2^31 - 1 behind: before.
  EXPECT_TRUE(SeqNum(0x80000001u).before(zero));
  EXPECT_EQ(SeqNum(0x80000001u) - zero, -INT32_MAX);
  EXPECT_TRUE(zero.after(SeqNum(0x80000001u)));
}

// --- since, seq_max, seq_min -----------------------------------------------------------------

TEST(SeqNum, SinceIsTheUnsignedDistance) {
  EXPECT_EQ(SeqNum(1000).since(SeqNum(1000)), SeqLen(0));
  EXPECT_EQ(SeqNum(1000).since(SeqNum(1)), SeqLen(999));
  EXPECT_EQ(SeqNum(5).since(SeqNum(0xFFFFFFFBu)), SeqLen(10));
  std::mt19937 rng(7);
  for (int i = 0; i < 10'000; ++i) {
    const SeqNum a = random_seq(rng);
    const uint32_t d = random_distance(rng);
    ASSERT_EQ((a + d).since(a).raw(), d);
    ASSERT_EQ(static_cast<int64_t>((a + d).since(a).raw()), int64_t{(a + d) - a});
  }
}

TEST(SeqNum, MaxAndMin) {
  EXPECT_EQ(seq_max(SeqNum(1), SeqNum(2)), SeqNum(2));
  EXPECT_EQ(seq_min(SeqNum(1), SeqNum(2)), SeqNum(1));
  // Across the wrap the "smaller" raw value is the later one.
  EXPECT_EQ(seq_max(SeqNum(0xFFFFFFF0u), SeqNum(0x10)), SeqNum(0x10));
  EXPECT_EQ(seq_min(SeqNum(0xFFFFFFF0u), SeqNum(0x10)), SeqNum(0xFFFFFFF0u));
  EXPECT_EQ(seq_max(SeqNum(7), SeqNum(7)), SeqNum(7));
  std::mt19937 rng(8);
  for (int i = 0; i < 100'000; ++i) {
    const SeqNum a = random_seq(rng);
    const SeqNum b = a + random_distance(rng);  // b after a
    ASSERT_EQ(seq_max(a, b), b);
    ASSERT_EQ(seq_max(b, a), b);
    ASSERT_EQ(seq_min(a, b), a);
    ASSERT_EQ(seq_min(b, a), a);
  }
}

TEST(SeqLen, IsAPlainModularQuantity) {
  EXPECT_EQ(SeqLen(3) + SeqLen(4), SeqLen(7));
  EXPECT_EQ(SeqLen(3) - SeqLen(4), SeqLen(0xFFFFFFFFu));
  EXPECT_LT(SeqLen(3), SeqLen(4));
  EXPECT_EQ(SeqLen().raw(), 0u);
  EXPECT_EQ(SeqNum().raw(), 0u);
}

}  // namespace
}  // namespace ustcp
