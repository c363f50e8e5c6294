// The HTTP client against the servers it will meet, played by a scripted server on the
// simulated network: python's http.server (HTTP/1.0, closes after each response, bodies
// with or without Content-Length), chunked bodies, interim responses, the keep-alive race,
// resets, truncated and malformed responses, refused and timed-out connections.
#include "apps/http_client.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "http_fixture.hpp"
#include "scripted_server.hpp"

namespace ustcp::apps::testing {
namespace {

using After = ScriptedServer::After;
using std::chrono::seconds;
using tcp::State;

class HttpClientTest : public HttpTest {
 protected:
  void script(std::function<std::string(int)> respond, After after) {
    scripted = std::make_unique<ScriptedServer>(p.server.sockets(), 80, std::move(respond), after);
    p.server.add(*scripted);
  }
  std::unique_ptr<ScriptedServer> scripted;
};

TEST_F(HttpClientTest, PythonHttpServerStyleBodyUntilClose) {
  // HTTP/1.0 with no Content-Length: the body ends when the server closes; each path
  // needs a new connection.
  script(
      [](int n) {
        return "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11\r\n\r\nbody" +
               std::to_string(n);
      },
      After::Close);
  Fetch& f = fetch({.paths = {"/a", "/b", "/c"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.body, "body0body1body2");
  EXPECT_EQ(f.client->connections(), 3);
  EXPECT_EQ(f.client->responses()[2].path, "/c");
  EXPECT_EQ(f.client->closer(), Closer::Server);
  p.run_for(seconds(1));
  EXPECT_EQ(count_state(p.server_stack, State::TimeWait), 3u);
  EXPECT_EQ(count_state(p.client_stack, State::TimeWait), 0u);
}

TEST_F(HttpClientTest, Http10WithContentLengthWaitsForTheClose) {
  script(
      [](int) {
        return "HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: 3\r\n\r\nabc";
      },
      After::Close);
  Fetch& f = fetch({.paths = {"/x", "/y"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.body, "abcabc");
  EXPECT_EQ(f.client->connections(), 2);
  EXPECT_EQ(f.client->closer(), Closer::Server);
}

TEST_F(HttpClientTest, ChunkedKeepAlive) {
  script(
      [](int n) {
        return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n" +
               std::string(n ? "2;x=y\r\nde\r\n" : "") + "0\r\nX-Trailer: 1\r\n\r\n";
      },
      After::Stay);
  Fetch& f = fetch({.paths = {"/1", "/2"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.body, "abcabcde");
  EXPECT_EQ(f.client->responses()[1].body_bytes, 5u);
  EXPECT_EQ(f.client->connections(), 1);
  EXPECT_EQ(f.client->closer(), Closer::Client);
}

TEST_F(HttpClientTest, InterimResponsesAreSkipped) {
  script(
      [](int) {
        return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
      },
      After::Stay);
  Fetch& f = fetch({.paths = {"/"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->responses()[0].status, 200);
  EXPECT_EQ(f.body, "x");
}

TEST_F(HttpClientTest, KeepAliveRaceIsRetriedOnANewConnection) {
  // The server closes after each response without saying so (a keep-alive timeout racing
  // the next request): the second request meets a closed connection and is retried.
  script([](int) { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"; }, After::Close);
  Fetch& f = fetch({.paths = {"/1", "/2"}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.body, "okok");
  EXPECT_EQ(f.client->connections(), 2);
  EXPECT_EQ(f.client->retries(), 1);
}

TEST_F(HttpClientTest, ResetBeforeTheResponseIsAnError) {
  script([](int) { return std::string(); }, After::Reset);
  Fetch& f = fetch({.paths = {"/"}});
  EXPECT_TRUE(f.client->done());
  EXPECT_FALSE(f.client->ok());
  EXPECT_EQ(f.client->error(), "recv: ECONNRESET");
  EXPECT_EQ(f.client->error_code(), ECONNRESET);
  EXPECT_TRUE(f.client->finished());
}

TEST_F(HttpClientTest, TruncatedBodyIsAnError) {
  script([](int) { return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"; }, After::Close);
  Fetch& f = fetch({.paths = {"/"}});
  EXPECT_FALSE(f.client->ok());
  EXPECT_EQ(f.client->error(),
            "connection closed by the server: connection closed after 3 body bytes of 10");
  EXPECT_EQ(f.body, "abc");
}

TEST_F(HttpClientTest, MalformedResponsesAreErrors) {
  script(
      [](int n) {
        return n == 0 ? "SSH-2.0-OpenSSH_9.2\r\n\r\n"
                      : "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx";
      },
      After::Stay);
  Fetch& f = fetch({.paths = {"/"}});
  EXPECT_FALSE(f.client->ok());
  EXPECT_EQ(f.client->error(), "malformed response: malformed status line");
  Fetch& g = fetch({.paths = {"/"}});
  EXPECT_EQ(g.client->error(), "malformed response: invalid Content-Length");
}

TEST_F(HttpClientTest, ConnectionRefused) {
  Fetch& f = fetch({.paths = {"/"}});
  EXPECT_TRUE(f.client->done());
  EXPECT_FALSE(f.client->ok());
  EXPECT_EQ(f.client->error(), "connect 10.0.0.2:80: ECONNREFUSED");
  EXPECT_EQ(f.client->error_code(), ECONNREFUSED);
  EXPECT_TRUE(f.client->responses().empty());
}

TEST_F(HttpClientTest, ConnectTimesOut) {
  // Every datagram from the client is lost: SYN retransmissions until tcp_syn_retries
  // (6: about 127 s of virtual time), then ETIMEDOUT.
  p.net.set_egress(kClientAddr,
                   link::LinkParams{.delay = std::chrono::milliseconds(5), .loss = 1.0});
  Fetch& f = fetch({.paths = {"/"}}, seconds(300));
  EXPECT_TRUE(f.client->done());
  EXPECT_EQ(f.client->error(), "connect 10.0.0.2:80: ETIMEDOUT");
  EXPECT_GT(p.now(), at(seconds(100)));
}

TEST_F(HttpClientTest, BindsTheLocalEndpointAndSendsTheHostHeader) {
  std::string seen;
  script([](int) { return "HTTP/1.1 204 No Content\r\n\r\n"; }, After::Stay);
  // Look at the request on the wire, as the server receives it.
  p.net.on_deliver([&](TimePoint, Ipv4Addr to, Bytes d) {
    if (to == kServerAddr) seen += tcp_payload(d);
  });
  Fetch& f =
      fetch({.host_header = "example.org", .paths = {"/p?q=1"}, .local = {kClientAddr, 40000}});
  ASSERT_TRUE(f.client->ok()) << f.client->error();
  EXPECT_EQ(f.client->responses()[0].status, 204);
  EXPECT_NE(seen.find("GET /p?q=1 HTTP/1.1\r\nHost: example.org\r\n"), std::string::npos) << seen;
  EXPECT_EQ(p.client_stack.socket_table().at(0).local, (Endpoint{kClientAddr, 40000}));
}

TEST_F(HttpClientTest, ShutdownClosesAndReportsTheUnfinishedFetch) {
  script([](int) { return std::string(); }, After::Stay);  // never answers
  Fetch& f = start({.paths = {"/"}});
  p.run_for(seconds(1));
  EXPECT_FALSE(f.client->done());
  p.client.shutdown(p.now());
  EXPECT_TRUE(f.client->done());
  EXPECT_TRUE(f.client->finished());
  EXPECT_EQ(f.client->error(), "shut down before every response came");
  EXPECT_EQ(f.client->closer(), Closer::Client);
}

}  // namespace
}  // namespace ustcp::apps::testing
