// Fuzz target: the packetdrill script parser (tools/drill). Invariants: never a crash;
// a syntax error carries a position inside the script.
#include <cstdint>
#include <cstdio>
#include <string>

#include "drill/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string source(reinterpret_cast<const char*>(data), size);
  auto r = ustcp::drill::parse_script("fuzz.pkt", std::move(source));
  if (r.error && r.error->pos > size) {
    std::fprintf(stderr, "drill_parser: error position %zu past the end %zu\n",
                 static_cast<size_t>(r.error->pos), size);
    __builtin_trap();
  }
  return 0;
}
