#pragma once
// Validators for numeric flags, with messages a user can act on. CLI11's own
// PositiveNumber prints its range as a 300-digit double ("Value 0 not in range
// 0.000000 to 1797...") and an unsigned option takes "-5" as 2^64 - 5, which
// strain would then print and write into every report as the seed.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <string>

namespace strain::cli {

//! Accepts a whole number >= `min` written in decimal digits only (no sign,
//! no fraction, no exponent) that fits in 64 bits.
inline CLI::Validator whole_number(std::uint64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        std::uint64_t n = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, n);
        const bool digits =
            !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || ec != std::errc() || ptr != end || n < min)
          return fmt::format("must be a whole number >= {}{}, got '{}'", min,
                             digits && ec == std::errc::result_out_of_range ? " below 2^64" : "",
                             text);
        return {};
      },
      min == 0 ? "UINT" : fmt::format("UINT>={}", min));
}

}  // namespace strain::cli
