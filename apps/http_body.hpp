// Sans-IO reading of HTTP/1.x message bodies: the chunked transfer coding (RFC 9112 7.1)
// and a BodyReader that delimits one body by its framing (http_parse.hpp) so that the
// bytes after it stay for the next message on the connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "apps/http_parse.hpp"

namespace ustcp::apps {

// Decodes a chunked body incrementally: feed it what has arrived, in pieces of any size.
// Chunk extensions and trailer fields are read and ignored (RFC 9112 7.1.1, 7.1.2). A lone
// LF is taken for CRLF, as for head lines (RFC 9112 2.2).
class ChunkedDecoder {
 public:
  enum class Status { NeedMore, Done, Error };

  // Appends the data of the chunks in `in` to `out`; returns the bytes of `in` taken. It
  // stops at the end of the body (what follows belongs to the next message) or at an error.
  size_t feed(std::string_view in, std::string& out);
  Status status() const { return status_; }
  const std::string& error() const { return error_; }

 private:
  enum class State {
    Size,
    Extension,
    SizeLf,
    Data,
    DataCr,
    DataLf,
    TrailerStart,
    Trailer,
    TrailerLf,
    LastLf
  };
  void fail(const char* why);
  void size_line_done();

  State state_ = State::Size;
  Status status_ = Status::NeedMore;
  uint64_t size_ = 0;  // of the chunk being read; then what is left of its data
  int digits_ = 0;
  std::string error_;
};

// One message body: none, Content-Length bytes, chunked, or everything until the peer
// closes.
class BodyReader {
 public:
  explicit BodyReader(BodyFraming framing);

  // Appends body bytes from `in` (decoded) to `out`; returns the bytes of `in` taken,
  // never past the body's end.
  size_t feed(std::string_view in, std::string& out);
  // The peer closed the connection: this ends a body read until close; any other body
  // not complete yet is cut short (an error).
  void on_eof();

  bool done() const { return done_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  uint64_t received() const { return received_; }  // decoded body bytes so far
  const BodyFraming& framing() const { return framing_; }

 private:
  BodyFraming framing_;
  ChunkedDecoder chunked_;
  uint64_t received_ = 0;
  bool done_ = false;
  std::string error_;
};

}  // namespace ustcp::apps
