#include "lab_svg.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {
namespace {

using namespace std::chrono_literals;

constexpr int kWidth = 1240;
constexpr int kLeft = 96;     // time labels left of this
constexpr int kRight = 1180;  // plots end here
constexpr int kRow = 24;      // a label above its arrow clears the row above

// The arrows' colours and dashes, one definition for the diagram and its legend.
constexpr const char* kLostColor = "#c62828";  // lost on the way, or dropped by the receiver
constexpr const char* kLostDash = "5,3";       // lost: dashed, up to a cross
constexpr const char* kRstColor = "#d81b60";
constexpr const char* kRtxColor = "#ef6c00";  // a retransmission (Wireshark, tcptrace)
constexpr const char* kRtxDash = "8,3";
// Each connection in focus its own colour (ports in the label say which is which).
constexpr const char* kConnColors[] = {"#37474f", "#1565c0", "#00695c", "#6a1b9a"};

std::string esc(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string thousands(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string seconds(Duration d) {
  const double s = to_seconds(d);
  if (s < 1) return fmt::format("{:.0f} ms", s * 1000);
  if (s < 100) return fmt::format("{:.1f} s", s);
  return fmt::format("{:.0f} s", s);
}

using ConnKey = LabConnKey;
ConnKey key_of(const Endpoint& a, const Endpoint& b) { return lab_conn_key(a, b); }

// tcpdump's flag letters: S F P R . (ACK)
std::string flag_text(uint8_t f) {
  using namespace wire::tcp_flags;
  std::string s;
  if (f & SYN) s += 'S';
  if (f & FIN) s += 'F';
  if (f & PSH) s += 'P';
  if (f & RST) s += 'R';
  if (f & ACK) s += '.';
  return s;
}

// One color per state, the same in both panels.
const char* state_color(tcp::State st) {
  static const char* kColors[] = {"#2e7d32", "#1565c0", "#6a1b9a", "#ef6c00", "#c62828", "#455a64",
                                  "#9e9e9e", "#d81b60", "#8d6e63", "#00838f", "#f9a825"};
  return kColors[static_cast<int>(st)];
}

struct Row {
  enum Kind { Seg, Change, Note, Gap } kind;
  TimePoint t;
  const LabSegment* seg = nullptr;
  const LabChange* change = nullptr;
  std::string text;
  // A segment's numbers as the diagram shows them: seq - seq_base; ack and SACK blocks
  // minus ack_base (none: the other side's ISN is not known yet, so no ack is shown).
  uint32_t seq_base = 0;
  std::optional<uint32_t> ack_base;
  bool retransmission = false;
};

class Svg {
 public:
  void add(std::string s) { body_ += std::move(s); }
  void text(double x, double y, std::string_view s, const char* extra = "") {
    body_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, extra, esc(s));
  }
  void line(double x1, double y1, double x2, double y2, const char* style) {
    body_ += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" style=\"{}\"/>\n", x1, y1,
        x2, y2, style);
  }
  std::string finish(int height) const {
    return fmt::format(
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
               "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Helvetica, Arial, "
               "sans-serif\" font-size=\"12\">\n"
               "<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" "
               "refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#37474f\"/>"
               "</marker></defs>\n"
               "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
               kWidth, height) +
           body_ + "</svg>\n";
  }

 private:
  std::string body_;
};

// One direction of a connection: the connection and whether it runs from its smaller
// endpoint to its larger.
using DirKey = std::pair<ConnKey, bool>;
DirKey dir_key(const LabSegment& s) {
  return {key_of(s.src, s.dst),
          std::pair{s.src.addr.raw(), s.src.port} < std::pair{s.dst.addr.raw(), s.dst.port}};
}

// The relative sequence numbers of one direction of a connection (tcpdump's default).
struct Relative {
  std::map<DirKey, uint32_t> isn;
  // first: this direction's first seq (its seq counts from there); second: the other
  // direction's, which its ack and SACK blocks count from.
  std::pair<uint32_t, std::optional<uint32_t>> bases(const LabSegment& s) {
    const auto [k, dir] = dir_key(s);
    // A SYN with a new ISN starts the numbers again: a later connection on the same 4-tuple
    // (after TIME-WAIT, or tcp_tw_reuse) counts from its own SYN, as Wireshark's do.
    auto [it, fresh] = isn.try_emplace({k, dir}, s.seq);
    if (!fresh && (s.flags & wire::tcp_flags::SYN) && it->second != s.seq) {
      it->second = s.seq;
      if (!(s.flags & wire::tcp_flags::ACK)) isn.erase({k, !dir});
    }
    std::optional<uint32_t> other;
    if (auto o = isn.find({k, !dir}); o != isn.end()) other = o->second;
    return {it->second, other};
  }
};

// Retransmissions as Wireshark's "TCP Retransmission" (and tcptrace's R) finds them: a
// segment that takes sequence space (data, SYN or FIN) and starts before the highest
// sequence its direction has sent. Keep-alives and zero-window probes take none (Linux
// sends them at snd_una - 1 without data) and are not retransmissions.
struct Retransmissions {
  struct Sent {
    uint32_t isn;  // a SYN with another ISN is a new connection on the same 4-tuple
    SeqNum end;    // the highest seq + length sent
  };
  std::map<DirKey, Sent> sent;
  // True when `s` is a retransmission; then records it.
  bool check(const LabSegment& s) {
    using namespace wire::tcp_flags;
    const bool syn = s.flags & SYN;
    const SeqNum seq(s.seq), end = seq + SeqLen(s.len + (syn ? 1 : 0) + (s.flags & FIN ? 1 : 0));
    auto [it, fresh] = sent.try_emplace(dir_key(s), Sent{s.seq, end});
    if (fresh || (syn && it->second.isn != s.seq)) {
      it->second = Sent{s.seq, end};
      return false;
    }
    const bool again = end != seq && seq.before(it->second.end);
    if (end.after(it->second.end)) it->second.end = end;
    return again;
  }
};

// The arrow's label as tcpdump words a segment: ports, flags, seq, ack with its SACK
// blocks, length ("80 > 40000 [.] seq 1 ack 1001 sack 2449-3897,5345-6793").
std::string segment_label(const LabSegment& s, uint32_t seq_base,
                          std::optional<uint32_t> ack_base) {
  std::string label = fmt::format("{} > {} [{}] seq {}", s.src.port, s.dst.port, flag_text(s.flags),
                                  s.seq - seq_base);
  if ((s.flags & wire::tcp_flags::ACK) && ack_base) {
    label += fmt::format(" ack {}", s.ack - *ack_base);
    for (uint8_t b = 0; b < s.sack_count; ++b) {
      label += fmt::format("{}{}-{}", b == 0 ? " sack " : ",", s.sack[b].left.raw() - *ack_base,
                           s.sack[b].right.raw() - *ack_base);
    }
  }
  if (s.len) label += fmt::format(" len {}", s.len);
  return label;
}

// A segment's line: dashed when `dash` is set, with an arrow head when it arrived; `attrs`
// marks it for readers of the SVG (data-kind="retransmission").
void arrow(Svg& svg, double x1, double y1, double x2, double y2, const char* color,
           const char* dash, const std::string& attrs, bool head) {
  svg.add(
      fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                  "stroke-width=\"1.5\"{}{}{}/>\n",
                  x1, y1, x2, y2, color, dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "",
                  head ? " marker-end=\"url(#arrow)\"" : "", attrs));
}

