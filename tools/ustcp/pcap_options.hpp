// --pcap FILE with tcpdump's -s (--snaplen), -C (--pcap-size) and -W (--pcap-files), for
// every command that writes a capture (demo, transfer, serve, get).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "ustcp/link/pcap_writer.hpp"

namespace ustcp::cli {

struct PcapArgs {
  std::string path;  // --pcap; empty: no capture
  // Kept as text, checked by pcap_options_from() so that the message names the option.
  std::string snaplen, pcap_size;
  uint32_t pcap_files = 0;
};

// Adds --pcap (described as `what`, e.g. "write every datagram to a pcap file"), -s, -C, -W.
void add_pcap_options(CLI::App* cmd, PcapArgs& a, const std::string& what);
// The link::PcapOptions the arguments ask for; false with a message naming the option.
bool pcap_options_from(const PcapArgs& a, link::PcapOptions& p, std::string& error);

}  // namespace ustcp::cli
