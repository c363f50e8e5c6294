// Counter and state printing: /proc/net/snmp, /proc/net/netstat, nstat and netstat state
// counts, on hand-made counters and on a Stack driven with literal datagrams.
#include "ustcp/stack/netstat.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <vector>

#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::stack {
namespace {

using namespace std::chrono_literals;
using namespace wire::tcp_flags;

const Ipv4Addr kLocal(192, 168, 0, 1);
const Ipv4Addr kRemote(192, 0, 2, 1);

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A name line and a value line of /proc/net/snmp or netstat, zipped: "Tcp:" -> {name: value}.
std::vector<std::pair<std::string, std::string>> zip(const std::string& names,
                                                     const std::string& values) {
  auto n = words(names), v = words(values);
  EXPECT_EQ(n.size(), v.size());
  EXPECT_EQ(n.at(0), v.at(0));
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 1; i < n.size() && i < v.size(); ++i) out.emplace_back(n[i], v[i]);
  return out;
}

std::vector<std::byte> datagram(Ipv4Addr src, Ipv4Addr dst, const wire::TcpRepr& seg) {
  std::vector<std::byte> buf(wire::kIpv4HeaderLen + seg.size());
  wire::Ipv4Repr ip{.src = src, .dst = dst, .payload_len = static_cast<uint16_t>(seg.size())};
  ip.emit(buf);
  seg.emit(std::span(buf).subspan(wire::kIpv4HeaderLen), src, dst);
  return buf;
}

// The stack's next datagram, parsed as TCP.
wire::TcpRepr next_segment(Stack& s, TimePoint now) {
  auto out = s.poll_transmit(now);
  EXPECT_TRUE(out.has_value());
  if (!out) return {};
  auto ip = wire::Ipv4View::parse(*out);
  EXPECT_TRUE(ip);
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst());
  EXPECT_TRUE(tcp);
  return tcp->repr();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// -------------------------------------------------------------- hand-made counters

TEST(Netstat, NstatLineLayoutIsNstats) {
  tcp::Counters c;
  c.ActiveOpens = 2;
  c.ListenOverflows = 3;
  c.IpInReceives = 123456;
  EXPECT_EQ(nstat_text(nstat_rows(c, 0)),
            "#kernel\n"
            "IpInReceives                    123456             0.0\n"
            "TcpActiveOpens                  2                  0.0\n"
            "TcpExtListenOverflows           3                  0.0\n");
}

// Every counter Linux 6.18 prints in /proc/net/snmp and /proc/net/netstat for IPv4, group by
// group, in nstat's order; the constants left out, TcpCurrEstab in.
TEST(Netstat, NstatZerosListsEveryLinuxCounter) {
  tcp::Counters c;
  const auto rows = nstat_rows(c, 0);
  std::vector<std::pair<std::string, int>> runs;  // (group, count) in order
  for (const NstatRow& r : rows) {
    std::string group;
    for (const char* g : {"IpExt", "Ip", "Icmp", "TcpExt", "Tcp", "UdpLite", "Udp"}) {
      if (r.name.starts_with(g)) {
        group = g;
        break;
      }
    }
    ASSERT_FALSE(group.empty()) << r.name;
    if (runs.empty() || runs.back().first != group) runs.emplace_back(group, 0);
    ++runs.back().second;
  }
  const std::vector<std::pair<std::string, int>> linux_6_18 = {
      {"Ip", 18}, {"Icmp", 29},   {"Tcp", 11},  // 10 counters + TcpCurrEstab
      {"Udp", 9}, {"UdpLite", 9}, {"TcpExt", 135}, {"IpExt", 18},
  };
  EXPECT_EQ(runs, linux_6_18);

  const std::string z = nstat_text(rows, NstatFormat{.zeros = true});
  auto lines = split(z, '\n');
  ASSERT_EQ(lines.size(), rows.size() + 1);
  EXPECT_EQ(lines[0], "#kernel");
  EXPECT_EQ(lines[1], "IpInReceives                    0                  0.0");
  // nstat.c useless_numbers: the constants are never listed.
  for (const char* useless : {"IpForwarding", "IpDefaultTTL", "TcpRtoAlgorithm", "TcpRtoMin",
                              "TcpRtoMax", "TcpMaxConn"}) {
    EXPECT_EQ(z.find(std::string(useless) + " "), std::string::npos) << useless;
  }
  // Where /proc/net/snmp has it.
  EXPECT_NE(z.find("TcpEstabResets                  0                  0.0\n"
                   "TcpCurrEstab                    0                  0.0\n"
                   "TcpInSegs "),
            std::string::npos);
  // Names shared by several groups exist once per group.
  for (const char* name :
       {"IpExtInCsumErrors ", "IcmpInCsumErrors ", "TcpInCsumErrors ", "UdpInCsumErrors ",
        "UdpLiteInCsumErrors ", "IcmpInErrors ", "UdpInErrors ", "UdpLiteInErrors "}) {
    EXPECT_NE(z.find(std::string("\n") + name), std::string::npos) << name;
  }
  EXPECT_EQ(nstat_text(rows), "#kernel\n");
}

