#pragma once
// The parsed form of an invariant expression, shared by the parser and
// evaluator (expr.cpp) and the type checker (expr_types.cpp).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "check/expr.hpp"
#include "check/value.hpp"

namespace strain::check::detail {

enum class Op { lit, var, neg, lnot, mul, div, mod, add, sub, lt, le, gt, ge, eq, ne, land, lor };

// Per operator: its spelling, binary precedence (loosest first, -1 for
// non-binary), and for comparisons which outcomes of compare() make it true:
// bit 0 less, 1 equal, 2 greater, 3 unordered (NaN), so != holds for NaN.
struct OpInfo {
  std::string_view text;
  int level;
  unsigned truth;
};
constexpr OpInfo kOps[] = {{"", -1, 0},  {"", -1, 0}, {"-", -1, 0}, {"!", -1, 0}, {"*", 5, 0},
                           {"/", 5, 0},  {"%", 5, 0}, {"+", 4, 0},  {"-", 4, 0},  {"<", 3, 1},
                           {"<=", 3, 3}, {">", 3, 4}, {">=", 3, 6}, {"==", 2, 2}, {"!=", 2, 13},
                           {"&&", 1, 0}, {"||", 0, 0}};
constexpr const OpInfo& info(Op op) { return kOps[static_cast<int>(op)]; }
constexpr int kUnaryLevel = 6;

struct Node {
  Op op = Op::lit;
  Value::Kind kind = Value::Kind::none;  // of a literal
  int depth = 1;                         // height of the subtree
  std::uint32_t lhs = 0, rhs = 0;        // children (unary operators use lhs)
  std::size_t begin = 0, end = 0;        // source span, quoted in evaluation errors
  std::size_t var = 0;
  std::int64_t i = 0;
  double d = 0.0;
  bool b = false;
  std::string s = {};  // a string literal, or a var's name
};

inline const char* kind_name(Value::Kind k) {
  constexpr const char* kNames[] = {"nothing", "integer", "number", "boolean", "string"};
  return kNames[static_cast<int>(k)];
}

//! Type-checks the tree under `root` (see Expr::compile): on failure fills
//! `error` with the offending subexpression's offset and returns false.
bool type_check(std::string_view text, const std::vector<Node>& nodes, std::uint32_t root,
                std::span<const NameType> types, ExprError& error);

}  // namespace strain::check::detail
