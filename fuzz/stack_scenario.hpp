// A scenario the stack fuzz target (stack_datagrams.cpp) plays from its input, shared with
// the regression tests that replay inputs it found (tests/unit/fuzz_regression_test.cpp).
//
// Two Stacks, a client (10.0.0.1) and a server (10.0.0.2) listening on port 80, with two
// established connections between them. The input is a program of small operations:
// forged segments into either side (4-tuples of the connections or others, any flags,
// sequence and acknowledgment numbers near the real ones, options, payload), application
// sends and reads, delivering or dropping what the stacks sent, time passing, shutdown and
// close of any socket. Then every socket is closed and hours of virtual time pass.
//
// Invariants (a broken one is reported by name):
//   - data integrity: every byte an application reads is the byte its peer's application
//     wrote at that stream offset (forged payload carries the same pattern, so a forgery
//     the stack accepts cannot be told apart, but a mis-placed byte can);
//   - no leak: after every close and hours of timers, neither stack holds a connection, an
//     orphan, a SYN_RECV request or a TIME_WAIT record, and no timer is armed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ustcp::fuzz {

// Plays `data`; returns the broken invariant ("" when all hold).
std::string play_stack_scenario(const uint8_t* data, size_t size);

}  // namespace ustcp::fuzz