TEST(Netstat, NstatIncrementsSinceAHistory) {
  tcp::Counters before;
  before.ActiveOpens = 5;
  before.OutSegs = 10;
  before.TCPTimeouts = 4;
  tcp::Counters now = before;
  now.ActiveOpens = 7;
  now.TCPTimeouts = 1;  // went backwards: nstat prints 0 and says so
  now.TCPLossProbes = 3;
  const auto incr = nstat_increments(nstat_rows(now, 2), nstat_rows(before, 1));
  EXPECT_EQ(nstat_text(incr),
            "#kernel\n"
            "TcpActiveOpens                  2                  0.0\n"
            "TcpCurrEstab                    2                  0.0\n"  // a gauge: as it is
            "TcpExtTCPLossProbes             3                  0.0\n");
  EXPECT_NE(nstat_text(incr, {.zeros = true})
                .find("TcpExtTCPTimeouts               0                  0.0 (overflow)\n"),
            std::string::npos);
  // The gauge is activity only when it moved; -z shows its value all the same.
  const auto idle = nstat_increments(nstat_rows(now, 2), nstat_rows(now, 2));
  EXPECT_EQ(nstat_text(idle), "#kernel\n");
  EXPECT_NE(nstat_text(idle, {.zeros = true}).find("TcpCurrEstab                    2 "),
            std::string::npos);
  // A name missing from the history counts from 0.
  EXPECT_EQ(nstat_text(nstat_increments(nstat_rows(now, 0), {})), nstat_text(nstat_rows(now, 0)));
}

TEST(Netstat, NstatJsonAsIproute2PrintsIt) {
  tcp::Counters c;
  c.ActiveOpens = 2;
  c.TCPDelivered = 40;
  const auto rows = nstat_rows(c, 1);
  EXPECT_EQ(nstat_text(rows, {.json = true}),
            "{\"kernel\":{\"TcpActiveOpens\":2,\"TcpCurrEstab\":1,\"TcpExtTCPDelivered\":40}}\n");
  EXPECT_EQ(nstat_text(rows, {.json = true, .pretty = true}),
            "{\n"
            "    \"kernel\": {\n"
            "        \"TcpActiveOpens\": 2,\n"
            "        \"TcpCurrEstab\": 1,\n"
            "        \"TcpExtTCPDelivered\": 40\n"
            "    }\n"
            "}\n");
  EXPECT_EQ(nstat_text({}, {.json = true}), "{\"kernel\":{}}\n");
  EXPECT_EQ(nstat_text({}, {.json = true, .pretty = true}), "{\n    \"kernel\": {}\n}\n");
  const std::string all = nstat_text(rows, {.zeros = true, .json = true});
  EXPECT_NE(all.find("\"UdpLiteMemErrors\":0,"), std::string::npos);
}

TEST(Netstat, SnmpHasLinuxsConstantsAndCurrEstabInPlace) {
  tcp::Counters c;
  c.ActiveOpens = 4;
  c.EstabResets = 1;
  c.InSegs = 9;
  c.IpInReceives = 11;
  const auto lines = split(snmp_text(c, 3), '\n');
  ASSERT_EQ(lines.size(), 10u);  // Ip, Icmp, Tcp, Udp and UdpLite pairs (no IcmpMsg yet)
  // snmp4_tcp_list order (net/ipv4/proc.c).
  EXPECT_EQ(lines[4],
            "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
            "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors");
  EXPECT_EQ(lines[5], "Tcp: 1 200 120000 -1 4 0 0 1 3 9 0 0 0 0 0");
  EXPECT_EQ(lines[0],
            "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
            "InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes "
            "ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates "
            "OutTransmits");
  EXPECT_PRED2(starts_with, lines[1], "Ip: 2 64 11 0 ");
  EXPECT_PRED2(starts_with, lines[2], "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs ");
  EXPECT_EQ(lines[6],
            "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
            "InCsumErrors IgnoredMulti MemErrors");
  EXPECT_PRED2(starts_with, lines[8], "UdpLite: InDatagrams ");
}

