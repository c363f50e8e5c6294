// Packet lines: `<` builds a datagram from the script's numbers (relative ones mapped to
// live ones) and hands it to the stack; `>` takes what the stack sent on that connection
// and checks it field by field, mapping live numbers back to the script's.
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "drill/session.hpp"
#include "ustcp/wire/ipv4.hpp"

namespace ustcp::drill {

namespace {

using namespace wire::tcp_flags;
using K = TcpOptionSpec::Kind;

uint8_t kind_byte(K k) {
  switch (k) {
    case K::Nop:
      return 1;
    case K::Eol:
      return 0;
    case K::Mss:
      return 2;
    case K::WindowScale:
      return 3;
    case K::SackPermitted:
      return 4;
    case K::Sack:
      return 5;
    case K::Timestamp:
      return 8;
  }
  return 1;
}

// A parsed outbound segment, possibly several merged (segment aggregation).
struct Seen {
  TimePoint at{};
  TimePoint first_at{};
  uint8_t tos = 0;
  uint8_t ttl = 0;
  uint8_t flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t win = 0, urg = 0;
  wire::TcpOptions opts;
  std::vector<std::byte> payload;
};

std::optional<Seen> parse_sent(const Emitted& e, std::string* error) {
  auto ip = wire::Ipv4View::parse(e.data);
  if (!ip) {
    *error = "ustcp sent a malformed IPv4 datagram: " + std::string(to_string(ip.error()));
    return std::nullopt;
  }
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), /*verify_checksum=*/true);
  if (!tcp) {
    *error = "ustcp sent a malformed TCP segment: " + std::string(to_string(tcp.error()));
    return std::nullopt;
  }
  Seen s;
  s.at = s.first_at = e.at;
  s.tos = ip->tos();
  s.ttl = ip->ttl();
  s.flags = tcp->flags();
  s.seq = tcp->seq().raw();
  s.ack = tcp->ack().raw();
  s.win = tcp->window();
  s.urg = tcp->urgent();
  s.opts = tcp->options();
  auto p = tcp->payload();
  s.payload.assign(p.begin(), p.end());
  return s;
}

std::string flags_text(uint8_t f) { return f ? wire::flags_to_string(f) : "-"; }

}  // namespace

// ---- which connection a line is about ----

// packetdrill's rules (run_packet.c): while the socket under test listens, or before any
// socket(), an inbound packet starts a new passive connection: to port 8080 (the script's
// bind port, whichever socket listens), from a new remote port, its first packet's
// sequence number being the remote ISN. Otherwise every packet is the connection under
// test's. Ports written on an inbound line (`40001>8080 S ...`) change only the ports put
// into the datagram, never which connection's numbers are used.
ScriptConn& Session::conn_for_inbound(const PacketSpec& p) {
  if (!current_ && (!under_test_fd_ || under_test_listening_)) {
    ScriptConn c{kScriptPort, next_remote_port_++};
    c.passive = true;
    c.born = ++passive_born_;
    c.remote_isn = p.start;
    conns_[c.key()] = c;
    current_ = c.key();
    under_test_listening_ = false;
  }
  if (!current_)
    throw Failure{ev().pos,
                  "no connection to send this packet on: the socket under test (the last "
                  "socket()) neither listens nor connects"};
  return conns_.at(*current_);
}

// Outbound lines are about the connection under test: packetdrill sees no other, and it
// does not compare the ports written on a `>` line (checked against Linux).
ScriptConn& Session::conn_for_outbound(const PacketSpec&, Pos pos) {
  if (!current_) throw Failure{pos, "no connection under test to expect a packet on"};
  return conns_.at(*current_);
}

// ---- < ----

