#include "stack_scenario.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "ustcp/stack/stack.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::fuzz {
namespace {

using namespace std::chrono_literals;
using stack::SocketId;
using stack::Stack;

const Ipv4Addr kClient(10, 0, 0, 1), kServer(10, 0, 0, 2);
constexpr uint16_t kPort = 80;

// The input as a stream of numbers; zeros once it runs out.
class Reader {
 public:
  Reader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool done() const { return i_ >= n_; }
  uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  int16_t s16() { return static_cast<int16_t>(u16()); }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t i_ = 0;
};

// The byte at stream offset `off` of direction `dir` (0: client to server) on connection i.
std::byte pattern(int dir, int i, uint64_t off) {
  return std::byte(static_cast<uint8_t>(off * 131 + off / 251 + dir * 17 + i * 5 + 1));
}

struct Side {
  Stack stack;
  SocketId sock[2];
  bool open[2] = {false, false};
  uint64_t written[2] = {0, 0};  // bytes the application handed to send()
  uint64_t read[2] = {0, 0};     // bytes the application got from recv()
  SeqNum peer_isn[2];            // the peer's ISN on each connection (for forged payload)
  Endpoint local[2], remote[2];
};

class Scenario {
 public:
  Scenario() : c_{Stack(kClient, {}, 1)}, s_{Stack(kServer, {}, 2)} {}

  std::string run(Reader& in) {
    if (!setup()) return "setup: the two connections did not establish";
    for (int ops = 0; !in.done() && ops < 4096 && broken_.empty(); ++ops) step(in);
    if (!broken_.empty()) return broken_;
    return finish();
  }

 private:
  Side& side(int dir) { return dir == 0 ? c_ : s_; }

  void deliver(Stack& from, Stack& to, bool drop) {
    while (auto p = from.poll_transmit(now_)) {
      if (drop) continue;
      std::vector<std::byte> copy(p->begin(), p->end());
      to.receive(now_, copy);
    }
  }
  void pump() {
    for (int round = 0; round < 64; ++round) {
      deliver(c_.stack, s_.stack, false);
      deliver(s_.stack, c_.stack, false);
    }
  }
  void timers() {
    for (Stack* st : {&c_.stack, &s_.stack}) {
      if (auto d = st->next_deadline(); d && *d <= now_) st->on_timer(now_);
    }
  }

  bool setup() {
    listener_ = *s_.stack.socket();
    if (!s_.stack.bind(listener_, {kServer, kPort}) || !s_.stack.listen(listener_, 16))
      return false;
    listener_open_ = true;
    for (int i = 0; i < 2; ++i) {
      c_.sock[i] = *c_.stack.socket();
      (void)c_.stack.connect(now_, c_.sock[i], {kServer, kPort});
      pump();
      auto a = s_.stack.accept(now_, listener_);
      if (!a) return false;
      s_.sock[i] = *a;
      c_.open[i] = s_.open[i] = true;
      const tcp::Connection* cc = c_.stack.connection(c_.sock[i]);
      const tcp::Connection* sc = s_.stack.connection(s_.sock[i]);
      c_.peer_isn[i] = sc->iss();
      s_.peer_isn[i] = cc->iss();
      c_.local[i] = s_.remote[i] = cc->tuple().local;
      c_.remote[i] = s_.local[i] = cc->tuple().remote;
    }
    return true;
  }

  // A forged segment into side `dir` (0: into the server, from the client's address).
  void forge(Reader& in, int into) {
    Side& to = side(into);
    const int i = in.u8() & 1;
    const uint8_t which = in.u8();
    wire::TcpRepr r;
    // Mostly the connection's 4-tuple; sometimes another port (a listener, nothing).
    r.src_port = to.remote[i].port;
    r.dst_port =
        which < 200 ? to.local[i].port : static_cast<uint16_t>(which < 230 ? kPort : in.u16());
    if (which >= 240) r.src_port = in.u16();
    r.flags = in.u8();
    const tcp::Connection* conn = to.open[i] ? to.stack.connection(to.sock[i]) : nullptr;
    const SeqNum rcv = conn ? conn->rcv_nxt() : to.peer_isn[i] + 1;
    const SeqNum snd = conn ? conn->snd_nxt() : SeqNum(0);
    r.seq = rcv + SeqLen(static_cast<uint32_t>(static_cast<int32_t>(in.s16())));
    r.ack = snd + SeqLen(static_cast<uint32_t>(static_cast<int32_t>(in.s16())));
    r.window = in.u16();
    const uint8_t opt = in.u8();
    if (opt & 1) r.options.mss = static_cast<uint16_t>(in.u16() | 1);
    if (opt & 2) r.options.wscale = in.u8() & 15;
    if (opt & 4) r.options.sack_permitted = true;
    if (opt & 8) {
      const uint32_t ecr =
          conn
              ? conn->ts_offset() + static_cast<uint32_t>(now_.time_since_epoch().count() / 1000000)
              : 0;
      r.options.timestamp = wire::TcpTimestamp{
          static_cast<uint32_t>(now_.time_since_epoch().count() / 1000000) + in.u8(),
          ecr - in.u8()};
    }
    if (opt & 16) {
      r.options.sack_count = 1 + (in.u8() & 3);
      for (uint8_t b = 0; b < r.options.sack_count; ++b) {
        const SeqNum left = snd + SeqLen(static_cast<uint32_t>(static_cast<int32_t>(in.s16())));
        r.options.sack[b] = {left, left + SeqLen(in.u8())};
      }
    }
    // Payload: the sender's real pattern at that stream offset.
    std::vector<std::byte> payload(in.u8() % 80);
    const int dir = 1 - into;  // the direction this data flows
    for (size_t k = 0; k < payload.size(); ++k) {
      const uint32_t off = r.seq.since(to.peer_isn[i] + 1).raw() + static_cast<uint32_t>(k);
      payload[k] = pattern(dir, i, off);
    }
    r.payload = payload;
    const Side& from = side(1 - into);
    std::vector<std::byte> d(wire::kIpv4HeaderLen + r.size());
    wire::Ipv4Repr ip;
    ip.src = from.local[i].addr;
    ip.dst = to.local[i].addr;
    ip.payload_len = static_cast<uint16_t>(r.size());
    ip.emit(d);
    r.emit(MutBytes(d).subspan(wire::kIpv4HeaderLen), ip.src, ip.dst);
    to.stack.receive(now_, d);
  }

