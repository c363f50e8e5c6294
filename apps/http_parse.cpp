#include "apps/http_parse.hpp"

#include <algorithm>
#include <cstring>

namespace ustcp::apps {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 5.6.2: tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Calls f(element) for each element of a comma-separated list, trimmed, empty ones skipped
// (RFC 9110 5.6.1).
template <typename F>
void for_each_element(std::string_view list, F f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view e = trim(list.substr(0, comma));
    if (!e.empty()) f(e);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

enum class Scan { Incomplete, Complete, TooLarge, BadLine };

// Splits a head into its lines (without line ends) up to the blank line that ends it.
// `end` is the offset just past that blank line.
Scan scan_head(std::string_view in, size_t max, bool skip_leading_blank_lines,
               std::vector<std::string_view>& lines, size_t& end) {
  size_t pos = 0;
  if (skip_leading_blank_lines) {
    for (;;) {
      if (in.substr(pos, 2) == "\r\n") {
        pos += 2;
      } else if (in.substr(pos, 1) == "\n") {
        pos += 1;
      } else {
        break;
      }
    }
  }
  for (;;) {
    size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) return in.size() > max ? Scan::TooLarge : Scan::Incomplete;
    if (nl + 1 > max) return Scan::TooLarge;
    std::string_view line = in.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // RFC 9112 2.2: a bare CR must be rejected (or replaced; we reject).
    if (line.find('\r') != std::string_view::npos) return Scan::BadLine;
    pos = nl + 1;
    if (line.empty()) {
      if (lines.empty()) return Scan::BadLine;  // no start line
      end = pos;
      return Scan::Complete;
    }
    lines.push_back(line);
  }
}

// "HTTP/1.1"
bool parse_version(std::string_view s, HttpVersion& v) {
  if (s.size() != 8 || s.substr(0, 5) != "HTTP/" || !is_digit(s[5]) || s[6] != '.' ||
      !is_digit(s[7])) {
    return false;
  }
  v.major = s[5] - '0';
  v.minor = s[7] - '0';
  return true;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 5).
bool parse_field(std::string_view line, Headers& out, std::string& error) {
  if (is_ows(line.front())) {
    error = "obsolete line folding";  // RFC 9112 5.2
    return false;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    error = "header line without a colon";
    return false;
  }
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) {
    error = "invalid header name";  // RFC 9112 5.1: includes whitespace before the colon
    return false;
  }
  std::string_view value = trim(line.substr(colon + 1));
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      error = "control character in a header value";  // RFC 9110 5.5
      return false;
    }
  }
  out.push_back(Header{std::string(name), std::string(value)});
  return true;
}

bool parse_fields(const std::vector<std::string_view>& lines, Headers& out, std::string& error) {
  for (size_t i = 1; i < lines.size(); ++i) {
    if (!parse_field(lines[i], out, error)) return false;
  }
  return true;
}

struct ContentLength {
  bool present = false;
  bool valid = true;
  uint64_t value = 0;
};

// RFC 9112 6.3 item 5: several Content-Length values (in several lines or one list) are
// acceptable only if they are the same valid number.
ContentLength content_length(const Headers& headers) {
  ContentLength cl;
  for (const Header& h : headers) {
    if (!iequals(h.name, "content-length")) continue;
    bool any = false;
    for_each_element(h.value, [&](std::string_view e) {
      any = true;
      uint64_t v = 0;
      bool ok = e.size() <= 19 && std::all_of(e.begin(), e.end(), is_digit);
      for (char c : e) v = v * 10 + static_cast<uint64_t>(c - '0');
      if (!ok || (cl.present && v != cl.value)) cl.valid = false;
      cl.present = true;
      cl.value = v;
    });
    if (!any) {
      cl.present = true;
      cl.valid = false;
    }
  }
  return cl;
}

// The transfer codings, in order, lower-cased, parameters dropped.
std::vector<std::string> transfer_codings(const Headers& headers) {
  std::vector<std::string> codings;
  for (const Header& h : headers) {
    if (!iequals(h.name, "transfer-encoding")) continue;
    for_each_element(h.value, [&](std::string_view e) {
      std::string c(trim(e.substr(0, e.find(';'))));
      std::transform(c.begin(), c.end(), c.begin(), lower);
      codings.push_back(std::move(c));
    });
  }
  return codings;
}

}  // namespace

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

