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
  cmd->add_option("--pcap", o.pcap, "write every datagram to a pcap file (Wireshark)");
  cmd->add_option("-s,--snaplen", o.snaplen,
                  "with --pcap: keep this many bytes of each datagram (tcpdump -s; default 65535)");
  cmd->add_option("-C,--pcap-size", o.pcap_size,
                  "with --pcap: start a new file once one is larger than this (tcpdump -C), "
                  "e.g. 100M; files FILE, FILE1, FILE2, ...");
  cmd->add_option("-W,--pcap-files", o.pcap_files,
                  "with -C: keep a ring of this many files, FILE0.. (tcpdump -W)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--trace", o.trace,
                "print every TCP segment and state change as it happens, one line each, as "
                "`ustcp demo` does (seconds since start)");
  add_stack_options(cmd, o.stack);
}

}  // namespace ustcp::cli
