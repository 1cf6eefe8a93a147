// Tests of invariant expressions: parsing, exact integer evaluation, error
// messages and offsets (users see them under a caret), and the accessors the
// case runner uses to explain a violation.

#include "check/expr.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>
#include <vector>

// Counts global allocations so a test can check that evaluation does not
// allocate; only the window around eval() is looked at. delete is replaced
// too so that AddressSanitizer builds see matching malloc/free pairs.
static std::atomic<long> g_allocations{0};

// ThreadSanitizer's runtime defines operator new/delete itself; a replacement
// would not link, so the allocation test is skipped in that build.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRAIN_NO_NEW_REPLACEMENT 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define STRAIN_NO_NEW_REPLACEMENT 1
#endif

#ifndef STRAIN_NO_NEW_REPLACEMENT
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// GCC 12 flags free() inside a replaced operator delete as a mismatch; here
// it is the intended pairing with the malloc() above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

namespace strain::check {
namespace {

using Names = std::vector<std::string>;
using Vars = std::vector<Value>;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

Expr Compile(std::string_view text, const Names& names = {}) {
  Expr e;
  ExprError err;
  EXPECT_TRUE(Expr::compile(text, names, e, err))
      << text << ": " << err.message << " at " << err.offset;
  return e;
}

ExprError CompileError(std::string_view text, const Names& names = {}) {
  Expr e;
  ExprError err;
  EXPECT_FALSE(Expr::compile(text, names, e, err)) << text << " compiled";
  return err;
}

EvalResult Eval(std::string_view text, const Names& names = {}, const Vars& vars = {}) {
  return Compile(text, names).eval(vars);
}

// The truth of an expression that must evaluate without error.
bool Truth(std::string_view text, const Names& names = {}, const Vars& vars = {}) {
  const EvalResult r = Eval(text, names, vars);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  EXPECT_TRUE(r.error.empty());
  return r.value;
}

// The error of an expression that compiles but must fail to evaluate.
std::string EvalError(std::string_view text, const Names& names = {}, const Vars& vars = {}) {
  const EvalResult r = Eval(text, names, vars);
  EXPECT_FALSE(r.ok) << text << " evaluated to " << r.value;
  return r.error;
}

// --- literals and precedence ------------------------------------------------

TEST(ExprLiterals, BooleansAndComparisons) {
  EXPECT_TRUE(Truth("true"));
  EXPECT_FALSE(Truth("false"));
  EXPECT_TRUE(Truth("1 == 1"));
  EXPECT_FALSE(Truth("1 == 2"));
}

TEST(ExprLiterals, NumberForms) {
  EXPECT_TRUE(Truth("1e3 == 1000"));
  EXPECT_TRUE(Truth(".5 == 0.5"));
  EXPECT_TRUE(Truth("2.5e-1 == 0.25"));
  EXPECT_TRUE(Truth("1E+2 == 100"));
  EXPECT_TRUE(Truth("2. == 2"));
  // "1e" has no exponent digits: the integer 1, then the name e.
  EXPECT_EQ(CompileError("1e > 0").message, "unexpected 'e'");
}

TEST(ExprPrecedence, MultiplicativeBindsTighterThanAdditive) {
  EXPECT_TRUE(Truth("1 + 2 * 3 == 7"));
  EXPECT_TRUE(Truth("(1 + 2) * 3 == 9"));
  EXPECT_TRUE(Truth("10 - 6 / 2 == 7"));
  EXPECT_TRUE(Truth("1 + 7 % 4 == 4"));
}

TEST(ExprPrecedence, RelationalBindsTighterThanEquality) {
  // C precedence: (1 < 2) == (3 > 2), not 1 < (2 == 3) > 2.
  EXPECT_TRUE(Truth("1 < 2 == 3 > 2"));
  EXPECT_TRUE(Truth("2 > 1 != 1 > 2"));
}

TEST(ExprPrecedence, AndBindsTighterThanOr) {
  EXPECT_TRUE(Truth("true || false && false"));
  EXPECT_FALSE(Truth("(true || false) && false"));
  EXPECT_TRUE(Truth("false && false || true"));
}

TEST(ExprPrecedence, UnaryBindsTightest) {
  EXPECT_TRUE(Truth("-2 * 3 == -6"));
  EXPECT_TRUE(Truth("- -3 == 3"));
  EXPECT_TRUE(Truth("!true == false"));  // (!true) == false
  EXPECT_TRUE(Truth("!(1 > 2)"));
  EXPECT_TRUE(Truth("!!true"));
  EXPECT_TRUE(Truth("-(2 + 3) == -5", {}, {}));
}

TEST(ExprPrecedence, LeftAssociative) {
  EXPECT_TRUE(Truth("10 - 3 - 2 == 5"));
  EXPECT_TRUE(Truth("100 / 10 / 5 == 2"));
  EXPECT_TRUE(Truth("2 * 3 % 4 == 2"));  // (2*3)%4, not 2*(3%4)
  EXPECT_TRUE(Truth("7 % 4 % 2 == 1"));
}

TEST(ExprSyntax, WhitespaceAndNameCharacters) {
  const Names names = {"latency.p99", "_x1"};
  const Vars vars = {Value::number(4.5), Value::integer(1)};
  EXPECT_TRUE(Truth("\tlatency.p99 < 5\n&&\r\n_x1==1 ", names, vars));
  EXPECT_TRUE(Truth("(1+2)*3==9"));
}

// --- integer arithmetic --------------------------------------------------------

TEST(ExprInteger, DivisionAndModuloTruncateTowardZero) {
  EXPECT_TRUE(Truth("7 / 2 == 3"));
  EXPECT_TRUE(Truth("-7 / 2 == -3"));
  EXPECT_TRUE(Truth("7 / -2 == -3"));
  EXPECT_TRUE(Truth("-7 % 2 == -1"));
  EXPECT_TRUE(Truth("7 % -2 == 1"));
}

TEST(ExprInteger, ExactNear2To62) {
  // In doubles 2^62 + 1 == 2^62; integers must keep the low bit.
  const Names names = {"a"};
  const Vars vars = {Value::integer(std::int64_t{1} << 62)};
  EXPECT_TRUE(Truth("a + 1 != a", names, vars));
  EXPECT_TRUE(Truth("a + 1 - a == 1", names, vars));
  EXPECT_TRUE(Truth("a + 1 > a", names, vars));
  EXPECT_TRUE(Truth("a == 4611686018427387904", names, vars));
  EXPECT_FALSE(Truth("a == 4611686018427387905", names, vars));
  EXPECT_TRUE(Truth("9007199254740993 != 9007199254740992"));
}

TEST(ExprInteger, ExtremeLiterals) {
  EXPECT_TRUE(Truth("9223372036854775807 > 0"));
  EXPECT_TRUE(Truth("-9223372036854775808 < -9223372036854775807"));
  const Names names = {"m"};
  EXPECT_TRUE(Truth("m == -9223372036854775808", names, {Value::integer(kMin)}));
  EXPECT_TRUE(Truth("m == 9223372036854775807", names, {Value::integer(kMax)}));
}

TEST(ExprInteger, MinModuloMinusOneIsZero) {
  // Undefined in C, but mathematically 0; must not trap.
  EXPECT_TRUE(Truth("m % -1 == 0", {"m"}, {Value::integer(kMin)}));
}

TEST(ExprInteger, OverflowIsAnError) {
  EXPECT_EQ(EvalError("9223372036854775807 + 1 > 0"),
            "integer overflow in '9223372036854775807 + 1'");
  EXPECT_EQ(EvalError("a - 1 > 0", {"a"}, {Value::integer(kMin)}), "integer overflow in 'a - 1'");
  EXPECT_EQ(EvalError("a * 2 > 0", {"a"}, {Value::integer(std::int64_t{1} << 62)}),
            "integer overflow in 'a * 2'");
  EXPECT_EQ(EvalError("a / -1 > 0", {"a"}, {Value::integer(kMin)}), "integer overflow in 'a / -1'");
  EXPECT_EQ(EvalError("-a > 0", {"a"}, {Value::integer(kMin)}), "integer overflow in '-a'");
}

TEST(ExprInteger, DivisionByZero) {
  const Names names = {"a", "b"};
  const Vars vars = {Value::integer(6), Value::integer(0)};
  EXPECT_EQ(EvalError("a / b > 0", names, vars), "division by zero in 'a / b'");
  EXPECT_EQ(EvalError("a % b > 0", names, vars), "division by zero in 'a % b'");
}

TEST(ExprInteger, ErrorTextIncludesParentheses) {
  const Names names = {"a", "b"};
  const Vars vars = {Value::integer(6), Value::integer(3)};
  EXPECT_EQ(EvalError("(a + 1) / (b - b) > 0", names, vars),
            "division by zero in '(a + 1) / (b - b)'");
}

// --- numbers and mixed arithmetic ---------------------------------------------

TEST(ExprNumber, MixedArithmeticGivesNumber) {
  EXPECT_TRUE(Truth("1 + 0.5 == 1.5"));
  EXPECT_TRUE(Truth("3 / 2.0 == 1.5"));
  EXPECT_TRUE(Truth("3 / 2 == 1"));  // both integer: truncating
  EXPECT_TRUE(Truth("2 * 0.25 == 0.5"));
  EXPECT_TRUE(Truth("0.5 - 1 == -0.5"));
  EXPECT_TRUE(Truth("-(0.5) < 0"));
  EXPECT_EQ(EvalError("1 + 0.5"), "expression is not a boolean (it is 1.5)");
}

TEST(ExprNumber, DivisionByZeroIsAnError) {
  EXPECT_EQ(EvalError("1.5 / 0 > 0"), "division by zero in '1.5 / 0'");
  EXPECT_EQ(EvalError("1 / x > 0", {"x"}, {Value::number(0.0)}), "division by zero in '1 / x'");
}

TEST(ExprNumber, IntegerAgainstNumberComparesExactly) {
  // 2^53 + 1 is not representable as a double; a naive conversion would
  // make the two equal.
  const Names names = {"i", "d"};
  const Vars vars = {Value::integer((std::int64_t{1} << 53) + 1),
                     Value::number(9007199254740992.0)};
  EXPECT_TRUE(Truth("i > d", names, vars));
  EXPECT_TRUE(Truth("d < i", names, vars));
  EXPECT_TRUE(Truth("i != d", names, vars));
  EXPECT_FALSE(Truth("i == d", names, vars));
  EXPECT_TRUE(Truth("i - 1 == d", names, vars));
  EXPECT_TRUE(Truth("i - 1 >= d && i - 1 <= d", names, vars));
}

TEST(ExprNumber, IntegerAgainstFractionsAndExtremes) {
  EXPECT_TRUE(Truth("2 < 2.5 && 3 > 2.5 && -3 < -2.5 && -2 > -2.5"));
  EXPECT_TRUE(Truth("2 == 2.0 && 2 <= 2.0 && 2 >= 2.0"));
  EXPECT_TRUE(Truth("9223372036854775807 < 9.3e18"));
  EXPECT_TRUE(Truth("-9223372036854775808 > -9.3e18"));
  EXPECT_TRUE(Truth("-9223372036854775808 == -9.223372036854775808e18"));
}

TEST(ExprNumber, NaNIsUnordered) {
  const Names names = {"x"};
  const Vars vars = {Value::number(std::nan(""))};
  EXPECT_FALSE(Truth("x == x", names, vars));
  EXPECT_TRUE(Truth("x != x", names, vars));
  EXPECT_FALSE(Truth("x < 1 || x >= 1", names, vars));
  EXPECT_TRUE(Truth("x != 1", names, vars));
}

// --- strings and booleans -----------------------------------------------------

TEST(ExprString, Equality) {
  const Names names = {"variant"};
  const Vars vars = {Value::string("fixed")};
  EXPECT_TRUE(Truth("variant == \"fixed\"", names, vars));
  EXPECT_FALSE(Truth("variant == \"racy\"", names, vars));
  EXPECT_TRUE(Truth("variant != \"racy\"", names, vars));
  EXPECT_TRUE(Truth("\"\" == \"\""));
}

TEST(ExprString, Escapes) {
  const Names names = {"s"};
  EXPECT_TRUE(Truth(R"(s == "a\"b\\c")", names, {Value::string(R"(a"b\c)")}));
}

