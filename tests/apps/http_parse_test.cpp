// The sans-IO head parsers, on literal inputs: requests and responses, whole, cut short,
// malformed, and what their fields say about framing and persistence.
#include "apps/http_parse.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ustcp::apps {
namespace {

using Kind = BodyFraming::Kind;

TEST(ParseRequest, SimpleGet) {
  const std::string in = "GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\nAccept:  */*  \r\n\r\nNEXT";
  RequestParse p = parse_request(in);
  ASSERT_EQ(p.status, ParseStatus::Complete) << p.error;
  EXPECT_EQ(p.consumed, in.size() - 4);
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.target, "/index.html?x=1");
  EXPECT_EQ(p.request.version, (HttpVersion{1, 1}));
  ASSERT_EQ(p.request.headers.size(), 2u);
  EXPECT_EQ(p.request.headers[1].name, "Accept");
  EXPECT_EQ(p.request.headers[1].value, "*/*");
  EXPECT_EQ(*find_header(p.request.headers, "host"), "a");
  EXPECT_EQ(find_header(p.request.headers, "cookie"), nullptr);
}

TEST(ParseRequest, IncompleteAtEveryCut) {
  const std::string in = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  for (size_t n = 0; n < in.size(); ++n) {
    EXPECT_EQ(parse_request(in.substr(0, n)).status, ParseStatus::Incomplete) << n;
  }
  EXPECT_EQ(parse_request(in).status, ParseStatus::Complete);
}

TEST(ParseRequest, LeadingBlankLinesAndBareLf) {
  // RFC 9112 2.2: blank lines before the request line are ignored; LF alone ends a line.
  RequestParse p = parse_request("\r\n\nGET / HTTP/1.0\nHost: a\n\n");
  ASSERT_EQ(p.status, ParseStatus::Complete) << p.error;
  EXPECT_EQ(p.request.version, (HttpVersion{1, 0}));
  EXPECT_EQ(p.consumed, 27u);
}

TEST(ParseRequest, MalformedInputsAreErrors) {
  const char* bad[] = {
      "GET /\r\n\r\n",                                 // HTTP/0.9 form
      "GET  / HTTP/1.1\r\n\r\n",                       // two spaces
      "GET / HTTP/1.1 \r\n\r\n",                       // trailing space
      "G(T / HTTP/1.1\r\n\r\n",                        // not a token
      "GET / HTTP/11\r\n\r\n",                         // version
      "GET / http/1.1\r\n\r\n",                        // version is case-sensitive
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",            // space before colon (RFC 9112 5.1)
      "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",  // obs-fold (RFC 9112 5.2)
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n",  // control character
      "GET / HTTP/1.1\rHost: a\r\n\r\n",      // bare CR
      "GET /\x7f HTTP/1.1\r\n\r\n",
  };
  for (const char* in : bad) {
    RequestParse p = parse_request(in);
    EXPECT_EQ(p.status, ParseStatus::Error) << in;
    EXPECT_FALSE(p.error.empty()) << in;
  }
  EXPECT_EQ(parse_request(std::string_view("GET /\0 HTTP/1.1\r\n\r\n", 19)).status,
            ParseStatus::Error);
}

TEST(ParseRequest, HeadOver8KIsAnErrorEvenIncomplete) {
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(kMaxRequestHead, 'a');
  EXPECT_EQ(parse_request(big).status, ParseStatus::Error);
  EXPECT_EQ(parse_request(big + "\r\n\r\n").status, ParseStatus::Error);
  // Just under the limit is fine.
  std::string fits = "GET / HTTP/1.1\r\nX: ";
  fits += std::string(kMaxRequestHead - fits.size() - 4, 'a') + "\r\n\r\n";
  EXPECT_EQ(fits.size(), kMaxRequestHead);
  EXPECT_EQ(parse_request(fits).status, ParseStatus::Complete);
}

TEST(ParseRequest, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  constexpr char kAlphabet[] = "GET /HTP1.\r\n: \t\0\x7f\xff%?abc";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 200, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    RequestParse p = parse_request(s, 128);
    if (p.status == ParseStatus::Complete) {
      EXPECT_LE(p.consumed, s.size());
      EXPECT_FALSE(p.request.method.empty());
    }
    (void)request_framing(p.request);
  }
}