void Session::inject(const PacketSpec& p) {
  ScriptConn& c = conn_for_inbound(p);
  const bool syn = p.flags & SYN;
  if (syn && !c.remote_isn) c.remote_isn = p.start;

  wire::TcpRepr tcp;
  tcp.src_port = p.sport.value_or(c.remote_port);
  tcp.dst_port = p.dport.value_or(c.local_port);
  // Sequence numbers on a SYN are absolute; otherwise relative to the script's remote ISN.
  tcp.seq = SeqNum(syn ? p.start : c.remote_base() + p.start);
  // Acknowledgements name the stack's bytes: relative to its ISN once known.
  tcp.ack = SeqNum(p.ack ? c.local_base(syn) + *p.ack : 0);
  tcp.flags = p.flags;
  tcp.window = static_cast<uint16_t>(*p.win);
  tcp.urgent = p.urg.value_or(0);
  for (const TcpOptionSpec& o : p.options) {
    if (tcp.options.layout_len >= tcp.options.layout.size())
      throw Failure{o.pos, "too many TCP options"};
    tcp.options.layout[tcp.options.layout_len++] = kind_byte(o.kind);
    switch (o.kind) {
      case K::Nop:
      case K::Eol:
        break;
      case K::Mss:
        tcp.options.mss = static_cast<uint16_t>(o.value);
        break;
      case K::WindowScale:
        tcp.options.wscale = static_cast<uint8_t>(o.value);
        break;
      case K::SackPermitted:
        tcp.options.sack_permitted = true;
        break;
      case K::Sack:
        tcp.options.sack_count = static_cast<uint8_t>(o.sack_blocks.size());
        for (size_t i = 0; i < o.sack_blocks.size(); ++i) {
          tcp.options.sack[i] =
              wire::SackBlock{SeqNum(c.local_base(syn) + o.sack_blocks[i].first),
                              SeqNum(c.local_base(syn) + o.sack_blocks[i].second)};
        }
        break;
      case K::Timestamp: {
        // TS val is the remote's clock, sent as written; ecr names a TS val the stack sent,
        // written in the script's numbers.
        uint32_t ecr = o.ts_ecr;
        if (ecr != 0 && c.ts_offset) ecr += *c.ts_offset;
        tcp.options.timestamp = wire::TcpTimestamp{o.ts_val, ecr};
        break;
      }
    }
  }
  if (tcp.options.encoded_len() > wire::kTcpMaxOptionsLen)
    throw Failure{p.options_pos, "the options take more than 40 bytes"};
  std::vector<std::byte> payload(p.len());
  tcp.payload = payload;

  std::vector<std::byte> dgram(wire::kIpv4HeaderLen + tcp.size());
  wire::Ipv4Repr ip;
  ip.src = kRemoteAddr;
  ip.dst = kLocalAddr;
  ip.ident = ip_id_++;
  ip.ttl = p.ttl.value_or(64);
  ip.tos = static_cast<uint8_t>((p.tos.value_or(0) & 0xfc) | p.ecn.value_or(p.tos.value_or(0) & 3));
  ip.payload_len = static_cast<uint16_t>(tcp.size());
  ip.emit(dgram);
  tcp.emit(MutBytes(dgram).subspan(wire::kIpv4HeaderLen), ip.src, ip.dst);
  trace(secs(clock_) + "  script sent  " + describe(c, dgram, true));
  stack_.receive(clock_, dgram);
  drain();
  retry_blocking();
}

// ---- > ----

