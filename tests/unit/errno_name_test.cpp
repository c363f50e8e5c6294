// errno_name() spells every errno the stack and its applications report, so a message
// says "EHOSTUNREACH", never "E?".
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "ustcp/stack/stack.hpp"

namespace ustcp::stack {
namespace {

TEST(ErrnoName, NamesEveryErrnoTheStackReturns) {
  const std::pair<int, const char*> known[] = {
      {EAGAIN, "EAGAIN"},
      {EINPROGRESS, "EINPROGRESS"},
      {EALREADY, "EALREADY"},
      {EISCONN, "EISCONN"},
      {ENOTCONN, "ENOTCONN"},
      {ECONNREFUSED, "ECONNREFUSED"},
      {ECONNRESET, "ECONNRESET"},
      {ETIMEDOUT, "ETIMEDOUT"},
      {EPIPE, "EPIPE"},
      {EADDRINUSE, "EADDRINUSE"},
      {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
      {EBADF, "EBADF"},
      {EINVAL, "EINVAL"},
      {ENOPROTOOPT, "ENOPROTOOPT"},
      {ENOBUFS, "ENOBUFS"},
      {EACCES, "EACCES"},
      {EPERM, "EPERM"},
      {EOPNOTSUPP, "EOPNOTSUPP"},
      {ENETUNREACH, "ENETUNREACH"},
      {EHOSTUNREACH, "EHOSTUNREACH"},
      {EMFILE, "EMFILE"},
      {EMSGSIZE, "EMSGSIZE"},
  };
  for (const auto& [e, name] : known) EXPECT_STREQ(errno_name(e), name) << e;
  EXPECT_STREQ(errno_name(0), "0");
  EXPECT_STREQ(errno_name(-12345), "E?");  // not an errno: said so, not guessed
}

}  // namespace
}  // namespace ustcp::stack
