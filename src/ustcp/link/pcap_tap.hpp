// A Node that wraps another Node and records every datagram it receives and transmits in
// a PcapWriter: what tcpdump on that host's interface would show. Drivers wrap drivers
// (STYLE.md 9): any driver that moves datagrams to and from a Node (SimNetwork, the TUN
// loop, the packetdrill interpreter) can be given a PcapTap instead of the Node itself.
//
//   PcapWriter pcap("client.pcap");
//   PcapTap tap(client, pcap);
//   net.attach(tap, client_addr);
//
// Received datagrams are stamped when they arrive, transmitted ones when the driver polls
// them. The tap holds references: the inner Node and the writer must outlive it.
#pragma once

#include <optional>

#include "ustcp/link/node.hpp"
#include "ustcp/link/pcap_writer.hpp"

namespace ustcp::link {

class PcapTap final : public Node {
 public:
  PcapTap(Node& inner, PcapWriter& writer) : inner_(inner), writer_(writer) {}

  void receive(TimePoint now, Bytes datagram) override {
    writer_.write(now, datagram);
    inner_.receive(now, datagram);
  }
  std::optional<Bytes> poll_transmit(TimePoint now) override {
    std::optional<Bytes> datagram = inner_.poll_transmit(now);
    if (datagram) writer_.write(now, *datagram);
    return datagram;
  }
  std::optional<TimePoint> next_deadline() const override { return inner_.next_deadline(); }
  void on_timer(TimePoint now) override { inner_.on_timer(now); }

  Node& wrapped() const { return inner_; }

 private:
  Node& inner_;
  PcapWriter& writer_;
};

}  // namespace ustcp::link