TEST(Netstat, SnmpIcmpMsgListsNonzeroTypesSixteenAPair) {
  tcp::Counters c;
  for (int type = 0; type < 17; ++type) c.count_icmp_in(static_cast<uint8_t>(type));
  c.count_icmp_out(0);
  c.count_icmp_out(0);
  const auto lines = split(snmp_text(c, 0), '\n');
  ASSERT_EQ(lines.size(), 14u);
  EXPECT_EQ(lines[4],
            "IcmpMsg: InType0 InType1 InType2 InType3 InType4 InType5 InType6 InType7 InType8 "
            "InType9 InType10 InType11 InType12 InType13 InType14 InType15");
  EXPECT_EQ(lines[5], "IcmpMsg: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1");
  EXPECT_EQ(lines[6], "IcmpMsg: InType16 OutType0");
  EXPECT_EQ(lines[7], "IcmpMsg: 1 2");
  EXPECT_PRED2(starts_with, lines[8], "Tcp: ");
  // icmpmibmap: the named types count in Icmp too (echo reply, dest unreachable, ...).
  EXPECT_EQ(c.IcmpInEchoReps, 1u);
  EXPECT_EQ(c.IcmpInDestUnreachs, 1u);
  EXPECT_EQ(c.IcmpInEchos, 1u);
  EXPECT_EQ(c.IcmpOutEchoReps, 2u);
  EXPECT_EQ(c.IcmpOutEchos, 0u);
}

