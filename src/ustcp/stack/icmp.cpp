// ICMP input: a host answers echo requests (ping) and ignores the other types, as Linux's
// icmp_rcv() does for a host with the default sysctls (icmp_echo_ignore_all = 0). Errors
// about our own datagrams (destination unreachable, ...) are counted and dropped: ustcp
// learns nothing from them, like Linux with TCP and no PMTU discovery beyond the MSS.
#include "ustcp/wire/icmp.hpp"

#include "ustcp/stack/stack.hpp"

namespace ustcp::stack {

void Stack::icmp_input(const wire::Ipv4View& ip) {
  ++mib_.InDelivers;
  ++mib_.InMsgs;
  auto msg = wire::IcmpView::parse(ip.payload());
  if (!msg) {
    ++mib_.InErrors;  // Linux counts a bad checksum in both InCsumErrors and InErrors
    return;
  }
  if (msg->type() != wire::kIcmpEchoRequest) return;
  ++mib_.InEchos;
  ++mib_.InType8;

  // icmp_echo(): the reply goes back from the address the request was sent to, with the
  // request's identifier, sequence number and data. Linux sends ICMP without DF.
  const size_t len = ip.payload().size();
  MutBytes out = outbox_.reserve(wire::kIpv4HeaderLen + len);
  wire::Ipv4Repr hdr;
  hdr.src = ip.dst();
  hdr.dst = ip.src();
  hdr.protocol = wire::kProtoIcmp;
  hdr.ident = ip_id_++;
  hdr.dont_fragment = false;
  hdr.payload_len = static_cast<uint16_t>(len);
  hdr.emit(out);
  wire::emit_echo_reply(*msg, out.subspan(wire::kIpv4HeaderLen));
  ++mib_.OutRequests;
  ++mib_.OutMsgs;
  ++mib_.OutEchoReps;
  ++mib_.OutType0;
}

}  // namespace ustcp::stack
