#include "drill/python_expr.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace ustcp::drill::py {

namespace {

struct Token {
  enum class Kind { Number, Name, Op, End } kind = Kind::End;
  std::string text;
  int64_t value = 0;
};

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

// Python's operators, longest first so that `//` is not read as `/`.
constexpr std::array<std::string_view, 21> kOps = {
    "//", "<<", ">>", "<=", ">=", "==", "!=", "**", "(", ")", "+",
    "-",  "*",  "/",  "%",  "<",  ">",  "&",  "|",  "^", "~",
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && (ident_char(s[j]) || s[j] == '.')) ++j;
      std::string digits;
      for (char d : s.substr(i, j - i))
        if (d != '_') digits += d;
      int base = 10;
      size_t from = 0;
      if (digits.size() > 2 && digits[0] == '0') {
        const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[1])));
        base = b == 'x' ? 16 : b == 'o' ? 8 : b == 'b' ? 2 : 10;
        if (base != 10) from = 2;
      }
      // Python 3 has no 0755-style octal: a leading zero is only valid for 0 itself.
      if (base == 10 && digits.size() > 1 && digits[0] == '0')
        throw Unsupported{"number '" + digits + "'"};
      uint64_t v = 0;
      for (size_t k = from; k < digits.size(); ++k) {
        const char d = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[k])));
        int dv = std::isdigit(static_cast<unsigned char>(d)) ? d - '0'
                 : (d >= 'a' && d <= 'f')                    ? d - 'a' + 10
                                                             : 99;
        if (dv >= base ||
            v > (UINT64_MAX - static_cast<uint64_t>(dv)) / static_cast<unsigned>(base))
          throw Unsupported{"number '" + std::string(s.substr(i, j - i)) + "'"};
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(dv);
      }
      if (from == digits.size() || v > static_cast<uint64_t>(INT64_MAX))
        throw Unsupported{"number '" + std::string(s.substr(i, j - i)) + "'"};
      t.kind = Token::Kind::Number;
      t.value = static_cast<int64_t>(v);
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (ident_start(c)) {
      size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = Token::Kind::Name;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      for (std::string_view op : kOps) {
        if (s.substr(i, op.size()) == op) {
          t.kind = Token::Kind::Op;
          t.text = std::string(op);
          break;
        }
      }
      if (t.kind != Token::Kind::Op) throw Unsupported{"'" + std::string(1, c) + "'"};
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  out.push_back(Token{});
  return out;
}

// Floor division and modulo as Python defines them (the result of % has the divisor's sign).
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t py_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

// Python's integers do not overflow; ours would, so such a result is outside the subset.
int64_t checked(bool overflowed, const int64_t& r) {
  if (overflowed) throw Unsupported{"an integer beyond 64 bits"};
  return r;
}
int64_t add(int64_t a, int64_t b) {
  int64_t r = 0;
  const bool o = __builtin_add_overflow(a, b, &r);
  return checked(o, r);
}
int64_t sub(int64_t a, int64_t b) {
  int64_t r = 0;
  const bool o = __builtin_sub_overflow(a, b, &r);
  return checked(o, r);
}
int64_t mul(int64_t a, int64_t b) {
  int64_t r = 0;
  const bool o = __builtin_mul_overflow(a, b, &r);
  return checked(o, r);
}

class Parser {
 public:
  Parser(std::vector<Token> toks, const Lookup& lookup) : t_(std::move(toks)), lookup_(lookup) {}

  int64_t parse() {
    int64_t v = or_test();
    if (t_[k_].kind != Token::Kind::End) throw Unsupported{"'" + t_[k_].text + "'"};
    return v;
  }

 private:
  std::vector<Token> t_;
  const Lookup& lookup_;
  size_t k_ = 0;

  bool op(std::string_view o) {
    if (t_[k_].kind == Token::Kind::Op && t_[k_].text == o) return ++k_, true;
    return false;
  }
  bool keyword(std::string_view w) {
    if (t_[k_].kind == Token::Kind::Name && t_[k_].text == w) return ++k_, true;
    return false;
  }

