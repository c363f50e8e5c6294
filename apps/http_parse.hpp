// Sans-IO parsing of HTTP/1.x message heads (RFC 9112): the request line or status line,
// the header fields, and what they say about framing (Content-Length, Transfer-Encoding)
// and persistence (Connection). Input is whatever has arrived so far; a parse is either
// Incomplete (wait for more), Complete (with the bytes the head took), or an Error. The
// functions never throw and never read past the input, whatever the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ustcp::apps {

struct Header {
  std::string name;
  std::string value;  // without leading and trailing whitespace
};
using Headers = std::vector<Header>;

// The value of a hexadecimal digit, or -1 (chunk sizes, percent-encoding).
int hex_value(char c);

// The value of the first field named `name` (case-insensitive), or nullptr.
const std::string* find_header(const Headers& headers, std::string_view name);
// Whether the comma-separated list fields named `name` (all lines together) hold `token`
// (case-insensitive): Connection: close, Connection: keep-alive.
bool header_has_token(const Headers& headers, std::string_view name, std::string_view token);

struct HttpVersion {
  int major = 1;
  int minor = 1;
  bool operator==(const HttpVersion&) const = default;
};

enum class ParseStatus { Incomplete, Complete, Error };

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: "/index.html?x=1"
  HttpVersion version;
  Headers headers;
};

struct RequestParse {
  ParseStatus status = ParseStatus::Incomplete;
  size_t consumed = 0;  // Complete: the head's length, blank line included
  HttpRequest request;  // Complete
  std::string error;    // Error: what was wrong (for logs and tests); the answer is 400
};

// A request head larger than this is refused (nginx's large_client_header_buffers: 8k).
inline constexpr size_t kMaxRequestHead = 8192;
// RFC 9112 2.2: empty lines before the request line are ignored; a lone LF ends a line
// like CRLF does; a CR anywhere else, obsolete line folding, whitespace before a field's
// colon or control characters in a value are errors (RFC 9112 5.1, 5.2).
RequestParse parse_request(std::string_view in, size_t max_head = kMaxRequestHead);

struct HttpResponseHead {
  HttpVersion version;
  int status = 0;
  std::string reason;
  Headers headers;
};

struct ResponseParse {
  ParseStatus status = ParseStatus::Incomplete;
  size_t consumed = 0;
  HttpResponseHead head;
  std::string error;
};

inline constexpr size_t kMaxResponseHead = 65536;
ResponseParse parse_response(std::string_view in, size_t max_head = kMaxResponseHead);

// How a message body is delimited (RFC 9112 6).
struct BodyFraming {
  enum class Kind { None, Length, Chunked, UntilClose };
  Kind kind = Kind::None;
  uint64_t length = 0;  // Kind::Length
  bool operator==(const BodyFraming&) const = default;
};

// A request's body (RFC 9112 6.3): chunked if Transfer-Encoding ends with chunked, else
// Content-Length, else none. nullopt when the request must be refused with 400: an invalid
// or conflicting Content-Length, a Transfer-Encoding not ending with chunked, or both
// fields at once (request smuggling, RFC 9112 6.1).
std::optional<BodyFraming> request_framing(const HttpRequest& request);
// A response's body (RFC 9112 6.3): none for HEAD, 1xx, 204 and 304; chunked; read until
// the server closes when Transfer-Encoding does not end with chunked; Content-Length; else
// until close. nullopt for an invalid Content-Length (the connection is unusable).
std::optional<BodyFraming> response_framing(const HttpResponseHead& head, bool head_request);

// RFC 9112 9.3: does the connection persist after this message? "close" ends it; HTTP/1.1
// persists by default; HTTP/1.0 only with "keep-alive".
bool keep_alive(HttpVersion version, const Headers& headers);

}  // namespace ustcp::apps