TEST(ExprBoolean, Equality) {
  const Names names = {"flag"};
  EXPECT_TRUE(Truth("flag == true", names, {Value::boolean(true)}));
  EXPECT_TRUE(Truth("flag != true", names, {Value::boolean(false)}));
  EXPECT_TRUE(Truth("!flag", names, {Value::boolean(false)}));
}

// --- short-circuit -------------------------------------------------------------

TEST(ExprShortCircuit, SkipsTheRightSide) {
  const Names names = {"x"};
  const Vars vars = {Value::integer(0)};
  EXPECT_FALSE(Truth("false && 1 / x == 1", names, vars));
  EXPECT_TRUE(Truth("true || 1 / x == 1", names, vars));
  // Even a right side of the wrong type is not looked at.
  EXPECT_TRUE(Truth("true || 42", names, vars));
}

TEST(ExprShortCircuit, SkipsUnsetMetrics) {
  const Names names = {"recorded", "m"};
  EXPECT_TRUE(Truth("!recorded || m > 0", names, {Value::boolean(false), Value{}}));
  EXPECT_EQ(EvalError("recorded && m > 0", names, {Value::boolean(true), Value{}}),
            "'m' has no value (the metric was not recorded)");
}

TEST(ExprShortCircuit, EvaluatesTheRightSideWhenNeeded) {
  const Names names = {"x"};
  const Vars vars = {Value::integer(0)};
  EXPECT_EQ(EvalError("true && 1 / x == 1", names, vars), "division by zero in '1 / x'");
  EXPECT_EQ(EvalError("false || 1 / x == 1", names, vars), "division by zero in '1 / x'");
  EXPECT_TRUE(Truth("true && x == 0", names, vars));
  EXPECT_FALSE(Truth("false || x != 0", names, vars));
}

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
  const ExprError e = CompileError("a + x > 0", {"a", "b", "c"});
  EXPECT_EQ(e.message, "unknown name 'x' (known: a, b, c)");
  EXPECT_EQ(e.offset, 4u);
}

