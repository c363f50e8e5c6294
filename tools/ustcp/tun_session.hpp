// What `ustcp serve` and `ustcp get` share: a TUN device with the Linux kernel on the other
// side, a Stack and its applications (an apps::Host) driven by the real-time TunLoop, an
// optional pcap of every datagram, the control socket for `ustcp ss`/`ustcp nstat`, and a
// clean stop on SIGINT/SIGTERM: every connection is closed with a FIN and given a moment
// to finish, then the control socket is removed and the device closed (a device we created
// disappears with it).
#pragma once

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "apps/host.hpp"
#include "control.hpp"
#include "introspect.hpp"
#include "trace.hpp"
#include "trace_tap.hpp"
#include "tun_options.hpp"
#include "ustcp/base/expected.hpp"
#include "ustcp/link/pcap_tap.hpp"
#include "ustcp/link/pcap_writer.hpp"
#include "ustcp/link/tun_device.hpp"
#include "ustcp/link/tun_loop.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::cli {

class TunSession {
 public:
  // Checks the options and sets everything up. Errors name the option or the resource and
  // say what to do; `bad_usage` tells exit status 2 (options) from 1 (the machine).
  static std::unique_ptr<TunSession> open(const TunOptions& opts, const std::string& cmd,
                                          std::string& error, bool& bad_usage);
  ~TunSession();

  stack::Stack& stack() { return *stack_; }
  apps::Host& host() { return *host_; }
  Ipv4Addr addr() const { return addr_; }
  // Where describe() and run() report (stdout; stderr when stdout carries data).
  void set_info(std::FILE* out) {
    info_ = out;
    if (tracer_) tracer_->set_out(out);
  }
  // Prints where everything is (device, addresses, control socket, pcap).
  void describe() const;

  // Runs until `step` returns false, a signal arrives or the device fails. After a
  // signal: host().shutdown(), then up to `grace` for the FINs to be acknowledged.
  // Returns the exit status: 0, or 1 when the device failed.
  int run(const std::function<bool(TimePoint now, TimePoint& wake)>& step,
          Duration grace = std::chrono::seconds(3));
  bool interrupted() const { return interrupted_; }

 private:
  TunSession() = default;
  bool signalled();
  // Connections whose FIN is not acknowledged yet (FIN_WAIT_1, CLOSING, LAST_ACK) or that
  // have not closed at all.
  size_t unfinished() const;

  std::string cmd_;
  Ipv4Addr addr_;
  int prefix_ = 0;
  std::optional<link::TunDevice> tun_;
  std::unique_ptr<stack::Stack> stack_;
  std::unique_ptr<apps::Host> host_;
  std::unique_ptr<link::PcapWriter> pcap_;
  std::unique_ptr<link::PcapTap> tap_;
  std::unique_ptr<Tracer> tracer_;  // --trace
  std::unique_ptr<TraceTap> trace_tap_;
  link::Node* top_ = nullptr;  // what the TUN loop drives: the host, wrapped by the taps
  std::optional<ControlServer> control_;
  std::unique_ptr<Introspection> introspect_;
  int signal_fd_ = -1;
  sigset_t old_mask_{};
  bool interrupted_ = false;
  std::FILE* info_ = stdout;
};

}  // namespace ustcp::cli
