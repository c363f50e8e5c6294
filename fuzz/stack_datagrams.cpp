// Fuzz target: two Stacks with two connections, driven by a program of forged segments,
// application calls, losses, time and closes (stack_scenario.hpp); then everything closes
// and hours pass. Any broken invariant (data integrity, a leak) aborts with its name.
#include <cstdint>
#include <cstdio>

#include "stack_scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string broken = ustcp::fuzz::play_stack_scenario(data, size);
  if (!broken.empty()) {
    std::fprintf(stderr, "stack_datagrams: invariant broken: %s\n", broken.c_str());
    __builtin_trap();
  }
  return 0;
}
