// A Linux TUN device: the kernel hands us the IPv4 datagrams it routes to the interface and
// takes the ones we write as if they arrived on it. No link header (IFF_NO_PI), no offloads
// (no IFF_VNET_HDR): every datagram arrives whole, with its checksums computed.
//
//   auto tun = TunDevice::open("tun0");           // attaches, or creates it (root)
//   if (!tun) die(tun.error());                   // a sentence naming the cause
//   tun->configure(Ipv4Addr(198, 18, 0, 1), 24);  // the Linux side's address, link up
//   tun->read(buf); tun->write(datagram);          // non-blocking, one datagram each
//
// A device we created is not persistent: the kernel removes it, with its address and
// route, when the descriptor closes (also when the process dies). A device that existed
// (ip tuntap add ... mode tun) is left as it was found, apart from being brought up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/base/ipv4_addr.hpp"

namespace ustcp::link {

class TunDevice {
 public:
  // Opens /dev/net/tun and attaches to interface `name`, creating it if needed. The error
  // says what is missing: the TUN driver, root (CAP_NET_ADMIN), a free device, a valid name.
  static Expected<TunDevice, std::string> open(const std::string& name);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  ~TunDevice();

  const std::string& name() const { return name_; }
  int fd() const { return fd_; }
  // True when open() created the interface (it goes away when we close it).
  bool created() const { return created_; }

  // Gives the kernel's side of the link `addr`/`prefix_len` (the kernel adds the route to
  // the subnet) and brings the link up. Empty on success, else what failed and why.
  std::string configure(Ipv4Addr addr, int prefix_len);
  // Brings the link up, leaving its addresses alone. Empty on success.
  std::string bring_up();
  // The kernel side's IPv4 address and prefix length, if it has one.
  std::optional<std::pair<Ipv4Addr, int>> kernel_address() const;
  int mtu() const;

  // One datagram into `buf`: its size, 0 when none is waiting, or -errno.
  long read(MutBytes buf);
  // One datagram to the kernel: 0, or -errno (the datagram is dropped, as a full device
  // queue drops it).
  int write(Bytes datagram);

 private:
  TunDevice(int fd, std::string name, bool created)
      : fd_(fd), name_(std::move(name)), created_(created) {}
  std::string ifreq_call(unsigned long request, void* ifr, const char* what) const;
  int fd_ = -1;
  std::string name_;
  bool created_ = false;
};

// A name the kernel accepts for an interface: 1 to 15 bytes, no '/', ':', '%' or spaces.
bool valid_interface_name(const std::string& name);

// The other address of a link: the lowest host address of `addr`/`prefix_len` that is not
// `addr` itself (198.18.0.2/24 -> 198.18.0.1; 198.18.0.1/24 -> 198.18.0.2). nullopt for
// prefixes with no second host (/31 gives the other address, /32 has none).
std::optional<Ipv4Addr> other_host(Ipv4Addr addr, int prefix_len);

}  // namespace ustcp::link
