// Fuzz target: the HTTP/1.1 parsers of apps/ (request heads, response heads). Invariants:
// never a crash; a complete parse consumes no more than the input and at least one byte;
// parsing a prefix never claims more than the whole does.
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "apps/http_parse.hpp"

using namespace ustcp::apps;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "http_parser: invariant broken: %s\n", what);
  __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestParse q = parse_request(in);
  if (q.status == ParseStatus::Complete && (q.consumed == 0 || q.consumed > in.size())) {
    fail("request: consumed outside the input");
  }
  if (q.status == ParseStatus::Complete) {
    // The head alone is complete too, and the same length.
    RequestParse head = parse_request(in.substr(0, q.consumed));
    if (head.status != ParseStatus::Complete || head.consumed != q.consumed) {
      fail("request: the head alone parses differently");
    }
  }
  ResponseParse r = parse_response(in);
  if (r.status == ParseStatus::Complete && (r.consumed == 0 || r.consumed > in.size())) {
    fail("response: consumed outside the input");
  }
  return 0;
}
