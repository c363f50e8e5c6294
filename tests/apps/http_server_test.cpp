// The HTTP server against the HttpClient and raw clients, between two Stacks on the
// simulated network in virtual time: pages, exact bodies, keep-alive and who closes first
// (TIME_WAIT), pipelining, errors, files under a root, shutdown, impairments.
#include "apps/http_server.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "apps/http_body.hpp"
#include "http_fixture.hpp"
#include "stream_client.hpp"

namespace ustcp::apps::testing {
namespace {

using std::chrono::seconds;
using tcp::State;

// Splits what a raw client received into responses (heads and bodies), as a client would.
struct Parsed {
  std::vector<HttpResponseHead> heads;
  std::vector<std::string> bodies;
  std::string rest;  // bytes that were not a complete response
};
Parsed split_responses(std::string in, bool head_request = false) {
  Parsed out;
  for (;;) {
    ResponseParse p = parse_response(in);
    if (p.status != ParseStatus::Complete) break;
    auto framing = response_framing(p.head, head_request);
    if (!framing || framing->kind == BodyFraming::Kind::UntilClose) break;
    BodyReader r(*framing);
    std::string body;
    size_t used = r.feed(std::string_view(in).substr(p.consumed), body);
    if (!r.done()) break;
    in.erase(0, p.consumed + used);
    out.heads.push_back(p.head);
    out.bodies.push_back(body);
  }
  out.rest = in;
  return out;
}

std::string header(const HttpResponseHead& h, const char* name) {
  const std::string* v = find_header(h.headers, name);
  return v ? *v : "<absent>";
}

class HttpServerTest : public HttpTest {
 protected:
  // A raw client: sends `data`, reads to EOF.
  StreamClient& raw(std::string data, bool half_close = false) {
    raws.push_back(
        std::make_unique<StreamClient>(p.client.sockets(), kHttp, std::move(data), half_close));
    StreamClient& c = *raws.back();
    p.client.add(c);
    EXPECT_TRUE(p.run_until([&] { return c.done(); }, seconds(200)));
    return c;
  }
  std::vector<std::unique_ptr<StreamClient>> raws;
};

TEST_F(HttpServerTest, IndexPage) {
  serve();
  Fetch& f = fetch({.paths = {"/"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  const HttpResponseInfo& r = f.client->responses()[0];
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(f.body.find("ustcp"), std::string::npos);
  EXPECT_EQ(*find_header(r.headers, "content-type"), "text/html");
  EXPECT_EQ(*find_header(r.headers, "server"), "ustcp");
  EXPECT_EQ(*find_header(r.headers, "content-length"), std::to_string(f.body.size()));
  EXPECT_EQ(find_header(r.headers, "date"), nullptr);
  EXPECT_EQ(server->stats().requests, 1u);
  EXPECT_EQ(server->stats().responses[2], 1u);
}

TEST_F(HttpServerTest, BytesAreExactForSmallSizesOnOneConnection) {
  serve();
  const std::vector<size_t> sizes = {0, 1, 15, 16, 17};
  HttpClientOptions opt;
  for (size_t n : sizes) opt.paths.push_back("/bytes/" + std::to_string(n));
  Fetch& f = fetch(opt);
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(f.client->responses()[i].status, 200);
    EXPECT_EQ(f.body_of(i), python_pattern(sizes[i])) << sizes[i];
  }
  EXPECT_EQ(f.client->connections(), 1);
  EXPECT_EQ(p.server_stack.counters().PassiveOpens, 1u);
}

TEST_F(HttpServerTest, TenMegabytesAreExact) {
  serve();
  const size_t n = 10 << 20;
  Fetch& f = fetch({.paths = {"/bytes/" + std::to_string(n)}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  ASSERT_EQ(f.body.size(), n);
  EXPECT_TRUE(f.body == python_pattern(n));
  EXPECT_GT(server->stats().bytes_sent, n);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  serve();
  Fetch& f = fetch({.paths = {"/", "/bytes/100"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->responses().size(), 2u);
  EXPECT_EQ(*find_header(f.client->responses()[0].headers, "connection"), "keep-alive");
  EXPECT_EQ(p.server_stack.counters().PassiveOpens, 1u);
  EXPECT_EQ(p.client_stack.counters().ActiveOpens, 1u);
  // keepalive 0: the client closes right after the last response, so TIME_WAIT is its own.
  EXPECT_EQ(f.client->closer(), Closer::Client);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 1u);
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 0u);
  EXPECT_EQ(server->stats().open, 0u);
}

TEST_F(HttpServerTest, ConnectionCloseMakesTheServerCloseFirst) {
  serve();
  Fetch& f = fetch({.paths = {"/"}, .connection_close = true});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(*find_header(f.client->responses()[0].headers, "connection"), "close");
  EXPECT_EQ(f.client->closer(), Closer::Server);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 0u);
  EXPECT_EQ(p.server_stack.connection_count(), 0u);
}

TEST_F(HttpServerTest, ServerKeepaliveTimeoutShorterThanTheClientsClosesFirst) {
  serve({.keepalive_timeout = seconds(1)});
  Fetch& f = fetch({.paths = {"/"}, .keepalive = seconds(5)});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->closer(), Closer::Server);
  EXPECT_EQ(server->stats().keepalive_timeouts, 1u);
  // The server closed at its timeout, a second after the response, not at the client's.
  EXPECT_LT(p.now(), at(seconds(2)));
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 0u);
}

TEST_F(HttpServerTest, ClientKeepaliveShorterThanTheServersClosesFirst) {
  serve({.keepalive_timeout = seconds(10)});
  Fetch& f = fetch({.paths = {"/"}, .keepalive = seconds(1)});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->closer(), Closer::Client);
  EXPECT_GE(p.now(), at(seconds(1)));
  p.run_for(seconds(1));
  EXPECT_EQ(server->stats().keepalive_timeouts, 0u);
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 1u);
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 0u);
}

