// Fuzz target: the wire parsers (IPv4, TCP with options). Invariants: parsing never crashes;
// what parses re-emits (with its layout) to options that parse to the same values, in no
// more than the 40 bytes of option space; an emitted segment parses back.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

using namespace ustcp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "wire_parser: invariant broken: %s\n", what);
  __builtin_trap();
}
bool same_options(const wire::TcpOptions& a, const wire::TcpOptions& b) {
  if (a.mss != b.mss || a.wscale != b.wscale || a.sack_permitted != b.sack_permitted) return false;
  if (a.timestamp.has_value() != b.timestamp.has_value()) return false;
  if (a.timestamp && (a.timestamp->val != b.timestamp->val || a.timestamp->ecr != b.timestamp->ecr))
    return false;
  if (a.sack_count != b.sack_count) return false;
  for (int i = 0; i < a.sack_count; ++i) {
    if (a.sack[i].left != b.sack[i].left || a.sack[i].right != b.sack[i].right) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes in(reinterpret_cast<const std::byte*>(data), size);
  (void)wire::Ipv4View::parse(in);
  const Ipv4Addr src(192, 0, 2, 1), dst(192, 0, 2, 2);
  // As a TCP segment without checksum verification, so the fuzzer reaches the options.
  auto seg = wire::TcpView::parse(in, src, dst, /*verify_checksum=*/false);
  if (!seg) return 0;
  const wire::TcpOptions& o = seg->options();
  (void)o.to_string();
  if (o.encoded_len() > wire::kTcpMaxOptionsLen) fail("options longer than 40 bytes");
  wire::TcpRepr r;
  r.src_port = seg->src_port();
  r.dst_port = seg->dst_port();
  r.seq = seg->seq();
  r.ack = seg->ack();
  r.flags = seg->flags();
  r.window = seg->window();
  r.options = o;
  r.payload = seg->payload();
  std::vector<std::byte> out(r.size());
  r.emit(out, src, dst);
  auto again = wire::TcpView::parse(out, src, dst, /*verify_checksum=*/true);
  if (!again) fail("an emitted segment does not parse");
  // Values that fit survive parse -> emit -> parse (emit drops nothing that parse kept:
  // the option space of the original held them all).
  if (!same_options(o, again->options())) fail("options changed through parse -> emit -> parse");
  if (again->payload().size() != seg->payload().size()) fail("payload length changed");
  return 0;
}
