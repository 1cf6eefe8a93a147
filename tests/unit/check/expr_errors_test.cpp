// Tests of invariant expressions that fail: evaluation errors with their
// messages, compile errors with their offsets (users see them under a
// caret), and type checking at compile time against evaluation's words.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "check/expr.hpp"
#include "expr_helpers.hpp"

namespace strain::check {
namespace {

using namespace test;

// --- evaluation errors -----------------------------------------------------------

TEST(ExprEvalError, UnsetVariable) {
  const Names names = {"a", "m"};
  EXPECT_EQ(EvalError("m > 0", names, {Value::integer(1), Value{}}),
            "'m' has no value (the metric was not recorded)");
  // Fewer vars than names: the missing ones count as unset.
  EXPECT_EQ(EvalError("a > 0 && m > 0", names, {Value::integer(1)}),
            "'m' has no value (the metric was not recorded)");
  // Parentheses do not leak into the name.
  EXPECT_EQ(EvalError("(m) > 0", names, {Value::integer(1), Value{}}),
            "'m' has no value (the metric was not recorded)");
}

TEST(ExprEvalError, BinaryTypeErrors) {
  const Names names = {"s"};
  const Vars vars = {Value::string("fixed")};
  EXPECT_EQ(EvalError("s + 1 == 2", names, vars),
            "cannot apply '+' to string and integer in 's + 1'");
  EXPECT_EQ(EvalError("s < \"z\"", names, vars),
            "cannot apply '<' to string and string in 's < \"z\"'");
  EXPECT_EQ(EvalError("s == 1", names, vars),
            "cannot apply '==' to string and integer in 's == 1'");
  EXPECT_EQ(EvalError("true == 1"), "cannot apply '==' to boolean and integer in 'true == 1'");
  EXPECT_EQ(EvalError("true < false"), "cannot apply '<' to boolean and boolean in 'true < false'");
  EXPECT_EQ(EvalError("2.5 % 2 == 0"), "cannot apply '%' to number and integer in '2.5 % 2'");
  EXPECT_EQ(EvalError("true * 2 == 2"), "cannot apply '*' to boolean and integer in 'true * 2'");
}

TEST(ExprEvalError, ChainedComparisonIsATypeError) {
  EXPECT_EQ(EvalError("1 < 2 < 3"), "cannot apply '<' to boolean and integer in '1 < 2 < 3'");
}

TEST(ExprEvalError, UnaryTypeErrors) {
  EXPECT_EQ(EvalError("-true"), "cannot apply '-' to boolean in '-true'");
  EXPECT_EQ(EvalError("!1"), "cannot apply '!' to integer in '!1'");
  EXPECT_EQ(EvalError("-\"s\" == 1"), "cannot apply '-' to string in '-\"s\"'");
}

TEST(ExprEvalError, LogicalTypeErrors) {
  EXPECT_EQ(EvalError("1 && true"), "cannot apply '&&' to integer (left side) in '1 && true'");
  EXPECT_EQ(EvalError("0.5 || true"), "cannot apply '||' to number (left side) in '0.5 || true'");
  EXPECT_EQ(EvalError("true && 2"), "cannot apply '&&' to boolean and integer in 'true && 2'");
  EXPECT_EQ(EvalError("false || \"x\""),
            "cannot apply '||' to boolean and string in 'false || \"x\"'");
}

TEST(ExprEvalError, ResultMustBeBoolean) {
  EXPECT_EQ(EvalError("42"), "expression is not a boolean (it is 42)");
  EXPECT_EQ(EvalError("a + 1", {"a"}, {Value::integer(41)}),
            "expression is not a boolean (it is 42)");
  EXPECT_EQ(EvalError("0.5"), "expression is not a boolean (it is 0.5)");
  EXPECT_EQ(EvalError("\"x\""), "expression is not a boolean (it is \"x\")");
}

// --- compile errors --------------------------------------------------------------

TEST(ExprCompileError, UnknownNameListsTheKnownOnes) {
  ExpectCompileError("a + x > 0", {"a", "b", "c"}, "unknown name 'x' (known: a, b, c)", 4u);
}

TEST(ExprCompileError, UnknownNameWithNoNames) {
  ExpectCompileError("  x > 0", {}, "unknown name 'x' (no names are known)", 2u);
}

TEST(ExprCompileError, KeywordPrefixIsAName) {
  ExpectCompileError("trueish", {"a"}, "unknown name 'trueish' (known: a)", 0u);
}

TEST(ExprCompileError, UnexpectedCharacter) {
  ExpectCompileError("a # 1", {"a"}, "unexpected character '#'", 2u);
  ExpectCompileError("1 + \xc3\xa9", {}, "unexpected character '\\xc3'", 4u);
  ExpectCompileError("1 < .", {}, "unexpected character '.'", 4u);
}

TEST(ExprCompileError, SingleCharacterOperatorsSuggestTheDoubleOne) {
  ExpectCompileError("a = 1", {"a"}, "unexpected character '=' (did you mean '=='?)", 2u);
  ExpectCompileError("true & false", {}, "unexpected character '&' (did you mean '&&'?)", 5u);
  ExpectCompileError("true | false", {}, "unexpected character '|' (did you mean '||'?)", 5u);
}

TEST(ExprCompileError, UnexpectedEnd) {
  ExpectCompileError("a +", {"a"}, "unexpected end of expression", 3u);
  ExpectCompileError("(", {}, "unexpected end of expression", 1u);
  ExpectCompileError("! ", {}, "unexpected end of expression", 2u);
}

TEST(ExprCompileError, UnexpectedToken) {
  ExpectCompileError("a b", {"a", "b"}, "unexpected 'b'", 2u);
  ExpectCompileError(")", {}, "unexpected ')'", 0u);
  ExpectCompileError("1 + * 2", {}, "unexpected '*'", 4u);
  ExpectCompileError("1 == 1 \"s\"", {}, "unexpected '\"s\"'", 7u);
  ExpectCompileError("()", {}, "unexpected ')'", 1u);
  ExpectCompileError("1 <= >= 2", {}, "unexpected '>='", 5u);
}

TEST(ExprCompileError, MissingCloseParen) {
  ExpectCompileError("(a + b", {"a", "b"}, "missing ')'", 6u);
  ExpectCompileError("(a b", {"a", "b"}, "missing ')'", 3u);
}

TEST(ExprCompileError, UnterminatedString) {
  ExpectCompileError("s == \"abc", {"s"}, "unterminated string", 5u);
  // The escaped quote does not close it.
  ExpectCompileError(R"(s == "abc\")", {"s"}, "unterminated string", 5u);
}

TEST(ExprCompileError, EmptyExpression) {
  for (const char* text : {"", "   ", "\t\n"}) {
    const ExprError e = CompileError(text);
    EXPECT_EQ(e.message, "empty expression") << '"' << text << '"';
    EXPECT_EQ(e.offset, 0u);
  }
}

TEST(ExprCompileError, IntegerLiteralOutOfRange) {
  ExpectCompileError("9223372036854775808 > 0", {}, "integer literal out of range", 0u);
  ExpectCompileError("x < -9223372036854775809", {"x"}, "integer literal out of range", 5u);
  ExpectCompileError("x < 99999999999999999999", {"x"}, "integer literal out of range", 4u);
  // Only a directly negated literal may reach -2^63.
  ExpectCompileError("-(9223372036854775808) < 0", {}, "integer literal out of range", 2u);
}

TEST(ExprCompileError, NumberLiteralOutOfRange) {
  ExpectCompileError("x < 1e999", {"x"}, "number literal out of range", 4u);
}

TEST(ExprCompileError, ReportsTheFirstErrorInSourceOrder) {
  ExpectCompileError("1 + ) #", {}, "unexpected ')'", 4u);
}

TEST(ExprCompileError, DeepNestingIsRefused) {
  const std::string deep = std::string(1000, '(') + "true" + std::string(1000, ')');
  ExprError e = CompileError(deep);
  EXPECT_EQ(e.message,
            "expression is nested more than 256 levels deep (parentheses and unary operators)");
  // A long flat chain is not nested: the message says what the limit counts
  // (issue 13 fed a 200,000-term sum).
  const std::string kChain =
      "expression is more than 256 operators deep (each operator of a chain like 'a + b + c' "
      "adds one level; evaluation recurses once per level)";
  for (const int terms : {1000, 200000}) {
    std::string chain = "1";
    for (int k = 0; k < terms; ++k) chain += " + 1";
    e = CompileError(chain + " > 0");
    EXPECT_EQ(e.message, kChain);
    EXPECT_LT(e.offset, chain.size());
  }
  // Moderate nesting is fine.
  EXPECT_TRUE(Truth(std::string(50, '(') + "true" + std::string(50, ')')));
}

TEST(ExprCompileError, FailureLeavesTheOutputAlone) {
  Expr e = Compile("1 < 2");
  ExprError err;
  EXPECT_FALSE(Expr::compile("1 <", {}, e, err));
  EXPECT_EQ(e.text(), "1 < 2");
  EXPECT_TRUE(e.eval({}).value);
}

// Type checking at compile time: what it rejects, evaluation would reject on
// every trial with the same words; what it accepts evaluates, for values of
// the declared types.
TEST(ExprTypes, RejectsWhatEvaluationWouldRejectWithTheSameMessage) {
  const std::vector<std::string> names{"i", "x", "m", "b", "s"};
  const std::vector<NameType> types{NameType::integer, NameType::number, NameType::numeric,
                                    NameType::boolean, NameType::string};
  const std::vector<Value> vars{Value::integer(3), Value::number(0.5), Value::integer(7),
                                Value::boolean(true), Value::string("seed")};
  struct Case {
    const char* text;
    std::size_t offset;  // where the compile error points
  };
  const Case rejected[] = {
      {"s < 3", 0},      {"i + s > 0", 0}, {"b == 1", 0},  {"i > 0 && (s * 2 > 1)", 10},
      {"x % 2 == 0", 0}, {"!i", 0},        {"-s == s", 0}, {"b && s", 0},
      {"s || b", 0},     {"s == b", 0},    {"i + 1", 0},
  };
  for (const Case& c : rejected) {
    Expr e;
    ExprError err;
    EXPECT_FALSE(Expr::compile(c.text, names, e, err, types)) << c.text;
    EXPECT_EQ(err.offset, c.offset) << c.text;
    // Untyped, it compiles, and evaluation fails with the same message.
    ExprError untyped;
    ASSERT_TRUE(Expr::compile(c.text, names, e, untyped)) << c.text;
    const EvalResult r = e.eval(vars);
    EXPECT_FALSE(r.ok) << c.text;
    if (err.message.rfind("expression is not a boolean", 0) != 0) {
      EXPECT_EQ(r.error, err.message) << c.text;
    }
  }
  const char* accepted[] = {"s == \"seed\" && b", "i * x < m",     "m % 2 == 1 || i % 2 == 1",
                            "-x < i / 2",         "!(b != false)", "(i + m) * 2 >= -m"};
  for (const char* text : accepted) {
    Expr e;
    ExprError err;
    EXPECT_TRUE(Expr::compile(text, names, e, err, types)) << text << ": " << err.message;
    EXPECT_TRUE(e.eval(vars).ok) << text;
  }
}

TEST(ExprTypes, DivisionByZeroIsLeftToEvaluation) {
  const std::vector<std::string> names{"m"};
  const std::vector<NameType> types{NameType::numeric};
  Expr e;
  ExprError err;
  ASSERT_TRUE(Expr::compile("m / 0 > 1", names, e, err, types)) << err.message;
  const EvalResult r = e.eval(std::vector<Value>{Value::integer(4)});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "division by zero in 'm / 0'");
}

}  // namespace
}  // namespace strain::check