TEST_F(HttpServerTest, KeepaliveTimeoutZeroMeansNoKeepAlive) {
  serve({.keepalive_timeout = Duration::zero()});
  Fetch& f = fetch({.paths = {"/bytes/3", "/bytes/4"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(*find_header(f.client->responses()[0].headers, "connection"), "close");
  EXPECT_EQ(f.client->connections(), 2);
  EXPECT_EQ(p.server_stack.counters().PassiveOpens, 2u);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 2u);
}

TEST_F(HttpServerTest, ANewConnectionWithoutACompleteHeadIsClosedAfterTheHeaderTimeout) {
  serve({.header_timeout = seconds(3)});
  StreamClient& silent = raw("");  // connects and says nothing
  EXPECT_TRUE(silent.eof);
  EXPECT_EQ(silent.received, "");
  EXPECT_GE(p.now(), at(seconds(3)));
  EXPECT_LT(p.now(), at(seconds(4)));
  const TimePoint start = p.now();
  StreamClient& partial = raw("GET / HTTP/1.1\r\n");  // never completes its head
  EXPECT_TRUE(partial.eof);
  EXPECT_EQ(partial.received, "");
  EXPECT_GE(p.now(), start + seconds(3));
  EXPECT_LT(p.now(), start + seconds(4));
  EXPECT_EQ(server->stats().header_timeouts, 2u);
  EXPECT_EQ(server->stats().keepalive_timeouts, 0u);
}

TEST_F(HttpServerTest, AResponseTheClientStopsReadingIsAbandonedAfterTheSendTimeout) {
  serve({.send_timeout = seconds(10)});
  StreamClient c(p.client.sockets(), kHttp, "GET /bytes/100000000 HTTP/1.1\r\nHost: x\r\n\r\n",
                 false);
  c.reading = false;
  p.client.add(c);
  ASSERT_TRUE(p.run_until([&] { return server->stats().send_timeouts == 1; }, seconds(60)));
  // The windows closed within a second or so; ten seconds without progress later, it fired.
  EXPECT_GT(p.now(), at(seconds(10)));
  EXPECT_LT(p.now(), at(seconds(12)));
  EXPECT_LT(server->stats().bytes_sent, 100000000u);
  EXPECT_EQ(server->stats().open, 0u);
  EXPECT_EQ(server->stats().keepalive_timeouts + server->stats().header_timeouts, 0u);
  p.client.remove(c);
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  serve();
  Parsed r = split_responses(raw("GET /bytes/5 HTTP/1.0\r\n\r\n").received);
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_EQ(header(r.heads[0], "connection"), "close");
  EXPECT_EQ(r.bodies[0], "00000");

  StreamClient& c =
      raw("GET /bytes/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
          "GET /bytes/3 HTTP/1.0\r\n\r\n");
  r = split_responses(c.received);
  ASSERT_EQ(r.heads.size(), 2u);
  EXPECT_EQ(header(r.heads[0], "connection"), "keep-alive");
  EXPECT_EQ(header(r.heads[1], "connection"), "close");
  EXPECT_EQ(r.heads[0].version, (HttpVersion{1, 1}));
  EXPECT_EQ(p.server_stack.counters().PassiveOpens, 2u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  serve();
  StreamClient& c =
      raw("GET /bytes/5 HTTP/1.1\r\nHost: x\r\n\r\n"
          "HEAD /bytes/7 HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          "GET /bytes/9 HTTP/1.1\r\nHost: x\r\n\r\n");  // after "close": never answered
  EXPECT_TRUE(c.eof);
  // Parse by hand: the HEAD response has a Content-Length but no body.
  std::string in = c.received;
  std::vector<int> statuses;
  std::vector<std::string> bodies;
  for (bool head : {false, true, false, false}) {
    ResponseParse h = parse_response(in);
    ASSERT_EQ(h.status, ParseStatus::Complete);
    BodyReader r(*response_framing(h.head, head));
    std::string body;
    in.erase(0, h.consumed);
    in.erase(0, r.feed(in, body));
    ASSERT_TRUE(r.done());
    statuses.push_back(h.head.status);
    bodies.push_back(body);
    if (head) {
      EXPECT_EQ(header(h.head, "content-length"), "7");
    }
  }
  EXPECT_EQ(in, "");
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 404, 200}));
  EXPECT_EQ(bodies[0], "00000");
  EXPECT_EQ(bodies[1], "");
  EXPECT_NE(bodies[3].find("ustcp"), std::string::npos);
  EXPECT_EQ(server->stats().requests, 4u);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);  // the server closed first
}

