// The parser on its own: what each kind of line becomes, and where errors point.
#include "drill/parser.hpp"

#include <gtest/gtest.h>

#include "ustcp/wire/tcp.hpp"

namespace {

using namespace ustcp::drill;
using namespace ustcp::wire::tcp_flags;

Script parse_ok(const std::string& text) {
  ParseResult r = parse_script("t.pkt", text);
  EXPECT_FALSE(r.error) << (r.error ? render(r.script, *r.error) : "");
  EXPECT_FALSE(r.unsupported);
  return r.script;
}

std::string parse_error(const std::string& text) {
  ParseResult r = parse_script("t.pkt", text);
  return r.error ? render(r.script, *r.error) : "(parsed)";
}

TEST(DrillParser, TimesOfEveryKind) {
  Script s = parse_ok(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+.04 > . 1:1(0) ack 1\n"
      "1.5 > . 1:1(0) ack 1\n"
      "* > . 1:1(0) ack 1\n"
      "+0.1~+0.2 > . 1:1(0) ack 1\n"
      "2~3 > . 1:1(0) ack 1\n"
      "+0...0.250 accept(3, ..., ...) = 4\n");
  ASSERT_EQ(s.events.size(), 7u);
  EXPECT_EQ(s.events[1].time.kind, TimeKind::Relative);
  EXPECT_EQ(s.events[1].time.usecs, 40000);
  EXPECT_EQ(s.events[2].time.kind, TimeKind::Absolute);
  EXPECT_EQ(s.events[2].time.usecs, 1500000);
  EXPECT_EQ(s.events[3].time.kind, TimeKind::Any);
  EXPECT_EQ(s.events[4].time.kind, TimeKind::RelativeRange);
  EXPECT_EQ(s.events[4].time.end_usecs, 200000);
  EXPECT_EQ(s.events[5].time.kind, TimeKind::AbsoluteRange);
  const auto& sc = std::get<Syscall>(s.events[6].body);
  EXPECT_EQ(sc.name, "accept");
  EXPECT_EQ(sc.result, 4);
  ASSERT_TRUE(sc.end_usecs);
  EXPECT_EQ(*sc.end_usecs, 250000);
}

TEST(DrillParser, PacketWithEveryField) {
  Script s = parse_ok(
      "0 < (tos 0x10, ect0, ttl 3) 40001>8080 FP. 1:1001(1000) ack 7 win 257 urg 2 "
      "<nop,nop,TS val 100 ecr 200,sack 1:2 3:4,mss 1460,wscale 7,sackOK,eol>\n");
  const auto& p = std::get<PacketSpec>(s.events[0].body);
  EXPECT_TRUE(p.inbound);
  EXPECT_EQ(p.sport, 40001);
  EXPECT_EQ(p.dport, 8080);
  EXPECT_EQ(p.tos, 0x10);
  EXPECT_EQ(p.ecn, 2);
  EXPECT_EQ(p.ttl, 3);
  EXPECT_EQ(p.flags, FIN | PSH | ACK);
  EXPECT_EQ(p.start, 1u);
  EXPECT_EQ(p.len(), 1000u);
  EXPECT_EQ(p.ack, 7u);
  EXPECT_EQ(p.win, 257u);
  EXPECT_EQ(p.urg, 2);
  ASSERT_EQ(p.options.size(), 8u);
  EXPECT_EQ(p.options[2].kind, TcpOptionSpec::Kind::Timestamp);
  EXPECT_EQ(p.options[2].ts_ecr, 200u);
  ASSERT_EQ(p.options[3].sack_blocks.size(), 2u);
  EXPECT_EQ(p.options[3].sack_blocks[1].second, 4u);
  EXPECT_EQ(p.options[7].kind, TcpOptionSpec::Kind::Eol);
}

TEST(DrillParser, OutboundAnyOptionsAndNoFlags) {
  Script s = parse_ok("0 > - 0:0(0) <...>\n");
  const auto& p = std::get<PacketSpec>(s.events[0].body);
  EXPECT_FALSE(p.inbound);
  EXPECT_EQ(p.flags, 0);
  EXPECT_TRUE(p.any_options);
}

TEST(DrillParser, SyscallArguments) {
  Script s = parse_ok(
      "0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
      "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
      "+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1\n"
      "+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.168.0.1\")}, "
      "16) = 0\n"
      "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n");
  const auto& linger = std::get<Syscall>(s.events[0].body);
  ASSERT_EQ(linger.args[3].kind, Expr::Kind::Struct);
  EXPECT_EQ(linger.args[3].fields[1], "linger");
  EXPECT_EQ(std::get<Syscall>(s.events[1].body).args[2].value, 2 | 04000);
  const auto& poll = std::get<Syscall>(s.events[2].body);
  EXPECT_EQ(poll.args[0].items[0].items[1].value, 0x1 | 0x4);
  const auto& bind = std::get<Syscall>(s.events[3].body);
  EXPECT_EQ(bind.args[1].items[2].items[0].text, "192.168.0.1");
  const auto& conn = std::get<Syscall>(s.events[4].body);
  EXPECT_EQ(conn.result, -1);
  EXPECT_EQ(conn.errno_name, "EINPROGRESS");
}

TEST(DrillParser, OptionsCommandsCommentsAndCleanup) {
  Script s = parse_ok(
      "--tolerance_usecs=10000\n"
      "/* a comment\n spanning lines */\n"
      "`sysctl -q net.ipv4.tcp_syncookies=2`\n"
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3  // trailing comment\n"
      "+0 %{ assert tcpi_state == TCP_CLOSE }%\n"
      "`echo done`\n");
  ASSERT_EQ(s.options.size(), 1u);
  EXPECT_EQ(s.options[0].second, "10000");
  ASSERT_TRUE(s.setup);
  EXPECT_EQ(s.setup->text, "sysctl -q net.ipv4.tcp_syncookies=2");
  ASSERT_TRUE(s.cleanup);
  EXPECT_EQ(s.events.size(), 2u);
  EXPECT_EQ(std::get<Code>(s.events[1].body).text, " assert tcpi_state == TCP_CLOSE ");
}

TEST(DrillParser, ErrorsNameLineColumnWithACaret) {
  EXPECT_EQ(parse_error("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(1) win 1\n"),
            "t.pkt:2:12: length 1 does not match 0:0\n    +0 < S 0:0(1) win 1\n               ^");
  EXPECT_NE(parse_error("0 < S 0:0(0)\n").find("an inbound packet needs `win N`"),
            std::string::npos);
  EXPECT_NE(parse_error("0 < X 0:0(0) win 1\n").find("t.pkt:1:5: unknown TCP flag 'X'"),
            std::string::npos);
  EXPECT_NE(parse_error("0 > . 1:1(0) ack 1 <mss>\n").find("expected mss"), std::string::npos);
  EXPECT_NE(parse_error("0 > . 1:1(0) ack 1 <wsclae 7>\n").find("unknown TCP option 'wsclae'"),
            std::string::npos);
  EXPECT_NE(parse_error("* < . 1:1(0) win 1\n").find("an inbound packet needs one exact time"),
            std::string::npos);
  EXPECT_NE(parse_error("0 write(3, ..., 10) = 10 EAGAIN\n").find("only given with the result -1"),
            std::string::npos);
  EXPECT_NE(parse_error("0.1234567 close(3) = 0\n").find("more than six decimals"),
            std::string::npos);
  EXPECT_NE(parse_error("0 close(3) = 0 junk\n").find("unknown errno name 'junk'"),
            std::string::npos);
  EXPECT_NE(parse_error("0 > . 1:1(0) ack 99999999999\n").find("out of range"), std::string::npos);
  EXPECT_NE(parse_error("// only a comment\n").find("the script has no events"), std::string::npos);
  EXPECT_NE(parse_error("0 close(3) = 0\n`a`\n+0 close(4) = 0\n").find("nothing may follow"),
            std::string::npos);
}

TEST(DrillParser, UnsupportedIsNotAnError) {
  ParseResult r = parse_script("t.pkt", "0 sendmsg(3, ..., 0) = 10\n");
  EXPECT_FALSE(r.error);
  ASSERT_TRUE(r.unsupported);
  EXPECT_EQ(r.unsupported->feature, "system call sendmsg()");
}

}  // namespace
