#include "ss_filter.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netdb.h>
#include <strings.h>

#include <cerrno>
#include <cstdlib>

namespace ustcp::cli {

StateMask state_bit(tcp::State st) { return 1u << (static_cast<int>(st) + 1); }

StateMask conn_states() {
  using tcp::State;
  return kAllStates & ~(state_bit(State::Listen) | state_bit(State::Close) |
                        state_bit(State::TimeWait) | state_bit(State::SynRecv));
}

std::optional<StateMask> scan_state(const std::string& name) {
  using tcp::State;
  auto is = [&](const char* n) { return ::strcasecmp(name.c_str(), n) == 0; };
  if (is("close") || is("closed")) return state_bit(State::Close);
  if (is("syn-rcv")) return state_bit(State::SynRecv);
  if (is("all")) return kAllStates;
  if (is("connected")) return kAllStates & ~(state_bit(State::Close) | state_bit(State::Listen));
  if (is("synchronized")) {
    return kAllStates &
           ~(state_bit(State::Close) | state_bit(State::Listen) | state_bit(State::SynSent));
  }
  if (is("bucket")) return state_bit(State::SynRecv) | state_bit(State::TimeWait);
  if (is("big")) return kAllStates & ~(state_bit(State::SynRecv) | state_bit(State::TimeWait));
  // sstate_namel, in State order.
  static const char* kNames[] = {"established", "syn-sent",  "syn-recv",    "fin-wait-1",
                                 "fin-wait-2",  "time-wait", "unconnected", "close-wait",
                                 "last-ack",    "listening", "closing"};
  for (int i = 0; i < 11; ++i) {
    if (is(kNames[i])) return state_bit(static_cast<State>(i));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- expression tree

enum class NodeKind { And, Or, Not, Dst, Src, DportGe, DportLe, SportGe, SportLe, Autobound };

struct HostCond {
  int port = -1;      // -1: any
  uint32_t addr = 0;  // host order
  int bitlen = 0;     // 0: any address
};

struct SsFilterNode {
  NodeKind kind;
  HostCond cond;
  std::unique_ptr<SsFilterNode> a, b;
};

namespace {

using Node = std::unique_ptr<SsFilterNode>;

Node node(NodeKind k, Node a = nullptr, Node b = nullptr) {
  auto n = std::make_unique<SsFilterNode>();
  n->kind = k;
  n->a = std::move(a);
  n->b = std::move(b);
  return n;
}

Node cond_node(NodeKind k, HostCond c) {
  Node n = node(k);
  n->cond = c;
  return n;
}

// get_token_from_line(): blank-separated tokens; a backslash takes the next character as
// it is.
std::vector<std::string> lex(const std::vector<std::string>& words) {
  std::vector<std::string> toks;
  for (const std::string& w : words) {
    std::string cur;
    bool in_token = false;
    for (size_t i = 0; i < w.size(); ++i) {
      const char c = w[i];
      if (c == ' ' || c == '\t') {
        if (in_token) toks.push_back(cur);
        cur.clear();
        in_token = false;
        continue;
      }
      in_token = true;
      if (c == '\\' && i + 1 < w.size()) {
        cur += w[++i];
      } else if (c != '\\') {
        cur += c;
      }
    }
    if (in_token) toks.push_back(cur);
  }
  return toks;
}

enum class Tok {
  End,
  Not,
  And,
  Or,
  LParen,
  RParen,
  Dst,
  Src,
  Dport,
  Sport,
  Ge,
  Le,
  Ne,
  Eq,
  Gt,
  Lt,
  Autobound,
  Unsupported,
  Word
};

Tok classify(const std::string& t) {
  auto any = [&](std::initializer_list<const char*> l) {
    for (const char* s : l) {
      if (t == s) return true;
    }
    return false;
  };
  if (any({"!", "not"})) return Tok::Not;
  if (any({"&", "&&", "and"})) return Tok::And;
  if (any({"|", "||", "or"})) return Tok::Or;
  if (t == "(") return Tok::LParen;
  if (t == ")") return Tok::RParen;
  if (t == "dst") return Tok::Dst;
  if (t == "src") return Tok::Src;
  if (t == "dport") return Tok::Dport;
  if (t == "sport") return Tok::Sport;
  if (any({">=", "ge", "geq"})) return Tok::Ge;
  if (any({"<=", "le", "leq"})) return Tok::Le;
  if (any({"!=", "ne", "neq"})) return Tok::Ne;
  if (any({"=", "==", "eq"})) return Tok::Eq;
  if (any({">", "gt"})) return Tok::Gt;
  if (any({"<", "lt"})) return Tok::Lt;
  if (t == "autobound") return Tok::Autobound;
  if (any({"dev", "fwmark", "cgroup"})) return Tok::Unsupported;
  return Tok::Word;
}

// strtol with base 0 over the whole text, as iproute2's get_integer().
std::optional<int> integer(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 0);
  if (*end != '\0' || errno == ERANGE || v > INT32_MAX || v < INT32_MIN) return std::nullopt;
  return static_cast<int>(v);
}

// parse_hostcond() for IPv4: [ADDR[/LEN]][:PORT], *[:PORT], [ADDR]:PORT; PORT a number or
// a service name; for dport/sport the whole word is a port.
Expected<HostCond, std::string> parse_hostcond(std::string s, bool is_port) {
  HostCond c;
  if (s.starts_with("inet:")) s = s.substr(5);
  for (const char* fam : {"inet6:", "unix:", "link:", "netlink:", "vsock:"}) {
    if (s.starts_with(fam)) {
      return unexpected(fmt::format("'{}': ustcp has IPv4 (inet) sockets only", s));
    }
  }
  std::string addr = s, port;
  bool has_port = false;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string::npos) return unexpected(fmt::format("'{}': missing ']'", s));
    addr = s.substr(1, close - 1);
    port = s.substr(close + 1);
    has_port = true;
  } else if (!s.empty() && s[0] == '*') {
    addr.assign(1, '*');  // not = "*": GCC 12's -Wrestrict misfires on that assignment
    port = s.substr(1);
    has_port = true;
  } else {
    const size_t slash = s.find('/');
    const size_t colon = s.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
      addr = s.substr(0, colon);
      port = s.substr(colon);
      has_port = true;
    }
  }
  if (is_port) {
    port = s;
    has_port = true;
  }
  if (has_port && !port.empty()) {
    if (port[0] == ':') port = port.substr(1);
    if (!port.empty() && port != "*") {
      if (auto n = integer(port)) {
        c.port = *n;
      } else if (const servent* se = ::getservbyname(port.c_str(), "tcp")) {
        c.port = ntohs(static_cast<uint16_t>(se->s_port));
      } else {
        return unexpected(fmt::format("'{}' does not look like a port", port));
      }
    }
  }
  if (!is_port && !addr.empty() && addr != "*") {
    std::string host = addr;
    int len = 32;
    if (const size_t slash = addr.find('/'); slash != std::string::npos) {
      host = addr.substr(0, slash);
      auto l = integer(addr.substr(slash + 1));
      if (!l || *l < 0 || *l > 32) {
        return unexpected(fmt::format("'{}': an inet prefix is expected (A.B.C.D[/LEN])", addr));
      }
      len = *l;
    }
    in_addr a{};
    if (::inet_pton(AF_INET, host.c_str(), &a) != 1) {
      return unexpected(fmt::format("'{}': an inet prefix is expected (A.B.C.D[/LEN])", addr));
    }
    c.addr = ntohl(a.s_addr);
    c.bitlen = len;
  }
  return c;
}

