// A parsed packetdrill script (../shared/design/packetdrill.md): options, an optional
// setup command, a timeline of events, an optional cleanup command. The parser fills it;
// the runner executes it. Every node keeps the source offset it came from, so that any
// error names file:line:column.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ustcp::drill {

// Offset into Script::source.
using Pos = size_t;

// ---- time -----------------------------------------------------------------------------

enum class TimeKind : uint8_t {
  Absolute,       // 0.100
  Relative,       // +0.1
  Any,            // *            (outbound packets only)
  AbsoluteRange,  // 0.1~0.2      (outbound packets only)
  RelativeRange,  // +0.1~+0.2
};

struct EventTime {
  TimeKind kind = TimeKind::Absolute;
  int64_t usecs = 0;
  int64_t end_usecs = 0;  // ranges: the upper bound (relative bounds are offsets too)
};

// ---- syscall arguments ----------------------------------------------------------------

struct Expr;
using ExprList = std::vector<Expr>;

struct Expr {
  enum class Kind : uint8_t {
    Int,       // 42, 0x2a, -1, SOL_SOCKET, O_RDWR|O_NONBLOCK (symbols resolved when parsed)
    Ellipsis,  // ...   (the interpreter supplies a buffer, an address or a length)
    String,    // "192.0.2.1"
    List,      // [1], [{fd=3, events=POLLIN}]
    Struct,    // {onoff=1, linger=0}
    Call,      // htons(8080), inet_addr("192.0.2.1")
  };
  Kind kind = Kind::Int;
  Pos pos = 0;
  int64_t value = 0;                // Int
  std::string text;                 // String; Call: function name; Int: the symbol as written
  ExprList items;                   // List, Call arguments, Struct values
  std::vector<std::string> fields;  // Struct: field names, beside items
};

struct Syscall {
  std::string name;
  Pos name_pos = 0;
  ExprList args;
  int64_t result = 0;
  Pos result_pos = 0;
  std::string errno_name;  // empty: no errno expected
  // `start...end`: a blocking call expected to return at end (same kind as the start time).
  std::optional<int64_t> end_usecs;
};

// ---- packets --------------------------------------------------------------------------

struct TcpOptionSpec {
  enum class Kind : uint8_t { Nop, Eol, Mss, WindowScale, SackPermitted, Sack, Timestamp };
  Kind kind = Kind::Nop;
  Pos pos = 0;
  uint32_t value = 0;                                      // mss, wscale
  uint32_t ts_val = 0, ts_ecr = 0;                         // TS
  std::vector<std::pair<uint32_t, uint32_t>> sack_blocks;  // sack L:R ...
};

struct PacketSpec {
  bool inbound = true;  // `<` into the stack, `>` from it
  std::optional<uint16_t> sport, dport;
  // IP: (tos 0x10, ect0, ect1, ce, ttl 64)
  std::optional<uint8_t> tos;
  std::optional<uint8_t> ecn;  // the two ECN bits
  std::optional<uint8_t> ttl;
  uint8_t flags = 0;
  Pos flags_pos = 0;
  uint32_t start = 0, end = 0;  // sequence space of the payload
  Pos seq_pos = 0;
  std::optional<uint32_t> ack;
  Pos ack_pos = 0;
  std::optional<uint32_t> win;
  std::optional<uint16_t> urg;
  // No options written: the segment has none. `<...>`: not checked. Else exactly these.
  bool any_options = false;
  std::vector<TcpOptionSpec> options;
  Pos options_pos = 0;

  uint32_t len() const { return end - start; }
};

// ---- commands and code ----------------------------------------------------------------

struct Command {
  std::string text;  // between the backquotes
};

struct Code {
  std::string text;  // between %{ and }%
};

struct Event {
  Pos pos = 0;  // start of the line
  EventTime time;
  std::variant<PacketSpec, Syscall, Command, Code> body;
};

struct Script {
  std::string path;
  std::string source;
  std::vector<std::pair<std::string, std::string>> options;  // --name=value
  std::optional<Command> setup;                              // untimed, before the first event
  std::vector<Event> events;
  std::optional<Command> cleanup;  // untimed, after the last event
  Pos setup_pos = 0, cleanup_pos = 0;

  // 1-based line and column of a position, and that line's text.
  struct Where {
    int line = 1;
    int col = 1;
    std::string text;
  };
  Where where(Pos pos) const;
};

// A problem at a place in the script: "file:line:col: message", then the line and a caret.
struct ScriptError {
  Pos pos = 0;
  std::string message;
};

// "path:line:col: message\n    <line>\n    ^"
std::string render(const Script& script, const ScriptError& e);

}  // namespace ustcp::drill