bool header_has_token(const Headers& headers, std::string_view name, std::string_view token) {
  bool found = false;
  for (const Header& h : headers) {
    if (!iequals(h.name, name)) continue;
    for_each_element(h.value, [&](std::string_view e) { found = found || iequals(e, token); });
  }
  return found;
}

RequestParse parse_request(std::string_view in, size_t max_head) {
  RequestParse p;
  std::vector<std::string_view> lines;
  auto fail = [&](const char* why) {
    p.status = ParseStatus::Error;
    p.error = why;
    return p;
  };
  switch (scan_head(in, max_head, true, lines, p.consumed)) {
    case Scan::Incomplete:
      return p;
    case Scan::TooLarge:
      return fail("request head too large");
    case Scan::BadLine:
      return fail("malformed line");
    case Scan::Complete:
      break;
  }
  // request-line = method SP request-target SP HTTP-version (RFC 9112 3).
  std::string_view line = lines[0];
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail("malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(method)) return fail("invalid method");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      })) {
    return fail("invalid request target");
  }
  if (!parse_version(line.substr(sp2 + 1), p.request.version)) return fail("invalid HTTP version");
  if (!parse_fields(lines, p.request.headers, p.error)) {
    p.status = ParseStatus::Error;
    return p;
  }
  p.request.method = std::string(method);
  p.request.target = std::string(target);
  p.status = ParseStatus::Complete;
  return p;
}

ResponseParse parse_response(std::string_view in, size_t max_head) {
  ResponseParse p;
  std::vector<std::string_view> lines;
  auto fail = [&](const char* why) {
    p.status = ParseStatus::Error;
    p.error = why;
    return p;
  };
  switch (scan_head(in, max_head, false, lines, p.consumed)) {
    case Scan::Incomplete:
      return p;
    case Scan::TooLarge:
      return fail("response head too large");
    case Scan::BadLine:
      return fail("malformed line");
    case Scan::Complete:
      break;
  }
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4); some
  // servers leave out the second SP when the reason is empty, which we accept.
  std::string_view line = lines[0];
  if (line.size() < 12 || line[8] != ' ' || !parse_version(line.substr(0, 8), p.head.version)) {
    return fail("malformed status line");
  }
  std::string_view code = line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), is_digit) || code[0] == '0' ||
      (line.size() > 12 && line[12] != ' ')) {
    return fail("invalid status code");
  }
  p.head.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (line.size() > 13) p.head.reason = std::string(line.substr(13));
  if (!parse_fields(lines, p.head.headers, p.error)) {
    p.status = ParseStatus::Error;
    return p;
  }
  p.status = ParseStatus::Complete;
  return p;
}

std::optional<BodyFraming> request_framing(const HttpRequest& request) {
  const std::vector<std::string> codings = transfer_codings(request.headers);
  const ContentLength cl = content_length(request.headers);
  if (find_header(request.headers, "transfer-encoding")) {
    if (cl.present || codings.empty() || codings.back() != "chunked") return std::nullopt;
    return BodyFraming{BodyFraming::Kind::Chunked};
  }
  if (cl.present) {
    if (!cl.valid) return std::nullopt;
    if (cl.value == 0) return BodyFraming{BodyFraming::Kind::None};
    return BodyFraming{BodyFraming::Kind::Length, cl.value};
  }
  return BodyFraming{BodyFraming::Kind::None};
}

std::optional<BodyFraming> response_framing(const HttpResponseHead& head, bool head_request) {
  if (head_request || head.status / 100 == 1 || head.status == 204 || head.status == 304) {
    return BodyFraming{BodyFraming::Kind::None};
  }
  if (find_header(head.headers, "transfer-encoding")) {
    const std::vector<std::string> codings = transfer_codings(head.headers);
    if (!codings.empty() && codings.back() == "chunked")
      return BodyFraming{BodyFraming::Kind::Chunked};
    return BodyFraming{BodyFraming::Kind::UntilClose};
  }
  const ContentLength cl = content_length(head.headers);
  if (cl.present) {
    if (!cl.valid) return std::nullopt;
    return BodyFraming{BodyFraming::Kind::Length, cl.value};
  }
  return BodyFraming{BodyFraming::Kind::UntilClose};
}

bool keep_alive(HttpVersion version, const Headers& headers) {
  if (header_has_token(headers, "connection", "close")) return false;
  if (version.major > 1 || (version.major == 1 && version.minor >= 1)) return true;
  return header_has_token(headers, "connection", "keep-alive");
}

}  // namespace ustcp::apps
