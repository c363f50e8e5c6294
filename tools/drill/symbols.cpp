// Values from Linux's uapi headers (asm-generic/socket.h, linux/tcp.h, asm-generic/fcntl.h,
// asm-generic/poll.h, asm-generic/ioctls.h, asm-generic/errno*.h) for x86-64.
#include "drill/symbols.hpp"

#include <array>
#include <utility>

namespace ustcp::drill {
namespace {

struct Sym {
  std::string_view name;
  int64_t value;
};

constexpr Sym kSymbols[] = {
    // socket(2)
    {"AF_UNSPEC", 0},
    {"AF_INET", 2},
    {"AF_INET6", 10},
    {"PF_INET", 2},
    {"PF_INET6", 10},
    {"SOCK_STREAM", 1},
    {"SOCK_DGRAM", 2},
    {"SOCK_RAW", 3},
    {"SOCK_NONBLOCK", 04000},
    {"SOCK_CLOEXEC", 02000000},
    {"IPPROTO_IP", 0},
    {"IPPROTO_TCP", 6},
    {"IPPROTO_UDP", 17},
    {"IPPROTO_IPV6", 41},
    {"INADDR_ANY", 0},
    // levels and socket options
    {"SOL_SOCKET", 1},
    {"SOL_TCP", 6},
    {"SOL_IP", 0},
    {"SO_DEBUG", 1},
    {"SO_REUSEADDR", 2},
    {"SO_TYPE", 3},
    {"SO_ERROR", 4},
    {"SO_DONTROUTE", 5},
    {"SO_BROADCAST", 6},
    {"SO_SNDBUF", 7},
    {"SO_RCVBUF", 8},
    {"SO_KEEPALIVE", 9},
    {"SO_OOBINLINE", 10},
    {"SO_LINGER", 13},
    {"SO_REUSEPORT", 15},
    {"SO_RCVLOWAT", 18},
    {"SO_SNDLOWAT", 19},
    {"SO_RCVTIMEO", 20},
    {"SO_SNDTIMEO", 21},
    {"SO_ACCEPTCONN", 30},
    {"SO_SNDBUFFORCE", 32},
    {"SO_RCVBUFFORCE", 33},
    {"SO_MARK", 36},
    {"SO_TIMESTAMPING", 37},
    {"SO_ZEROCOPY", 60},
    {"SO_MAX_PACING_RATE", 47},
    {"TCP_NODELAY", 1},
    {"TCP_MAXSEG", 2},
    {"TCP_CORK", 3},
    {"TCP_KEEPIDLE", 4},
    {"TCP_KEEPINTVL", 5},
    {"TCP_KEEPCNT", 6},
    {"TCP_SYNCNT", 7},
    {"TCP_LINGER2", 8},
    {"TCP_DEFER_ACCEPT", 9},
    {"TCP_WINDOW_CLAMP", 10},
    {"TCP_INFO", 11},
    {"TCP_QUICKACK", 12},
    {"TCP_CONGESTION", 13},
    {"TCP_MD5SIG", 14},
    {"TCP_THIN_LINEAR_TIMEOUTS", 16},
    {"TCP_USER_TIMEOUT", 18},
    {"TCP_REPAIR", 19},
    {"TCP_FASTOPEN", 23},
    {"TCP_TIMESTAMP", 24},
    {"TCP_NOTSENT_LOWAT", 25},
    {"TCP_CC_INFO", 26},
    {"TCP_SAVE_SYN", 27},
    {"TCP_SAVED_SYN", 28},
    {"TCP_FASTOPEN_CONNECT", 30},
    {"TCP_ULP", 31},
    {"TCP_FASTOPEN_NO_COOKIE", 34},
    {"TCP_ZEROCOPY_RECEIVE", 35},
    {"TCP_INQ", 36},
    {"TCP_TX_DELAY", 37},
    {"IP_TOS", 1},
    {"IP_TTL", 2},
    {"IP_MTU_DISCOVER", 10},
    // fcntl(2)
    {"F_GETFD", 1},
    {"F_SETFD", 2},
    {"F_GETFL", 3},
    {"F_SETFL", 4},
    {"O_RDONLY", 0},
    {"O_WRONLY", 1},
    {"O_RDWR", 2},
    {"O_NONBLOCK", 04000},
    {"FD_CLOEXEC", 1},
    // send/recv flags
    {"MSG_OOB", 1},
    {"MSG_PEEK", 2},
    {"MSG_DONTROUTE", 4},
    {"MSG_TRUNC", 0x20},
    {"MSG_DONTWAIT", 0x40},
    {"MSG_EOR", 0x80},
    {"MSG_WAITALL", 0x100},
    {"MSG_NOSIGNAL", 0x4000},
    {"MSG_MORE", 0x8000},
    {"MSG_FASTOPEN", 0x20000000},
    {"MSG_ZEROCOPY", 0x4000000},
    {"MSG_ERRQUEUE", 0x2000},
    // shutdown(2)
    {"SHUT_RD", 0},
    {"SHUT_WR", 1},
    {"SHUT_RDWR", 2},
    // poll(2)
    {"POLLIN", 0x1},
    {"POLLPRI", 0x2},
    {"POLLOUT", 0x4},
    {"POLLERR", 0x8},
    {"POLLHUP", 0x10},
    {"POLLNVAL", 0x20},
    {"POLLRDNORM", 0x40},
    {"POLLRDBAND", 0x80},
    {"POLLWRNORM", 0x100},
    {"POLLWRBAND", 0x200},
    {"POLLMSG", 0x400},
    {"POLLRDHUP", 0x2000},
    // ioctl(2)
    {"FIONREAD", 0x541B},
    {"SIOCINQ", 0x541B},
    {"SIOCOUTQ", 0x5411},
    {"SIOCOUTQNSD", 0x894B},
    {"FIONBIO", 0x5421},
    // tcpi_state values (include/net/tcp_states.h)
    {"TCP_ESTABLISHED", 1},
    {"TCP_SYN_SENT", 2},
    {"TCP_SYN_RECV", 3},
    {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5},
    {"TCP_TIME_WAIT", 6},
    {"TCP_CLOSE", 7},
    {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},
    {"TCP_LISTEN", 10},
    {"TCP_CLOSING", 11},
    {"TCP_NEW_SYN_RECV", 12},
    // tcpi_ca_state values
    {"TCP_CA_Open", 0},
    {"TCP_CA_Disorder", 1},
    {"TCP_CA_CWR", 2},
    {"TCP_CA_Recovery", 3},
    {"TCP_CA_Loss", 4},
    // tcpi_options bits
    {"TCPI_OPT_TIMESTAMPS", 1},
    {"TCPI_OPT_SACK", 2},
    {"TCPI_OPT_WSCALE", 4},
    {"TCPI_OPT_ECN", 8},
    {"TCPI_OPT_ECN_SEEN", 16},
    {"TCPI_OPT_SYN_DATA", 32},
};

constexpr Sym kErrnos[] = {
    {"EPERM", 1},
    {"ENOENT", 2},
    {"ESRCH", 3},
    {"EINTR", 4},
    {"EIO", 5},
    {"ENXIO", 6},
    {"E2BIG", 7},
    {"ENOEXEC", 8},
    {"EBADF", 9},
    {"ECHILD", 10},
    {"EAGAIN", 11},
    {"EWOULDBLOCK", 11},
    {"ENOMEM", 12},
    {"EACCES", 13},
    {"EFAULT", 14},
    {"EBUSY", 16},
    {"EEXIST", 17},
    {"ENODEV", 19},
    {"ENOTDIR", 20},
    {"EISDIR", 21},
    {"EINVAL", 22},
    {"ENFILE", 23},
    {"EMFILE", 24},
    {"ENOTTY", 25},
    {"EFBIG", 27},
    {"ENOSPC", 28},
    {"ESPIPE", 29},
    {"EROFS", 30},
    {"EPIPE", 32},
    {"EDOM", 33},
    {"ERANGE", 34},
    {"ENOSYS", 38},
    {"ENODATA", 61},
    {"ETIME", 62},
    {"EPROTO", 71},
    {"EBADMSG", 74},
    {"EOVERFLOW", 75},
    {"ENOTSOCK", 88},
    {"EDESTADDRREQ", 89},
    {"EMSGSIZE", 90},
    {"EPROTOTYPE", 91},
    {"ENOPROTOOPT", 92},
    {"EPROTONOSUPPORT", 93},
    {"ESOCKTNOSUPPORT", 94},
    {"EOPNOTSUPP", 95},
    {"ENOTSUP", 95},
    {"EPFNOSUPPORT", 96},
    {"EAFNOSUPPORT", 97},
    {"EADDRINUSE", 98},
    {"EADDRNOTAVAIL", 99},
    {"ENETDOWN", 100},
    {"ENETUNREACH", 101},
    {"ENETRESET", 102},
    {"ECONNABORTED", 103},
    {"ECONNRESET", 104},
    {"ENOBUFS", 105},
    {"EISCONN", 106},
    {"ENOTCONN", 107},
    {"ESHUTDOWN", 108},
    {"ETIMEDOUT", 110},
    {"ECONNREFUSED", 111},
    {"EHOSTDOWN", 112},
    {"EHOSTUNREACH", 113},
    {"EALREADY", 114},
    {"EINPROGRESS", 115},
};

}  // namespace

// Errno names are constants too: getsockopt(fd, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]).
std::optional<int64_t> symbol_value(std::string_view name) {
  for (const Sym& s : kSymbols)
    if (s.name == name) return s.value;
  if (auto e = errno_value(name)) return *e;
  return std::nullopt;
}

std::optional<int> errno_value(std::string_view name) {
  for (const Sym& s : kErrnos)
    if (s.name == name) return static_cast<int>(s.value);
  return std::nullopt;
}

std::string_view errno_symbol(int e) {
  for (const Sym& s : kErrnos)
    if (s.value == e) return s.name;  // the first name wins: EAGAIN, not EWOULDBLOCK
  return {};
}

}  // namespace ustcp::drill
