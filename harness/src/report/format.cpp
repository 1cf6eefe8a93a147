#include "report/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace strain::report {

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  return fmt::format("{:.3f}", s);
}

std::string format_rate(double per_s) {
  if (!std::isfinite(per_s) || per_s < 0) per_s = 0;
  if (per_s < 1e3) return fmt::format("{:.1f}", per_s);
  if (per_s < 1e6) return fmt::format("{:.1f}k", per_s / 1e3);
  if (per_s < 1e9) return fmt::format("{:.1f}M", per_s / 1e6);
  return fmt::format("{:.1f}G", per_s / 1e9);
}

std::string format_seed(std::uint64_t seed) { return fmt::format("0x{:016x}", seed); }

std::string format_counts(const check::OutcomeCounts& counts) {
  std::string out;
  for (const check::Outcome o : check::kAllOutcomes) {
    const std::uint64_t n = counts[static_cast<std::size_t>(o)];
    if (n == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", check::to_string(o), n);
  }
  return out.empty() ? "-" : out;
}

std::string format_failure_counts(const check::OutcomeCounts& counts) {
  std::string out;
  for (const check::Outcome o : check::kAllOutcomes) {
    const std::uint64_t n = counts[static_cast<std::size_t>(o)];
    if (!check::is_failure(o) || n == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {}", check::to_string(o), n);
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace strain::report
