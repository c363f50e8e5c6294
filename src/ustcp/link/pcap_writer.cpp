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

PcapWriter::PcapWriter(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    fail("open");
    return;
  }
  std::array<std::byte, kFileHeaderSize> header{};
  put_le32(&header[0], kMagic);
  put_le16(&header[4], kVersionMajor);
  put_le16(&header[6], kVersionMinor);
  put_le32(&header[8], 0);   // thiszone: timestamps are UTC
  put_le32(&header[12], 0);  // sigfigs
  put_le32(&header[16], kSnapLen);
  put_le32(&header[20], kLinkTypeRaw);
  put(header.data(), header.size());
}

PcapWriter::~PcapWriter() {
  if (file_ != nullptr) std::fclose(file_);  // fclose flushes
}

bool PcapWriter::write(TimePoint t, Bytes datagram) {
  if (!ok()) return false;
  const int64_t us = std::max<int64_t>(0, to_micros(t.time_since_epoch() + offset_));
  const auto incl = static_cast<uint32_t>(std::min<size_t>(datagram.size(), kSnapLen));
  std::array<std::byte, kRecordHeaderSize> header{};
  put_le32(&header[0], static_cast<uint32_t>(us / 1'000'000));
  put_le32(&header[4], static_cast<uint32_t>(us % 1'000'000));
  put_le32(&header[8], incl);
  put_le32(&header[12], static_cast<uint32_t>(datagram.size()));
  if (!put(header.data(), header.size()) || !put(datagram.data(), incl)) return false;
  ++records_;
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
  return ok();
}

void PcapWriter::fail(const char* operation) {
  error_ = std::string(operation) + ' ' + path_ + ": " + std::strerror(errno);
}

}  // namespace ustcp::link
