// Writes a classic pcap file of raw IPv4 datagrams, for Wireshark and tcpdump.
//
// Format (https://www.tcpdump.org/manpages/pcap-savefile.5.html): magic 0xa1b2c3d4
// (microsecond timestamps), version 2.4, snaplen 65535, LINKTYPE_RAW (101: each record is
// an IPv4 datagram with no link header). Fields are written little-endian on every host,
// so the same run gives the same file everywhere; readers detect the order from the magic.
//
// Errors are values: the constructor never throws on I/O failure; ok() and error() say
// what went wrong, and write() after a failure does nothing and returns false.
//
// As tcpdump's -s, -C and -W (PcapOptions): records can be cut to a snaplen, and the capture
// can rotate: before a record is written, a file already larger than rotate_bytes is closed
// and the next one opened: PATH, PATH1, PATH2, ... ; with max_files N the files are a ring of
// N, named PATH0 .. PATH{N-1} with as many digits as N-1 needs, the oldest overwritten.
//
// To record what one host sends and receives, wrap its Node in a PcapTap (pcap_tap.hpp);
// to record a whole simulated network, SimNetwork::capture().
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "ustcp/base/bytes.hpp"
#include "ustcp/base/time.hpp"

namespace ustcp::link {

struct PcapOptions {
  uint32_t snaplen = 65535;   // bytes kept of each datagram (tcpdump -s); 0 means 65535
  uint64_t rotate_bytes = 0;  // start a new file once one is larger (tcpdump -C); 0: never
  uint32_t max_files = 0;     // with rotation, a ring of this many files (tcpdump -W); 0: no limit
};

class PcapWriter {
 public:
  static constexpr uint32_t kMagic = 0xa1b2c3d4;
  static constexpr uint16_t kVersionMajor = 2;
  static constexpr uint16_t kVersionMinor = 4;
  static constexpr uint32_t kSnapLen = 65535;
  static constexpr uint32_t kLinkTypeRaw = 101;
  static constexpr size_t kFileHeaderSize = 24;
  static constexpr size_t kRecordHeaderSize = 16;

  // Creates (or truncates) the file at `path` (PATH0 with max_files) and writes the header.
  explicit PcapWriter(const std::string& path, PcapOptions opt = {});
  // Flushes and closes.
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  bool ok() const { return error_.empty(); }
  // Empty when ok(); otherwise "<operation> <path>: <strerror>".
  const std::string& error() const { return error_; }
  // The file being written now (it changes as the capture rotates).
  const std::string& path() const { return path_; }
  uint32_t snaplen() const { return opt_.snaplen; }
  // Files opened so far (1 without rotation).
  uint64_t files() const { return files_; }
  // Added to every timestamp: a real-time driver's clock is monotonic (time since boot);
  // with TunLoop::wall_offset() the records carry dates, as tcpdump's do.
  void set_clock_offset(Duration offset) { offset_ = offset; }
  // Number of records written so far.
  uint64_t records() const { return records_; }

  // Appends one record stamped `t` (TimePoint nanoseconds, truncated to microseconds;
  // negative times are written as 0), rotating first if the file is too large. A datagram
  // longer than the snaplen is cut to it, its original length kept in the record. Returns ok().
  bool write(TimePoint t, Bytes datagram);
  // Pushes buffered records to the file, so that a reader sees them while we run.
  bool flush();

 private:
  bool put(const void* data, size_t size);
  void fail(const char* operation);
  // Opens the file number `n` of the capture and writes its header.
  void open(uint64_t n);
  std::string name(uint64_t n) const;

  std::string base_;
  PcapOptions opt_;
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;         // in the current file
  uint64_t file_records_ = 0;  // in the current file
  std::string path_;
  std::string error_;
  std::FILE* file_ = nullptr;
  uint64_t records_ = 0;
  Duration offset_{0};
};

}  // namespace ustcp::link