// Where a segment ended without arriving (lost, or dropped by its receiver).
void cross(Svg& svg, double cx, double cy) {
  const std::string style = fmt::format("stroke:{};stroke-width:2", kLostColor);
  svg.line(cx - 4, cy - 4, cx + 4, cy + 4, style.c_str());
  svg.line(cx - 4, cy + 4, cx + 4, cy - 4, style.c_str());
}

// What the arrows' colours and dashes mean, on one line from (x, y): drawn with arrow() and
// cross() and the constants the rows use, so that the key and the rows cannot differ.
void sequence_legend(Svg& svg, double x, double y) {
  struct Item {
    const char* color;
    const char* dash;
    bool head, cross;
    const char* text;
  };
  const Item items[] = {
      {kConnColors[0], nullptr, true, false, "segment (a colour per connection)"},
      {kRtxColor, kRtxDash, true, false, "retransmission"},
      {kLostColor, kLostDash, false, true, "lost"},
      {kLostColor, nullptr, false, true, "dropped by the receiver"},
      {kRstColor, nullptr, true, false, "RST"},
  };
  for (const Item& it : items) {
    arrow(svg, x, y - 4, x + 30, y - 4, it.color, it.dash, " data-legend=\"1\"", it.head);
    if (it.cross) cross(svg, x + 30, y - 4);
    svg.text(x + 38, y, it.text, "font-size=\"11\"");
    x += 50 + 6.4 * static_cast<double>(std::string_view(it.text).size());
  }
}

