// The interpreter's own tests: scripts in tests/drill-selftest/ that must fail (wrong errno,
// wrong flags, a packet too late or too early, a missing packet, a syntax error, ...), be
// skipped, or pass. Each script says so in its header:
//   // expect: fail            (or pass, or skip)
//   // message: <text>          (each such line must appear in the result's message)
//   // mode: strict             (run with --strict)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drill/interpreter.hpp"

namespace {

namespace fs = std::filesystem;
using ustcp::drill::Outcome;

std::vector<std::string> selftest_scripts() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(USTCP_SOURCE_DIR) / "tests/drill-selftest"))
    if (e.path().extension() == ".pkt") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Expectation {
  std::string outcome;
  std::vector<std::string> messages;
  bool strict = false;
};

Expectation read_header(const std::string& path) {
  std::ifstream in(path);
  Expectation x;
  std::string line;
  auto value = [](const std::string& l, const std::string& key) -> std::optional<std::string> {
    if (l.rfind(key, 0) != 0) return std::nullopt;
    std::string v = l.substr(key.size());
    v.erase(0, v.find_first_not_of(' '));
    return v;
  };
  while (std::getline(in, line)) {
    if (auto v = value(line, "// expect:")) x.outcome = *v;
    if (auto v = value(line, "// message:")) x.messages.push_back(*v);
    if (auto v = value(line, "// mode:")) x.strict = *v == "strict";
  }
  return x;
}

class SelfTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SelfTest, ScriptEndsAsItsHeaderSays) {
  const std::string path = GetParam();
  Expectation x = read_header(path);
  ASSERT_TRUE(x.outcome == "fail" || x.outcome == "pass" || x.outcome == "skip")
      << path << ": header needs `// expect: fail|pass|skip`";
  ustcp::drill::RunOptions opts;
  opts.strict = x.strict;
  ustcp::drill::RunResult r = ustcp::drill::run_file(path, opts);
  const char* names[] = {"pass", "fail", "skip"};
  EXPECT_EQ(names[static_cast<int>(r.outcome)], x.outcome) << r.message;
  for (const std::string& m : x.messages)
    EXPECT_NE(r.message.find(m), std::string::npos) << "missing `" << m << "` in:\n" << r.message;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = fs::path(info.param).stem().string();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Scripts, SelfTest, ::testing::ValuesIn(selftest_scripts()), test_name);

TEST(SelfTestSuite, HasScripts) { EXPECT_GE(selftest_scripts().size(), 10u); }

}  // namespace
