// An HTTP server on the server host and helpers to fetch from it with the HttpClient on
// the client host, in virtual time.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "apps/http_client.hpp"
#include "apps/http_server.hpp"
#include "sim_pair.hpp"

namespace ustcp::apps::testing {

constexpr Endpoint kHttp{kServerAddr, 80};

// The /bytes/N body written independently of apps/byte_pattern: python's
// b''.join(b'%015d\n' % (k*16) for k in range(...))[:N].
inline std::string python_pattern(size_t n) {
  std::string s;
  s.reserve(n + 16);
  char record[17];
  for (unsigned long long k = 0; s.size() < n; ++k) {
    std::snprintf(record, sizeof record, "%015llu\n", k * 16);
    s.append(record, 16);
  }
  s.resize(n);
  return s;
}

struct Fetch {
  std::string body;  // every response's body, one after the other
  std::unique_ptr<HttpClient> client;
  // The body of response i.
  std::string body_of(size_t i) const {
    size_t off = 0;
    for (size_t j = 0; j < i; ++j) off += client->responses()[j].body_bytes;
    return body.substr(off, client->responses()[i].body_bytes);
  }
};

class HttpTest : public ::testing::Test {
 protected:
  explicit HttpTest(link::LinkParams link = default_link(), uint64_t seed = 1) : p(link, seed) {}

  // Starts the server with `opt` (local defaults to port 80 on every address).
  void serve(HttpServerOptions opt = {}) {
    if (opt.local.port == 0) opt.local.port = 80;
    server = std::make_unique<HttpServer>(p.server.sockets(), opt);
    std::string error;
    ASSERT_TRUE(server->start(p.now(), error)) << error;
    p.server.add(*server);
  }

  // Starts a client on the client host; the caller runs the network.
  Fetch& start(HttpClientOptions opt) {
    if (opt.server.port == 0) opt.server = kHttp;
    auto f = std::make_unique<Fetch>();
    Fetch* raw = f.get();
    f->client = std::make_unique<HttpClient>(p.client.sockets(), opt,
                                             [raw](std::string_view b) { raw->body.append(b); });
    std::string error;
    EXPECT_TRUE(f->client->start(p.now(), error)) << error;
    p.client.add(*f->client);
    fetches.push_back(std::move(f));
    return *raw;
  }

  // Fetches and runs until the client is done.
  Fetch& fetch(HttpClientOptions opt, Duration limit = std::chrono::seconds(120)) {
    Fetch& f = start(std::move(opt));
    EXPECT_TRUE(p.run_until([&] { return f.client->done(); }, limit));
    return f;
  }

  SimPair p;
  std::unique_ptr<HttpServer> server;
  std::vector<std::unique_ptr<Fetch>> fetches;
};

}  // namespace ustcp::apps::testing