int sequence_diagram(Svg& svg, const LabWorld& w, const LabPicture& p, int top) {
  const auto& lanes = w.lanes();
  const int n = static_cast<int>(lanes.size());
  auto lane_x = [&](int lane) {
    const double span = (kRight - 120.0) - (kLeft + 140.0);
    return n <= 1 ? (kLeft + kRight) / 2.0 : kLeft + 140.0 + span * lane / (n - 1);
  };
  // Which connections are in focus, then the rows in time order.
  std::set<ConnKey> focus;
  for (const LabSegment& s : w.segments()) {
    if (p.focus && p.focus(s)) focus.insert(key_of(s.src, s.dst));
  }
  std::vector<Row> rows;
  Relative rel;
  Retransmissions rtx;
  size_t si = 0, ci = 0, ni = 0;
  const auto& segs = w.segments();
  const auto& changes = w.changes();
  const auto& notes = w.notes();
  uint64_t skipped = 0;
  TimePoint skipped_from{}, last_t{};
  // Segments left out are summed up in a gap row once they span 20 ms or number 50 (fewer
  // wait for the next gap row, so that a few stray segments do not cut every row apart).
  auto flush_gap = [&](TimePoint until, bool force = false) {
    if (skipped == 0 || (!force && until - skipped_from < 20ms && skipped < 50)) return;
    rows.push_back({Row::Gap, skipped_from, nullptr, nullptr,
                    fmt::format("... {} other segment{} over {} ...", thousands(skipped),
                                skipped == 1 ? "" : "s", seconds(until - skipped_from))});
    skipped = 0;
  };
  while (si < segs.size() || ci < changes.size() || ni < notes.size()) {
    const TimePoint ts = si < segs.size() ? segs[si].t : kNever;
    const TimePoint tc = ci < changes.size() ? changes[ci].t : kNever;
    const TimePoint tn = ni < notes.size() ? notes[ni].t : kNever;
    if (tn <= ts && tn <= tc) {
      flush_gap(tn);
      rows.push_back({Row::Note, tn, nullptr, nullptr, notes[ni].text});
      ++ni;
    } else if (ts <= tc) {
      const LabSegment& s = segs[si++];
      const bool in_focus = focus.contains(key_of(s.src, s.dst));
      // Relative numbers follow every segment of a connection, shown or not (a SYN left
      // out still starts the numbers of its connection).
      const auto bases = in_focus ? rel.bases(s) : std::pair{0u, std::optional<uint32_t>{}};
      const bool again = in_focus && rtx.check(s);
      if (in_focus && (!p.rows || p.rows(s))) {
        flush_gap(s.t);
        Row row{Row::Seg, s.t, &s};
        row.seq_base = p.absolute_seq ? 0 : bases.first;
        row.ack_base = p.absolute_seq ? std::optional(0u) : bases.second;
        row.retransmission = again;
        rows.push_back(std::move(row));
      } else {
        if (skipped == 0) skipped_from = s.t;
        ++skipped;
        last_t = s.t;
      }
    } else {
      const LabChange& c = changes[ci++];
      if (focus.contains(key_of(c.tuple.local, c.tuple.remote))) {
        flush_gap(c.t);
        rows.push_back({Row::Change, c.t, nullptr, &c});
      }
    }
  }
  flush_gap(last_t, /*force=*/true);
  // Too many rows: keep the start and the end, sum up the middle.
  if (rows.size() > p.max_rows) {
    const size_t head = p.max_rows * 2 / 3, tail = p.max_rows - head - 1;
    uint64_t mid_segs = 0;
    for (size_t i = head; i < rows.size() - tail; ++i) mid_segs += rows[i].kind == Row::Seg;
    Row gap{Row::Gap, rows[head].t, nullptr, nullptr,
            fmt::format("... {} more rows ({} segments of these connections) over {} ...",
                        thousands(rows.size() - head - tail), thousands(mid_segs),
                        seconds(rows[rows.size() - tail - 1].t - rows[head].t))};
    std::vector<Row> kept(rows.begin(), rows.begin() + static_cast<long>(head));
    kept.push_back(gap);
    kept.insert(kept.end(), rows.end() - static_cast<long>(tail), rows.end());
    rows = std::move(kept);
  }

  int y = top;
  svg.text(kLeft - 80, y, "Sequence diagram: the connections in focus, every event",
           "font-size=\"15\" font-weight=\"bold\"");
  y += 20;
  sequence_legend(svg, kLeft - 80, y);
  y += 26;
  for (int i = 0; i < n; ++i) {
    svg.text(lane_x(i), y, fmt::format("{} {}", lanes[i], w.lane_addrs()[i].to_string()),
             "text-anchor=\"middle\" font-weight=\"bold\"");
  }
  y += 12;
  const int lanes_top = y;
  const int lanes_bottom = y + static_cast<int>(rows.size()) * kRow + 10;
  for (int i = 0; i < n; ++i) {
    svg.line(lane_x(i), lanes_top, lane_x(i), lanes_bottom, "stroke:#b0bec5;stroke-width:2");
  }
  for (const Row& r : rows) {
    y += kRow;
    const double ty = y - 7;
    if (r.kind != Row::Gap) {
      svg.text(kLeft - 10, ty, fmt::format("{:.6f}", to_seconds(r.t)),
               "text-anchor=\"end\" fill=\"#607d8b\" font-family=\"DejaVu Sans Mono, monospace\" "
               "font-size=\"11\"");
    }
    switch (r.kind) {
      case Row::Gap:
        svg.add(
            fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f5f5f5\"/>\n",
                        kLeft, y - kRow + 4, kRight - kLeft, kRow - 8));
        svg.text((kLeft + kRight) / 2.0, ty, r.text,
                 "text-anchor=\"middle\" fill=\"#616161\" font-style=\"italic\"");
        break;
      case Row::Note:
        svg.add(
            fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff8e1\" "
                        "stroke=\"#ffb300\"/>\n",
                        kLeft, y - kRow + 4, kRight - kLeft, kRow - 8));
        svg.text(kLeft + 8, ty, r.text, "fill=\"#e65100\" font-weight=\"bold\"");
        break;
      case Row::Change: {
        const LabChange& c = *r.change;
        const std::string label =
            fmt::format("{} → {}", c.from == tcp::State::Close ? "CLOSED" : tcp::ss_name(c.from),
                        c.to == tcp::State::Close ? "CLOSED" : tcp::ss_name(c.to));
        const double x = lane_x(c.host);
        const double wbox = 7.2 * static_cast<double>(label.size() - 2) + 12;
        svg.add(
            fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" rx=\"4\" "
                        "fill=\"white\" stroke=\"{}\"/>\n",
                        x - wbox / 2, y - kRow + 5, wbox,
                        state_color(c.to == tcp::State::Close ? tcp::State::Close : c.to)));
        svg.text(
            x, ty, label,
            fmt::format("text-anchor=\"middle\" font-size=\"11\" fill=\"{}\"", state_color(c.to))
                .c_str());
        break;
      }
      case Row::Seg: {
        const LabSegment& s = *r.seg;
        const double x1 = lane_x(s.from);
        // To nobody (a spoofed address): towards the outside, the last lane's side.
        const bool nowhere = s.to < 0;
        const double x2 = nowhere ? x1 + (s.from < n - 1 ? 90 : -90) : lane_x(s.to);
        const double y1 = y - kRow + 6, y2 = y - 2;
        std::string label = segment_label(s, r.seq_base, r.ack_base);
        const char* fate = !s.dropped ? nullptr : nowhere ? "no route" : "lost";
        if (r.retransmission) {
          label += fate ? fmt::format(" (retransmission, {})", fate) : " (retransmission)";
        } else if (fate) {
          label += fmt::format(" ({})", fate);
        }
        if (s.discarded) {
          label +=
              fmt::format(" (dropped by {}: {})", lanes[static_cast<size_t>(s.to)], s.discarded);
        }
        const bool rst = s.flags & wire::tcp_flags::RST;
        const auto conn = std::distance(focus.begin(), focus.find(key_of(s.src, s.dst)));
        const char* color = s.dropped || s.discarded ? kLostColor
                            : rst                    ? kRstColor
                            : r.retransmission       ? kRtxColor
                                                     : kConnColors[conn % 4];
        // A retransmission is dashed whatever became of it (a lost one in red, up to its cross).
        const std::string kind = r.retransmission ? " data-kind=\"retransmission\"" : "";
        if (s.dropped) {
          // Lost on the way: the arrow stops short of halfway, at a cross (clear of its own
          // label above and of the next row's).
          const double xm = x1 + (x2 - x1) * 0.4, ym = y1 + (y2 - y1) * 0.4;
          arrow(svg, x1, y1, xm, ym, color, r.retransmission ? kRtxDash : kLostDash, kind, false);
          cross(svg, xm, ym);
        } else if (s.discarded) {
          // Arrived and dropped there: the arrow reaches the receiver's lane, at a cross.
          const double xe = x2 + (x2 > x1 ? -7 : 7);
          arrow(svg, x1, y1, xe, y2, color, r.retransmission ? kRtxDash : nullptr, kind, false);
          cross(svg, xe, y2);
        } else {
          arrow(svg, x1, y1, x2, y2, color, r.retransmission ? kRtxDash : nullptr, kind, true);
        }
        // Above the arrow, clear of its line and of a cross at its middle.
        const double lx = nowhere ? x2 + (x2 > x1 ? 8 : -8) : (x1 + x2) / 2;
        svg.text(lx, y1 - 2, label,
                 fmt::format("text-anchor=\"{}\" font-size=\"11\" fill=\"{}\" "
                             "font-family=\"DejaVu Sans Mono, monospace\"",
                             nowhere ? (x2 > x1 ? "start" : "end") : "middle", color)
                     .c_str());
        break;
      }
    }
  }
  if (rows.empty()) {
    y += kRow;
    svg.text((kLeft + kRight) / 2.0, y, "(no connection in focus)", "text-anchor=\"middle\"");
  }
  return lanes_bottom + 20;
}

