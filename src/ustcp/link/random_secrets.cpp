#include "ustcp/link/random_secrets.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace ustcp::link {

namespace {

// Fills `out` from getrandom(), retrying after signals and short reads (requests over 256
// bytes may return less; ours are 16).
bool fill(void* out, size_t n, std::string& error) {
  auto* p = static_cast<std::byte*>(out);
  while (n > 0) {
    const ssize_t got = ::getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = std::string("getrandom: ") + std::strerror(errno);
      return false;
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

Expected<tcp::Secrets, std::string> random_secrets() {
  tcp::Secrets s;
  std::string error;
  // One call per key: each is 128 bits of its own.
  for (SipKey* k : s.all()) {
    if (!fill(k->data(), sizeof(*k), error)) return Unexpected<std::string>{error};
  }
  return s;
}

}  // namespace ustcp::link
