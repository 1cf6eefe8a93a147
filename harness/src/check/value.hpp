#pragma once
// A typed value: a param's value or a metric's, as invariants see them.

#include <cstdint>
#include <string>

namespace strain::check {

//! A param or metric value. `none` marks a metric the scenario did not record.
struct Value {
  enum class Kind : std::uint8_t { none, integer, number, boolean, string };
  Kind kind = Kind::none;
  std::int64_t i = 0;
  double d = 0.0;
  bool b = false;
  std::string s;

  static Value integer(std::int64_t v) {
    Value x;
    x.kind = Kind::integer;
    x.i = v;
    x.d = static_cast<double>(v);
    return x;
  }
  static Value number(double v) {
    Value x;
    x.kind = Kind::number;
    x.d = v;
    return x;
  }
  static Value boolean(bool v) {
    Value x;
    x.kind = Kind::boolean;
    x.b = v;
    return x;
  }
  static Value string(std::string v) {
    Value x;
    x.kind = Kind::string;
    x.s = std::move(v);
    return x;
  }

  //! The value as a spec would write it: 42, 0.5, true, fixed (strings bare).
  std::string str() const;

  bool operator==(const Value& o) const;
};

}  // namespace strain::check
