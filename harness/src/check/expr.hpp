#pragma once
// Invariant expressions over metrics and params: arithmetic (+ - * / %),
// comparisons (== != < <= > >=), && || !, parentheses, integer, number,
// boolean (true/false) and double-quoted string literals, and names.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "check/value.hpp"

namespace strain::check {

//! Why an expression did not compile: where (0-based offset into the text)
//! and what.
struct ExprError {
  std::size_t offset = 0;
  std::string message;
};

//! What a name holds, as far as a spec knows before any trial runs: a
//! param's declared type, or `numeric` for a metric or a site fact (an
//! integer or a number, which one is known only once it is recorded).
enum class NameType : std::uint8_t { integer, number, numeric, boolean, string };

//! The result of evaluating an expression on one trial's values.
struct EvalResult {
  bool ok = true;      // false: the expression could not be evaluated
  bool value = false;  // the truth of the expression when ok
  std::string error;   // why not ok (only built on failure)
};

//! A compiled expression. Names are resolved at compile time to indices into
//! the `names` list given to compile(), so evaluation looks nothing up.
class Expr {
 public:
  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;
  Expr(const Expr&);
  Expr& operator=(const Expr&);

  //! Compiles `text`; a name not in `names` is an error. When `types` is
  //! given (parallel to `names`), the expression is also type-checked: an
  //! operator applied to operands it never accepts (a string compared with
  //! a number, arithmetic on a boolean) or a result that is not a boolean is
  //! an error, so it is reported where the expression is written rather than
  //! on every trial. What only values decide (division by zero, overflow, a
  //! metric not recorded) stays an evaluation error. On failure returns
  //! false and fills `error`.
  static bool compile(std::string_view text, std::span<const std::string> names, Expr& out,
                      ExprError& error, std::span<const NameType> types = {});

  //! Evaluates with vars[k] the value of names[k]. Integer arithmetic stays
  //! exact in 64 bits; mixing with a number gives a number. Does not
  //! allocate unless it fails.
  EvalResult eval(std::span<const Value> vars) const;

  //! Indices of the names the expression uses, each once, in order of first
  //! appearance.
  const std::vector<std::size_t>& used() const;

  //! "a=1, b=2" for the names used, for a violation message.
  std::string explain(std::span<const std::string> names, std::span<const Value> vars) const;

  //! The expression with the values its parts had, as Catch2 decomposes a
  //! failed check: "1165 == 2000" for `counter == workers * increments`;
  //! the false operands of && ("-222 >= 0"), both of ||.
  std::string decompose(std::span<const Value> vars) const;

  //! The source text.
  const std::string& text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strain::check