  void app_send(Reader& in, int dir) {
    Side& sd = side(dir);
    const int i = in.u8() & 1;
    const size_t n = 1 + in.u8() * 8;
    if (!sd.open[i]) return;
    std::vector<std::byte> data(n);
    for (size_t k = 0; k < n; ++k) data[k] = pattern(dir, i, sd.written[i] + k);
    auto r = sd.stack.send(now_, sd.sock[i], data);
    if (r) sd.written[i] += *r;
  }

  void app_recv(Reader& in, int dir) {
    Side& sd = side(dir);
    const int i = in.u8() & 1;
    if (!sd.open[i]) return;
    std::vector<std::byte> buf(1 + in.u8() * 8);
    auto r = sd.stack.recv(now_, sd.sock[i], buf);
    if (!r) return;
    // What this side reads was written by the other side's application.
    for (size_t k = 0; k < *r; ++k) {
      if (buf[k] != pattern(1 - dir, i, (sd.read[i] + k) & 0xffffffffu) &&
          buf[k] != pattern(1 - dir, i, sd.read[i] + k)) {
        broken_ = "data integrity: a byte read differs from the byte written at its offset";
        return;
      }
    }
    sd.read[i] += *r;
  }

  void close_one(Reader& in) {
    const uint8_t which = in.u8() % 5;
    const uint8_t how = in.u8() % 4;  // 0..2 shutdown, 3 close
    if (which == 4) {
      if (listener_open_ && how == 3) {
        (void)s_.stack.close(now_, listener_);
        listener_open_ = false;
      }
      return;
    }
    Side& sd = side(which >> 1);
    const int i = which & 1;
    if (!sd.open[i]) return;
    if (how == 3) {
      (void)sd.stack.close(now_, sd.sock[i]);
      sd.open[i] = false;
    } else {
      (void)sd.stack.shutdown(now_, sd.sock[i], how);
    }
  }

  void step(Reader& in) {
    switch (in.u8() % 10) {
      case 0:
      case 1:
        forge(in, 1);  // into the server
        break;
      case 2:
        forge(in, 0);  // into the client
        break;
      case 3:
        app_send(in, in.u8() & 1);
        break;
      case 4:
        app_recv(in, in.u8() & 1);
        break;
      case 5:
        pump();
        break;
      case 6: {  // drop what one side has sent
        const bool client = in.u8() & 1;
        deliver(client ? c_.stack : s_.stack, client ? s_.stack : c_.stack, true);
        break;
      }
      case 7:
        now_ += std::chrono::milliseconds(1 + in.u16());
        timers();
        break;
      case 8:
        close_one(in);
        break;
      case 9: {  // deliver one datagram one way
        const bool client = in.u8() & 1;
        Stack& from = client ? c_.stack : s_.stack;
        Stack& to = client ? s_.stack : c_.stack;
        if (auto p = from.poll_transmit(now_)) {
          std::vector<std::byte> copy(p->begin(), p->end());
          to.receive(now_, copy);
        }
        break;
      }
    }
  }

  std::string finish() {
    for (Side* sd : {&c_, &s_}) {
      for (int i = 0; i < 2; ++i) {
        if (sd->open[i]) (void)sd->stack.close(now_, sd->sock[i]);
        sd->open[i] = false;
      }
    }
    if (listener_open_) (void)s_.stack.close(now_, listener_);
    // Hours of virtual time, the network delivering everything.
    const TimePoint end = now_ + 6h;
    pump();
    while (now_ < end) {
      TimePoint next = end;
      for (Stack* st : {&c_.stack, &s_.stack}) {
        if (auto d = st->next_deadline()) next = std::min(next, std::max(*d, now_));
      }
      if (next == now_) next = now_ + 1ms;  // never spin on a deadline already served
      now_ = next;
      timers();
      pump();
    }
    for (Side* sd : {&c_, &s_}) {
      const char* who = sd == &c_ ? "client" : "server";
      auto left = [&](const char* what, size_t n) {
        return std::string("leak: after close and 6 h, the ") + who + " holds " +
               std::to_string(n) + " " + what;
      };
      if (size_t n = sd->stack.connection_count()) {
        std::string states;
        for (const auto& row : sd->stack.socket_table()) {
          states += std::string(" ") + tcp::ss_name(row.state);
        }
        return left("connection(s):", n) + states;
      }
      if (size_t n = sd->stack.request_count()) return left("SYN_RECV request(s)", n);
      if (size_t n = sd->stack.time_wait_count()) return left("TIME_WAIT record(s)", n);
      if (sd->stack.next_deadline()) return left("armed timer(s)", 1);
    }
    return "";
  }

  Side c_, s_;
  SocketId listener_;
  bool listener_open_ = false;
  TimePoint now_ = at(1s);
  std::string broken_;
};

}  // namespace

std::string play_stack_scenario(const uint8_t* data, size_t size) {
  Reader in(data, size);
  Scenario s;
  return s.run(in);
}

}  // namespace ustcp::fuzz
