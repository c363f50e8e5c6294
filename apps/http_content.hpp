// What the HTTP server answers to GET (or HEAD) of a target: a status, a type, a length
// and a source that produces the body piece by piece as the connection's send buffer frees,
// so no body is ever held whole. Two sets of pages:
//   built-in (no root): "/" a small HTML page, "/bytes/N" N bytes (N <= 2^40) of the
//                       byte pattern (byte_pattern.hpp), anything else 404;
//   under a root:       regular files, "/" and ".../" mapping to index.html; a missing or
//                       non-regular file, or a path with a ".." segment, is 404.
// Uses the C++ standard library only (std::filesystem, std::ifstream).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ustcp::apps {

class BodySource {
 public:
  virtual ~BodySource() = default;
  // Appends the body's next bytes to `out`, at most `max` of them; false when it cannot
  // (a file that shrank or failed to read): the response cannot be completed.
  virtual bool read(std::string& out, size_t max) = 0;
};

struct Content {
  int status = 200;
  std::string content_type = "text/html";
  uint64_t length = 0;               // Content-Length
  std::unique_ptr<BodySource> body;  // null when length is 0
};

// The largest "/bytes/N".
inline constexpr uint64_t kMaxPatternBody = uint64_t{1} << 40;

// "Not Found" for 404 ("" for an unknown status).
const char* reason_phrase(int status);
// A small HTML page saying the status, as nginx sends for its errors.
Content error_content(int status);

// The path of a request target (origin-form, or absolute-form "http://host/path"):
// the query dropped, split at '/', each segment percent-decoded, "." and empty segments
// dropped. nullopt for a target we cannot take (400): not starting with '/', a bad %
// escape, or a decoded '/' or NUL inside a segment (which would let "%2F" smuggle a
// separator past the ".." check).
struct TargetPath {
  std::vector<std::string> segments;
  bool directory = false;  // the path ends with '/'
  bool dotdot = false;     // some segment is ".."
};
std::optional<TargetPath> decode_target(std::string_view target);

// The response to GET `target`. Never fails: anything it cannot serve is an error page.
Content resolve_target(std::string_view target, const std::string& root);

}  // namespace ustcp::apps
