// A Node wrapper that prints what passes through it as `ustcp demo` does (trace.hpp): one
// line per TCP segment received or sent, then the state changes it caused. `serve --trace`
// and `get --trace` put it between the stack's Host and the TUN loop (drivers wrap drivers,
// as PcapTap does).
#pragma once

#include <cstdio>

#include "trace.hpp"
#include "ustcp/link/node.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp::cli {

class TraceTap final : public link::Node {
 public:
  TraceTap(link::Node& inner, Tracer& tracer, Ipv4Addr us)
      : inner_(inner), tracer_(tracer), us_(us) {}

  void receive(TimePoint now, Bytes datagram) override {
    if (auto ip = wire::Ipv4View::parse(datagram)) tracer_.segment(now, ip->src(), datagram);
    inner_.receive(now, datagram);
    tracer_.states();
  }
  std::optional<Bytes> poll_transmit(TimePoint now) override {
    std::optional<Bytes> d = inner_.poll_transmit(now);
    if (d) tracer_.segment(now, us_, *d);
    tracer_.states();
    return d;
  }
  std::optional<TimePoint> next_deadline() const override { return inner_.next_deadline(); }
  void on_timer(TimePoint now) override {
    inner_.on_timer(now);
    tracer_.states();
  }

 private:
  link::Node& inner_;
  Tracer& tracer_;
  Ipv4Addr us_;
};

}  // namespace ustcp::cli