TEST(RequestFraming, BodiesAndSmuggling) {
  auto framing = [](const char* head) {
    RequestParse p = parse_request(head);
    EXPECT_EQ(p.status, ParseStatus::Complete) << head;
    return request_framing(p.request);
  };
  EXPECT_EQ(framing("GET / HTTP/1.1\r\n\r\n"), (BodyFraming{Kind::None}));
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), (BodyFraming{Kind::None}));
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"),
            (BodyFraming{Kind::Length, 12}));
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"),
            (BodyFraming{Kind::Length, 5}));
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"),
            (BodyFraming{Kind::Chunked}));
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            std::nullopt);
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), std::nullopt);
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
            std::nullopt);
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), std::nullopt);
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
            std::nullopt);
  EXPECT_EQ(framing("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"), std::nullopt);
}

TEST(KeepAlive, ByVersionAndConnectionTokens) {
  auto h = [](std::string v) { return Headers{{"Connection", std::move(v)}}; };
  EXPECT_TRUE(keep_alive({1, 1}, {}));
  EXPECT_FALSE(keep_alive({1, 0}, {}));
  EXPECT_TRUE(keep_alive({1, 0}, h("Keep-Alive")));
  EXPECT_FALSE(keep_alive({1, 1}, h("close")));
  EXPECT_FALSE(keep_alive({1, 1}, h("upgrade, CLOSE")));
  EXPECT_TRUE(keep_alive({1, 1}, h("closed")));  // a token, not a substring
  EXPECT_TRUE(header_has_token({{"connection", "a"}, {"Connection", "b , keep-alive"}},
                               "Connection", "keep-alive"));
}

TEST(ParseResponse, StatusLineAndHeaders) {
  const std::string in =
      "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\nContent-Length: 3\r\n\r\nabc";
  ResponseParse p = parse_response(in);
  ASSERT_EQ(p.status, ParseStatus::Complete) << p.error;
  EXPECT_EQ(p.consumed, in.size() - 3);
  EXPECT_EQ(p.head.version, (HttpVersion{1, 0}));
  EXPECT_EQ(p.head.status, 200);
  EXPECT_EQ(p.head.reason, "OK");
  EXPECT_EQ(response_framing(p.head, false), (BodyFraming{Kind::Length, 3}));
  EXPECT_FALSE(keep_alive(p.head.version, p.head.headers));

  p = parse_response("HTTP/1.1 404 \r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::Complete);
  EXPECT_EQ(p.head.status, 404);
  EXPECT_EQ(p.head.reason, "");
  p = parse_response("HTTP/1.1 204\r\n\r\n");  // no SP after the code: tolerated
  ASSERT_EQ(p.status, ParseStatus::Complete);
  EXPECT_EQ(response_framing(p.head, false), (BodyFraming{Kind::None}));
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nX: y\r\n").status, ParseStatus::Incomplete);
}

TEST(ParseResponse, MalformedInputsAreErrors) {
  for (const char* in :
       {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "\r\n",
        "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", "HTTP/1.1 200 OK\r\n folded\r\n\r\n"}) {
    EXPECT_EQ(parse_response(in).status, ParseStatus::Error) << in;
  }
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\n" + std::string(100, 'x'), 64).status,
            ParseStatus::Error);
}

TEST(ResponseFraming, Rfc9112Section6_3) {
  auto head = [](int status, Headers h) {
    return HttpResponseHead{{1, 1}, status, "", std::move(h)};
  };
  EXPECT_EQ(response_framing(head(200, {}), false), (BodyFraming{Kind::UntilClose}));
  EXPECT_EQ(response_framing(head(200, {{"Content-Length", "10"}}), true),
            (BodyFraming{Kind::None}));
  EXPECT_EQ(response_framing(head(304, {{"Content-Length", "10"}}), false),
            (BodyFraming{Kind::None}));
  EXPECT_EQ(response_framing(head(100, {}), false), (BodyFraming{Kind::None}));
  EXPECT_EQ(response_framing(head(200, {{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}}),
                             false),
            (BodyFraming{Kind::Chunked}));
  EXPECT_EQ(response_framing(head(200, {{"Transfer-Encoding", "gzip"}}), false),
            (BodyFraming{Kind::UntilClose}));
  EXPECT_EQ(response_framing(head(200, {{"Content-Length", "0"}}), false),
            (BodyFraming{Kind::Length, 0}));
  EXPECT_EQ(response_framing(head(200, {{"Content-Length", "1, 2"}}), false), std::nullopt);
}

}  // namespace
}  // namespace ustcp::apps