class Parser {
 public:
  explicit Parser(std::vector<std::string> toks) : toks_(std::move(toks)) {}

  Expected<Node, std::string> parse() {
    if (toks_.empty()) return Node{};
    auto e = list();
    if (!e) return e;
    if (peek() != Tok::End) return unexpected(error_at("unexpected"));
    return e;
  }

 private:
  Tok peek() const { return pos_ < toks_.size() ? classify(toks_[pos_]) : Tok::End; }
  std::string error_at(const char* what) const {
    if (pos_ >= toks_.size()) return fmt::format("filter: {} end of expression", what);
    return fmt::format("filter: {} '{}'", what, toks_[pos_]);
  }

  // exprlist: expr, then (| expr), (& expr) or (expr), left to right.
  Expected<Node, std::string> list() {
    auto e = expr();
    if (!e) return e;
    Node acc = std::move(*e);
    for (;;) {
      const Tok t = peek();
      NodeKind k = NodeKind::And;
      if (t == Tok::Or || t == Tok::And) {
        k = t == Tok::Or ? NodeKind::Or : NodeKind::And;
        ++pos_;
      } else if (t == Tok::End || t == Tok::RParen) {
        return acc;
      }
      auto r = expr();
      if (!r) return r;
      acc = node(k, std::move(acc), std::move(*r));
    }
  }