// Nice axis steps: 1, 2, 5 times a power of ten.
double nice_step(double range, int ticks) {
  const double raw = range / std::max(ticks, 1);
  const double p = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

// A note's number in a yellow disc centred on (x, y), wide enough for two digits.
void note_marker(Svg& svg, double x, double y, int k) {
  svg.add(fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"8\" fill=\"#ffb300\"/>\n", x, y));
  svg.text(
      x, y + 3.5, std::to_string(k),
      fmt::format("text-anchor=\"middle\" font-size=\"{}\" fill=\"white\" font-weight=\"bold\"",
                  k < 10 ? 10 : 8)
          .c_str());
}

int timelines(Svg& svg, const LabWorld& w, const LabPicture& p, int top) {
  int y = top;
  svg.text(kLeft - 80, y, "Sockets in each state over time",
           "font-size=\"15\" font-weight=\"bold\"");
  svg.text(kLeft + 220, y,
           "(a pixel column spans the counts of its time slice: a solid band is a count that "
           "came and went many times)",
           "font-size=\"11\" fill=\"#607d8b\"");
  y += 16;
  const double t_end = std::max(to_seconds(w.now()), 0.001);
  const int px = kRight - kLeft;
  auto x_of = [&](double t) { return kLeft + px * t / t_end; };
  for (const std::string& host : p.timeline_hosts) {
    const int lane =
        static_cast<int>(std::find(w.lanes().begin(), w.lanes().end(), host) - w.lanes().begin());
    if (lane >= static_cast<int>(w.lanes().size())) continue;
    // Per pixel column: the highest and the last count of each state.
    std::vector<std::array<uint32_t, kStates>> hi(static_cast<size_t>(px) + 1), last(hi.size());
    std::vector<bool> seen(hi.size());
    std::array<uint32_t, kStates> cur{}, peak{};
    size_t col = 0;
    for (const LabCounts& c : w.counts()) {
      if (c.host != lane) continue;
      const size_t k = std::min<size_t>(
          static_cast<size_t>(std::max(0.0, px * to_seconds(c.t) / t_end)), hi.size() - 1);
      for (; col < k; ++col) {
        if (!seen[col]) hi[col] = last[col] = cur;
        seen[col] = true;
      }
      if (!seen[k]) hi[k] = cur;
      seen[k] = true;
      cur = c.n;
      for (int s = 0; s < kStates; ++s) {
        hi[k][s] = std::max(hi[k][s], cur[s]);
        peak[s] = std::max(peak[s], cur[s]);
      }
      last[k] = cur;
    }
    for (; col < hi.size(); ++col) {
      if (!seen[col]) hi[col] = last[col] = cur;
    }
    const uint32_t top_count = std::max<uint32_t>(1, *std::max_element(peak.begin(), peak.end()));
    const int h = 170, y0 = y + 24, y1 = y0 + h;
    auto y_of = [&](double v) { return y1 - h * v / (top_count * 1.08); };
    svg.text(kLeft, y + 14,
             fmt::format("{} ({})", host, w.lane_addrs()[static_cast<size_t>(lane)].to_string()),
             "font-weight=\"bold\"");
    svg.add(
        fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" "
                    "stroke=\"#cfd8dc\"/>\n",
                    kLeft, y0, px, h));
    // Axes: counts and seconds.
    const double cstep = std::max(1.0, nice_step(top_count, 4));  // whole sockets
    for (double v = 0; v <= top_count * 1.08; v += cstep) {
      svg.line(kLeft, y_of(v), kRight, y_of(v), "stroke:#eceff1");
      svg.text(kLeft - 6, y_of(v) + 4, thousands(static_cast<uint64_t>(v)),
               "text-anchor=\"end\" font-size=\"11\" fill=\"#607d8b\"");
    }
    const double tstep = nice_step(t_end, 10);
    for (double t = 0; t <= t_end + 1e-9; t += tstep) {
      svg.line(x_of(t), y1, x_of(t), y1 + 4, "stroke:#607d8b");
      svg.text(x_of(t), y1 + 16, fmt::format("{:g} s", t),
               "text-anchor=\"middle\" font-size=\"11\" fill=\"#607d8b\"");
    }
    // One line per state that had sockets, left out where the state has none (a line along
    // 0 says nothing and covers the others); the legend says its peak. LISTEN (a constant,
    // mostly) is drawn first, dashed, under the others. With few sockets (8 px or more
    // each), lines at the same count would hide each other: they are drawn up to 3 px off,
    // side by side.
    std::vector<int> drawn;
    const int listen = static_cast<int>(tcp::State::Listen);
    if (peak[listen]) drawn.push_back(listen);
    for (int s = 0; s < kStates; ++s) {
      if (peak[s] && s != listen) drawn.push_back(s);
    }
    const bool few = h / (top_count * 1.08) >= 8;
    double legend_x = kLeft + 260;
    for (size_t j = 0; j < drawn.size(); ++j) {
      const int s = drawn[j];
      const double off =
          few && drawn.size() > 1
              ? 6.0 * (static_cast<double>(j) / static_cast<double>(drawn.size() - 1) - 0.5)
              : 0;
      std::string d;
      bool drawing = false;
      for (size_t c = 0; c < hi.size(); ++c) {
        const bool before = c > 0 && last[c - 1][s] > 0;
        if (hi[c][s] == 0 && last[c][s] == 0 && !before) {
          drawing = false;
          continue;
        }
        const double x = kLeft + static_cast<double>(c);
        if (!drawing) d += fmt::format("M{:.1f},{:.1f} ", x, y_of(0) + off);  // up from 0
        d += fmt::format("L{:.1f},{:.1f} L{:.1f},{:.1f} ", x, y_of(hi[c][s]) + off, x + 0.9,
                         y_of(last[c][s]) + off);
        drawing = true;
      }
      const auto st = static_cast<tcp::State>(s);
      svg.add(fmt::format(
          "<path data-state=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{}/>\n",
          tcp::ss_name(st), d, state_color(st), s == listen ? " stroke-dasharray=\"6,3\"" : ""));
      const std::string label = fmt::format("{} (peak {})", tcp::ss_name(st), thousands(peak[s]));
      svg.add(fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"12\" height=\"4\" fill=\"{}\"/>\n",
                          legend_x, y + 8, state_color(st)));
      svg.text(legend_x + 16, y + 14, label, "font-size=\"11\"");
      legend_x += 22 + 6.8 * static_cast<double>(label.size());
    }
    // The notes, as markers with their number (the list is under the charts).
    int k = 0;
    for (const LabNote& n : w.notes()) {
      ++k;
      const double x = x_of(to_seconds(n.t));
      svg.line(x, y0, x, y1, "stroke:#ffb300;stroke-width:1;stroke-dasharray:4,3");
      note_marker(svg, x, y0 + 10 + (k % 3) * 17, k);
    }
    y = y1 + 30;
  }
  // The notes: the marker's number, the time, the text (three elements: SVG collapses
  // runs of spaces).
  int k = 0;
  for (const LabNote& n : w.notes()) {
    note_marker(svg, kLeft + 8, y - 4, ++k);
    svg.text(kLeft + 84, y, fmt::format("{:.3f} s", to_seconds(n.t)),
             "text-anchor=\"end\" font-size=\"11\" fill=\"#607d8b\" "
             "font-family=\"DejaVu Sans Mono, monospace\"");
    svg.text(kLeft + 94, y, n.text, "font-size=\"11\"");
    y += 17;
  }
  return y + 10;
}

}  // namespace

std::string lab_svg(const LabWorld& w, const LabPicture& p) {
  Svg svg;
  int y = 30;
  svg.text(16, y, p.title, "font-size=\"20\" font-weight=\"bold\"");
  y += 22;
  svg.text(16, y, p.settings, "font-size=\"13\" fill=\"#455a64\"");
  y += 22;
  for (const std::string& s : p.summary) {
    svg.text(24, y, s, "font-size=\"13\"");
    y += 18;
  }
  for (const auto& [ok, what] : p.checks) {
    svg.text(24, y, std::string(ok ? "✔ " : "✘ ") + what,
             ok ? "font-size=\"13\" fill=\"#2e7d32\""
                : "font-size=\"13\" fill=\"#c62828\" font-weight=\"bold\"");
    y += 18;
  }
  y += 20;
  y = timelines(svg, w, p, y);
  y += 10;
  y = sequence_diagram(svg, w, p, y);
  return svg.finish(y + 10);
}

}  // namespace ustcp::cli
