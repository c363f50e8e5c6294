// ICMP input: a host answers echo requests (ping) and ignores the other types, as Linux's
// icmp_rcv() does for a host with the default sysctls (icmp_echo_ignore_all = 0). Errors
// about our own datagrams (destination unreachable, ...) are counted and dropped: ustcp
// learns nothing from them, like Linux with TCP and no PMTU discovery beyond the MSS.
#include "ustcp/wire/icmp.hpp"

#include "ustcp/stack/stack.hpp"

namespace ustcp::stack {

void Stack::icmp_input(const wire::Ipv4View& ip) {
  ++mib_.IpInDelivers;
  ++mib_.IcmpInMsgs;
  auto msg = wire::IcmpView::parse(ip.payload());
  if (!msg) {
    // icmp_rcv(): a bad checksum counts in InCsumErrors and InErrors, a short one in InErrors.
    if (msg.error() == wire::ParseError::BadIcmpChecksum) ++mib_.IcmpInCsumErrors;
    ++mib_.IcmpInErrors;
    return;
  }
  mib_.count_icmp_in(msg->type());  // IcmpMsg InTypeN (and InEchos, InDestUnreachs, ...)
  if (msg->type() != wire::kIcmpEchoRequest) return;

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
  count_ip_out(wire::kIpv4HeaderLen + len);
  ++mib_.IcmpOutMsgs;
  mib_.count_icmp_out(wire::kIcmpEchoReply);
}

}  // namespace ustcp::stack
