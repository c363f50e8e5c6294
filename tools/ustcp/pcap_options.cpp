#include "pcap_options.hpp"

#include <fmt/core.h>

#include "units.hpp"

namespace ustcp::cli {

void add_pcap_options(CLI::App* cmd, PcapArgs& a, const std::string& what) {
  cmd->add_option("--pcap", a.path, what);
  cmd->add_option("-s,--snaplen", a.snaplen,
                  "with --pcap: keep this many bytes of each datagram (tcpdump -s; default 65535)");
  cmd->add_option("-C,--pcap-size", a.pcap_size,
                  "with --pcap: start a new file once one is larger than this (tcpdump -C), "
                  "e.g. 100M; files FILE, FILE1, FILE2, ...");
  cmd->add_option("-W,--pcap-files", a.pcap_files,
                  "with -C: keep a ring of this many files, FILE0.. (tcpdump -W)")
      ->check(CLI::Range(1, 100000));
}

bool pcap_options_from(const PcapArgs& a, link::PcapOptions& p, std::string& error) {
  if ((!a.snaplen.empty() || !a.pcap_size.empty() || a.pcap_files) && a.path.empty()) {
    error = "--snaplen, --pcap-size and --pcap-files need --pcap FILE";
    return false;
  }
  if (!a.snaplen.empty()) {
    auto n = parse_bytes(a.snaplen);
    if (!n || *n < 20 || *n > 65535) {
      error = fmt::format("--snaplen '{}': expected a number of bytes from 20 to 65535", a.snaplen);
      return false;
    }
    p.snaplen = static_cast<uint32_t>(*n);
  }
  if (!a.pcap_size.empty()) {
    auto n = parse_bytes(a.pcap_size);
    if (!n || *n == 0) {
      error = fmt::format("--pcap-size '{}': expected a size like 100M", a.pcap_size);
      return false;
    }
    p.rotate_bytes = *n;
  }
  if (a.pcap_files && !p.rotate_bytes) {
    error = "--pcap-files needs --pcap-size (the size at which a file is full)";
    return false;
  }
  p.max_files = a.pcap_files;
  return true;
}

}  // namespace ustcp::cli
