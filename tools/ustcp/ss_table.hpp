// The column engine of iproute2's ss (misc/ss.c: out(), field_set(), field_next(),
// render_calc_width(), render()), so that `ustcp ss` lays its table out byte for byte as
// ss does: every field is a token; column widths come from the longest token seen; without
// a terminal the table is compact (each column as wide as its longest token plus its
// delimiter), on a terminal the free width is spread over the columns, and columns that do
// not fit wrap onto further lines.
//
// Two of ss's habits are kept on purpose because they show in its output: the last token
// written before a render is not measured (ss measures a token when the next one starts),
// and after about 4 MiB of tokens the rows so far are printed with the widths known so far
// (ss's buffer of BUF_CHUNKS_MAX chunks of 1 MiB).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ustcp::cli {

class SsTable {
 public:
  enum Col { Netid, State, RecvQ, SendQ, Addr, Serv, RAddr, RServ, Ext, Proc, kCols };

  // screen_width: the terminal's columns, or -1 when output is not a terminal (compact).
  explicit SsTable(int screen_width) : screen_width_(screen_width) {}

  void disable(Col c) { cols_[c].disabled = true; }
  // print_header(): the header of every enabled column.
  void header();
  // field_set(): moves on (closing fields) until `c` is the current field.
  void set(Col c);
  // out(): appends to the current field.
  void out(std::string_view s);
  // field_next().
  void next();
  // render(): prints what is buffered into `out` and empties the buffer.
  void render(std::string& out);
  // What render() printed before (when the buffer filled up), and the rest now.
  std::string finish();

 private:
  enum Align { Left, Right };
  struct Column {
    Align align;
    const char* header;
    const char* ldelim;
    bool disabled = false;
    int width = 0;
    int max_len = 0;
  };
  struct Token {
    std::string text;
  };
  void flush();  // field_flush()
  void calc_width();
  void new_chunk();
  void account(size_t n);

  int screen_width_;
  std::array<Column, kCols> cols_{{
      {Left, "Netid", ""},
      {Left, "State", " "},
      {Left, "Recv-Q", " "},
      {Left, "Send-Q", " "},
      {Right, "Local Address:", " "},
      {Left, "Port", ""},
      {Right, "Peer Address:", " "},
      {Left, "Port", ""},
      {Left, "Process", ""},
      {Left, "", ""},
  }};
  int current_ = 0;
  std::vector<Token> tokens_;  // the last one is the current field's (not yet measured)
  // ss's chunk accounting (buf_update(), field_flush()), to render when ss would.
  int chunks_ = 0;
  size_t tok_off_ = 0;  // where the current token's length field is in its chunk
  size_t end_off_ = 0;  // where the chunk's content ends
  std::string printed_;
};

}  // namespace ustcp::cli
