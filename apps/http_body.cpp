#include "apps/http_body.hpp"

#include <algorithm>

namespace ustcp::apps {

void ChunkedDecoder::fail(const char* why) {
  status_ = Status::Error;
  error_ = why;
}

void ChunkedDecoder::size_line_done() {
  // last-chunk = 1*("0") [ chunk-ext ] CRLF, then the trailer section.
  state_ = size_ == 0 ? State::TrailerStart : State::Data;
}

size_t ChunkedDecoder::feed(std::string_view in, std::string& out) {
  size_t i = 0;
  auto error = [&](const char* why) {
    fail(why);
    return i;
  };
  while (i < in.size() && status_ == Status::NeedMore) {
    const char c = in[i];
    switch (state_) {
      case State::Size: {
        // chunk-size = 1*HEXDIG
        if (int v = hex_value(c); v >= 0) {
          if (size_ >> 56) return error("chunk size too large");
          size_ = size_ * 16 + static_cast<uint64_t>(v);
          ++digits_;
        } else if (digits_ == 0) {
          return error("chunk size expected");
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::Extension;  // BWS ";" chunk-ext: ignored
        } else if (c == '\r') {
          state_ = State::SizeLf;
        } else if (c == '\n') {
          size_line_done();
        } else {
          return error("invalid chunk size");
        }
        ++i;
        break;
      }
      case State::Extension:
        if (c == '\r') state_ = State::SizeLf;
        if (c == '\n') size_line_done();
        ++i;
        break;
      case State::SizeLf:
        if (c != '\n') return error("CR without LF after the chunk size");
        size_line_done();
        ++i;
        break;
      case State::Data: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(size_, in.size() - i));
        out.append(in.substr(i, n));
        size_ -= n;
        i += n;
        if (size_ == 0) state_ = State::DataCr;
        break;
      }
      case State::DataCr:
        if (c == '\r') {
          state_ = State::DataLf;
        } else if (c == '\n') {
          state_ = State::Size;
          digits_ = 0;
        } else {
          return error("chunk data longer than its size");
        }
        ++i;
        break;
      case State::DataLf:
        if (c != '\n') return error("CR without LF after chunk data");
        state_ = State::Size;
        digits_ = 0;
        ++i;
        break;
      case State::TrailerStart:
        if (c == '\r') {
          state_ = State::LastLf;
        } else if (c == '\n') {
          status_ = Status::Done;
        } else {
          state_ = State::Trailer;
        }
        ++i;
        break;
      case State::Trailer:
        if (c == '\r') state_ = State::TrailerLf;
        if (c == '\n') state_ = State::TrailerStart;
        ++i;
        break;
      case State::TrailerLf:
        if (c != '\n') return error("CR without LF in the trailer");
        state_ = State::TrailerStart;
        ++i;
        break;
      case State::LastLf:
        if (c != '\n') return error("CR without LF at the end of the body");
        status_ = Status::Done;
        ++i;
        break;
    }
  }
  return i;
}

BodyReader::BodyReader(BodyFraming framing) : framing_(framing) {
  done_ = framing.kind == BodyFraming::Kind::None ||
          (framing.kind == BodyFraming::Kind::Length && framing.length == 0);
}

size_t BodyReader::feed(std::string_view in, std::string& out) {
  if (done_ || failed()) return 0;
  switch (framing_.kind) {
    case BodyFraming::Kind::None:
      return 0;
    case BodyFraming::Kind::Length: {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(framing_.length - received_, in.size()));
      out.append(in.substr(0, n));
      received_ += n;
      done_ = received_ == framing_.length;
      return n;
    }
    case BodyFraming::Kind::Chunked: {
      const size_t before = out.size();
      const size_t n = chunked_.feed(in, out);
      received_ += out.size() - before;
      if (chunked_.status() == ChunkedDecoder::Status::Done) done_ = true;
      if (chunked_.status() == ChunkedDecoder::Status::Error) error_ = chunked_.error();
      return n;
    }
    case BodyFraming::Kind::UntilClose:
      out.append(in);
      received_ += in.size();
      return in.size();
  }
  return 0;
}

void BodyReader::on_eof() {
  if (done_ || failed()) return;
  if (framing_.kind == BodyFraming::Kind::UntilClose) {
    done_ = true;
    return;
  }
  error_ = "connection closed after " + std::to_string(received_) + " body bytes";
  if (framing_.kind == BodyFraming::Kind::Length)
    error_ += " of " + std::to_string(framing_.length);
}

}  // namespace ustcp::apps
