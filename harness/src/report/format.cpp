#include "report/format.hpp"

#include <fmt/format.h>

#include <algorithm>
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

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double mag = std::fabs(v);
  // Whole numbers (counts, and min/max of integer metrics) print as such.
  if (mag < 1e15 && v == std::trunc(v)) return fmt::format("{:.0f}", v);
  // Digits after the point for four significant ones, capped so that a tiny
  // value prints as zeros rather than switching to an exponent.
  const int exponent = static_cast<int>(std::floor(std::log10(mag)));
  const int decimals = std::clamp(3 - exponent, 0, 9);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string format_measured(const std::vector<exec::Measured>& measured) {
  std::uint64_t trials = 0;
  for (const auto& m : measured) trials = std::max(trials, m.count);
  std::string out;
  for (const auto& m : measured) {
    if (!out.empty()) out += "  ";
    if (m.count == 0) {
      out += m.name + " -";
      continue;
    }
    out += fmt::format("{} {} [{}..{}]", m.name, format_number(m.mean), format_number(m.min),
                       format_number(m.max));
    if (m.count != trials) out += fmt::format(" n={}", m.count);
  }
  if (out.empty()) return out;
  if (trials == 0) return out + "  (no trial recorded them)";
  out += fmt::format("  (mean [min..max] of {} trial{})", trials, trials == 1 ? "" : "s");
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
