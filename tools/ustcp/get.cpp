// `ustcp get`: ustcp as the HTTP client on a TUN device, fetching from a server on the Linux
// side (python3 -m http.server, nginx, ...). The bodies go to stdout or -o FILE; what
// happened (status, sizes, who closed first) goes to stderr, as curl -v would say it.
#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "apps/http_client.hpp"
#include "commands.hpp"
#include "tun_session.hpp"

namespace ustcp::cli {
namespace {

struct Url {
  Endpoint server;
  std::string path;
};

// http://A.B.C.D[:PORT][/PATH]. Host names would need DNS, which ustcp does not do.
std::optional<Url> parse_url(const std::string& url, std::string& error) {
  const std::string scheme = "http://";
  if (!url.starts_with(scheme)) {
    error = fmt::format("'{}': only http:// URLs are supported", url);
    return std::nullopt;
  }
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  Url u;
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.find(':');
  auto addr = Ipv4Addr::parse(authority.substr(0, colon));
  if (!addr) {
    error = fmt::format("'{}': the host must be an IPv4 address (ustcp has no DNS)", url);
    return std::nullopt;
  }
  u.server = {*addr, 80};
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 ||
        std::stoul(port) > 65535) {
      error = fmt::format("'{}': invalid port '{}'", url, port);
      return std::nullopt;
    }
    u.server.port = static_cast<uint16_t>(std::stoul(port));
  }
  return u;
}

}  // namespace

int run_get(const GetOptions& opt) {
  std::string error;
  apps::HttpClientOptions c;
  c.keepalive = opt.keepalive;
  for (const auto& text : opt.urls) {
    auto url = parse_url(text, error);
    if (!url) {
      fmt::print(stderr, "ustcp get: {}\n", error);
      return 2;
    }
    if (!c.paths.empty() && !(url->server == c.server)) {
      fmt::print(stderr, "ustcp get: '{}': every URL must name the same server ({})\n", text,
                 c.server.to_string());
      return 2;
    }
    c.server = url->server;
    c.paths.push_back(url->path);
  }
  bool bad_usage = false;
  auto session = TunSession::open(opt.tun, "get", error, bad_usage);
  if (!session) {
    fmt::print(stderr, "ustcp get: {}\n", error);
    return bad_usage ? 2 : 1;
  }
  // The output file is opened only now: a run that cannot start leaves an existing file
  // as it was.
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!opt.output.empty()) {
    file.reset(std::fopen(opt.output.c_str(), "wb"));
    if (!file) {
      fmt::print(stderr, "ustcp get: -o {}: {}\n", opt.output, std::strerror(errno));
      return 2;
    }
    out = file.get();
  }

  bool write_failed = false;
  apps::HttpClient client(session->host().sockets(), c, [&](std::string_view piece) {
    if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) write_failed = true;
  });
  if (!client.start(link::TunLoop::now(), error)) {
    fmt::print(stderr, "ustcp get: {}\n", error);
    return 1;
  }
  session->host().add(client);
  // Status lines go to stderr, so stdout stays the bodies alone.
  std::FILE* info = stderr;
  session->set_info(info);
  session->describe();
  fmt::print(info, "ustcp get: {} path(s) from {}{}\n", c.paths.size(), c.server.to_string(),
             c.paths.size() > 1 ? " on one keep-alive connection" : "");
  const int rc = session->run([&](TimePoint, TimePoint&) { return !client.done(); });
  std::fflush(out);
  for (const auto& r : client.responses()) {
    fmt::print(info, "ustcp get: {} http://{}{}: {} body bytes\n", r.status, c.server.to_string(),
               r.path, r.body_bytes);
  }
  if (client.done()) {
    fmt::print(info, "ustcp get: {} connection(s); the {} closed first\n", client.connections(),
               apps::to_string(client.closer()));
  }
  if (rc != 0) return rc;
  if (session->interrupted() && !client.done()) {
    fmt::print(stderr, "ustcp get: interrupted\n");
    return 1;
  }
  if (!client.ok()) {
    fmt::print(stderr, "ustcp get: {}\n", client.error());
    return 1;
  }
  if (write_failed || std::ferror(out)) {
    fmt::print(stderr, "ustcp get: writing the body failed\n");
    return 1;
  }
  for (const auto& r : client.responses()) {
    if (r.status >= 400) return 1;  // like curl --fail: a script can trust exit status 0
  }
  return 0;
}

}  // namespace ustcp::cli