void Session::expect_outbound(const PacketSpec& p, TimePoint lo, TimePoint t, TimePoint hi) {
  const Pos pos = ev().pos;
  ScriptConn& c = conn_for_outbound(p, pos);
  std::deque<Emitted>& q = sent_[c.key()];
  auto window = [&] {
    if (lo == TimePoint::min()) return std::string("at any time");
    return "at " + secs(t) + " (" + secs(lo) + " to " + secs(hi) + ")";
  };
  // Wait, in virtual time, for the stack to send something on this connection.
  auto wait_for_one = [&](TimePoint until) {
    while (q.empty()) {
      auto d = stack_.next_deadline();
      if (!d || *d > until) return false;
      step_to(*d);
    }
    return true;
  };
  if (!wait_for_one(hi)) {
    std::string msg = "expected an outbound packet " + window() + ", ustcp sent nothing";
    // Look further ahead, to say when (if ever) it did send something.
    if (wait_for_one(hi + std::chrono::seconds(130))) {
      msg += " in time; its next packet was `" + describe(c, q.front().data, false) + "` at " +
             secs(q.front().at);
    } else {
      msg += " (nor in the 130 s after)";
    }
    throw Failure{pos, msg};
  }
  std::string error;
  Emitted first = q.front();
  q.pop_front();
  std::optional<Seen> got = parse_sent(first, &error);
  if (!got) throw Failure{pos, error};
  auto sent_text = [&](const Emitted& e) {
    return "`" + describe(c, e.data, false) + "` at " + secs(e.at);
  };
  if (first.at < lo) {
    throw Failure{pos, "outbound packet too early: expected " + window() + ", ustcp sent " +
                           sent_text(first)};
  }

  // Segment aggregation: consecutive segments make up a longer expected one (Linux's TSO
  // sends one large segment where ustcp sends several MSS-sized ones).
  const bool wants_more = p.len() > got->payload.size() && !(got->flags & (SYN | RST | FIN));
  size_t merged = 0;
  if (wants_more && !strict_segments_) {
    while (got->payload.size() < p.len()) {
      if (q.empty() && !wait_for_one(hi)) break;
      std::optional<Seen> next = parse_sent(q.front(), &error);
      if (!next) throw Failure{pos, error};
      if (next->seq != got->seq + static_cast<uint32_t>(got->payload.size()) ||
          (next->flags & (SYN | RST)) || next->payload.empty())
        break;
      // packetdrill's aggregate_packets: the headers of the last packet, with the seq and
      // CWR of the first; the PSH (and FIN, CWR) of the others is not compared.
      got->flags = static_cast<uint8_t>((next->flags & ~CWR) | (got->flags & CWR));
      got->ack = next->ack;
      got->win = next->win;
      got->at = next->at;
      got->payload.insert(got->payload.end(), next->payload.begin(), next->payload.end());
      q.pop_front();
      ++merged;
      if (got->flags & FIN) break;
    }
  }

  // Learn the stack's ISN from its first SYN on this connection (a later SYN-ACK on the
  // same 4-tuple, reopened from TIME_WAIT, keeps the first ISN as its origin).
  if ((got->flags & SYN) && !c.local_isn) {
    c.local_isn = got->seq - p.start;
    c.script_local_isn = p.start;
  }
  if ((got->flags & SYN) && (got->flags & ACK) && c.passive) c.synack_seen = true;

  std::vector<std::string> diffs;
  auto num = [](uint32_t v) { return std::to_string(v); };
  if (got->flags != p.flags)
    diffs.push_back("flags " + flags_text(got->flags) + " instead of " + flags_text(p.flags));
  const uint32_t rel_seq = got->seq - c.local_base(got->flags & SYN);
  if (rel_seq != p.start) diffs.push_back("seq " + num(rel_seq) + " instead of " + num(p.start));
  if (got->payload.size() != p.len())
    diffs.push_back("payload " + std::to_string(got->payload.size()) + " bytes instead of " +
                    num(p.len()));
  if (p.ack) {
    // The ACK of a SYN-ACK is absolute (it acknowledges the script's absolute ISN).
    const uint32_t ack = (got->flags & SYN) ? got->ack : got->ack - c.remote_base();
    if (!(got->flags & ACK))
      diffs.push_back("no ACK flag");
    else if (ack != *p.ack)
      diffs.push_back("ack " + num(ack) + " instead of " + num(*p.ack));
  }
  if (p.win && got->win != *p.win)
    diffs.push_back("win " + num(got->win) + " instead of " + num(*p.win));
  if (p.urg && got->urg != *p.urg)
    diffs.push_back("urg " + num(got->urg) + " instead of " + num(*p.urg));
  if (p.tos && (got->tos & 0xfc) != (*p.tos & 0xfc))
    diffs.push_back("tos " + num(got->tos) + " instead of " + num(*p.tos));
  if (p.ecn && (got->tos & 3) != *p.ecn)
    diffs.push_back("ECN bits " + num(got->tos & 3) + " instead of " + num(*p.ecn));
  if (p.ttl && got->ttl != *p.ttl)
    diffs.push_back("ttl " + num(got->ttl) + " instead of " + num(*p.ttl));
  for (std::byte b : got->payload) {
    if (b != std::byte{0}) {
      diffs.push_back("payload bytes differ from the zero-filled buffer written");
      break;
    }
  }
  if (!p.any_options) {
    const wire::TcpOptions& o = got->opts;
    std::vector<uint8_t> kinds(o.layout.begin(), o.layout.begin() + o.layout_len);
    // Trailing EOL/padding is not an option the script writes.
    bool same_kinds = kinds.size() == p.options.size();
    for (size_t i = 0; same_kinds && i < kinds.size(); ++i)
      same_kinds = kinds[i] == kind_byte(p.options[i].kind);
    if (!same_kinds) {
      diffs.push_back("options <" + o.to_string() + "> instead of the ones written");
    } else {
      for (const TcpOptionSpec& s : p.options) {
        switch (s.kind) {
          case K::Mss:
            if (o.mss != s.value)
              diffs.push_back("mss " + num(o.mss.value_or(0)) + " instead of " + num(s.value));
            break;
          case K::WindowScale:
            if (o.wscale != s.value)
              diffs.push_back("wscale " + num(o.wscale.value_or(0)) + " instead of " +
                              num(s.value));
            break;
          case K::Timestamp:
            // TS val is the stack's clock, taken as the script's from the first `>` on
            // (the offset also maps later ecrs). With --tcp_ts_tick_usecs, packetdrill's
            // verify_outbound_tcp_option(): off by at most the tolerance, in ticks, where
            // the tolerance grows with the time since the script started.
            if (o.timestamp) {
              if (!c.ts_offset) c.ts_offset = o.timestamp->val - s.ts_val;
              const auto off = static_cast<int32_t>(o.timestamp->val - *c.ts_offset - s.ts_val);
              const int64_t since_start =
                  std::chrono::duration_cast<std::chrono::microseconds>(t - TimePoint{}).count();
              const int64_t tol =
                  std::max(tolerance_us_, static_cast<int64_t>(static_cast<double>(since_start) *
                                                               tolerance_percent_ / 100.0));
              if (ts_tick_us_ && std::abs(int64_t{off}) * ts_tick_us_ > tol)
                diffs.push_back("TS val " + num(o.timestamp->val - *c.ts_offset) + " instead of " +
                                num(s.ts_val) + " (" + std::to_string(ts_tick_us_) +
                                " us a tick, tolerance " + std::to_string(tol) + " us)");
              if (o.timestamp->ecr != s.ts_ecr)
                diffs.push_back("TS ecr " + num(o.timestamp->ecr) + " instead of " + num(s.ts_ecr));
            }
            break;
          case K::Sack: {
            bool same = o.sack_count == s.sack_blocks.size();
            for (size_t i = 0; same && i < s.sack_blocks.size(); ++i) {
              same = o.sack[i].left.raw() - c.remote_base() == s.sack_blocks[i].first &&
                     o.sack[i].right.raw() - c.remote_base() == s.sack_blocks[i].second;
            }
            if (!same) diffs.push_back("SACK blocks differ");
            break;
          }
          default:
            break;
        }
      }
    }
  }
  if (!diffs.empty()) {
    std::string why;
    for (const std::string& d : diffs) why += (why.empty() ? "" : "; ") + d;
    std::string text = describe(c, first.data, false);
    if (merged) text += " and " + std::to_string(merged) + " following segments (merged)";
    throw Failure{pos, "outbound packet mismatch: " + why + "\n  expected " + window() + ": " +
                           s_.where(pos).text + "\n  ustcp sent at " + secs(got->first_at) +
                           ":  > " + text};
  }
  anchor_ = got->at;
  clock_ = std::max(clock_, got->at);
}