  Expected<HostCond, std::string> host(bool is_port) {
    if (peek() != Tok::Word) return unexpected(error_at("expected an address or port at"));
    auto c = parse_hostcond(toks_[pos_], is_port);
    if (!c) return unexpected("filter: " + c.error());
    ++pos_;
    return c;
  }

  Expected<Node, std::string> expr() {
    const Tok t = peek();
    switch (t) {
      case Tok::LParen: {
        ++pos_;
        auto e = list();
        if (!e) return e;
        if (peek() != Tok::RParen) return unexpected(error_at("expected ')' at"));
        ++pos_;
        return e;
      }
      case Tok::Not: {
        ++pos_;
        auto e = expr();
        if (!e) return e;
        return node(NodeKind::Not, std::move(*e));
      }
      case Tok::Dst:
      case Tok::Src: {
        ++pos_;
        if (peek() == Tok::Eq) ++pos_;
        auto c = host(false);
        if (!c) return unexpected(c.error());
        return cond_node(t == Tok::Dst ? NodeKind::Dst : NodeKind::Src, *c);
      }
      case Tok::Dport:
      case Tok::Sport: {
        ++pos_;
        const Tok op = peek();
        if (op == Tok::Ge || op == Tok::Le || op == Tok::Gt || op == Tok::Lt || op == Tok::Eq ||
            op == Tok::Ne) {
          ++pos_;
        }
        auto c = host(true);
        if (!c) return unexpected(c.error());
        const bool d = t == Tok::Dport;
        const NodeKind ge = d ? NodeKind::DportGe : NodeKind::SportGe;
        const NodeKind le = d ? NodeKind::DportLe : NodeKind::SportLe;
        const NodeKind eq = d ? NodeKind::Dst : NodeKind::Src;
        switch (op) {
          case Tok::Ge:
            return cond_node(ge, *c);
          case Tok::Le:
            return cond_node(le, *c);
          case Tok::Gt:  // ssfilter.y: > is !<=, < is !>=
            return node(NodeKind::Not, cond_node(le, *c));
          case Tok::Lt:
            return node(NodeKind::Not, cond_node(ge, *c));
          case Tok::Ne:
            return node(NodeKind::Not, cond_node(eq, *c));
          default:
            return cond_node(eq, *c);
        }
      }
      case Tok::Autobound:
        ++pos_;
        return node(NodeKind::Autobound);
      case Tok::Unsupported:
        return unexpected(fmt::format(
            "filter: '{}' is not supported: ustcp sockets have no device, mark or cgroup",
            toks_[pos_]));
      default:
        return unexpected(error_at("expected dst, src, dport, sport, autobound, ! or ( at"));
    }
  }

  std::vector<std::string> toks_;
  size_t pos_ = 0;
};

bool host_matches(const HostCond& c, const Endpoint& e) {
  if (c.port != -1 && c.port != e.port) return false;
  if (c.bitlen == 0) return true;
  const uint32_t mask = c.bitlen == 32 ? UINT32_MAX : ~(UINT32_MAX >> c.bitlen);
  return (e.addr.raw() & mask) == (c.addr & mask);
}

bool run(const SsFilterNode& n, const stack::SockDiag& s) {
  switch (n.kind) {
    case NodeKind::And:
      return run(*n.a, s) && run(*n.b, s);
    case NodeKind::Or:
      return run(*n.a, s) || run(*n.b, s);
    case NodeKind::Not:
      return !run(*n.a, s);
    case NodeKind::Dst:
      return host_matches(n.cond, s.remote);
    case NodeKind::Src:
      return host_matches(n.cond, s.local);
    case NodeKind::DportGe:
      return s.remote.port >= n.cond.port;
    case NodeKind::DportLe:
      return s.remote.port <= n.cond.port;
    case NodeKind::SportGe:
      return s.local.port >= n.cond.port;
    case NodeKind::SportLe:
      return s.local.port <= n.cond.port;
    case NodeKind::Autobound:
      return s.autobound;
  }
  return false;
}

}  // namespace

SsFilter::SsFilter() = default;
SsFilter::~SsFilter() = default;
SsFilter::SsFilter(SsFilter&&) noexcept = default;
SsFilter& SsFilter::operator=(SsFilter&&) noexcept = default;

Expected<SsFilter, std::string> SsFilter::parse(const std::vector<std::string>& words) {
  Parser p(lex(words));
  auto root = p.parse();
  if (!root) return unexpected(root.error());
  SsFilter f;
  f.root_ = std::move(*root);
  return f;
}

bool SsFilter::matches(const stack::SockDiag& s) const { return !root_ || run(*root_, s); }

}  // namespace ustcp::cli