  // Both sides are evaluated: names have no side effects here, so the result is Python's.
  int64_t or_test() {
    int64_t v = and_test();
    while (keyword("or")) {
      int64_t r = and_test();
      v = v != 0 ? v : r;
    }
    return v;
  }
  int64_t and_test() {
    int64_t v = not_test();
    while (keyword("and")) {
      int64_t r = not_test();
      v = v == 0 ? v : r;
    }
    return v;
  }
  int64_t not_test() {
    if (keyword("not")) return not_test() == 0 ? 1 : 0;
    return comparison();
  }
  // a < b <= c is (a < b) and (b <= c), b evaluated once.
  int64_t comparison() {
    int64_t left = bit_or();
    bool holds = true, chained = false;
    for (;;) {
      std::string o;
      for (std::string_view c : {"==", "!=", "<=", ">=", "<", ">"}) {
        if (op(c)) {
          o = std::string(c);
          break;
        }
      }
      if (o.empty()) break;
      chained = true;
      int64_t right = bit_or();
      holds = holds && (o == "=="   ? left == right
                        : o == "!=" ? left != right
                        : o == "<=" ? left <= right
                        : o == ">=" ? left >= right
                        : o == "<"  ? left < right
                                    : left > right);
      left = right;
    }
    return chained ? (holds ? 1 : 0) : left;
  }
  int64_t bit_or() {
    int64_t v = bit_xor();
    while (op("|")) v |= bit_xor();
    return v;
  }
  int64_t bit_xor() {
    int64_t v = bit_and();
    while (op("^")) v ^= bit_and();
    return v;
  }
  int64_t bit_and() {
    int64_t v = shift();
    while (op("&")) v &= shift();
    return v;
  }
  int64_t shift() {
    int64_t v = arith();
    for (;;) {
      if (op("<<")) {
        int64_t n = arith();
        if (n < 0 || n > 62) throw Unsupported{"shift by " + std::to_string(n)};
        v = mul(v, int64_t{1} << n);
      } else if (op(">>")) {
        int64_t n = arith();
        if (n < 0) throw Unsupported{"shift by " + std::to_string(n)};
        v = n > 62 ? (v < 0 ? -1 : 0) : v >> n;
      } else {
        return v;
      }
    }
  }
  int64_t arith() {
    int64_t v = term();
    for (;;) {
      if (op("+"))
        v = add(v, term());
      else if (op("-"))
        v = sub(v, term());
      else
        return v;
    }
  }
  int64_t term() {
    int64_t v = factor();
    for (;;) {
      if (op("*")) {
        v = mul(v, factor());
      } else if (op("//") || op("%")) {
        const bool div = t_[k_ - 1].text == "//";
        int64_t d = factor();
        if (d == 0) throw Unsupported{"division by zero"};
        if (v == INT64_MIN && d == -1) throw Unsupported{"an integer beyond 64 bits"};
        v = div ? floor_div(v, d) : py_mod(v, d);
      } else if (t_[k_].kind == Token::Kind::Op && (t_[k_].text == "/" || t_[k_].text == "**")) {
        throw Unsupported{"operator " + t_[k_].text};
      } else {
        return v;
      }
    }
  }
  int64_t factor() {
    if (op("-")) return sub(0, factor());
    if (op("+")) return factor();
    if (op("~")) return ~factor();
    return atom();
  }
  int64_t atom() {
    const Token& t = t_[k_];
    if (t.kind == Token::Kind::Number) return ++k_, t.value;
    if (op("(")) {
      int64_t v = or_test();
      if (!op(")")) throw Unsupported{"missing ')'"};
      return v;
    }
    if (t.kind == Token::Kind::Name) {
      ++k_;
      if (t_[k_].kind == Token::Kind::Op && t_[k_].text == "(")
        throw Unsupported{"call " + t.text + "()"};
      if (t.text == "True") return 1;
      if (t.text == "False") return 0;
      if (auto v = lookup_(t.text)) return *v;
      throw Unsupported{"name " + t.text};
    }
    throw Unsupported{t.kind == Token::Kind::End ? "an incomplete expression" : "'" + t.text + "'"};
  }
};

}  // namespace

int64_t eval(std::string_view expr, const Lookup& lookup) {
  return Parser(tokenize(expr), lookup).parse();
}

size_t find_top_level(std::string_view s, char c) {
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (quote) {
      if (ch == '\\')
        ++i;
      else if (ch == quote)
        quote = 0;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
    } else if (ch == c && depth == 0) {
      return i;
    } else if (ch == '(' || ch == '[' || ch == '{') {
      ++depth;
    } else if (ch == ')' || ch == ']' || ch == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace ustcp::drill::py