TEST(Netstat, NetstatHasTheTcpExtAndIpExtPairs) {
  tcp::Counters c;
  c.SyncookiesSent = 1;
  c.ListenOverflows = 3;
  c.ListenDrops = 3;
  c.IpExtInOctets = 60;
  const std::string text = netstat_text(c);
  const auto lines = split(text, '\n');
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_PRED2(starts_with, lines[0], "TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ");
  EXPECT_PRED2(starts_with, lines[1], "TcpExt: 1 0 0 ");
  for (const auto& [name, value] : zip(lines[0], lines[1])) {
    const bool set = name == "SyncookiesSent" || name == "ListenOverflows" || name == "ListenDrops";
    EXPECT_EQ(value, set ? (name == "SyncookiesSent" ? "1" : "3") : "0") << name;
  }
  EXPECT_EQ(lines[2],
            "IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts "
            "InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets "
            "InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps");
  EXPECT_EQ(lines[3], "IpExt: 0 0 0 0 0 0 60 0 0 0 0 0 0 0 0 0 0 0");
  EXPECT_EQ(text.find("Tcp: "), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(Netstat, StateCountsSortedByName) {
  std::vector<SocketRow> rows = {
      {.state = tcp::State::TimeWait},  {.state = tcp::State::Established},
      {.state = tcp::State::Listen},    {.state = tcp::State::TimeWait},
      {.state = tcp::State::CloseWait}, {.state = tcp::State::FinWait2},
  };
  EXPECT_EQ(state_counts(rows),
            "CLOSE_WAIT 1\n"
            "ESTABLISHED 1\n"
            "FIN_WAIT2 1\n"
            "TIME_WAIT 2\n");
  EXPECT_EQ(state_counts(rows, /*include_listen=*/true),
            "CLOSE_WAIT 1\n"
            "ESTABLISHED 1\n"
            "FIN_WAIT2 1\n"
            "LISTEN 1\n"
            "TIME_WAIT 2\n");
  EXPECT_EQ(state_counts(std::vector<SocketRow>{}), "");
}

// -------------------------------------------------------------- a driven Stack

TEST(Netstat, MalformedDatagramCountsInHdrErrors) {
  Stack s(kLocal);
  std::vector<std::byte> junk(12, std::byte{0x45});
  s.receive(at(0s), junk);
  EXPECT_EQ(nstat_text(s),
            "#kernel\n"
            "IpInReceives                    1                  0.0\n"
            "IpInHdrErrors                   1                  0.0\n"
            "IpExtInOctets                   12                 0.0\n");
  const auto lines = split(snmp_text(s), '\n');
  ASSERT_EQ(lines.size(), 10u);  // Ip, Icmp, Tcp, Udp and UdpLite pairs
  for (const auto& [name, value] : zip(lines[0], lines[1])) {
    if (name == "InReceives" || name == "InHdrErrors") {
      EXPECT_EQ(value, "1") << name;
    }
  }
}

TEST(Netstat, SynToAClosedPortCountsOutRsts) {
  Stack s(kLocal);
  wire::TcpRepr syn{
      .src_port = 40000, .dst_port = 9, .seq = SeqNum(1000), .flags = SYN, .window = 65535};
  s.receive(at(0s), datagram(kRemote, kLocal, syn));
  const wire::TcpRepr rst = next_segment(s, at(0s));
  EXPECT_EQ(rst.flags, RST | ACK);
  // A 20-byte SYN in a 20-byte IP header in, a 20-byte RST out.
  EXPECT_EQ(nstat_text(s),
            "#kernel\n"
            "IpInReceives                    1                  0.0\n"
            "IpInDelivers                    1                  0.0\n"
            "IpOutRequests                   1                  0.0\n"
            "IpOutTransmits                  1                  0.0\n"
            "TcpInSegs                       1                  0.0\n"
            "TcpOutSegs                      1                  0.0\n"
            "TcpOutRsts                      1                  0.0\n"
            "IpExtInOctets                   40                 0.0\n"
            "IpExtOutOctets                  40                 0.0\n"
            "IpExtInNoECTPkts                1                  0.0\n");
  const auto lines = split(snmp_text(s), '\n');
  ASSERT_EQ(lines.size(), 10u);  // Ip, Icmp, Tcp, Udp and UdpLite pairs
  EXPECT_PRED2(starts_with, lines[5], "Tcp: 1 200 120000 -1 0 0 0 0 0 1 ");
  for (const auto& [name, value] : zip(lines[4], lines[5])) {
    if (name == "OutRsts" || name == "InSegs" || name == "OutSegs") {
      EXPECT_EQ(value, "1") << name;
    }
  }
}

TEST(Netstat, CurrEstabAndStateCountsOfALiveStack) {
  Stack s(kLocal);
  // A listener on :80 with one SYN_RECV request.
  SocketId l = s.socket().value();
  ASSERT_TRUE(s.bind(l, Endpoint{kLocal, 80}));
  ASSERT_TRUE(s.listen(l, 16));
  wire::TcpRepr syn{
      .src_port = 40001, .dst_port = 80, .seq = SeqNum(5000), .flags = SYN, .window = 65535};
  s.receive(at(0s), datagram(kRemote, kLocal, syn));
  EXPECT_EQ(next_segment(s, at(0s)).flags, SYN | ACK);

  // One connection completed (ESTABLISHED), one still connecting (SYN_SENT).
  SocketId a = s.socket().value();
  auto r = s.connect(at(0s), a, Endpoint{kRemote, 8080});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), EINPROGRESS);
  const wire::TcpRepr our_syn = next_segment(s, at(0s));
  ASSERT_EQ(our_syn.flags, SYN);
  wire::TcpRepr synack{.src_port = 8080,
                       .dst_port = our_syn.src_port,
                       .seq = SeqNum(7000),
                       .ack = our_syn.seq + SeqLen(1),
                       .flags = SYN | ACK,
                       .window = 65535};
  synack.options.mss = 1460;
  s.receive(at(10ms), datagram(kRemote, kLocal, synack));
  EXPECT_EQ(next_segment(s, at(10ms)).flags, ACK);

  SocketId b = s.socket().value();
  ASSERT_FALSE(s.connect(at(10ms), b, Endpoint{kRemote, 8081}));
  EXPECT_EQ(next_segment(s, at(10ms)).flags, SYN);

  EXPECT_EQ(s.curr_estab(), 1u);
  EXPECT_EQ(state_counts(s),
            "ESTABLISHED 1\n"
            "SYN_RECV 1\n"
            "SYN_SENT 1\n");
  EXPECT_EQ(state_counts(s, /*include_listen=*/true),
            "ESTABLISHED 1\n"
            "LISTEN 1\n"
            "SYN_RECV 1\n"
            "SYN_SENT 1\n");
  const auto lines = split(snmp_text(s), '\n');
  ASSERT_EQ(lines.size(), 10u);  // Ip, Icmp, Tcp, Udp and UdpLite pairs
  // ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab
  EXPECT_PRED2(starts_with, lines[5], "Tcp: 1 200 120000 -1 2 0 0 0 1 ");
  EXPECT_NE(nstat_text(s).find("TcpCurrEstab                    1 "), std::string::npos);
}

}  // namespace
}  // namespace ustcp::stack
