#include "tun_options.hpp"

namespace ustcp::cli {

void add_tun_options(CLI::App* cmd, TunOptions& o, bool addr_required) {
  cmd->add_option("--tun", o.tun, "TUN device to use, created if missing (default ustcp0)");
  auto* addr = cmd->add_option("--addr", o.addr, "ustcp's address on the link, e.g. 198.18.0.2/24");
  if (addr_required) addr->required();
  cmd->add_option("--peer-addr", o.peer_addr,
                  "the Linux side's address (default: the first other host of the subnet; set "
                  "only on a device ustcp creates, or when given)");
  cmd->add_option("--control", o.control,
                  "control socket for `ustcp ss`/`ustcp nstat` (default /run/ustcp/TUN.sock)");
  add_pcap_options(cmd, o.capture, "write every datagram to a pcap file (Wireshark)");
  cmd->add_flag("--trace", o.trace,
                "print every TCP segment and state change as it happens, one line each, as "
                "`ustcp demo` does (seconds since start)");
  add_stack_options(cmd, o.stack);
}

}  // namespace ustcp::cli
