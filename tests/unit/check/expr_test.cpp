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

#include "expr_helpers.hpp"

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

using namespace test;

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

}  // namespace
}  // namespace strain::check
