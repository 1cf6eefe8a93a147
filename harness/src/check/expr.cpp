// Invariant expressions: a hand-written lexer, recursive-descent parser and
// tree evaluator. Hand-written because no Debian-packaged expression library
// gives exact 64-bit integer arithmetic, column-precise errors and
// compile-time name resolution together (muParser, for one, is double-only,
// so a counter near 2^62 would silently lose its low bits).

#include "check/expr.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "check/expr_tree.hpp"

namespace strain::check {
namespace {

using Kind = Value::Kind;
using detail::info;
using detail::kind_name;
using detail::kOps;
using detail::kUnaryLevel;
using detail::Node;
using detail::Op;
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// Deeper nesting is refused at compile time so that neither the recursive
// parser nor the recursive evaluator can exhaust a worker thread's stack.
constexpr int kMaxDepth = 256;

// A value during evaluation. Strings are borrowed from the literal's node or
// from the caller's vars, so a successful evaluation never allocates.
struct Val {
  Kind kind = Kind::none;
  bool b = false;
  std::int64_t i = 0;
  double d = 0.0;
  const std::string* s = nullptr;
};

std::string describe(const Val& v) {
  if (v.kind == Kind::string) return fmt::format("\"{}\"", *v.s);
  if (v.kind == Kind::number) return fmt::format("{}", v.d);
  if (v.kind == Kind::boolean) return v.b ? "true" : "false";
  return std::to_string(v.i);
}

bool numeric(const Val& v) { return v.kind == Kind::integer || v.kind == Kind::number; }
double as_double(const Val& v) { return v.kind == Kind::integer ? static_cast<double>(v.i) : v.d; }

// Exact comparison of an integer with a double: converting the integer to
// double would make 2^53 + 1 equal to 2^53. Returns -1, 0, 1, or 2 when d is
// NaN (unordered).
int compare_int_double(std::int64_t i, double d) {
  if (std::isnan(d)) return 2;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  const double whole = std::trunc(d);  // in range, so the cast below is exact
  const auto t = static_cast<std::int64_t>(whole);
  if (i != t) return i < t ? -1 : 1;
  const double frac = d - whole;  // exact: d and whole share their high bits
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

int compare(const Val& a, const Val& b) {
  if (a.kind == Kind::integer && b.kind == Kind::integer) return (a.i > b.i) - (a.i < b.i);
  if (a.kind == Kind::integer) return compare_int_double(a.i, b.d);
  if (b.kind == Kind::integer) {
    const int c = compare_int_double(b.i, a.d);
    return c == 2 ? 2 : -c;
  }
  if (std::isnan(a.d) || std::isnan(b.d)) return 2;
  return (a.d > b.d) - (a.d < b.d);
}

struct Program {
  std::string text;
  std::vector<Node> nodes;
  std::vector<std::size_t> used;
  std::uint32_t root = 0;

  std::string_view span(const Node& n) const {
    return std::string_view(text).substr(n.begin, n.end - n.begin);
  }

  bool fail(const Node& n, std::string_view what, std::string& err) const {
    err = fmt::format("{} in '{}'", what, span(n));
    return false;
  }

  bool type_error(const Node& n, const Val& a, const Val* b, std::string& err) const {
    const std::string kinds = b ? fmt::format("{} and {}", kind_name(a.kind), kind_name(b->kind))
                                : std::string(kind_name(a.kind));
    const bool left_only = !b && (n.op == Op::land || n.op == Op::lor);
    return fail(n,
                fmt::format("cannot apply '{}' to {}{}", info(n.op).text, kinds,
                            left_only ? " (left side)" : ""),
                err);
  }

  bool arith(const Node& n, const Val& a, const Val& b, Val& out, std::string& err) const {
    if (a.kind == Kind::integer && b.kind == Kind::integer) {
      std::int64_t r = 0;
      bool overflow = false;
      if (n.op == Op::add) {
        overflow = __builtin_add_overflow(a.i, b.i, &r);
      } else if (n.op == Op::sub) {
        overflow = __builtin_sub_overflow(a.i, b.i, &r);
      } else if (n.op == Op::mul) {
        overflow = __builtin_mul_overflow(a.i, b.i, &r);
      } else if (b.i == 0) {
        return fail(n, "division by zero", err);
      } else if (b.i == -1 && a.i == kMin) {  // the one quotient that does not fit
        overflow = n.op == Op::div;           // and kMin % -1 is 0
      } else {
        r = n.op == Op::div ? a.i / b.i : a.i % b.i;  // truncating, as in C
      }
      if (overflow) return fail(n, "integer overflow", err);
      out = Val{Kind::integer, false, r, 0.0, nullptr};
      return true;
    }
    // % stays integer-only, as in C: fmod on measurements is rarely meant.
    if (!numeric(a) || !numeric(b) || n.op == Op::mod) return type_error(n, a, &b, err);
    const double x = as_double(a), y = as_double(b);
    // An infinity would quietly fail or pass a comparison; say why instead.
    if (n.op == Op::div && y == 0.0) return fail(n, "division by zero", err);
    const double r = n.op == Op::add   ? x + y
                     : n.op == Op::sub ? x - y
                     : n.op == Op::mul ? x * y
                                       : x / y;
    out = Val{Kind::number, false, 0, r, nullptr};
    return true;
  }

  bool binary(const Node& n, const Val& a, const Val& b, Val& out, std::string& err) const {
    const int lvl = info(n.op).level;
    if (lvl >= 4) return arith(n, a, b, out, err);
    bool r = false;
    if (numeric(a) && numeric(b)) {
      r = (info(n.op).truth >> (compare(a, b) + 1)) & 1u;
    } else if (lvl == 2 && a.kind == b.kind && a.kind == Kind::boolean) {
      r = (a.b == b.b) == (n.op == Op::eq);
    } else if (lvl == 2 && a.kind == b.kind && a.kind == Kind::string) {
      r = (*a.s == *b.s) == (n.op == Op::eq);
    } else {
      return type_error(n, a, &b, err);
    }
    out = Val{Kind::boolean, r, 0, 0.0, nullptr};
    return true;
  }

  bool eval(std::uint32_t at, std::span<const Value> vars, Val& out, std::string& err) const {
    const Node& n = nodes[at];
    switch (n.op) {
      case Op::lit:
        out = Val{n.kind, n.b, n.i, n.d, &n.s};
        return true;
      case Op::var: {
        if (n.var >= vars.size() || vars[n.var].kind == Kind::none) {
          err = fmt::format("'{}' has no value (the metric was not recorded)", n.s);
          return false;
        }
        const Value& v = vars[n.var];
        out = Val{v.kind, v.b, v.i, v.d, &v.s};
        return true;
      }
      case Op::neg:
      case Op::lnot:
        if (!eval(n.lhs, vars, out, err)) return false;
        if (n.op == Op::lnot && out.kind == Kind::boolean) {
          out.b = !out.b;
        } else if (n.op == Op::neg && out.kind == Kind::integer) {
          if (out.i == kMin) return fail(n, "integer overflow", err);
          out.i = -out.i;
        } else if (n.op == Op::neg && out.kind == Kind::number) {
          out.d = -out.d;
        } else {
          return type_error(n, out, nullptr, err);
        }
        return true;
      case Op::land:
      case Op::lor: {
        if (!eval(n.lhs, vars, out, err)) return false;
        if (out.kind != Kind::boolean) return type_error(n, out, nullptr, err);
        if (out.b == (n.op == Op::lor)) return true;  // decided: skip the right side
        Val r;
        if (!eval(n.rhs, vars, r, err)) return false;
        if (r.kind != Kind::boolean) return type_error(n, out, &r, err);
        out = r;
        return true;
      }
      default: {
        Val a, b;
        if (!eval(n.lhs, vars, a, err) || !eval(n.rhs, vars, b, err)) return false;
        return binary(n, a, b, out, err);
      }
    }
  }
};

enum class Tok { end, integer, number, string, name, lparen, rparen, op };

struct Token {
  Tok kind = Tok::end;
  Op op = Op::lit;
  std::size_t begin = 0, end = 0;
  std::uint64_t u = 0;  // an integer literal's magnitude
  double d = 0.0;
  std::string s;  // a string literal's contents, unescaped
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c) || c == '.'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Parser {
 public:
  Parser(Program& prog, std::span<const std::string> names, ExprError& error)
      : prog_(prog), src_(prog.text), names_(names), error_(error) {}

  bool run() {
    if (!advance()) return false;
    if (tok_.kind == Tok::end) return fail(0, "empty expression");
    std::uint32_t root = 0;
    if (!parse_binary(0, root, 0)) return false;
    if (tok_.kind != Tok::end) return unexpected();
    prog_.root = root;
    return true;
  }

 private:
  bool fail(std::size_t offset, std::string message) {
    error_ = ExprError{offset, std::move(message)};
    return false;
  }

  bool unexpected() {
    if (tok_.kind == Tok::end) return fail(tok_.begin, "unexpected end of expression");
    return fail(tok_.begin,
                fmt::format("unexpected '{}'", src_.substr(tok_.begin, tok_.end - tok_.begin)));
  }

  // Lexes on demand so that errors come out in source order.
  bool advance() {
    std::size_t p = pos_;
    while (p < src_.size() && is_space(src_[p])) ++p;
    tok_ = Token{};
    tok_.begin = p;
    if (p == src_.size()) {
      tok_.end = pos_ = p;
      return true;
    }
    const char c = src_[p];
    const char next = p + 1 < src_.size() ? src_[p + 1] : '\0';
    std::size_t q = p + 1;
    if (is_digit(c) || (c == '.' && is_digit(next))) {
      if (!lex_number(p, q)) return false;
    } else if (is_name_start(c)) {
      while (q < src_.size() && is_name_char(src_[q])) ++q;
      tok_.kind = Tok::name;
    } else if (c == '"') {
      // A backslash takes the next character literally: \" and \\ .
      for (; q < src_.size() && src_[q] != '"'; ++q) {
        if (src_[q] == '\\' && q + 1 < src_.size()) ++q;
        tok_.s += src_[q];
      }
      if (q == src_.size()) return fail(p, "unterminated string");
      tok_.kind = Tok::string;
      ++q;
    } else if (c == '(' || c == ')') {
      tok_.kind = c == '(' ? Tok::lparen : Tok::rparen;
    } else if (!lex_operator(p, q)) {
      // Bytes outside printable ASCII are shown in hex to keep the message
      // valid UTF-8; a lone = & or | is most likely a C-ism one short.
      const auto byte = static_cast<unsigned char>(c);
      std::string msg = fmt::format(
          "unexpected character '{}'",
          byte >= 0x20 && byte < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", byte));
      if (c == '=' || c == '&' || c == '|') msg += fmt::format(" (did you mean '{}{}'?)", c, c);
      return fail(p, std::move(msg));
    }
    tok_.end = pos_ = q;
    return true;
  }

  // Two-character spellings first, so "<=" is not read as "<".
  bool lex_operator(std::size_t p, std::size_t& q) {
    for (const std::size_t len : {2u, 1u}) {
      for (int k = 0; k < static_cast<int>(std::size(kOps)); ++k) {
        const auto op = static_cast<Op>(k);
        if (op == Op::neg || kOps[k].text.size() != len || src_.substr(p, len) != kOps[k].text) {
          continue;  // neg shares sub's spelling; the parser tells them apart
        }
        tok_.kind = Tok::op;
        tok_.op = op;
        q = p + len;
        return true;
      }
    }
    return false;
  }

  // from_chars does the scanning: the longest decimal integer and, if a
  // fraction or exponent follows it, the longest decimal number ("1e" is 1).
  bool lex_number(std::size_t p, std::size_t& q) {
    const char* first = src_.data() + p;
    const char* last = src_.data() + src_.size();
    const auto whole = std::from_chars(first, last, tok_.u);
    const auto real = std::from_chars(first, last, tok_.d);
    const bool number = real.ptr > whole.ptr;
    tok_.kind = number ? Tok::number : Tok::integer;
    q = static_cast<std::size_t>((number ? real.ptr : whole.ptr) - src_.data());
    if ((number ? real.ec : whole.ec) == std::errc{}) return true;
    return fail(p, number ? "number literal out of range" : "integer literal out of range");
  }

  bool add(Node node, std::uint32_t& out, std::size_t at) {
    // A long chain (a 200,000-term sum) is as deep as it is long: say so,
    // rather than call it nested.
    if (node.depth > kMaxDepth)
      return fail(at, fmt::format("expression is more than {} operators deep (each operator of a "
                                  "chain like 'a + b + c' adds one level; evaluation recurses "
                                  "once per level)",
                                  kMaxDepth));
    out = static_cast<std::uint32_t>(prog_.nodes.size());
    prog_.nodes.push_back(std::move(node));
    return true;
  }

  bool parse_binary(int level, std::uint32_t& out, int depth) {
    if (level == kUnaryLevel) return parse_unary(out, depth);
    std::uint32_t lhs = 0;
    if (!parse_binary(level + 1, lhs, depth)) return false;
    while (tok_.kind == Tok::op && info(tok_.op).level == level) {
      const Op op = tok_.op;
      const std::size_t at = tok_.begin;
      std::uint32_t rhs = 0;
      if (!advance() || !parse_binary(level + 1, rhs, depth)) return false;
      const Node &l = prog_.nodes[lhs], &r = prog_.nodes[rhs];
      Node n{.op = op,
             .depth = 1 + std::max(l.depth, r.depth),
             .lhs = lhs,
             .rhs = rhs,
             .begin = l.begin,
             .end = r.end};
      if (!add(std::move(n), lhs, at)) return false;
    }
    out = lhs;
    return true;
  }

  bool parse_unary(std::uint32_t& out, int depth) {
    if (depth > kMaxDepth)
      return fail(tok_.begin,
                  fmt::format("expression is nested more than {} levels deep (parentheses and "
                              "unary operators)",
                              kMaxDepth));
    if (tok_.kind != Tok::op || (tok_.op != Op::sub && tok_.op != Op::lnot)) {
      return parse_primary(out, depth);
    }
    const Op op = tok_.op == Op::sub ? Op::neg : Op::lnot;
    const std::size_t begin = tok_.begin;
    if (!advance()) return false;
    // Folding "-<digits>" lets -9223372036854775808 be written.
    if (op == Op::neg && tok_.kind == Tok::integer) return integer(begin, true, out);
    std::uint32_t x = 0;
    if (!parse_unary(x, depth + 1)) return false;
    const Node& child = prog_.nodes[x];
    return add(Node{.op = op, .depth = child.depth + 1, .lhs = x, .begin = begin, .end = child.end},
               out, begin);
  }

  bool integer(std::size_t begin, bool negative, std::uint32_t& out) {
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (tok_.u > kMax + (negative ? 1 : 0)) return fail(tok_.begin, "integer literal out of range");
    // Negate in unsigned arithmetic: -(2^63) has no positive int64 to negate.
    const auto i = static_cast<std::int64_t>(negative ? 0 - tok_.u : tok_.u);
    return add(Node{.kind = Kind::integer, .begin = begin, .end = tok_.end, .i = i}, out, begin) &&
           advance();
  }

  bool parse_primary(std::uint32_t& out, int depth) {
    if (tok_.kind == Tok::integer) return integer(tok_.begin, false, out);
    if (tok_.kind == Tok::lparen) {
      const std::size_t open = tok_.begin;
      std::uint32_t x = 0;
      if (!advance() || !parse_binary(0, x, depth + 1)) return false;
      if (tok_.kind != Tok::rparen) return fail(tok_.begin, "missing ')'");
      // Widen the span so an enclosing node's text includes the parentheses.
      prog_.nodes[x].begin = open;
      prog_.nodes[x].end = tok_.end;
      out = x;
      return advance();
    }
    Node n{.begin = tok_.begin, .end = tok_.end};
    const std::string_view word = src_.substr(tok_.begin, tok_.end - tok_.begin);
    if (tok_.kind == Tok::number) {
      n.kind = Kind::number;
      n.d = tok_.d;
    } else if (tok_.kind == Tok::string) {
      n.kind = Kind::string;
      n.s = std::move(tok_.s);
    } else if (tok_.kind == Tok::name && (word == "true" || word == "false")) {
      n.kind = Kind::boolean;
      n.b = word == "true";
    } else if (tok_.kind == Tok::name) {
      // Resolved here, once, so evaluation is a plain index into vars.
      const auto it = std::find(names_.begin(), names_.end(), word);
      if (it == names_.end()) {
        return fail(tok_.begin, names_.empty()
                                    ? fmt::format("unknown name '{}' (no names are known)", word)
                                    : fmt::format("unknown name '{}' (known: {})", word,
                                                  fmt::join(names_, ", ")));
      }
      n.op = Op::var;
      n.var = static_cast<std::size_t>(it - names_.begin());
      n.s = std::string(word);
      if (std::find(prog_.used.begin(), prog_.used.end(), n.var) == prog_.used.end()) {
        prog_.used.push_back(n.var);
      }
    } else {
      return unexpected();
    }
    return add(std::move(n), out, tok_.begin) && advance();
  }

  Program& prog_;
  std::string_view src_;
  std::span<const std::string> names_;
  ExprError& error_;
  std::size_t pos_ = 0;
  Token tok_;
};

}  // namespace

struct Expr::Impl : Program {};

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;
Expr::Expr(const Expr& o) : impl_(o.impl_ ? std::make_unique<Impl>(*o.impl_) : nullptr) {}
Expr& Expr::operator=(const Expr& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<Impl>(*o.impl_) : nullptr;
  return *this;
}

bool Expr::compile(std::string_view text, std::span<const std::string> names, Expr& out,
                   ExprError& error, std::span<const NameType> types) {
  auto impl = std::make_unique<Impl>();
  impl->text = std::string(text);
  if (!Parser(*impl, names, error).run()) return false;  // `out` keeps its old value
  if (!types.empty() && !detail::type_check(impl->text, impl->nodes, impl->root, types, error))
    return false;
  out.impl_ = std::move(impl);
  return true;
}

EvalResult Expr::eval(std::span<const Value> vars) const {
  EvalResult r;
  Val v;
  if (!impl_) {
    r.error = "the expression was never compiled";
  } else if (impl_->eval(impl_->root, vars, v, r.error)) {
    if (v.kind == Kind::boolean) {
      r.value = v.b;
      return r;
    }
    r.error = fmt::format("expression is not a boolean (it is {})", describe(v));
  }
  r.ok = false;
  return r;
}

const std::vector<std::size_t>& Expr::used() const {
  static const std::vector<std::size_t> kNone;
  return impl_ ? impl_->used : kNone;
}

std::string Expr::explain(std::span<const std::string> names, std::span<const Value> vars) const {
  std::string out;
  for (const std::size_t k : used()) {
    if (!out.empty()) out += ", ";
    out += k < names.size() ? names[k] : "?";
    out += '=';
    out += k < vars.size() ? vars[k].str() : Value{}.str();
  }
  return out;
}

namespace {

// Catch2's decomposition, over the tree: a comparison shows both sides'
// values ("1165 == 2000"); && shows the operands that are false, || both
// (each is false when the whole is), ! its operand; anything else its value.
std::string decompose(const Program& p, std::uint32_t at, std::span<const Value> vars) {
  const Node& n = p.nodes[at];
  const auto value = [&](std::uint32_t k) {
    Val v;
    std::string err;
    return p.eval(k, vars, v, err) ? describe(v) : std::string("?");
  };
  const auto parens = [&](std::uint32_t k) {
    const Op op = p.nodes[k].op;
    const std::string d = decompose(p, k, vars);
    return op == Op::land || op == Op::lor ? "(" + d + ")" : d;
  };
  switch (n.op) {
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::eq:
    case Op::ne:
      return fmt::format("{} {} {}", value(n.lhs), info(n.op).text, value(n.rhs));
    case Op::land: {
      std::string out;
      for (const std::uint32_t k : {n.lhs, n.rhs}) {
        Val v;
        std::string err;
        if (p.eval(k, vars, v, err) && v.kind == Kind::boolean && v.b) continue;
        out += (out.empty() ? "" : " && ") + parens(k);
      }
      return out.empty() ? value(at) : out;
    }
    case Op::lor:
      return parens(n.lhs) + " || " + parens(n.rhs);
    case Op::lnot:
      return "!" + value(n.lhs);
    default:
      return value(at);
  }
}

}  // namespace

std::string Expr::decompose(std::span<const Value> vars) const {
  if (!impl_) return {};
  return check::decompose(*impl_, impl_->root, vars);
}

const std::string& Expr::text() const {
  static const std::string kEmpty;
  return impl_ ? impl_->text : kEmpty;
}

}  // namespace strain::check
