// The Catch2-style expansion of a failed invariant: each comparison with
// the values of its two sides.

#include "expr_helpers.hpp"

namespace strain::check::test {
namespace {

std::string Decompose(std::string_view text, const Names& names, const Vars& vars) {
  return Compile(text, names).decompose(vars);
}

TEST(ExprDecompose, ComparisonShowsBothSidesEvaluated) {
  EXPECT_EQ(Decompose("counter == workers * increments", {"counter", "workers", "increments"},
                      {Value::integer(1165), Value::integer(2), Value::integer(1000)}),
            "1165 == 2000");
  EXPECT_EQ(Decompose("x / 2 < 0.5", {"x"}, {Value::number(3.0)}), "1.5 < 0.5");
}

TEST(ExprDecompose, AndShowsOnlyItsFalseOperands) {
  const Names names = {"final", "initial", "min"};
  const Vars vars = {Value::integer(700), Value::integer(700), Value::integer(-222)};
  EXPECT_EQ(Decompose("final == initial && min >= 0", names, vars), "-222 >= 0");
  EXPECT_EQ(Decompose("final != initial && min >= 0", names, vars), "700 != 700 && -222 >= 0");
}

TEST(ExprDecompose, OrAndNotShowEveryPart) {
  const Names names = {"a", "b", "ok"};
  const Vars vars = {Value::integer(1), Value::integer(2), Value::boolean(true)};
  EXPECT_EQ(Decompose("a > b || (a == b && !ok)", names, vars), "1 > 2 || (1 == 2 && !true)");
  EXPECT_EQ(Decompose("!ok", names, vars), "!true");
  EXPECT_EQ(Decompose("ok == false", names, vars), "true == false");
}

}  // namespace
}  // namespace strain::check::test
