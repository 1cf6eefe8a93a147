// parse_duration: a duration as a spec writes it ("250ms", "2s", "1.5m").

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>
#include <utility>

#include "spec/load.hpp"

namespace strain::spec {

bool parse_duration(std::string_view text, double& seconds) {
  // Digits, an optional fraction, an optional unit; nothing else (no sign,
  // exponent or space), so "5 sec" and "-1s" are rejected, not half-read.
  std::size_t n = 0;
  const auto digits = [&] {
    const std::size_t start = n;
    while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
    return n > start;
  };
  if (!digits()) return false;
  if (n < text.size() && text[n] == '.') {
    ++n;
    if (!digits()) return false;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + n, value);
  if (ec != std::errc() || end != text.data() + n) return false;
  static constexpr std::array<std::pair<std::string_view, double>, 7> kUnits = {{{"", 1.0},
                                                                                 {"ns", 1e-9},
                                                                                 {"us", 1e-6},
                                                                                 {"ms", 1e-3},
                                                                                 {"s", 1.0},
                                                                                 {"m", 60.0},
                                                                                 {"h", 3600.0}}};
  const std::string_view unit = text.substr(n);
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      seconds = value * factor;
      return std::isfinite(seconds);
    }
  }
  return false;
}

}  // namespace strain::spec
