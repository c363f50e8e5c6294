#include "trace.hpp"

#include <fmt/core.h>

#include "introspect.hpp"
#include "ss_print.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {

std::string Tracer::host_name(Ipv4Addr a) const {
  for (const Host& h : hosts_) {
    for (Ipv4Addr x : h.stack->addresses()) {
      if (x == a) return h.name;
    }
  }
  return a.to_string();
}

void Tracer::segment(TimePoint t, Ipv4Addr from, Bytes datagram) {
  auto ip = wire::Ipv4View::parse(datagram);
  if (!ip) return;
  auto seg = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), false);
  if (!seg) return;
  const uint64_t src = (uint64_t{ip->src().raw()} << 16) | seg->src_port();
  const uint64_t dst = (uint64_t{ip->dst().raw()} << 16) | seg->dst_port();
  if (seg->has(wire::tcp_flags::SYN)) isn_[{src, dst}] = seg->seq().raw();
  auto rel = [&](uint64_t a, uint64_t b, uint32_t v) -> uint32_t {
    auto it = isn_.find({a, b});
    return it == isn_.end() ? v : v - it->second;
  };
  std::string line = fmt::format(
      "{:9.6f}  {:>6} > {:<6} {:<4} seq {:<8} ack {:<8} win {:<6} len {:<5}",
      to_seconds(t - origin_), host_name(from), host_name(ip->dst()),
      wire::flags_to_string(seg->flags()), rel(src, dst, seg->seq().raw()),
      seg->has(wire::tcp_flags::ACK) ? fmt::format("{}", rel(dst, src, seg->ack().raw())) : "-",
      seg->window(), seg->payload().size());
  // SACK blocks are numbers of the ack's sequence space: relative to the other direction's
  // first sequence number, as the ack is (tcpdump shows both so, unless -S).
  wire::TcpOptions options = seg->options();
  if (auto it = isn_.find({dst, src}); it != isn_.end()) {
    for (uint8_t b = 0; b < options.sack_count && b < options.sack.size(); ++b) {
      options.sack[b].left = SeqNum(options.sack[b].left.raw() - it->second);
      options.sack[b].right = SeqNum(options.sack[b].right.raw() - it->second);
    }
  }
  std::string opts = options.to_string();
  if (!opts.empty()) line += " <" + opts + ">";
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);  // live traffic (serve --trace): each line as it happens
}

Tracer::Tracer(std::vector<Host> hosts, std::FILE* out, TimePoint origin)
    : hosts_(std::move(hosts)), out_(out), origin_(origin) {
  for (Host& h : hosts_) h.stack->enable_state_log(true);
}

void Tracer::states() {
  for (Host& h : hosts_) {
    for (const tcp::StateChange& c : h.stack->take_state_log()) {
      fmt::print(out_, "{:9.6f}  * {} {} {}: {} -> {}\n", to_seconds(c.at - origin_), h.name,
                 c.tuple.local.to_string(), c.tuple.remote.to_string(),
                 c.from == tcp::State::Close ? "CLOSED" : tcp::ss_name(c.from),
                 c.to == tcp::State::Close ? "CLOSED" : tcp::ss_name(c.to));
    }
  }
}

std::string ss_tan_text(const stack::Stack& s, TimePoint now) {
  SsOptions o;
  o.states = kAllStates;
  o.numeric = true;
  return ss_table_text(ss_data(s, now, 0), o);
}

void print_socket_table(std::FILE* out, const std::string& title, const stack::Stack& s,
                        TimePoint now) {
  fmt::print(out, "{}\n{}", title, ss_tan_text(s, now));
}

}  // namespace ustcp::cli
