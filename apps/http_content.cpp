#include "apps/http_content.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "apps/byte_pattern.hpp"
#include "apps/http_parse.hpp"

namespace ustcp::apps {

namespace {

class StringBody final : public BodySource {
 public:
  explicit StringBody(std::string s) : s_(std::move(s)) {}
  bool read(std::string& out, size_t max) override {
    const size_t n = std::min(max, s_.size() - off_);
    out.append(s_, off_, n);
    off_ += n;
    return n > 0 || max == 0;
  }

 private:
  std::string s_;
  size_t off_ = 0;
};

// Generated from the offset alone: nothing is buffered but the piece asked for.
class PatternBody final : public BodySource {
 public:
  bool read(std::string& out, size_t max) override {
    const size_t old = out.size();
    out.resize(old + max);
    fill_byte_pattern(offset_, std::span<char>(out.data() + old, max));
    offset_ += max;
    return true;
  }

 private:
  uint64_t offset_ = 0;
};

class FileBody final : public BodySource {
 public:
  explicit FileBody(std::ifstream f) : f_(std::move(f)) {}
  bool read(std::string& out, size_t max) override {
    const size_t old = out.size();
    out.resize(old + max);
    f_.read(out.data() + old, static_cast<std::streamsize>(max));
    const auto got = static_cast<size_t>(std::max<std::streamsize>(f_.gcount(), 0));
    out.resize(old + got);
    return got > 0 || max == 0;
  }

 private:
  std::ifstream f_;
};

Content with_body(int status, std::string type, std::string body) {
  Content c;
  c.status = status;
  c.content_type = std::move(type);
  c.length = body.size();
  if (!body.empty()) c.body = std::make_unique<StringBody>(std::move(body));
  return c;
}

constexpr std::string_view kIndexPage =
    "<!DOCTYPE html>\n"
    "<html>\n<head><title>ustcp</title></head>\n<body>\n"
    "<h1>Hello from ustcp</h1>\n"
    "<p>This page came to you over ustcp, a user-space TCP/IPv4 stack.</p>\n"
    "<p><a href=\"/bytes/1048576\">/bytes/1048576</a>: a mebibyte of a checkable pattern.</p>\n"
    "</body>\n</html>\n";

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Content builtin(const TargetPath& path) {
  if (path.segments.empty()) return with_body(200, "text/html", std::string(kIndexPage));
  if (path.segments.size() == 2 && path.segments[0] == "bytes" && !path.directory) {
    const std::string& n = path.segments[1];
    if (n.empty() || n.size() > 13 ||
        !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return error_content(404);
    }
    uint64_t length = 0;
    for (char c : n) length = length * 10 + static_cast<uint64_t>(c - '0');
    if (length > kMaxPatternBody) return error_content(404);
    Content c;
    c.content_type = "application/octet-stream";
    c.length = length;
    if (length > 0) c.body = std::make_unique<PatternBody>();
    return c;
  }
  return error_content(404);
}

std::string type_of(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html" || ext == ".htm") return "text/html";
  if (ext == ".txt") return "text/plain";
  return "application/octet-stream";
}

Content file(const TargetPath& path, const std::string& root) {
  namespace fs = std::filesystem;
  fs::path p(root);
  for (const std::string& s : path.segments) p /= s;
  if (path.segments.empty() || path.directory) p /= "index.html";
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || ec) return error_content(404);
  const uintmax_t size = fs::file_size(p, ec);
  if (ec) return error_content(404);
  std::ifstream f(p, std::ios::binary);
  if (!f) return error_content(404);
  Content c;
  c.content_type = type_of(p);
  c.length = size;
  if (size > 0) c.body = std::make_unique<FileBody>(std::move(f));
  return c;
}

}  // namespace

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

Content error_content(int status) {
  const std::string line = std::to_string(status) + " " + reason_phrase(status);
  return with_body(status, "text/html",
                   "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" +
                       line +
                       "</h1></center>\r\n<hr><center>ustcp</center>\r\n</body>\r\n</html>\r\n");
}

std::optional<TargetPath> decode_target(std::string_view target) {
  // absolute-form (RFC 9112 3.2.2): a server must accept it; only the path matters here.
  if (target.size() >= 7 &&
      (target.substr(0, 7) == "http://" || target.substr(0, 7) == "HTTP://")) {
    const size_t slash = target.find('/', 7);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target.front() != '/') return std::nullopt;
  TargetPath path;
  path.directory = target.size() > 1 && target.back() == '/';
  while (!target.empty()) {
    target.remove_prefix(1);  // the '/'
    const size_t next = target.find('/');
    auto seg = percent_decode(target.substr(0, next));
    if (!seg || seg->find_first_of(std::string_view("/\0", 2)) != std::string::npos)
      return std::nullopt;
    if (*seg == "..") path.dotdot = true;
    if (!seg->empty() && *seg != "." && *seg != "..") path.segments.push_back(std::move(*seg));
    if (next == std::string_view::npos) break;
    target.remove_prefix(next);
  }
  return path;
}

Content resolve_target(std::string_view target, const std::string& root) {
  auto path = decode_target(target);
  if (!path) return error_content(400);
  // A ".." segment could climb out of the root: refused whatever it would resolve to, with
  // a 404 that says nothing about what lies outside.
  if (path->dotdot) return error_content(404);
  return root.empty() ? builtin(*path) : file(*path, root);
}

}  // namespace ustcp::apps