TEST_F(HttpServerTest, MethodsOtherThanGetAndHead) {
  serve();
  Parsed r = split_responses(raw("POST / HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                                 .received);
  ASSERT_EQ(r.heads.size(), 3u);  // 501 closes the connection
  EXPECT_EQ(r.heads[0].status, 405);
  EXPECT_EQ(header(r.heads[0], "allow"), "GET, HEAD");
  EXPECT_EQ(header(r.heads[0], "connection"), "keep-alive");
  EXPECT_EQ(r.heads[1].status, 405);
  EXPECT_EQ(r.heads[2].status, 501);
  EXPECT_EQ(header(r.heads[2], "connection"), "close");

  // A request with a body: answered, then the connection closes (the body is not read).
  r = split_responses(raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody").received);
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_EQ(r.heads[0].status, 405);
  EXPECT_EQ(header(r.heads[0], "connection"), "close");
}

TEST_F(HttpServerTest, ARequestBodyStillArrivingIsDrainedNotReset) {
  // The server answers 405 after the head and closes, while most of the body is still on
  // its way. Lingering close (as nginx): the FIN goes out, what still arrives is drained;
  // closing at once would make the late data draw a RST (RFC 9112 9.6).
  serve();
  const std::string request = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 400000\r\n\r\n" +
                              std::string(400000, 'u');
  StreamClient& c = raw(request, /*half_close=*/true);
  EXPECT_TRUE(c.eof);
  EXPECT_EQ(c.error, 0);
  EXPECT_EQ(c.sent(), request.size());
  Parsed r = split_responses(c.received);
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_EQ(r.heads[0].status, 405);
  EXPECT_EQ(header(r.heads[0], "connection"), "close");
  EXPECT_EQ(p.server_stack.counters().OutRsts, 0u);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);  // the server's FIN went first
  EXPECT_EQ(server->stats().open, 0u);
}

TEST_F(HttpServerTest, GarbageGets400AndTheServerGoesOn) {
  serve();
  const std::string garbage[] = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
                  15),  // a TLS hello, roughly
      "GET / HTTP/1.1\r\nHost x\r\n\r\n",
      "GET /\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",  // HTTP/1.1 without Host (RFC 9112 3.2)
      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'),  // a head over 8 KB
      std::string(30000, '\0'),
  };
  const int expected[] = {400, 400, 400, 400, 505, 400, 400, 400, 400};
  for (size_t i = 0; i < std::size(garbage); ++i) {
    StreamClient& c = raw(garbage[i]);
    EXPECT_TRUE(c.eof) << i;
    Parsed r = split_responses(c.received);
    ASSERT_EQ(r.heads.size(), 1u) << i;
    EXPECT_EQ(r.heads[0].status, expected[i]) << i;
    EXPECT_EQ(header(r.heads[0], "connection"), "close") << i;
  }
  Fetch& f = fetch({.paths = {"/"}});
  EXPECT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(server->stats().responses[4], 8u);
  EXPECT_EQ(server->stats().responses[5], 1u);
  p.run_for(seconds(1));  // the client's FIN reaches the server
  EXPECT_EQ(server->stats().open, 0u);
}

