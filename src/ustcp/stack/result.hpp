// Results of socket calls: a value or a Linux errno (<cerrno> values), as the kernel's
// system calls return them. The socket API maps nothing further.
#pragma once

#include "ustcp/base/expected.hpp"

namespace ustcp::stack {

template <typename T>
using Result = Expected<T, int>;

inline Unexpected<int> err(int e) { return Unexpected<int>{e}; }

}  // namespace ustcp::stack