TEST(ExprCompileError, UnknownNameWithNoNames) {
  const ExprError e = CompileError("  x > 0");
  EXPECT_EQ(e.message, "unknown name 'x' (no names are known)");
  EXPECT_EQ(e.offset, 2u);
}

TEST(ExprCompileError, KeywordPrefixIsAName) {
  const ExprError e = CompileError("trueish", {"a"});
  EXPECT_EQ(e.message, "unknown name 'trueish' (known: a)");
  EXPECT_EQ(e.offset, 0u);
}

TEST(ExprCompileError, UnexpectedCharacter) {
  ExprError e = CompileError("a # 1", {"a"});
  EXPECT_EQ(e.message, "unexpected character '#'");
  EXPECT_EQ(e.offset, 2u);
  e = CompileError("1 + \xc3\xa9");
  EXPECT_EQ(e.message, "unexpected character '\\xc3'");
  EXPECT_EQ(e.offset, 4u);
  e = CompileError("1 < .");
  EXPECT_EQ(e.message, "unexpected character '.'");
  EXPECT_EQ(e.offset, 4u);
}

TEST(ExprCompileError, SingleCharacterOperatorsSuggestTheDoubleOne) {
  ExprError e = CompileError("a = 1", {"a"});
  EXPECT_EQ(e.message, "unexpected character '=' (did you mean '=='?)");
  EXPECT_EQ(e.offset, 2u);
  e = CompileError("true & false");
  EXPECT_EQ(e.message, "unexpected character '&' (did you mean '&&'?)");
  EXPECT_EQ(e.offset, 5u);
  e = CompileError("true | false");
  EXPECT_EQ(e.message, "unexpected character '|' (did you mean '||'?)");
  EXPECT_EQ(e.offset, 5u);
}

