#include "cli/intensity.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "core/errors.hpp"

namespace strain::cli {

namespace {

constexpr std::array<std::pair<std::string_view, double>, 4> kNamed = {
    {{"quick", 0.1}, {"default", 1.0}, {"tough", 10.0}, {"stress", 100.0}}};

}  // namespace

double parse_intensity(const std::string& text) {
  for (const auto& [name, factor] : kNamed)
    if (text == name) return factor;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0 || v > 1e6)
    throw UsageError(
        "--intensity must be a factor > 0 (e.g. 0.1, 10) or quick, default, tough, "
        "stress; got '" +
        text + "'");
  return v;
}

void apply_intensity(spec::Case& c, double factor) {
  if (factor == 1.0) return;
  const double trials = std::round(static_cast<double>(c.schedule.trials) * factor);
  c.schedule.trials = trials < 1 ? 1 : static_cast<std::uint64_t>(std::min(trials, 1e18));
  c.schedule.budget_s *= factor;
}

}  // namespace strain::cli