class HttpRootTest : public HttpServerTest {
 protected:
  void SetUp() override {
    // Unique per run: ctest runs tests in parallel processes, other build trees too.
    root_ = std::filesystem::temp_directory_path() /
            ("ustcp_apps_http_root_" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "sub");
    write("index.html", "<h1>root</h1>");
    write("hello.txt", "hello\n");
    big_.resize(300000);
    uint32_t x = 12345;
    for (char& ch : big_) {
      x = x * 1103515245 + 12345;
      ch = static_cast<char>(x >> 24);
    }
    write("sub/big.bin", big_);
    serve({.root = root_.string()});
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& data) {
    std::ofstream(root_ / name, std::ios::binary) << data;
  }
  std::filesystem::path root_;
  std::string big_;
};

TEST_F(HttpRootTest, ServesFilesByteExact) {
  Fetch& f = fetch({.paths = {"/", "/sub/big.bin", "/hello.txt", "/missing", "/../etc/passwd",
                              "/sub/../hello.txt", "/sub", "/bytes/10"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  const auto& rs = f.client->responses();
  std::vector<int> statuses;
  for (const auto& r : rs) statuses.push_back(r.status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 404, 404, 404, 404, 404}));
  EXPECT_EQ(f.body_of(0), "<h1>root</h1>");
  EXPECT_TRUE(f.body_of(1) == big_);
  EXPECT_EQ(*find_header(rs[1].headers, "content-type"), "application/octet-stream");
  EXPECT_EQ(f.body_of(2), "hello\n");
  EXPECT_EQ(*find_header(rs[2].headers, "content-type"), "text/plain");
  EXPECT_EQ(f.client->connections(), 1);  // 404s keep the connection
}

TEST_F(HttpServerTest, ShutdownClosesEveryConnectionWithAFin) {
  serve();
  Fetch& f = start({.paths = {"/"}, .keepalive = seconds(30)});
  ASSERT_TRUE(p.run_until([&] { return f.client->responses().size() == 1; }));
  p.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server->stats().open, 1u);
  EXPECT_FALSE(server->finished());
  const uint64_t rsts = p.server_stack.counters().OutRsts;
  p.server.shutdown(p.now());
  EXPECT_TRUE(server->finished());
  EXPECT_TRUE(p.server.finished());
  ASSERT_TRUE(p.run_until([&] { return f.client->done(); }, seconds(5)));
  EXPECT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->closer(), Closer::Server);
  EXPECT_LT(p.now(), at(seconds(5)));  // long before the client's keep-alive ran out
  EXPECT_EQ(p.server_stack.counters().OutRsts, rsts);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::Listen), 0u);
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 1u);
}

// Loss, reordering, duplication: bodies stay byte-exact.
class HttpLossyTest : public HttpTest, public ::testing::WithParamInterface<uint64_t> {
 protected:
  HttpLossyTest()
      : HttpTest(link::LinkParams{.delay = std::chrono::milliseconds(5),
                                  .loss = 0.03,
                                  .reorder = 0.05,
                                  .duplicate = 0.02},
                 GetParam()) {}
};

TEST_P(HttpLossyTest, BytesSurviveImpairments) {
  serve();
  Fetch& f = fetch({.paths = {"/bytes/1000000", "/bytes/17", "/"}}, seconds(600));
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_TRUE(f.body_of(0) == python_pattern(1000000));
  EXPECT_EQ(f.body_of(1), python_pattern(17));
  EXPECT_GT(p.net.stats().lost, 0u);
  EXPECT_GT(p.net.stats().reordered, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, HttpLossyTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace ustcp::apps::testing