TEST(ExprCompileError, UnexpectedEnd) {
  ExprError e = CompileError("a +", {"a"});
  EXPECT_EQ(e.message, "unexpected end of expression");
  EXPECT_EQ(e.offset, 3u);
  e = CompileError("(");
  EXPECT_EQ(e.message, "unexpected end of expression");
  EXPECT_EQ(e.offset, 1u);
  e = CompileError("! ");
  EXPECT_EQ(e.message, "unexpected end of expression");
  EXPECT_EQ(e.offset, 2u);
}

TEST(ExprCompileError, UnexpectedToken) {
  ExprError e = CompileError("a b", {"a", "b"});
  EXPECT_EQ(e.message, "unexpected 'b'");
  EXPECT_EQ(e.offset, 2u);
  e = CompileError(")");
  EXPECT_EQ(e.message, "unexpected ')'");
  EXPECT_EQ(e.offset, 0u);
  e = CompileError("1 + * 2");
  EXPECT_EQ(e.message, "unexpected '*'");
  EXPECT_EQ(e.offset, 4u);
  e = CompileError("1 == 1 \"s\"");
  EXPECT_EQ(e.message, "unexpected '\"s\"'");
  EXPECT_EQ(e.offset, 7u);
  e = CompileError("()");
  EXPECT_EQ(e.message, "unexpected ')'");
  EXPECT_EQ(e.offset, 1u);
  e = CompileError("1 <= >= 2");
  EXPECT_EQ(e.message, "unexpected '>='");
  EXPECT_EQ(e.offset, 5u);
}

