// The integer subset of Python for code blocks: each expected value is what CPython 3 prints
// for the same expression.
#include "drill/python_expr.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using namespace ustcp::drill;

const std::map<std::string, int64_t, std::less<>> kNames = {
    {"tcpi_snd_cwnd", 10}, {"tcpi_options", 7}, {"TCPI_OPT_SACK", 2}, {"cwnd", -3}};

int64_t eval(std::string_view e) {
  return py::eval(e, [](std::string_view n) -> std::optional<int64_t> {
    auto it = kNames.find(n);
    if (it == kNames.end()) return std::nullopt;
    return it->second;
  });
}

std::string unsupported(std::string_view e) {
  try {
    return "evaluated to " + std::to_string(eval(e));
  } catch (const py::Unsupported& u) {
    return u.what;
  }
}

TEST(DrillPython, NumbersAndNames) {
  EXPECT_EQ(eval("0x7fffffff"), 2147483647);
  EXPECT_EQ(eval("0o17 + 0b101 + 1_000"), 15 + 5 + 1000);
  EXPECT_EQ(eval("0"), 0);
  EXPECT_EQ(eval("tcpi_snd_cwnd"), 10);
  EXPECT_EQ(eval("True + True"), 2);
}

TEST(DrillPython, PrecedenceAsPython) {
  EXPECT_EQ(eval("2 + 3 * 4"), 14);
  EXPECT_EQ(eval("(2 + 3) * 4"), 20);
  EXPECT_EQ(eval("1 | 2 & 3"), 3);   // & binds tighter than |
  EXPECT_EQ(eval("1 + 1 << 2"), 8);  // + binds tighter than <<
  EXPECT_EQ(eval("6 ^ 3 & 1"), 7);
  EXPECT_EQ(eval("-2 * -3"), 6);
  EXPECT_EQ(eval("~0"), -1);
  EXPECT_EQ(eval("(tcpi_options & TCPI_OPT_SACK) != 0"), 1);
  EXPECT_EQ(eval("tcpi_options & TCPI_OPT_SACK != 0"), 1);  // unlike C, & binds tighter
}

TEST(DrillPython, FloorDivisionAndModuloRoundDown) {
  EXPECT_EQ(eval("7 // 2"), 3);
  EXPECT_EQ(eval("-7 // 2"), -4);
  EXPECT_EQ(eval("7 // -2"), -4);
  EXPECT_EQ(eval("-7 % 3"), 2);
  EXPECT_EQ(eval("7 % -3"), -2);
  EXPECT_EQ(eval("cwnd % 2"), 1);
}

TEST(DrillPython, ComparisonChainsAndBooleans) {
  EXPECT_EQ(eval("1 <= tcpi_snd_cwnd <= 10"), 1);
  EXPECT_EQ(eval("1 <= tcpi_snd_cwnd < 10"), 0);
  EXPECT_EQ(eval("3 > 2 > 1"), 1);
  EXPECT_EQ(eval("1 < 3 > 2 == 2"), 1);
  EXPECT_EQ(eval("tcpi_snd_cwnd == 10 and cwnd == -3"), 1);
  EXPECT_EQ(eval("tcpi_snd_cwnd == 11 or cwnd"), -3);  // `or` gives an operand, not a bool
  EXPECT_EQ(eval("0 and 5"), 0);
  EXPECT_EQ(eval("not tcpi_snd_cwnd"), 0);
  EXPECT_EQ(eval("not 1 == 2"), 1);  // not binds looser than ==
}

TEST(DrillPython, OutsideTheSubsetIsNamed) {
  EXPECT_EQ(unsupported("tcpi_nope == 1"), "name tcpi_nope");
  EXPECT_EQ(unsupported("7 / 2"), "operator /");
  EXPECT_EQ(unsupported("2 ** 3"), "operator **");
  EXPECT_EQ(unsupported("len(x)"), "call len()");
  EXPECT_EQ(unsupported("1.5"), "number '1.5'");
  EXPECT_EQ(unsupported("010"), "number '010'");
  EXPECT_EQ(unsupported("'a'"), "'''");
  EXPECT_EQ(unsupported("1 // 0"), "division by zero");
  EXPECT_EQ(unsupported("(1 + 2"), "missing ')'");
  EXPECT_EQ(unsupported("1 +"), "an incomplete expression");
  EXPECT_EQ(unsupported("1 2"), "'2'");
  EXPECT_EQ(unsupported("0x7fffffffffffffff * 2"), "an integer beyond 64 bits");
  EXPECT_EQ(unsupported("0xffffffffffffffffff"), "number '0xffffffffffffffffff'");
}

TEST(DrillPython, TopLevelSeparators) {
  EXPECT_EQ(py::find_top_level("a == f(1, 2), 'x, y'", ','), 12u);
  EXPECT_EQ(py::find_top_level("a == 1, 'x # y'  # c", '#'), 17u);
  EXPECT_EQ(py::find_top_level("'#' == x", '#'), std::string_view::npos);
}

}  // namespace
