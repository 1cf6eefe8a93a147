#include "check/value.hpp"

#include <fmt/format.h>

namespace strain::check {

std::string Value::str() const {
  switch (kind) {
    case Kind::none:
      return "<unset>";
    case Kind::integer:
      return std::to_string(i);
    case Kind::number:
      return fmt::format("{}", d);
    case Kind::boolean:
      return b ? "true" : "false";
    case Kind::string:
      return s;
  }
  return "";
}

bool Value::operator==(const Value& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::none:
      return true;
    case Kind::integer:
      return i == o.i;
    case Kind::number:
      return d == o.d;
    case Kind::boolean:
      return b == o.b;
    case Kind::string:
      return s == o.s;
  }
  return false;
}

}  // namespace strain::check