TEST(ExprCompileError, MissingCloseParen) {
  ExprError e = CompileError("(a + b", {"a", "b"});
  EXPECT_EQ(e.message, "missing ')'");
  EXPECT_EQ(e.offset, 6u);
  e = CompileError("(a b", {"a", "b"});
  EXPECT_EQ(e.message, "missing ')'");
  EXPECT_EQ(e.offset, 3u);
}

TEST(ExprCompileError, UnterminatedString) {
  ExprError e = CompileError("s == \"abc", {"s"});
  EXPECT_EQ(e.message, "unterminated string");
  EXPECT_EQ(e.offset, 5u);
  e = CompileError(R"(s == "abc\")", {"s"});  // the escaped quote does not close it
  EXPECT_EQ(e.message, "unterminated string");
  EXPECT_EQ(e.offset, 5u);
}

TEST(ExprCompileError, EmptyExpression) {
  for (const char* text : {"", "   ", "\t\n"}) {
    const ExprError e = CompileError(text);
    EXPECT_EQ(e.message, "empty expression") << '"' << text << '"';
    EXPECT_EQ(e.offset, 0u);
  }
}

TEST(ExprCompileError, IntegerLiteralOutOfRange) {
  ExprError e = CompileError("9223372036854775808 > 0");
  EXPECT_EQ(e.message, "integer literal out of range");
  EXPECT_EQ(e.offset, 0u);
  e = CompileError("x < -9223372036854775809", {"x"});
  EXPECT_EQ(e.message, "integer literal out of range");
  EXPECT_EQ(e.offset, 5u);
  e = CompileError("x < 99999999999999999999", {"x"});
  EXPECT_EQ(e.message, "integer literal out of range");
  EXPECT_EQ(e.offset, 4u);
  // Only a directly negated literal may reach -2^63.
  e = CompileError("-(9223372036854775808) < 0");
  EXPECT_EQ(e.message, "integer literal out of range");
  EXPECT_EQ(e.offset, 2u);
}

TEST(ExprCompileError, NumberLiteralOutOfRange) {
  const ExprError e = CompileError("x < 1e999", {"x"});
  EXPECT_EQ(e.message, "number literal out of range");
  EXPECT_EQ(e.offset, 4u);
}

TEST(ExprCompileError, ReportsTheFirstErrorInSourceOrder) {
  const ExprError e = CompileError("1 + ) #");
  EXPECT_EQ(e.message, "unexpected ')'");
  EXPECT_EQ(e.offset, 4u);
}

