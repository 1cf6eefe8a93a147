// Type-checking an invariant before any trial: every operator is applied to
// the types it would meet at run time, as far as they are known. A param's
// type is declared by its plugin; a metric or site fact is a number, which
// may turn out an integer or not, so only what no value could make right is
// an error here. The messages are those evaluation would give, so a user
// sees the same words at validation as they would have on every trial.

#include <fmt/format.h>

#include "check/expr_tree.hpp"

namespace strain::check::detail {
namespace {

// A node's static type: a Value kind, or `numeric` (integer or number).
enum class Ty : std::uint8_t { integer, number, numeric, boolean, string };

Ty of_kind(Value::Kind k) {
  switch (k) {
    case Value::Kind::integer:
      return Ty::integer;
    case Value::Kind::number:
      return Ty::number;
    case Value::Kind::boolean:
      return Ty::boolean;
    case Value::Kind::string:
      return Ty::string;
    case Value::Kind::none:
      break;
  }
  return Ty::numeric;
}

Ty of_name(NameType t) {
  switch (t) {
    case NameType::integer:
      return Ty::integer;
    case NameType::number:
      return Ty::number;
    case NameType::numeric:
      return Ty::numeric;
    case NameType::boolean:
      return Ty::boolean;
    case NameType::string:
      return Ty::string;
  }
  return Ty::numeric;
}

const char* ty_name(Ty t) {
  constexpr const char* kNames[] = {"integer", "number", "number", "boolean", "string"};
  return kNames[static_cast<int>(t)];
}

bool numeric(Ty t) { return t == Ty::integer || t == Ty::number || t == Ty::numeric; }

class Checker {
 public:
  Checker(std::string_view text, const std::vector<Node>& nodes, std::span<const NameType> types,
          ExprError& error)
      : text_(text), nodes_(nodes), types_(types), error_(error) {}

  bool root(std::uint32_t at) {
    Ty t{};
    if (!check(at, t)) return false;
    if (t == Ty::boolean) return true;
    const Node& n = nodes_[at];
    const char* name = ty_name(t);
    return fail(n, fmt::format("expression is not a boolean (it is {} {})",
                               name[0] == 'i' ? "an" : "a", name));
  }

 private:
  std::string_view span(const Node& n) const { return text_.substr(n.begin, n.end - n.begin); }

  bool fail(const Node& n, std::string what) {
    error_ = ExprError{n.begin, std::move(what)};
    return false;
  }

  // The words of the evaluator's type error, with the subexpression quoted.
  bool mismatch(const Node& n, Ty a, const Ty* b) {
    const std::string kinds =
        b ? fmt::format("{} and {}", ty_name(a), ty_name(*b)) : std::string(ty_name(a));
    const bool left_only = !b && (n.op == Op::land || n.op == Op::lor);
    return fail(n, fmt::format("cannot apply '{}' to {}{} in '{}'", info(n.op).text, kinds,
                               left_only ? " (left side)" : "", span(n)));
  }

  bool check(std::uint32_t at, Ty& out) {
    const Node& n = nodes_[at];
    switch (n.op) {
      case Op::lit:
        out = of_kind(n.kind);
        return true;
      case Op::var:
        out = n.var < types_.size() ? of_name(types_[n.var]) : Ty::numeric;
        return true;
      case Op::neg:
      case Op::lnot: {
        if (!check(n.lhs, out)) return false;
        const bool ok = n.op == Op::lnot ? out == Ty::boolean : numeric(out);
        return ok || mismatch(n, out, nullptr);
      }
      case Op::land:
      case Op::lor: {
        Ty a{}, b{};
        if (!check(n.lhs, a)) return false;
        if (a != Ty::boolean) return mismatch(n, a, nullptr);
        if (!check(n.rhs, b)) return false;
        if (b != Ty::boolean) return mismatch(n, a, &b);
        out = Ty::boolean;
        return true;
      }
      default:
        break;
    }
    Ty a{}, b{};
    if (!check(n.lhs, a) || !check(n.rhs, b)) return false;
    const int level = info(n.op).level;
    if (n.op == Op::mod) {
      // % is integer-only at run time: a declared number can never do.
      if (!numeric(a) || !numeric(b) || a == Ty::number || b == Ty::number)
        return mismatch(n, a, &b);
      out = Ty::integer;
      return true;
    }
    if (level >= 4) {
      if (!numeric(a) || !numeric(b)) return mismatch(n, a, &b);
      out = a == Ty::integer && b == Ty::integer ? Ty::integer
            : a == Ty::number || b == Ty::number ? Ty::number
                                                 : Ty::numeric;
      return true;
    }
    const bool same = a == b && (a == Ty::boolean || a == Ty::string);
    if (!(numeric(a) && numeric(b)) && !(level == 2 && same)) return mismatch(n, a, &b);
    out = Ty::boolean;
    return true;
  }

  std::string_view text_;
  const std::vector<Node>& nodes_;
  std::span<const NameType> types_;
  ExprError& error_;
};

}  // namespace

bool type_check(std::string_view text, const std::vector<Node>& nodes, std::uint32_t root,
                std::span<const NameType> types, ExprError& error) {
  return Checker(text, nodes, types, error).root(root);
}

}  // namespace strain::check::detail
