// What the server answers for a target: path decoding, the built-in pages, files under a
// root (in a temporary directory), and the refusals.
#include "apps/http_content.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "apps/byte_pattern.hpp"

namespace ustcp::apps {
namespace {

std::string read_all(Content& c) {
  std::string out;
  while (out.size() < c.length) {
    if (!c.body || !c.body->read(out, std::min<uint64_t>(c.length - out.size(), 1000))) break;
  }
  return out;
}

TEST(DecodeTarget, SegmentsQueryAndEscapes) {
  auto p = decode_target("/a/./b%20c//d/?q=1#f");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segments, (std::vector<std::string>{"a", "b c", "d"}));
  EXPECT_TRUE(p->directory);
  EXPECT_FALSE(p->dotdot);
  p = decode_target("http://example.com/x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segments, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(decode_target("/")->segments.empty());
  EXPECT_TRUE(decode_target("/a/../b")->dotdot);
  EXPECT_TRUE(decode_target("/%2e%2E/etc")->dotdot);
}

TEST(DecodeTarget, Refusals) {
  EXPECT_FALSE(decode_target("index.html"));
  EXPECT_FALSE(decode_target("*"));
  EXPECT_FALSE(decode_target("/a%2"));
  EXPECT_FALSE(decode_target("/a%zz"));
  EXPECT_FALSE(decode_target("/a%2F..%2Fsecret"));  // an encoded separator
  EXPECT_FALSE(decode_target("/a%00b"));
}

TEST(ResolveBuiltin, IndexAndBytes) {
  Content c = resolve_target("/", "");
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.content_type, "text/html");
  EXPECT_NE(read_all(c).find("ustcp"), std::string::npos);

  for (uint64_t n : {0, 1, 15, 16, 17, 5000}) {
    Content b = resolve_target("/bytes/" + std::to_string(n), "");
    EXPECT_EQ(b.status, 200);
    EXPECT_EQ(b.length, n);
    EXPECT_EQ(read_all(b), byte_pattern(0, n)) << n;
  }
  Content big = resolve_target("/bytes/1099511627776", "");
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.length, kMaxPatternBody);
}

TEST(ResolveBuiltin, NotFound) {
  for (const char* t : {"/bytes/1099511627777", "/bytes/", "/bytes/x", "/bytes/-1", "/bytes/1/",
                        "/nothing", "/bytes/99999999999999999999", "/../bytes/1"}) {
    EXPECT_EQ(resolve_target(t, "").status, 404) << t;
  }
  EXPECT_EQ(resolve_target("/%zz", "").status, 400);
}

class ResolveRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unique per run: ctest runs tests in parallel processes, other build trees too.
    root_ = std::filesystem::temp_directory_path() /
            ("ustcp_apps_content_" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "sub");
    write("index.html", "<p>root index</p>");
    write("a.txt", "hello");
    write("sub/data.bin", std::string("\0\1\2\3", 4));
    write("empty.html", "");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& data) {
    std::ofstream(root_ / name, std::ios::binary) << data;
  }
  std::filesystem::path root_;
};

TEST_F(ResolveRoot, FilesWithTypes) {
  const std::string root = root_.string();
  Content c = resolve_target("/a.txt", root);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.content_type, "text/plain");
  EXPECT_EQ(read_all(c), "hello");
  c = resolve_target("/", root);
  EXPECT_EQ(c.content_type, "text/html");
  EXPECT_EQ(read_all(c), "<p>root index</p>");
  c = resolve_target("/sub/data.bin", root);
  EXPECT_EQ(c.content_type, "application/octet-stream");
  EXPECT_EQ(read_all(c), std::string("\0\1\2\3", 4));
  c = resolve_target("/empty.html", root);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.length, 0u);
}

TEST_F(ResolveRoot, RefusedPaths) {
  const std::string root = root_.string();
  EXPECT_EQ(resolve_target("/missing", root).status, 404);
  EXPECT_EQ(resolve_target("/sub", root).status, 404);   // a directory
  EXPECT_EQ(resolve_target("/sub/", root).status, 404);  // no index.html there
  EXPECT_EQ(resolve_target("/sub/../a.txt", root).status, 404);
  EXPECT_EQ(resolve_target("/../" + root_.filename().string() + "/a.txt", root).status, 404);
  EXPECT_EQ(resolve_target("/bytes/10", root).status, 404);  // built-ins are off with a root
}

}  // namespace
}  // namespace ustcp::apps
