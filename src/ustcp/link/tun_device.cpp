// TUN through its ioctl interface (Documentation/networking/tuntap.rst): TUNSETIFF on
// /dev/net/tun names the interface, then the usual SIOCSIF* calls on any AF_INET socket
// configure the kernel's side of it, as `ip addr add` and `ip link set up` would.
#include "ustcp/link/tun_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ustcp::link {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

// A short-lived AF_INET socket for the SIOC*IF* calls; closed on scope exit.
struct InetSocket {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~InetSocket() {
    if (fd >= 0) ::close(fd);
  }
};

ifreq request_for(const std::string& name) {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());  // open() checked it fits
  return ifr;
}

void set_sockaddr(sockaddr& sa, uint32_t host_order) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(host_order);
  std::memcpy(&sa, &sin, sizeof sin);
}

uint32_t get_sockaddr(const sockaddr& sa) {
  sockaddr_in sin{};
  std::memcpy(&sin, &sa, sizeof sin);
  return ntohl(sin.sin_addr.s_addr);
}

}  // namespace

bool valid_interface_name(const std::string& name) {
  // dev_valid_name(): not empty, shorter than IFNAMSIZ, not "." or "..", no '/', ':' or
  // whitespace; '%' would be taken as a pattern ("tun%d") by the kernel.
  return !name.empty() && name.size() < IFNAMSIZ && name != "." && name != ".." &&
         name.find_first_of("/ \t\n\r\v\f:%") == std::string::npos;
}

std::optional<Ipv4Addr> other_host(Ipv4Addr addr, int prefix_len) {
  if (prefix_len < 0 || prefix_len > 31) return std::nullopt;
  const uint32_t mask = Ipv4Addr::netmask(prefix_len).raw();
  const uint32_t net = addr.raw() & mask;
  if (prefix_len == 31) return Ipv4Addr(addr.raw() ^ 1);
  // Host addresses run from net+1 to broadcast-1.
  const uint32_t first = net + 1;
  return Ipv4Addr(addr.raw() == first ? first + 1 : first);
}

Expected<TunDevice, std::string> TunDevice::open(const std::string& name) {
  if (!valid_interface_name(name)) {
    return unexpected("invalid interface name '" + name + "' (1 to " +
                      std::to_string(IFNAMSIZ - 1) + " characters, no '/', ':', '%' or spaces)");
  }
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENODEV || e == ENXIO) {
      return unexpected("/dev/net/tun: " + errno_text(e) +
                        ": this machine has no TUN driver (load it with `modprobe tun`; in a "
                        "container, pass the device in, e.g. docker run --device /dev/net/tun)");
    }
    if (e == EACCES || e == EPERM) {
      return unexpected("/dev/net/tun: " + errno_text(e) +
                        ": a TUN device needs root (or CAP_NET_ADMIN); run with sudo");
    }
    return unexpected("/dev/net/tun: " + errno_text(e));
  }
  // Whether it exists decides whether closing it later removes it.
  const bool existed = ::if_nametoindex(name.c_str()) != 0;
  ifreq ifr = request_for(name);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    const int e = errno;
    ::close(fd);
    const std::string what = (existed ? "attaching to TUN device " : "creating TUN device ") + name;
    if (e == EPERM || e == EACCES) {
      return unexpected(what + ": " + errno_text(e) +
                        ": needs root (or CAP_NET_ADMIN); run with sudo");
    }
    if (e == EBUSY)
      return unexpected(what + ": " + errno_text(e) + ": another process has it open");
    if (e == EINVAL && existed) {
      return unexpected(what + ": " + errno_text(e) + ": " + name +
                        " exists and is not a TUN device");
    }
    return unexpected(what + ": " + errno_text(e));
  }
  return TunDevice(fd, name, !existed);
}

TunDevice::TunDevice(TunDevice&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), name_(std::move(o.name_)), created_(o.created_) {}

TunDevice& TunDevice::operator=(TunDevice&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    name_ = std::move(o.name_);
    created_ = o.created_;
  }
  return *this;
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TunDevice::ifreq_call(unsigned long request, void* ifr, const char* what) const {
  InetSocket s;
  if (s.fd < 0) return std::string("socket(AF_INET): ") + errno_text(errno);
  if (::ioctl(s.fd, request, ifr) < 0)
    return std::string(what) + " " + name_ + ": " + errno_text(errno);
  return {};
}

std::string TunDevice::configure(Ipv4Addr addr, int prefix_len) {
  if (prefix_len < 1 || prefix_len > 32)
    return "invalid prefix length " + std::to_string(prefix_len);
  ifreq ifr = request_for(name_);
  set_sockaddr(ifr.ifr_addr, addr.raw());
  if (auto e = ifreq_call(SIOCSIFADDR, &ifr, "setting the address of"); !e.empty()) return e;
  ifr = request_for(name_);
  set_sockaddr(ifr.ifr_netmask, Ipv4Addr::netmask(prefix_len).raw());
  if (auto e = ifreq_call(SIOCSIFNETMASK, &ifr, "setting the netmask of"); !e.empty()) return e;
  return bring_up();
}

std::string TunDevice::bring_up() {
  ifreq ifr = request_for(name_);
  if (auto e = ifreq_call(SIOCGIFFLAGS, &ifr, "reading the flags of"); !e.empty()) return e;
  if (ifr.ifr_flags & IFF_UP) return {};
  ifr.ifr_flags |= IFF_UP;
  return ifreq_call(SIOCSIFFLAGS, &ifr, "bringing up");
}

std::optional<std::pair<Ipv4Addr, int>> TunDevice::kernel_address() const {
  ifreq ifr = request_for(name_);
  if (!ifreq_call(SIOCGIFADDR, &ifr, "").empty()) return std::nullopt;
  const Ipv4Addr addr(get_sockaddr(ifr.ifr_addr));
  ifr = request_for(name_);
  if (!ifreq_call(SIOCGIFNETMASK, &ifr, "").empty()) return std::nullopt;
  return std::pair{addr, __builtin_popcount(get_sockaddr(ifr.ifr_netmask))};
}

int TunDevice::mtu() const {
  ifreq ifr = request_for(name_);
  if (!ifreq_call(SIOCGIFMTU, &ifr, "").empty()) return 1500;
  return ifr.ifr_mtu;
}

long TunDevice::read(MutBytes buf) {
  const ssize_t n = ::read(fd_, buf.data(), buf.size());
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
}

int TunDevice::write(Bytes d) {
  const ssize_t n = ::write(fd_, d.data(), d.size());
  return n < 0 ? -errno : 0;
}

}  // namespace ustcp::link
