#include "ss_table.hpp"

#include <algorithm>
#include <climits>

namespace ustcp::cli {
namespace {

// ss.c: BUF_CHUNK bytes per chunk, minus the chunk header (next and end pointers); a token
// is a 16-bit length and its text, aligned to 2 bytes; BUF_CHUNKS_MAX chunks before a render.
constexpr size_t kChunkData = 1024 * 1024 - 16;
constexpr int kChunksMax = 5;
size_t len_align(size_t n) { return (n + 1) & ~size_t{1}; }

}  // namespace

void SsTable::new_chunk() {
  ++chunks_;
  tok_off_ = 0;
  end_off_ = 2;
}

void SsTable::account(size_t n) {
  // buf_update(): the text goes where the chunk ends if it fits (or if the token is the
  // chunk's first); otherwise the token moves to a new chunk.
  if (!(n < kChunkData - end_off_ || tok_off_ == 0)) {
    const size_t len = tokens_.back().text.size();
    new_chunk();
    end_off_ += len;
  }
  end_off_ += n;
}

void SsTable::out(std::string_view s) {
  if (cols_[current_].disabled) return;
  if (chunks_ == 0) {
    new_chunk();
    tokens_.push_back({});
  }
  account(s.size());
  tokens_.back().text += s;
}

void SsTable::flush() {
  if (cols_[current_].disabled) return;
  if (chunks_ == 0) {
    new_chunk();
    tokens_.push_back({});
  }
  const size_t len = tokens_.back().text.size();
  cols_[current_].max_len = std::max(cols_[current_].max_len, static_cast<int>(len));
  if (kChunkData - end_off_ < 2 + len % 2) {
    new_chunk();
  } else {
    tok_off_ += 2 + len_align(len);
    end_off_ = tok_off_ + 2;
  }
  tokens_.push_back({});
}

void SsTable::next() {
  if (current_ == kCols - 1 && chunks_ >= kChunksMax) {
    render(printed_);
    return;
  }
  flush();
  current_ = current_ == kCols - 1 ? 0 : current_ + 1;
}

void SsTable::set(Col c) {
  while (current_ != c) next();
}

void SsTable::header() {
  while (current_ != kCols - 1) {
    if (!cols_[current_].disabled) out(cols_[current_].header);
    next();
  }
}

void SsTable::calc_width() {
  const bool compact = screen_width_ < 0;
  const int screen = compact ? INT_MAX : screen_width_;
  // First pass: each column as wide as its longest token, plus its delimiter after the
  // first column that has a width.
  bool first = true;
  for (Column& c : cols_) {
    if (c.disabled) continue;
    c.width = !first && c.max_len ? c.max_len + static_cast<int>(std::string_view(c.ldelim).size())
                                  : c.max_len;
    c.width = std::min(c.width, screen);
    if (c.width) first = false;
  }
  if (compact) return;
  // Second pass: break lines where the screen is full and spread the free space over the
  // columns of each line.
  int len = 0, linecols = 0, eol = -1;
  for (int i = 0; i < kCols; ++i) {
    if (!cols_[i].width) continue;
    ++linecols;
    len += cols_[i].width;
    bool last = true;
    for (int j = i + 1; j < kCols; ++j) {
      if (cols_[j].width) {
        last = false;
        break;
      }
    }
    if (!last && len < screen) continue;
    if (len != screen) {
      if (len > screen) {  // go back one column: it starts the next line
        len -= cols_[i].width;
        --i;
        --linecols;
      }
      const int pad = screen - len;
      const int spacing = linecols ? pad / linecols : 0;
      int rem = linecols ? pad % linecols : 0;
      for (int t = i; t > eol; --t) {
        if (!cols_[t].width) continue;
        cols_[t].width += spacing;
        if (rem) {
          ++cols_[t].width;
          --rem;
        }
      }
    }
    eol = i;
    len = 0;
    linecols = 0;
  }
}

void SsTable::render(std::string& o) {
  if (tokens_.empty()) return;
  calc_width();
  int f = 0;
  while (f < kCols - 1 && !cols_[f].width) ++f;
  bool line_started = false;
  for (const Token& t : tokens_) {
    const Column& c = cols_[f];
    int printed = 0;
    if (line_started) {
      o += c.ldelim;
      printed = static_cast<int>(std::string_view(c.ldelim).size());
    }
    line_started = true;
    const int stored = static_cast<int>(t.text.size());
    if (c.width && c.align == Right) {
      const int s = c.width - stored - printed;
      if (s > 0) {
        o.append(static_cast<size_t>(s), ' ');
        printed += s;
      }
    }
    o += t.text;
    printed += stored;
    if (c.width && c.align == Left && c.width - printed > 0) {
      o.append(static_cast<size_t>(c.width - printed), ' ');
    }
    do {
      if (f == kCols - 1) {
        o += '\n';
        f = 0;
        line_started = false;
      } else {
        ++f;
      }
    } while (cols_[f].disabled);
  }
  if (line_started) o += '\n';
  tokens_.clear();
  chunks_ = 0;
  current_ = 0;
}

std::string SsTable::finish() {
  render(printed_);
  return std::move(printed_);
}

}  // namespace ustcp::cli
