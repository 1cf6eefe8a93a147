#include "model/outcome.hpp"

namespace strain::model {

namespace {
constexpr std::array<std::string_view, kOutcomeCount + 1> kNames = {
    "pass", "violation", "race", "deadlock", "hang", "crash", "error", "fail"};
}

std::string_view to_string(Outcome o) noexcept { return kNames[static_cast<std::size_t>(o)]; }

std::optional<Outcome> outcome_from_string(std::string_view name) noexcept {
  for (std::size_t k = 0; k < kOutcomeCount; ++k)
    if (kNames[k] == name) return static_cast<Outcome>(k);
  return std::nullopt;
}

std::optional<Outcome> expectation_from_string(std::string_view name) noexcept {
  if (name == kNames[static_cast<std::size_t>(Outcome::fail)]) return Outcome::fail;
  return outcome_from_string(name);
}

}  // namespace strain::model
