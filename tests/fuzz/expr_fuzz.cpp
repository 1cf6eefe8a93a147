// libFuzzer target: the invariant expression compiler and evaluator. Any text
// compiles or fails with an offset inside it; what compiles evaluates to a
// value or an error, never a crash (overflow, division by zero, deep trees).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check/expr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strain::check::Expr;
  using strain::check::NameType;
  using strain::check::Value;
  static const std::vector<std::string> names = {"i", "big", "x", "nan", "flag", "s"};
  static const std::vector<NameType> types = {NameType::integer, NameType::integer,
                                              NameType::number,  NameType::numeric,
                                              NameType::boolean, NameType::string};
  static const std::vector<Value> vars = {
      Value::integer(3),    Value::integer(std::numeric_limits<std::int64_t>::min()),
      Value::number(-0.5),  Value::number(std::numeric_limits<double>::quiet_NaN()),
      Value::boolean(true), Value::string("fixed")};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Expr e;
  strain::check::ExprError err;
  // Untyped (every name numeric) and typed, as specs compile them.
  for (const bool typed : {false, true}) {
    if (!Expr::compile(text, names, e, err, typed ? types : std::vector<NameType>{})) {
      if (err.offset > text.size()) __builtin_trap();
      continue;
    }
    (void)e.eval(vars);
  }
  return 0;
}
