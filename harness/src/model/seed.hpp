#pragma once
// Every seed of a run, from the one a case runs under down to a role
// thread's random numbers: one place, so that following a seed from the
// command line to a trial is reading this file. The arithmetic is frozen:
// replay lines printed by earlier runs name seeds derived by it.

#include <cstdint>
#include <optional>
#include <string_view>

#include "strain/rng.hpp"

namespace strain::model {

//! The spec seed a case runs under: the run's --seed, else the spec's, plus
//! the repetition (--repeat runs repetition r under seed + r, as gtest's
//! --gtest_repeat does).
constexpr std::uint64_t resolve_seed(std::optional<std::uint64_t> run_seed, std::uint64_t spec_seed,
                                     std::uint64_t repetition = 0) {
  return run_seed.value_or(spec_seed) + repetition;
}

//! One step of the derivation: splitmix64 over a ^ b * the golden ratio
//! (in the runtime, whose contexts seed their generators with it).
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return Rng::mix(a, b); }

//! FNV-1a of a case id: stable across runs and builds, unlike std::hash.
constexpr std::uint64_t hash_id(std::string_view id) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return h;
}

//! The case's part of every trial seed: mixed once per case, not per trial
//! (the trial loop uses it between every two trials).
inline std::uint64_t case_seed(std::uint64_t spec_seed, std::string_view case_id) {
  return mix(spec_seed, hash_id(case_id));
}

//! The seed of trial `trial` of a case: what a report prints beside a
//! failure, and what every random choice of that trial derives from.
inline std::uint64_t trial_seed(std::uint64_t case_seed_, std::uint64_t trial) {
  return mix(case_seed_, trial + 1);
}
inline std::uint64_t trial_seed(std::uint64_t spec_seed, std::string_view case_id,
                                std::uint64_t trial) {
  return trial_seed(case_seed(spec_seed, case_id), trial);
}

//! The trial whose seed trial `trial` runs under: itself, except under a
//! systematic search (controlled/dfs), whose every trial runs under trial
//! 0's seed: the search replays a prefix of choices each trial, so the code
//! must draw the same numbers each trial.
constexpr std::uint64_t seeded_as(std::uint64_t trial, bool search) { return search ? 0 : trial; }

//! The seed of a context's Rng (ctx.rng()) in a trial: salt 0 for the main
//! context, k + 1 for role thread k. The runtime seeds it so on the trial's
//! first draw (Context::rng(), through Rng::mix: it cannot include this
//! file); exec/context_stamp_test holds the two together.
inline std::uint64_t context_seed(std::uint64_t trial_seed_, std::uint64_t salt) {
  return mix(trial_seed_, salt);
}

//! The seed of role thread `index`'s strategy state (its yields and sleeps
//! under `random` and `chaos`) in a trial.
inline std::uint64_t strategy_seed(std::uint64_t trial_seed_, unsigned index) {
  std::uint64_t s = trial_seed_ ^ (0x5851f42d4c957f2dULL * (index + 1));
  return Rng::splitmix64(s);
}

}  // namespace strain::model
