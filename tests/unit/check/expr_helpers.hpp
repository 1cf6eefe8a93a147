#pragma once
// What the expression tests share: compiling and evaluating with the
// expectations every test makes of success or failure.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check/expr.hpp"

namespace strain::check::test {

using Names = std::vector<std::string>;
using Vars = std::vector<Value>;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

inline Expr Compile(std::string_view text, const Names& names = {}) {
  Expr e;
  ExprError err;
  EXPECT_TRUE(Expr::compile(text, names, e, err))
      << text << ": " << err.message << " at " << err.offset;
  return e;
}

inline ExprError CompileError(std::string_view text, const Names& names = {}) {
  Expr e;
  ExprError err;
  EXPECT_FALSE(Expr::compile(text, names, e, err)) << text << " compiled";
  return err;
}

// A compile error's message and offset (where the caret goes).
inline void ExpectCompileError(std::string_view text, const Names& names,
                               const std::string& message, std::size_t offset) {
  SCOPED_TRACE(std::string(text));
  const ExprError e = CompileError(text, names);
  EXPECT_EQ(e.message, message);
  EXPECT_EQ(e.offset, offset);
}

inline EvalResult Eval(std::string_view text, const Names& names = {}, const Vars& vars = {}) {
  return Compile(text, names).eval(vars);
}

// The truth of an expression that must evaluate without error.
inline bool Truth(std::string_view text, const Names& names = {}, const Vars& vars = {}) {
  const EvalResult r = Eval(text, names, vars);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  EXPECT_TRUE(r.error.empty());
  return r.value;
}

// The error of an expression that compiles but must fail to evaluate.
inline std::string EvalError(std::string_view text, const Names& names = {},
                             const Vars& vars = {}) {
  const EvalResult r = Eval(text, names, vars);
  EXPECT_FALSE(r.ok) << text << " evaluated to " << r.value;
  return r.error;
}

}  // namespace strain::check::test
