#pragma once
// The fixed set of trial outcomes, each marked failure or not.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace strain::model {

//! What one trial showed; `fail` is no trial's outcome but an expectation:
//! any failure (a lock cycle is a `deadlock` under the controlled scheduler
//! and a `hang` under a real one, a bug a `race` under TSan).
enum class Outcome : std::uint8_t { pass, violation, race, deadlock, hang, crash, error, fail };

inline constexpr std::size_t kOutcomeCount = 7;

//! Every outcome in declaration order.
inline constexpr std::array<Outcome, kOutcomeCount> kAllOutcomes = {
    Outcome::pass, Outcome::violation, Outcome::race, Outcome::deadlock,
    Outcome::hang, Outcome::crash,     Outcome::error};

//! The outcome's name as specs and reports spell it.
std::string_view to_string(Outcome o) noexcept;

//! Parses a name; nullopt when it is not an outcome (`fail` is not one).
std::optional<Outcome> outcome_from_string(std::string_view name) noexcept;

//! Parses what a case may expect: an outcome, or `fail`.
std::optional<Outcome> expectation_from_string(std::string_view name) noexcept;

//! Every outcome but pass is a failure.
constexpr bool is_failure(Outcome o) noexcept { return o != Outcome::pass; }

//! Counts of outcomes, indexed by the enum.
using OutcomeCounts = std::array<std::uint64_t, kOutcomeCount>;

}  // namespace strain::model
