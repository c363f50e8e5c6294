// PcapWriter: exact file and record bytes, errors as values, snaplen and rotation; PcapTap and
// SimNetwork::capture; and, where tshark is installed, that Wireshark reads what we write.
#include "ustcp/link/pcap_writer.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "ustcp/link/pcap_tap.hpp"
#include "ustcp/link/sim_network.hpp"

namespace ustcp::link {
namespace {

using Datagram = std::vector<std::byte>;
using Raw = std::vector<uint8_t>;

const Ipv4Addr kClient(192, 0, 2, 1);
const Ipv4Addr kServer(192, 0, 2, 2);

// A file under the test temp dir, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(::testing::TempDir() + "ustcp_" + std::to_string(::getpid()) + "_" + name) {}
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Raw read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Raw(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uint32_t le32(const Raw& r, size_t at) {
  return uint32_t{r[at]} | uint32_t{r[at + 1]} << 8 | uint32_t{r[at + 2]} << 16 |
         uint32_t{r[at + 3]} << 24;
}

Datagram bytes(std::initializer_list<int> values) {
  Datagram d;
  for (int v : values) d.push_back(std::byte(v));
  return d;
}

// ---- hand-built IPv4/TCP datagrams with correct checksums --------------------------------

uint32_t sum16(uint32_t sum, const std::byte* p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += load_be16(p + i);
  if (n % 2 == 1) sum += std::to_integer<uint32_t>(p[n - 1]) << 8;
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

struct Tcp {
  Ipv4Addr src, dst;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  std::string payload{};
  uint16_t ip_id = 0;
};

Datagram tcp_datagram(const Tcp& s) {
  const size_t total = 40 + s.payload.size();
  Datagram d(total);
  std::byte* p = d.data();
  p[0] = std::byte{0x45};
  store_be16(p + 2, static_cast<uint16_t>(total));
  store_be16(p + 4, s.ip_id);
  store_be16(p + 6, 0x4000);  // DF
  p[8] = std::byte{64};
  p[9] = std::byte{6};
  store_be32(p + 12, s.src.raw());
  store_be32(p + 16, s.dst.raw());
  store_be16(p + 10, fold(sum16(0, p, 20)));
  std::byte* t = p + 20;
  store_be16(t, s.sport);
  store_be16(t + 2, s.dport);
  store_be32(t + 4, s.seq);
  store_be32(t + 8, s.ack);
  t[12] = std::byte{0x50};
  t[13] = std::byte{s.flags};
  store_be16(t + 14, 64240);
  for (size_t i = 0; i < s.payload.size(); ++i) t[20 + i] = std::byte(s.payload[i]);
  const uint32_t pseudo = sum16(0, p + 12, 8) + 6 + static_cast<uint32_t>(total - 20);
  store_be16(t + 16, fold(sum16(pseudo, t, total - 20)));
  return d;
}

// ---- a scripted node for the tap ---------------------------------------------------------

class ScriptNode : public Node {
 public:
  void send(Datagram d) { outbox_.push_back(std::move(d)); }
  void receive(TimePoint, Bytes datagram) override {
    received.emplace_back(datagram.begin(), datagram.end());
  }
  std::optional<Bytes> poll_transmit(TimePoint) override {
    if (outbox_.empty()) return std::nullopt;
    current_ = std::move(outbox_.front());
    outbox_.pop_front();
    return Bytes(current_);
  }
  std::optional<TimePoint> next_deadline() const override { return deadline; }
  void on_timer(TimePoint now) override {
    fired.push_back(now);
    deadline.reset();
  }

  std::vector<Datagram> received;
  std::vector<TimePoint> fired;
  std::optional<TimePoint> deadline;

 private:
  std::deque<Datagram> outbox_;
  Datagram current_;
};

// ---- the file format --------------------------------------------------------------------

TEST(PcapWriterTest, FileHeaderBytesAreExact) {
  TempFile file("header.pcap");
  {
    PcapWriter writer(file.path());
    ASSERT_TRUE(writer.ok()) << writer.error();
    EXPECT_EQ(writer.error(), "");
    EXPECT_EQ(writer.path(), file.path());
  }
  EXPECT_EQ(read_all(file.path()), (Raw{
                                       0xd4, 0xc3, 0xb2, 0xa1,  // magic 0xa1b2c3d4, LE
                                       0x02, 0x00, 0x04, 0x00,  // version 2.4
                                       0x00, 0x00, 0x00, 0x00,  // thiszone
                                       0x00, 0x00, 0x00, 0x00,  // sigfigs
                                       0xff, 0xff, 0x00, 0x00,  // snaplen 65535
                                       0x65, 0x00, 0x00, 0x00,  // LINKTYPE_RAW (101)
                                   }));
}

TEST(PcapWriterTest, RecordBytesAreExact) {
  TempFile file("records.pcap");
  {
    PcapWriter writer(file.path());
    // 1.500250999 s: microseconds are truncated.
    EXPECT_TRUE(writer.write(at(1s + 500ms + 250us + 999ns), bytes({0x45, 0x00, 0xab})));
    EXPECT_TRUE(writer.write(at(4321s + 7us), bytes({0x01})));
    EXPECT_TRUE(writer.write(at(-5s), bytes({})));  // before the epoch: written as 0
    EXPECT_EQ(writer.records(), 3u);
  }
  const Raw got = read_all(file.path());
  ASSERT_EQ(got.size(), 24u + 16 + 3 + 16 + 1 + 16);
  const Raw records(got.begin() + 24, got.end());
  EXPECT_EQ(records, (Raw{
                         0x01, 0x00, 0x00, 0x00,  // ts_sec 1
                         0x1a, 0xa2, 0x07, 0x00,  // ts_usec 500250 = 0x07a21a
                         0x03, 0x00, 0x00, 0x00,  // incl_len
                         0x03, 0x00, 0x00, 0x00,  // orig_len
                         0x45, 0x00, 0xab,        // data
                         0xe1, 0x10, 0x00, 0x00,  // ts_sec 4321 = 0x10e1
                         0x07, 0x00, 0x00, 0x00,  // ts_usec 7
                         0x01, 0x00, 0x00, 0x00,  // incl_len
                         0x01, 0x00, 0x00, 0x00,  // orig_len
                         0x01,                    // data
                         0x00, 0x00, 0x00, 0x00,  // ts_sec 0
                         0x00, 0x00, 0x00, 0x00,  // ts_usec 0
                         0x00, 0x00, 0x00, 0x00,  // incl_len
                         0x00, 0x00, 0x00, 0x00,  // orig_len
                     }));
}

TEST(PcapWriterTest, LongDatagramIsCutToTheSnaplen) {
  TempFile file("snaplen.pcap");
  {
    PcapWriter writer(file.path());
    EXPECT_TRUE(writer.write(at(0s), Datagram(70'000, std::byte{0x5a})));
  }
  const Raw got = read_all(file.path());
  ASSERT_EQ(got.size(), 24u + 16 + 65535);
  EXPECT_EQ(le32(got, 24 + 8), 65535u);
  EXPECT_EQ(le32(got, 24 + 12), 70'000u);
}

TEST(PcapWriterTest, FlushMakesRecordsVisibleWhileOpen) {
  TempFile file("flush.pcap");
  PcapWriter writer(file.path());
  ASSERT_TRUE(writer.write(at(2s), bytes({1, 2, 3, 4})));
  ASSERT_TRUE(writer.flush());
  const Raw got = read_all(file.path());
  ASSERT_EQ(got.size(), 24u + 16 + 4);
  EXPECT_EQ(le32(got, 24), 2u);
}

TEST(PcapWriterTest, UnopenablePathIsReportedNotThrown) {
  const std::string path = "/nonexistent-ustcp-dir/x.pcap";
  PcapWriter writer(path);
  EXPECT_FALSE(writer.ok());
  EXPECT_NE(writer.error().find("open " + path), std::string::npos) << writer.error();
  EXPECT_NE(writer.error().find("No such file"), std::string::npos) << writer.error();
  EXPECT_FALSE(writer.write(at(0s), bytes({0x45})));
  EXPECT_FALSE(writer.flush());
  EXPECT_EQ(writer.records(), 0u);
}

// ---- taps ----------------------------------------------------------------------------------

TEST(PcapTapTest, RecordsWhatTheWrappedNodeSendsAndReceives) {
  TempFile file("tap.pcap");
  const Datagram syn =
      tcp_datagram({.src = kClient, .dst = kServer, .sport = 40000, .dport = 80, .flags = kSyn});
  const Datagram reply = tcp_datagram(
      {.src = kServer, .dst = kClient, .sport = 80, .dport = 40000, .flags = kSyn | kAck});
  ScriptNode client, server;
  {
    PcapWriter writer(file.path());
    PcapTap tap(client, writer);
    EXPECT_EQ(&tap.wrapped(), &client);
    SimNetwork net(1);
    net.attach(tap, kClient, {.delay = 10ms});
    net.attach(server, kServer, {.delay = 10ms});
    client.deadline = at(3ms);  // the tap forwards timers
    client.send(syn);
    server.send(reply);
    net.run_until(at(1s));
    EXPECT_EQ(client.fired, std::vector<TimePoint>{at(3ms)});
    EXPECT_EQ(client.received, std::vector<Datagram>{reply});
    EXPECT_EQ(writer.records(), 2u);
  }
  const Raw got = read_all(file.path());
  ASSERT_EQ(got.size(), 24u + 2 * (16 + 40));
  EXPECT_EQ(le32(got, 24 + 4), 0u);                // the SYN, sent at 0
  EXPECT_EQ(le32(got, 24 + 56 + 4), 10'000u);      // the SYN-ACK, received at 10 ms
  EXPECT_EQ(got[24 + 16 + 33], kSyn);              // TCP flags of record 1
  EXPECT_EQ(got[24 + 56 + 16 + 33], kSyn | kAck);  // TCP flags of record 2
}

TEST(PcapTapTest, NetworkCaptureAtSendOrAtDelivery) {
  TempFile at_send("send.pcap");
  TempFile at_deliver("deliver.pcap");
  {
    PcapWriter send_writer(at_send.path());
    PcapWriter deliver_writer(at_deliver.path());
    ScriptNode client, server;
    SimNetwork net(1);
    net.capture(send_writer);
    net.capture(deliver_writer, SimNetwork::CapturePoint::Deliver);
    net.attach(client, kClient, {.delay = 10ms, .duplicate = 1.0});
    net.attach(server, kServer);
    client.send(tcp_datagram({.src = kClient, .dst = kServer, .flags = kSyn}));
    client.send(tcp_datagram({.src = kClient, .dst = Ipv4Addr(192, 0, 2, 99), .flags = kSyn}));
    net.run_until(at(1s));
    EXPECT_EQ(send_writer.records(), 2u);     // both sent, one of them unroutable
    EXPECT_EQ(deliver_writer.records(), 2u);  // the routable one, twice
  }
  const Raw sent = read_all(at_send.path());
  ASSERT_EQ(sent.size(), 24u + 2 * 56);
  EXPECT_EQ(le32(sent, 24 + 4), 0u);
  EXPECT_EQ(le32(sent, 24 + 56 + 4), 0u);
  const Raw delivered = read_all(at_deliver.path());
  ASSERT_EQ(delivered.size(), 24u + 2 * 56);
  EXPECT_EQ(le32(delivered, 24 + 4), 10'000u);
  EXPECT_EQ(le32(delivered, 24 + 56 + 4), 10'000u);
}

// ---- Wireshark reads it ------------------------------------------------------------------

TEST(PcapWriterTest, TsharkReadsAHandshakeAndDataWithoutComplaint) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tshark is not installed (apt-get install tshark) ";
  }
  TempFile file("tshark.pcap");
  {
    PcapWriter writer(file.path());
    const uint32_t c = 1000, s = 5000;
    Tcp base{.src = kClient, .dst = kServer, .sport = 40000, .dport = 80};
    Tcp back{.src = kServer, .dst = kClient, .sport = 80, .dport = 40000};
    auto from_client = [&](uint32_t seq, uint32_t ack, uint8_t flags, std::string payload = {}) {
      Tcp t = base;
      t.seq = seq;
      t.ack = ack;
      t.flags = flags;
      t.payload = std::move(payload);
      return tcp_datagram(t);
    };
    auto from_server = [&](uint32_t seq, uint32_t ack, uint8_t flags, std::string payload = {}) {
      Tcp t = back;
      t.seq = seq;
      t.ack = ack;
      t.flags = flags;
      t.payload = std::move(payload);
      return tcp_datagram(t);
    };
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    writer.write(at(0ms), from_client(c, 0, kSyn));
    writer.write(at(10ms), from_server(s, c + 1, kSyn | kAck));
    writer.write(at(20ms), from_client(c + 1, s + 1, kAck));
    writer.write(at(20ms), from_client(c + 1, s + 1, kPsh | kAck, request));
    writer.write(at(30ms), from_server(s + 1, c + 1 + static_cast<uint32_t>(request.size()), kAck));
    writer.write(at(40ms),
                 from_client(c + 1 + static_cast<uint32_t>(request.size()), s + 1, kFin | kAck));
    ASSERT_TRUE(writer.ok()) << writer.error();
  }
  // One line per frame: number, IPv4 and TCP checksum status (1 = good, 0 = bad, empty =
  // not verified), protocol, Info column (where "[Malformed Packet]" would show).
  const std::string command = "tshark -n -r '" + file.path() +
                              "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE"
                              " -T fields -e frame.number -e ip.checksum.status"
                              " -e tcp.checksum.status -e _ws.col.Protocol -e _ws.col.Info 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_EQ(output.find("Malformed"), std::string::npos) << output;
  std::vector<std::string> frames;  // lines starting with a frame number (not tshark notes)
  for (size_t pos = 0; pos < output.size();) {
    size_t eol = output.find('\n', pos);
    if (eol == std::string::npos) eol = output.size();
    const std::string line = output.substr(pos, eol - pos);
    if (!line.empty() && line[0] >= '1' && line[0] <= '9') frames.push_back(line);
    pos = eol + 1;
  }
  ASSERT_EQ(frames.size(), 6u) << output;
  const char* protocols[] = {"TCP", "TCP", "TCP", "HTTP", "TCP", "TCP"};
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::string prefix = std::to_string(i + 1) + "\t1\t1\t" + protocols[i] + "\t";
    EXPECT_EQ(frames[i].rfind(prefix, 0), 0u) << frames[i];
  }
  EXPECT_NE(frames[1].find("[SYN, ACK]"), std::string::npos) << frames[1];
  EXPECT_NE(frames[3].find("GET / HTTP/1.0"), std::string::npos) << frames[3];
  EXPECT_NE(frames[5].find("[FIN, ACK]"), std::string::npos) << frames[5];
}

// ---- tcpdump's -s, -C and -W (PcapOptions) --------------------------------------------

// Record count of a pcap file (every record header's incl_len walked), -1 if it is malformed.
int records(const Raw& r) {
  if (r.size() < 24) return -1;
  size_t off = 24;
  int n = 0;
  while (off + 16 <= r.size()) {
    off += 16 + le32(r, off + 8);
    ++n;
  }
  return off == r.size() ? n : -1;
}

const Datagram kRotDatagram(100, std::byte{0x45});

TEST(PcapRotate, SnaplenCutsRecordsAndIsInTheHeader) {
  TempFile file("snap.pcap");
  const std::string& path = file.path();
  {
    PcapWriter w(path, {.snaplen = 40});
    ASSERT_TRUE(w.ok()) << w.error();
    EXPECT_TRUE(w.write(TimePoint{}, kRotDatagram));
  }
  const Raw r = read_all(path);
  ASSERT_EQ(r.size(), 24u + 16 + 40);
  EXPECT_EQ(le32(r, 16), 40u);        // the file header's snaplen
  EXPECT_EQ(le32(r, 24 + 8), 40u);    // incl_len
  EXPECT_EQ(le32(r, 24 + 12), 100u);  // orig_len: what was on the wire
}

TEST(PcapRotate, OverTheSizeTheNextFileStarts) {
  const std::string path = TempFile("rot.pcap").path();
  // Each record is 116 bytes; a file is closed once it holds more than 300 bytes, i.e. after
  // its third record (24 + 3 * 116 = 372 > 300; two make 256).
  uint64_t files = 0;
  {
    PcapWriter w(path, {.rotate_bytes = 300});
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(w.write(TimePoint{}, kRotDatagram)) << w.error();
    EXPECT_EQ(w.records(), 7u);
    files = w.files();
    EXPECT_EQ(w.path(), path + "2");
  }
  EXPECT_EQ(files, 3u);
  EXPECT_EQ(records(read_all(path)), 3);
  EXPECT_EQ(records(read_all(path + "1")), 3);
  EXPECT_EQ(records(read_all(path + "2")), 1);
  for (const char* s : {"", "1", "2"}) std::remove((path + s).c_str());
}

TEST(PcapRotate, ARingOfFilesOverwritesTheOldest) {
  const std::string path = TempFile("ring.pcap").path();
  {
    PcapWriter w(path, {.rotate_bytes = 100, .max_files = 3});  // one record per file
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(w.write(at(std::chrono::seconds(i)), kRotDatagram));
    EXPECT_EQ(w.files(), 5u);
  }
  // Files 0..2 (one digit: the largest is 2): 3 and 4 overwrote 0 and 1.
  auto stamp = [](const Raw& r) { return le32(r, 24); };
  EXPECT_EQ(stamp(read_all(path + "0")), 3u);
  EXPECT_EQ(stamp(read_all(path + "1")), 4u);
  EXPECT_EQ(stamp(read_all(path + "2")), 2u);
  EXPECT_FALSE(std::ifstream(path).good());  // no file without a number in a ring
  for (const char* s : {"0", "1", "2"}) std::remove((path + s).c_str());
}

TEST(PcapRotate, ARingOfTwelveHasTwoDigitNames) {
  const std::string path = TempFile("ring12.pcap").path();
  {
    PcapWriter w(path, {.rotate_bytes = 1, .max_files = 12});
    ASSERT_TRUE(w.write(TimePoint{}, kRotDatagram));
    ASSERT_TRUE(w.write(TimePoint{}, kRotDatagram));
    EXPECT_EQ(w.path(), path + "01");
  }
  EXPECT_EQ(records(read_all(path + "00")), 1);
  EXPECT_EQ(records(read_all(path + "01")), 1);
  for (const char* s : {"00", "01"}) std::remove((path + s).c_str());
}

}  // namespace
}  // namespace ustcp::link
