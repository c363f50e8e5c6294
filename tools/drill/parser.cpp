#include "drill/parser.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>
#include <string_view>

#include "drill/symbols.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::drill {

Script::Where Script::where(Pos pos) const {
  Where w;
  pos = std::min(pos, source.size());
  size_t line_start = 0;
  for (size_t i = 0; i < pos; ++i) {
    if (source[i] == '\n') {
      ++w.line;
      line_start = i + 1;
    }
  }
  w.col = static_cast<int>(pos - line_start) + 1;
  size_t line_end = source.find('\n', line_start);
  w.text = source.substr(line_start,
                         line_end == std::string::npos ? std::string::npos : line_end - line_start);
  return w;
}

std::string render(const Script& script, const ScriptError& e) {
  Script::Where w = script.where(e.pos);
  std::ostringstream os;
  os << script.path << ":" << w.line << ":" << w.col << ": " << e.message << "\n    ";
  std::string caret;
  for (int i = 1; i < w.col && i - 1 < static_cast<int>(w.text.size()); ++i)
    caret += w.text[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ';
  os << w.text << "\n    " << caret << "^";
  return os.str();
}

namespace {

// Thrown inside the parser only; parse_script() turns them into results.
struct Fail {
  Pos pos;
  std::string message;
};

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// TCP options packetdrill knows that ustcp does not implement: a script using them is
// skipped, not failed (a name outside this list and ours is a typo: an error).
constexpr std::string_view kUnsupportedOptions[] = {
    "FO",           "FOEXP",          "md5",     "exp",
    "mpcapable",    "mp_capable",     "dss",     "mp_join",
    "add_address",  "remove_address", "mp_prio", "mp_fail",
    "mp_fastclose", "tcp_ao",         "ao",      "unknown"};

// System calls: those the interpreter runs, and those packetdrill knows that it does not
// (a script using one is skipped). Any other name is an error in the script.
constexpr std::string_view kSyscalls[] = {
    "socket",      "bind",        "listen",       "accept",     "accept4",   "connect", "read",
    "recv",        "recvfrom",    "readv",        "write",      "send",      "sendto",  "writev",
    "close",       "shutdown",    "setsockopt",   "getsockopt", "fcntl",     "poll",    "ioctl",
    "getsockname", "getpeername", "epoll_create", "epoll_ctl",  "epoll_wait"};
constexpr std::string_view kUnsupportedSyscalls[] = {"sendmsg",
                                                     "recvmsg",
                                                     "epoll_create1",
                                                     "pipe",
                                                     "splice",
                                                     "sendfile",
                                                     "open",
                                                     "socketpair",
                                                     "signal",
                                                     "usleep",
                                                     "select",
                                                     "getsockopt_tcp_info",
                                                     "setsockopt_tcp_md5",
                                                     "madvise",
                                                     "mmap",
                                                     "munmap"};

class Parser {
 public:
  explicit Parser(Script& s) : s_(s), src_(s.source) {}

  void run() {
    skip_all();
    bool cleanup_seen = false;
    while (!eof()) {
      if (cleanup_seen) fail(p_, "nothing may follow the untimed cleanup command");
      if (starts("--")) {
        if (!s_.events.empty() || s_.setup) fail(p_, "options must come before the events");
        option_line();
      } else if (peek() == '`') {
        Pos at = p_;
        Command c = command();
        expect_eol();
        if (s_.events.empty() && !s_.setup) {
          s_.setup = std::move(c);
          s_.setup_pos = at;
        } else if (!s_.events.empty()) {
          s_.cleanup = std::move(c);
          s_.cleanup_pos = at;
          cleanup_seen = true;
        } else {
          fail(at,
               "packetdrill takes one untimed command before the events: put these lines in "
               "the first `...`, or give this one a time (+0 `...`)");
        }
      } else {
        event();
      }
      skip_all();
    }
    if (s_.events.empty()) fail(p_, "the script has no events");
  }

  std::optional<Unsupported> unsupported;

 private:
  Script& s_;
  std::string_view src_;
  Pos p_ = 0;
  int nest_ = 0;  // brackets open around p_
  // In the arguments of a system call ustcp does not run (the script is skipped): constants
  // it does not know (EPOLL_CTL_ADD, ...) are not errors there.
  bool lenient_ = false;

  bool eof() const { return p_ >= src_.size(); }
  char peek(size_t k = 0) const { return p_ + k < src_.size() ? src_[p_ + k] : '\0'; }
  bool starts(std::string_view t) const { return src_.substr(p_, t.size()) == t; }
  [[noreturn]] static void fail(Pos at, std::string msg) { throw Fail{at, std::move(msg)}; }
  void skip_feature(Pos at, std::string feature) {
    if (!unsupported) unsupported = Unsupported{at, std::move(feature)};
  }

  // Spaces, tabs and comments, not newlines (a /* */ comment may span lines), except inside
  // brackets: an argument list, list or struct may continue on the next lines.
  void skip_inline() {
    for (;;) {
      if (peek() == ' ' || peek() == '\t' || peek() == '\r' || (nest_ > 0 && peek() == '\n')) {
        ++p_;
      } else if (starts("//")) {
        while (!eof() && peek() != '\n') ++p_;
      } else if (starts("/*")) {
        Pos at = p_;
        size_t end = src_.find("*/", p_ + 2);
        if (end == std::string_view::npos) fail(at, "unterminated /* comment");
        p_ = end + 2;
      } else {
        return;
      }
    }
  }
  void skip_all() {
    for (;;) {
      skip_inline();
      if (peek() == '\n') {
        ++p_;
        continue;
      }
      return;
    }
  }
  bool at_eol() {
    skip_inline();
    return eof() || peek() == '\n';
  }
  void expect_eol() {
    if (!at_eol()) fail(p_, "unexpected '" + std::string(1, peek()) + "' at the end of the event");
  }
  void expect(char c, std::string_view what) {
    skip_inline();
    if (peek() != c) fail(p_, "expected " + std::string(what));
    ++p_;
  }

  std::string ident() {
    skip_inline();
    if (!is_ident_start(peek())) fail(p_, "expected a name");
    Pos b = p_;
    while (is_ident_char(peek())) ++p_;
    return std::string(src_.substr(b, p_ - b));
  }

  // An unsigned integer: decimal or 0x hex, at most `max`.
  uint64_t number(uint64_t max, std::string_view what) {
    skip_inline();
    Pos b = p_;
    uint64_t v = 0;
    int base = 10;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      base = 16;
      p_ += 2;
    }
    Pos digits = p_;
    for (;;) {
      char c = peek();
      int d;
      if (is_digit(c))
        d = c - '0';
      else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
        d = std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
      else
        break;
      if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base)
        fail(b, std::string(what) + " is too large");
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      ++p_;
    }
    if (p_ == digits) fail(b, "expected " + std::string(what));
    if (is_ident_char(peek())) fail(p_, "unexpected '" + std::string(1, peek()) + "' in a number");
    if (v > max)
      fail(b, std::string(what) + " " + std::to_string(v) + " is out of range 0.." +
                  std::to_string(max));
    return v;
  }
  uint32_t u32(std::string_view what) { return static_cast<uint32_t>(number(UINT32_MAX, what)); }

  // Seconds with up to six decimals, as microseconds: 1, 0.100, .04
  int64_t seconds() {
    Pos b = p_;
    int64_t whole = 0;
    bool any = false;
    while (is_digit(peek())) {
      whole = whole * 10 + (peek() - '0');
      if (whole > 1'000'000'000) fail(b, "time is too large");
      ++p_;
      any = true;
    }
    int64_t frac = 0;
    int frac_digits = 0;
    if (peek() == '.' && peek(1) != '.') {
      ++p_;
      while (is_digit(peek())) {
        if (frac_digits == 6) fail(p_, "time has more than six decimals (microseconds)");
        frac = frac * 10 + (peek() - '0');
        ++frac_digits;
        ++p_;
        any = true;
      }
    }
    if (!any) fail(b, "expected a time in seconds (0.100, +0.1, *)");
    for (int i = frac_digits; i < 6; ++i) frac *= 10;
    return whole * 1'000'000 + frac;
  }

  void option_line() {
    while (!at_eol()) {
      Pos b = p_;
      if (!starts("--")) fail(p_, "expected --name=value");
      p_ += 2;
      Pos nb = p_;
      while (!eof() && (is_ident_char(peek()) || peek() == '-')) ++p_;
      std::string name(src_.substr(nb, p_ - nb));
      if (name.empty()) fail(b, "expected an option name after --");
      std::string value;
      if (peek() == '=') {
        ++p_;
        Pos vb = p_;
        while (!eof() && !std::isspace(static_cast<unsigned char>(peek()))) ++p_;
        value = std::string(src_.substr(vb, p_ - vb));
      }
      s_.options.emplace_back(std::move(name), std::move(value));
    }
  }

  Command command() {
    Pos b = p_;
    ++p_;  // `
    size_t end = src_.find('`', p_);
    if (end == std::string_view::npos) fail(b, "unterminated `command`");
    Command c{std::string(src_.substr(p_, end - p_))};
    p_ = end + 1;
    return c;
  }

  Code code() {
    Pos b = p_;
    p_ += 2;  // %{
    size_t end = src_.find("}%", p_);
    if (end == std::string_view::npos) fail(b, "unterminated %{ code }%");
    Code c{std::string(src_.substr(p_, end - p_))};
    p_ = end + 2;
    return c;
  }

  void event() {
    Event ev;
    ev.pos = p_;
    std::optional<int64_t> blocking_end;
    bool blocking_end_relative = false;
    if (peek() == '*') {
      ++p_;
      ev.time.kind = TimeKind::Any;
    } else {
      bool rel = peek() == '+';
      if (rel) ++p_;
      ev.time.usecs = seconds();
      ev.time.kind = rel ? TimeKind::Relative : TimeKind::Absolute;
      if (peek() == '~') {
        ++p_;
        bool rel2 = peek() == '+';
        if (rel2) ++p_;
        if (rel2 != rel) fail(p_, "both ends of a time range must be relative (+a~+b) or absolute");
        ev.time.end_usecs = seconds();
        if (ev.time.end_usecs < ev.time.usecs) fail(ev.pos, "time range ends before it starts");
        ev.time.kind = rel ? TimeKind::RelativeRange : TimeKind::AbsoluteRange;
      } else {
        // start...end, also written with spaces: `+.002 ... 0.004`.
        Pos before = p_;
        skip_inline();
        if (starts("...")) {
          p_ += 3;
          skip_inline();
          blocking_end_relative = peek() == '+';
          if (blocking_end_relative) ++p_;
          blocking_end = seconds();
        } else {
          p_ = before;
        }
      }
    }
    skip_inline();
    Pos body = p_;
    if (peek() == '<' || peek() == '>') {
      PacketSpec pkt = packet();
      bool ranged = ev.time.kind == TimeKind::Any || ev.time.kind == TimeKind::AbsoluteRange ||
                    ev.time.kind == TimeKind::RelativeRange;
      if (pkt.inbound && ranged) fail(ev.pos, "an inbound packet needs one exact time");
      if (blocking_end) fail(ev.pos, "only a system call can have an end time (start...end)");
      ev.body = std::move(pkt);
    } else if (peek() == '`') {
      ev.body = command();
    } else if (starts("%{")) {
      ev.body = code();
    } else if (is_ident_start(peek())) {
      Syscall sc = syscall();
      if (blocking_end) {
        // `+0...0.2`: both ends take the start's offset (packetdrill adds the same base).
        (void)blocking_end_relative;
        sc.end_usecs = *blocking_end;
        if (*blocking_end < ev.time.usecs && ev.time.kind == TimeKind::Absolute)
          fail(ev.pos, "the call ends before it starts");
      }
      ev.body = std::move(sc);
    } else {
      fail(body, "expected a packet (< or >), a system call, a `command` or %{ code }%");
    }
    if (!std::holds_alternative<PacketSpec>(ev.body) && !std::holds_alternative<Syscall>(ev.body) &&
        ev.time.kind != TimeKind::Absolute && ev.time.kind != TimeKind::Relative)
      fail(ev.pos, "a command or code block needs one exact time");
    if (std::holds_alternative<Syscall>(ev.body) && ev.time.kind != TimeKind::Absolute &&
        ev.time.kind != TimeKind::Relative)
      fail(ev.pos, "a system call needs one exact start time");
    expect_eol();
    s_.events.push_back(std::move(ev));
  }

  // ---- packets ----

  PacketSpec packet() {
    PacketSpec pkt;
    pkt.inbound = peek() == '<';
    ++p_;
    skip_inline();
    if (peek() == '(' || peek() == '[') ip_info(pkt);
    skip_inline();
    for (std::string_view proto : {"icmp", "udp", "gre", "mpls"}) {
      if (starts(proto) && !is_ident_char(peek(proto.size()))) {
        // `< icmp unreachable ...`: ustcp injects and checks TCP segments only.
        skip_feature(p_, std::string(proto) + " packets");
        while (!eof() && peek() != '\n') ++p_;
        return pkt;
      }
    }
    if (is_digit(peek())) {  // sport>dport
      pkt.sport = static_cast<uint16_t>(number(65535, "source port"));
      expect('>', "'>' between source and destination ports");
      pkt.dport = static_cast<uint16_t>(number(65535, "destination port"));
      skip_inline();
    }
    pkt.flags_pos = p_;
    flags(pkt);
    skip_inline();
    pkt.seq_pos = p_;
    pkt.start = u32("sequence start");
    expect(':', "':' in start:end(length)");
    pkt.end = u32("sequence end");
    expect('(', "'(' in start:end(length)");
    Pos len_pos = p_;
    uint32_t len = u32("payload length");
    expect(')', "')' in start:end(length)");
    if (pkt.end - pkt.start != len)
      fail(len_pos, "length " + std::to_string(len) + " does not match " +
                        std::to_string(pkt.start) + ":" + std::to_string(pkt.end));
    if (len > 65495) fail(len_pos, "payload larger than one IPv4 datagram");
    while (!at_eol()) {
      if (peek() == '<') {
        if (pkt.any_options || !pkt.options.empty()) fail(p_, "options given twice");
        tcp_options(pkt);
        continue;
      }
      Pos kw = p_;
      std::string word = ident();
      if (word == "ack") {
        pkt.ack_pos = kw;
        pkt.ack = u32("ack number");
      } else if (word == "win") {
        pkt.win = static_cast<uint32_t>(number(65535, "window"));
      } else if (word == "urg") {
        pkt.urg = static_cast<uint16_t>(number(65535, "urgent pointer"));
      } else {
        fail(kw, "unexpected '" + word + "' in a packet (expected ack, win, urg or <options>)");
      }
    }
    if (pkt.inbound && !pkt.win) fail(p_, "an inbound packet needs `win N`");
    if (pkt.inbound && pkt.any_options) fail(pkt.options_pos, "<...> is for outbound packets only");
    if (pkt.ack && !(pkt.flags & wire::tcp_flags::ACK))
      fail(pkt.ack_pos, "`ack` given but the flags have no '.' (ACK)");
    return pkt;
  }

  void ip_info(PacketSpec& pkt) {
    char close = peek() == '(' ? ')' : ']';
    ++p_;
    for (;;) {
      skip_inline();
      Pos w = p_;
      std::string word = ident();
      if (word == "tos") {
        pkt.tos = static_cast<uint8_t>(number(255, "tos"));
      } else if (word == "ttl") {
        pkt.ttl = static_cast<uint8_t>(number(255, "ttl"));
      } else if (word == "ect0") {
        pkt.ecn = 2;
      } else if (word == "ect1") {
        pkt.ecn = 1;
      } else if (word == "ce") {
        pkt.ecn = 3;
      } else if (word == "noecn") {
        pkt.ecn = 0;
      } else if (word == "ect01") {
        skip_feature(w, "ECN codepoint ect01 (either ECT)");
      } else if (word == "flowlabel" || word == "id") {
        skip_feature(w, "IP field " + word);
        number(UINT32_MAX, word);
      } else {
        fail(w, "unknown IP field '" + word + "' (tos, ttl, ect0, ect1, ce, noecn)");
      }
      skip_inline();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect(close, std::string("'") + close + "' after the IP fields");
      return;
    }
  }

  void flags(PacketSpec& pkt) {
    using namespace wire::tcp_flags;
    Pos b = p_;
    if (peek() == '-' && (std::isspace(static_cast<unsigned char>(peek(1))) || peek(1) == '\0')) {
      ++p_;
      return;
    }
    while (!eof() && !std::isspace(static_cast<unsigned char>(peek()))) {
      uint8_t f = 0;
      switch (peek()) {
        case 'S':
          f = SYN;
          break;
        case 'F':
          f = FIN;
          break;
        case 'R':
          f = RST;
          break;
        case 'P':
          f = PSH;
          break;
        case 'U':
          f = URG;
          break;
        case 'E':
          f = ECE;
          break;
        case 'W':
          f = CWR;
          break;
        case '.':
          f = ACK;
          break;
        default:
          fail(p_, "unknown TCP flag '" + std::string(1, peek()) + "' (S F R P U E W . or -)");
      }
      if (pkt.flags & f) fail(p_, "TCP flag '" + std::string(1, peek()) + "' given twice");
      pkt.flags |= f;
      ++p_;
    }
    if (p_ == b) fail(b, "expected TCP flags (S, S., ., P., F., R, ... or -)");
  }

  void tcp_options(PacketSpec& pkt) {
    pkt.options_pos = p_;
    ++p_;  // <
    skip_inline();
    if (starts("...")) {
      p_ += 3;
      pkt.any_options = true;
      expect('>', "'>' after <...");
      return;
    }
    for (;;) {
      skip_inline();
      TcpOptionSpec o;
      o.pos = p_;
      std::string word = ident();
      using K = TcpOptionSpec::Kind;
      if (word == "nop") {
        o.kind = K::Nop;
      } else if (word == "eol") {
        o.kind = K::Eol;
      } else if (word == "mss") {
        o.kind = K::Mss;
        o.value = static_cast<uint32_t>(number(65535, "mss"));
      } else if (word == "wscale") {
        o.kind = K::WindowScale;
        o.value = static_cast<uint32_t>(number(255, "wscale"));
      } else if (word == "sackOK") {
        o.kind = K::SackPermitted;
      } else if (word == "sack") {
        o.kind = K::Sack;
        for (;;) {
          skip_inline();
          if (!is_digit(peek())) break;
          uint32_t l = u32("SACK block start");
          expect(':', "':' in a SACK block L:R");
          uint32_t r = u32("SACK block end");
          o.sack_blocks.emplace_back(l, r);
        }
        if (o.sack_blocks.empty()) fail(o.pos, "sack needs at least one block L:R");
        if (o.sack_blocks.size() > 4) fail(o.pos, "at most 4 SACK blocks fit in a TCP header");
      } else if (word == "TS") {
        o.kind = K::Timestamp;
        if (ident() != "val") fail(p_, "expected `TS val N ecr N`");
        o.ts_val = u32("TS val");
        if (ident() != "ecr") fail(p_, "expected `ecr N` after TS val");
        o.ts_ecr = u32("TS ecr");
      } else {
        for (std::string_view u : kUnsupportedOptions) {
          if (word == u) {
            skip_feature(o.pos, "TCP option " + word);
            // Skip to the end of this option's text.
            while (!eof() && peek() != ',' && peek() != '>' && peek() != '\n') ++p_;
            goto next;
          }
        }
        fail(o.pos, "unknown TCP option '" + word +
                        "' (nop, eol, mss, wscale, sackOK, sack, TS val ... ecr ...)");
      }
      pkt.options.push_back(std::move(o));
    next:
      skip_inline();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect('>', "',' or '>' in <options>");
      return;
    }
  }

  // Items separated by commas up to `close` (already past the opening bracket); an empty
  // list is allowed. `item` parses one.
  template <typename F>
  void comma_list(char close, std::string_view what, F item) {
    ++nest_;
    skip_inline();
    if (peek() != close) {
      for (;;) {
        item();
        skip_inline();
        if (peek() != ',') break;
        ++p_;
      }
    }
    expect(close, what);
    --nest_;
  }

  // ---- system calls ----

  Syscall syscall() {
    Syscall sc;
    sc.name_pos = p_;
    sc.name = ident();
    if (std::find(std::begin(kSyscalls), std::end(kSyscalls), sc.name) == std::end(kSyscalls)) {
      if (std::find(std::begin(kUnsupportedSyscalls), std::end(kUnsupportedSyscalls), sc.name) ==
          std::end(kUnsupportedSyscalls))
        fail(sc.name_pos, "unknown system call '" + sc.name + "'");
      skip_feature(sc.name_pos, "system call " + sc.name + "()");
      lenient_ = true;
    }
    expect('(', "'(' after the system call name");
    comma_list(')', "',' or ')' in the argument list", [&] { sc.args.push_back(expr()); });
    lenient_ = false;
    expect('=', "'= result' after the system call");
    skip_inline();
    sc.result_pos = p_;
    bool neg = peek() == '-';
    if (neg) ++p_;
    int64_t v = static_cast<int64_t>(number(INT64_MAX, "result"));
    sc.result = neg ? -v : v;
    skip_inline();
    if (is_ident_start(peek())) {
      Pos e = p_;
      sc.errno_name = ident();
      if (!errno_value(sc.errno_name)) fail(e, "unknown errno name '" + sc.errno_name + "'");
      if (sc.result != -1) fail(e, "an errno is only given with the result -1");
    }
    skip_inline();
    if (peek() == '(') {  // (Operation now in progress): a note for humans
      int depth = 0;
      Pos b = p_;
      while (!eof() && peek() != '\n') {
        if (peek() == '(') ++depth;
        if (peek() == ')' && --depth == 0) break;
        ++p_;
      }
      if (peek() != ')') fail(b, "unterminated (note)");
      ++p_;
    }
    return sc;
  }

  Expr expr() {
    Expr e = primary();
    for (;;) {
      skip_inline();
      if (peek() != '|') return e;
      Pos at = p_;
      ++p_;
      Expr rhs = primary();
      if (e.kind != Expr::Kind::Int || rhs.kind != Expr::Kind::Int)
        fail(at, "'|' joins integer constants only");
      e.value |= rhs.value;
      e.text = (e.text.empty() ? std::to_string(e.value) : e.text) + "|" +
               (rhs.text.empty() ? std::to_string(rhs.value) : rhs.text);
    }
  }

  Expr primary() {
    skip_inline();
    Expr e;
    e.pos = p_;
    if (starts("...")) {
      p_ += 3;
      e.kind = Expr::Kind::Ellipsis;
    } else if (peek() == '"') {
      ++p_;
      size_t end = src_.find('"', p_);
      if (end == std::string_view::npos ||
          src_.substr(p_, end - p_).find('\n') != std::string_view::npos)
        fail(e.pos, "unterminated string");
      e.kind = Expr::Kind::String;
      e.text = std::string(src_.substr(p_, end - p_));
      p_ = end + 1;
    } else if (peek() == '[') {
      ++p_;
      e.kind = Expr::Kind::List;
      comma_list(']', "',' or ']' in a list", [&] { e.items.push_back(expr()); });
    } else if (peek() == '{') {
      ++p_;
      e.kind = Expr::Kind::Struct;
      comma_list('}', "',' or '}' in a struct", [&] {
        // A value without a name: {..., 1000} (iovec's base and length, by position).
        skip_inline();
        Pos at = p_;
        if (is_ident_start(peek())) {
          ident();
          if (peek() == '(') p_ = std::min(src_.find(')', p_), src_.size() - 1) + 1;
          skip_inline();
        }
        const bool named = p_ != at && peek() == '=';
        p_ = at;
        if (!named) {
          e.fields.emplace_back();
          e.items.push_back(expr());
          return;
        }
        std::string field = ident();
        // msghdr fields are written with their length: msg_name(...)=..., msg_iov(1)=[..].
        if (peek() == '(') {
          size_t end = src_.find(')', p_);
          if (end == std::string_view::npos) fail(p_, "unterminated ( in a field name");
          field += std::string(src_.substr(p_, end + 1 - p_));
          p_ = end + 1;
        }
        e.fields.push_back(std::move(field));
        expect('=', "'=' after a field name");
        e.items.push_back(expr());
      });
    } else if (is_digit(peek()) || peek() == '-') {
      bool neg = peek() == '-';
      if (neg) ++p_;
      int64_t v = static_cast<int64_t>(number(INT64_MAX, "integer"));
      e.kind = Expr::Kind::Int;
      e.value = neg ? -v : v;
    } else if (is_ident_start(peek())) {
      std::string name = ident();
      skip_inline();
      if (peek() == '(') {
        ++p_;
        e.kind = Expr::Kind::Call;
        e.text = name;
        comma_list(')', "')' after the function's arguments", [&] { e.items.push_back(expr()); });
      } else {
        auto v = symbol_value(name);
        if (!v && lenient_) v = 0;
        if (!v) fail(e.pos, "unknown constant '" + name + "'");
        e.kind = Expr::Kind::Int;
        e.value = *v;
        e.text = name;
      }
    } else {
      fail(p_, "expected an argument (a number, a constant, ..., [..], {..} or \"..\")");
    }
    return e;
  }
};

}  // namespace

ParseResult parse_script(std::string path, std::string source) {
  ParseResult r;
  r.script.path = std::move(path);
  r.script.source = std::move(source);
  Parser p(r.script);
  try {
    p.run();
  } catch (const Fail& f) {
    r.error = ScriptError{f.pos, f.message};
  }
  r.unsupported = p.unsupported;
  return r;
}

}  // namespace ustcp::drill