TEST(ExprCompileError, DeepNestingIsRefused) {
  const std::string deep = std::string(1000, '(') + "true" + std::string(1000, ')');
  ExprError e = CompileError(deep);
  EXPECT_EQ(e.message, "expression is nested too deeply");
  std::string chain = "1";
  for (int k = 0; k < 1000; ++k) chain += " + 1";
  e = CompileError(chain + " > 0");
  EXPECT_EQ(e.message, "expression is nested too deeply");
  EXPECT_LT(e.offset, chain.size());
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

// --- used(), explain(), text() ---------------------------------------------------

TEST(ExprUsed, FirstAppearanceOrderWithoutDuplicates) {
  const Names names = {"a", "b", "c", "d"};
  EXPECT_EQ(Compile("c + a > c && b == a || c < 0", names).used(),
            (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_TRUE(Compile("1 < 2", names).used().empty());
}

TEST(ExprExplain, NamesAndValuesOfUsedNames) {
  const Names names = {"a", "unused", "b", "variant"};
  const Vars vars = {Value::integer(1), Value::integer(9), Value::number(2.5),
                     Value::string("fixed")};
  EXPECT_EQ(Compile("a < b && variant == \"fixed\"", names).explain(names, vars),
            "a=1, b=2.5, variant=fixed");
  EXPECT_EQ(Compile("b > a || b < a", names).explain(names, vars), "b=2.5, a=1");
  EXPECT_EQ(Compile("true", names).explain(names, vars), "");
}

TEST(ExprExplain, UnsetValues) {
  const Names names = {"m", "flag"};
  const Expr e = Compile("flag || m > 0", names);
  EXPECT_EQ(e.explain(names, Vars{Value{}, Value::boolean(false)}), "flag=false, m=<unset>");
  EXPECT_EQ(e.explain(names, {}), "flag=<unset>, m=<unset>");
}

TEST(ExprText, IsTheSourceVerbatim) {
  const std::string text = "  a  >=\t1 ";
  EXPECT_EQ(Compile(text, {"a"}).text(), text);
}

// --- value semantics ---------------------------------------------------------------

TEST(ExprCopy, CopyOutlivesTheOriginal) {
  const Names names = {"v"};
  Expr copy;
  {
    const Expr original = Compile("v == \"some string long enough to allocate\"", names);
    copy = original;
    Expr constructed(original);
    EXPECT_EQ(constructed.text(), original.text());
  }
  EXPECT_TRUE(copy.eval(Vars{Value::string("some string long enough to allocate")}).value);
  EXPECT_FALSE(copy.eval(Vars{Value::string("other")}).value);
  EXPECT_EQ(copy.used(), (std::vector<std::size_t>{0}));
  Expr self = copy;
  self = *&self;  // self-assignment keeps the expression
  EXPECT_EQ(self.text(), copy.text());
}

TEST(ExprCopy, MoveTransfersTheExpression) {
  Expr a = Compile("1 < 2");
  Expr b(std::move(a));
  EXPECT_TRUE(b.eval({}).value);
  Expr c;
  c = std::move(b);
  EXPECT_EQ(c.text(), "1 < 2");
  EXPECT_TRUE(c.eval({}).ok);
}

TEST(ExprCopy, DefaultConstructedIsEmptyAndFailsToEvaluate) {
  const Expr e;
  EXPECT_TRUE(e.text().empty());
  EXPECT_TRUE(e.used().empty());
  EXPECT_EQ(e.explain({}, {}), "");
  const EvalResult r = e.eval({});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "the expression was never compiled");
}

// --- allocation -------------------------------------------------------------------

TEST(ExprEval, DoesNotAllocateWhenItSucceeds) {
#ifdef STRAIN_NO_NEW_REPLACEMENT
  GTEST_SKIP() << "operator new belongs to the sanitizer runtime in this build";
#endif
  const Names names = {"n", "x", "variant", "flag"};
  const Vars vars = {Value::integer(1000), Value::number(0.25),
                     Value::string("a string longer than the small buffer"), Value::boolean(true)};
  const Expr e = Compile(
      "(n * 3 - 1) % 7 >= 0 && x * n > 1.5 && -x < 0 && "
      "variant != \"another string longer than the small buffer\" && flag == !false",
      names);
  const long before = g_allocations.load();
  const EvalResult r = e.eval(vars);
  const long after = g_allocations.load();
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.value);
  EXPECT_EQ(after - before, 0);
  // The counter does see allocations: a failure builds its message.
  EXPECT_FALSE(e.eval(Vars{}).ok);
  EXPECT_GT(g_allocations.load(), after);
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
