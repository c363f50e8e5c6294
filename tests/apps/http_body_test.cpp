// Body framing: the chunked decoder byte by byte and whole, malformed chunks, and the
// BodyReader's limits (never past the body, EOF semantics).
#include "apps/http_body.hpp"

#include <gtest/gtest.h>

namespace ustcp::apps {
namespace {

using Kind = BodyFraming::Kind;
using Status = ChunkedDecoder::Status;

const std::string kChunked =
    "4\r\nWiki\r\n6;name=value\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";

TEST(ChunkedDecoder, WholeMessage) {
  ChunkedDecoder d;
  std::string out;
  const size_t used = d.feed(kChunked, out);
  EXPECT_EQ(d.status(), Status::Done);
  EXPECT_EQ(out, "Wikipedia in \r\n\r\nchunks.");
  EXPECT_EQ(used, kChunked.size() - 4);  // "NEXT" belongs to the next message
}

TEST(ChunkedDecoder, ByteByByte) {
  ChunkedDecoder d;
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < kChunked.size() && d.status() == Status::NeedMore; ++i) {
    used += d.feed(std::string_view(kChunked).substr(i, 1), out);
  }
  EXPECT_EQ(d.status(), Status::Done);
  EXPECT_EQ(out, "Wikipedia in \r\n\r\nchunks.");
  EXPECT_EQ(used, kChunked.size() - 4);
}

TEST(ChunkedDecoder, BareLfAndHexCase) {
  ChunkedDecoder d;
  std::string out;
  d.feed("a\nabcdefghij\nA\r\n0123456789\r\n0\n\n", out);
  EXPECT_EQ(d.status(), Status::Done);
  EXPECT_EQ(out, "abcdefghij0123456789");
}

TEST(ChunkedDecoder, MalformedChunks) {
  for (const char* in : {"x\r\n", "\r\n", "3\r\nabcd\r\n", "3\rabc", "3\r\nabc\rx", "-1\r\n",
                         "fffffffffffffffffff\r\n", "0\r\n\rx", "3\nabc\n\n"}) {
    ChunkedDecoder d;
    std::string out;
    d.feed(in, out);
    EXPECT_EQ(d.status(), Status::Error) << in;
    EXPECT_FALSE(d.error().empty());
  }
}

TEST(BodyReader, ContentLengthStopsAtTheEnd) {
  BodyReader r(BodyFraming{Kind::Length, 5});
  std::string out;
  EXPECT_EQ(r.feed("abc", out), 3u);
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.feed("deHTTP/1.1", out), 2u);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(out, "abcde");
  EXPECT_EQ(r.received(), 5u);
  EXPECT_EQ(r.feed("more", out), 0u);
}

TEST(BodyReader, EmptyBodiesAreDoneAtOnce) {
  EXPECT_TRUE(BodyReader(BodyFraming{Kind::None}).done());
  EXPECT_TRUE(BodyReader(BodyFraming{Kind::Length, 0}).done());
  EXPECT_FALSE(BodyReader(BodyFraming{Kind::UntilClose}).done());
}

TEST(BodyReader, UntilCloseEndsAtEof) {
  BodyReader r(BodyFraming{Kind::UntilClose});
  std::string out;
  EXPECT_EQ(r.feed("anything", out), 8u);
  EXPECT_FALSE(r.done());
  r.on_eof();
  EXPECT_TRUE(r.done());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.received(), 8u);
}

TEST(BodyReader, EofCutsOtherBodiesShort) {
  BodyReader r(BodyFraming{Kind::Length, 10});
  std::string out;
  r.feed("abc", out);
  r.on_eof();
  EXPECT_FALSE(r.done());
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error(), "connection closed after 3 body bytes of 10");

  BodyReader c(BodyFraming{Kind::Chunked});
  c.feed("5\r\nab", out);
  c.on_eof();
  EXPECT_TRUE(c.failed());
}

TEST(BodyReader, ChunkedCountsDecodedBytes) {
  BodyReader r(BodyFraming{Kind::Chunked});
  std::string out;
  EXPECT_EQ(r.feed(kChunked, out), kChunked.size() - 4);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.received(), 24u);
}

}  // namespace
}  // namespace ustcp::apps