// "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 12 ecr 5>" in the script's numbers.
std::string Session::describe(const ScriptConn& c, const std::vector<std::byte>& datagram,
                              bool with_ports) const {
  auto ip = wire::Ipv4View::parse(datagram);
  if (!ip) return "(malformed IPv4 datagram)";
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), false);
  if (!tcp) return "(malformed TCP segment)";
  const bool outbound = ip->src() == kLocalAddr;
  const bool syn = tcp->has(SYN);
  // Map live numbers to the script's: the stack's side relative to its ISN, the remote's
  // relative to the script's remote ISN (SYNs, and a SYN-ACK's ack, stay absolute).
  uint32_t own_base = outbound ? c.local_base(syn) : c.remote_base();
  uint32_t peer_base = outbound ? c.remote_base() : c.local_base(syn);
  uint32_t seq = syn && !outbound ? tcp->seq().raw() : tcp->seq().raw() - own_base;
  uint32_t len = static_cast<uint32_t>(tcp->payload().size());
  std::ostringstream os;
  if (with_ports)
    os << (outbound ? "> " : "< ") << tcp->src_port() << ">" << tcp->dst_port() << " ";
  os << flags_text(tcp->flags()) << " " << seq << ":" << seq + len << "(" << len << ")";
  if (tcp->has(ACK)) {
    uint32_t ack = (syn && outbound) ? tcp->ack().raw() : tcp->ack().raw() - peer_base;
    os << " ack " << ack;
  }
  os << " win " << tcp->window();
  if (tcp->urgent()) os << " urg " << tcp->urgent();
  const wire::TcpOptions& o = tcp->options();
  if (o.layout_len > 0) {
    os << " <";
    for (size_t i = 0; i < o.layout_len; ++i) {
      if (i) os << ",";
      switch (o.layout[i]) {
        case 0:
          os << "eol";
          break;
        case 1:
          os << "nop";
          break;
        case 2:
          os << "mss " << o.mss.value_or(0);
          break;
        case 3:
          os << "wscale " << int{o.wscale.value_or(0)};
          break;
        case 4:
          os << "sackOK";
          break;
        case 5:
          os << "sack";
          for (size_t b = 0; b < o.sack_count; ++b)
            os << " " << o.sack[b].left.raw() - peer_base << ":"
               << o.sack[b].right.raw() - peer_base;
          break;
        case 8:
          if (o.timestamp) {
            uint32_t val = o.timestamp->val, ecr = o.timestamp->ecr;
            if (outbound && c.ts_offset) val -= *c.ts_offset;
            if (!outbound && c.ts_offset && ecr) ecr -= *c.ts_offset;
            os << "TS val " << val << " ecr " << ecr;
          }
          break;
        default:
          os << "kind " << int{o.layout[i]};
          break;
      }
    }
    os << ">";
  }
  return os.str();
}

}  // namespace ustcp::drill
