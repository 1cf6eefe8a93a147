#pragma once
// Why a case stopped running trials.

#include <cstdint>
#include <optional>
#include <string_view>

namespace strain::model {

enum class StopReason : std::uint8_t {
  none,         // not stopped (yet): a case still running, or not run
  trials,       // every planned trial ran
  budget,       // the time budget ran out first
  failure,      // a failure ended the case (not with --keep-going)
  error,        // the case could not run at all (the result's note says why)
  interrupted,  // Ctrl-C or SIGTERM ended the run
  explored,     // controlled/dfs ran every interleaving there is
};

//! The name reports use ("" for none, as reports have always said nothing).
std::string_view to_string(StopReason s) noexcept;

//! Parses a report's name; nullopt when it is not one.
std::optional<StopReason> stop_reason_from_string(std::string_view name) noexcept;

}  // namespace strain::model
