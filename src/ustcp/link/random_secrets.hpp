// A host's secrets drawn from the operating system: every key of tcp::Secrets gets its own
// 128 bits from getrandom(2) (the kernel's CSPRNG, blocking only until it is seeded at
// boot). Drivers on a real network (the TUN daemon, an embedder's loop) give the result to
// the Stack; the simulator keeps Secrets::from_seed so its runs reproduce.
#pragma once

#include <string>

#include "ustcp/base/expected.hpp"
#include "ustcp/tcp/secrets.hpp"

namespace ustcp::link {

// The error names the call and the errno ("getrandom: Function not implemented").
Expected<tcp::Secrets, std::string> random_secrets();

}  // namespace ustcp::link
