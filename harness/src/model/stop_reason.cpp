#include "model/stop_reason.hpp"

#include <array>

namespace strain::model {

namespace {
constexpr std::array<std::string_view, 7> kNames = {"",      "trials",      "budget",  "failure",
                                                    "error", "interrupted", "explored"};
}  // namespace

std::string_view to_string(StopReason s) noexcept { return kNames[static_cast<std::size_t>(s)]; }

std::optional<StopReason> stop_reason_from_string(std::string_view name) noexcept {
  for (std::size_t k = 0; k < kNames.size(); ++k)
    if (kNames[k] == name) return static_cast<StopReason>(k);
  return std::nullopt;
}

}  // namespace strain::model
