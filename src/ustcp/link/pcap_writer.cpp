#include "ustcp/link/pcap_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace ustcp::link {

namespace {

void put_le16(std::byte* p, uint16_t v) {
  p[0] = std::byte(v & 0xff);
  p[1] = std::byte(v >> 8);
}

void put_le32(std::byte* p, uint32_t v) {
  p[0] = std::byte(v & 0xff);
  p[1] = std::byte((v >> 8) & 0xff);
  p[2] = std::byte((v >> 16) & 0xff);
  p[3] = std::byte(v >> 24);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, PcapOptions opt) : base_(path), opt_(opt) {
  if (opt_.snaplen == 0 || opt_.snaplen > kSnapLen) opt_.snaplen = kSnapLen;
  open(0);
}

std::string PcapWriter::name(uint64_t n) const {
  if (opt_.rotate_bytes == 0) return base_;
  if (opt_.max_files == 0) return n == 0 ? base_ : base_ + std::to_string(n);
  // tcpdump -W: a ring, numbered with as many digits as the largest number needs.
  const std::string last = std::to_string(opt_.max_files - 1);
  std::string num = std::to_string(n % opt_.max_files);
  return base_ + std::string(last.size() - num.size(), '0') + num;
}

void PcapWriter::open(uint64_t n) {
  if (file_ != nullptr && std::fclose(file_) != 0) {
    file_ = nullptr;
    fail("close");
    return;
  }
  path_ = name(n);
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) {
    fail("open");
    return;
  }
  ++files_;
  bytes_ = 0;
  file_records_ = 0;
  std::array<std::byte, kFileHeaderSize> header{};
  put_le32(&header[0], kMagic);
  put_le16(&header[4], kVersionMajor);
  put_le16(&header[6], kVersionMinor);
  put_le32(&header[8], 0);   // thiszone: timestamps are UTC
  put_le32(&header[12], 0);  // sigfigs
  put_le32(&header[16], opt_.snaplen);
  put_le32(&header[20], kLinkTypeRaw);
  put(header.data(), header.size());
}

PcapWriter::~PcapWriter() {
  if (file_ != nullptr) std::fclose(file_);  // fclose flushes
}

bool PcapWriter::write(TimePoint t, Bytes datagram) {
  if (!ok()) return false;
  const int64_t us = std::max<int64_t>(0, to_micros(t.time_since_epoch() + offset_));
  // tcpdump -C: the file is checked before a record goes in; a file over the size (with at
  // least one record: the header alone never makes an empty file) is closed.
  if (opt_.rotate_bytes && bytes_ > opt_.rotate_bytes && file_records_ > 0) {
    open(files_);
    if (!ok()) return false;
  }
  const auto incl = static_cast<uint32_t>(std::min<size_t>(datagram.size(), opt_.snaplen));
  std::array<std::byte, kRecordHeaderSize> header{};
  put_le32(&header[0], static_cast<uint32_t>(us / 1'000'000));
  put_le32(&header[4], static_cast<uint32_t>(us % 1'000'000));
  put_le32(&header[8], incl);
  put_le32(&header[12], static_cast<uint32_t>(datagram.size()));
  if (!put(header.data(), header.size()) || !put(datagram.data(), incl)) return false;
  ++records_;
  ++file_records_;
  return true;
}

bool PcapWriter::flush() {
  if (!ok()) return false;
  if (std::fflush(file_) != 0) fail("flush");
  return ok();
}

bool PcapWriter::put(const void* data, size_t size) {
  if (size == 0) return ok();
  if (std::fwrite(data, 1, size, file_) != size) fail("write");
  bytes_ += size;
  return ok();
}

void PcapWriter::fail(const char* operation) {
  error_ = std::string(operation) + ' ' + path_ + ": " + std::strerror(errno);
}

}  // namespace ustcp::link
